//! Reading one image file: the file's size checked before it is read, then its bytes decoded by
//! [`ingest::photo`], where every way a file can be unusable becomes one phrase. The same
//! decoding serves the page's live figures, so a file gets the same answer in both.

use std::path::Path;

use image::DynamicImage;
use ingest::COMMAND_LINE;

use crate::inputs::{BadFile, io_problem};

/// Reads and decodes one image file, refusing every file the book cannot measure.
pub fn read_image(path: &Path) -> Result<DynamicImage, BadFile> {
    let bytes = read_bytes(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy());
    ingest::photo::decode(&bytes, name.as_deref(), &COMMAND_LINE)
        .map_err(|problem| BadFile::new(path, problem))
}

/// The whole file, after checking that there is something (but not too much) to read: the size
/// is the file system's, so a file too large to read is refused without reading it.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, BadFile> {
    let bad = |problem: String| BadFile::new(path, problem);
    let meta = std::fs::metadata(path).map_err(|e| bad(io_problem(&e)))?;
    if meta.is_dir() {
        return Err(bad("is a folder, not a file".into()));
    }
    COMMAND_LINE.check_file_size(meta.len()).map_err(bad)?;
    std::fs::read(path).map_err(|e| bad(io_problem(&e)))
}

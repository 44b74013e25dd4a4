//! Writes the book's data that `spectra` embeds (`src/embedded.rs`) into `embedded/`, from the
//! book's `data/` folders. Run by `cargo xtask embed` after `data/` or the measurements change;
//! the test `embedded::tests::the_embedded_data_are_current` says when that is needed.

use std::path::Path;

use anyhow::Result;
use bookkit::figure::write_atomic;
use spectra_cli::embedded::{FOLDER, generate};

fn main() -> Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(FOLDER);
    let images = bookkit::data::default_images_dir();
    let audio = bookkit::audio::default_audio_dir();
    for (name, bytes) in generate(&images, &audio)? {
        let path = dir.join(name);
        write_atomic(&path, &bytes)?;
        eprintln!("    wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}

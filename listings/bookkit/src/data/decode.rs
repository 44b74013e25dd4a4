//! Reading one image file defensively: every way a reader's file can be unusable becomes one
//! line naming the file and the problem, found as early and as cheaply as possible.
//!
//! The order of the checks is the order of their cost: the file's size (no read at all), its
//! first bytes (is it an image format at all?), the JPEG's marker structure, the header's claimed
//! dimensions (before a single pixel is allocated), and only then the decoding itself, under a
//! memory limit.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use crate::inputs::{BadFile, io_problem};

/// Largest image accepted, in pixels (width × height): 100 megapixels, more than any camera
/// photo. A file whose header claims more is refused before decoding: a few kilobytes of PNG or
/// JPEG can claim billions of pixels (a "decompression bomb") and would take all memory.
pub const MAX_PIXELS: u64 = 100_000_000;

/// Smallest side accepted, in pixels (before any resizing): below it a spectrum has fewer than
/// eight frequencies, too few to say anything about, and the file is more likely an icon.
pub const MIN_SIDE: u32 = 16;

/// Largest file read, in bytes (1 GiB): files are read whole into memory before decoding.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// The decoder's memory limit: the largest accepted image at 8 bytes a pixel (16-bit RGBA), plus
/// room for the decoder's own buffers.
pub const MAX_ALLOC: u64 = MAX_PIXELS * 8 + (64 << 20);

/// Reads and decodes one image file, refusing every file the book cannot measure.
pub fn read_image(path: &Path) -> Result<DynamicImage, BadFile> {
    let bad = |problem: String| BadFile::new(path, problem);
    let bytes = read_bytes(path)?;
    let format = sniff_format(&bytes, path).map_err(bad)?;
    if format == ImageFormat::Jpeg {
        check_jpeg_complete(&bytes).map_err(bad)?;
    }
    decode(&bytes, format).map_err(bad)
}

/// The whole file, after checking that there is something (but not too much) to read.
fn read_bytes(path: &Path) -> Result<Vec<u8>, BadFile> {
    let bad = |problem: String| BadFile::new(path, problem);
    let meta = std::fs::metadata(path).map_err(|e| bad(io_problem(&e)))?;
    if meta.is_dir() {
        return Err(bad("is a folder, not a file".into()));
    }
    match meta.len() {
        0 => return Err(bad("empty file (0 bytes)".into())),
        n if n > MAX_FILE_BYTES => {
            return Err(bad(format!(
                "file too large ({} MiB; images up to {} MiB are read)",
                n >> 20,
                MAX_FILE_BYTES >> 20
            )));
        }
        _ => {}
    }
    std::fs::read(path).map_err(|e| bad(io_problem(&e)))
}

/// The image format, from the file's first bytes (its "magic number"), never from its name: a
/// photo saved as `.png` but holding JPEG data is read as the JPEG it is.
fn sniff_format(bytes: &[u8], path: &Path) -> Result<ImageFormat, String> {
    match image::guess_format(bytes) {
        Ok(format) if format.reading_enabled() => Ok(format),
        Ok(format) => Err(format!(
            "{} image, a format spectra cannot read ({})",
            format_name(format),
            READABLE
        )),
        Err(_) if looks_like_text(bytes) => {
            Err(format!("a text file, not an image{}", extension_note(path)))
        }
        Err(_) => Err(format!(
            "not an image in a format spectra reads ({READABLE}){}",
            extension_note(path)
        )),
    }
}

const READABLE: &str = "JPEG, PNG, GIF, WebP, BMP, TIFF";

/// " (despite its .png name)" for a file whose name promises an image.
fn extension_note(path: &Path) -> String {
    path.extension()
        .map(|e| format!(" (despite its .{} name)", e.to_string_lossy()))
        .unwrap_or_default()
}

/// Whether the start of a file reads as text: valid UTF-8 without control characters other than
/// white space. Saying "a text file" is more helpful than "unknown format" for the commonest
/// mistake, a note or an HTML error page saved under an image's name.
fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        // A multi-byte character cut at the 1024-byte mark is still text.
        Err(e) if head.len() - e.valid_up_to() < 4 && e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
}

/// A short English name of a format, as readers know it.
fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::Gif => "GIF",
        ImageFormat::WebP => "WebP",
        ImageFormat::Bmp => "BMP",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Avif => "an AVIF",
        _ => format
            .extensions_str()
            .first()
            .copied()
            .unwrap_or("an unknown"),
    }
}

/// Walks a JPEG's marker segments up to its end-of-image marker. The image crate's JPEG decoder
/// fills in whatever a truncated file lacks, silently, so a cut-off download would otherwise be
/// measured with a grey band where its bottom should be.
fn check_jpeg_complete(b: &[u8]) -> Result<(), String> {
    const TRUNCATED: &str = "truncated JPEG: the file ends before its end-of-image marker";
    let mut i = 2; // after the start-of-image marker the format check has seen
    loop {
        if i >= b.len() {
            return Err(TRUNCATED.into());
        }
        if b[i] != 0xFF {
            return Err(format!(
                "corrupt JPEG: no marker where one should start (byte {i})"
            ));
        }
        while i < b.len() && b[i] == 0xFF {
            i += 1; // fill bytes
        }
        let Some(&marker) = b.get(i) else {
            return Err(TRUNCATED.into());
        };
        i += 1;
        match marker {
            0xD9 => return Ok(()),
            0x01 | 0xD0..=0xD7 => continue, // markers without a segment
            _ => {
                let Some(len) = b.get(i..i + 2) else {
                    return Err(TRUNCATED.into());
                };
                i += usize::from(u16::from_be_bytes([len[0], len[1]]));
                if marker == 0xDA {
                    i = end_of_scan(b, i).ok_or(TRUNCATED)?;
                }
            }
        }
    }
}

/// Where the entropy-coded data of a scan starting at `i` ends: at the first 0xFF that is neither
/// a stuffed zero byte nor a restart marker. `None` if the file ends first.
fn end_of_scan(b: &[u8], mut i: usize) -> Option<usize> {
    while i + 1 < b.len() {
        if b[i] == 0xFF && !matches!(b[i + 1], 0x00 | 0xD0..=0xD7) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Decodes the image after checking the dimensions its header claims.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, String> {
    let name = format_name(format);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // The header is read without limits, so that its claimed size gets its own message below.
    reader.no_limits();
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| decode_problem(name, &e))?;
    check_dimensions(decoder.dimensions())?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    decoder
        .set_limits(limits)
        .map_err(|e| decode_problem(name, &e))?;
    DynamicImage::from_decoder(decoder).map_err(|e| decode_problem(name, &e))
}

fn check_dimensions((w, h): (u32, u32)) -> Result<(), String> {
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_PIXELS {
        return Err(format!(
            "the header claims {w}×{h} pixels ({:.0} megapixels), more than the limit of {} \
             megapixels: refused before decoding (a damaged file or a decompression bomb)",
            pixels as f64 / 1e6,
            MAX_PIXELS / 1_000_000
        ));
    }
    if w < MIN_SIDE || h < MIN_SIDE {
        return Err(format!(
            "only {w}×{h} pixels: at least {MIN_SIDE} on each side are needed"
        ));
    }
    Ok(())
}

/// A decoding error as one phrase, naming truncation when the data simply runs out.
fn decode_problem(name: &str, e: &ImageError) -> String {
    if ends_early(e) {
        return format!("truncated {name}: the file ends before the image data does");
    }
    match e {
        ImageError::Limits(_) => format!(
            "too large to decode within the memory limit of {} MiB",
            MAX_ALLOC >> 20
        ),
        ImageError::Unsupported(u) => format!("{name} variant not supported: {u}"),
        ImageError::Decoding(d) => {
            let detail = std::error::Error::source(d)
                .map(|s| s.to_string())
                .unwrap_or_else(|| d.to_string());
            format!("corrupt {name}: {}", detail.trim_end())
        }
        other => format!("cannot decode this {name}: {other}"),
    }
}

/// Whether an error, or anything it was caused by, is an unexpected end of file.
fn ends_early(e: &ImageError) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::UnexpectedEof
        {
            return true;
        }
        let text = c.to_string().to_lowercase();
        if text.contains("unexpected eof") || text.contains("unexpected end of") {
            return true;
        }
        cause = c.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
            .unwrap();
        out
    }

    #[test]
    fn a_jpeg_is_complete_only_with_its_end_marker_after_the_scan() {
        let full = jpeg(40, 30);
        assert_eq!(check_jpeg_complete(&full), Ok(()));
        // Trailing bytes after the end marker (some cameras append data) are fine.
        let mut longer = full.clone();
        longer.extend_from_slice(b"trailer");
        assert_eq!(check_jpeg_complete(&longer), Ok(()));
        for cut in [4, 30, full.len() / 2, full.len() - 2, full.len() - 1] {
            let err = check_jpeg_complete(&full[..cut]).unwrap_err();
            assert!(err.starts_with("truncated JPEG"), "cut at {cut}: {err}");
        }
    }

    #[test]
    fn text_is_told_apart_from_binary_junk() {
        assert!(looks_like_text(b"hello\n\tworld"));
        assert!(looks_like_text("caf\u{e9} ".repeat(300).as_bytes()));
        assert!(!looks_like_text(&[0, 1, 2, 3, 200, 201]));
        assert!(!looks_like_text(b""));
    }
}

//! Image bytes to pixels, defensively: every way a reader's file can be unusable becomes one
//! phrase naming the problem, found as early and as cheaply as possible.
//!
//! The order of the checks is the order of their cost: the size of the bytes, their first bytes
//! (is it an image format this reader decodes at all?), the JPEG's marker structure, the header's
//! claimed dimensions (before a single pixel is allocated), and only then the decoding itself,
//! under a memory limit.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use crate::limits::{Reader, format_name};
use crate::text::looks_like_text;

/// Decodes an image file's bytes, or says in a phrase why they cannot be measured. `file_name`,
/// when known, lets the message point out a misleading extension ("despite its .png name");
/// the format itself is always read from the bytes.
pub fn decode(
    bytes: &[u8],
    file_name: Option<&str>,
    reader: &Reader,
) -> Result<DynamicImage, String> {
    reader.check_file_size(bytes.len() as u64)?;
    let format = sniff_format(bytes, file_name, reader)?;
    if format == ImageFormat::Jpeg {
        check_jpeg_complete(bytes)?;
    }
    decode_checked(bytes, format, reader)
}

/// The image format, from the file's first bytes (its "magic number"), never from its name: a
/// photo saved as `.png` but holding JPEG data is read as the JPEG it is.
fn sniff_format(
    bytes: &[u8],
    file_name: Option<&str>,
    reader: &Reader,
) -> Result<ImageFormat, String> {
    let readable = reader.readable_images();
    match image::guess_format(bytes) {
        Ok(format) if reader.image_formats.contains(&format) && format.reading_enabled() => {
            Ok(format)
        }
        Ok(format) => Err(format!(
            "{} image, a format {} cannot read ({readable})",
            format_name(format),
            reader.name,
        )),
        Err(_) if looks_like_text(bytes) => Err(format!(
            "a text file, not an image{}",
            extension_note(file_name)
        )),
        Err(_) => Err(format!(
            "not an image in a format {} reads ({readable}){}",
            reader.name,
            extension_note(file_name)
        )),
    }
}

/// " (despite its .png name)" for a file whose name promises something.
fn extension_note(file_name: Option<&str>) -> String {
    file_name
        .and_then(|n| Path::new(n).extension())
        .map(|e| format!(" (despite its .{} name)", e.to_string_lossy()))
        .unwrap_or_default()
}

/// Walks a JPEG's marker segments up to its end-of-image marker. The JPEG decoder fills in
/// whatever a truncated file lacks, silently, so a cut-off download would otherwise be measured
/// with a grey band where its bottom should be.
pub fn check_jpeg_complete(b: &[u8]) -> Result<(), String> {
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
fn decode_checked(
    bytes: &[u8],
    format: ImageFormat,
    reader: &Reader,
) -> Result<DynamicImage, String> {
    let name = format_name(format);
    let alloc = reader.decoder_alloc();
    let mut image_reader = ImageReader::with_format(Cursor::new(bytes), format);
    // The header is read without limits, so that its claimed size gets its own message below.
    image_reader.no_limits();
    let mut decoder = image_reader
        .into_decoder()
        .map_err(|e| decode_problem(name, alloc, &e))?;
    let (w, h) = decoder.dimensions();
    reader.check_image_size(w, h)?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(alloc);
    decoder
        .set_limits(limits)
        .map_err(|e| decode_problem(name, alloc, &e))?;
    DynamicImage::from_decoder(decoder).map_err(|e| decode_problem(name, alloc, &e))
}

/// A decoding error as one phrase, naming truncation when the data simply runs out.
fn decode_problem(name: &str, alloc: u64, e: &ImageError) -> String {
    if ends_early(e) {
        return format!("truncated {name}: the file ends before the image data does");
    }
    match e {
        ImageError::Limits(_) => format!(
            "too large to decode within the memory limit of {} MiB",
            alloc >> 20
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
    use crate::fixtures::{encoded, jpeg, png, png_claiming};
    use crate::limits::{COMMAND_LINE, PAGE};

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

    /// What each reader says about each kind of bad file: the same words from the command line
    /// and from the page, except where the page reads fewer formats.
    #[test]
    fn bad_images_get_the_same_reason_from_every_reader() {
        let cut_jpeg = jpeg(64, 48);
        let cut_png = png(64, 48);
        let cases: [(&str, Vec<u8>, &str); 9] = [
            ("empty.png", vec![], "empty file (0 bytes)"),
            (
                "notes.jpg",
                b"holiday photos, see the shared album\n".to_vec(),
                "a text file, not an image (despite its .jpg name)",
            ),
            (
                "cut.jpg",
                cut_jpeg[..cut_jpeg.len() * 2 / 3].to_vec(),
                "truncated JPEG: the file ends before its end-of-image marker",
            ),
            (
                "cut.png",
                cut_png[..cut_png.len() * 2 / 3].to_vec(),
                "truncated PNG",
            ),
            (
                "icon.png",
                png(15, 40),
                "only 15×40 pixels: at least 16 on each side",
            ),
            ("sliver.jpg", jpeg(300, 12), "only 300×12 pixels"),
            (
                "bomb.png",
                png_claiming(100_000, 100_000),
                "the header claims 100000×100000 pixels (10000 megapixels), more than the \
                 limit of 100 megapixels: refused before decoding",
            ),
            (
                "just-over.png",
                png_claiming(10_001, 10_000),
                "more than the limit of 100 megapixels",
            ),
            ("wide.png", png(12_000, 40), ""),
        ];
        for reader in [COMMAND_LINE, PAGE] {
            for (name, bytes, words) in &cases {
                let got = decode(bytes, Some(name), &reader);
                if words.is_empty() {
                    assert!(got.is_ok(), "{name} for {}: {:?}", reader.name, got.err());
                } else {
                    let e = got.unwrap_err();
                    assert!(e.contains(words), "{name} for {}: {e}", reader.name);
                }
            }
        }
    }

    #[test]
    fn each_reader_names_the_formats_it_reads() {
        let gif = encoded(
            DynamicImage::ImageRgb8(image::RgbImage::new(20, 20)),
            ImageFormat::Gif,
        );
        assert!(decode(&gif, None, &COMMAND_LINE).is_ok());
        assert_eq!(
            decode(&gif, None, &PAGE).unwrap_err(),
            "GIF image, a format the page cannot read (JPEG, PNG)"
        );
        let junk = [0u8, 159, 146, 150, 1, 2, 3];
        assert_eq!(
            decode(&junk, Some("junk.png"), &COMMAND_LINE).unwrap_err(),
            "not an image in a format spectra reads (JPEG, PNG, GIF, WebP, BMP, TIFF) \
             (despite its .png name)"
        );
        assert_eq!(
            decode(&junk, None, &PAGE).unwrap_err(),
            "not an image in a format the page reads (JPEG, PNG)"
        );
        // The format comes from the bytes: a JPEG named .png is read as the JPEG it is.
        assert!(decode(&jpeg(32, 32), Some("photo.png"), &PAGE).is_ok());
    }
}

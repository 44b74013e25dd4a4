//! A photo's bytes (JPEG or PNG, as the reader dropped them or as embedded in the page) to the
//! book's format: short side 320, centre crop, green channel, values in [−1, 1].
//!
//! Decoding uses the `image` crate, like `bookkit::data`, so an embedded photo has the same pixels
//! in the page as in the static figures; resizing is the core's [`spectral::resample`], the very
//! code `bookkit::data` calls. What is here is only the glue between the two, mirroring
//! `bookkit::data`'s loader step for step (8-bit RGB read straight from the buffer, anything else
//! through `to_rgb32f`); a native test checks it against `bookkit::data::load_channel` bit for bit.
//!
//! A page has far less memory than a command line, and a reader can drop anything on the widget,
//! so every refusal is a sentence the widget shows, never a panic.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use spectral::Field;
use spectral::resample::{append_unit_channel, square_crop};

/// Side of the book's square photos (Imagenette-320's).
pub const BOOK_SIZE: usize = 320;

/// The smallest side accepted: the same floor as the book's loader (`bookkit::data::MIN_SIDE`);
/// below it a spectrum has too few radii to mean anything.
pub const MIN_SIDE: u32 = 16;

/// The largest side the page accepts. A 10,000 × 10,000 photo already takes 300 MB decoded, which
/// a browser tab may not have; `spectra` on the command line takes larger ones.
pub const MAX_SIDE: u32 = 10_000;

/// The largest file the page reads (50 MB): a photo is rarely a tenth of it.
pub const MAX_BYTES: usize = 50 << 20;

/// The green channel of a JPEG or PNG, prepared as the book prepares photos, or the reason the
/// bytes cannot be used, in a sentence for the reader.
pub fn prepare_green(bytes: &[u8]) -> Result<Field, String> {
    let image = decode(bytes)?;
    Ok(green_field(&image, BOOK_SIZE))
}

/// Decodes JPEG or PNG bytes after checking what they are and how large they claim to be.
pub fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "the file is {:.0} MB; the page takes images up to {} MB",
            bytes.len() as f64 / (1 << 20) as f64,
            MAX_BYTES >> 20
        ));
    }
    let format = sniff(bytes)?;
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| format!("this {} cannot be read: {e}", name(format)))?;
    check_size(w, h)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| format!("this {} cannot be decoded: {e}", name(format)))
}

/// JPEG or PNG, told by the first bytes (a file's name says nothing reliable).
fn sniff(bytes: &[u8]) -> Result<ImageFormat, String> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageFormat::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(ImageFormat::Png);
    }
    let other = match image::guess_format(bytes) {
        Ok(f) => format!("a {} image", name(f)),
        Err(_) if looks_like_text(bytes) => "a text file".to_string(),
        Err(_) => "not an image".to_string(),
    };
    Err(format!(
        "this is {other}: the page reads JPEG and PNG photos"
    ))
}

fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    std::str::from_utf8(head).is_ok() && !head.contains(&0)
}

fn name(format: ImageFormat) -> &'static str {
    format.extensions_str().first().copied().unwrap_or("image")
}

fn check_size(w: u32, h: u32) -> Result<(), String> {
    if w.min(h) < MIN_SIDE {
        return Err(format!(
            "the image is {w} × {h} pixels; a spectrum needs at least {MIN_SIDE} pixels a side"
        ));
    }
    if w.max(h) > MAX_SIDE {
        return Err(format!(
            "the image is {w} × {h} pixels; the page takes up to {MAX_SIDE} pixels a side \
             (the `spectra` command takes larger ones)"
        ));
    }
    Ok(())
}

/// Channel 1 (green) resized and centre-cropped to `n × n`, scaled to [−1, 1]: the steps of
/// `bookkit::data`'s loader (`Decoded::field` with `Preprocess::SquareCrop(n)`).
pub fn green_field(image: &DynamicImage, n: usize) -> Field {
    const GREEN: usize = 1;
    let (w, h) = (image.width() as usize, image.height() as usize);
    let plane = match image {
        // 8-bit RGB, the usual JPEG: only the pixels the crop needs, `v as f32 / 255`.
        DynamicImage::ImageRgb8(rgb) => square_crop(w, h, n, |rows, cols| {
            let mut out = Vec::with_capacity(rows.len() * cols.len());
            for y in rows {
                let at = (y * w + cols.start) * 3..(y * w + cols.end) * 3;
                append_unit_channel(&rgb.as_raw()[at], GREEN, &mut out);
            }
            out
        }),
        // Grey, alpha, 16-bit…: through `image`'s own conversion, as the book does.
        other => {
            let rgb = other.to_rgb32f();
            square_crop(w, h, n, |rows, cols| {
                let mut out = Vec::with_capacity(rows.len() * cols.len());
                for y in rows {
                    let at = (y * w + cols.start) * 3..(y * w + cols.end) * 3;
                    out.extend(rgb.as_raw()[at].chunks_exact(3).map(|p| p[GREEN]));
                }
                out
            })
        }
    };
    let values = plane
        .into_iter()
        .map(|v| 2.0 * f64::from(v) - 1.0)
        .collect();
    Field::from_shape_vec((n, n), values).expect("one value per pixel")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::data::{Channel, Preprocess, default_images_dir, load_channel};
    use image::{Rgba, RgbaImage};

    #[test]
    fn embedded_photos_are_prepared_bit_for_bit_as_the_book_prepares_them() {
        for name in bookkit::data::FEATURED {
            let path = default_images_dir().join(name);
            let ours = prepare_green(&std::fs::read(&path).unwrap()).unwrap();
            let book = load_channel(&path, Preprocess::default(), Channel::Green).unwrap();
            assert_eq!(ours.dim(), (320, 320));
            assert!(
                ours.iter()
                    .zip(&book)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{name}: the page's preparation differs from the book's"
            );
        }
    }

    #[test]
    fn a_png_with_alpha_takes_the_conversion_path_and_still_matches() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alpha.png");
        let img = RgbaImage::from_fn(500, 340, |x, y| {
            Rgba([(x % 256) as u8, ((x * y) % 251) as u8, (y % 256) as u8, 200])
        });
        img.save(&path).unwrap();
        let ours = prepare_green(&std::fs::read(&path).unwrap()).unwrap();
        let book = load_channel(&path, Preprocess::default(), Channel::Green).unwrap();
        assert!(
            ours.iter()
                .zip(&book)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        DynamicImage::ImageRgb8(image::RgbImage::new(w, h))
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .unwrap();
        bytes
    }

    #[test]
    fn bad_files_are_refused_with_a_sentence() {
        let text = prepare_green(b"hello, this is not a photo\n").unwrap_err();
        assert!(text.contains("text file"), "{text}");
        let one = prepare_green(&png(1, 1)).unwrap_err();
        assert!(
            one.contains("1 × 1") && one.contains("at least 16"),
            "{one}"
        );
        let wide = prepare_green(&png(12_000, 20)).unwrap_err();
        assert!(
            wide.contains("12000 × 20") && wide.contains("up to 10000"),
            "{wide}"
        );
        let cut = std::fs::read(default_images_dir().join("coffee-cup.jpg")).unwrap();
        let _ = prepare_green(&cut[..cut.len() / 3]); // truncated: an answer either way, no panic
        assert!(prepare_green(&[]).unwrap_err().contains("empty"));
        let gif = prepare_green(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap_err();
        assert!(gif.contains("gif") || gif.contains("not an image"), "{gif}");
    }
}

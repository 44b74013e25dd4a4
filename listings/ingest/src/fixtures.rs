//! Bad files for tests, made in memory: the few bytes of a decompression bomb, a WAV header
//! claiming an impossible rate or length. Shared by this crate's tests, the page's and `spectra`'s
//! (feature `fixtures`), so each kind of bad file is made one way.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};

/// An image encoded in `format`.
pub fn encoded(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format)
        .expect("encoding to memory");
    out
}

/// A `w × h` JPEG of a smooth pattern.
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 7]));
    encoded(DynamicImage::ImageRgb8(img), ImageFormat::Jpeg)
}

/// A `w × h` PNG of a smooth pattern.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| image::Rgb([y as u8, x as u8, 9]));
    encoded(DynamicImage::ImageRgb8(img), ImageFormat::Png)
}

/// A valid PNG whose header then claims `w × h` (its checksum fixed, so only the size is wrong):
/// the few bytes of a decompression bomb.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = png(16, 16);
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// The CRC-32 of PNG chunks (and zip, and gzip).
fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |mut c, b| {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
        c
    })
}

/// A WAV file of 16-bit samples, interleaved, written by `hound`.
pub fn wav16(rate: u32, channels: u16, samples: impl IntoIterator<Item = i16>) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut bytes = Vec::new();
    let mut w = hound::WavWriter::new(Cursor::new(&mut bytes), spec).expect("a WAV header");
    for s in samples {
        w.write_sample(s).expect("writing to memory");
    }
    w.finalize().expect("writing to memory");
    bytes
}

/// Two seconds of a tone at 22,050 Hz, mono.
pub fn tone() -> Vec<u8> {
    wav16(
        22_050,
        1,
        (0..44_100).map(|i| ((i % 50) * 400 - 10_000) as i16),
    )
}

/// A WAV file's bytes with the sample rate its header states overwritten (and the byte rate that
/// must agree with it, so the header stays well-formed).
pub fn with_sample_rate(mut wav: Vec<u8>, rate: u32) -> Vec<u8> {
    // The fmt chunk starts at 12: its id (4), size (4), format (2), channels (2), the rate (4),
    // the bytes per second (4) and the bytes per frame (2).
    let frame = u32::from(u16::from_le_bytes([wav[32], wav[33]]));
    wav[24..28].copy_from_slice(&rate.to_le_bytes());
    wav[28..32].copy_from_slice(&rate.wrapping_mul(frame).to_le_bytes());
    wav
}

/// A WAV file's bytes with the length of its `data` chunk overwritten (keep it a whole number of
/// frames, or the header is ill-formed for another reason).
pub fn with_data_length(mut wav: Vec<u8>, bytes: u32) -> Vec<u8> {
    let at = wav
        .windows(4)
        .position(|w| w == b"data")
        .expect("a data chunk")
        + 4;
    wav[at..at + 4].copy_from_slice(&bytes.to_le_bytes());
    wav
}

//! A proposed faster loader: the same numbers as `bookkit::data::load_photo(path,
//! Preprocess::SquareCrop(n))?.channel(channel)`, bit for bit, in a fraction of the time.
//!
//! The profile of `spectra fit` shows about 60% of its time in `image::imageops::resize`: the
//! book's preparation resizes all three channels of the whole photo with Lanczos-3 in `f32`, then
//! crops the centre square and keeps one channel. `image`'s resampler is generic: it goes through
//! four-channel pixels with `get_pixel`/`put_pixel`, runs its vertical pass down columns (a cache
//! miss per tap), and computes rows and columns the crop then throws away.
//!
//! This loader does the same arithmetic in the same order (same weights, same `f32` sums tap by
//! tap, same clamping to [0, 1]) but only for the one channel asked for and only for the rows and
//! columns the centre crop keeps, over contiguous memory so the compiler vectorises it. Its output
//! is identical to bookkit's (tested below), so moving it into `bookkit::data` would change no
//! number in the book.

use std::ops::Range;
use std::path::Path;

use anyhow::{Context, Result};
use bookkit::data::Channel;
use image::DynamicImage;
use spectral::Field;

/// One channel of a photo as `f32` in [0, 1], row-major.
struct Plane {
    width: usize,
    height: usize,
    data: Vec<f32>,
}

/// Reads a rectangle (rows, columns) of one channel as `f32` in [0, 1], row-major.
type ReadRegion<'a> = &'a dyn Fn(Range<usize>, Range<usize>) -> Vec<f32>;

/// Decodes `path` and prepares `channel` as the book does: resize so the short side is `n`
/// (Lanczos-3 in `f32`), centre-crop to `n × n`, scale to [−1, 1].
pub fn load_channel(path: &Path, n: u32, channel: Channel) -> Result<Field> {
    let img = image::ImageReader::open(path)
        .with_context(|| format!("{}: cannot open file", path.display()))?
        .with_guessed_format()
        .with_context(|| format!("{}: cannot read file", path.display()))?
        .decode()
        .with_context(|| format!("{}: not a readable JPEG or PNG image", path.display()))?;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let n = n as usize;
    // 8-bit RGB, by far the usual case, is read straight from the decoder's buffer, converting only
    // the pixels the crop needs (`v as f32 / 255`, as `to_rgb32f` does, through a table); anything
    // else goes through `to_rgb32f` first.
    let converted = match &img {
        DynamicImage::ImageRgb8(_) => None,
        other => Some(other.to_rgb32f()),
    };
    let table: [f32; 256] = std::array::from_fn(|v| v as f32 / 255.0);
    let prepare = |c: usize| {
        let read = |rows: Range<usize>, cols: Range<usize>| -> Vec<f32> {
            let mut out = Vec::with_capacity(rows.len() * cols.len());
            for y in rows {
                let at = (y * w + cols.start) * 3 + c..(y * w + cols.end) * 3;
                match (&img, &converted) {
                    (_, Some(f)) => out.extend(f.as_raw()[at].iter().step_by(3)),
                    (DynamicImage::ImageRgb8(rgb), None) => out.extend(
                        rgb.as_raw()[at]
                            .iter()
                            .step_by(3)
                            .map(|v| table[*v as usize]),
                    ),
                    _ => unreachable!("non-RGB8 images are converted first"),
                }
            }
            out
        };
        to_field(&square_crop(w, h, n, &read))
    };
    Ok(match channel {
        Channel::Red => prepare(0),
        Channel::Green => prepare(1),
        Channel::Blue => prepare(2),
        // Luma of the resized channels, in f64 as `Photo::channel` computes it.
        Channel::Gray => 0.299 * &prepare(0) + 0.587 * &prepare(1) + 0.114 * &prepare(2),
    })
}

/// `bookkit::data::prepare`'s geometry: resize target (w, h) and crop offsets (left, top).
fn geometry(w: usize, h: usize, n: usize) -> ((usize, usize), (usize, usize)) {
    let scale = n as f64 / w.min(h) as f64;
    let nw = ((w as f64 * scale).round() as usize).max(n);
    let nh = ((h as f64 * scale).round() as usize).max(n);
    ((nw, nh), ((nw - n) / 2, (nh - n) / 2))
}

/// Input indices and normalised weights of one output sample, as `image`'s resampler computes
/// them (`image::imageops::sample`, `vertical_sample` and `horizontal_sample`).
struct Taps {
    first: usize,
    weights: Vec<f32>,
}

fn lanczos3(x: f32) -> f32 {
    let sinc = |t: f32| {
        let a = t * std::f32::consts::PI;
        if t == 0.0 { 1.0 } else { a.sin() / a }
    };
    if x.abs() < 3.0 {
        sinc(x) * sinc(x / 3.0)
    } else {
        0.0
    }
}

fn taps(input: usize, output: usize, kept: Range<usize>) -> Vec<Taps> {
    let ratio = input as f32 / output as f32;
    let sratio = if ratio < 1.0 { 1.0 } else { ratio };
    let support = 3.0 * sratio;
    kept.map(|out| {
        let centre = (out as f32 + 0.5) * ratio;
        let left = ((centre - support).floor() as i64).clamp(0, input as i64 - 1);
        let right = ((centre + support).ceil() as i64).clamp(left + 1, input as i64);
        let centre = centre - 0.5;
        let mut weights: Vec<f32> = (left..right)
            .map(|i| lanczos3((i as f32 - centre) / sratio))
            .collect();
        let sum: f32 = weights.iter().fold(0.0, |s, w| s + w);
        weights.iter_mut().for_each(|w| *w /= sum);
        Taps {
            first: left as usize,
            weights,
        }
    })
    .collect()
}

/// Resize a `w × h` channel to the book's geometry and centre-crop to `n × n`, computing only the
/// kept samples from only the pixels they read. Like `image`, the vertical pass runs first
/// (unclamped), then the horizontal one (clamped to [0, 1]); every output sums its taps in the
/// same order, so the result is bit-identical.
fn square_crop(w: usize, h: usize, n: usize, read: ReadRegion<'_>) -> Plane {
    let ((nw, nh), (left, top)) = geometry(w, h, n);
    if (nw, nh) == (w, h) {
        return Plane {
            width: n,
            height: n,
            data: read(top..top + n, left..left + n),
        };
    }
    let rows = taps(h, nh, top..top + n);
    let cols = taps(w, nw, left..left + n);
    // The input rectangle the kept outputs read.
    let span_of = |t: &[Taps]| {
        let lo = t.iter().map(|t| t.first).min().unwrap_or(0);
        let hi = t
            .iter()
            .map(|t| t.first + t.weights.len())
            .max()
            .unwrap_or(0);
        lo..hi
    };
    let (row_span, col_span) = (span_of(&rows), span_of(&cols));
    let (top_in, lo, span) = (row_span.start, col_span.start, col_span.len());
    let p = Plane {
        width: span,
        height: row_span.len(),
        data: read(row_span, col_span),
    };
    // Vertical pass, stored transposed (column-major), so that the horizontal pass also runs
    // over contiguous memory.
    let mut transposed = vec![0.0f32; span * n];
    let mut acc = vec![0.0f32; span];
    for (y, t) in rows.iter().enumerate() {
        acc.iter_mut().for_each(|a| *a = 0.0);
        for (k, w) in t.weights.iter().enumerate() {
            let start = (t.first + k - top_in) * p.width;
            for (a, v) in acc.iter_mut().zip(&p.data[start..start + span]) {
                *a += *v * w;
            }
        }
        for (x, a) in acc.iter().enumerate() {
            transposed[x * n + y] = *a;
        }
    }
    // Horizontal pass: one output column at a time, all n rows at once.
    let mut data = vec![0.0f32; n * n];
    let mut column = vec![0.0f32; n];
    for (x, t) in cols.iter().enumerate() {
        column.iter_mut().for_each(|a| *a = 0.0);
        for (k, w) in t.weights.iter().enumerate() {
            let start = (t.first + k - lo) * n;
            for (a, v) in column.iter_mut().zip(&transposed[start..start + n]) {
                *a += *v * w;
            }
        }
        for (y, a) in column.iter().enumerate() {
            data[y * n + x] = a.clamp(0.0, 1.0);
        }
    }
    Plane {
        width: n,
        height: n,
        data,
    }
}

/// [0, 1] to [−1, 1] in `f64`, as `Photo::from_rgb32f` does.
fn to_field(p: &Plane) -> Field {
    let values = p.data.iter().map(|v| 2.0 * f64::from(*v) - 1.0).collect();
    Field::from_shape_vec((p.height, p.width), values).expect("a plane holds height × width values")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::data::{Preprocess, default_images_dir, image_files, load_photo};
    use image::{Rgb, RgbImage};

    /// Bit-for-bit equality with the book's loader, or the first differing pixel.
    fn assert_same(path: &Path, n: u32, channel: Channel) {
        let want = load_photo(path, Preprocess::SquareCrop(n))
            .unwrap()
            .channel(channel);
        let got = load_channel(path, n, channel).unwrap();
        assert_eq!(got.dim(), want.dim(), "{}", path.display());
        if let Some(((i, j), (a, b))) = got
            .indexed_iter()
            .zip(want.iter())
            .map(|((ij, a), b)| (ij, (*a, *b)))
            .find(|(_, (a, b))| a.to_bits() != b.to_bits())
        {
            panic!("{} {channel:?} at [{i}, {j}]: {a} vs {b}", path.display());
        }
    }

    #[test]
    fn every_embedded_photo_matches_the_book_loader_bit_for_bit() {
        // Landscape, portrait, grey-scale and smaller-than-320 photos are all among them.
        for path in image_files(&[default_images_dir()]).unwrap() {
            assert_same(&path, 320, Channel::Green);
        }
    }

    #[test]
    fn other_channels_sizes_and_upscaling_match_too() {
        let dir = tempfile::tempdir().unwrap();
        let photo = image::open(default_images_dir().join("coffee-cup.jpg")).unwrap();
        let cases: [(u32, u32); 5] = [(600, 400), (333, 517), (320, 320), (200, 150), (641, 320)];
        for (k, (w, h)) in cases.into_iter().enumerate() {
            let img = photo.resize_exact(w, h, image::imageops::FilterType::Triangle);
            let path = dir.path().join(format!("{k}.png"));
            img.to_rgb8().save(&path).unwrap();
            for channel in [Channel::Red, Channel::Green, Channel::Blue, Channel::Gray] {
                assert_same(&path, 320, channel);
            }
            assert_same(&path, 64, Channel::Green);
        }
    }

    #[test]
    fn overshoot_is_clamped_like_the_book_loader() {
        // A sharp edge makes Lanczos ring beyond [0, 1]; both loaders must clamp identically.
        let dir = tempfile::tempdir().unwrap();
        let img = RgbImage::from_fn(900, 700, |x, y| {
            if (x / 7 + y / 5) % 2 == 0 {
                Rgb([255, 255, 255])
            } else {
                Rgb([0, 0, 0])
            }
        });
        let path = dir.path().join("edges.png");
        img.save(&path).unwrap();
        assert_same(&path, 320, Channel::Green);
    }
}

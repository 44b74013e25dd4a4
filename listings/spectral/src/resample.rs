//! The book's preparation of a photo, done fast: Lanczos-3 resize so the short side is `n`, then
//! centre-crop to `n × n`, one channel at a time.
//!
//! It lives in the core, not in `bookkit` beside the decoder, because it is pure arithmetic on
//! pixel values and the in-page figures (`listings/live`, compiled to WebAssembly) must prepare a
//! reader's photo exactly as the book does: one implementation, used natively by
//! `bookkit::data` (which re-exports this module as `bookkit::data::resample`) and in the browser.
//! The x86 vector builds below are behind `cfg(target_arch = "x86_64")`; elsewhere (WebAssembly
//! included) the portable build runs, and the tests show all builds give the same bits.
//!
//! Why not simply `image::imageops::resize` and `crop_imm`? That is what the book first did, and
//! it cost about 60% of `spectra fit`'s time (measured with `perf`, see the performance
//! appendix): the generic resampler goes through four-channel pixels with `get_pixel`, runs its
//! vertical pass down columns (a cache miss per tap) and computes every row and column that the
//! crop then throws away.
//!
//! This module does the same arithmetic in the same order (the same weights, the same `f32` sums
//! tap by tap, the same clamping to [0, 1]) but only for the samples the centre crop keeps, from
//! only the pixels they read, over contiguous memory that the compiler vectorises. The tests
//! compare it with `image`'s resampler bit for bit, so no number in the book depends on which of
//! the two ran.

use std::ops::Range;

/// The geometry of the book's preparation of a `w × h` image to `n × n`: the resize target
/// `(nw, nh)` (short side `n`, long side rounded, never below `n`) and the crop's top-left corner.
pub fn geometry(w: usize, h: usize, n: usize) -> ((usize, usize), (usize, usize)) {
    let scale = n as f64 / w.min(h) as f64;
    let nw = ((w as f64 * scale).round() as usize).max(n);
    let nh = ((h as f64 * scale).round() as usize).max(n);
    ((nw, nh), ((nw - n) / 2, (nh - n) / 2))
}

/// Input indices and normalised weights of one output sample, as `image`'s resampler computes
/// them (`image::imageops::sample`: `vertical_sample` and `horizontal_sample`).
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

/// The taps of the outputs `kept` when `input` samples are resized to `output`.
fn taps(input: usize, output: usize, kept: Range<usize>) -> Vec<Taps> {
    let ratio = input as f32 / output as f32;
    // Downscaling widens the kernel by the ratio (it then also low-passes); upscaling does not.
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

/// The input indices a set of taps reads.
fn span(taps: &[Taps]) -> Range<usize> {
    let lo = taps.iter().map(|t| t.first).min().unwrap_or(0);
    let hi = taps
        .iter()
        .map(|t| t.first + t.weights.len())
        .max()
        .unwrap_or(0);
    lo..hi
}

/// Resizes one `w × h` channel to the book's geometry and centre-crops it to `n × n`, returning
/// the `n²` kept samples row-major. `read(rows, cols)` must return that rectangle of the channel
/// in [0, 1], row-major; it is called once, for just the pixels the kept samples need.
///
/// Like `image`, the vertical pass runs first (unclamped), then the horizontal one (clamped to
/// [0, 1]); every output sums its taps in the same order, so the result is bit-identical.
pub fn square_crop(
    w: usize,
    h: usize,
    n: usize,
    read: impl FnOnce(Range<usize>, Range<usize>) -> Vec<f32>,
) -> Vec<f32> {
    square_crop_with(Isa::best(), w, h, n, read)
}

/// [`square_crop`] with the passes built for `isa` (the tests run every one the machine has).
fn square_crop_with(
    isa: Isa,
    w: usize,
    h: usize,
    n: usize,
    read: impl FnOnce(Range<usize>, Range<usize>) -> Vec<f32>,
) -> Vec<f32> {
    let ((nw, nh), (left, top)) = geometry(w, h, n);
    if (nw, nh) == (w, h) {
        // Already the right size: `image` skips the resize, and so do we.
        return read(top..top + n, left..left + n);
    }
    let rows = taps(h, nh, top..top + n);
    let cols = taps(w, nw, left..left + n);
    let (row_span, col_span) = (span(&rows), span(&cols));
    let (top_in, left_in, width) = (row_span.start, col_span.start, col_span.len());
    let pixels = read(row_span, col_span);
    let transposed = vertical_pass(isa, &rows, &pixels, top_in, width, n);
    horizontal_pass(isa, &cols, &transposed, left_in, n)
}

/// `out[i] = Σₖ weights[k] · src[(first + k) · stride + i]`, summed tap by tap from zero as
/// `image` does: the one loop all of the resizing time goes into. Outputs are summed [`LANES`] at
/// a time in registers through all the taps (no load and store of each partial sum per tap, and
/// enough independent sums to hide the adder's latency), the rest 8 and then 1 at a time.
#[inline(always)]
fn weighted_rows(out: &mut [f32], src: &[f32], stride: usize, first: usize, weights: &[f32]) {
    let done = weighted_chunks::<LANES>(out, src, stride, first, weights, 0);
    let done = weighted_chunks::<8>(out, src, stride, first, weights, done);
    weighted_chunks::<1>(out, src, stride, first, weights, done);
}

/// [`weighted_rows`] for the whole chunks of `L` outputs from `from` on; returns where they end.
#[inline(always)]
fn weighted_chunks<const L: usize>(
    out: &mut [f32],
    src: &[f32],
    stride: usize,
    first: usize,
    weights: &[f32],
    from: usize,
) -> usize {
    let end = from + (out.len() - from) / L * L;
    for (start, chunk) in (from..end)
        .step_by(L)
        .zip(out[from..end].chunks_exact_mut(L))
    {
        let mut sum = [0.0f32; L];
        for (k, w) in weights.iter().enumerate() {
            let at = (first + k) * stride + start;
            let row: &[f32; L] = src[at..at + L].try_into().expect("L values");
            for (s, v) in sum.iter_mut().zip(row) {
                *s += *v * w;
            }
        }
        chunk.copy_from_slice(&sum);
    }
    end
}

/// Outputs summed together in registers by [`weighted_rows`]: eight AVX2 registers' worth, or
/// four AVX-512 ones.
const LANES: usize = 64;

/// The vector instruction sets the passes are built for, chosen at run time: the portable build
/// (SSE2 on x86-64, 4 lanes), AVX2 (8 lanes) and AVX-512 (16 lanes). The arithmetic is the same in
/// all of them: separate multiplies and adds (Rust never fuses them), in the same order, so the
/// results are the same bits whichever runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// Elsewhere than x86-64 (WebAssembly) only the portable build exists.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
enum Isa {
    Portable,
    Avx2,
    Avx512,
}

impl Isa {
    /// Every instruction set this processor runs, portable first.
    #[cfg(test)]
    fn available() -> Vec<Isa> {
        let mut isas = vec![Isa::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                isas.push(Isa::Avx2);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                isas.push(Isa::Avx512);
            }
        }
        isas
    }

    /// The widest instruction set this processor runs (detected once, then cached by `std`).
    fn best() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Portable
    }
}

/// Defines `$pass(isa, args…)`, which runs `$portable(args…)` compiled for `isa`.
macro_rules! for_isa {
    ($pass:ident, $portable:ident ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        fn $pass(isa: Isa, $($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn avx512($($arg: $ty),*) -> $ret {
                    $portable($($arg),*)
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) -> $ret {
                    $portable($($arg),*)
                }
                // SAFETY: each vector build runs only after detection confirms, here at the call,
                // that this processor has its instruction set (std caches the detection, so the
                // check is one load). A token naming an instruction set the processor lacks falls
                // through to the portable build instead of executing unsupported instructions.
                match isa {
                    Isa::Avx512 if std::arch::is_x86_feature_detected!("avx512f") => {
                        return unsafe { avx512($($arg),*) }
                    }
                    Isa::Avx2 if std::arch::is_x86_feature_detected!("avx2") => {
                        return unsafe { avx2($($arg),*) }
                    }
                    _ => {}
                }
            }
            let _ = isa;
            $portable($($arg),*)
        }
    };
}

for_isa!(vertical_pass, vertical_portable(
    rows: &[Taps], pixels: &[f32], top_in: usize, width: usize, n: usize) -> Vec<f32>);
for_isa!(horizontal_pass, horizontal_portable(
    cols: &[Taps], transposed: &[f32], left_in: usize, n: usize) -> Vec<f32>);
for_isa!(unit_channel, unit_channel_portable(rgb: &[u8], c: usize, out: &mut Vec<f32>) -> ());

/// Appends channel `c` of 8-bit interleaved RGB pixels as `v as f32 / 255`, exactly what
/// `image`'s `to_rgb32f` computes (a true division, not a multiplication by 1/255, which differs in
/// the last bit for some values). The vector builds divide 8 or 16 values at a time.
#[inline(always)]
fn unit_channel_portable(rgb: &[u8], c: usize, out: &mut Vec<f32>) {
    // `chunks_exact` over whole pixels, not `step_by(3)`: it compiles to a plain loop.
    out.extend(rgb.chunks_exact(3).map(|p| f32::from(p[c]) / 255.0));
}

/// Channel `c` (0, 1 or 2) of 8-bit interleaved RGB pixels, appended to `out` in [0, 1].
pub fn append_unit_channel(rgb: &[u8], c: usize, out: &mut Vec<f32>) {
    assert!(c < 3, "RGB has channels 0, 1 and 2");
    unit_channel(Isa::best(), rgb, c, out)
}

/// Output rows (vertical pass) or columns (horizontal pass) computed together, so that the
/// transposing stores write `BLOCK` adjacent values instead of one value per cache line.
const BLOCK: usize = 8;

/// The vertical pass over the `width` input columns, stored transposed (column-major) so the
/// horizontal pass also runs over contiguous memory.
#[inline(always)]
fn vertical_portable(
    rows: &[Taps],
    pixels: &[f32],
    top_in: usize,
    width: usize,
    n: usize,
) -> Vec<f32> {
    let mut transposed = vec![0.0f32; width * n];
    let mut acc = vec![0.0f32; BLOCK * width];
    for (b, block) in rows.chunks(BLOCK).enumerate() {
        for (t, acc) in block.iter().zip(acc.chunks_exact_mut(width)) {
            weighted_rows(acc, pixels, width, t.first - top_in, &t.weights);
        }
        transpose(
            &acc,
            width,
            block.len(),
            width,
            &mut transposed[b * BLOCK..],
            n,
            |v| v,
        );
    }
    transposed
}

/// The horizontal pass, [`BLOCK`] output columns at a time, all `n` rows at once, clamped to
/// [0, 1].
#[inline(always)]
fn horizontal_portable(cols: &[Taps], transposed: &[f32], left_in: usize, n: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; n * n];
    let mut acc = vec![0.0f32; BLOCK * n];
    for (b, block) in cols.chunks(BLOCK).enumerate() {
        for (t, column) in block.iter().zip(acc.chunks_exact_mut(n)) {
            weighted_rows(column, transposed, n, t.first - left_in, &t.weights);
        }
        transpose(&acc, n, block.len(), n, &mut out[b * BLOCK..], n, |v| {
            v.clamp(0.0, 1.0)
        });
    }
    out
}

/// `dst[x · dst_stride + j] = f(src[j · src_stride + x])` for the `rows × cols` block of `src`
/// (`rows ≤ 8`): full 8 × 8 tiles go through registers (the compiler turns the fixed-size
/// arrays into shuffles), instead of a strided load or store per value.
#[inline(always)]
fn transpose(
    src: &[f32],
    src_stride: usize,
    rows: usize,
    cols: usize,
    dst: &mut [f32],
    dst_stride: usize,
    f: impl Fn(f32) -> f32,
) {
    let tiled = if rows == 8 { cols - cols % 8 } else { 0 };
    for x in (0..tiled).step_by(8) {
        let tile: [[f32; 8]; 8] = std::array::from_fn(|j| {
            let at = j * src_stride + x;
            src[at..at + 8].try_into().expect("8 values")
        });
        for (i, at) in (x..x + 8).map(|c| c * dst_stride).enumerate() {
            let column: &mut [f32; 8] = (&mut dst[at..at + 8]).try_into().expect("8 values");
            *column = std::array::from_fn(|j| f(tile[j][i]));
        }
    }
    for x in tiled..cols {
        for j in 0..rows {
            dst[x * dst_stride + j] = f(src[j * src_stride + x]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::imageops::{self, FilterType};
    use image::{Rgb, Rgb32FImage, RgbImage};

    /// The reference: `image`'s own resampler on all three channels of the whole image, then the
    /// crop, as the book computed it before this module existed.
    fn reference(img: &Rgb32FImage, n: u32) -> Rgb32FImage {
        let (w, h) = img.dimensions();
        let ((nw, nh), (left, top)) = geometry(w as usize, h as usize, n as usize);
        let resized = if (nw, nh) == (w as usize, h as usize) {
            img.clone()
        } else {
            imageops::resize(img, nw as u32, nh as u32, FilterType::Lanczos3)
        };
        imageops::crop_imm(&resized, left as u32, top as u32, n, n).to_image()
    }

    /// The instruction sets a bit-exactness test compares, printed so that a test log says which
    /// builds were covered on this machine (`cargo test -- --nocapture` shows it).
    fn covered() -> Vec<Isa> {
        let isas = Isa::available();
        println!("instruction sets compared with the reference: {isas:?}");
        isas
    }

    fn assert_bit_identical(img: &Rgb32FImage, n: u32, what: &str) {
        let want = reference(img, n);
        let (w, h) = (img.width() as usize, img.height() as usize);
        for (isa, c) in covered()
            .into_iter()
            .flat_map(|i| (0..3).map(move |c| (i, c)))
        {
            let got = square_crop_with(isa, w, h, n as usize, |rows, cols| {
                rows.flat_map(|y| cols.clone().map(move |x| (x, y)))
                    .map(|(x, y)| img.get_pixel(x as u32, y as u32)[c])
                    .collect()
            });
            for (k, (g, p)) in got.iter().zip(want.pixels()).enumerate() {
                assert!(
                    g.to_bits() == p[c].to_bits(),
                    "{what} ({w}×{h} → {n}, {isa:?}) channel {c} at [{}, {}]: {g} vs {}",
                    k / n as usize,
                    k % n as usize,
                    p[c]
                );
            }
        }
    }

    /// A deterministic textured image (random pixels with a gradient), so every tap matters.
    fn textured(w: u32, h: u32) -> Rgb32FImage {
        let mut s = 11u32;
        let img = RgbImage::from_fn(w, h, |x, y| {
            s = s.wrapping_mul(1664525).wrapping_add(1013904223);
            let base = ((x + 2 * y) % 256) as u8;
            Rgb([
                base,
                (s >> 24) as u8,
                base.wrapping_add((s >> 16) as u8 / 4),
            ])
        });
        image::DynamicImage::ImageRgb8(img).to_rgb32f()
    }

    #[test]
    fn equals_image_resize_then_crop_for_down_and_up_scaling() {
        // Sizes that are not multiples of 8 or 32 exercise the tails of `transpose` and
        // `weighted_rows`.
        let cases: [(u32, u32, u32); 10] = [
            (600, 400, 320),
            (333, 517, 320),
            (320, 320, 320),
            (200, 150, 320),
            (641, 320, 320),
            (960, 1300, 320),
            (321, 900, 320),
            (97, 61, 32),
            (97, 61, 27),
            (45, 83, 13),
        ];
        for (w, h, n) in cases {
            assert_bit_identical(&textured(w, h), n, "textured");
        }
    }

    #[test]
    fn eight_bit_values_become_what_to_rgb32f_makes_of_them() {
        // Every value in every channel, at every offset within a vector (lengths 0 … 40 pixels).
        let pixels: Vec<u8> = (0..3 * 300).map(|i| (i * 7 % 256) as u8).collect();
        let img = RgbImage::from_raw(300, 1, pixels.clone()).expect("300 pixels");
        let want = image::DynamicImage::ImageRgb8(img).to_rgb32f();
        for isa in covered() {
            for c in 0..3 {
                for len in 0..=40 {
                    let mut got = vec![-1.0];
                    unit_channel(isa, &pixels[..3 * len], c, &mut got);
                    assert_eq!(
                        got.len(),
                        len + 1,
                        "{isa:?}: appends, keeping what was there"
                    );
                    for (x, g) in got[1..].iter().enumerate() {
                        let p = want.get_pixel(x as u32, 0)[c];
                        assert_eq!(g.to_bits(), p.to_bits(), "{isa:?} channel {c} pixel {x}");
                    }
                }
                let mut all = Vec::new();
                unit_channel(isa, &pixels, c, &mut all);
                assert!(
                    all.iter()
                        .zip(want.pixels())
                        .all(|(g, p)| g.to_bits() == p[c].to_bits())
                );
            }
        }
    }

    #[test]
    fn overshoot_is_clamped_like_image() {
        // Sharp edges make Lanczos ring beyond [0, 1]; both must clamp identically.
        let img = RgbImage::from_fn(900, 700, |x, y| {
            if (x / 7 + y / 5) % 2 == 0 {
                Rgb([255; 3])
            } else {
                Rgb([0; 3])
            }
        });
        assert_bit_identical(
            &image::DynamicImage::ImageRgb8(img).to_rgb32f(),
            320,
            "edges",
        );
    }

    #[test]
    fn geometry_keeps_the_short_side_and_centres_the_crop() {
        assert_eq!(geometry(640, 400, 320), ((512, 320), (96, 0)));
        assert_eq!(geometry(400, 640, 320), ((320, 512), (0, 96)));
        assert_eq!(geometry(100, 50, 32), ((64, 32), (16, 0)));
        // A long side that would round below n is kept at n.
        assert_eq!(geometry(321, 320, 320), ((321, 320), (0, 0)));
    }
}

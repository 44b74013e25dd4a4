//! The book's Gaussian model of the photos, carried into the page for the tide widget's x̂₀.
//!
//! The page does not fit the model: it holds only the featured photos, not the book's set, and
//! the estimate must be the one of the chapter "Running diffusion backwards". So the model is
//! `GaussianModel::fit` of `bookkit::data::book_greens()`, computed at build time by
//! `examples/bundle.rs`, which writes [`encode`]'s bytes base64-encoded into `live-assets.js`; the
//! page hands them to [`decode`], and [`crate::tide::Tide::estimate`] calls the book's
//! `spectral::denoise::Wiener` (what `wiener_denoise` computes) with it. No second denoiser, no
//! second fit.
//!
//! The format, chosen for size (the `f64` model of 320 × 320 bins is 800 KB, 1.1 MB as base64):
//!
//! - **half the plane**: the power of a real field's spectrum is even, |X(−k)| = |X(k)|, so only
//!   the columns 0 ..= cols/2 are stored (the layout of a real FFT) and the others are mirrored,
//!   P(i, j) = P((rows − i) mod rows, cols − j). The fitted `f64` model is even up to rounding
//!   (~10⁻¹⁶ of a bin, checked below);
//! - **`f32`, little-endian**: every power rounded to the nearest `f32`, a relative error of at
//!   most 2⁻²⁴ ≈ 6·10⁻⁸ per bin.
//!
//! What that does to the estimate: the Wiener gain g = αP/(α²P + σ²) has
//! d ln g / d ln P = σ²/(α²P + σ²) ∈ [0, 1], so every Fourier coefficient of x̂₀ moves by at most
//! 2⁻²⁴ of itself and, by Parseval, ‖x̂₀[f32] − x̂₀[f64]‖₂ ≤ 2⁻²⁴·‖x̂₀[f64]‖₂. The tests check
//! [`ESTIMATE_TOLERANCE`] on the book's photos: 10⁻⁷ of the estimate's norm, so no pixel moves by
//! more than 10⁻⁷·320·max|x̂₀|, thousands of times less than one grey level (1/127.5).

use spectral::Field;
use spectral::gaussian_model::GaussianModel;

/// The bound the tests hold the shipped model to: ‖x̂₀[shipped] − x̂₀[f64]‖₂ / ‖x̂₀[f64]‖₂.
/// 2⁻²⁴ from the `f32` rounding (see the module docs), rounded up for the `f64` arithmetic.
pub const ESTIMATE_TOLERANCE: f64 = 1e-7;

/// Stored columns of a `rows × cols` model: 0 ..= cols/2.
fn half(cols: usize) -> usize {
    cols / 2 + 1
}

/// The model's powers, columns 0 ..= cols/2 of every row, as `f32` little-endian bytes.
pub fn encode(model: &GaussianModel) -> Vec<u8> {
    let (rows, cols) = model.dim();
    let mut bytes = Vec::with_capacity(rows * half(cols) * 4);
    for i in 0..rows {
        for j in 0..half(cols) {
            // Rounding to the nearest f32 is the documented precision.
            bytes.extend_from_slice(&(model.power[[i, j]] as f32).to_le_bytes());
        }
    }
    bytes
}

/// The model a `rows × cols` [`encode`] wrote, or why the bytes are not one (a sentence for the
/// page: a broken build, never a reader's mistake).
pub fn decode(rows: usize, cols: usize, bytes: &[u8]) -> Result<GaussianModel, String> {
    let stored = rows * half(cols);
    if rows == 0 || cols == 0 || bytes.len() != stored * 4 {
        return Err(format!(
            "the photos' model holds {} bytes, not the {} of a {rows} × {cols} model",
            bytes.len(),
            stored * 4
        ));
    }
    let value = |i: usize, j: usize| {
        let at = (i * half(cols) + j) * 4;
        let b = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        f64::from(f32::from_le_bytes(b))
    };
    let power = Field::from_shape_fn((rows, cols), |(i, j)| {
        if j < half(cols) {
            value(i, j)
        } else {
            value((rows - i) % rows, cols - j)
        }
    });
    if power.iter().any(|p| !p.is_finite() || *p < 0.0) {
        return Err("the photos' model holds a power that is negative or not finite".into());
    }
    Ok(GaussianModel { power })
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::denoise::wiener_denoise;
    use spectral::noise::{gaussian_field, seeded_rng};
    use spectral::schedule::{RectifiedFlow, forward};

    fn book_model() -> GaussianModel {
        GaussianModel::fit(&bookkit::data::book_greens().unwrap()).unwrap()
    }

    fn norm(f: &Field) -> f64 {
        f.iter().map(|v| v * v).sum::<f64>().sqrt()
    }

    #[test]
    fn the_fitted_model_is_even_so_half_the_plane_holds_it() {
        let model = book_model();
        let (rows, cols) = model.dim();
        for ((i, j), p) in model.power.indexed_iter() {
            let mirror = model.power[[(rows - i) % rows, (cols - j) % cols]];
            assert!(
                (p - mirror).abs() <= 1e-12 * p.abs(),
                "({i}, {j}): {p} vs {mirror}"
            );
        }
    }

    #[test]
    fn decoding_gives_every_bin_its_f32_rounding() {
        // An uneven test model (not even in k) would not survive mirroring; an even one built
        // from signed frequencies does, with every stored bin its nearest f32 exactly.
        let (rows, cols) = (6, 9);
        let signed = |k: usize, n: usize| k.min(n - k) as f64;
        let model = GaussianModel {
            power: Field::from_shape_fn((rows, cols), |(i, j)| {
                0.1 + 1e3 / (1.0 + signed(i, rows).powi(2) + 3.0 * signed(j, cols).powi(2))
            }),
        };
        let bytes = encode(&model);
        assert_eq!(bytes.len(), rows * (cols / 2 + 1) * 4);
        let back = decode(rows, cols, &bytes).unwrap();
        for (a, b) in back.power.iter().zip(&model.power) {
            assert_eq!(*a, f64::from(*b as f32));
        }
        assert!(decode(rows, cols + 1, &bytes).is_err());
        assert!(decode(rows, cols, &bytes[4..]).is_err());
        let mut bad = bytes.clone();
        bad[..4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(decode(rows, cols, &bad).is_err());
    }

    #[test]
    fn the_shipped_model_moves_the_estimate_by_less_than_the_tolerance() {
        let model = book_model();
        let shipped = decode(320, 320, &encode(&model)).unwrap();
        let greens = bookkit::data::book_greens().unwrap();
        let eps = gaussian_field(320, 320, 1.0, &mut seeded_rng(11));
        for (x0, t) in [(&greens[0], 0.1), (&greens[7], 0.5), (&greens[20], 0.9)] {
            let x_t = forward(&RectifiedFlow, x0, &eps, t);
            let exact = wiener_denoise(&x_t, &model, &RectifiedFlow, t).unwrap();
            let ours = wiener_denoise(&x_t, &shipped, &RectifiedFlow, t).unwrap();
            let relative = norm(&(&ours - &exact)) / norm(&exact);
            assert!(relative < ESTIMATE_TOLERANCE, "t = {t}: {relative:e}");
            // Not vacuous: the f32 rounding does change the estimate.
            assert!(relative > 0.0);
        }
    }
}

//! The photos as a stationary Gaussian field: one variance per frequency bin, nothing else.
//!
//! A stationary Gaussian field is fully described by its power spectrum P(k): its Fourier
//! coefficients are independent, with variance P(k) (with the book's normalisation, power
//! |X(k)|²/N). The maximum-likelihood estimate of P(k) from a set of fields is the plain (linear)
//! mean of their power in each bin. That is the whole model: no training, and every quantity of a
//! diffusion process built on it has a closed form, which is why the book uses it to run diffusion
//! backwards.
//!
//! Per-bin arrays here are in the *unshifted* layout of [`crate::fft::fft2`] (DC at `[0, 0]`);
//! [`ring_mean`] shifts them before averaging over the RAPSD's rings.

use std::fmt;

use rustfft::num_complex::Complex64;

use crate::Field;
use crate::fft::{Fft2, fftshift};
use crate::spectrum::{RadialBins, Rapsd};

/// Why a model or a denoising request was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    /// No fields to fit a model to.
    NoFields,
    /// A field of another shape than the model's.
    Shape {
        expected: (usize, usize),
        found: (usize, usize),
    },
    /// A time outside [0, 1], or not a number.
    Time(f64),
    /// A field or spectrum with a non-finite value.
    NotFinite,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::NoFields => write!(f, "a Gaussian model needs at least one field"),
            ModelError::Shape { expected, found } => write!(
                f,
                "field is {}×{}, the model is {}×{}",
                found.0, found.1, expected.0, expected.1
            ),
            ModelError::Time(t) => write!(f, "time {t} is outside [0, 1]"),
            ModelError::NotFinite => write!(f, "field holds a value that is not finite"),
        }
    }
}

impl std::error::Error for ModelError {}

// ANCHOR: model
/// A zero-mean stationary Gaussian field, given by the variance P(k) of each Fourier coefficient
/// (power |X(k)|²/N, unshifted layout).
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianModel {
    pub power: Field,
}

impl GaussianModel {
    /// The maximum-likelihood model of `fields`: the linear mean of their power in every bin.
    pub fn fit(fields: &[Field]) -> Result<GaussianModel, ModelError> {
        let first = fields.first().ok_or(ModelError::NoFields)?;
        let (rows, cols) = first.dim();
        let fft = Fft2::new(rows, cols);
        let n = (rows * cols) as f64;
        let mut power = Field::zeros((rows, cols));
        for field in fields {
            check_shape((rows, cols), field)?;
            let spectrum = fft.forward(field);
            power.zip_mut_with(&spectrum, |p, z| *p += z.norm_sqr() / n);
        }
        power /= fields.len() as f64;
        if power.iter().any(|p| !p.is_finite()) {
            return Err(ModelError::NotFinite);
        }
        Ok(GaussianModel { power })
    }
    // ANCHOR_END: model

    /// (rows, cols) of the fields the model describes.
    pub fn dim(&self) -> (usize, usize) {
        self.power.dim()
    }

    /// The model's RAPSD: P averaged over each ring, DC included. This is the *linear* mean of
    /// the fields' RAPSDs, not the log-domain mean the post plots (see the module docs).
    pub fn rapsd(&self) -> Rapsd {
        let (rows, cols) = self.dim();
        let bins = RadialBins::new(rows, cols);
        Rapsd {
            frequency: bins.frequencies(),
            power: ring_mean(&bins, &self.power),
        }
    }

    /// One draw from the model: white noise coloured by √P(k).
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Field {
        let (rows, cols) = self.dim();
        let white = crate::noise::gaussian_field(rows, cols, 1.0, rng);
        crate::denoise::SpectralFilter::new(rows, cols).apply(&white, &self.power.mapv(f64::sqrt))
    }
}

/// An error unless `field` has the shape `expected` and only finite values.
pub fn check_shape(expected: (usize, usize), field: &Field) -> Result<(), ModelError> {
    if field.dim() != expected {
        return Err(ModelError::Shape {
            expected,
            found: field.dim(),
        });
    }
    if field.iter().any(|v| !v.is_finite()) {
        return Err(ModelError::NotFinite);
    }
    Ok(())
}

/// The mean of a per-bin quantity (unshifted layout) over each RAPSD ring.
pub fn ring_mean(bins: &RadialBins, per_bin: &Field) -> Vec<f64> {
    bins.average(&fftshift(per_bin))
}

/// The non-overlapping `size × size` tiles of a field, row by row from the top-left corner
/// (leftover rows and columns dropped). A 320-pixel photo holds 25 tiles of 64: many more
/// samples of the spectrum at 64 × 64 than the 30 photos alone, at the same cycles per pixel.
pub fn tiles(field: &Field, size: usize) -> Vec<Field> {
    assert!(size > 0, "a tile needs at least one pixel");
    let (rows, cols) = field.dim();
    let mut out = Vec::new();
    for i in (0..rows / size).map(|i| i * size) {
        for j in (0..cols / size).map(|j| j * size) {
            out.push(
                field
                    .slice(ndarray::s![i..i + size, j..j + size])
                    .to_owned(),
            );
        }
    }
    out
}

/// One grey level of an 8-bit photo in the book's units (the range [−1, 1] holds 255 of them).
pub const GREY_LEVEL: f64 = 2.0 / 255.0;

/// Whether a field is flat: its pixels' standard deviation is below a hundredth of one 8-bit grey
/// level. Such a field (a saturated patch of a photo, say) has no power off DC beyond the residue
/// of resampling and rounding, far below anything an 8-bit photo can hold, so the logarithm of
/// its spectrum measures that residue, not the photo: a log-domain mean must leave it out. Real
/// structure sits far above the limit (one pixel of a 64 × 64 tile one level off already gives
/// a standard deviation of GREY_LEVEL/64), f32 rounding of values near 1 far below it (~1e-7).
pub fn is_flat(field: &Field) -> bool {
    let n = field.len() as f64;
    let mean = field.sum() / n;
    let variance = field.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    variance.sqrt() < GREY_LEVEL / 100.0
}

/// The power |X(k)|²/N of every bin of a complex spectrum (unshifted).
pub fn bin_power(spectrum: &ndarray::Array2<Complex64>) -> Field {
    let n = spectrum.len() as f64;
    spectrum.mapv(|z| z.norm_sqr() / n)
}

/// A model for tests whose power falls with frequency, `scale / (offset + k_y² + x_weight·k_x²)
/// ^ exponent` over signed frequency indices: strongly coloured (and anisotropic when
/// `x_weight` ≠ 1), like the photos', small enough for fast tests. Shared by the tests of the
/// model's users (denoiser, samplers, commitment, coloured noise).
#[cfg(test)]
pub(crate) fn falling_model(
    n: usize,
    scale: f64,
    offset: f64,
    x_weight: f64,
    exponent: f64,
) -> GaussianModel {
    let signed = |k: usize| {
        if k <= n / 2 {
            k as f64
        } else {
            k as f64 - n as f64
        }
    };
    GaussianModel {
        power: Field::from_shape_fn((n, n), |(i, j)| {
            let k2 = signed(i).powi(2) + x_weight * signed(j).powi(2);
            scale / (offset + k2).powf(exponent)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::{gaussian_field, seeded_rng};
    use crate::spectrum::rapsd;

    #[test]
    fn the_model_of_white_noise_is_flat_at_its_variance() {
        let mut rng = seeded_rng(1);
        let fields: Vec<Field> = (0..400)
            .map(|_| gaussian_field(16, 16, 2.0, &mut rng))
            .collect();
        let model = GaussianModel::fit(&fields).unwrap();
        // Each bin averages 400 exponential values of mean 4 (χ² with one degree of freedom,
        // mean 4, for the four real bins): within 25% at ~5 standard errors.
        for p in &model.power {
            assert!((p / 4.0 - 1.0).abs() < 0.4, "{p}");
        }
        let mean = model.power.sum() / 256.0;
        assert!((mean / 4.0 - 1.0).abs() < 0.02, "{mean}");
    }

    #[test]
    fn the_models_rapsd_is_the_linear_mean_of_the_fields_rapsds() {
        let mut rng = seeded_rng(2);
        let fields: Vec<Field> = (0..5)
            .map(|_| gaussian_field(12, 12, 1.0, &mut rng) + 0.5)
            .collect();
        let model = GaussianModel::fit(&fields).unwrap();
        let curves: Vec<Vec<f64>> = fields.iter().map(|f| rapsd(f).power).collect();
        for (r, p) in model.rapsd().power.iter().enumerate() {
            let mean = curves.iter().map(|c| c[r]).sum::<f64>() / 5.0;
            assert!((p - mean).abs() < 1e-12 * mean.max(1.0), "r = {r}");
        }
    }

    #[test]
    fn samples_have_the_models_spectrum() {
        // A model with a known spectrum: P = 1 + 9·[bin in the first row].
        let power = Field::from_shape_fn((8, 8), |(i, _)| if i == 0 { 10.0 } else { 1.0 });
        let model = GaussianModel { power };
        let mut rng = seeded_rng(3);
        let draws = 4000;
        let mut mean = Field::zeros((8, 8));
        let fft = Fft2::new(8, 8);
        for _ in 0..draws {
            mean += &bin_power(&fft.forward(&model.sample(&mut rng)));
        }
        mean /= draws as f64;
        // Relative standard error per bin ≤ √2/√4000 = 2.2%: 10% is > 4.5 standard errors.
        for (m, p) in mean.iter().zip(&model.power) {
            assert!((m / p - 1.0).abs() < 0.1, "{m} vs {p}");
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(GaussianModel::fit(&[]), Err(ModelError::NoFields));
        let fields = vec![Field::zeros((4, 4)), Field::zeros((4, 5))];
        assert!(matches!(
            GaussianModel::fit(&fields),
            Err(ModelError::Shape { .. })
        ));
        let mut nan = Field::zeros((4, 4));
        nan[[1, 1]] = f64::NAN;
        assert_eq!(GaussianModel::fit(&[nan]), Err(ModelError::NotFinite));
    }

    #[test]
    fn a_field_is_flat_only_below_a_hundredth_of_a_grey_level() {
        let mut field = Field::from_elem((64, 64), 1.0);
        assert!(is_flat(&field));
        // f32 rounding, as resampling leaves it on a saturated patch: still flat.
        for (k, v) in field.iter_mut().enumerate() {
            *v -= (k % 3) as f64 * f64::from(f32::EPSILON);
        }
        assert!(is_flat(&field));
        // One pixel one grey level off: structure, not rounding.
        let mut field = Field::from_elem((64, 64), 1.0);
        field[[10, 20]] -= GREY_LEVEL;
        assert!(!is_flat(&field));
    }

    #[test]
    fn tiles_cover_the_field_without_overlap() {
        let f = Field::from_shape_fn((7, 10), |(i, j)| (i * 10 + j) as f64);
        let t = tiles(&f, 3);
        assert_eq!(t.len(), 2 * 3);
        assert_eq!(t[0][[0, 0]], 0.0);
        assert_eq!(t[1][[0, 0]], 3.0);
        assert_eq!(t[3][[2, 2]], (5 * 10 + 2) as f64);
    }
}

//! Denoisers, and the optimal one for Gaussian data: the Wiener filter.
//!
//! A diffusion model's network is a denoiser: given x_t = α(t)·x₀ + σ(t)·ε, it estimates x₀.
//! For a stationary Gaussian model of the data (variance P(k) per frequency, see
//! [`crate::gaussian_model`]) and noise of variance Σ(k) per frequency, the best estimate is
//! known in closed form and is linear: the posterior mean E[x₀ | x_t], which multiplies each
//! Fourier coefficient by the Wiener gain
//!
//! ```text
//! x̂₀(k) = α·P(k) / (α²·P(k) + σ²·Σ(k)) · x_t(k).
//! ```
//!
//! What survives of the clean signal is the gain times α: G = SNR/(1 + SNR), with
//! SNR(k, t) = α²P(k)/(σ²Σ(k)). G = 1/2 exactly where SNR = 1, the post's threshold with τ = 1.

use std::sync::Arc;

use ndarray::Array2;
use rustfft::num_complex::Complex64;
use rustfft::{Fft, FftPlanner};

use crate::Field;
use crate::fft::Fft2;
use crate::gaussian_model::{GaussianModel, ModelError, check_shape};
use crate::noise_spectrum::NoiseSpectrum;
use crate::schedule::Schedule;

// ANCHOR: denoiser
/// Anything that estimates the clean image x₀ from a noisy x_t at time t: the Wiener filter here,
/// a trained network in practice. The samplers of [`crate::sampler`] only ever call this.
pub trait Denoiser {
    /// The estimate x̂₀ = E[x₀ | x_t].
    fn denoise(&self, x_t: &Field, t: f64) -> Field;

    /// One draw from the posterior p(x₀ | x_t), for denoisers that know it. A network trained
    /// with a squared error knows only the mean (`None`, the default); the Gaussian model knows
    /// the whole posterior, which makes [`crate::sampler::ancestral_sample`] exact.
    fn sample_posterior(&self, _x_t: &Field, _t: f64, _rng: &mut dyn rand::Rng) -> Option<Field> {
        None
    }
}

/// A closure `|x_t, t| x̂₀` is a denoiser too.
impl<F: Fn(&Field, f64) -> Field> Denoiser for F {
    fn denoise(&self, x_t: &Field, t: f64) -> Field {
        self(x_t, t)
    }
}
// ANCHOR_END: denoiser

// ANCHOR: gain
/// The Wiener gain α·P/(α²P + σ²Σ) for one coefficient: the posterior mean E[x₀ | x_t] per unit
/// of x_t. Where there is no noise at all (σ = 0) it is 1/α; where nothing is left of either
/// (α = 0 or P = 0 with σ = 0) it is 0.
pub fn wiener_gain(alpha: f64, sigma: f64, power: f64, noise: f64) -> f64 {
    let denominator = alpha * alpha * power + sigma * sigma * noise;
    if denominator > 0.0 {
        alpha * power / denominator
    } else if alpha > 0.0 && sigma == 0.0 {
        1.0 / alpha
    } else {
        0.0
    }
}

/// The fraction of the clean signal that passes the denoiser, G = α·gain = SNR/(1 + SNR), with
/// SNR = α²P/(σ²Σ). For Gaussian data it is also corr²(x̂₀, x₀): the share of each coefficient's
/// variance that x_t already determines.
pub fn signal_fraction(alpha: f64, sigma: f64, power: f64, noise: f64) -> f64 {
    alpha * wiener_gain(alpha, sigma, power, noise)
}
// ANCHOR_END: gain

// ANCHOR: wiener
/// The Wiener denoiser for a Gaussian model, a noise spectrum and a schedule: per frequency,
/// x̂₀ = gain(k, t)·x_t.
pub struct Wiener<S> {
    schedule: S,
    power: Field,
    noise: Field,
    filter: SpectralFilter,
}

impl<S: Schedule> Wiener<S> {
    pub fn new(schedule: S, model: &GaussianModel, noise: &NoiseSpectrum) -> Wiener<S> {
        assert_eq!(
            model.dim(),
            noise.variance.dim(),
            "model and noise shapes differ"
        );
        let (rows, cols) = model.dim();
        Wiener {
            schedule,
            power: model.power.clone(),
            noise: noise.variance.clone(),
            filter: SpectralFilter::new(rows, cols),
        }
    }

    /// The Wiener gain of every bin at time t.
    pub fn gains(&self, t: f64) -> Field {
        let (a, s) = (self.schedule.alpha(t), self.schedule.sigma(t));
        let mut g = self.power.clone();
        g.zip_mut_with(&self.noise, |p, n| *p = wiener_gain(a, s, *p, *n));
        g
    }

    /// The posterior variance Var(x₀(k) | x_t) = P·σ²Σ/(α²P + σ²Σ) of every bin: the share of
    /// P that x_t leaves open, (1 − G)·P.
    pub fn posterior_variance(&self, t: f64) -> Field {
        (1.0 - self.signal_fractions(t)) * &self.power
    }

    /// G(k, t) = SNR/(1 + SNR) of every bin: what fraction of each coefficient is decided.
    pub fn signal_fractions(&self, t: f64) -> Field {
        self.gains(t) * self.schedule.alpha(t)
    }
}

impl<S: Schedule> Denoiser for Wiener<S> {
    fn denoise(&self, x_t: &Field, t: f64) -> Field {
        self.filter.apply(x_t, &self.gains(t))
    }

    /// x̂₀ plus Gaussian noise with the posterior's variance in every bin.
    fn sample_posterior(&self, x_t: &Field, t: f64, rng: &mut dyn rand::Rng) -> Option<Field> {
        let (rows, cols) = self.power.dim();
        let white = crate::noise::gaussian_field(rows, cols, 1.0, rng);
        let spread = self.posterior_variance(t).mapv(|v| v.max(0.0).sqrt());
        Some(self.denoise(x_t, t) + self.filter.apply(&white, &spread))
    }
}
// ANCHOR_END: wiener

/// One call: the Wiener estimate of x₀ from one noisy image `x_t` at time `t` under white noise
/// (the `spectra denoise` command). Errors on a shape other than the model's, a non-finite pixel
/// or a time outside [0, 1].
pub fn wiener_denoise<S: Schedule + ?Sized>(
    x_t: &Field,
    model: &GaussianModel,
    schedule: &S,
    t: f64,
) -> Result<Field, ModelError> {
    if !(0.0..=1.0).contains(&t) {
        return Err(ModelError::Time(t));
    }
    check_shape(model.dim(), x_t)?;
    let (rows, cols) = model.dim();
    let (a, s) = (schedule.alpha(t), schedule.sigma(t));
    let gains = model.power.mapv(|p| wiener_gain(a, s, p, 1.0));
    Ok(SpectralFilter::new(rows, cols).apply(x_t, &gains))
}

/// Multiplies the Fourier coefficients of real fields by a real per-bin gain, planned once for
/// one shape. The gain must be even, g(k) = g(−k), so that the result is real (every gain in the
/// book is a function of a power spectrum, which is).
pub struct SpectralFilter {
    rows: usize,
    cols: usize,
    forward: Fft2,
    inverse_rows: Arc<dyn Fft<f64>>,
    inverse_cols: Arc<dyn Fft<f64>>,
}

impl SpectralFilter {
    pub fn new(rows: usize, cols: usize) -> SpectralFilter {
        let mut planner = FftPlanner::new();
        SpectralFilter {
            rows,
            cols,
            forward: Fft2::new(rows, cols),
            inverse_rows: planner.plan_fft_inverse(cols),
            inverse_cols: planner.plan_fft_inverse(rows),
        }
    }

    /// The unshifted spectrum of a field (as [`crate::fft::fft2`]).
    pub fn spectrum(&self, field: &Field) -> Array2<Complex64> {
        self.forward.forward(field)
    }

    /// The field whose spectrum is `gain · spectrum(field)`.
    pub fn apply(&self, field: &Field, gain: &Field) -> Field {
        assert_eq!(
            gain.dim(),
            (self.rows, self.cols),
            "gain shape differs from the filter"
        );
        let mut spectrum = self.spectrum(field);
        spectrum.zip_mut_with(gain, |z, g| *z *= *g);
        self.real_inverse(spectrum)
    }

    /// The real part of the inverse transform (divided by rows·cols, like `np.fft.ifft2`).
    pub fn real_inverse(&self, spectrum: Array2<Complex64>) -> Field {
        let (rows, cols) = (self.rows, self.cols);
        let mut data = spectrum.into_raw_vec_and_offset().0;
        // rustfft transforms consecutive chunks of one length in one call: all rows at once.
        self.inverse_rows.process(&mut data);
        let mut columns = vec![Complex64::default(); rows * cols];
        for (i, row) in data.chunks_exact(cols).enumerate() {
            for (j, z) in row.iter().enumerate() {
                columns[j * rows + i] = *z;
            }
        }
        self.inverse_cols.process(&mut columns);
        let n = (rows * cols) as f64;
        Field::from_shape_fn((rows, cols), |(i, j)| columns[j * rows + i].re / n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fft::{fft2, ifft2};
    use crate::noise::{gaussian_field, seeded_rng};
    use crate::schedule::RectifiedFlow;

    #[test]
    fn the_gain_is_the_posterior_mean_coefficient_of_a_scalar_gaussian() {
        // For x₀ ~ N(0, P) and x_t = a·x₀ + s·√Σ·z, E[x₀ | x_t] = Cov(x₀, x_t)/Var(x_t)·x_t
        // = a·P/(a²P + s²Σ)·x_t. Check it by regression on simulated pairs.
        let (a, s, p, n): (f64, f64, f64, f64) = (0.6, 0.8, 2.5, 0.7);
        let mut rng = seeded_rng(1);
        let x0 = gaussian_field(1, 200_000, p.sqrt(), &mut rng);
        let z = gaussian_field(1, 200_000, n.sqrt(), &mut rng);
        let xt = &x0 * a + &z * s;
        let slope = (&x0 * &xt).sum() / (&xt * &xt).sum();
        // Standard error of the slope ≈ √(Var(x₀|x_t)/Σx_t²) ≈ 0.002.
        assert!((slope - wiener_gain(a, s, p, n)).abs() < 0.01, "{slope}");
        assert!((wiener_gain(a, s, p, n) - a * p / (a * a * p + s * s * n)).abs() < 1e-15);
    }

    #[test]
    fn half_of_the_signal_passes_where_the_snr_is_one() {
        for (a, s) in [(0.5, 0.5), (0.2, 0.9), (0.9, 0.1)] {
            // P chosen so that a²P = s²Σ.
            let n = 1.7;
            let p = s * s * n / (a * a);
            assert!((signal_fraction(a, s, p, n) - 0.5).abs() < 1e-14);
            // Above and below the threshold, more and less than half.
            assert!(signal_fraction(a, s, 2.0 * p, n) > 0.5);
            assert!(signal_fraction(a, s, 0.5 * p, n) < 0.5);
            // G = SNR/(1 + SNR).
            let snr = a * a * 3.0 * p / (s * s * n);
            assert!((signal_fraction(a, s, 3.0 * p, n) - snr / (1.0 + snr)).abs() < 1e-14);
        }
        assert_eq!(wiener_gain(0.5, 0.0, 2.0, 1.0), 2.0);
        assert_eq!(wiener_gain(0.0, 1.0, 2.0, 1.0), 0.0);
        assert_eq!(wiener_gain(1.0, 0.0, 0.0, 1.0), 1.0);
    }

    #[test]
    fn the_filter_multiplies_each_coefficient_by_its_gain() {
        let (rows, cols) = (6, 9);
        let x = gaussian_field(rows, cols, 1.0, &mut seeded_rng(2));
        // An even gain: depends on k only through the mirror-symmetric (min(k, n−k)).
        let gain = Field::from_shape_fn((rows, cols), |(i, j)| {
            1.0 + i.min(rows - i) as f64 + 0.5 * j.min(cols - j) as f64
        });
        let out = SpectralFilter::new(rows, cols).apply(&x, &gain);
        // Reference: the library's plain fft2/ifft2 pair.
        let mut spectrum = fft2(&x);
        spectrum.zip_mut_with(&gain, |z, g| *z *= *g);
        let reference = ifft2(&spectrum);
        for (a, b) in out.iter().zip(&reference) {
            assert!((a - b.re).abs() < 1e-12 && b.im.abs() < 1e-12);
        }
    }

    #[test]
    fn one_call_denoising_checks_its_input() {
        let model = GaussianModel {
            power: Field::from_elem((4, 4), 3.0),
        };
        let x = Field::from_elem((4, 4), 1.0);
        // A flat spectrum: every coefficient has the same gain, so the image is scaled by it.
        let out = wiener_denoise(&x, &model, &RectifiedFlow, 0.5).unwrap();
        let g = wiener_gain(0.5, 0.5, 3.0, 1.0);
        assert!(out.iter().all(|v| (v - g).abs() < 1e-12));
        assert_eq!(
            wiener_denoise(&x, &model, &RectifiedFlow, 1.5),
            Err(ModelError::Time(1.5))
        );
        assert!(matches!(
            wiener_denoise(&Field::zeros((4, 5)), &model, &RectifiedFlow, 0.5),
            Err(ModelError::Shape { .. })
        ));
        // No noise: the image is returned as it is.
        let clean = wiener_denoise(&x, &model, &RectifiedFlow, 0.0).unwrap();
        assert!(clean.iter().all(|v| (v - 1.0).abs() < 1e-12));
    }
}

//! Seeded Gaussian noise, and synthetic fields with a known power-law spectrum.
//!
//! Every random draw in the book comes from a [`seeded_rng`], so figures and numbers are the
//! same on every run and every machine (ChaCha8 is a portable, specified generator).

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::Field;
use crate::fft::{fft2, ifft2};
use crate::special::{digamma, log_mean_level_of_exponential_average};

/// The book's random number generator, from a fixed seed.
pub fn seeded_rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Independent Gaussian samples with mean 0 and standard deviation `sigma`.
pub fn gaussian_field<R: rand::Rng + ?Sized>(
    rows: usize,
    cols: usize,
    sigma: f64,
    rng: &mut R,
) -> Field {
    Field::from_shape_simple_fn((rows, cols), || {
        let z: f64 = StandardNormal.sample(rng);
        sigma * z
    })
}

/// `len` independent Gaussian samples with mean 0 and standard deviation `sigma`, as a 1-D
/// signal (the noise added to a recording): the same draws as a 1 × `len` [`gaussian_field`].
pub fn gaussian_signal<R: rand::Rng + ?Sized>(len: usize, sigma: f64, rng: &mut R) -> Vec<f64> {
    gaussian_field(1, len, sigma, rng).into_iter().collect()
}

// ANCHOR: noise_like
/// Standard Gaussian noise fields with the shapes of `fields`, one per field, drawn one after
/// another from `rng`: the noise "of the same shape" that the noisy-spectra figures compare
/// photos with, and add to them.
pub fn noise_like<R: rand::Rng + ?Sized>(fields: &[Field], rng: &mut R) -> Vec<Field> {
    fields
        .iter()
        .map(|f| gaussian_field(f.nrows(), f.ncols(), 1.0, rng))
        .collect()
}

/// Each field plus `sigma` times its noise field, `x + σ·ε`: noise added without rescaling the
/// image, as the post's noisy-spectra figures do (the forward process with α = 1; see
/// [`crate::schedule::forward`] for the general form).
pub fn add_noise(fields: &[Field], noise: &[Field], sigma: f64) -> Vec<Field> {
    assert_eq!(fields.len(), noise.len(), "one noise field per field");
    fields
        .iter()
        .zip(noise)
        .map(|(x, e)| x + &(e * sigma))
        .collect()
}
// ANCHOR_END: noise_like

// ANCHOR: expected_dip
/// The expected log-domain mean RAPSD of Gaussian noise with standard deviation `sigma`, radius by
/// radius (DC included): σ²·exp(ψ(k) − ln k) for a ring of k independent bins.
///
/// Why not σ²: each independent bin's power is σ² times a standard exponential variable and a ring
/// averages k of them, a Gamma(k, 1/k) variable with mean 1 but E[ln] = ψ(k) − ln k < 0. The
/// log-domain mean estimates exp(E[ln]), so it sits below σ² where k is small, at the lowest
/// radii. The DC bin of a real field is real: its power is σ² times a χ² variable with one degree
/// of freedom, E[ln] = ψ(1/2) + ln 2.
pub fn expected_log_mean_noise_rapsd(rows: usize, cols: usize, sigma: f64) -> Vec<f64> {
    let bins = crate::spectrum::RadialBins::new(rows, cols);
    bins.independent_counts()
        .iter()
        .enumerate()
        .map(|(r, &k)| {
            let level = if r == 0 {
                (digamma(0.5) + 2f64.ln()).exp()
            } else {
                log_mean_level_of_exponential_average(k as f64)
            };
            sigma * sigma * level
        })
        .collect()
}
// ANCHOR_END: expected_dip

/// A Gaussian random field whose expected power spectrum is `|f|^(−alpha)`, with f in cycles per
/// pixel measured on the exact radius √(f_y² + f_x²) and the DC term set to zero. This is the
/// textbook "power-law image": the RAPSD estimator, which bins by *rounded* radius, sees it with a
/// small bias at the lowest radii (see [`expected_rapsd_of_power_law_field`]).
pub fn power_law_field<R: rand::Rng + ?Sized>(
    rows: usize,
    cols: usize,
    alpha: f64,
    rng: &mut R,
) -> Field {
    filtered_noise(rows, cols, rng, |fy, fx| {
        spectral_density(fy.hypot(fx), alpha)
    })
}

/// A Gaussian random field whose expected RAPSD is exactly `(r/L)^(−alpha)` at every kept radius r:
/// the spectrum is defined on the same rounded radius the RAPSD uses. Ground truth for the whole
/// estimation pipeline (FFT, binning, log-mean, resampling, fit).
pub fn power_law_field_on_rings<R: rand::Rng + ?Sized>(
    rows: usize,
    cols: usize,
    alpha: f64,
    rng: &mut R,
) -> Field {
    let l = rows.max(cols) as f64;
    filtered_noise(rows, cols, rng, |fy, fx| {
        let r = (fy * rows as f64).hypot(fx * cols as f64).round();
        spectral_density(r / l, alpha)
    })
}

/// The exact expected RAPSD of [`power_law_field`]: the mean of `|f|^(−alpha)` over the bins of
/// each rounded radius (DC 0). Fitting it shows the estimator's bias without any sampling noise.
pub fn expected_rapsd_of_power_law_field(rows: usize, cols: usize, alpha: f64) -> Vec<f64> {
    let centred = Field::from_shape_fn((rows, cols), |(i, j)| {
        let fy = (i as f64 - (rows / 2) as f64) / rows as f64;
        let fx = (j as f64 - (cols / 2) as f64) / cols as f64;
        spectral_density(fy.hypot(fx), alpha)
    });
    crate::spectrum::RadialBins::new(rows, cols).average(&centred)
}

fn spectral_density(f: f64, alpha: f64) -> f64 {
    if f == 0.0 { 0.0 } else { f.powf(-alpha) }
}

/// White noise filtered in the Fourier domain by amplitude √density(f_y, f_x), where (f_y, f_x) are
/// the signed frequencies of each bin in cycles per pixel. `density` must be even in f (the same at
/// −f), so the result is real.
fn filtered_noise<R, D>(rows: usize, cols: usize, rng: &mut R, density: D) -> Field
where
    R: rand::Rng + ?Sized,
    D: Fn(f64, f64) -> f64,
{
    let mut spectrum = fft2(&gaussian_field(rows, cols, 1.0, rng));
    let signed = |k: usize, n: usize| {
        if k <= n / 2 {
            k as f64 / n as f64
        } else {
            k as f64 / n as f64 - 1.0
        }
    };
    for ((k, l), z) in spectrum.indexed_iter_mut() {
        *z *= density(signed(k, rows), signed(l, cols)).sqrt();
    }
    ifft2(&spectrum).mapv(|z| z.re)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fft::Fft2;
    use crate::fit::{fit_power_law, log_mean};
    use crate::spectrum::{RadialBins, rapsd, rapsd_with};

    #[test]
    fn same_seed_same_noise() {
        let a = gaussian_field(4, 4, 1.0, &mut seeded_rng(42));
        let b = gaussian_field(4, 4, 1.0, &mut seeded_rng(42));
        let c = gaussian_field(4, 4, 1.0, &mut seeded_rng(43));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn gaussian_field_has_the_requested_moments() {
        let x = gaussian_field(200, 200, 2.5, &mut seeded_rng(5));
        let n = x.len() as f64;
        let mean = x.sum() / n;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        // Standard errors: 2.5/200 = 0.0125 for the mean, about 0.044 for the variance 6.25.
        assert!(mean.abs() < 0.05, "{mean}");
        assert!((var - 6.25).abs() < 0.2, "{var}");
    }

    fn fitted_alpha(curves: &[Vec<f64>], size: usize) -> f64 {
        let f = rapsd(&Field::zeros((size, size))).without_dc().frequency;
        fit_power_law(&f, &log_mean(curves)).alpha
    }

    /// The log-domain mean of a ring's power sits below its expectation by the factor
    /// exp(ψ(k) − ln k) for k independent exponential values (see `special`): divide it out.
    fn undo_log_mean_dip(curve: &[f64], size: usize) -> Vec<f64> {
        let k = RadialBins::new(size, size).independent_counts();
        curve
            .iter()
            .zip(&k[1..])
            .map(|(p, k)| p / log_mean_level_of_exponential_average(*k as f64))
            .collect()
    }

    #[test]
    fn a_field_with_a_power_law_on_the_rapsd_rings_gives_back_its_exponent() {
        let mut rng = seeded_rng(2024);
        for alpha in [1.0, 2.0, 2.5, 3.0] {
            let curves: Vec<Vec<f64>> = (0..8)
                .map(|_| {
                    rapsd(&power_law_field_on_rings(320, 320, alpha, &mut rng))
                        .without_dc()
                        .power
                })
                .collect();
            let corrected = undo_log_mean_dip(&log_mean(&curves), 320);
            let fitted = fitted_alpha(&[corrected], 320);
            assert!(
                (fitted - alpha).abs() <= 0.05,
                "alpha {alpha}: fitted {fitted}"
            );
        }
    }

    #[test]
    fn a_textbook_power_law_field_is_seen_with_the_predicted_estimator_bias() {
        // Two effects flatten the fitted slope of a textbook power-law field, both at the lowest
        // radii: rounding the radius mixes diagonal bins (|f| = √2/L) into ring 1, and the
        // log-domain mean of few exponential values falls short of their mean. Both are known
        // exactly, so the expected fit is known; random fields must agree with it.
        let mut rng = seeded_rng(77);
        for alpha in [1.0, 2.0, 2.5, 3.0] {
            // 16 fields: the few bins at radius 1 and 2 weigh heavily in a log-uniform fit. The dip
            // factor is exact for equal-mean bins only (ring 1 mixes two means), hence 0.05.
            let curves: Vec<Vec<f64>> = (0..16)
                .map(|_| {
                    rapsd(&power_law_field(320, 320, alpha, &mut rng))
                        .without_dc()
                        .power
                })
                .collect();
            let fitted = fitted_alpha(&curves, 320);
            let expected = expected_rapsd_of_power_law_field(320, 320, alpha);
            let with_dip: Vec<f64> = expected[1..]
                .iter()
                .zip(&RadialBins::new(320, 320).independent_counts()[1..])
                .map(|(p, k)| p * log_mean_level_of_exponential_average(*k as f64))
                .collect();
            let predicted = fitted_alpha(&[with_dip], 320);
            assert!(
                predicted < alpha && alpha - predicted < 0.2,
                "alpha {alpha}: predicted {predicted}"
            );
            assert!(
                (fitted - predicted).abs() <= 0.05,
                "alpha {alpha}: fitted {fitted}, predicted {predicted}"
            );
        }
    }
    /// Mean and standard error of the mean of each column of `rows` (one row per draw).
    fn mean_and_standard_error(rows: &[Vec<f64>]) -> Vec<(f64, f64)> {
        let n = rows.len() as f64;
        (0..rows[0].len())
            .map(|j| {
                let mean = rows.iter().map(|r| r[j]).sum::<f64>() / n;
                let var = rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / (n - 1.0);
                (mean, (var / n).sqrt())
            })
            .collect()
    }

    #[test]
    fn adding_noise_scales_the_noise_only() {
        let x = vec![Field::ones((2, 2))];
        let e = vec![Field::from_elem((2, 2), 0.5)];
        assert_eq!(add_noise(&x, &e, 4.0)[0], Field::from_elem((2, 2), 3.0));
    }

    #[test]
    fn noise_like_matches_shapes_and_is_reproducible() {
        let fields = vec![Field::zeros((3, 5)), Field::zeros((4, 2))];
        let a = noise_like(&fields, &mut seeded_rng(9));
        assert_eq!(a[0].dim(), (3, 5));
        assert_eq!(a[1].dim(), (4, 2));
        assert_eq!(a, noise_like(&fields, &mut seeded_rng(9)));
        assert_ne!(a, noise_like(&fields, &mut seeded_rng(10)));
    }

    #[test]
    fn a_noisy_spectrum_is_the_signal_plus_sigma_squared_in_expectation() {
        // E|X + σE|² = |X|² + σ²·E|E|² + 2σ·Re(X·E̅)·0: the cross term vanishes on average, so the
        // expected RAPSD of signal + noise is the signal's RAPSD plus σ² at every radius.
        let (size, sigma, draws) = (48, 0.7, 3000);
        let x = power_law_field(size, size, 2.5, &mut seeded_rng(1)) * 0.2;
        let (bins, fft) = (RadialBins::new(size, size), Fft2::new(size, size));
        let clean = rapsd_with(&bins, &fft, &x).power;
        let mut rng = seeded_rng(2);
        let noisy: Vec<Vec<f64>> = (0..draws)
            .map(|_| {
                rapsd_with(
                    &bins,
                    &fft,
                    &(&x + &gaussian_field(size, size, sigma, &mut rng)),
                )
                .power
            })
            .collect();
        for (r, ((mean, se), c)) in mean_and_standard_error(&noisy)
            .iter()
            .zip(&clean)
            .enumerate()
        {
            let expected = c + sigma * sigma;
            // 24 radii at 4.5 standard errors: a false alarm once in ~5,000 runs (and never, since
            // the seed is fixed).
            assert!(
                (mean - expected).abs() < 4.5 * se,
                "r = {r}: {mean} vs {expected} ± {se}"
            );
        }
        // The signal matters: the lowest radii are far above the noise level, the highest below.
        assert!(clean[1] > 10.0 * sigma * sigma && clean[23] < sigma * sigma);
    }

    #[test]
    fn the_log_mean_of_noise_dips_below_one_as_the_digamma_function_predicts() {
        // Ring 1 holds 8 bins, 4 independent pairs: exp(ψ(4) − ln 4) ≈ 0.878, the post's dip.
        let (size, draws) = (32, 4000);
        let (bins, fft) = (RadialBins::new(size, size), Fft2::new(size, size));
        assert_eq!(bins.independent_counts()[1], 4);
        let mut rng = seeded_rng(4);
        let logs: Vec<Vec<f64>> = (0..draws)
            .map(|_| {
                let p = rapsd_with(&bins, &fft, &gaussian_field(size, size, 1.0, &mut rng)).power;
                p.iter().map(|v| v.ln()).collect()
            })
            .collect();
        let expected = expected_log_mean_noise_rapsd(size, size, 1.0);
        assert!((expected[1] - 0.8777).abs() < 5e-4, "{}", expected[1]);
        for (r, (mean, se)) in mean_and_standard_error(&logs).iter().enumerate() {
            // Compared in the log domain, where the log-mean is an average of independent draws.
            assert!(
                (mean - expected[r].ln()).abs() < 4.5 * se,
                "r = {r}: {} vs {}",
                mean.exp(),
                expected[r]
            );
        }
        // And the dip is a property of the geometric mean only: the plain mean sits at 1.
        let plain: f64 = logs.iter().map(|l| l[1].exp()).sum::<f64>() / draws as f64;
        assert!((plain - 1.0).abs() < 0.03, "{plain}");
    }
}

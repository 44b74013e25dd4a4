//! The spectrum of the forward process's noise: white, or shaped per frequency.
//!
//! Standard diffusion adds white noise, the same variance Σ(k) = 1 at every frequency, and that
//! is what makes it drown high frequencies first on data with a falling spectrum. Falck et al.
//! (2025) change the noise instead of the data: with per-frequency variance Σ(k), the SNR of bin k
//! at time t is α(t)²·P(k) / (σ(t)²·Σ(k)), and Σ decides the order in which frequencies drown.
//!
//! Both shaped spectra leave the DC bin (k = 0) with white noise's Σ = 1. Its power is the square
//! of the fields' mean brightness, which depends on where the grey scale puts zero (the book's
//! [−1, 1]), not on the fields' structure; letting it calibrate EqualSNR or trading it against a
//! frequency in FlippedSNR would tie every result to that convention. Every other bin is shaped
//! so that its SNRs are calibrated to white noise's, with no free scale:
//! - EqualSNR gives every bin white noise's mean SNR over the bins k ≠ 0;
//! - FlippedSNR gives every bin the SNR white noise gives its partner: the SNRs are white noise's
//!   own, reshuffled.

use ndarray::Array2;

use crate::Field;
use crate::denoise::SpectralFilter;
use crate::gaussian_model::GaussianModel;

// ANCHOR: noise_spectrum
/// Per-bin noise variance Σ(k) (unshifted layout), and the filter that colours white noise.
pub struct NoiseSpectrum {
    pub name: &'static str,
    pub variance: Field,
    /// √Σ, applied to white noise; `None` for white noise itself (nothing to do).
    amplitude: Option<Field>,
    filter: SpectralFilter,
}

impl NoiseSpectrum {
    /// White noise, Σ(k) = 1: the standard forward process.
    pub fn white(rows: usize, cols: usize) -> NoiseSpectrum {
        NoiseSpectrum {
            name: "white",
            variance: Field::ones((rows, cols)),
            amplitude: None,
            filter: SpectralFilter::new(rows, cols),
        }
    }

    /// EqualSNR: Σ(k) = P(k)/P̄ for k ≠ 0, P̄ the mean of P over those bins. Every bin then has
    /// the SNR α²P̄/σ²: white noise's SNR averaged over the same bins, at every t.
    pub fn equal_snr(model: &GaussianModel) -> NoiseSpectrum {
        let p = &model.power;
        let mean = (p.sum() - p[[0, 0]]) / (p.len() - 1).max(1) as f64;
        let mut variance = p / mean;
        variance[[0, 0]] = 1.0;
        NoiseSpectrum::shaped("EqualSNR", variance)
    }

    /// FlippedSNR: Σ(k) = P(k)/P(k̃), where k̃ is the bin whose rank in P (DC left out) mirrors
    /// k's: the strongest bin's partner is the weakest. The SNR of k becomes α²P(k̃)/σ², exactly
    /// what white noise gives k̃, so the order in which frequencies drown is reversed and the set
    /// of SNRs at every t is white noise's.
    pub fn flipped_snr(model: &GaussianModel) -> NoiseSpectrum {
        let p = &model.power;
        let partners = flipped_partners(model);
        let variance = Field::from_shape_fn(p.dim(), |k| p[k] / p[partners[k]]);
        NoiseSpectrum::shaped("FlippedSNR", variance)
    }

    fn shaped(name: &'static str, variance: Field) -> NoiseSpectrum {
        let (rows, cols) = variance.dim();
        NoiseSpectrum {
            name,
            amplitude: Some(variance.mapv(f64::sqrt)),
            variance,
            filter: SpectralFilter::new(rows, cols),
        }
    }

    /// One draw of the noise: white Gaussian noise, coloured by √Σ(k) in the Fourier domain.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Field {
        let (rows, cols) = self.variance.dim();
        let white = crate::noise::gaussian_field(rows, cols, 1.0, rng);
        match &self.amplitude {
            None => white,
            Some(amplitude) => self.filter.apply(&white, amplitude),
        }
    }
}
// ANCHOR_END: noise_spectrum

// ANCHOR: partners
/// Every bin's FlippedSNR partner k̃ (DC is its own). The classes of bins {k, −k} (a real
/// field's spectrum has equal power in both, and the noise must keep that symmetry to stay
/// real), DC left out, are sorted by power, and the i-th weakest class is paired with the i-th
/// strongest.
pub fn flipped_partners(model: &GaussianModel) -> Array2<(usize, usize)> {
    let p = &model.power;
    let (rows, cols) = p.dim();
    let mut classes: Vec<Vec<(usize, usize)>> = conjugate_classes(rows, cols)
        .into_iter()
        .filter(|c| c[0] != (0, 0))
        .collect();
    classes.sort_by(|a, b| p[a[0]].total_cmp(&p[b[0]]));
    let mut partners = Array2::from_shape_fn((rows, cols), |k| k);
    for (class, partner) in classes.iter().zip(classes.iter().rev()) {
        for &bin in class {
            partners[bin] = partner[0];
        }
    }
    partners
}
// ANCHOR_END: partners

/// The bins of a `rows × cols` spectrum grouped with their mirror images, k and −k (mod the
/// size): one or two bins per group, in row-major order of their first bin.
fn conjugate_classes(rows: usize, cols: usize) -> Vec<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    for i in 0..rows {
        for j in 0..cols {
            let mirror = ((rows - i) % rows, (cols - j) % cols);
            if mirror == (i, j) {
                out.push(vec![(i, j)]);
            } else if mirror > (i, j) {
                out.push(vec![(i, j), mirror]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fft::Fft2;
    use crate::gaussian_model::bin_power;
    use crate::noise::seeded_rng;
    use crate::schedule::{RectifiedFlow, Schedule};

    fn falling_model(n: usize) -> GaussianModel {
        crate::gaussian_model::falling_model(n, 100.0, 1.0, 2.0, 1.0)
    }

    /// α²P/(σ²Σ) for every bin at time t.
    fn snr(model: &GaussianModel, noise: &NoiseSpectrum, t: f64) -> Field {
        let (a, s) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
        (&model.power * (a * a)) / (&noise.variance * (s * s))
    }

    #[test]
    fn equal_snr_gives_every_bin_white_noises_mean_snr() {
        let model = falling_model(8);
        let white = NoiseSpectrum::white(8, 8);
        let equal = NoiseSpectrum::equal_snr(&model);
        for t in [0.2, 0.5, 0.8] {
            let (w, e) = (snr(&model, &white, t), snr(&model, &equal, t));
            // White noise's mean SNR over the bins k ≠ 0, summed directly.
            let mean = w
                .indexed_iter()
                .filter(|(k, _)| *k != (0, 0))
                .map(|(_, v)| v)
                .sum::<f64>()
                / 63.0;
            for (k, v) in e.indexed_iter() {
                let want = if k == (0, 0) { w[k] } else { mean };
                assert!(
                    (v / want - 1.0).abs() < 1e-12,
                    "t {t} bin {k:?}: {v} vs {want}"
                );
            }
        }
    }

    /// A model whose power is the spectrum of one random real field: conjugate-symmetric like a
    /// real field's, and with no two classes {k, −k} of equal power.
    fn random_model(n: usize) -> GaussianModel {
        let field = crate::noise::gaussian_field(n, n, 1.0, &mut seeded_rng(9));
        let p = bin_power(&Fft2::new(n, n).forward(&field));
        // The FFT gives |X(k)|² and |X(−k)|² equal only up to rounding; make them equal.
        let mirror = |(i, j): (usize, usize)| ((n - i) % n, (n - j) % n);
        GaussianModel {
            power: Field::from_shape_fn((n, n), |k| 0.5 * (p[k] + p[mirror(k)]) + 0.01),
        }
    }

    #[test]
    fn flipped_snr_gives_each_bin_the_white_snr_of_its_mirror_rank() {
        // Partners found independently of the implementation's classes: with no ties between
        // classes, the distinct power values (DC left out) are one per class; k's partner holds
        // the value as far from the top of that sorted list as P(k) is from its bottom.
        for n in [8, 9] {
            let model = random_model(n);
            let white = NoiseSpectrum::white(n, n);
            let flipped = NoiseSpectrum::flipped_snr(&model);
            let mut levels: Vec<f64> = model
                .power
                .indexed_iter()
                .filter(|(k, _)| *k != (0, 0))
                .map(|(_, p)| *p)
                .collect();
            levels.sort_by(f64::total_cmp);
            levels.dedup();
            // Classes but DC: pairs, and for even n the three Nyquist bins that are their own
            // mirror images.
            let classes = if n % 2 == 0 {
                (n * n - 4) / 2 + 3
            } else {
                (n * n - 1) / 2
            };
            assert_eq!(levels.len(), classes, "no ties between classes");
            for t in [0.1, 0.5, 0.9] {
                let (a, s) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
                let (w, f) = (snr(&model, &white, t), snr(&model, &flipped, t));
                assert_eq!(f[[0, 0]], w[[0, 0]], "DC keeps white noise");
                for (k, p) in model.power.indexed_iter().filter(|(k, _)| *k != (0, 0)) {
                    let rank = levels.iter().position(|l| l == p).expect("a level");
                    let partner = levels[levels.len() - 1 - rank];
                    let want = a * a * partner / (s * s);
                    assert!(
                        (f[k] / want - 1.0).abs() < 1e-12,
                        "n {n} t {t}: SNR_flip{k:?} = {} but white noise gives its partner {want}",
                        f[k]
                    );
                }
            }
        }
    }

    #[test]
    fn flipped_snr_reverses_the_order_of_the_snr() {
        let model = falling_model(8);
        let noise = NoiseSpectrum::flipped_snr(&model);
        let snr = &model.power / &noise.variance;
        // Whenever P(a) > P(b), the flipped SNR has SNR(a) ≤ SNR(b): the order is reversed.
        let bins: Vec<((usize, usize), f64)> = model
            .power
            .indexed_iter()
            .filter(|(k, _)| *k != (0, 0))
            .map(|(k, p)| (k, *p))
            .collect();
        for (a, pa) in &bins {
            for (b, pb) in &bins {
                if pa > pb {
                    assert!(snr[*a] <= snr[*b] * (1.0 + 1e-12), "{a:?} {b:?}");
                }
            }
        }
    }

    #[test]
    fn coloured_noise_is_real_and_has_the_requested_spectrum() {
        let model = falling_model(8);
        for noise in [
            NoiseSpectrum::equal_snr(&model),
            NoiseSpectrum::flipped_snr(&model),
        ] {
            let mut rng = seeded_rng(5);
            let fft = Fft2::new(8, 8);
            let draws = 4000;
            let mut mean = Field::zeros((8, 8));
            for _ in 0..draws {
                let e = noise.sample(&mut rng);
                // A real field: its spectrum is conjugate-symmetric, which `bin_power` relies on.
                mean += &bin_power(&fft.forward(&e));
            }
            mean /= draws as f64;
            // Relative standard error ≤ √2/√4000 = 2.2% per bin: 10% is > 4.5 standard errors.
            for (m, v) in mean.iter().zip(&noise.variance) {
                assert!((m / v - 1.0).abs() < 0.1, "{}: {m} vs {v}", noise.name);
            }
        }
    }
}

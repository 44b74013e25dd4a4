//! The spectrum of the forward process's noise: white, or shaped per frequency.
//!
//! Standard diffusion adds white noise, the same variance Σ(k) = 1 at every frequency, and that
//! is what makes it drown high frequencies first on data with a falling spectrum. Falck et al.
//! (2025) change the noise instead of the data: with per-frequency variance Σ(k), the SNR of bin k
//! at time t is α(t)²·P(k) / (σ(t)²·Σ(k)), and Σ decides the order in which frequencies drown.
//! Both shaped spectra here are normalised to a mean of 1 over the bins, the total noise power of
//! white noise.

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

    /// EqualSNR: Σ(k) ∝ P(k), so α²P/(σ²Σ) is the same at every frequency.
    pub fn equal_snr(model: &GaussianModel) -> NoiseSpectrum {
        NoiseSpectrum::shaped("EqualSNR", unit_mean(model.power.clone()))
    }

    /// FlippedSNR: Σ(k) = P(k)/P(k̃), where k̃ is the bin whose rank in P is the mirror image of
    /// k's (the strongest bin's partner is the weakest). The SNR of bin k becomes α²P(k̃)/σ²: the
    /// white-noise SNR of its partner, so the order in which frequencies drown is reversed.
    pub fn flipped_snr(model: &GaussianModel) -> NoiseSpectrum {
        let p = &model.power;
        let classes = conjugate_classes(p.nrows(), p.ncols());
        // Classes by increasing power; a bin and its mirror image k ↦ −k share their power and
        // must share Σ (or the coloured noise would not be real), hence ranks of classes.
        let mut order: Vec<usize> = (0..classes.len()).collect();
        let power_of = |c: &Vec<(usize, usize)>| p[c[0]];
        order.sort_by(|&a, &b| power_of(&classes[a]).total_cmp(&power_of(&classes[b])));
        let mut variance = Field::zeros(p.dim());
        for (rank, &c) in order.iter().enumerate() {
            let partner = &classes[order[order.len() - 1 - rank]];
            for &bin in &classes[c] {
                variance[bin] = p[bin] / power_of(partner);
            }
        }
        NoiseSpectrum::shaped("FlippedSNR", unit_mean(variance))
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

/// Divides by the mean, so the noise has the total power of white noise.
fn unit_mean(variance: Field) -> Field {
    let mean = variance.mean().unwrap_or(1.0);
    variance / mean
}

/// The bins of a `rows × cols` spectrum grouped with their mirror images, k and −k (mod the
/// size): one or two bins per group. A real field's spectrum has equal power in both.
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

    fn falling_model(n: usize) -> GaussianModel {
        crate::gaussian_model::falling_model(n, 100.0, 1.0, 2.0, 1.0)
    }

    #[test]
    fn equal_snr_makes_the_snr_the_same_everywhere() {
        let model = falling_model(8);
        let noise = NoiseSpectrum::equal_snr(&model);
        assert!((noise.variance.mean().unwrap() - 1.0).abs() < 1e-12);
        let ratio = &model.power / &noise.variance;
        let first = ratio[[0, 0]];
        assert!(ratio.iter().all(|r| (r / first - 1.0).abs() < 1e-12));
    }

    #[test]
    fn flipped_snr_reverses_the_order_of_the_snr() {
        let model = falling_model(8);
        let noise = NoiseSpectrum::flipped_snr(&model);
        assert!((noise.variance.mean().unwrap() - 1.0).abs() < 1e-12);
        let snr = &model.power / &noise.variance;
        // Whenever P(a) > P(b), the flipped SNR has SNR(a) ≤ SNR(b): the order is reversed.
        let bins: Vec<((usize, usize), f64)> =
            model.power.indexed_iter().map(|(k, p)| (k, *p)).collect();
        for (a, pa) in &bins {
            for (b, pb) in &bins {
                if pa > pb {
                    assert!(snr[*a] <= snr[*b] * (1.0 + 1e-12), "{a:?} {b:?}");
                }
            }
        }
        // And every SNR value is one of white noise's, P(k̃) for some bin, up to the one scale
        // that the unit-mean normalisation puts on all of them: the strongest bin gets the
        // weakest bin's SNR.
        let (weakest, strongest) = (
            model.power.iter().copied().fold(f64::INFINITY, f64::min),
            model.power.iter().copied().fold(0.0, f64::max),
        );
        let scale = snr[[0, 0]] / weakest;
        assert_eq!(model.power[[0, 0]], strongest);
        for s in &snr {
            assert!(
                model
                    .power
                    .iter()
                    .any(|p| (s / (scale * p) - 1.0).abs() < 1e-9)
            );
        }
    }

    #[test]
    fn coloured_noise_is_real_and_has_the_requested_spectrum() {
        let model = falling_model(8);
        let noise = NoiseSpectrum::equal_snr(&model);
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
            assert!((m / v - 1.0).abs() < 0.1, "{m} vs {v}");
        }
    }
}

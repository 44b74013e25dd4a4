//! Commitment: how much of the final sample a reverse process has already decided at time t,
//! frequency by frequency.
//!
//! Run the stochastic sampler many times from independent noise. At time t the denoiser's x̂₀(t)
//! is the best guess of the sample; the rest of the run adds what is not yet decided. For each
//! Fourier coefficient, corr²(x̂₀(t), x₀) over the chains measures the share of the final
//! coefficient's variance that x̂₀(t) already fixes. For the Gaussian model with its exact
//! posterior mean it equals G(k, t) = SNR/(1 + SNR): (x_t, x₀) along an exact reverse run have
//! the joint law of the forward process, where corr²(x_t, x₀) = α²P/(α²P + σ²Σ).

use ndarray::Array2;
use rustfft::num_complex::Complex64;

use crate::Field;
use crate::denoise::{SpectralFilter, Wiener};
use crate::gaussian_model::{GaussianModel, ring_mean};
use crate::noise_spectrum::NoiseSpectrum;
use crate::sampler::{ancestral_sample, initial_noise, reverse_times};
use crate::schedule::Schedule;
use crate::spectrum::RadialBins;

/// Commitment per time (rows) and RAPSD ring (columns), measured and in closed form.
#[derive(Clone, Debug, PartialEq)]
pub struct Commitment {
    pub times: Vec<f64>,
    /// Ring frequencies r/L in cycles per pixel, DC included.
    pub frequency: Vec<f64>,
    /// Ring mean of corr²(x̂₀(t), x₀) over the chains.
    pub measured: Vec<Vec<f64>>,
    /// Its standard error from the number of chains (delta method, see [`measure`]).
    pub standard_error: Vec<Vec<f64>>,
    /// Ring mean of G(k, t), the closed form.
    pub expected: Vec<Vec<f64>>,
}

impl Commitment {
    /// The largest |measured − expected| in standard errors, over every time and every ring but
    /// DC (ring 0: the mean brightness, not a frequency the book follows).
    pub fn worst_z(&self) -> f64 {
        let mut worst: f64 = 0.0;
        for ((m, se), e) in self
            .measured
            .iter()
            .zip(&self.standard_error)
            .zip(&self.expected)
        {
            for r in 1..m.len() {
                worst = worst.max(((m[r] - e[r]) / se[r]).abs());
            }
        }
        worst
    }
}

// ANCHOR: expected
/// The closed form: G(k, t) = α²P/(α²P + σ²Σ) averaged over each ring.
pub fn expected_commitment<S: Schedule + Clone>(
    schedule: &S,
    model: &GaussianModel,
    noise: &NoiseSpectrum,
    t: f64,
) -> Vec<f64> {
    let (rows, cols) = model.dim();
    let wiener = Wiener::new(schedule.clone(), model, noise);
    ring_mean(&RadialBins::new(rows, cols), &wiener.signal_fractions(t))
}
// ANCHOR_END: expected

/// For every ring, the time at which its closed-form commitment falls through 1/2 (bisection:
/// G only falls with t for the book's schedules). 0 if it is below 1/2 from the start, 1 if it
/// never falls below.
pub fn half_times<S: Schedule + Clone>(
    schedule: &S,
    model: &GaussianModel,
    noise: &NoiseSpectrum,
) -> Vec<f64> {
    let rings = model.rapsd().frequency.len();
    let at = |t: f64| expected_commitment(schedule, model, noise, t);
    (0..rings)
        .map(|r| {
            let above = |t: f64| at(t)[r] >= 0.5;
            if !above(0.0) {
                return 0.0;
            }
            if above(1.0) {
                return 1.0;
            }
            let (mut lo, mut hi) = (0.0, 1.0);
            for _ in 0..40 {
                let mid = 0.5 * (lo + hi);
                if above(mid) { lo = mid } else { hi = mid }
            }
            0.5 * (lo + hi)
        })
        .collect()
}

// ANCHOR: sums
/// The commitment estimator, apart from any sampler: per time and per bin, running sums over
/// chains of Re(conj X̂·X₀), |X̂|² and |X₀|² (X̂ the spectrum of a chain's guess x̂₀(t), X₀ that
/// of the sample the chain ends on). Anything that produces chains can feed it: [`measure`]
/// runs the Gaussian model's exact sampler, a trained network's sampler can add its own chains
/// (in any order, in batches), and [`CommitmentSums::finish`] turns the sums into commitment per
/// ring.
#[derive(Clone, Debug)]
pub struct CommitmentSums {
    times: Vec<f64>,
    sums: Vec<BinSums>,
}

/// The sums of one time, per bin (unshifted layout), and how many chains went into them.
#[derive(Clone, Debug)]
struct BinSums {
    cross: Field,
    guess: Field,
    last: Field,
    chains: usize,
}

impl CommitmentSums {
    /// Empty sums for guesses at `times` (one entry per time a chain reports), on `rows × cols`
    /// fields.
    pub fn new(times: Vec<f64>, rows: usize, cols: usize) -> CommitmentSums {
        let empty = BinSums {
            cross: Field::zeros((rows, cols)),
            guess: Field::zeros((rows, cols)),
            last: Field::zeros((rows, cols)),
            chains: 0,
        };
        CommitmentSums {
            sums: vec![empty; times.len()],
            times,
        }
    }

    /// The times the sums are kept at.
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// Adds one chain at the `i`-th time: the spectrum of its guess x̂₀(t) and the spectrum of the
    /// sample it finally produced (both as [`SpectralFilter::spectrum`] gives them).
    pub fn add(&mut self, i: usize, guess: &Array2<Complex64>, last: &Array2<Complex64>) {
        let sum = &mut self.sums[i];
        ndarray::Zip::from(&mut sum.cross)
            .and(&mut sum.guess)
            .and(&mut sum.last)
            .and(guess)
            .and(last)
            .for_each(|c, g, l, x, y| {
                *c += (x.conj() * y).re;
                *g += x.norm_sqr();
                *l += y.norm_sqr();
            });
        sum.chains += 1;
    }

    /// Adds one whole chain: its guesses x̂₀ at every time, in the order of [`Self::times`], and
    /// its final sample, as fields.
    pub fn add_chain(&mut self, guesses: &[Field], last: &Field) {
        assert_eq!(guesses.len(), self.times.len(), "one guess per time");
        let (rows, cols) = last.dim();
        let filter = SpectralFilter::new(rows, cols);
        let last = filter.spectrum(last);
        for (i, guess) in guesses.iter().enumerate() {
            self.add(i, &filter.spectrum(guess), &last);
        }
    }

    /// Commitment per ring at every time, beside `expected[time][ring]` (a closed form to compare
    /// with, such as [`expected_commitment`]).
    ///
    /// Per coefficient, corr² = (Σ Re(conj X̂·X₀))² / (Σ|X̂|² · Σ|X₀|²) over the chains (the means
    /// are known to be zero); real and imaginary parts count as two samples, so n = 2·chains. It
    /// is corrected for its small-sample bias and given a standard error (see the body); a ring
    /// averages its bins, of which half are independent (k and −k are complex conjugates).
    pub fn finish(&self, expected: Vec<Vec<f64>>) -> Commitment {
        assert_eq!(
            expected.len(),
            self.times.len(),
            "one expected row per time"
        );
        let (rows, cols) = self.sums.first().map_or((0, 0), |s| s.cross.dim());
        let bins = RadialBins::new(rows, cols);
        let independent = bins.independent_counts();
        let mut out = Commitment {
            times: self.times.clone(),
            frequency: bins.frequencies(),
            measured: Vec::new(),
            standard_error: Vec::new(),
            expected,
        };
        for sum in &self.sums {
            let n = 2.0 * sum.chains as f64;
            let mut rho2 = sum.cross.mapv(|c| c * c);
            ndarray::Zip::from(&mut rho2)
                .and(&sum.guess)
                .and(&sum.last)
                .for_each(|r, g, f| {
                    *r = if *g > 0.0 && *f > 0.0 {
                        *r / (g * f)
                    } else {
                        0.0
                    }
                });
            // ρ̂² over n samples sits above ρ² by about (1 − ρ²)/n (for ρ = 0 it is χ²₁/n, mean
            // 1/n): subtract that, as adjusted R² does. Its variance: the delta method's
            // 4ρ²(1 − ρ²)²/n, plus χ²₁/n's 2(1 − ρ²)²/n², which dominates where ρ is near 0.
            let adjusted = rho2.mapv(|r| r - (1.0 - r) / n);
            let variance = rho2.mapv(|r| (1.0 - r).powi(2) * (4.0 * r / n + 2.0 / (n * n)));
            out.measured.push(ring_mean(&bins, &adjusted));
            out.standard_error.push(
                ring_mean(&bins, &variance)
                    .iter()
                    .zip(&independent)
                    .map(|(v, k)| (v / *k as f64).sqrt())
                    .collect(),
            );
        }
        out
    }
}
// ANCHOR_END: sums

// ANCHOR: measure
/// Runs `chains` independent ancestral chains of `steps` steps and measures, at every
/// `every`-th step strictly between t = 1 and t = 0, the commitment of each ring.
pub fn measure<S, R>(
    schedule: &S,
    model: &GaussianModel,
    noise: &NoiseSpectrum,
    steps: usize,
    every: usize,
    chains: usize,
    rng: &mut R,
) -> Commitment
where
    S: Schedule + Clone,
    R: rand::Rng,
{
    let (rows, cols) = model.dim();
    let wiener = Wiener::new(schedule.clone(), model, noise);
    let times = reverse_times(steps);
    let kept: Vec<usize> = (every..steps).step_by(every).collect();
    let mut sums = CommitmentSums::new(kept.iter().map(|&i| times[i]).collect(), rows, cols);
    for _ in 0..chains {
        let mut guesses = Vec::with_capacity(kept.len());
        let mut step = 0;
        let x1 = initial_noise(schedule, noise, times[0], rng);
        let x0 = ancestral_sample(schedule, &wiener, noise, x1, &times, rng, |v| {
            if kept.contains(&step) {
                guesses.push(v.x0_hat.clone());
            }
            step += 1;
        });
        sums.add_chain(&guesses, &x0);
    }
    let expected = sums
        .times()
        .iter()
        .map(|&t| expected_commitment(schedule, model, noise, t))
        .collect();
    sums.finish(expected)
}
// ANCHOR_END: measure

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::seeded_rng;
    use crate::schedule::RectifiedFlow;

    fn falling_model(n: usize) -> GaussianModel {
        crate::gaussian_model::falling_model(n, 10.0, 0.5, 1.0, 1.2)
    }

    /// The path `measure` took before its sums moved into `CommitmentSums`, kept to prove the
    /// move changed no bit.
    fn measure_before<S: Schedule + Clone, R: rand::Rng>(
        schedule: &S,
        model: &GaussianModel,
        noise: &NoiseSpectrum,
        steps: usize,
        every: usize,
        chains: usize,
        rng: &mut R,
    ) -> Commitment {
        struct Sums {
            cross: Field,
            guess: Field,
        }
        let (rows, cols) = model.dim();
        let wiener = Wiener::new(schedule.clone(), model, noise);
        let filter = SpectralFilter::new(rows, cols);
        let times = reverse_times(steps);
        let kept: Vec<usize> = (every..steps).step_by(every).collect();
        let mut sums: Vec<Sums> = kept
            .iter()
            .map(|_| Sums {
                cross: Field::zeros((rows, cols)),
                guess: Field::zeros((rows, cols)),
            })
            .collect();
        let mut final_power = Field::zeros((rows, cols));
        for _ in 0..chains {
            let mut guesses = Vec::with_capacity(kept.len());
            let mut step = 0;
            let x1 = initial_noise(schedule, noise, times[0], rng);
            let x0 = ancestral_sample(schedule, &wiener, noise, x1, &times, rng, |v| {
                if kept.contains(&step) {
                    guesses.push(filter.spectrum(v.x0_hat));
                }
                step += 1;
            });
            let final_spectrum = filter.spectrum(&x0);
            final_power.zip_mut_with(&final_spectrum, |p, z| *p += z.norm_sqr());
            for (sum, guess) in sums.iter_mut().zip(&guesses) {
                ndarray::Zip::from(&mut sum.cross)
                    .and(&mut sum.guess)
                    .and(guess)
                    .and(&final_spectrum)
                    .for_each(|c, g, x, y| {
                        *c += (x.conj() * y).re;
                        *g += x.norm_sqr();
                    });
            }
        }
        let bins = RadialBins::new(rows, cols);
        let independent = bins.independent_counts();
        let n = 2.0 * chains as f64;
        let mut out = Commitment {
            times: kept.iter().map(|&i| times[i]).collect(),
            frequency: bins.frequencies(),
            measured: Vec::new(),
            standard_error: Vec::new(),
            expected: Vec::new(),
        };
        for (sum, &t) in sums.iter().zip(&out.times) {
            let mut rho2 = sum.cross.mapv(|c| c * c);
            ndarray::Zip::from(&mut rho2)
                .and(&sum.guess)
                .and(&final_power)
                .for_each(|r, g, f| {
                    *r = if *g > 0.0 && *f > 0.0 {
                        *r / (g * f)
                    } else {
                        0.0
                    }
                });
            let adjusted = rho2.mapv(|r| r - (1.0 - r) / n);
            let variance = rho2.mapv(|r| (1.0 - r).powi(2) * (4.0 * r / n + 2.0 / (n * n)));
            out.measured.push(ring_mean(&bins, &adjusted));
            out.standard_error.push(
                ring_mean(&bins, &variance)
                    .iter()
                    .zip(&independent)
                    .map(|(v, k)| (v / *k as f64).sqrt())
                    .collect(),
            );
            out.expected
                .push(expected_commitment(schedule, model, noise, t));
        }
        out
    }

    #[test]
    fn measure_through_the_sums_is_bit_identical_to_the_old_path() {
        let model = falling_model(16);
        for noise in [
            NoiseSpectrum::white(16, 16),
            NoiseSpectrum::flipped_snr(&model),
        ] {
            let new = measure(
                &RectifiedFlow,
                &model,
                &noise,
                20,
                4,
                30,
                &mut seeded_rng(3),
            );
            let old = measure_before(
                &RectifiedFlow,
                &model,
                &noise,
                20,
                4,
                30,
                &mut seeded_rng(3),
            );
            assert_eq!(new, old, "{}", noise.name);
        }
    }

    #[test]
    fn measured_commitment_is_the_closed_form_within_its_standard_error() {
        let model = falling_model(16);
        let noise = NoiseSpectrum::white(16, 16);
        let c = measure(
            &RectifiedFlow,
            &model,
            &noise,
            100,
            10,
            300,
            &mut seeded_rng(1),
        );
        let mut worst: f64 = 0.0;
        for ((m, se), e) in c.measured.iter().zip(&c.standard_error).zip(&c.expected) {
            for r in 1..m.len() {
                let z = (m[r] - e[r]) / se[r].max(1e-3);
                worst = worst.max(z.abs());
            }
        }
        // 9 times × 7 rings: a |z| above 4.5 would happen once in ~2,000 runs by chance.
        assert!(worst < 4.5, "worst deviation {worst} standard errors");
    }

    #[test]
    fn the_closed_form_is_one_half_where_the_ring_snr_is_one_on_an_isotropic_model() {
        // On an isotropic spectrum G is constant on rings, so the ring's G = 1/2 exactly where
        // α²P = σ²: t/(1 − t) = √P for rectified flow.
        let n = 16;
        let bins = RadialBins::new(n, n);
        let ring_power: Vec<f64> = (0..bins.len())
            .map(|r| 50.0 / (1.0 + r as f64).powi(2))
            .collect();
        let centred = Field::from_shape_fn((n, n), |(i, j)| {
            let r = (i as f64 - 8.0).hypot(j as f64 - 8.0).round() as usize;
            ring_power[r.min(bins.len() - 1)]
        });
        // Back to the unshifted layout: fftshift twice is the identity for even sizes.
        let model = GaussianModel {
            power: crate::fft::fftshift(&centred),
        };
        let noise = NoiseSpectrum::white(n, n);
        let half = half_times(&RectifiedFlow, &model, &noise);
        for r in 0..bins.len() {
            let root = ring_power[r].sqrt();
            assert!((half[r] - root / (1.0 + root)).abs() < 1e-9, "r = {r}");
        }
    }
}

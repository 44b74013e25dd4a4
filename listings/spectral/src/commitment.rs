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
use crate::sampler::{Visit, ancestral_sample, initial_noise, ode_sample, reverse_times};
use crate::schedule::Schedule;
use crate::spectrum::RadialBins;

/// How far, in standard errors, a measured commitment may stray from its closed form before the
/// book's tests call it wrong. For a normal deviation, P(|z| > 4.5) = 6.8e-6 per comparison.
pub const Z_LIMIT: f64 = 4.5;

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

/// For every ring, the time at which its closed-form commitment falls through 1/2: the ring's
/// analogue of f_max (see [`crossing_times`]).
pub fn half_times<S: Schedule + Clone>(
    schedule: &S,
    model: &GaussianModel,
    noise: &NoiseSpectrum,
) -> Vec<f64> {
    crossing_times(schedule, model, noise, 0.5)
}

/// For every ring, the time at which its closed-form commitment falls through `level`
/// (bisection: G only falls with t for the book's schedules). 0 if it is below `level` from the
/// start, 1 if it never falls below.
pub fn crossing_times<S: Schedule + Clone>(
    schedule: &S,
    model: &GaussianModel,
    noise: &NoiseSpectrum,
    level: f64,
) -> Vec<f64> {
    let rings = model.rapsd().frequency.len();
    let at = |t: f64| expected_commitment(schedule, model, noise, t);
    (0..rings)
        .map(|r| {
            let above = |t: f64| at(t)[r] >= level;
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
    /// Per coefficient, corr² over the chains by [`squared_correlation`], with its real and
    /// imaginary parts as two samples each (n = 2·chains); a ring averages its bins, of which
    /// half are independent (k and −k are complex conjugates). The standard error counts the
    /// conjugate pairs of a ring as independent, which they are for the Gaussian model; for a
    /// sampler whose frequencies are correlated (a trained network's) it can be too small, and
    /// the spread over independent batches of chains is the safer error.
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
        // Samples per bin: real and imaginary parts, except where k = −k (DC, and the Nyquist
        // bins of even sizes, which lie outside the kept rings) and the imaginary part is 0.
        let real_bins = self_conjugate(rows, cols);
        for sum in &self.sums {
            let mut estimate = Field::zeros((rows, cols));
            let mut variance = Field::zeros((rows, cols));
            for (k, (e, v)) in estimate.iter_mut().zip(variance.iter_mut()).enumerate() {
                let bin = (k / cols, k % cols);
                let n = if real_bins[bin] { 1.0 } else { 2.0 } * sum.chains as f64;
                (*e, *v) = squared_correlation(sum.cross[bin], sum.guess[bin], sum.last[bin], n);
            }
            out.measured.push(ring_mean(&bins, &estimate));
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

// ANCHOR: corr2
/// One coefficient's squared correlation over the chains, from its sums Σxy, Σx², Σy² over n
/// zero-mean samples, corrected for its small-sample bias; with the variance of that estimate.
///
/// r² = (Σxy)²/(Σx²·Σy²) is biased. Its exact mean is 1 − (n − 1)/n·(1 − ρ²)·₂F₁(1, 1;
/// n/2 + 1; ρ²) (r has the law of a Pearson correlation of n + 1 samples); expanded in 1/n, with
/// a = ρ², E[r²] = a + (1 − a)(1 − 2a)/n + 2a(1 − a)(3 − 4a)/n² + O(1/n³). The first-order term
/// (the delta method gives it too: E[r] ≈ ρ − ρ(1 − ρ²)/(2n), Var r ≈ (1 − ρ²)²/n) makes r²
/// too high by 1/n where ρ = 0 (n·r² is then nearly χ²₁), right at ρ² = 1/2, too low above.
/// Subtracting it with r² for a leaves (1 − a)(3 − 12a + 8a²)/n², at most 3/n² (at ρ = 0).
/// The variance to first order: 4a(1 − a)²/n, plus 2(1 − a)²/n², which dominates where ρ is
/// near 0; evaluated at the corrected estimate (clipped to [0, 1]). Where a is below about 1/n
/// that overstates the error (by up to √2 at ρ = 0: the clipped estimate is then above a on
/// average), so the comparisons it enters err on the lenient side there. The tests check the
/// mean, the leftover bias and the error against simulated pairs of known ρ.
pub fn squared_correlation(cross: f64, guess: f64, last: f64, n: f64) -> (f64, f64) {
    let r2 = if guess > 0.0 && last > 0.0 {
        cross * cross / (guess * last)
    } else {
        0.0
    };
    let estimate = r2 - (1.0 - r2) * (1.0 - 2.0 * r2) / n;
    let rho2 = estimate.clamp(0.0, 1.0);
    let variance = (1.0 - rho2).powi(2) * (4.0 * rho2 / n + 2.0 / (n * n));
    (estimate, variance)
}
// ANCHOR_END: corr2

/// Which bins of a `rows × cols` spectrum are their own mirror image, k = −k (mod the size).
fn self_conjugate(rows: usize, cols: usize) -> ndarray::Array2<bool> {
    ndarray::Array2::from_shape_fn((rows, cols), |(i, j)| {
        ((rows - i) % rows, (cols - j) % cols) == (i, j)
    })
}

/// How many independent chains to run, how many steps each takes from t = 1 to t = 0, and every
/// how many steps to measure (at every `every`-th step strictly between t = 1 and t = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chains {
    pub count: usize,
    pub steps: usize,
    pub every: usize,
}

impl Chains {
    /// The indices of the steps measured, into [`reverse_times`]`(steps)`.
    fn kept(&self) -> Vec<usize> {
        (self.every..self.steps).step_by(self.every).collect()
    }
}

/// Which sampler the chains run (see [`crate::sampler`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampler {
    /// The ancestral sampler, drawing from the Gaussian model's exact posterior: commitment is G.
    Ancestral,
    /// The deterministic (DDIM) sampler: the sample is a fixed function of the starting noise,
    /// and for this model a per-frequency rescaling of it, so every coefficient of x̂₀(t) is
    /// proportional to the final one and corr² is 1 at every ring and time. `expected` still
    /// holds G, which this sampler does not follow.
    Deterministic,
}

// ANCHOR: measure
/// Runs independent chains of `sampler`, each from fresh noise at t = 1, and measures the
/// commitment of every ring at the kept steps.
pub fn measure<S, R>(
    schedule: &S,
    model: &GaussianModel,
    noise: &NoiseSpectrum,
    sampler: Sampler,
    chains: Chains,
    rng: &mut R,
) -> Commitment
where
    S: Schedule + Clone,
    R: rand::Rng,
{
    let (rows, cols) = model.dim();
    let wiener = Wiener::new(schedule.clone(), model, noise);
    let times = reverse_times(chains.steps);
    let kept = chains.kept();
    let mut sums = CommitmentSums::new(kept.iter().map(|&i| times[i]).collect(), rows, cols);
    for _ in 0..chains.count {
        let mut guesses = Vec::with_capacity(kept.len());
        let mut step = 0;
        let keep = |v: Visit<'_>| {
            if kept.contains(&step) {
                guesses.push(v.x0_hat.clone());
            }
            step += 1;
        };
        let x1 = initial_noise(schedule, noise, times[0], rng);
        let x0 = match sampler {
            Sampler::Ancestral => ancestral_sample(schedule, &wiener, noise, x1, &times, rng, keep),
            Sampler::Deterministic => ode_sample(schedule, &wiener, x1, &times, keep),
        };
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
    use crate::noise::{gaussian_field, seeded_rng};
    use crate::schedule::RectifiedFlow;

    fn falling_model(n: usize) -> GaussianModel {
        crate::gaussian_model::falling_model(n, 10.0, 0.5, 1.0, 1.2)
    }

    /// n zero-mean pairs (x, y) with correlation ρ: the sums Σxy, Σx², Σy².
    fn simulated_sums<R: rand::Rng>(rho: f64, n: usize, rng: &mut R) -> (f64, f64, f64) {
        use rand_distr::{Distribution, StandardNormal};
        let (mut xy, mut xx, mut yy) = (0.0, 0.0, 0.0);
        for _ in 0..n {
            let x: f64 = StandardNormal.sample(rng);
            let e: f64 = StandardNormal.sample(rng);
            let y = rho * x + (1.0 - rho * rho).sqrt() * e;
            (xy, xx, yy) = (xy + x * y, xx + x * x, yy + y * y);
        }
        (xy, xx, yy)
    }

    #[test]
    fn the_corrected_squared_correlation_is_unbiased_on_simulated_pairs() {
        // Ground truth: pairs drawn with a known ρ. Over `draws` repetitions of n = 100 samples,
        // the corrected estimate's mean must be ρ² plus the leftover bias (1 − a)(3 − 12a + 8a²)/n²
        // derived above, within 4 of its standard errors; plain r² and the earlier correction
        // r² − (1 − r²)/n must miss by their first-order bias, 10 standard errors or more (plain
        // r² at ρ = 0, where it is 1/n too high; the earlier one at ρ² = 1/2, −2a(1 − a)/n).
        let (n, draws) = (100, 40_000);
        let mut rng = seeded_rng(11);
        for rho2 in [0.0, 0.1, 0.5, 0.9] {
            let (mut sum, mut sum_sq, mut raw, mut earlier, mut predicted) =
                (0.0, 0.0, 0.0, 0.0, 0.0);
            for _ in 0..draws {
                let (xy, xx, yy) = simulated_sums(f64::sqrt(rho2), n, &mut rng);
                let (estimate, variance) = squared_correlation(xy, xx, yy, n as f64);
                let r2 = xy * xy / (xx * yy);
                sum += estimate;
                sum_sq += estimate * estimate;
                raw += r2;
                earlier += r2 - (1.0 - r2) / n as f64;
                predicted += variance;
            }
            let d = draws as f64;
            let mean = sum / d;
            let spread = (sum_sq / d - mean * mean).sqrt();
            let se = spread / d.sqrt();
            let leftover = (1.0 - rho2) * (3.0 - 12.0 * rho2 + 8.0 * rho2 * rho2) / (n * n) as f64;
            assert!(
                (mean - rho2 - leftover).abs() < 4.0 * se,
                "ρ² {rho2}: mean {mean} ± {se}, leftover bias {leftover}"
            );
            if rho2 == 0.5 {
                assert!(
                    (earlier / d - rho2).abs() > 10.0 * se,
                    "old {} ± {se}",
                    earlier / d
                );
            }
            if rho2 == 0.0 {
                assert!((raw / d - rho2).abs() > 10.0 * se, "r² {} ± {se}", raw / d);
            }
            // The stated error matches the simulated spread to within 10%, except near ρ = 0,
            // where it may overstate it (by √2 at most).
            let ratio = (predicted / d).sqrt() / spread;
            let allowed = if rho2 == 0.0 { 0.9..1.45 } else { 0.9..1.1 };
            assert!(
                allowed.contains(&ratio),
                "ρ² {rho2}: stated / simulated error {ratio}"
            );
        }
    }

    #[test]
    fn finish_averages_the_per_bin_estimates_over_each_ring() {
        // Sums fed with random fields; every ring's value recomputed bin by bin from the spectra,
        // the ring found from the signed frequencies (not from `RadialBins`).
        let (n, chains) = (8, 5);
        let mut rng = seeded_rng(12);
        let filter = SpectralFilter::new(n, n);
        let mut sums = CommitmentSums::new(vec![0.5], n, n);
        let mut spectra = Vec::new();
        for _ in 0..chains {
            let last = gaussian_field(n, n, 1.0, &mut rng);
            let guess = &last * 0.5 + gaussian_field(n, n, 1.0, &mut rng);
            sums.add_chain(std::slice::from_ref(&guess), &last);
            spectra.push((filter.spectrum(&guess), filter.spectrum(&last)));
        }
        let c = sums.finish(vec![vec![0.0; n / 2]]);
        let signed = |k: usize| {
            if k <= n / 2 {
                k as f64
            } else {
                k as f64 - n as f64
            }
        };
        for r in 0..n / 2 {
            let (mut total, mut variance, mut count) = (0.0, 0.0, 0);
            for (i, j) in (0..n).flat_map(|i| (0..n).map(move |j| (i, j))) {
                if signed(i).hypot(signed(j)).round() as usize != r {
                    continue;
                }
                let (mut xy, mut xx, mut yy) = (0.0, 0.0, 0.0);
                for (g, l) in &spectra {
                    let (g, l) = (g[[i, j]], l[[i, j]]);
                    xy += g.re * l.re + g.im * l.im;
                    xx += g.norm_sqr();
                    yy += l.norm_sqr();
                }
                let real = i % (n / 2) == 0 && j % (n / 2) == 0;
                let samples = if real { 1.0 } else { 2.0 } * chains as f64;
                let (e, v) = squared_correlation(xy, xx, yy, samples);
                total += e;
                variance += v;
                count += 1;
            }
            let independent = if r == 0 { 1 } else { count / 2 };
            let se = (variance / count as f64 / independent as f64).sqrt();
            assert!(
                (c.measured[0][r] - total / count as f64).abs() < 1e-12,
                "ring {r}"
            );
            assert!((c.standard_error[0][r] - se).abs() < 1e-12, "ring {r}");
        }
    }

    #[test]
    fn measured_commitment_is_the_closed_form_within_its_standard_error() {
        let model = falling_model(16);
        let noise = NoiseSpectrum::white(16, 16);
        let chains = Chains {
            count: 300,
            steps: 100,
            every: 10,
        };
        let c = measure(
            &RectifiedFlow,
            &model,
            &noise,
            Sampler::Ancestral,
            chains,
            &mut seeded_rng(1),
        );
        // 9 times × 7 rings = 63 comparisons: for a normal z, P(|z| > 4.5) = 6.8e-6, so some |z|
        // exceeds the limit by chance in at most 63 × 6.8e-6 = 0.04% of runs.
        let worst = c.worst_z();
        assert!(worst < Z_LIMIT, "worst deviation {worst} standard errors");
    }

    #[test]
    fn the_deterministic_sampler_has_decided_everything_from_the_start() {
        // Along the ODE, x̂₀(t) and the sample are both the starting noise rescaled per
        // frequency: corr² = 1 at every ring and time, though G is far from 1.
        let model = falling_model(16);
        let noise = NoiseSpectrum::white(16, 16);
        let chains = Chains {
            count: 20,
            steps: 50,
            every: 10,
        };
        let c = measure(
            &RectifiedFlow,
            &model,
            &noise,
            Sampler::Deterministic,
            chains,
            &mut seeded_rng(2),
        );
        for (m, e) in c.measured.iter().zip(&c.expected) {
            assert!(m[1..].iter().all(|v| (v - 1.0).abs() < 1e-9), "{m:?}");
            assert!(e[1..].iter().any(|g| *g < 0.9));
        }
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

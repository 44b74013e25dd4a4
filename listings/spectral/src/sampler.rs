//! Running a diffusion process backwards: from noise at t = 1 to a sample at t = 0, one step at a
//! time, asking a [`Denoiser`] for x̂₀ at every step.
//!
//! Two samplers, each a plain loop over a decreasing list of times:
//! - [`ode_sample`], deterministic: DDIM's step, the first-order exponential integrator of the
//!   probability-flow ODE. It keeps the noise estimate ε̂ = (x_t − α_t·x̂₀)/σ_t and re-mixes it
//!   with x̂₀ at the next noise level.
//! - [`ancestral_sample`], stochastic: DDPM's ancestral step, which draws x_s from the Gaussian
//!   q(x_s | x_t, x₀) of the forward process, fresh noise at every step. With x₀ drawn from the
//!   denoiser's posterior p(x₀ | x_t) this is an exact draw from p(x_s | x_t), whatever the step
//!   size; with x₀ = x̂₀, all a network offers, it is exact only as the steps shrink (it leaves out
//!   the uncertainty of x̂₀).
//!
//! With noise of variance Σ(k) per frequency ([`NoiseSpectrum`]) both steps keep their
//! coefficients: every variance in them is multiplied by the same Σ(k), which cancels in the
//! ratios, and the ancestral step's fresh noise is drawn from Σ.

use crate::Field;
use crate::denoise::Denoiser;
use crate::noise_spectrum::NoiseSpectrum;
use crate::schedule::Schedule;

/// What a sampler reports at every time it visits: the time, the current x_t and the
/// denoiser's x̂₀ (at the last time, t = 0, x̂₀ is the sample).
pub struct Visit<'a> {
    pub t: f64,
    pub x_t: &'a Field,
    pub x0_hat: &'a Field,
}

/// `steps + 1` times from 1 down to 0, evenly spaced: the sampler's grid.
pub fn reverse_times(steps: usize) -> Vec<f64> {
    assert!(steps >= 1, "a sampler needs at least one step");
    (0..=steps).rev().map(|i| i as f64 / steps as f64).collect()
}

/// The starting point of every sampler: pure noise at the first time, σ(t₀)·ε_Σ (α(1) = 0 for
/// rectified flow, so nothing of the data is left to start from).
pub fn initial_noise<S, R>(schedule: &S, noise: &NoiseSpectrum, t0: f64, rng: &mut R) -> Field
where
    S: Schedule + ?Sized,
    R: rand::Rng + ?Sized,
{
    noise.sample(rng) * schedule.sigma(t0)
}

// ANCHOR: ode
/// The deterministic sampler: from `x` at `times[0]` down the decreasing `times`, DDIM steps
/// x_s = α_s·x̂₀ + σ_s·ε̂ with ε̂ = (x_t − α_t·x̂₀)/σ_t. Returns the sample (x at the last time).
pub fn ode_sample<S, D, V>(
    schedule: &S,
    denoiser: &D,
    mut x: Field,
    times: &[f64],
    mut visit: V,
) -> Field
where
    S: Schedule + ?Sized,
    D: Denoiser + ?Sized,
    V: FnMut(Visit<'_>),
{
    for pair in times.windows(2) {
        let (t, s) = (pair[0], pair[1]);
        let x0_hat = denoiser.denoise(&x, t);
        visit(Visit {
            t,
            x_t: &x,
            x0_hat: &x0_hat,
        });
        x = ode_step(schedule, &x, &x0_hat, t, s);
    }
    finish(times, x, visit)
}

/// One DDIM step from time t to time s < t, given the denoiser's x̂₀ at t.
pub fn ode_step<S: Schedule + ?Sized>(
    schedule: &S,
    x: &Field,
    x0_hat: &Field,
    t: f64,
    s: f64,
) -> Field {
    let eps_hat = (x - &(x0_hat * schedule.alpha(t))) / schedule.sigma(t);
    x0_hat * schedule.alpha(s) + &eps_hat * schedule.sigma(s)
}
// ANCHOR_END: ode

// ANCHOR: ancestral
/// The stochastic sampler: from `x` at `times[0]` down the decreasing `times`, each step a draw
/// from the forward process's posterior q(x_s | x_t, x₀), with x₀ a draw from the denoiser's
/// posterior where it offers one, its estimate x̂₀ otherwise:
/// with α_{t|s} = α_t/α_s and σ²_{t|s} = σ_t² − α_{t|s}²σ_s²,
/// mean = (α_{t|s}σ_s²·x_t + α_s σ²_{t|s}·x̂₀)/σ_t², variance = σ²_{t|s}σ_s²/σ_t² (times Σ).
pub fn ancestral_sample<S, D, V, R>(
    schedule: &S,
    denoiser: &D,
    noise: &NoiseSpectrum,
    mut x: Field,
    times: &[f64],
    rng: &mut R,
    mut visit: V,
) -> Field
where
    S: Schedule + ?Sized,
    D: Denoiser + ?Sized,
    V: FnMut(Visit<'_>),
    R: rand::Rng,
{
    for pair in times.windows(2) {
        let (t, s) = (pair[0], pair[1]);
        let x0_hat = denoiser.denoise(&x, t);
        visit(Visit {
            t,
            x_t: &x,
            x0_hat: &x0_hat,
        });
        let x0 = denoiser.sample_posterior(&x, t, rng).unwrap_or(x0_hat);
        x = ancestral_step(schedule, noise, &x, &x0, t, s, rng);
    }
    finish(times, x, visit)
}

/// One ancestral step from time t to time s < t: a draw from q(x_s | x_t, x₀).
pub fn ancestral_step<S, R>(
    schedule: &S,
    noise: &NoiseSpectrum,
    x: &Field,
    x0: &Field,
    t: f64,
    s: f64,
    rng: &mut R,
) -> Field
where
    S: Schedule + ?Sized,
    R: rand::Rng + ?Sized,
{
    let (a_t, s_t, a_s, s_s) = (
        schedule.alpha(t),
        schedule.sigma(t),
        schedule.alpha(s),
        schedule.sigma(s),
    );
    let a_ts = a_t / a_s;
    let var_ts = (s_t * s_t - a_ts * a_ts * s_s * s_s).max(0.0);
    let mean = (x * (a_ts * s_s * s_s) + x0 * (a_s * var_ts)) / (s_t * s_t);
    let spread = (var_ts * s_s * s_s / (s_t * s_t)).sqrt();
    if spread > 0.0 {
        mean + noise.sample(rng) * spread
    } else {
        mean
    }
}
// ANCHOR_END: ancestral

/// Reports the final state, where x̂₀ is the sample itself.
fn finish<V: FnMut(Visit<'_>)>(times: &[f64], x: Field, mut visit: V) -> Field {
    if let Some(&t) = times.last() {
        visit(Visit {
            t,
            x_t: &x,
            x0_hat: &x,
        });
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::denoise::{SpectralFilter, Wiener};
    use crate::gaussian_model::{GaussianModel, bin_power};
    use crate::noise::{gaussian_field, seeded_rng};
    use crate::schedule::{RectifiedFlow, VpCosine};

    fn falling_model(n: usize) -> GaussianModel {
        crate::gaussian_model::falling_model(n, 30.0, 0.5, 1.0, 1.2)
    }

    /// The exact probability-flow trajectory of a Gaussian model, per coefficient: the marginal
    /// at t has variance v_t = α²P + σ²Σ, and the flow maps x_1 to √(v_t/v_1)·x_1.
    fn exact_ode<S: Schedule>(
        s: &S,
        model: &GaussianModel,
        noise: &NoiseSpectrum,
        x1: &Field,
        t: f64,
    ) -> Field {
        let v = |t: f64| {
            let (a, sg) = (s.alpha(t), s.sigma(t));
            let mut v = model.power.mapv(|p| a * a * p);
            v.zip_mut_with(&noise.variance, |v, n| *v += sg * sg * n);
            v
        };
        let ratio = (v(t) / v(1.0)).mapv(f64::sqrt);
        let (rows, cols) = model.dim();
        SpectralFilter::new(rows, cols).apply(x1, &ratio)
    }

    fn relative_error(a: &Field, b: &Field) -> f64 {
        ((a - b).mapv(|v| v * v).sum() / b.mapv(|v| v * v).sum()).sqrt()
    }

    /// The largest relative error of the ODE sampler's trajectory against the exact flow.
    fn worst_ode_error(steps: usize, noise: &NoiseSpectrum) -> f64 {
        let model = falling_model(16);
        let wiener = Wiener::new(RectifiedFlow, &model, noise);
        let x1 = initial_noise(&RectifiedFlow, noise, 1.0, &mut seeded_rng(4));
        let mut worst: f64 = 0.0;
        ode_sample(
            &RectifiedFlow,
            &wiener,
            x1.clone(),
            &reverse_times(steps),
            |v| {
                let exact = exact_ode(&RectifiedFlow, &model, noise, &x1, v.t);
                worst = worst.max(relative_error(v.x_t, &exact));
            },
        );
        worst
    }

    #[test]
    fn the_ode_sampler_follows_the_exact_flow_with_a_first_order_error() {
        for noise in [
            NoiseSpectrum::white(16, 16),
            NoiseSpectrum::equal_snr(&falling_model(16)),
        ] {
            let (coarse, fine) = (worst_ode_error(50, &noise), worst_ode_error(200, &noise));
            // First order: four times the steps, about a quarter of the error.
            assert!(coarse < 0.05, "{}: {coarse}", noise.name);
            let ratio = coarse / fine;
            assert!(
                (3.0..5.0).contains(&ratio),
                "{}: {coarse} / {fine}",
                noise.name
            );
        }
    }

    #[test]
    fn ancestral_samples_have_the_models_spectrum() {
        let model = falling_model(16);
        let noise = NoiseSpectrum::white(16, 16);
        let schedule = VpCosine::default();
        let wiener = Wiener::new(schedule, &model, &noise);
        let mut rng = seeded_rng(5);
        let filter = SpectralFilter::new(16, 16);
        let draws = 300;
        let mut total = Field::zeros((16, 16));
        let times: Vec<f64> = reverse_times(200)
            .into_iter()
            .map(|t| t.min(0.999))
            .collect();
        for _ in 0..draws {
            let x1 = initial_noise(&schedule, &noise, times[0], &mut rng);
            let x0 = ancestral_sample(&schedule, &wiener, &noise, x1, &times, &mut rng, |_| {});
            total += &bin_power(&filter.spectrum(&x0));
        }
        // Per bin the mean of 300 exponential values: relative standard error 1/√300 = 5.8%;
        // summed over all bins of the spectrum, 1/√(300·128) ≈ 0.5%.
        let mean = total / draws as f64;
        let ratio: f64 = (&mean / &model.power).mean().unwrap();
        assert!((ratio - 1.0).abs() < 0.03, "{ratio}");
        for (m, p) in mean.iter().zip(&model.power) {
            assert!((m / p - 1.0).abs() < 0.35, "{m} vs {p}");
        }
    }

    #[test]
    fn with_a_perfect_denoiser_one_step_lands_on_the_data() {
        // A denoiser that knows x₀ turns both samplers into the forward process run backwards.
        let x0 = gaussian_field(4, 4, 1.0, &mut seeded_rng(6));
        let known = |_: &Field, _: f64| x0.clone();
        let noise = NoiseSpectrum::white(4, 4);
        let out = ode_sample(
            &RectifiedFlow,
            &known,
            Field::ones((4, 4)),
            &[1.0, 0.0],
            |_| {},
        );
        assert_eq!(out, x0);
        let out = ancestral_sample(
            &RectifiedFlow,
            &known,
            &noise,
            Field::ones((4, 4)),
            &reverse_times(3),
            &mut seeded_rng(7),
            |_| {},
        );
        assert!(relative_error(&out, &x0) < 1e-12);
    }
}

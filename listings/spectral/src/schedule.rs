//! Diffusion schedules and the maximal detectable frequency.
//!
//! A Gaussian diffusion process corrupts an image as `x_t = α(t)·x₀ + σ(t)·ε`. The RAPSD scales
//! with the square of a factor, `R[c·x] = c²·R[x]`, and standard noise has `R[ε] = 1`, so a
//! frequency f is still detectable at time t, with SNR threshold τ, when
//! `α(t)²·R[x₀](f) > τ·σ(t)²`, that is `R[x₀](f) > τ·σ(t)²/α(t)²`.

use std::f64::consts::FRAC_PI_2;

use crate::Field;
use crate::fit::PowerLaw;

// ANCHOR: schedule
/// The signal and noise scales of a Gaussian diffusion process, as functions of t ∈ [0, 1].
pub trait Schedule {
    fn name(&self) -> &'static str;
    /// Signal scale α(t).
    fn alpha(&self, t: f64) -> f64;
    /// Noise scale σ(t).
    fn sigma(&self, t: f64) -> f64;

    /// The RAPSD level a frequency must exceed to be detectable: τ·σ(t)²/α(t)²
    /// (infinite where the signal is gone, α = 0).
    fn detection_threshold(&self, t: f64, tau: f64) -> f64 {
        let (a, s) = (self.alpha(t), self.sigma(t));
        if a == 0.0 {
            f64::INFINITY
        } else {
            tau * s * s / (a * a)
        }
    }

    /// The noise-to-signal ratio σ(t)/α(t), infinite once the signal is gone. Only this ratio
    /// decides which frequencies are detectable: two schedules with the same ratio at different
    /// times drown the same frequencies.
    fn noise_to_signal(&self, t: f64) -> f64 {
        let (a, s) = (self.alpha(t), self.sigma(t));
        if a == 0.0 { f64::INFINITY } else { s / a }
    }
}
// ANCHOR_END: schedule

// ANCHOR: forward
/// The forward process: the clean image `x0` scaled by α(t) plus the noise `eps` scaled by σ(t),
/// `x_t = α(t)·x₀ + σ(t)·ε`. `eps` is a standard Gaussian field of the same shape
/// ([`crate::noise::gaussian_field`] with σ = 1), drawn by the caller so that one draw can be
/// reused across times.
pub fn forward<S: Schedule + ?Sized>(schedule: &S, x0: &Field, eps: &Field, t: f64) -> Field {
    assert_eq!(x0.dim(), eps.dim(), "image and noise must have one shape");
    let (a, s) = (schedule.alpha(t), schedule.sigma(t));
    x0 * a + eps * s
}
// ANCHOR_END: forward

// ANCHOR: rectified_flow
/// Rectified flow / flow matching, as in Stable Diffusion 3: σ(t) = t, α(t) = 1 − t.
#[derive(Clone, Copy, Debug, Default)]
pub struct RectifiedFlow;

impl Schedule for RectifiedFlow {
    fn name(&self) -> &'static str {
        "rectified flow"
    }
    fn alpha(&self, t: f64) -> f64 {
        1.0 - t
    }
    fn sigma(&self, t: f64) -> f64 {
        t
    }
}
// ANCHOR_END: rectified_flow

/// The variance-preserving cosine schedule of Nichol & Dhariwal (2021):
/// ᾱ(t) = g(t)/g(0) with g(t) = cos²(π/2 · (t + s)/(1 + s)), s = 0.008; α = √ᾱ, σ = √(1 − ᾱ).
#[derive(Clone, Copy, Debug)]
pub struct VpCosine {
    pub s: f64,
}

impl Default for VpCosine {
    fn default() -> Self {
        VpCosine { s: 0.008 }
    }
}

impl VpCosine {
    fn alpha_bar(&self, t: f64) -> f64 {
        let g = |t: f64| (FRAC_PI_2 * (t + self.s) / (1.0 + self.s)).cos().powi(2);
        (g(t) / g(0.0)).clamp(0.0, 1.0)
    }
}

impl Schedule for VpCosine {
    fn name(&self) -> &'static str {
        "VP cosine"
    }
    fn alpha(&self, t: f64) -> f64 {
        self.alpha_bar(t).sqrt()
    }
    fn sigma(&self, t: f64) -> f64 {
        (1.0 - self.alpha_bar(t)).sqrt()
    }
}

/// EDM's noise levels (Karras et al., 2022): no signal scaling (α = 1) and
/// σ(t) = (σ_min^(1/ρ) + t·(σ_max^(1/ρ) − σ_min^(1/ρ)))^ρ, the sampler's σ grid read backwards,
/// with σ_min = 0.002, σ_max = 80, ρ = 7.
#[derive(Clone, Copy, Debug)]
pub struct Edm {
    pub sigma_min: f64,
    pub sigma_max: f64,
    pub rho: f64,
}

impl Default for Edm {
    fn default() -> Self {
        Edm {
            sigma_min: 0.002,
            sigma_max: 80.0,
            rho: 7.0,
        }
    }
}

impl Schedule for Edm {
    fn name(&self) -> &'static str {
        "EDM"
    }
    fn alpha(&self, _t: f64) -> f64 {
        1.0
    }
    fn sigma(&self, t: f64) -> f64 {
        let (lo, hi) = (
            self.sigma_min.powf(1.0 / self.rho),
            self.sigma_max.powf(1.0 / self.rho),
        );
        (lo + t * (hi - lo)).powf(self.rho)
    }
}

// ANCHOR: f_max
/// The highest frequency whose power exceeds `threshold`, or 0 when none does (DC excluded).
/// This is the post's f_max on an empirical, discretely sampled spectrum: it does not assume
/// the spectrum is monotone, it takes the largest detectable frequency.
pub fn max_detectable_frequency(frequency: &[f64], power: &[f64], threshold: f64) -> f64 {
    frequency
        .iter()
        .zip(power)
        .filter(|(f, p)| **f > 0.0 && **p > threshold)
        .map(|(f, _)| *f)
        .fold(0.0, f64::max)
}

/// f_max(t) from the empirical mean spectrum for a schedule and SNR threshold τ.
pub fn f_max<S: Schedule + ?Sized>(
    schedule: &S,
    frequency: &[f64],
    power: &[f64],
    t: f64,
    tau: f64,
) -> f64 {
    max_detectable_frequency(frequency, power, schedule.detection_threshold(t, tau))
}
// ANCHOR_END: f_max

// ANCHOR: closed_form
/// f_max(t) in closed form from a fitted power law P(f) = C·f^(−α): the frequency where the law
/// meets the threshold, (C / (τσ²/α²))^(1/α), clipped to [0, f_top] (f_top: the highest frequency
/// the image can represent, e.g. the last RAPSD bin).
pub fn f_max_closed_form<S: Schedule + ?Sized>(
    schedule: &S,
    law: &PowerLaw,
    t: f64,
    tau: f64,
    f_top: f64,
) -> f64 {
    let threshold = schedule.detection_threshold(t, tau);
    if threshold.is_infinite() {
        return 0.0;
    }
    law.frequency_at(threshold).clamp(0.0, f_top)
}
// ANCHOR_END: closed_form

/// One row of an f_max table: the time, the empirical f_max and the closed form from the fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FmaxRow {
    pub t: f64,
    pub empirical: f64,
    pub closed_form: f64,
}

/// f_max at each of `times`, from the empirical spectrum and from the fitted law side by side
/// (the closed form clipped to the spectrum's highest frequency, so both share one ceiling).
pub fn f_max_table<S: Schedule + ?Sized>(
    schedule: &S,
    frequency: &[f64],
    power: &[f64],
    law: &PowerLaw,
    times: &[f64],
    tau: f64,
) -> Vec<FmaxRow> {
    let f_top = frequency.iter().copied().fold(0.0, f64::max);
    times
        .iter()
        .map(|&t| FmaxRow {
            t,
            empirical: f_max(schedule, frequency, power, t, tau),
            closed_form: f_max_closed_form(schedule, law, t, tau, f_top),
        })
        .collect()
}

// ANCHOR: crossing
/// Where a falling `signal` spectrum meets a `noise` spectrum: the highest frequency at which the
/// signal still exceeds the noise, refined by interpolating ln(signal/noise) linearly in ln f up to
/// the next frequency, where it no longer does. This is the continuous version of
/// [`max_detectable_frequency`] with a noise curve for threshold. It returns the highest frequency
/// when the signal exceeds the noise everywhere, and `None` when it exceeds it nowhere.
pub fn crossing_frequency(frequency: &[f64], signal: &[f64], noise: &[f64]) -> Option<f64> {
    assert!(frequency.len() == signal.len() && signal.len() == noise.len());
    let ratio = |i: usize| (signal[i] / noise[i]).ln();
    let last = (0..frequency.len())
        .rev()
        .find(|&i| frequency[i] > 0.0 && ratio(i) > 0.0)?;
    if last + 1 == frequency.len() {
        return Some(frequency[last]);
    }
    let (r0, r1) = (ratio(last), ratio(last + 1));
    let (l0, l1) = (frequency[last].ln(), frequency[last + 1].ln());
    Some((l0 + (l1 - l0) * r0 / (r0 - r1)).exp())
}
// ANCHOR_END: crossing

/// The time at which a schedule's detection threshold τσ²/α² reaches `level`: the moment a
/// frequency whose power is `level` drowns. Found by bisection on [0, 1], since the threshold never
/// decreases with t; 0 if the threshold already exceeds `level` at t = 0, 1 if it never reaches it.
pub fn time_at_threshold<S: Schedule + ?Sized>(schedule: &S, level: f64, tau: f64) -> f64 {
    let above = |t: f64| schedule.detection_threshold(t, tau) >= level;
    if above(0.0) {
        return 0.0;
    }
    if !above(1.0) {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    // 60 halvings take the interval below f64 resolution on [0, 1].
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if above(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

// ANCHOR: log_snr
/// The log signal-to-noise ratio λ(t) = ln(α(t)²/σ(t)²): +∞ before any noise, −∞ once the signal
/// is gone. Which frequencies are detectable depends on a schedule only through λ(t), so two
/// schedules with equal λ at two times drown the same frequencies then.
pub fn log_snr<S: Schedule + ?Sized>(schedule: &S, t: f64) -> f64 {
    2.0 * (schedule.alpha(t) / schedule.sigma(t)).ln()
}
// ANCHOR_END: log_snr

// ANCHOR: timestep_shift
/// The resolution-dependent timestep shift of Stable Diffusion 3 (Esser et al., 2024, eq. 23):
/// t ↦ s·t / (1 + (s − 1)·t), with s = √(m/n) for a base resolution of n pixels and a new one
/// of m pixels, that is the ratio of the side lengths. It fixes t = 0 and t = 1 and, for s > 1,
/// moves every time in between towards the noise. Shifting by s and then by 1/s is the identity.
pub fn timestep_shift(t: f64, s: f64) -> f64 {
    assert!(s > 0.0, "the timestep shift needs s > 0, not {s}");
    s * t / (1.0 + (s - 1.0) * t)
}

/// Rectified flow on the shifted clock: α(t) = 1 − t′ and σ(t) = t′, with t′ the
/// [`timestep_shift`] of t by s. Its noise-to-signal ratio is s·t/(1 − t), s times the unshifted
/// one, so its log-SNR is the unshifted one minus 2 ln s at every t.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShiftedFlow {
    pub s: f64,
}

impl Schedule for ShiftedFlow {
    fn name(&self) -> &'static str {
        "shifted rectified flow"
    }
    fn alpha(&self, t: f64) -> f64 {
        1.0 - timestep_shift(t, self.s)
    }
    fn sigma(&self, t: f64) -> f64 {
        timestep_shift(t, self.s)
    }
}
// ANCHOR_END: timestep_shift

// ANCHOR: log_snr_shift
/// Any schedule with its log-SNR shifted by `delta` at every time, λ′(t) = λ(t) + δ: the shifted
/// schedules of Hoogeboom et al. (2023), who use δ = 2 ln(64/d) at side length d. The base keeps
/// its form and runs on another clock: at time t it is the base at the time u where the base's
/// noise-to-signal ratio is e^(−δ/2) times the one it has at t.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogSnrShift<S> {
    pub base: S,
    pub delta: f64,
}

impl<S: Schedule> LogSnrShift<S> {
    /// The base's time that time t runs at: where its σ²/α² has reached e^(−δ)·σ(t)²/α(t)².
    pub fn base_time(&self, t: f64) -> f64 {
        let level = (-self.delta).exp() * self.base.detection_threshold(t, 1.0);
        time_at_threshold(&self.base, level, 1.0)
    }
}

impl<S: Schedule> Schedule for LogSnrShift<S> {
    fn name(&self) -> &'static str {
        "log-SNR shifted"
    }
    fn alpha(&self, t: f64) -> f64 {
        self.base.alpha(self.base_time(t))
    }
    fn sigma(&self, t: f64) -> f64 {
        self.base.sigma(self.base_time(t))
    }
}
// ANCHOR_END: log_snr_shift

/// `n + 1` evenly spaced times 0, 1/n, …, 1.
pub fn time_grid(n: usize) -> Vec<f64> {
    assert!(n >= 1, "a time grid needs at least one step");
    (0..=n).map(|i| i as f64 / n as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_start_clean_and_end_in_noise() {
        let vp = VpCosine::default();
        assert_eq!(
            (RectifiedFlow.alpha(0.0), RectifiedFlow.sigma(0.0)),
            (1.0, 0.0)
        );
        assert_eq!(
            (RectifiedFlow.alpha(1.0), RectifiedFlow.sigma(1.0)),
            (0.0, 1.0)
        );
        assert!((vp.alpha(0.0) - 1.0).abs() < 1e-12 && vp.sigma(0.0) < 1e-6);
        assert!(vp.alpha(1.0) < 1e-6);
        for t in [0.1, 0.5, 0.9] {
            // Variance preserving: α² + σ² = 1.
            assert!((vp.alpha(t).powi(2) + vp.sigma(t).powi(2) - 1.0).abs() < 1e-12);
        }
        let edm = Edm::default();
        assert!((edm.sigma(0.0) - 0.002).abs() < 1e-12 && (edm.sigma(1.0) - 80.0).abs() < 1e-9);
    }

    #[test]
    fn rectified_flow_threshold_is_the_posts() {
        // τσ²/α² = (t/(1−t))² for τ = 1.
        for t in [0.1, 0.3, 0.5, 0.8] {
            let expected = (t / (1.0 - t)) * (t / (1.0 - t));
            assert!((RectifiedFlow.detection_threshold(t, 1.0) - expected).abs() < 1e-12);
        }
        assert!(RectifiedFlow.detection_threshold(1.0, 1.0).is_infinite());
    }

    #[test]
    fn f_max_on_an_exact_power_law_equals_the_closed_form_to_a_bin() {
        let law = PowerLaw {
            alpha: 2.5,
            c: 1e-3,
        };
        let f: Vec<f64> = (0..160).map(|r| r as f64 / 320.0).collect();
        let p: Vec<f64> = f
            .iter()
            .map(|f| if *f == 0.0 { 1e9 } else { law.eval(*f) })
            .collect();
        for t in [0.1, 0.2, 0.5, 0.7] {
            let empirical = f_max(&RectifiedFlow, &f, &p, t, 1.0);
            let closed = f_max_closed_form(&RectifiedFlow, &law, t, 1.0, 159.0 / 320.0);
            assert!(
                empirical <= closed && closed - empirical < 1.0 / 320.0,
                "t={t}: {empirical} {closed}"
            );
        }
        assert_eq!(f_max(&RectifiedFlow, &f, &p, 0.0, 1.0), 159.0 / 320.0);
        assert_eq!(f_max(&RectifiedFlow, &f, &p, 1.0, 1.0), 0.0);
    }

    #[test]
    fn max_detectable_frequency_takes_the_largest_detectable_bin() {
        let f = [0.0, 0.1, 0.2, 0.3, 0.4];
        let p = [9.0, 5.0, 1.0, 3.0, 0.5];
        assert_eq!(max_detectable_frequency(&f, &p, 2.0), 0.3);
        assert_eq!(max_detectable_frequency(&f, &p, 6.0), 0.0);
    }
    #[test]
    fn the_forward_process_runs_from_the_image_to_the_noise() {
        let x0 = Field::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64);
        let eps = Field::from_shape_fn((3, 4), |(i, j)| 1.0 - (i + j) as f64);
        assert_eq!(forward(&RectifiedFlow, &x0, &eps, 0.0), x0);
        assert_eq!(forward(&RectifiedFlow, &x0, &eps, 1.0), eps);
        let mid = forward(&RectifiedFlow, &x0, &eps, 0.25);
        for ((m, x), e) in mid.iter().zip(&x0).zip(&eps) {
            assert!((m - (0.75 * x + 0.25 * e)).abs() < 1e-12);
        }
        // Variance preserving: unit-variance image and noise give a unit-variance mixture,
        // α² + σ² = 1 at every t.
        let vp = VpCosine::default();
        let ones = Field::ones((1, 1));
        let t = 0.3;
        let y = forward(&vp, &ones, &ones, t)[[0, 0]];
        assert!((y - (vp.alpha(t) + vp.sigma(t))).abs() < 1e-12);
    }

    #[test]
    fn only_the_noise_to_signal_ratio_matters() {
        for t in [0.1, 0.5, 0.9] {
            assert!((RectifiedFlow.noise_to_signal(t) - t / (1.0 - t)).abs() < 1e-12);
            for s in [
                &RectifiedFlow as &dyn Schedule,
                &VpCosine::default(),
                &Edm::default(),
            ] {
                let ratio = s.noise_to_signal(t);
                assert!(
                    (s.detection_threshold(t, 2.0) - 2.0 * ratio * ratio).abs()
                        < 1e-9 * ratio * ratio
                );
            }
        }
        assert!(RectifiedFlow.noise_to_signal(1.0).is_infinite());
    }

    #[test]
    fn f_max_never_rises_with_time_even_on_a_bumpy_spectrum() {
        // A falling spectrum with a bump: f_max may jump down past the bump, but never up,
        // because the threshold τσ²/α² only grows with t for all three schedules.
        let f: Vec<f64> = (0..160).map(|r| r as f64 / 320.0).collect();
        let p: Vec<f64> = f
            .iter()
            .map(|&f| {
                1e-3 * f.max(1e-3).powf(-2.5) * (1.0 + 3.0 * (-((f - 0.2) / 0.02).powi(2)).exp())
            })
            .collect();
        let schedules: [&dyn Schedule; 3] = [&RectifiedFlow, &VpCosine::default(), &Edm::default()];
        for s in schedules {
            let curve: Vec<f64> = time_grid(400)
                .iter()
                .map(|&t| f_max(s, &f, &p, t, 1.0))
                .collect();
            assert!(curve.windows(2).all(|w| w[1] <= w[0]), "{}", s.name());
            assert_eq!(
                curve[400],
                0.0,
                "{}: nothing is detectable at t = 1",
                s.name()
            );
        }
        // Starting from σ = 0 every frequency is detectable (EDM starts at σ_min > 0 instead).
        assert_eq!(f_max(&RectifiedFlow, &f, &p, 0.0, 1.0), 159.0 / 320.0);
        assert_eq!(f_max(&VpCosine::default(), &f, &p, 0.0, 1.0), 159.0 / 320.0);
    }

    #[test]
    fn the_crossing_of_a_power_law_with_a_flat_level_is_where_the_law_meets_it() {
        let law = PowerLaw {
            alpha: 2.4,
            c: 6e-4,
        };
        let f: Vec<f64> = (0..160).map(|r| r as f64 / 320.0).collect();
        let p: Vec<f64> = f
            .iter()
            .map(|&f| if f == 0.0 { 1e9 } else { law.eval(f) })
            .collect();
        for level in [0.01, 1.0, 16.0, 300.0] {
            let noise = vec![level; f.len()];
            let crossing = crossing_frequency(&f, &p, &noise).unwrap();
            // ln P is exactly linear in ln f, so log-log interpolation is exact.
            assert!(
                (crossing / law.frequency_at(level) - 1.0).abs() < 1e-9,
                "{level}"
            );
            let bin = max_detectable_frequency(&f, &p, level);
            assert!(bin <= crossing && crossing - bin < 1.0 / 320.0);
        }
        assert_eq!(
            crossing_frequency(&f, &p, &vec![1e-9; 160]),
            Some(159.0 / 320.0)
        );
        assert_eq!(crossing_frequency(&f[1..], &p[1..], &vec![1e12; 159]), None);
    }

    #[test]
    fn an_f_max_table_pairs_the_empirical_and_closed_forms() {
        let law = PowerLaw {
            alpha: 2.5,
            c: 1e-3,
        };
        let f: Vec<f64> = (1..160).map(|r| r as f64 / 320.0).collect();
        let p: Vec<f64> = f.iter().map(|&f| law.eval(f)).collect();
        let table = f_max_table(&RectifiedFlow, &f, &p, &law, &[0.0, 0.3, 1.0], 1.0);
        assert_eq!(table[0].closed_form, 159.0 / 320.0);
        assert_eq!(
            table[2],
            FmaxRow {
                t: 1.0,
                empirical: 0.0,
                closed_form: 0.0
            }
        );
        assert_eq!(table[1].empirical, f_max(&RectifiedFlow, &f, &p, 0.3, 1.0));
    }

    /// The logistic function, for the variance-preserving closed form α² = sigmoid(λ).
    fn sigmoid(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    #[test]
    fn log_snr_is_twice_the_log_of_the_signal_to_noise_amplitude() {
        for t in [0.1f64, 0.25, 0.5, 0.9] {
            // Rectified flow: λ = 2 ln((1 − t)/t), zero at t = 1/2.
            let want = 2.0 * ((1.0 - t) / t).ln();
            assert!((log_snr(&RectifiedFlow, t) - want).abs() < 1e-12, "{t}");
            // Variance preserving: α² = sigmoid(λ).
            let vp = VpCosine::default();
            assert!((sigmoid(log_snr(&vp, t)) - vp.alpha(t).powi(2)).abs() < 1e-12);
        }
        assert_eq!(log_snr(&RectifiedFlow, 0.0), f64::INFINITY);
        assert_eq!(log_snr(&RectifiedFlow, 1.0), f64::NEG_INFINITY);
    }

    #[test]
    fn the_timestep_shift_fixes_the_ends_and_undoes_itself() {
        for s in [0.25, 1.0, 2.0, 8.0] {
            assert_eq!(timestep_shift(0.0, s), 0.0);
            assert_eq!(timestep_shift(1.0, s), 1.0);
            for t in [0.01, 0.3, 0.5, 0.77, 0.99] {
                let there = timestep_shift(t, s);
                assert!((timestep_shift(there, 1.0 / s) - t).abs() < 1e-12);
                // Shifts compose by multiplying s.
                let twice = timestep_shift(timestep_shift(t, s), 3.0);
                assert!((twice - timestep_shift(t, 3.0 * s)).abs() < 1e-12);
            }
        }
        // s = 1 is the identity; s > 1 adds noise at every time strictly between the ends.
        for t in [0.1, 0.5, 0.9] {
            assert_eq!(timestep_shift(t, 1.0), t);
            assert!(timestep_shift(t, 2.0) > t && timestep_shift(t, 0.5) < t);
        }
        // SD3's example reading: at t = 1/2, s = 3 gives 3/4.
        assert!((timestep_shift(0.5, 3.0) - 0.75).abs() < 1e-15);
    }

    #[test]
    fn the_shifted_flow_divides_the_snr_by_s_squared() {
        for s in [1.0, 2.0, 4.0, 8.0] {
            let shifted = ShiftedFlow { s };
            for t in [0.05, 0.2, 0.5, 0.8, 0.95] {
                // SNR′ = SNR / s², so λ′ = λ − 2 ln s.
                let snr = |sch: &dyn Schedule| (sch.alpha(t) / sch.sigma(t)).powi(2);
                let ratio = snr(&shifted) / snr(&RectifiedFlow);
                assert!((ratio * s * s - 1.0).abs() < 1e-12, "s = {s}, t = {t}");
                let gap = log_snr(&RectifiedFlow, t) - log_snr(&shifted, t);
                assert!((gap - 2.0 * s.ln()).abs() < 1e-12);
                // Still a straight line from image to noise.
                assert!((shifted.alpha(t) + shifted.sigma(t) - 1.0).abs() < 1e-15);
            }
        }
        let one = ShiftedFlow { s: 1.0 };
        for t in [0.0, 0.3, 1.0] {
            assert_eq!((one.alpha(t), one.sigma(t)), (1.0 - t, t));
        }
    }

    #[test]
    fn a_log_snr_shift_adds_delta_and_keeps_the_bases_form() {
        let vp = VpCosine::default();
        for delta in [-2.0 * 8f64.ln(), -1.0, 0.0, 0.7] {
            let rf = LogSnrShift {
                base: RectifiedFlow,
                delta,
            };
            let cosine = LogSnrShift { base: vp, delta };
            for t in [0.05, 0.2, 0.5, 0.8, 0.95] {
                for (shifted, base) in [
                    (&rf as &dyn Schedule, &RectifiedFlow as &dyn Schedule),
                    (&cosine, &vp),
                ] {
                    let got = log_snr(shifted, t) - log_snr(base, t);
                    assert!((got - delta).abs() < 1e-9, "δ = {delta}, t = {t}: {got}");
                }
                // Rectified flow stays a straight line: α + σ = 1; the cosine schedule stays
                // variance preserving, with Hoogeboom et al.'s closed form α′² = sigmoid(λ + δ).
                assert!((rf.alpha(t) + rf.sigma(t) - 1.0).abs() < 1e-12);
                let want = sigmoid(log_snr(&vp, t) + delta);
                assert!((cosine.alpha(t).powi(2) - want).abs() < 1e-9, "t = {t}");
                assert!((cosine.alpha(t).powi(2) + cosine.sigma(t).powi(2) - 1.0).abs() < 1e-12);
            }
        }
        // δ = 0 is the identity, and the ends stay where they are.
        let same = LogSnrShift {
            base: RectifiedFlow,
            delta: 0.0,
        };
        for t in [0.0, 0.1, 0.5, 0.9, 1.0] {
            assert!((same.sigma(t) - t).abs() < 1e-12);
        }
    }

    #[test]
    fn sd3s_timestep_shift_is_the_log_snr_shift_by_minus_two_ln_s() {
        // The closed form against the generic clock found by bisection.
        for s in [0.5, 2.0, 4.0, 8.0] {
            let generic = LogSnrShift {
                base: RectifiedFlow,
                delta: -2.0 * f64::ln(s),
            };
            for t in [0.0, 0.03, 0.2, 0.5, 0.8, 0.97, 1.0] {
                let (a, b) = (generic.base_time(t), timestep_shift(t, s));
                assert!((a - b).abs() < 1e-12, "s = {s}, t = {t}: {a} vs {b}");
                assert!((generic.sigma(t) - ShiftedFlow { s }.sigma(t)).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn the_time_a_level_drowns_matches_the_rectified_flow_formula() {
        // (t/(1 − t))² = L/τ  ⇔  t = √(L/τ) / (1 + √(L/τ)).
        for (level, tau) in [(1.0f64, 1.0), (0.01, 1.0), (500.0, 2.0)] {
            let q = (level / tau).sqrt();
            let t = time_at_threshold(&RectifiedFlow, level, tau);
            assert!((t - q / (1.0 + q)).abs() < 1e-12, "{level}: {t}");
        }
        // EDM starts at σ = 0.002 and ends at 80: levels outside (0.002², 80²) are clamped.
        assert_eq!(time_at_threshold(&Edm::default(), 1e-9, 1.0), 0.0);
        assert_eq!(time_at_threshold(&Edm::default(), 1e5, 1.0), 1.0);
        let t = time_at_threshold(&Edm::default(), 1.0, 1.0);
        assert!((Edm::default().sigma(t) - 1.0).abs() < 1e-9);
    }
}

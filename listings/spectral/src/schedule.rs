//! Diffusion schedules and the maximal detectable frequency.
//!
//! A Gaussian diffusion process corrupts an image as `x_t = α(t)·x₀ + σ(t)·ε`. The RAPSD scales
//! with the square of a factor, `R[c·x] = c²·R[x]`, and standard noise has `R[ε] = 1`, so a
//! frequency f is still detectable at time t, with SNR threshold τ, when
//! `α(t)²·R[x₀](f) > τ·σ(t)²`, that is `R[x₀](f) > τ·σ(t)²/α(t)²`.

use std::f64::consts::FRAC_PI_2;

use crate::fit::PowerLaw;

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
}

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
}

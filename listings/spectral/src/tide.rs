//! The rising tide: a set of clean fields, one draw of unit noise of the same shape, and the
//! log-domain mean spectra of the fields, of the noise at level σ, and of their sum.
//!
//! The chapter "Noisy image spectra" and its neighbours (F6, F7, F8, F10, F11, X2) all measure
//! this one experiment at different σ, so they share one noise draw ([`NOISE_SEED`]) and one
//! definition of the crossing where the photos sink below the noise.

use crate::Field;
use crate::fit::fit_power_law;
use crate::noise::{add_noise, noise_like, seeded_rng};
use crate::schedule::crossing_frequency;
use crate::spectrum::{Rapsd, log_mean_rapsd};

/// The seed of the book's one draw of unit noise for the photos: every figure of the noisy
/// chapters adds the same fields, scaled, so their numbers describe one experiment.
pub const NOISE_SEED: u64 = 6;

/// Standard Gaussian noise, one field per clean field and of its shape, from [`NOISE_SEED`].
pub fn unit_noise(fields: &[Field]) -> Vec<Field> {
    noise_like(fields, &mut seeded_rng(NOISE_SEED))
}

/// The three log-mean spectra of the tide at one noise level, DC dropped.
#[derive(Clone, Debug)]
pub struct Tide {
    /// The noise's standard deviation σ.
    pub sigma: f64,
    /// The clean fields.
    pub images: Rapsd,
    /// The noise σ·ε alone.
    pub noise: Rapsd,
    /// The noisy fields x + σ·ε.
    pub noisy: Rapsd,
}

// ANCHOR: tide
/// The clean, noise and noisy spectra at noise level `sigma`: `unit` (from [`unit_noise`]) scaled
/// by σ, added to `fields`, each set averaged in the log domain.
pub fn tide(fields: &[Field], unit: &[Field], sigma: f64) -> Tide {
    let scaled: Vec<Field> = unit.iter().map(|e| e * sigma).collect();
    Tide {
        sigma,
        images: log_mean_rapsd(fields).without_dc(),
        noise: log_mean_rapsd(&scaled).without_dc(),
        noisy: log_mean_rapsd(&add_noise(fields, unit, sigma)).without_dc(),
    }
}
// ANCHOR_END: tide

impl Tide {
    /// Where the clean spectrum sinks below the noise's, measured on the two curves
    /// ([`crossing_frequency`]); `None` when the noise is above it everywhere.
    pub fn crossing(&self) -> Option<f64> {
        crossing_frequency(
            &self.images.frequency,
            &self.images.power,
            &self.noise.power,
        )
    }

    /// The crossing a power law fitted to the clean spectrum predicts: where C·f^(−α) = σ², the
    /// noise's level.
    pub fn predicted_crossing(&self) -> f64 {
        fit_power_law(&self.images.frequency, &self.images.power)
            .frequency_at(self.sigma * self.sigma)
    }

    /// Where the clean spectrum sinks below the noise: measured ([`Tide::crossing`]) and as the
    /// fit predicts it ([`Tide::predicted_crossing`]), the pair F6 and F8 report; `None` when
    /// the noise is above the clean spectrum everywhere.
    pub fn crossings(&self) -> Option<Crossings> {
        Some(Crossings {
            measured: self.crossing()?,
            predicted: self.predicted_crossing(),
        })
    }
}

/// Where a tide's clean spectrum meets the noise, in cycles per pixel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crossings {
    /// On the two measured curves.
    pub measured: f64,
    /// Where the power law fitted to the clean spectrum meets σ².
    pub predicted: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::power_law_field_on_rings;
    use crate::spectrum::rapsd;

    #[test]
    fn the_tide_adds_scaled_unit_noise_and_crosses_where_the_power_law_meets_sigma_squared() {
        // Power-law fields with exponent 2.5 on their rings. The noise levels are chosen from the
        // clean set's own fitted law, so that it meets σ² at f = 0.1 and at f = 0.05: the
        // predicted crossings are exactly there, and the measured ones must land near them.
        let mut rng = seeded_rng(1);
        let fields: Vec<Field> = (0..8)
            .map(|_| power_law_field_on_rings(64, 64, 2.5, &mut rng))
            .collect();
        let unit = unit_noise(&fields);
        assert_eq!(unit.len(), fields.len());
        let clean = log_mean_rapsd(&fields).without_dc();
        let law = fit_power_law(&clean.frequency, &clean.power);
        let mut crossings = Vec::new();
        for f0 in [0.1, 0.05] {
            let sigma = law.eval(f0).sqrt();
            let t = tide(&fields, &unit, sigma);
            // The noise curve is σ² times the unit noise's, exactly (R[c·x] = c²·R[x]).
            let unit_curve = log_mean_rapsd(&unit).without_dc();
            for (a, b) in t.noise.power.iter().zip(&unit_curve.power) {
                assert!((a / (b * sigma * sigma) - 1.0).abs() < 1e-12);
            }
            // The noisy spectrum of one field is that of x + σε, computed directly (the log-mean
            // of one curve is the curve, up to exp(ln p) rounding).
            let direct = rapsd(&(&fields[0] + &(&unit[0] * sigma)));
            let mine = log_mean_rapsd(&add_noise(&fields[..1], &unit[..1], sigma));
            for (a, b) in direct.power.iter().zip(&mine.power) {
                assert!((a / b - 1.0).abs() < 1e-12);
            }
            let (m, p) = (t.crossing().unwrap(), t.predicted_crossing());
            assert!((p / f0 - 1.0).abs() < 1e-9, "the law meets σ² at {f0}: {p}");
            assert!((m / p - 1.0).abs() < 0.25, "f0 = {f0}: {m} vs {p}");
            crossings.push(m);
        }
        // Louder noise drowns more: the crossing moves to lower frequencies.
        assert!(crossings[1] < crossings[0], "{crossings:?}");
    }
}

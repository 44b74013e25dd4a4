//! Reading the shape of a measured curve: its broad outline under fractional-octave smoothing,
//! where it peaks, and how well a power law describes it.
//!
//! The sound chapter needs all three because its spectra are not power laws: a raw spectrum is a
//! forest of harmonics whose maximum says little until it is smoothed, and the claim "a straight
//! line fits the log-mel RAPSD but not the waveform's spectrum" needs a number for "fits".

use crate::fit::{PowerLaw, resample_log_uniform};

/// The smoothing width the book uses for sound spectra (F12, F14, F15): a third of an octave,
/// the acoustician's usual band.
pub const THIRD_OCTAVE: f64 = 1.0 / 3.0;

// ANCHOR: smooth
/// Fractional-octave smoothing: the geometric mean of `power` over all points within ±`octaves`/2
/// of each frequency (a moving average of ln P on a log-frequency axis). With `octaves` = 1/3 this
/// is the third-octave smoothing of acoustics. A raw spectrum is a forest of harmonics and spikes;
/// its broad shape, such as where it peaks, is read off the smoothed curve. Non-positive
/// frequencies are left as they are.
pub fn smooth_log_frequency(frequency: &[f64], power: &[f64], octaves: f64) -> Vec<f64> {
    assert_eq!(frequency.len(), power.len());
    assert!(
        frequency.windows(2).all(|w| w[0] < w[1]),
        "frequencies must increase"
    );
    let mut prefix = vec![0.0];
    for p in power {
        prefix.push(prefix[prefix.len() - 1] + p.ln());
    }
    let half = 2f64.powf(octaves / 2.0);
    frequency
        .iter()
        .zip(power)
        .map(|(&f, &p)| {
            if f <= 0.0 {
                return p;
            }
            let lo = frequency.partition_point(|x| *x < f / half);
            let hi = frequency.partition_point(|x| *x <= f * half);
            ((prefix[hi] - prefix[lo]) / (hi - lo) as f64).exp()
        })
        .collect()
}
// ANCHOR_END: smooth

/// Where a curve is largest: (frequency, value).
pub fn peak(frequency: &[f64], power: &[f64]) -> (f64, f64) {
    let i = (0..power.len())
        .max_by(|a, b| power[*a].total_cmp(&power[*b]))
        .expect("a curve to search");
    (frequency[i], power[i])
}

/// How well a power law describes a curve, measured where the fit is made: on `ln P` resampled to
/// as many log-uniform frequencies as the curve has positive ones (see `spectral::fit`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitQuality {
    /// Coefficient of determination of the straight line in log-log space (1 = perfect).
    pub r_squared: f64,
    /// Largest |ln P − ln fit|, converted to a factor: the curve stays within [fit / factor,
    /// fit · factor].
    pub max_factor: f64,
}

/// [`FitQuality`] of `law` against the curve (frequency, power); points at f ≤ 0 are ignored.
pub fn fit_quality(frequency: &[f64], power: &[f64], law: &PowerLaw) -> FitQuality {
    let n = frequency.iter().filter(|f| **f > 0.0).count();
    let (f, p) = resample_log_uniform(frequency, power, n);
    let ln_p: Vec<f64> = p.iter().map(|v| v.ln()).collect();
    let mean = ln_p.iter().sum::<f64>() / ln_p.len() as f64;
    let residuals: Vec<f64> = f
        .iter()
        .zip(&ln_p)
        .map(|(f, lp)| lp - law.eval(*f).ln())
        .collect();
    let ss_res: f64 = residuals.iter().map(|r| r * r).sum();
    let ss_tot: f64 = ln_p.iter().map(|v| (v - mean).powi(2)).sum();
    FitQuality {
        r_squared: 1.0 - ss_res / ss_tot,
        max_factor: residuals.iter().fold(0.0f64, |m, r| m.max(r.abs())).exp(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fit::fit_power_law;

    #[test]
    fn smoothing_averages_log_power_over_a_fraction_of_an_octave() {
        // A power law stays a power law (up to a constant factor) under log-frequency smoothing,
        // and the factor is 1 for f^0.
        let f: Vec<f64> = (1..=1000).map(f64::from).collect();
        let flat = smooth_log_frequency(&f, &vec![3.0; 1000], 1.0 / 3.0);
        assert!(flat.iter().all(|v| (v - 3.0).abs() < 1e-12));
        // By hand at f = 100 Hz over ±1/6 octave, 89.09 … 112.25: bins 90 … 112.
        let p: Vec<f64> = f.iter().map(|f| f * f).collect();
        let s = smooth_log_frequency(&f, &p, 1.0 / 3.0);
        let by_hand = ((90..=112)
            .map(|k| (f64::from(k) * f64::from(k)).ln())
            .sum::<f64>()
            / 23.0)
            .exp();
        assert!((s[99] / by_hand - 1.0).abs() < 1e-12);
        // A single spike is spread out, so the smoothed peak is the broad maximum.
        let mut spiky: Vec<f64> = f
            .iter()
            .map(|f| (-(f.ln() - 300f64.ln()).powi(2)).exp())
            .collect();
        spiky[19] = 1e6;
        let smooth = smooth_log_frequency(&f, &spiky, 1.0 / 3.0);
        assert_eq!(peak(&f, &spiky).0, 20.0);
        assert!(
            (peak(&f, &smooth).0 - 300.0).abs() <= 10.0,
            "{:?}",
            peak(&f, &smooth)
        );
    }

    #[test]
    fn fit_quality_is_perfect_for_a_power_law_and_poor_for_a_bump() {
        let f: Vec<f64> = (0..64).map(|r| f64::from(r) / 128.0).collect();
        let p: Vec<f64> = f.iter().map(|f| 2.0 * f.powf(-2.3)).collect();
        let law = fit_power_law(&f, &p);
        let q = fit_quality(&f, &p, &law);
        assert!(
            (q.r_squared - 1.0).abs() < 1e-12 && (q.max_factor - 1.0).abs() < 1e-9,
            "{q:?}"
        );
        let bump: Vec<f64> = f.iter().map(|f| (-(f.ln() + 2.5).powi(2)).exp()).collect();
        let q = fit_quality(&f, &bump, &fit_power_law(&f, &bump));
        assert!(q.r_squared < 0.5, "{q:?}");
    }
}

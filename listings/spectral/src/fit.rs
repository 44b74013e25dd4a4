//! Averaging spectra and fitting power laws.
//!
//! Power spans many orders of magnitude, so curves are averaged in the log domain (a geometric
//! mean) and fitted as straight lines in log-log space. Before fitting, a curve is resampled to
//! frequencies evenly spaced in log f: a RAPSD has one point per integer radius, so most of its
//! points sit at high frequencies and would otherwise dominate the least-squares fit.

use rand::{Rng, RngExt};

use crate::noise::seeded_rng;
use crate::spectrum::rapsd;

// ANCHOR: log_mean
/// `exp(mean(ln p))` across curves, point by point: the log-domain mean of equally long curves.
pub fn log_mean<C: AsRef<[f64]>>(curves: &[C]) -> Vec<f64> {
    assert!(
        !curves.is_empty(),
        "the log-domain mean needs at least one curve"
    );
    let len = curves[0].as_ref().len();
    let mut acc = vec![0.0; len];
    for curve in curves {
        let curve = curve.as_ref();
        assert_eq!(curve.len(), len, "curves to average must have equal length");
        acc.iter_mut().zip(curve).for_each(|(a, p)| *a += p.ln());
    }
    acc.iter()
        .map(|a| (a / curves.len() as f64).exp())
        .collect()
}
// ANCHOR_END: log_mean

/// Linear interpolation of `ln y` against `ln x` at `n` points evenly spaced in `ln x`, from the
/// smallest to the largest positive `x`. `x` must be increasing; non-positive `x` are skipped.
pub fn resample_log_uniform(x: &[f64], y: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(x.len(), y.len());
    let (lx, ly): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(x, _)| **x > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .unzip();
    assert!(
        lx.len() >= 2 && n >= 2,
        "resampling needs two points in and out"
    );
    assert!(
        lx.windows(2).all(|w| w[0] < w[1]),
        "frequencies must increase"
    );
    let (lo, hi) = (lx[0], lx[lx.len() - 1]);
    let mut seg = 0;
    (0..n)
        .map(|i| {
            let t = lo + (hi - lo) * i as f64 / (n - 1) as f64;
            while seg + 2 < lx.len() && lx[seg + 1] < t {
                seg += 1;
            }
            let w = ((t - lx[seg]) / (lx[seg + 1] - lx[seg])).clamp(0.0, 1.0);
            (t.exp(), (ly[seg] + w * (ly[seg + 1] - ly[seg])).exp())
        })
        .unzip()
}

/// Least-squares line `y ≈ slope·x + intercept`.
pub fn least_squares_line(x: &[f64], y: &[f64]) -> (f64, f64) {
    assert_eq!(x.len(), y.len());
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let slope = sxy / sxx;
    (slope, my - slope * mx)
}

/// A power law `P(f) = c · f^(−alpha)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerLaw {
    pub alpha: f64,
    pub c: f64,
}

impl PowerLaw {
    pub fn eval(&self, f: f64) -> f64 {
        self.c * f.powf(-self.alpha)
    }

    /// The frequency where the law falls to `level`: `(c / level)^(1/alpha)`.
    pub fn frequency_at(&self, level: f64) -> f64 {
        (self.c / level).powf(1.0 / self.alpha)
    }
}

// ANCHOR: fit
/// Fits `P(f) = c·f^(−α)` by least squares on (ln f, ln P), after resampling the curve to as many
/// log-uniform frequencies as it has positive ones. Points at f ≤ 0 (DC) are ignored.
pub fn fit_power_law(frequency: &[f64], power: &[f64]) -> PowerLaw {
    let n = frequency.iter().filter(|f| **f > 0.0).count();
    let (f, p) = resample_log_uniform(frequency, power, n);
    let lf: Vec<f64> = f.iter().map(|v| v.ln()).collect();
    let lp: Vec<f64> = p.iter().map(|v| v.ln()).collect();
    let (slope, intercept) = least_squares_line(&lf, &lp);
    PowerLaw {
        alpha: -slope,
        c: intercept.exp(),
    }
}
// ANCHOR_END: fit

/// A percentile bootstrap interval for the exponent of the log-mean curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// Resamples the set of curves with replacement `resamples` times, refits the log-mean each
/// time, and returns the 2.5th and 97.5th percentiles of α̂ together with all resampled α̂.
/// It answers: how much would α̂ move with a different draw of images of the same kind?
pub fn bootstrap_alpha<C: AsRef<[f64]>, R: Rng + ?Sized>(
    frequency: &[f64],
    curves: &[C],
    resamples: usize,
    rng: &mut R,
) -> (Interval, Vec<f64>) {
    assert!(resamples >= 2, "a bootstrap needs resamples");
    assert!(!curves.is_empty(), "a bootstrap needs curves");
    // The logs of every curve, taken once rather than once per draw (most of the work for
    // thousands of curves). Summed in the same order as `log_mean` does, so each resample's curve
    // is `log_mean(&draw)` bit for bit.
    let logs: Vec<Vec<f64>> = curves
        .iter()
        .map(|c| c.as_ref().iter().map(|p| p.ln()).collect())
        .collect();
    let len = logs[0].len();
    let mut acc = vec![0.0; len];
    let mut alphas: Vec<f64> = (0..resamples)
        .map(|_| {
            acc.fill(0.0);
            for _ in 0..curves.len() {
                let curve = &logs[rng.random_range(0..curves.len())];
                assert_eq!(curve.len(), len, "curves to average must have equal length");
                acc.iter_mut().zip(curve).for_each(|(a, l)| *a += l);
            }
            let mean: Vec<f64> = acc
                .iter()
                .map(|a| (a / curves.len() as f64).exp())
                .collect();
            fit_power_law(frequency, &mean).alpha
        })
        .collect();
    let mut sorted = alphas.clone();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((q * (sorted.len() - 1) as f64).round()) as usize];
    let interval = Interval {
        low: at(0.025),
        high: at(0.975),
    };
    alphas.shrink_to_fit();
    (interval, alphas)
}

/// What the book reports about a set of spectra: the power law fitted to their log-domain mean,
/// its bootstrap 95% interval, and each curve's own exponent. F5/X1 (photos), F17 (sound) and
/// `spectra fit` all report exactly this, so it is computed in one place.
#[derive(Clone, Debug)]
pub struct SetFit {
    /// The log-domain mean of the curves, point by point.
    pub mean: Vec<f64>,
    /// The least-squares power law through `mean`.
    pub law: PowerLaw,
    /// The percentile bootstrap interval of the exponent.
    pub interval: Interval,
    /// Each curve's own fitted exponent, in the curves' order.
    pub per_curve: Vec<f64>,
}

// ANCHOR: fit_set
/// Fits the log-mean of `curves` (all sampled at `frequency`, DC already dropped) and bootstraps
/// its exponent with `resamples` draws from the seeded generator `seed`.
pub fn fit_set<C: AsRef<[f64]>>(
    frequency: &[f64],
    curves: &[C],
    resamples: usize,
    seed: u64,
) -> SetFit {
    let mean = log_mean(curves);
    let law = fit_power_law(frequency, &mean);
    let (interval, _) = bootstrap_alpha(frequency, curves, resamples, &mut seeded_rng(seed));
    let per_curve = curves
        .iter()
        .map(|c| fit_power_law(frequency, c.as_ref()).alpha)
        .collect();
    SetFit {
        mean,
        law,
        interval,
        per_curve,
    }
}
// ANCHOR_END: fit_set

/// Bootstrap resamples behind every exponent interval the book reports (photos, sounds, and
/// `spectra fit`'s default).
pub const BOOTSTRAP_RESAMPLES: usize = 2000;
/// The seed of the photos' bootstrap draws (and `spectra fit`'s default).
pub const PHOTO_BOOTSTRAP_SEED: u64 = 5;

/// The photos' power law as the book reports it (F5 and X1; F17 sets the sounds' beside it):
/// every photo's RAPSD, DC dropped, fitted as a set by [`fit_set`]. Returns the frequencies
/// (cycles per pixel) with the fit.
pub fn photo_fit(greens: &[crate::Field]) -> (Vec<f64>, SetFit) {
    // ANCHOR: photo_fit
    let curves: Vec<_> = greens.iter().map(|g| rapsd(g).without_dc()).collect();
    let frequency = curves[0].frequency.clone();
    let powers: Vec<&[f64]> = curves.iter().map(|c| c.power.as_slice()).collect();
    let fit = fit_set(
        &frequency,
        &powers,
        BOOTSTRAP_RESAMPLES,
        PHOTO_BOOTSTRAP_SEED,
    );
    // ANCHOR_END: photo_fit
    (frequency, fit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::seeded_rng;

    #[test]
    fn the_bootstrap_refits_log_means_of_draws_with_replacement() {
        // The definition, written out slowly: draw curves, take `log_mean`, fit.
        let f: Vec<f64> = (1..40).map(|r| r as f64 / 80.0).collect();
        let mut noise = seeded_rng(3);
        let curves: Vec<Vec<f64>> = (0..25)
            .map(|k| {
                let alpha = 2.0 + 0.04 * k as f64;
                f.iter()
                    .map(|f| f.powf(-alpha) * (1.0 + 0.3 * noise.random::<f64>()))
                    .collect()
            })
            .collect();
        let (interval, alphas) = bootstrap_alpha(&f, &curves, 50, &mut seeded_rng(9));
        let mut rng = seeded_rng(9);
        let slow: Vec<f64> = (0..50)
            .map(|_| {
                let draw: Vec<&Vec<f64>> = (0..curves.len())
                    .map(|_| &curves[rng.random_range(0..curves.len())])
                    .collect();
                fit_power_law(&f, &log_mean(&draw)).alpha
            })
            .collect();
        assert_eq!(alphas, slow);
        assert!(interval.low < interval.high && interval.low > 2.0 && interval.high < 3.0);
    }

    #[test]
    fn an_exact_power_law_is_fitted_exactly() {
        let f: Vec<f64> = (0..160).map(|r| r as f64 / 320.0).collect();
        let p: Vec<f64> = f.iter().map(|f| 8.3e-4 * f.powf(-2.454)).collect();
        let law = fit_power_law(&f, &p);
        assert!((law.alpha - 2.454).abs() < 1e-10, "{law:?}");
        assert!((law.c / 8.3e-4 - 1.0).abs() < 1e-9, "{law:?}");
    }

    #[test]
    fn log_mean_is_the_geometric_mean() {
        let m = log_mean(&[vec![1.0, 100.0], vec![4.0, 1.0]]);
        assert!((m[0] - 2.0).abs() < 1e-12 && (m[1] - 10.0).abs() < 1e-12);
    }

    #[test]
    fn resampling_spreads_points_evenly_in_log_frequency() {
        let f: Vec<f64> = (1..=100).map(|r| r as f64).collect();
        let p: Vec<f64> = f.iter().map(|f| f * f).collect();
        let (rf, rp) = resample_log_uniform(&f, &p, 5);
        let expected = [1.0, 10f64.sqrt(), 10.0, 10f64.powf(1.5), 100.0];
        for ((a, b), q) in rf.iter().zip(expected).zip(&rp) {
            assert!((a / b - 1.0).abs() < 1e-12);
            // Where rf falls between integers, ln p is interpolated linearly: close, not exact.
            assert!((q / (a * a) - 1.0).abs() < 0.01, "{a} {q}");
        }
    }

    #[test]
    fn resampling_removes_the_high_frequency_bias_of_the_fit() {
        // A curve that is a power law with α = 2 at low f and bends to α = 4 above f = 0.1: the
        // raw points (mostly above 0.1) pull a naive fit towards 4; log-uniform ones weigh both parts.
        let f: Vec<f64> = (1..160).map(|r| r as f64 / 320.0).collect();
        let p: Vec<f64> = f
            .iter()
            .map(|&f| {
                if f < 0.1 {
                    f.powi(-2)
                } else {
                    100.0 * (f / 0.1).powi(-4)
                }
            })
            .collect();
        let lf: Vec<f64> = f.iter().map(|v| v.ln()).collect();
        let lp: Vec<f64> = p.iter().map(|v| v.ln()).collect();
        let naive = -least_squares_line(&lf, &lp).0;
        let even = fit_power_law(&f, &p).alpha;
        assert!(naive - even > 0.4, "naive {naive}, log-uniform {even}");
    }

    #[test]
    fn bootstrap_interval_brackets_the_estimate_and_shrinks_for_identical_curves() {
        let f: Vec<f64> = (0..64).map(|r| r as f64 / 128.0).collect();
        let curves: Vec<Vec<f64>> = (0..10)
            .map(|k| f.iter().map(|f| f.powf(-2.0 - 0.05 * k as f64)).collect())
            .collect();
        let (ci, all) = bootstrap_alpha(&f, &curves, 200, &mut seeded_rng(1));
        let point = fit_power_law(&f, &log_mean(&curves)).alpha;
        assert_eq!(all.len(), 200);
        assert!(ci.low < point && point < ci.high, "{ci:?} {point}");
        let same = vec![curves[0].clone(); 10];
        let (tight, _) = bootstrap_alpha(&f, &same, 50, &mut seeded_rng(1));
        assert!((tight.high - tight.low).abs() < 1e-12);
    }

    #[test]
    fn a_set_fit_is_the_fit_of_the_log_mean_with_the_seeded_bootstrap() {
        let f: Vec<f64> = (1..30).map(|r| r as f64 / 60.0).collect();
        let curves: Vec<Vec<f64>> = [2.0, 2.5, 3.0]
            .iter()
            .map(|a| f.iter().map(|f| 4.0 * f.powf(-a)).collect())
            .collect();
        let set = fit_set(&f, &curves, 200, 9);
        // The log-mean of exact power laws is the power law with the mean exponent.
        assert!((set.law.alpha - 2.5).abs() < 1e-12 && (set.law.c - 4.0).abs() < 1e-9);
        for (got, want) in set.per_curve.iter().zip([2.0, 2.5, 3.0]) {
            assert!((got - want).abs() < 1e-12);
        }
        let (interval, _) = bootstrap_alpha(&f, &curves, 200, &mut seeded_rng(9));
        assert_eq!(set.interval, interval);
        // Resampled log-means of exponents in [2, 3] stay within [2, 3].
        assert!(set.interval.low >= 2.0 - 1e-12 && set.interval.high <= 3.0 + 1e-12);
    }
}

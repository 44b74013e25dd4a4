//! F17: the log-domain mean RAPSD of every embedded recording's log-mel spectrogram, with its
//! least-squares power-law fit (dotted), the fit's quality and a bootstrap interval for α̂.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f17-mel-power-law`.
//! Pieces: recordings and `mel_rapsds` from `bookkit::audio`; `fit_set` (the fit of the
//! log-mean, its bootstrap interval) from `spectral::fit`, exactly as for photos (F5);
//! `fit_quality` from `spectral::curve`; the photos' fit (`photo_fit`) from `bookkit::data`, to
//! compare; the chart from `bookkit::plot`; values from
//! `bookkit::values`.

use anyhow::Result;
use bookkit::audio::{default_clips, mel_rapsds};
use bookkit::data::{BOOTSTRAP_RESAMPLES, book_greens, photo_fit};
use bookkit::figure::save_chart;
use bookkit::plot::{BLACK, Chart, RED, Series, Style};
use bookkit::values::{Values, save_values};
use spectral::curve::{FitQuality, fit_quality};
use spectral::fit::{Interval, SetFit, fit_set};
use spectral::spectrum::Rapsd;

/// The seed of the clips' bootstrap draws (as many resamples as for the photos).
const BOOTSTRAP_SEED: u64 = 17;

/// Everything the chapter reports about the fit.
struct Analysis {
    /// The frequencies of the mel RAPSD, DC dropped.
    frequency: Vec<f64>,
    fit: SetFit,
    quality: FitQuality,
    /// The photos' bootstrap interval (F5), to set the sounds' beside it.
    photos: Interval,
}

fn compute() -> Result<Analysis> {
    let clips = default_clips()?;
    // ANCHOR: fit
    let curves: Vec<Rapsd> = mel_rapsds(&clips).iter().map(Rapsd::without_dc).collect();
    let frequency = curves[0].frequency.clone();
    let powers: Vec<&[f64]> = curves.iter().map(|c| c.power.as_slice()).collect();
    let fit = fit_set(&frequency, &powers, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED);
    let quality = fit_quality(&frequency, &fit.mean, &fit.law);
    println!(
        "P(f) ≈ {:.3e} · f^(−{:.3}), R² = {:.3}",
        fit.law.c, fit.law.alpha, quality.r_squared
    );
    // ANCHOR_END: fit
    // ANCHOR: bootstrap
    // `fit_set` also drew the clips with replacement RESAMPLES times and refitted each draw's
    // log-mean: the spread of those exponents is the interval.
    println!(
        "bootstrap 95% interval for α̂: [{:.2}, {:.2}]",
        fit.interval.low, fit.interval.high
    );
    // ANCHOR_END: bootstrap
    println!(
        "the curve stays within a factor {:.2} of the fitted line",
        quality.max_factor
    );
    let (_, photos) = photo_fit(&book_greens()?);
    Ok(Analysis {
        frequency,
        fit,
        quality,
        photos: photos.interval,
    })
}

/// A power as the chapter quotes a reading off a chart: two significant digits, in scientific
/// notation from 1,000 up (7.5e4, 6.8).
fn two_digits(v: f64) -> String {
    if v >= 1e3 {
        format!("{v:.1e}")
    } else {
        let decimals = (1 - v.log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    }
}

fn values(a: &Analysis) -> Values {
    let (law, interval, quality, mean) = (&a.fit.law, &a.fit.interval, &a.quality, &a.fit.mean);
    vec![
        ("mel-alpha", format!("{:.2}", law.alpha)),
        ("mel-c", format!("{:.2}", law.c)),
        ("mel-r2", format!("{:.3}", quality.r_squared)),
        ("mel-max-factor", format!("{:.2}", quality.max_factor)),
        ("mel-alpha-low", format!("{:.2}", interval.low)),
        ("mel-alpha-high", format!("{:.2}", interval.high)),
        ("mel-power-first", two_digits(mean[0])),
        ("mel-power-last", two_digits(mean[mean.len() - 1])),
        (
            "mel-image-overlap",
            overlap_word(interval, &a.photos).into(),
        ),
    ]
}

/// Whether the sounds' and the photos' exponent intervals overlap, as the chapter says it.
fn overlap_word(a: &Interval, b: &Interval) -> &'static str {
    if a.low <= b.high && b.low <= a.high {
        "overlap"
    } else {
        "do not overlap"
    }
}

fn draw(a: &Analysis) -> Result<()> {
    let (f, law) = (&a.frequency, &a.fit.law);
    let fitted: Vec<f64> = f.iter().map(|f| law.eval(*f)).collect();
    let chart = Chart::loglog()
        .x_range(0.006, 0.65)
        .with(
            Series::new(f, &a.fit.mean, RED, Style::LineDots)
                .label("mean log RAPSD of log-mel images"),
        )
        .with(
            Series::new(f, &fitted, BLACK, Style::Dotted)
                .label(&format!("power-law fit, α = {:.3}", law.alpha)),
        );
    save_chart("f17-mel-power-law.svg", &chart, 400.0)
}

fn main() -> Result<()> {
    let analysis = compute()?;
    save_values(&values(&analysis))?;
    draw(&analysis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::audio::log_mean_mel_rapsd;
    use spectral::fit::fit_power_law;

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn the_mel_rapsd_of_the_embedded_clips_is_close_to_a_power_law() {
        let a = compute().unwrap();
        let (law, interval, quality) = (a.fit.law, a.fit.interval, a.quality);
        // The fit is the fit of the log-mean RAPSD of the log-mel images, computed the other way
        // round (one mean over the images, then DC dropped).
        let direct = log_mean_mel_rapsd(&default_clips().unwrap())
            .unwrap()
            .without_dc();
        assert_eq!(direct.frequency, a.frequency);
        assert!((fit_power_law(&direct.frequency, &direct.power).alpha - law.alpha).abs() < 1e-9);
        // The claim of the chapter: a straight line in log-log space explains nearly all of the
        // curve's variation, and the curve never strays far from it.
        assert!(quality.r_squared >= 0.98, "{quality:?}");
        assert!(quality.max_factor < 2.0, "{quality:?}");
        // An exponent of the same kind as images' (about 2), bracketed by its interval.
        assert!((1.8..2.8).contains(&law.alpha), "{law:?}");
        assert!(
            interval.low < law.alpha && law.alpha < interval.high,
            "{interval:?}"
        );
    }

    #[test]
    fn overlap_means_a_shared_exponent() {
        let i = |low, high| Interval { low, high };
        assert_eq!(overlap_word(&i(2.0, 2.4), &i(2.3, 2.6)), "overlap");
        assert_eq!(overlap_word(&i(2.3, 2.6), &i(2.0, 2.4)), "overlap");
        assert_eq!(overlap_word(&i(2.0, 2.2), &i(2.3, 2.6)), "do not overlap");
        // The word the chapter shows agrees with the two intervals it prints beside it.
        let a = compute().unwrap();
        let (m, p) = (a.fit.interval, a.photos);
        let shared = (m.low.max(p.low)..=m.high.min(p.high)).contains(&m.low.max(p.low));
        assert_eq!(overlap_word(&m, &p) == "overlap", shared);
    }

    #[test]
    fn powers_are_quoted_to_two_significant_digits() {
        let shown: Vec<String> = [74_812.0, 1234.0, 6.849, 0.5123, 42.0]
            .into_iter()
            .map(two_digits)
            .collect();
        assert_eq!(shown, ["7.5e4", "1.2e3", "6.8", "0.51", "42"]);
    }
}

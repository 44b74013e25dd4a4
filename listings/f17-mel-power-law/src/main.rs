//! F17: the log-domain mean RAPSD of every embedded recording's log-mel spectrogram, with its
//! least-squares power-law fit (dotted), the fit's quality and a bootstrap interval for α̂.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f17-mel-power-law`.
//! Pieces: recordings, `log_mean_mel_rapsd`, `mel_rapsds` and `fit_quality` from
//! `bookkit::audio`; `fit_power_law` and `bootstrap_alpha` from `spectral::fit`, as for photos;
//! the chart from `bookkit::plot`.

use bookkit::audio::{
    Clip, FitQuality, default_clips, fit_quality, log_mean_mel_rapsd, mel_rapsds,
};
use bookkit::figure::{save_png, save_value};
use bookkit::plot::{BLACK, Chart, RED, Series, Style};
use spectral::fit::{Interval, PowerLaw, bootstrap_alpha, fit_power_law};
use spectral::noise::seeded_rng;
use spectral::spectrum::Rapsd;

/// Everything the chapter reports about the fit.
struct Analysis {
    mean: Rapsd,
    law: PowerLaw,
    quality: FitQuality,
    interval: Interval,
}

fn analyse(clips: &[Clip]) -> anyhow::Result<Analysis> {
    // ANCHOR: fit
    let mean = log_mean_mel_rapsd(clips)?.without_dc();
    let law = fit_power_law(&mean.frequency, &mean.power);
    let quality = fit_quality(&mean.frequency, &mean.power, &law);
    println!(
        "P(f) ≈ {:.3e} · f^(−{:.3}), R² = {:.3}",
        law.c, law.alpha, quality.r_squared
    );
    // ANCHOR_END: fit

    // ANCHOR: bootstrap
    let curves: Vec<Vec<f64>> = mel_rapsds(clips)
        .iter()
        .map(|r| r.without_dc().power)
        .collect();
    let (interval, _) = bootstrap_alpha(&mean.frequency, &curves, 2000, &mut seeded_rng(17));
    println!(
        "bootstrap 95% interval for α̂: [{:.2}, {:.2}]",
        interval.low, interval.high
    );
    // ANCHOR_END: bootstrap
    println!(
        "the curve stays within a factor {:.2} of the fitted line",
        quality.max_factor
    );
    Ok(Analysis {
        mean,
        law,
        quality,
        interval,
    })
}

fn main() -> anyhow::Result<()> {
    let clips = default_clips()?;
    let Analysis {
        mean,
        law,
        quality,
        interval,
    } = analyse(&clips)?;
    save_value("mel-alpha", &format!("{:.2}", law.alpha))?;
    save_value("mel-c", &format!("{:.2}", law.c))?;
    save_value("mel-r2", &format!("{:.3}", quality.r_squared))?;
    save_value("mel-max-factor", &format!("{:.2}", quality.max_factor))?;
    save_value("mel-alpha-low", &format!("{:.2}", interval.low))?;
    save_value("mel-alpha-high", &format!("{:.2}", interval.high))?;

    let fitted: Vec<f64> = mean.frequency.iter().map(|f| law.eval(*f)).collect();
    let chart = Chart::loglog()
        .x_range(0.006, 0.65)
        .with(
            Series::new(&mean.frequency, &mean.power, RED, Style::LineDots)
                .label("mean log RAPSD of log-mel images"),
        )
        .with(
            Series::new(&mean.frequency, &fitted, BLACK, Style::Dotted)
                .label(&format!("power-law fit, α = {:.2}", law.alpha)),
        );
    save_png(&chart.render(720, 400)?, "f17-mel-power-law.png")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::figure::saved_value;

    #[test]
    fn the_mel_rapsd_of_the_embedded_clips_is_close_to_a_power_law() {
        let a = analyse(&default_clips().unwrap()).unwrap();
        // The claim of the chapter: a straight line in log-log space explains nearly all of the
        // curve's variation, and the curve never strays far from it.
        assert!(a.quality.r_squared >= 0.98, "{:?}", a.quality);
        assert!(a.quality.max_factor < 2.0, "{:?}", a.quality);
        // An exponent of the same kind as images' (about 2), bracketed by its interval.
        assert!((1.8..2.8).contains(&a.law.alpha), "{:?}", a.law);
        assert!(
            a.interval.low < a.law.alpha && a.law.alpha < a.interval.high,
            "{:?}",
            a.interval
        );
        // The numbers the chapter shows are these.
        for (name, value) in [
            ("mel-alpha", format!("{:.2}", a.law.alpha)),
            ("mel-c", format!("{:.2}", a.law.c)),
            ("mel-r2", format!("{:.3}", a.quality.r_squared)),
            ("mel-max-factor", format!("{:.2}", a.quality.max_factor)),
            ("mel-alpha-low", format!("{:.2}", a.interval.low)),
            ("mel-alpha-high", format!("{:.2}", a.interval.high)),
        ] {
            if let Some(shown) = saved_value(name) {
                assert_eq!(shown, value, "{name}");
            }
        }
    }
}

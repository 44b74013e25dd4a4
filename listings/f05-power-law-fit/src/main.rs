//! F5: the mean RAPSD of F4 with its least-squares power-law fit (dotted), and
//! X1: every photo's own exponent beside the mean's, with a bootstrap 95% interval.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f05-power-law-fit`.
//! Pieces: photos from `bookkit::data`; `log_mean_rapsd` and `rapsd` from `spectral::spectrum`;
//! `fit_power_law` and `bootstrap_alpha` from `spectral::fit`; charts from `bookkit::plot`.

use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::{save_png, save_value};
use bookkit::plot::{BLACK, BLUE, Chart, GREY, RED, Series, SeriesLabelPosition, Style};
use spectral::fit::{bootstrap_alpha, fit_power_law};
use spectral::noise::seeded_rng;
use spectral::spectrum::{log_mean_rapsd, rapsd};

/// The exponent the post reports on Imagenette, for comparison only.
const POST_ALPHA: f64 = 2.454;

fn main() -> anyhow::Result<()> {
    let greens = channels(&default_photos()?, Channel::Green);
    // ANCHOR: fit
    let mean = log_mean_rapsd(&greens).without_dc();
    let law = fit_power_law(&mean.frequency, &mean.power);
    println!("P(f) ≈ {:.3e} · f^(−{:.3})", law.c, law.alpha);
    // ANCHOR_END: fit

    // ANCHOR: bootstrap
    let curves: Vec<Vec<f64>> = greens.iter().map(|g| rapsd(g).without_dc().power).collect();
    let (interval, _) = bootstrap_alpha(&mean.frequency, &curves, 2000, &mut seeded_rng(5));
    println!(
        "bootstrap 95% interval for α̂: [{:.3}, {:.3}]",
        interval.low, interval.high
    );
    // ANCHOR_END: bootstrap

    save_value("image-alpha", &format!("{:.3}", law.alpha))?;
    save_value("image-c", &format!("{:.2e}", law.c))?;
    save_value("image-alpha-low", &format!("{:.2}", interval.low))?;
    save_value("image-alpha-high", &format!("{:.2}", interval.high))?;

    let fitted: Vec<f64> = mean.frequency.iter().map(|f| law.eval(*f)).collect();
    let chart = Chart::loglog()
        .with(
            Series::new(&mean.frequency, &mean.power, RED, Style::LineDots).label("mean log RAPSD"),
        )
        .with(
            Series::new(&mean.frequency, &fitted, BLACK, Style::Dotted)
                .label(&format!("power-law fit, α = {:.3}", law.alpha)),
        );
    save_png(&chart.render(720, 400)?, "f05-power-law-fit.png")?;

    // X1: the exponent of each photo on its own, sorted.
    let mut per_photo: Vec<f64> = curves
        .iter()
        .map(|c| fit_power_law(&mean.frequency, c).alpha)
        .collect();
    per_photo.sort_by(f64::total_cmp);
    let (lo, hi) = (per_photo[0], per_photo[per_photo.len() - 1]);
    println!("per-photo α̂ from {lo:.2} to {hi:.2}");
    save_value("image-alpha-min", &format!("{lo:.2}"))?;
    save_value("image-alpha-max", &format!("{hi:.2}"))?;
    let rank: Vec<f64> = (1..=per_photo.len()).map(|i| i as f64).collect();
    let flat = |v: f64| vec![v; 2];
    let ends = [0.0, per_photo.len() as f64 + 1.0];
    let spread = Chart::linear("photo (sorted by exponent)", "exponent α")
        .legend_at(SeriesLabelPosition::LowerRight)
        .x_range(ends[0], ends[1])
        .with(Series::new(&rank, &per_photo, RED, Style::Dots).label("one photo"))
        .with(Series::new(&ends, &flat(law.alpha), BLACK, Style::Line).label("log-mean spectrum"))
        .with(
            Series::new(&ends, &flat(interval.low), BLUE, Style::Dotted)
                .label("bootstrap 95% interval"),
        )
        .with(Series::new(
            &ends,
            &flat(interval.high),
            BLUE,
            Style::Dotted,
        ))
        .with(
            Series::new(&ends, &flat(POST_ALPHA), GREY, Style::Line).label("the post (Imagenette)"),
        );
    save_png(&spread.render(720, 420)?, "x01-alpha-spread.png")?;
    Ok(())
}

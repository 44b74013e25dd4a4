//! F5: the mean RAPSD of F4 with its least-squares power-law fit (dotted), and
//! X1: every photo's own exponent beside the mean's, with a bootstrap 95% interval.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f05-power-law-fit`.
//! Pieces: photos and `photo_fit` (every photo's RAPSD handed to `spectral::fit::fit_set`: the
//! fit, its bootstrap interval and the per-photo exponents) from `bookkit::data`; charts from
//! `bookkit::plot`; values from `bookkit::values`.

use anyhow::Result;
use bookkit::data::{book_greens, photo_fit};
use bookkit::figure::save_svg;
use bookkit::plot::{BLACK, BLUE, Chart, GREY, RED, Series, SeriesLabelPosition, Style};
use bookkit::values::{Values, save_values};
use spectral::fit::SetFit;

/// The exponent the post reports on Imagenette, for comparison only.
const POST_ALPHA: f64 = 2.454;

/// Everything the chapter reports about the fit.
struct Analysis {
    /// The frequencies of the RAPSD, DC dropped.
    frequency: Vec<f64>,
    fit: SetFit,
    /// Each photo's own exponent, sorted.
    sorted: Vec<f64>,
}

fn compute() -> Result<Analysis> {
    let greens = book_greens()?;
    // ANCHOR: fit
    let (frequency, fit) = photo_fit(&greens);
    println!("P(f) ≈ {:.3e} · f^(−{:.3})", fit.law.c, fit.law.alpha);
    println!(
        "bootstrap 95% interval for α̂: [{:.3}, {:.3}]",
        fit.interval.low, fit.interval.high
    );
    // ANCHOR_END: fit
    let mut sorted = fit.per_curve.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(Analysis {
        frequency,
        fit,
        sorted,
    })
}

fn values(a: &Analysis) -> Values {
    let (law, interval) = (&a.fit.law, &a.fit.interval);
    vec![
        ("image-alpha", format!("{:.3}", law.alpha)),
        ("image-c", format!("{:.2e}", law.c)),
        ("image-alpha-low", format!("{:.2}", interval.low)),
        ("image-alpha-high", format!("{:.2}", interval.high)),
        ("image-alpha-min", format!("{:.2}", a.sorted[0])),
        (
            "image-alpha-max",
            format!("{:.2}", a.sorted[a.sorted.len() - 1]),
        ),
        (
            "image-alpha-post-diff",
            format!("{:.3}", (law.alpha - POST_ALPHA).abs()),
        ),
        ("image-top-vs-fit", format!("{:.2}", top_vs_fit(a))),
        ("post-alpha", format!("{POST_ALPHA:.3}")),
        (
            "bootstrap-resamples",
            bookkit::values::thousands(bookkit::data::BOOTSTRAP_RESAMPLES as u64),
        ),
    ]
}

/// The measured power in the highest frequency bin over the fitted line's there: below 1 where
/// the spectrum bends down at the top.
fn top_vs_fit(a: &Analysis) -> f64 {
    let last = a.frequency.len() - 1;
    a.fit.mean[last] / a.fit.law.eval(a.frequency[last])
}

fn draw(a: &Analysis) -> Result<()> {
    let (f, law, interval) = (&a.frequency, &a.fit.law, &a.fit.interval);
    let fitted: Vec<f64> = f.iter().map(|f| law.eval(*f)).collect();
    let chart = Chart::loglog()
        .with(Series::new(f, &a.fit.mean, RED, Style::LineDots).label("mean log RAPSD"))
        .with(
            Series::new(f, &fitted, BLACK, Style::Dotted)
                .label(&format!("power-law fit, α = {:.3}", law.alpha)),
        );
    save_svg(&chart.svg(720, 400), "f05-power-law-fit.svg")?;

    // X1: the exponent of each photo on its own, sorted.
    let rank: Vec<f64> = (1..=a.sorted.len()).map(|i| i as f64).collect();
    let flat = |v: f64| vec![v; 2];
    let ends = [0.0, a.sorted.len() as f64 + 1.0];
    let spread = Chart::linear("photo (sorted by exponent)", "exponent α")
        .legend_at(SeriesLabelPosition::LowerRight)
        .x_range(ends[0], ends[1])
        .with(Series::new(&rank, &a.sorted, RED, Style::Dots).label("one photo"))
        .with(
            Series::new(&ends, &flat(law.alpha), BLACK, Style::Line)
                .label(&format!("log-mean spectrum, α = {:.3}", law.alpha)),
        )
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
        // Dashed and wider: it may coincide with the log-mean line and must still be seen.
        .with(
            Series::new(&ends, &flat(POST_ALPHA), GREY, Style::Dashed)
                .width(2.5)
                .label(&format!("the post (Imagenette), α = {POST_ALPHA:.3}")),
        );
    save_svg(&spread.svg(720, 420), "x01-alpha-spread.svg")?;
    Ok(())
}

fn main() -> Result<()> {
    let analysis = compute()?;
    save_values(&values(&analysis))?;
    draw(&analysis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::fit::fit_power_law;
    use spectral::spectrum::log_mean_rapsd;

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn the_statements_of_the_chapter_hold_on_the_embedded_photos() {
        let a = compute().unwrap();
        let (law, interval) = (a.fit.law, a.fit.interval);
        // The fit is the fit of F4's curve (log_mean_rapsd), computed the other way round.
        let f4 = log_mean_rapsd(&book_greens().unwrap()).without_dc();
        let direct = fit_power_law(&f4.frequency, &f4.power);
        assert!((direct.alpha - law.alpha).abs() < 1e-9);
        // Scene photos measure 2.4–2.7 one by one (toolchain notes); the set's exponent lies there.
        assert!((2.3..2.7).contains(&law.alpha), "{}", law.alpha);
        // "The post's 2.454 lies inside [the interval], and the textbook 2 lies well outside it."
        assert!(
            interval.low < POST_ALPHA && POST_ALPHA < interval.high,
            "{interval:?}"
        );
        assert!(interval.low > 2.0 && interval.low < law.alpha && law.alpha < interval.high);
        // The per-photo range brackets the exponent of the mean.
        assert!(a.sorted[0] < law.alpha && law.alpha < a.sorted[a.sorted.len() - 1]);
        // The fitted line passes through the middle of the curve: within 30% at f = 0.1.
        let at = a.frequency.iter().position(|f| (*f - 0.1).abs() < 1e-9);
        let at = at.expect("f = 0.1 is radius 32 of 320");
        assert!((law.eval(0.1) / a.fit.mean[at] - 1.0).abs() < 0.3);
        // "At the highest frequency the measured curve lies below the fitted line": the bend.
        assert!(top_vs_fit(&a) < 1.0, "{}", top_vs_fit(&a));
    }
}

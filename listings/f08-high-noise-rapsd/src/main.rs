//! F8: as F7, with noise of variance 16 (σ = 4): the log-domain mean RAPSD of the photos (red),
//! of the noise (blue) and of the noisy photos (green). The noise's flat line rises by a factor of
//! 16 and the hinge moves to lower frequencies; measures the new crossing and compares it with the
//! power-law fit's prediction.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f08-high-noise-rapsd`.
//! Pieces: photos from `bookkit::data`; the book's noise draw (`unit_noise`), the three spectra
//! and the crossings (`tide`) from `spectral::tide`; the chart (`tide_chart`) from
//! `bookkit::tide_frame`; values from `bookkit::values`.

use anyhow::Result;
use bookkit::data::book_greens;
use bookkit::figure::save_svg;
use bookkit::tide_frame::tide_chart;
use bookkit::values::{Values, save_values};
use spectral::tide::{Tide, tide, unit_noise};

/// Noise standard deviation: variance 16, as in the post.
const SIGMA: f64 = 4.0;
/// The radii whose three levels the listing prints.
const SHOWN_RADII: [usize; 9] = [1, 2, 4, 6, 8, 12, 16, 32, 159];

fn compute() -> Result<Tide> {
    let greens = book_greens()?;
    // ANCHOR: loud
    let unit = unit_noise(&greens);
    let tide = tide(&greens, &unit, SIGMA);
    // ANCHOR_END: loud
    println!("frequency   images     noise      noisy");
    for i in SHOWN_RADII.map(|r| r - 1) {
        let (a, b, c) = (
            tide.images.power[i],
            tide.noise.power[i],
            tide.noisy.power[i],
        );
        println!(
            "{:9.5}  {a:9.3e}  {b:9.3e}  {c:9.3e}",
            tide.images.frequency[i]
        );
    }
    let (measured, predicted) = crossings(&tide);
    println!("photos meet the noise at f = {measured:.4} (fit predicts {predicted:.4})");
    Ok(tide)
}

/// Where the photos sink below the noise: measured, and predicted by the fit (C·f^(−α) = σ²).
fn crossings(t: &Tide) -> (f64, f64) {
    let measured = t.crossing().expect("the photos start above the noise");
    (measured, t.predicted_crossing())
}

fn values(t: &Tide) -> Values {
    let (measured, predicted) = crossings(t);
    vec![
        ("high-noise-crossing", format!("{measured:.3}")),
        ("high-noise-crossing-fit", format!("{predicted:.3}")),
        (
            "high-noise-crossing-period",
            format!("{:.0}", 1.0 / measured),
        ),
        ("high-noise-shift", format!("{:.1}", shift(t))),
        ("high-noise-variance", format!("{:.0}", SIGMA * SIGMA)),
        ("high-noise-sigma", format!("{SIGMA:.0}")),
    ]
}

/// How far σ² = 16 moves the crossing down under the fitted power law: by 16^(1/α̂).
fn shift(t: &Tide) -> f64 {
    let alpha = spectral::fit::fit_power_law(&t.images.frequency, &t.images.power).alpha;
    (t.sigma * t.sigma).powf(1.0 / alpha)
}

fn draw(t: &Tide) -> Result<()> {
    save_svg(&tide_chart(t).svg(720, 400), "f08-high-noise-rapsd.svg")?;
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
    fn sixteen_times_the_noise_moves_the_crossing_down_as_the_power_law_predicts() {
        let greens = book_greens().unwrap();
        let s = &compute().unwrap();
        // The noise curve is the unit noise's times exactly 16 (R[c·x] = c²·R[x]).
        let unit = log_mean_rapsd(&unit_noise(&greens)).without_dc();
        for (a, b) in s.noise.power.iter().zip(&unit.power) {
            assert!((a / (16.0 * b) - 1.0).abs() < 1e-9);
        }
        let (measured, predicted) = crossings(s);
        // "Sixteen times more noise power divides the crossing frequency by 16^(1/α), about 3."
        let alpha = fit_power_law(&s.images.frequency, &s.images.power).alpha;
        assert!((2.9..3.3).contains(&16f64.powf(1.0 / alpha)));
        assert_eq!(shift(s), 16f64.powf(1.0 / alpha));
        // The predicted crossing at σ = 1 over the one at σ = 4 is that shift.
        let quiet = spectral::tide::tide(&greens, &unit_noise(&greens), 1.0).predicted_crossing();
        assert!((quiet / predicted / shift(s) - 1.0).abs() < 1e-9);
        assert!(
            (measured / predicted - 1.0).abs() < 0.15,
            "{measured} vs {predicted}"
        );
        // Under a power law with exponent α, 16 times the noise divides the crossing frequency by
        // 16^(1/α): about 3 for α near 2.5. The post measured about 0.019 on Imagenette.
        assert!((0.01..0.03).contains(&measured), "{measured}");
    }
}

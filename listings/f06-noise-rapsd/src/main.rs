//! F6: the log-domain mean RAPSD of the embedded photos (red, as in F4) and of as many standard
//! Gaussian noise fields of the same 320 × 320 shape (blue), log-log, DC dropped. Also measures
//! where the two curves cross, and compares that with the crossing the power-law fit predicts.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f06-noise-rapsd`.
//! Pieces: photos from `bookkit::data`; the book's noise draw (`unit_noise`) and the tide's
//! spectra and crossings (`tide`, `Tide::crossings`) from `spectral::tide`; the chart from
//! `bookkit::plot`, saved for the desktop and a phone (`save_chart`); values from
//! `bookkit::values`.

use anyhow::{Context, Result};
use bookkit::data::book_greens;
use bookkit::figure::save_chart;
use bookkit::plot::{BLUE, Chart, RED, Series, Style};
use bookkit::values::{Values, save_values};
use spectral::tide::{Crossings, Tide, tide, unit_noise};

/// The radii whose noise level the listing prints: the dip at the lowest ones, flat beyond.
const SHOWN_RADII: [usize; 9] = [1, 2, 3, 4, 5, 6, 10, 40, 159];

/// The photos' and the unit noise's spectra (the tide at σ = 1, whose noisy curve is F7's), and
/// where they cross.
struct Analysis {
    tide: Tide,
    crossings: Crossings,
}

fn compute() -> Result<Analysis> {
    let greens = book_greens()?;
    // ANCHOR: noise
    let noise = unit_noise(&greens);
    let tide = tide(&greens, &noise, 1.0);
    let (images, noise) = (&tide.images, &tide.noise);
    // ANCHOR_END: noise
    println!(
        "{} noise fields of {}×{}",
        greens.len(),
        greens[0].nrows(),
        greens[0].ncols()
    );
    println!("radius  frequency  noise (log-mean)");
    for r in SHOWN_RADII {
        println!(
            "{r:6}  {:9.6}  {:.3}",
            images.frequency[r - 1],
            noise.power[r - 1]
        );
    }
    let n = noise.power.len() as f64;
    let level = noise.power.iter().map(|p| p.ln()).sum::<f64>() / n;
    println!(
        "geometric mean of the noise curve over all radii: {:.3}",
        level.exp()
    );
    let crossings = tide
        .crossings()
        .context("the photos start below the noise")?;
    let Crossings {
        measured,
        predicted,
    } = crossings;
    println!("photos meet the noise at f = {measured:.4} (fit predicts {predicted:.4})");
    Ok(Analysis { tide, crossings })
}

fn values(a: &Analysis) -> Values {
    let Crossings {
        measured,
        predicted,
    } = a.crossings;
    vec![
        ("noise-crossing", format!("{measured:.3}")),
        ("noise-crossing-fit", format!("{predicted:.3}")),
        ("noise-crossing-period", format!("{:.0}", 1.0 / measured)),
        ("noise-r1", format!("{:.2}", a.tide.noise.power[0])),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    let (images, noise) = (&a.tide.images, &a.tide.noise);
    let f = &images.frequency;
    let chart = Chart::loglog()
        .with(Series::new(f, &images.power, RED, Style::LineDots).label("images"))
        .with(Series::new(f, &noise.power, BLUE, Style::LineDots).label("noise"));
    save_chart("f06-noise-rapsd.svg", &chart, 400.0)
}

fn main() -> Result<()> {
    let analysis = compute()?;
    save_values(&values(&analysis))?;
    draw(&analysis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::Field;
    use spectral::fit::log_mean;
    use spectral::noise::expected_log_mean_noise_rapsd;
    use spectral::spectrum::{RadialBins, rapsd};

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn the_noise_is_flat_at_one_and_crosses_the_photos_where_the_fit_says() {
        let greens = book_greens().unwrap();
        let a = compute().unwrap();
        let (images, noise) = (&a.tide.images, &a.tide.noise);
        // Flat at 1 (σ² of standard noise) up to the log-mean's dip (X2): each point lies within
        // 4.5 standard errors of its expected level, in the log domain. The log of a ring's power
        // over k independent bins has variance ψ′(k) ≈ 1/k + 1/(2k²) + 1/(6k³), here averaged
        // over one field per photo.
        let expected = expected_log_mean_noise_rapsd(320, 320, 1.0);
        let k = RadialBins::new(320, 320).independent_counts();
        let m = greens.len() as f64;
        for (r, p) in noise.power.iter().enumerate().map(|(i, p)| (i + 1, p)) {
            let k = k[r] as f64;
            let se = ((1.0 / k + 1.0 / (2.0 * k * k) + 1.0 / (6.0 * k * k * k)) / m).sqrt();
            let z = (p / expected[r]).ln().abs() / se;
            assert!(z < 4.5, "r = {r}: {p} vs {}", expected[r]);
        }
        // Noise of the same shape: one field per photo, each 320 × 320.
        assert_eq!(unit_noise(&greens).len(), greens.len());

        // Recompute the crossing independently: the last radius where the photos' curve is above
        // the noise's, from per-field RAPSDs averaged with `log_mean`.
        let per = |fields: &[Field]| {
            let curves: Vec<Vec<f64>> =
                fields.iter().map(|x| rapsd(x).without_dc().power).collect();
            log_mean(&curves)
        };
        let (img, noise) = (per(&greens), per(&unit_noise(&greens)));
        let last = (0..img.len()).rev().find(|&i| img[i] > noise[i]).unwrap();
        let (lo, hi) = (images.frequency[last], images.frequency[last + 1]);
        let Crossings {
            measured,
            predicted,
        } = a.crossings;
        assert!(lo <= measured && measured <= hi, "{lo} {measured} {hi}");
        // The measured crossing matches the fit's prediction within 10%, and sits where the
        // post's figure shows it (about 0.06 on Imagenette): between 0.03 and 0.1 cycles/pixel.
        assert!(
            (measured / predicted - 1.0).abs() < 0.1,
            "{measured} vs {predicted}"
        );
        assert!((0.03..0.1).contains(&measured));
    }
}

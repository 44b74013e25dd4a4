//! F4: the log-domain mean of the RAPSDs of every embedded photo (green channel), log-log,
//! DC dropped: the "typical" spectrum of a natural image.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f04-mean-rapsd`.
//! Pieces: photos from `bookkit::data`, `log_mean_rapsd` from `spectral::spectrum`, the chart
//! from `bookkit::plot`; values from `bookkit::values`.

use anyhow::Result;
use bookkit::data::book_greens;
use bookkit::figure::save_svg;
use bookkit::plot::{Chart, RED, Series, Style};
use bookkit::values::{Values, save_values};
use spectral::spectrum::{Rapsd, log_mean_rapsd};

/// The radii (0-based, DC dropped) whose mean power the listing prints.
const SHOWN: [usize; 6] = [0, 2, 9, 31, 95, 157];

struct Analysis {
    /// How many photos the mean covers.
    photos: usize,
    mean: Rapsd,
}

fn compute() -> Result<Analysis> {
    // ANCHOR: mean
    let greens = book_greens()?;
    let mean = log_mean_rapsd(&greens).without_dc();
    // ANCHOR_END: mean
    println!("frequency  power");
    for r in SHOWN {
        println!("{:9.6}  {:.3e}", mean.frequency[r], mean.power[r]);
    }
    Ok(Analysis {
        photos: greens.len(),
        mean,
    })
}

fn values(a: &Analysis) -> Values {
    vec![
        ("photo-count", a.photos.to_string()),
        ("photo-size", bookkit::data::BOOK_SIZE.to_string()),
        ("image-decades", format!("{:.0}", decades(&a.mean))),
    ]
}

/// How many whole orders of magnitude the mean spectrum falls from its lowest frequency to its
/// highest.
fn decades(mean: &Rapsd) -> f64 {
    (mean.power[0] / mean.power[mean.power.len() - 1])
        .log10()
        .floor()
}

fn draw(a: &Analysis) -> Result<()> {
    let m = &a.mean;
    let chart = Chart::loglog().with(Series::new(&m.frequency, &m.power, RED, Style::LineDots));
    save_svg(&chart.svg(720, 400), "f04-mean-rapsd.svg")?;
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
    use bookkit::data::default_images_dir;

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn the_mean_covers_every_photo_in_the_data_folder() {
        // Counted without the kit's walker: every JPEG or PNG file in data/images.
        let photos = std::fs::read_dir(default_images_dir())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
                ["jpg", "jpeg", "png"].contains(&ext.to_ascii_lowercase().as_str())
            })
            .count();
        assert!(photos > 0);
        assert_eq!(compute().unwrap().photos, photos);
    }

    #[test]
    fn the_mean_falls_like_a_power_law() {
        let mean = compute().unwrap().mean;
        // "Almost perfectly straight": falls by more than four decades and every tenfold step in
        // frequency lowers the power (no bump anywhere on a decade scale).
        let at = |f: f64| {
            let i = mean.frequency.iter().position(|x| (*x - f).abs() < 1e-9);
            mean.power[i.expect("a frequency of the 320-pixel grid")]
        };
        assert!(at(0.003125) / at(0.49375) > 1e4);
        // "Falls by more than N orders of magnitude": N whole decades, not N + 1.
        let n = decades(&mean);
        let fall = mean.power[0] / mean.power[mean.power.len() - 1];
        assert!(
            fall > 10f64.powf(n) && fall < 10f64.powf(n + 1.0) && n >= 4.0,
            "{fall}"
        );
        assert!(at(0.003125) > at(0.03125) && at(0.03125) > at(0.3125));
    }
}

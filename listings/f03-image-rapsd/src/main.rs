//! F3: four photos and, below each, its radially averaged power spectral density (RAPSD)
//! on log-log axes, DC dropped.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f03-image-rapsd`.
//! Pieces: photos from `bookkit::data`, the RAPSD from `spectral::spectrum`, charts from
//! `bookkit::plot`.

use anyhow::Result;
use bookkit::data::{Channel, Photo, featured_photos};
use bookkit::figure::save_svg;
use bookkit::plot::{Chart, Figure, RED, Rect, Series, Style};
use bookkit::values::{Values, save_values};
use spectral::spectrum::{Rapsd, rapsd};

/// The four featured photos and their spectra.
struct Analysis {
    photos: Vec<Photo>,
    curves: Vec<Rapsd>,
}

fn compute() -> Result<Analysis> {
    // ANCHOR: rapsd
    let photos = featured_photos()?;
    let curves: Vec<_> = photos
        .iter()
        .map(|photo| rapsd(&photo.channel(Channel::Green)).without_dc())
        .collect();
    // ANCHOR_END: rapsd
    for (photo, curve) in photos.iter().zip(&curves) {
        let (first, last) = (curve.power[0], curve.power[curve.power.len() - 1]);
        println!(
            "{:<28} power {first:9.3e} at f = {:.4} … {last:9.3e} at f = {:.4}",
            photo.name,
            curve.frequency[0],
            curve.frequency[curve.frequency.len() - 1]
        );
    }
    Ok(Analysis { photos, curves })
}

/// The RAPSD's first and last frequency after the DC term, as the fractions r/L the chapter
/// quotes (L: the photo's side).
fn values(a: &Analysis) -> Values {
    let side = a.photos[0].dim().1;
    let frequency = &a.curves[0].frequency;
    let fraction = |f: f64| format!("{:.0}/{side}", f * side as f64);
    vec![
        ("rapsd-first-f", fraction(frequency[0])),
        ("rapsd-last-f", fraction(frequency[frequency.len() - 1])),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    // A 2 × 2 grid in the book's column: each photo above its RAPSD.
    let (cell_w, photo, chart_h) = (360.0, 170.0, 230.0);
    let cell_h = photo + 8.0 + chart_h;
    let mut fig = Figure::new(2.0 * cell_w, 2.0 * cell_h + 10.0);
    for (i, (p, curve)) in a.photos.iter().zip(&a.curves).enumerate() {
        let (x, y) = ((i % 2) as f64 * cell_w, (i / 2) as f64 * (cell_h + 10.0));
        fig.image(
            Rect::new(x + (cell_w - photo) / 2.0, y, photo, photo),
            &p.to_rgb8(),
        );
        let series = Series::new(&curve.frequency, &curve.power, RED, Style::LineDots);
        let chart = Chart::loglog().with(series);
        fig.chart(Rect::new(x, y + photo + 8.0, cell_w, chart_h), &chart);
    }
    save_svg(&fig.svg(), "f03-image-rapsd.svg")?;
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

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn every_photo_loses_power_from_low_to_high_frequencies() {
        // Each featured photo's first (lowest non-DC) ring holds over a thousand times the power
        // of its last: the falling curves F3 shows.
        for curve in compute().unwrap().curves {
            assert!(curve.frequency[0] > 0.0);
            assert!(curve.power[0] > 1e3 * curve.power[curve.power.len() - 1]);
        }
    }
}

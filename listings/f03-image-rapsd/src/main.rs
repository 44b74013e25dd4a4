//! F3: four photos and, below each, its radially averaged power spectral density (RAPSD)
//! on log-log axes, DC dropped.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f03-image-rapsd`.
//! Pieces: photos from `bookkit::data`, the RAPSD from `spectral::spectrum`, charts from
//! `bookkit::plot`, the desktop and phone layouts from `bookkit::figure`.

use anyhow::Result;
use bookkit::data::{Channel, Photo, featured_photos};
use bookkit::figure::{Column, save_responsive};
use bookkit::plot::{Chart, Figure, RED, Rect, Series, Style, align_charts};
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
    let pictures: Vec<_> = a.photos.iter().map(|p| p.to_rgb8()).collect();
    save_responsive("f03-image-rapsd.svg", |column| {
        // Each photo above its RAPSD: a 2 × 2 grid in the book's column, one column on a phone.
        let cols = if column == Column::Desktop { 2 } else { 1 };
        let cell_w = column.width() / cols as f64;
        let (photo, chart_h, gap) = (170.0, 230.0, 12.0);
        let cell_h = photo + 8.0 + chart_h;
        let rows = pictures.len().div_ceil(cols);
        let mut fig = Figure::new(column.width(), rows as f64 * (cell_h + gap) - gap);
        let corner = |i: usize| {
            (
                (i % cols) as f64 * cell_w,
                (i / cols) as f64 * (cell_h + gap),
            )
        };
        let rects: Vec<Rect> = (0..pictures.len())
            .map(|i| Rect::new(corner(i).0, corner(i).1 + photo + 8.0, cell_w, chart_h))
            .collect();
        let mut charts: Vec<Chart> = a
            .curves
            .iter()
            .map(|c| {
                Chart::loglog().with(Series::new(&c.frequency, &c.power, RED, Style::LineDots))
            })
            .collect();
        align_charts(&mut charts, &rects);
        for (i, (picture, chart)) in pictures.iter().zip(&charts).enumerate() {
            let (x, y) = corner(i);
            fig.image(
                Rect::new(x + (cell_w - photo) / 2.0, y, photo, photo),
                picture,
            );
            fig.chart(rects[i], chart);
        }
        fig
    })
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

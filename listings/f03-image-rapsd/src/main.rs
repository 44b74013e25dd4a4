//! F3: four photos and, below each, its radially averaged power spectral density (RAPSD)
//! on log-log axes, DC dropped.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f03-image-rapsd`.
//! Pieces: photos from `bookkit::data`, the RAPSD from `spectral::spectrum`, charts from `bookkit::plot`.

use bookkit::data::{Channel, featured_photos};
use bookkit::figure::save_png;
use bookkit::plot::{Canvas, Chart, RED, Series, Style};
use spectral::spectrum::rapsd;

const PANEL: u32 = 330;
const CHART_H: u32 = 290;

fn main() -> anyhow::Result<()> {
    // ANCHOR: rapsd
    let photos = featured_photos()?;
    let curves: Vec<_> = photos
        .iter()
        .map(|photo| rapsd(&photo.channel(Channel::Green)).without_dc())
        .collect();
    // ANCHOR_END: rapsd

    let mut canvas = Canvas::new(4 * PANEL, PANEL + CHART_H);
    let pictures: Vec<_> = photos.iter().map(|p| p.to_rgb8()).collect();
    canvas.paste_row(&pictures, 5, 5, PANEL);
    for (i, (photo, curve)) in photos.iter().zip(&curves).enumerate() {
        let chart = Chart::loglog().with(Series::new(
            &curve.frequency,
            &curve.power,
            RED,
            Style::LineDots,
        ));
        canvas.draw_chart(&chart, i as u32 * PANEL, PANEL, PANEL, CHART_H)?;
        let (first, last) = (curve.power[0], curve.power[curve.power.len() - 1]);
        println!(
            "{:<28} power {first:9.3e} at f = {:.4} … {last:9.3e} at f = {:.4}",
            photo.name,
            curve.frequency[0],
            curve.frequency[curve.frequency.len() - 1]
        );
    }
    save_png(&canvas.into_image(), "f03-image-rapsd.png")?;
    Ok(())
}

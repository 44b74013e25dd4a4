//! F1: four photos (top row), the log-magnitude of their centred 2D spectra (middle row,
//! viridis) and their phase (bottom row, red–blue from −π to π), green channel.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f01-image-spectra`.
//! Pieces: photos from `bookkit::data`, the spectrum from `spectral::spectrum`, colormaps from
//! `bookkit::colormap`.

use std::f64::consts::PI;

use bookkit::colormap::{RDBU, VIRIDIS, finite_range};
use bookkit::data::{Channel, featured_photos};
use bookkit::figure::save_png;
use bookkit::plot::Canvas;
use spectral::spectrum::{centred_spectrum, log_magnitude, phase};

const PITCH: u32 = 330;

fn main() -> anyhow::Result<()> {
    let photos = featured_photos()?;
    let mut magnitudes = Vec::new();
    let mut phases = Vec::new();
    for photo in &photos {
        // ANCHOR: spectra
        let green = photo.channel(Channel::Green);
        let spectrum = centred_spectrum(&green); // fftshift(fft2(x)): DC in the middle
        let log_mag = log_magnitude(&spectrum); // ln |X|
        let angle = phase(&spectrum); // arg X in [−π, π]
        // ANCHOR_END: spectra
        let (lo, hi) = finite_range(&log_mag);
        println!(
            "{:<28} ln|X| from {lo:6.2} to {hi:6.2} (DC at the centre)",
            photo.name
        );
        magnitudes.push(VIRIDIS.paint(&log_mag, lo, hi));
        phases.push(RDBU.paint(&angle, -PI, PI));
    }
    let mut canvas = Canvas::new(4 * PITCH, 3 * PITCH);
    let pictures: Vec<_> = photos.iter().map(|p| p.to_rgb8()).collect();
    for (row, images) in [pictures, magnitudes, phases].iter().enumerate() {
        canvas.paste_row(images, 5, 5 + row as u32 * PITCH, PITCH);
    }
    save_png(&canvas.into_image(), "f01-image-spectra.png")?;
    Ok(())
}

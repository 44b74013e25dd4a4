//! F2: an animation of one photo's 2D spectrum cut along a rotating ray. Left, the
//! log-magnitude spectrum (low frequencies at the centre, shown with the vertical frequency axis
//! pointing up); right, the power along the ray on log-log axes. 60 frames, 6° apart.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f02-spectrum-slices`.
//! Pieces: the photo from `bookkit::data`, the spectrum from `spectral::spectrum`, drawing from
//! `bookkit::plot`, GIF writing from `bookkit::figure`.

use anyhow::anyhow;
use bookkit::colormap::{VIRIDIS, finite_range};
use bookkit::data::{Channel, featured_photos};
use bookkit::figure::save_gif;
use bookkit::image::imageops::{self, FilterType};
use bookkit::plot::{Canvas, Chart, RED, Series, Style};
use bookkit::plotters::prelude::*;
use spectral::Field;
use spectral::spectrum::{centred_spectrum, log_magnitude, power};

const FRAMES: usize = 60;
const SHOWN: u32 = 420;

// ANCHOR: slice
/// Power along a ray from the centre (DC) at `angle` radians, one sample per unit radius from 1
/// to the largest full radius, read off the centred power spectrum by bilinear interpolation.
fn slice(power: &Field, angle: f64) -> (Vec<f64>, Vec<f64>) {
    let (rows, cols) = power.dim();
    let (ci, cj) = ((rows / 2) as f64, (cols / 2) as f64);
    let longest = rows.max(cols) as f64;
    (1..rows.min(cols) / 2)
        .map(|r| r as f64)
        .map(|r| {
            (
                r / longest,
                bilinear(power, ci + r * angle.sin(), cj + r * angle.cos()),
            )
        })
        .unzip()
}
// ANCHOR_END: slice

fn bilinear(a: &Field, i: f64, j: f64) -> f64 {
    let (rows, cols) = a.dim();
    let (i0, j0) = (
        i.floor().clamp(0.0, (rows - 2) as f64),
        j.floor().clamp(0.0, (cols - 2) as f64),
    );
    let (di, dj) = (i - i0, j - j0);
    let (i0, j0) = (i0 as usize, j0 as usize);
    a[[i0, j0]] * (1.0 - di) * (1.0 - dj)
        + a[[i0 + 1, j0]] * di * (1.0 - dj)
        + a[[i0, j0 + 1]] * (1.0 - di) * dj
        + a[[i0 + 1, j0 + 1]] * di * dj
}

fn main() -> anyhow::Result<()> {
    let photo = &featured_photos()?[3];
    let spectrum = centred_spectrum(&photo.channel(Channel::Green));
    let psd = power(&spectrum);
    let log_mag = log_magnitude(&spectrum);
    let (lo, hi) = finite_range(&log_mag);
    // Vertical flip: row index (vertical frequency) grows upwards, as with matplotlib's origin='lower'.
    let picture = imageops::resize(
        &imageops::flip_vertical(&VIRIDIS.paint(&log_mag, lo, hi)),
        SHOWN,
        SHOWN,
        FilterType::Nearest,
    );

    let angles: Vec<f64> = (0..FRAMES).map(|k| (6.0 * k as f64).to_radians()).collect();
    let slices: Vec<_> = angles.iter().map(|a| slice(&psd, *a)).collect();
    let all = slices.iter().flat_map(|(_, p)| p.iter().copied());
    let (pmin, pmax) = all.fold((f64::INFINITY, 0f64), |(a, b), p| (a.min(p), b.max(p)));
    println!(
        "photo {}: {} samples per ray, power from {pmin:.2e} to {pmax:.2e}",
        photo.name,
        slices[0].0.len()
    );

    let mut frames = Vec::with_capacity(FRAMES);
    for (angle, (f, p)) in angles.iter().zip(&slices) {
        let mut canvas = Canvas::new(1000, 500);
        let (x0, y0) = (40, 40);
        canvas.paste(&picture, x0, y0);
        let centre = (x0 as i32 + SHOWN as i32 / 2, y0 as i32 + SHOWN as i32 / 2);
        let end = (
            centre.0 + (angle.cos() * SHOWN as f64 / 2.0) as i32,
            centre.1 - (angle.sin() * SHOWN as f64 / 2.0) as i32,
        );
        canvas.draw(|root| {
            root.draw(&PathElement::new(vec![centre, end], RED.stroke_width(3)))
                .map_err(|e| anyhow!("{e}"))?;
            root.draw(&Circle::new(centre, 5, RED.filled()))
                .map_err(|e| anyhow!("{e}"))?;
            Ok(())
        })?;
        let chart = Chart::loglog()
            .x_range(0.8 / 320.0, 0.6)
            .y_range(pmin / 3.0, pmax * 3.0)
            .with(Series::new(f, p, RED, Style::LineDots));
        canvas.draw_chart(&chart, 500, 10, 490, 480)?;
        frames.push(canvas.into_image());
    }
    save_gif(&frames, 100, "f02-spectrum-slices.gif")?;
    Ok(())
}

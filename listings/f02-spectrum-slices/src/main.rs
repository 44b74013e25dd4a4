//! F2: an animation of one photo's 2D spectrum cut along a rotating ray. Left, the
//! log-magnitude spectrum (low frequencies at the centre, shown with the vertical frequency axis
//! pointing up); right, the power along the ray on log-log axes. 60 frames, 6° apart.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f02-spectrum-slices`.
//! Pieces: the photo from `bookkit::data`, the spectrum from `spectral::spectrum`, drawing from
//! `bookkit::plot`, GIF writing from `bookkit::figure`.

use anyhow::Result;
use bookkit::colormap::{VIRIDIS, finite_range};
use bookkit::data::{Channel, featured_photos};
use bookkit::figure::save_gif;
use bookkit::image::RgbImage;
use bookkit::image::imageops::{self, FilterType};
use bookkit::plot::{Canvas, Chart, Figure, RED, Rect, Series, Stroke, Style};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::spectrum::{centred_spectrum, log_magnitude, power};

const FRAMES: usize = 60;
/// The ray turns this far from one frame to the next: once round in `FRAMES` frames.
const DEGREES_PER_FRAME: f64 = 360.0 / FRAMES as f64;
/// The spectrum picture's side in device pixels: 300 CSS px at twice the resolution.
const SHOWN: u32 = 600;

// ANCHOR: slice
/// Power along a ray from the centre (DC) at `angle` radians, one sample per unit radius from 1
/// to the largest full radius, read off the centred power spectrum by bilinear interpolation.
/// The DC bin is left out of the interpolation: it holds the image's mean brightness, thousands
/// of times the power of its neighbours, and even a few percent of its weight would make the
/// first sample on an oblique ray mostly DC.
fn slice(power: &Field, angle: f64) -> (Vec<f64>, Vec<f64>) {
    let (rows, cols) = power.dim();
    let (ci, cj) = ((rows / 2) as f64, (cols / 2) as f64);
    let dc = (rows / 2, cols / 2);
    let longest = rows.max(cols) as f64;
    (1..rows.min(cols) / 2)
        .map(|r| r as f64)
        .map(|r| {
            let at = (ci + r * angle.sin(), cj + r * angle.cos());
            (r / longest, bilinear_without(power, at, dc))
        })
        .unzip()
}
// ANCHOR_END: slice

/// Bilinear interpolation at (i, j) from the four surrounding bins, except `skip`, whose weight
/// is shared out among the others in proportion to theirs.
fn bilinear_without(a: &Field, (i, j): (f64, f64), skip: (usize, usize)) -> f64 {
    let (rows, cols) = a.dim();
    let (i0, j0) = (
        i.floor().clamp(0.0, (rows - 2) as f64),
        j.floor().clamp(0.0, (cols - 2) as f64),
    );
    let (di, dj) = (i - i0, j - j0);
    let (i0, j0) = (i0 as usize, j0 as usize);
    let corners = [
        ((i0, j0), (1.0 - di) * (1.0 - dj)),
        ((i0 + 1, j0), di * (1.0 - dj)),
        ((i0, j0 + 1), (1.0 - di) * dj),
        ((i0 + 1, j0 + 1), di * dj),
    ];
    let kept = corners.iter().filter(|(at, _)| *at != skip);
    let (sum, weight) = kept.fold((0.0, 0.0), |(s, w), (at, wt)| (s + a[*at] * wt, w + wt));
    sum / weight
}

/// The photo's spectrum as a picture, and the power along every ray of the animation.
struct Analysis {
    picture: RgbImage,
    angles: Vec<f64>,
    slices: Vec<(Vec<f64>, Vec<f64>)>,
    /// The smallest and largest power on any ray, for one y-axis shared by all frames.
    range: (f64, f64),
}

fn compute() -> Result<Analysis> {
    let photo = &featured_photos()?[3];
    let spectrum = centred_spectrum(&photo.channel(Channel::Green));
    let psd = power(&spectrum);
    let log_mag = log_magnitude(&spectrum);
    let (lo, hi) = finite_range(&log_mag);
    // Vertical flip: row index (vertical frequency) grows upwards, as with matplotlib's
    // origin='lower'.
    let picture = imageops::resize(
        &imageops::flip_vertical(&VIRIDIS.paint(&log_mag, lo, hi)),
        SHOWN,
        SHOWN,
        FilterType::Nearest,
    );
    let angles: Vec<f64> = (0..FRAMES)
        .map(|k| (DEGREES_PER_FRAME * k as f64).to_radians())
        .collect();
    let slices: Vec<_> = angles.iter().map(|a| slice(&psd, *a)).collect();
    let all = slices.iter().flat_map(|(_, p)| p.iter().copied());
    let range = all.fold((f64::INFINITY, 0f64), |(a, b), p| (a.min(p), b.max(p)));
    println!(
        "photo {}: {} samples per ray, power from {:.2e} to {:.2e}",
        photo.name,
        slices[0].0.len(),
        range.0,
        range.1
    );
    Ok(Analysis {
        picture,
        angles,
        slices,
        range,
    })
}

/// F2 states no numbers in the prose.
fn values(_: &Analysis) -> Values {
    vec![("f02-degrees-per-frame", format!("{DEGREES_PER_FRAME:.0}"))]
}

/// Frame layout in CSS px: the spectrum on the left, the chart of the ray on the right.
const FRAME: (u32, u32) = (720, 340);
const MAP: f64 = 300.0;

fn draw(a: &Analysis) -> Result<()> {
    let (pmin, pmax) = a.range;
    let mut frames = Vec::with_capacity(FRAMES);
    let (x0, y0) = (8.0, 20.0);
    let centre = (x0 + MAP / 2.0, y0 + MAP / 2.0);
    for (angle, (f, p)) in a.angles.iter().zip(&a.slices) {
        let mut fig = Figure::new(f64::from(FRAME.0), f64::from(FRAME.1));
        fig.pixels(Rect::new(x0, y0, MAP, MAP), &a.picture);
        let end = (
            centre.0 + angle.cos() * MAP / 2.0,
            centre.1 - angle.sin() * MAP / 2.0,
        );
        fig.line(&[centre, end], Stroke::solid(RED, 2.5));
        fig.disc(centre, 3.5, RED);
        let chart = Chart::loglog()
            .x_range(0.8 / 320.0, 0.6)
            .y_range(pmin / 3.0, pmax * 3.0)
            .with(Series::new(f, p, RED, Style::LineDots));
        let left = x0 + MAP + 14.0;
        fig.chart(
            Rect::new(left, 0.0, f64::from(FRAME.0) - left, f64::from(FRAME.1)),
            &chart,
        );
        let mut canvas = Canvas::scaled(FRAME.0, FRAME.1, 2.0);
        canvas.figure(&fig);
        frames.push(canvas.into_image());
    }
    save_gif(&frames, 100, "f02-spectrum-slices.gif")?;
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
    fn a_ray_along_an_axis_reads_the_spectrum_exactly() {
        // On the horizontal ray (angle 0) the samples fall on grid points: bilinear interpolation
        // must return the power there exactly, and a ray at 180° the mirrored points.
        let psd = Field::from_shape_fn((16, 16), |(i, j)| (1 + i * 16 + j) as f64);
        let (f, p) = slice(&psd, 0.0);
        assert_eq!(f.len(), 7);
        for (r, v) in p.iter().enumerate() {
            assert_eq!(*v, psd[[8, 8 + r + 1]]);
        }
        let (_, back) = slice(&psd, std::f64::consts::PI);
        // (The DC bin, [8, 8], is never a corner here.)
        for (r, v) in back.iter().enumerate() {
            assert!((v - psd[[8, 8 - r - 1]]).abs() < 1e-9);
        }
    }

    #[test]
    fn the_first_sample_of_every_ray_is_no_larger_than_the_non_dc_power_around_it() {
        let mut psd = power(&centred_spectrum(
            &featured_photos().unwrap()[3].channel(Channel::Green),
        ));
        let (ci, cj) = (psd.nrows() / 2, psd.ncols() / 2);
        let around = (ci - 1..=ci + 1)
            .flat_map(|i| (cj - 1..=cj + 1).map(move |j| (i, j)))
            .filter(|at| *at != (ci, cj))
            .map(|at| psd[at])
            .fold(0.0, f64::max);
        // However large DC is (a photo's mean brightness), none of it may leak into the rays.
        psd[[ci, cj]] = 1e6 * around;
        for k in 0..FRAMES {
            let (_, p) = slice(&psd, (6.0 * k as f64).to_radians());
            assert!(
                p[0] <= around * (1.0 + 1e-12),
                "ray {k}: {} > {around}",
                p[0]
            );
        }
    }
}

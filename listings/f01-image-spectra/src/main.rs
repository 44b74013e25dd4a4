//! F1: four photos (top row), the log-magnitude of their centred 2D spectra (middle row,
//! viridis) and their phase (bottom row, red–blue from −π to π), green channel, each row named.
//!
//! The phase is measured from each photo's centre pixel, not from its corner as the FFT measures
//! it (`phase_about_centre`): from the corner, a photo's content, half a photo away, adds about π
//! from one frequency to the next, so the phase alternates between red and blue at every pixel,
//! and a panel shown at half size turns that alternation into stripes and hyperbolic fringes
//! (moiré) instead of the disorder it has. The faint cross through the middle of some panels is
//! the photo's border: the FFT treats the photo as periodic, and the jumps from its right edge
//! to its left and from bottom to top have their power, and an ordered phase, on the two axes.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f01-image-spectra`.
//! Pieces: photos from `bookkit::data`, the spectrum from `spectral::spectrum`, colormaps from
//! `bookkit::colormap`, the figure from `bookkit::plot::Figure` (laid out for the desktop and a
//! phone by `bookkit::figure`).

use std::f64::consts::PI;

use anyhow::Result;
use bookkit::colormap::{RDBU, VIRIDIS, finite_range};
use bookkit::data::{Channel, Photo, featured_photos};
use bookkit::figure::{Column, save_responsive};
use bookkit::plot::{Figure, HAlign, Rect, TextStyle, VAlign};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::spectrum::{centred_spectrum, log_magnitude, phase_about_centre};

/// One photo and the two halves of its spectrum.
struct Spectra {
    photo: Photo,
    log_mag: Field,
    angle: Field,
}

fn spectra(photo: Photo) -> Spectra {
    // ANCHOR: spectra
    let green = photo.channel(Channel::Green);
    let spectrum = centred_spectrum(&green); // fftshift(fft2(x)): DC in the middle
    let log_mag = log_magnitude(&spectrum); // ln |X|
    let angle = phase_about_centre(&spectrum); // arg X from the centre pixel, in [−π, π]
    // ANCHOR_END: spectra
    Spectra {
        photo,
        log_mag,
        angle,
    }
}

fn compute() -> Result<Vec<Spectra>> {
    let all: Vec<Spectra> = featured_photos()?.into_iter().map(spectra).collect();
    for s in &all {
        let (lo, hi) = finite_range(&s.log_mag);
        println!(
            "{:<28} ln|X| from {lo:6.2} to {hi:6.2} (DC at the centre)",
            s.photo.name
        );
    }
    Ok(all)
}

/// F1 states no numbers in the prose.
fn values(_: &[Spectra]) -> Values {
    Vec::new()
}

fn draw(all: &[Spectra]) -> Result<()> {
    let pictures: Vec<_> = all.iter().map(|s| s.photo.to_rgb8()).collect();
    let magnitudes: Vec<_> = all
        .iter()
        .map(|s| {
            let (lo, hi) = finite_range(&s.log_mag);
            VIRIDIS.paint(&s.log_mag, lo, hi)
        })
        .collect();
    let phases: Vec<_> = all.iter().map(|s| RDBU.paint(&s.angle, -PI, PI)).collect();
    let rows = [
        ("photo", &pictures),
        ("log-magnitude ln |X|", &magnitudes),
        ("phase arg X", &phases),
    ];
    save_responsive("f01-image-spectra.svg", |column| {
        // The photos side by side, their magnitude and phase below; on a phone two photos per
        // block. Each row named on the left.
        let per_block = if column == Column::Desktop { 4 } else { 2 };
        let (left, gap) = (22.0, 6.0);
        let side = (column.width() - left) / per_block as f64 - gap;
        let block_h = rows.len() as f64 * (side + gap) + gap;
        let blocks = all.len().div_ceil(per_block);
        let mut fig = Figure::new(column.width(), blocks as f64 * block_h);
        let name = TextStyle::new(12.0)
            .anchor(HAlign::Center, VAlign::Top)
            .vertical();
        for block in 0..blocks {
            for (r, (label, images)) in rows.iter().enumerate() {
                let y = block as f64 * block_h + r as f64 * (side + gap);
                fig.text(label, (2.0, y + side / 2.0), name);
                for k in 0..per_block {
                    let Some(image) = images.get(block * per_block + k) else {
                        continue;
                    };
                    let x = left + k as f64 * (side + gap);
                    fig.pixels(Rect::new(x, y, side, side), image);
                }
            }
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
    fn magnitude_is_even_and_phase_odd_about_the_centre() {
        // A real image's spectrum is Hermitian: X(−k) = conj X(k), so after fftshift the
        // log-magnitude is symmetric and the phase antisymmetric about the DC pixel (away from
        // the unpaired Nyquist row and column of an even size).
        let all = compute().unwrap();
        let s = &all[0];
        let (rows, cols) = s.log_mag.dim();
        let (cy, cx) = (rows / 2, cols / 2);
        for (dy, dx) in [(1, 0), (0, 3), (5, -7), (-20, 33)] {
            let (y, x) = ((cy as i64 + dy) as usize, (cx as i64 + dx) as usize);
            let (my, mx) = ((cy as i64 - dy) as usize, (cx as i64 - dx) as usize);
            assert!((s.log_mag[[y, x]] - s.log_mag[[my, mx]]).abs() < 1e-9);
            let sum = s.angle[[y, x]] + s.angle[[my, mx]];
            // Opposite phases, up to a wrap at ±π.
            assert!(
                sum.abs() < 1e-9 || (sum.abs() - 2.0 * PI).abs() < 1e-9,
                "{sum}"
            );
        }
    }
}

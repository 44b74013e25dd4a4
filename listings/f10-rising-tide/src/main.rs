//! F10: the "rising tide". Seven noise levels, geometrically spaced from σ = 0.02 to σ = 50. Left,
//! on fixed log-log axes, the log-domain mean RAPSD of the photos (red), of the noise (blue) and of
//! the noisy photos (green); right, the second featured photo in colour with the same noise added
//! to each of its three channels (independent draws), clipped to the displayable range.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f10-rising-tide`.
//! Pieces: photos from `bookkit::data`; the book's noise draw and the spectra at each level
//! (`unit_noise`, `tide`) from `spectral::tide`; `gaussian_field` and `seeded_rng` from
//! `spectral::noise`; `geomspace` from `bookkit::plot`; the chart and the frame (`tide_chart`,
//! `tide_frame`) from `bookkit::tide_frame`; `save_gif` from `bookkit::figure`.

use anyhow::Result;
use bookkit::data::{Photo, book_greens, featured_photos};
use bookkit::figure::{held_ends, save_gif_timed};
use bookkit::plot::geomspace;
use bookkit::tide_frame::{three_digits, tide_chart, tide_frame};
use bookkit::values::{Values, save_values};
use spectral::noise::{gaussian_field, seeded_rng};
use spectral::tide::{Tide, tide, unit_noise};

/// The seed of the colour noise on the photo shown.
const PHOTO_SEED: u64 = 10;
const LEVELS: usize = 7;

/// σ from 0.02, where the noise hides almost nothing, to 50, where it hides everything, with
/// σ = 1 in the middle.
fn sigmas() -> Vec<f64> {
    geomspace(0.02, 50.0, LEVELS)
}

/// The tide at every level, and the photo shown with its own unit noise.
struct Analysis {
    tides: Vec<Tide>,
    photo: Photo,
    photo_noise: Photo,
}

fn compute() -> Result<Analysis> {
    let greens = book_greens()?;
    // ANCHOR: tide
    let unit = unit_noise(&greens);
    let tides: Vec<Tide> = sigmas()
        .into_iter()
        .map(|sigma| tide(&greens, &unit, sigma))
        .collect();
    // ANCHOR_END: tide
    let photo = featured_photos()?.swap_remove(1);
    let mut rng = seeded_rng(PHOTO_SEED);
    let photo_noise = photo.map_channels(|c| gaussian_field(c.nrows(), c.ncols(), 1.0, &mut rng));
    println!("photo shown: {}", photo.name);
    println!("     σ          σ²    photos above the noise up to");
    for t in &tides {
        let (sigma, f) = (t.sigma, &t.images.frequency);
        match t.crossing() {
            Some(c) if c >= f[f.len() - 1] => {
                println!("{sigma:9.4}  {:9.3e}    every frequency", sigma * sigma)
            }
            Some(c) => println!("{sigma:9.4}  {:9.3e}    f = {c:.4}", sigma * sigma),
            None => println!("{sigma:9.4}  {:9.3e}    none", sigma * sigma),
        }
    }
    Ok(Analysis {
        tides,
        photo,
        photo_noise,
    })
}

/// The photo with σ times its own unit noise added to every channel.
fn noisy_photo(photo: &Photo, unit: &Photo, sigma: f64) -> Photo {
    Photo {
        name: photo.name.clone(),
        red: &photo.red + &(&unit.red * sigma),
        green: &photo.green + &(&unit.green * sigma),
        blue: &photo.blue + &(&unit.blue * sigma),
    }
}

/// F10's numbers are printed in its output table; the prose states none.
/// The noise levels, as the frames show them.
fn values(_: &Analysis) -> Values {
    let shown: Vec<String> = sigmas().into_iter().map(three_digits).collect();
    let (last, rest) = shown.split_last().expect("levels");
    vec![
        (
            "tide-image-sigmas",
            format!("{} and {last}", rest.join(", ")),
        ),
        ("tide-image-sigma-first", shown[0].clone()),
        ("tide-image-sigma-last", last.clone()),
        ("tide-image-levels", LEVELS.to_string()),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    let mut frames = Vec::new();
    for t in &a.tides {
        // Fixed axes: the curves move, the frame does not.
        let chart = tide_chart(t).x_range(2.5e-3, 0.6).y_range(1e-4, 1e4);
        let picture = noisy_photo(&a.photo, &a.photo_noise, t.sigma).to_rgb8();
        let label = format!("noise σ = {}", three_digits(t.sigma));
        frames.push(tide_frame(&chart, Some(&picture), &label)?);
    }
    // The first (clean) and last (drowned) frames are held three times as long.
    save_gif_timed(
        &frames,
        &held_ends(frames.len(), 700, 3),
        "f10-rising-tide.gif",
    )?;
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
    fn the_tide_rises_geometrically_and_drowns_ever_lower_frequencies() {
        let s = sigmas();
        assert_eq!(s.len(), LEVELS);
        assert!((s[0] - 0.02).abs() < 1e-12 && (s[LEVELS - 1] - 50.0).abs() < 1e-9);
        assert!(
            (s[LEVELS / 2] - 1.0).abs() < 1e-12,
            "σ = 1 is the middle frame"
        );
        let tides = compute().unwrap().tides;
        let f = &tides[0].images.frequency;
        let top = f[f.len() - 1];
        let crossings: Vec<f64> = tides.iter().map(|t| t.crossing().unwrap_or(0.0)).collect();
        // The weakest noise hides nothing, the strongest everything, and in between every step
        // up in noise lowers the highest frequency still above it.
        assert_eq!(crossings[0], top);
        assert_eq!(crossings[LEVELS - 1], 0.0);
        assert!(
            crossings.windows(2).all(|w| w[1] < w[0] || w[1] == 0.0),
            "{crossings:?}"
        );
    }

    #[test]
    fn the_photo_keeps_its_colours_and_gets_independent_noise_per_channel() {
        let a = compute().unwrap();
        let (photo, unit) = (&a.photo, &a.photo_noise);
        assert_ne!(unit.red, unit.green);
        assert_ne!(unit.green, unit.blue);
        let labels: Vec<String> = sigmas().into_iter().map(three_digits).collect();
        assert_eq!(
            labels,
            ["0.02", "0.0737", "0.271", "1", "3.68", "13.6", "50"]
        );
        let same = noisy_photo(photo, unit, 0.0);
        assert_eq!(same.to_rgb8(), photo.to_rgb8());
        let loud = noisy_photo(photo, unit, 50.0);
        // At σ = 50 almost every value is clipped to black or white.
        let extreme = loud.red.iter().filter(|v| v.abs() >= 1.0).count();
        assert!(extreme as f64 > 0.98 * loud.red.len() as f64);
    }
}

//! F10: the "rising tide". Seven noise levels, geometrically spaced from σ = 0.02 to σ = 50. Left,
//! on fixed log-log axes, the log-domain mean RAPSD of the photos (red), of the noise (blue) and of
//! the noisy photos (green); right, the second featured photo in colour with the same noise added
//! to each of its three channels (independent draws), clipped to the displayable range.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f10-rising-tide`.
//! Pieces: photos from `bookkit::data`; `noise_like`, `add_noise`, `gaussian_field` and
//! `seeded_rng` from `spectral::noise`; `log_mean_rapsd` from `spectral::spectrum`;
//! `crossing_frequency` from `spectral::schedule`; charts and `geomspace` from `bookkit::plot`;
//! `save_gif` from `bookkit::figure`.

use bookkit::data::{Channel, Photo, channels, default_photos, featured_photos};
use bookkit::figure::save_gif;
use bookkit::image::RgbImage;
use bookkit::plot::{BLUE, Canvas, Chart, FONT, GREEN, RED, Series, Style, geomspace};
use bookkit::plotters::prelude::*;
use spectral::Field;
use spectral::noise::{add_noise, gaussian_field, noise_like, seeded_rng};
use spectral::schedule::crossing_frequency;
use spectral::spectrum::{Rapsd, log_mean_rapsd};

/// The seed of F6: the spectra use the same noise fields throughout the chapter.
const NOISE_SEED: u64 = 6;
/// The seed of the colour noise on the photo shown.
const PHOTO_SEED: u64 = 10;
const LEVELS: usize = 7;

/// σ from 0.02, where the noise hides almost nothing, to 50, where it hides everything, with
/// σ = 1 in the middle.
fn sigmas() -> Vec<f64> {
    geomspace(0.02, 50.0, LEVELS)
}

// ANCHOR: tide
/// The noise and noisy-photo spectra at one level: the same unit noise fields, scaled by σ.
fn spectra_at(greens: &[Field], unit: &[Field], sigma: f64) -> (Rapsd, Rapsd) {
    let scaled: Vec<Field> = unit.iter().map(|e| e * sigma).collect();
    let noise = log_mean_rapsd(&scaled).without_dc();
    let noisy = log_mean_rapsd(&add_noise(greens, unit, sigma)).without_dc();
    (noise, noisy)
}
// ANCHOR_END: tide

/// The photo with σ times its own unit noise added to every channel.
fn noisy_photo(photo: &Photo, unit: &Photo, sigma: f64) -> Photo {
    Photo {
        name: photo.name.clone(),
        red: &photo.red + &(&unit.red * sigma),
        green: &photo.green + &(&unit.green * sigma),
        blue: &photo.blue + &(&unit.blue * sigma),
    }
}

/// A number to three significant digits, without trailing zeros: 0.0737, 1, 13.6.
fn three_digits(v: f64) -> String {
    let decimals = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The chart on the left, the noisy photo on the right, the noise level above the photo (in the
/// noise's blue: each GIF frame's palette is built from the pixels that changed, mostly the
/// curves and the photo, and would tint black text).
fn draw_frame(chart: &Chart, picture: &RgbImage, sigma: f64) -> anyhow::Result<RgbImage> {
    let mut canvas = Canvas::new(1000, 500);
    canvas.draw_chart(chart, 0, 10, 630, 480)?;
    canvas.paste(picture, 655, 90);
    let label = format!("noise σ = {}", three_digits(sigma));
    let style = TextStyle::from((FONT, 18.0).into_font()).color(&BLUE);
    canvas.draw(|root| {
        root.draw_text(&label, &style, (655, 55))
            .map_err(|e| anyhow::anyhow!("text: {e}"))
    })?;
    Ok(canvas.into_image())
}

fn main() -> anyhow::Result<()> {
    let greens = channels(&default_photos()?, Channel::Green);
    let images = log_mean_rapsd(&greens).without_dc();
    let unit = noise_like(&greens, &mut seeded_rng(NOISE_SEED));
    let photo = &featured_photos()?[1];
    let mut rng = seeded_rng(PHOTO_SEED);
    let photo_noise = photo.map_channels(|c| gaussian_field(c.nrows(), c.ncols(), 1.0, &mut rng));

    println!("photo shown: {}", photo.name);
    println!("     σ          σ²    photos above the noise up to");
    let f = &images.frequency;
    let mut frames = Vec::new();
    for sigma in sigmas() {
        let (noise, noisy) = spectra_at(&greens, &unit, sigma);
        match crossing_frequency(f, &images.power, &noise.power) {
            Some(c) if c >= f[f.len() - 1] => {
                println!("{sigma:9.4}  {:9.3e}    every frequency", sigma * sigma)
            }
            Some(c) => println!("{sigma:9.4}  {:9.3e}    f = {c:.4}", sigma * sigma),
            None => println!("{sigma:9.4}  {:9.3e}    none", sigma * sigma),
        }
        let chart = Chart::loglog()
            .x_range(2.5e-3, 0.6)
            .y_range(1e-4, 1e4)
            .with(Series::new(f, &images.power, RED, Style::LineDots))
            .with(Series::new(f, &noise.power, BLUE, Style::LineDots))
            .with(Series::new(f, &noisy.power, GREEN, Style::LineDots));
        let picture = noisy_photo(photo, &photo_noise, sigma).to_rgb8();
        frames.push(draw_frame(&chart, &picture, sigma)?);
    }
    save_gif(&frames, 700, "f10-rising-tide.gif")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tide_rises_geometrically_and_drowns_ever_lower_frequencies() {
        let s = sigmas();
        assert_eq!(s.len(), LEVELS);
        assert!((s[0] - 0.02).abs() < 1e-12 && (s[LEVELS - 1] - 50.0).abs() < 1e-9);
        assert!(
            (s[LEVELS / 2] - 1.0).abs() < 1e-12,
            "σ = 1 is the middle frame"
        );

        let greens = channels(&default_photos().unwrap(), Channel::Green);
        let images = log_mean_rapsd(&greens).without_dc();
        let unit = noise_like(&greens, &mut seeded_rng(NOISE_SEED));
        let f = &images.frequency;
        let top = f[f.len() - 1];
        let crossings: Vec<f64> = s
            .iter()
            .map(|&sigma| {
                let (noise, _) = spectra_at(&greens, &unit, sigma);
                crossing_frequency(f, &images.power, &noise.power).unwrap_or(0.0)
            })
            .collect();
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
        let photo = &featured_photos().unwrap()[1];
        let mut rng = seeded_rng(PHOTO_SEED);
        let unit = photo.map_channels(|c| gaussian_field(c.nrows(), c.ncols(), 1.0, &mut rng));
        assert_ne!(unit.red, unit.green);
        assert_ne!(unit.green, unit.blue);
        let labels: Vec<String> = sigmas().into_iter().map(three_digits).collect();
        assert_eq!(
            labels,
            ["0.02", "0.0737", "0.271", "1", "3.68", "13.6", "50"]
        );
        let same = noisy_photo(photo, &unit, 0.0);
        assert_eq!(same.to_rgb8(), photo.to_rgb8());
        let loud = noisy_photo(photo, &unit, 50.0);
        // At σ = 50 almost every value is clipped to black or white.
        let extreme = loud.red.iter().filter(|v| v.abs() >= 1.0).count();
        assert!(extreme as f64 > 0.98 * loud.red.len() as f64);
    }
}

//! F15: the "rising tide" for sound. Gaussian noise of growing strength is added to every embedded
//! recording; each frame shows the log-domain mean spectrum of the clean clips (red), of the noise
//! (blue) and of the noisy clips (green), log-log, in Hz, on fixed axes. Seven noise levels.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f15-rising-tide-sound`.
//! Pieces: recordings, `log_mean_spectrum` and `smooth_log_frequency` from `bookkit::audio`;
//! `power_spectrum` from `spectral::audio`; `log_mean` from `spectral::fit`; seeded noise from
//! `spectral::noise`; charts and `geomspace` from `bookkit::plot`; `save_gif` from
//! `bookkit::figure`.

use bookkit::audio::{Clip, default_clips, log_mean_spectrum, smooth_log_frequency};
use bookkit::figure::{save_gif, save_value};
use bookkit::image::RgbImage;
use bookkit::plot::{BLUE, Canvas, Chart, FONT, GREEN, RED, Series, Style, geomspace, tick_label};
use bookkit::plotters::prelude::*;
use spectral::audio::{SAMPLE_RATE, Spectrum1d, power_spectrum};
use spectral::fit::log_mean;
use spectral::noise::{gaussian_field, seeded_rng};

const LEVELS: usize = 7;
/// Noise standard deviations from 2·10⁻⁴ (far below every clip's level; the clips' RMS is 0.1–0.3)
/// to 2 (louder than any clip), four decades in seven geometric steps of 10^(2/3) ≈ 4.6.
fn sigmas() -> Vec<f64> {
    geomspace(2e-4, 2.0, LEVELS)
}

/// One frame's curves, DC dropped.
struct Frame {
    sigma: f64,
    noise: Spectrum1d,
    noisy: Spectrum1d,
}

// ANCHOR: tide
/// Adds `sigma` times the same unit-variance noise to every clip (so from frame to frame only the
/// noise's loudness changes) and averages the spectra of the noise and of the noisy clips.
fn frame(clips: &[Clip], unit_noise: &[Vec<f64>], sigma: f64) -> Frame {
    let rate = f64::from(SAMPLE_RATE);
    let noise: Vec<Spectrum1d> = unit_noise
        .iter()
        .map(|z| power_spectrum(&z.iter().map(|v| sigma * v).collect::<Vec<_>>(), rate))
        .collect();
    let noisy: Vec<Spectrum1d> = clips
        .iter()
        .zip(unit_noise)
        .map(|(clip, z)| {
            let x: Vec<f64> = clip
                .samples
                .iter()
                .zip(z)
                .map(|(s, v)| s + sigma * v)
                .collect();
            power_spectrum(&x, rate)
        })
        .collect();
    let mean = |spectra: &[Spectrum1d]| {
        let powers: Vec<&[f64]> = spectra.iter().map(|s| s.power.as_slice()).collect();
        Spectrum1d {
            frequency_hz: spectra[0].frequency_hz.clone(),
            power: log_mean(&powers),
        }
        .without_dc()
    };
    Frame {
        sigma,
        noise: mean(&noise),
        noisy: mean(&noisy),
    }
}
// ANCHOR_END: tide

/// The frequencies where the clips' third-octave-smoothed mean spectrum lies above the noise
/// power σ² (a signal-to-noise ratio above 1): the part of the spectrum still "above water".
fn above_water(clean: &Spectrum1d, sigma: f64) -> Vec<f64> {
    let smooth = smooth_log_frequency(&clean.frequency_hz, &clean.power, 1.0 / 3.0);
    let above = clean
        .frequency_hz
        .iter()
        .zip(&smooth)
        .filter(|(_, p)| **p > sigma * sigma);
    above.map(|(f, _)| *f).collect()
}

/// The chart with its noise level written above it in the noise's colour. (Blue, not black: the
/// GIF encoder builds each frame's palette from the pixels that changed, mostly the blue and green
/// curves, and would tint black text.)
fn draw_frame(chart: &Chart, label: &str) -> anyhow::Result<RgbImage> {
    let mut canvas = Canvas::new(1000, 500);
    canvas.draw_chart(chart, 0, 28, 1000, 472)?;
    let style = TextStyle::from((FONT, 18.0).into_font()).color(&BLUE);
    canvas.draw(|root| {
        root.draw_text(label, &style, (440, 8))
            .map_err(|e| anyhow::anyhow!("text: {e}"))
    })?;
    Ok(canvas.into_image())
}

/// The first noise level at which the lowest frequencies are under water while others are not:
/// (σ, lowest and highest frequency still above water).
fn first_gap_from_below(clean: &Spectrum1d) -> Option<(f64, f64, f64)> {
    sigmas().into_iter().find_map(|sigma| {
        let above = above_water(clean, sigma);
        let (lo, hi) = (*above.first()?, *above.last()?);
        (lo > clean.frequency_hz[0]).then_some((sigma, lo, hi))
    })
}

fn main() -> anyhow::Result<()> {
    let clips = default_clips()?;
    let clean = log_mean_spectrum(&clips)?.without_dc();
    let mut rng = seeded_rng(15);
    let unit_noise: Vec<Vec<f64>> = clips
        .iter()
        .map(|c| {
            gaussian_field(1, c.samples.len(), 1.0, &mut rng)
                .into_iter()
                .collect()
        })
        .collect();

    println!("     σ         σ²     above water (smoothed mean spectrum > σ²)");
    println!("                      lowest    highest   share of all frequencies");
    let mut pictures = Vec::new();
    for sigma in sigmas() {
        let Frame {
            sigma,
            noise,
            noisy,
        } = frame(&clips, &unit_noise, sigma);
        let above = above_water(&clean, sigma);
        print!("{sigma:9.2e}  {:9.2e}", sigma * sigma);
        match (above.first(), above.last()) {
            (Some(lo), Some(hi)) => println!(
                "  {lo:6.1} Hz  {hi:6.0} Hz  {:5.1}%",
                100.0 * above.len() as f64 / clean.power.len() as f64
            ),
            _ => println!("  none"),
        }
        let f = &clean.frequency_hz;
        let mut chart = Chart::loglog()
            .x_range(0.3, 2.0e4)
            .y_range(1e-9, 1e2)
            .with(Series::new(f, &clean.power, RED, Style::LineDots))
            .with(Series::new(f, &noise.power, BLUE, Style::LineDots))
            .with(Series::new(f, &noisy.power, GREEN, Style::LineDots));
        chart.x_label = "frequency (Hz)".into();
        pictures.push(draw_frame(
            &chart,
            &format!("noise σ = {}", tick_label(sigma)),
        )?);
    }
    save_gif(&pictures, 700, "f15-rising-tide-sound.gif")?;
    if let Some((sigma, lo, hi)) = first_gap_from_below(&clean) {
        save_value("tide-sigma", &format!("{sigma:.3}"))?;
        save_value("tide-low-hz", &format!("{lo:.1}"))?;
        save_value("tide-high-hz", &format!("{hi:.0}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::figure::saved_value;

    fn setup() -> (Vec<Clip>, Spectrum1d, Vec<Vec<f64>>) {
        let clips = default_clips().unwrap();
        let clean = log_mean_spectrum(&clips).unwrap().without_dc();
        let mut rng = seeded_rng(15);
        let noise = clips
            .iter()
            .map(|c| {
                gaussian_field(1, c.samples.len(), 1.0, &mut rng)
                    .into_iter()
                    .collect()
            })
            .collect();
        (clips, clean, noise)
    }

    #[test]
    fn the_noise_is_flat_at_the_log_mean_level_of_exponential_power() {
        // Every bin's noise power is σ²·Exp(1), and E[ln Exp(1)] = −γ: the log-domain mean sits at
        // e^(−γ)·σ² ≈ 0.56·σ², flat across frequency.
        let (clips, _, noise) = setup();
        let sigma = 0.02;
        let f = frame(&clips, &noise, sigma);
        let logs: Vec<f64> = f
            .noise
            .power
            .iter()
            .map(|p| (p / (sigma * sigma)).ln())
            .collect();
        let half = logs.len() / 2;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let euler_gamma = 0.577_215_664_901_532_9;
        assert!((mean(&logs) + euler_gamma).abs() < 0.01, "{}", mean(&logs));
        assert!((mean(&logs[..half]) - mean(&logs[half..])).abs() < 0.02);
    }

    #[test]
    fn noise_drowns_the_lowest_frequencies_before_the_middle_ones() {
        // The post's point: with a spectrum that is not monotone, adding noise does not remove
        // frequencies from the highest down. At some level the lowest frequencies are under water
        // while a band in the hundreds of Hz, around the peak, still stands above it.
        let (_, clean, _) = setup();
        let (sigma, lo, hi) = first_gap_from_below(&clean).expect("a level with a gap");
        assert!(lo < 370.5 && 370.5 < hi && above_water(&clean, sigma).contains(&370.5));
        for (name, value) in [
            ("tide-sigma", format!("{sigma:.3}")),
            ("tide-low-hz", format!("{lo:.1}")),
            ("tide-high-hz", format!("{hi:.0}")),
        ] {
            if let Some(shown) = saved_value(name) {
                assert_eq!(shown, value, "{name}");
            }
        }
        // The levels span four decades around the clips' loudness.
        let s = sigmas();
        assert!((s[LEVELS - 1] / s[0] - 1e4).abs() < 1e-6);
        assert_eq!(LEVELS, 7);
    }
}

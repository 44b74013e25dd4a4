//! F15: the "rising tide" for sound. Gaussian noise of growing strength is added to every embedded
//! recording; each frame shows the log-domain mean spectrum of the clean clips (red), of the noise
//! (blue) and of the noisy clips (green), log-log, in Hz, on fixed axes. Seven noise levels.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f15-rising-tide-sound`.
//! Pieces: recordings and `log_mean_spectrum` from `bookkit::audio`; `power_spectrum` and
//! `log_mean_spectrum` from `spectral::audio`; `smooth_log_frequency` from `spectral::curve`;
//! seeded noise from `spectral::noise`; charts and `geomspace` from `bookkit::plot`; the frame
//! from `bookkit::tide_frame`, as for photos (F10); `save_gif` from `bookkit::figure`; values
//! from `bookkit::values`.

use anyhow::{Context, Result};
use bookkit::audio::{Clip, default_clips, log_mean_spectrum};
use bookkit::figure::{held_ends, save_gif_timed};
use bookkit::plot::{BLUE, Chart, GREEN, RED, Series, SeriesLabelPosition, Style, geomspace};
use bookkit::tide_frame::{three_digits, tide_frame};

/// e^(−γ): the log-domain mean of an Exp(1) draw, so the expected level of the noise spectrum
/// in σ² units (the test below checks the measured noise against it).
const EXP_MINUS_GAMMA: f64 = 0.561_459_483_566_885_2;
use bookkit::values::{Values, save_values};
use spectral::audio::{SAMPLE_RATE, Spectrum1d, power_spectrum};
use spectral::curve::{THIRD_OCTAVE, smooth_log_frequency};
use spectral::noise::{gaussian_field, seeded_rng};

const LEVELS: usize = 7;
/// The seed of the one draw of unit noise every frame scales.
const NOISE_SEED: u64 = 15;

/// Noise standard deviations from 2·10⁻⁴ (far below every clip's level; the clips' RMS is 0.1–0.3)
/// to 2 (louder than any clip): seven levels, four decades in six geometric steps of
/// 10^(2/3) ≈ 4.6.
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
    Frame {
        sigma,
        noise: spectral::audio::log_mean_spectrum(&noise).without_dc(),
        noisy: spectral::audio::log_mean_spectrum(&noisy).without_dc(),
    }
}
// ANCHOR_END: tide

/// The frequencies where the clips' third-octave-smoothed mean spectrum lies above the noise
/// power σ² (a signal-to-noise ratio above 1): the part of the spectrum still "above water".
fn above_water(clean: &Spectrum1d, sigma: f64) -> Vec<f64> {
    let smooth = smooth_log_frequency(&clean.frequency_hz, &clean.power, THIRD_OCTAVE);
    let above = clean
        .frequency_hz
        .iter()
        .zip(&smooth)
        .filter(|(_, p)| **p > sigma * sigma);
    above.map(|(f, _)| *f).collect()
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

/// The clean mean spectrum, one frame per noise level, and the chapter's gap.
struct Analysis {
    clean: Spectrum1d,
    frames: Vec<Frame>,
    /// [`first_gap_from_below`].
    gap: (f64, f64, f64),
}

/// One draw of unit-variance noise per clip, of its length.
fn unit_noise(clips: &[Clip]) -> Vec<Vec<f64>> {
    let mut rng = seeded_rng(NOISE_SEED);
    clips
        .iter()
        .map(|c| {
            gaussian_field(1, c.samples.len(), 1.0, &mut rng)
                .into_iter()
                .collect()
        })
        .collect()
}

fn compute() -> Result<Analysis> {
    let clips = default_clips()?;
    let clean = log_mean_spectrum(&clips)?.without_dc();
    let unit_noise = unit_noise(&clips);
    let frames: Vec<Frame> = sigmas()
        .into_iter()
        .map(|sigma| frame(&clips, &unit_noise, sigma))
        .collect();
    print_table(&clean);
    let gap = first_gap_from_below(&clean)
        .context("no noise level drowns the lowest frequencies before the middle ones")?;
    Ok(Analysis { clean, frames, gap })
}

fn print_table(clean: &Spectrum1d) {
    println!("     σ         σ²     above water (smoothed mean spectrum > σ²)");
    println!("                      lowest    highest   share of all frequencies");
    for sigma in sigmas() {
        let above = above_water(clean, sigma);
        print!("{sigma:9.2e}  {:9.2e}", sigma * sigma);
        match (above.first(), above.last()) {
            (Some(lo), Some(hi)) => println!(
                "  {lo:6.1} Hz  {hi:6.0} Hz  {:5.1}%",
                100.0 * above.len() as f64 / clean.power.len() as f64
            ),
            _ => println!("  none"),
        }
    }
}

fn values(a: &Analysis) -> Values {
    let (sigma, lo, hi) = a.gap;
    let levels = sigmas();
    vec![
        ("tide-sigma", format!("{sigma:.3}")),
        ("tide-low-hz", format!("{lo:.1}")),
        ("tide-high-hz", format!("{hi:.0}")),
        ("tide-sigma-first", three_digits(levels[0])),
        ("tide-sigma-last", three_digits(levels[LEVELS - 1])),
        (
            "tide-decades",
            format!("{:.0}", (levels[LEVELS - 1] / levels[0]).log10()),
        ),
        ("tide-levels", LEVELS.to_string()),
        ("tide-steps", (LEVELS - 1).to_string()),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    let f = &a.clean.frequency_hz;
    let mut pictures = Vec::new();
    for Frame {
        sigma,
        noise,
        noisy,
    } in &a.frames
    {
        // The measured noise spectrum jitters over three decades (one exponential draw per
        // bin); drawn faint, with its expected log-domain level e^(−γ)·σ² solid on top, it reads
        // as the flat tide it is.
        let level = vec![EXP_MINUS_GAMMA * sigma * sigma; f.len()];
        let mut chart = Chart::loglog()
            .x_range(0.3, 2.0e4)
            .y_range(1e-9, 1e2)
            .with(Series::new(f, &a.clean.power, RED, Style::Line).label("clips"))
            .with(
                Series::new(f, &noise.power, BLUE, Style::Line)
                    .width(0.8)
                    .opacity(0.3)
                    .label("noise, measured"),
            )
            .with(Series::new(f, &level, BLUE, Style::Line).label("noise, expected level"))
            .with(Series::new(f, &noisy.power, GREEN, Style::Dashed).label("noisy clips"))
            .legend_at(SeriesLabelPosition::LowerLeft);
        chart.x_label = "frequency (Hz)".into();
        let label = format!("noise σ = {}", three_digits(*sigma));
        pictures.push(tide_frame(&chart, None, &label)?);
    }
    save_gif_timed(
        &pictures,
        &held_ends(pictures.len(), 700, 3),
        "f15-rising-tide-sound.gif",
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
    fn the_noise_is_flat_at_the_log_mean_level_of_exponential_power() {
        // Every bin's noise power is σ²·Exp(1), and E[ln Exp(1)] = −γ: the log-domain mean sits at
        // e^(−γ)·σ² ≈ 0.56·σ², flat across frequency.
        let clips = default_clips().unwrap();
        let sigma = 0.02;
        let f = frame(&clips, &unit_noise(&clips), sigma);
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
        let a = compute().unwrap();
        let (sigma, lo, hi) = a.gap;
        assert!(lo < 370.5 && 370.5 < hi && above_water(&a.clean, sigma).contains(&370.5));
        // The levels span four decades around the clips' loudness, one frame each.
        let s = sigmas();
        assert!((s[LEVELS - 1] / s[0] - 1e4).abs() < 1e-6);
        assert_eq!(a.frames.len(), LEVELS);
    }
}

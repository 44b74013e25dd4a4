//! X5 (beyond the post): one reverse trajectory, animated. A sample from the Gaussian model of the
//! photos at 64 × 64 drawn by the deterministic sampler (DDIM's step of the probability-flow ODE)
//! under rectified flow, from pure noise at t = 1 to the sample at t = 0. Each frame shows the
//! sampler's state x_t, the ideal denoiser's estimate x̂₀(t), and on log-log axes the RAPSD of
//! x̂₀(t) against the model's spectrum P, with its closed form, the noise level σ²/α² and the
//! post's f_max(t) (τ = 1, from the model's RAPSD), which moves right as the sampler runs.
//!
//! The closed form. Along the exact probability-flow ODE of a Gaussian model, each Fourier
//! coefficient is only rescaled: x_t(k) = √(α²P(k) + σ²)·z(k), z the starting noise, so x_t has
//! variance α²P + σ² per coefficient. The denoiser multiplies it by the Wiener gain
//! αP/(α²P + σ²) = G/α, so x̂₀(k) has variance
//!
//! ```text
//! G²/α² · (α²P + σ²) = G²/α² · α²P/G = G·P,   G = α²P/(α²P + σ²) = SNR/(1 + SNR).
//! ```
//!
//! The RAPSD of x̂₀(t) is the ring mean of G·P, not G²·P: x̂₀ holds the signal's share G·x₀
//! (power G²P) plus filtered noise (power G(1 − G)P). Below f_max (SNR ≫ 1) it is P; at the
//! threshold, SNR = 1, it is P/2; above it, P·SNR = α²P²/σ², which falls twice as steeply as P
//! on log-log axes. For one run, every coefficient's power is G·P times |Z(k)|²/N of the starting
//! noise, an exponential variable of mean 1 (shared by k and −k), so the measured curve scatters
//! about G·P with a standard error the tests compute.
//!
//! Chapter: "Running diffusion backwards".
//! Run: `cargo run -p x05-reverse-trajectory`.
//! Pieces: photos from `bookkit::data`; `GaussianModel`, `tiles` and `ring_mean` from
//! `spectral::gaussian_model`; `NoiseSpectrum` from `spectral::noise_spectrum`; `Wiener` from
//! `spectral::denoise`; `ode_sample`, `initial_noise` and `reverse_times` from
//! `spectral::sampler`; `RectifiedFlow` and `f_max` from `spectral::schedule`; `rapsd` from
//! `spectral::spectrum`; `Chart` and `Figure` from `bookkit::plot`; `save_gif_timed` and
//! `held_ends` from `bookkit::figure`; `bookkit::values` for the numbers the chapter quotes.

use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::{held_ends, save_gif_timed};
use bookkit::image::{Rgb, RgbImage};
use bookkit::plot::{
    BLACK, BLUE, Chart, Figure, GREY, HAlign, ORANGE, Rect, Series, SeriesLabelPosition, Style,
    TextStyle, VAlign,
};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::denoise::Wiener;
use spectral::gaussian_model::{GaussianModel, ring_mean, tiles};
use spectral::noise::seeded_rng;
use spectral::noise_spectrum::NoiseSpectrum;
use spectral::sampler::{initial_noise, ode_sample, reverse_times};
use spectral::schedule::{RectifiedFlow, Schedule, f_max};
use spectral::spectrum::{RadialBins, Rapsd, rapsd};

/// Side of the model's fields: 64-pixel tiles of the 320-pixel photos, as for X6.
const SIZE: usize = 64;
/// The sampler's steps (X6's finer count), and every how many steps a frame is kept:
/// t = 1, 0.96, …, 0.
const STEPS: usize = 100;
const EVERY: usize = 4;
/// How many times more steps the finer run, which measures how DDIM's error shrinks, takes.
const REFINE: usize = 4;
/// Grey levels of the pictures: fewer than 256 keep most pixels unchanged from one frame to the
/// next, which the GIF stores as transparent, and so keep the animation small.
const GREYS: f64 = 48.0;
/// The seed of the starting noise.
const SEED: u64 = 18;
/// Frame size in CSS px (the book's column is 750 px wide), and device pixels per CSS px.
const FRAME: (f64, f64) = (750.0, 300.0);
const SCALE: f64 = 2.0;
/// Each frame's time on screen, and how many times longer the first and last frames stay.
const DELAY_MS: u32 = 300;
const HOLD: u32 = 6;

/// One kept step of the run.
struct Frame {
    t: f64,
    x_t: Field,
    x0_hat: Field,
    /// The RAPSD of x̂₀(t), rings 1 … 31.
    measured: Vec<f64>,
    /// Its closed form, the ring mean of G·P, rings 1 … 31.
    closed_form: Vec<f64>,
    f_max: f64,
}

struct Analysis {
    model: GaussianModel,
    /// The model's RAPSD, DC left out.
    spectrum: Rapsd,
    frames: Vec<Frame>,
    /// The largest gap to the exact flow, for this run and for one with `REFINE` times the steps.
    gaps: [f64; 2],
}

fn compute() -> anyhow::Result<Analysis> {
    let greens = channels(&default_photos()?, Channel::Green);
    let tiles: Vec<Field> = greens.iter().flat_map(|g| tiles(g, SIZE)).collect();
    let model = GaussianModel::fit(&tiles)?;
    let frames = trajectory(&model, STEPS, EVERY);
    let finer = trajectory(&model, REFINE * STEPS, REFINE * EVERY);
    let gaps = [flow_gap(&model, &frames), flow_gap(&model, &finer)];
    Ok(Analysis {
        spectrum: model.rapsd().without_dc(),
        model,
        frames,
        gaps,
    })
}

// ANCHOR: trajectory
/// One run of the deterministic sampler from seeded noise, keeping every `every`-th step: x_t,
/// the estimate x̂₀(t), the RAPSD of x̂₀(t) beside its closed form G·P, and f_max(t) (τ = 1).
fn trajectory(model: &GaussianModel, steps: usize, every: usize) -> Vec<Frame> {
    let (rows, cols) = model.dim();
    let white = NoiseSpectrum::white(rows, cols);
    let wiener = Wiener::new(RectifiedFlow, model, &white);
    let bins = RadialBins::new(rows, cols);
    let spectrum = model.rapsd().without_dc();
    let f_max_at = |t| f_max(&RectifiedFlow, &spectrum.frequency, &spectrum.power, t, 1.0);
    let z = initial_noise(&RectifiedFlow, &white, 1.0, &mut seeded_rng(SEED));
    let mut frames = Vec::new();
    let mut step = 0;
    ode_sample(&RectifiedFlow, &wiener, z, &reverse_times(steps), |v| {
        if step % every == 0 {
            let g_times_p = wiener.signal_fractions(v.t) * &model.power;
            frames.push(Frame {
                t: v.t,
                x_t: v.x_t.clone(),
                x0_hat: v.x0_hat.clone(),
                measured: rapsd(v.x0_hat).without_dc().power,
                closed_form: ring_mean(&bins, &g_times_p)[1..].to_vec(),
                f_max: f_max_at(v.t),
            });
        }
        step += 1;
    });
    frames
}
// ANCHOR_END: trajectory

/// The standard error of one run's RAPSD about G·P, rings 1 … 31: a ring of n bins averages
/// G·P·e over its bins, e = |Z(k)|²/N exponential with variance 1 and equal for k and −k, so its
/// variance is 2·Σ(G·P)²/n² (a real bin, k = −k, has χ²₁'s variance 2: the same formula).
fn standard_error(model: &GaussianModel, t: f64) -> Vec<f64> {
    let (rows, cols) = model.dim();
    let (a, s) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
    let bins = RadialBins::new(rows, cols);
    let squared = model
        .power
        .mapv(|p| (a * a * p * p / (a * a * p + s * s)).powi(2));
    ring_mean(&bins, &squared)
        .iter()
        .zip(bins.counts())
        .skip(1)
        .map(|(m, n)| (2.0 * m / *n as f64).sqrt())
        .collect()
}

/// The largest |measured − closed form| / standard error over every frame after the first (at
/// t = 1 the estimate is exactly 0) and every ring.
fn worst_z(a: &Analysis) -> f64 {
    let mut worst: f64 = 0.0;
    for f in a.frames.iter().filter(|f| f.t < 1.0) {
        let se = standard_error(&a.model, f.t);
        for ((m, c), e) in f.measured.iter().zip(&f.closed_form).zip(&se) {
            worst = worst.max(((m - c) / e).abs());
        }
    }
    worst
}

/// The RAPSD of x̂₀(t) on the exact flow from the run's own starting noise z (frame 0, t = 1):
/// per bin G·P·|Z(k)|²/N, averaged over rings 1 … 31.
fn exact_flow_rapsd(model: &GaussianModel, z: &Field, t: f64) -> Vec<f64> {
    let (rows, cols) = model.dim();
    let (a, s) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
    let noise_power = spectral::gaussian_model::bin_power(&spectral::fft::fft2(z));
    let mut per_bin = model.power.mapv(|p| a * a * p * p / (a * a * p + s * s));
    per_bin *= &noise_power;
    ring_mean(&RadialBins::new(rows, cols), &per_bin)[1..].to_vec()
}

/// The largest relative gap between the measured RAPSD of x̂₀ and the exact flow's, over every
/// frame after the first and every ring: DDIM's discretisation error (the chapter gives it in
/// per cent).
fn flow_gap(model: &GaussianModel, frames: &[Frame]) -> f64 {
    let z = &frames[0].x_t;
    let mut worst: f64 = 0.0;
    for f in frames.iter().filter(|f| f.t < 1.0) {
        let exact = exact_flow_rapsd(model, z, f.t);
        for (m, e) in f.measured.iter().zip(&exact) {
            worst = worst.max((m / e - 1.0).abs());
        }
    }
    worst
}

fn values(a: &Analysis) -> Values {
    vec![
        ("rev-x05-steps", STEPS.to_string()),
        ("rev-x05-frames", a.frames.len().to_string()),
        ("rev-x05-worst-z", format!("{:.1}", worst_z(a))),
        ("rev-x05-gap", format!("{:.0}", 100.0 * a.gaps[0])),
        ("rev-x05-gap-ratio", format!("{:.1}", a.gaps[0] / a.gaps[1])),
        ("rev-x05-step-ratio", REFINE.to_string()),
    ]
}

/// A field as grey pixels, [−1, 1] → black … white (as X4), clipped, in `GREYS` levels.
fn grey(field: &Field) -> RgbImage {
    let (rows, cols) = field.dim();
    let step = 255.0 / (GREYS - 1.0);
    RgbImage::from_fn(cols as u32, rows as u32, |x, y| {
        let v = field[[y as usize, x as usize]];
        let level = ((v.clamp(-1.0, 1.0) + 1.0) / 2.0 * (GREYS - 1.0)).round();
        let g = (level * step).round() as u8;
        Rgb([g, g, g])
    })
}

/// One frame's chart: the model's spectrum, the closed form G·P, this run's x̂₀(t), the noise
/// level σ²/α² and f_max(t), on axes fixed for the whole animation.
fn chart(a: &Analysis, f: &Frame, y_range: (f64, f64)) -> Chart {
    let freq = &a.spectrum.frequency;
    let (x_lo, x_hi) = (0.8 * freq[0], 1.15 * freq[freq.len() - 1]);
    let level = RectifiedFlow.detection_threshold(f.t, 1.0);
    Chart::loglog()
        .x_range(x_lo, x_hi)
        .y_range(y_range.0, y_range.1)
        .font_size(14)
        .legend_at(SeriesLabelPosition::UpperRight)
        .with(Series::new(freq, &a.spectrum.power, BLACK, Style::Line).label("model spectrum P"))
        .with(Series::new(freq, &f.closed_form, ORANGE, Style::Dashed).label("closed form G·P"))
        .with(Series::new(freq, &f.measured, BLUE, Style::LineDots).label("estimate, this run"))
        .with(Series::new(&[x_lo, x_hi], &[level; 2], GREY, Style::Dotted).label("noise σ²/α²"))
        .with(
            Series::new(&[f.f_max; 2], &[y_range.0, y_range.1], GREY, Style::Line)
                .label("f_max(t)"),
        )
}

fn draw(a: &Analysis) -> anyhow::Result<()> {
    let frames = render_frames(a)?;
    let delays = held_ends(frames.len(), DELAY_MS, HOLD);
    save_gif_timed(&frames, &delays, "x05-reverse-trajectory.gif")?;
    Ok(())
}

/// Every frame of the animation, as pixels at `SCALE`.
fn render_frames(a: &Analysis) -> anyhow::Result<Vec<RgbImage>> {
    let power = &a.spectrum.power;
    let top = power.iter().copied().fold(0.0, f64::max);
    let bottom = power.iter().copied().fold(f64::INFINITY, f64::min);
    // Room above the spectrum for the legend: the curves only fall to the right.
    let y_range = (bottom / 30.0, top * 30.0);
    let side = 168.0;
    let (title, label) = (TextStyle::new(17.0), TextStyle::new(15.0));
    let centre = |s: TextStyle| s.anchor(HAlign::Center, VAlign::Top);
    let mut frames = Vec::new();
    for (i, f) in a.frames.iter().enumerate() {
        let mut fig = Figure::new(FRAME.0, FRAME.1);
        let heading = format!("t = {:.2}   (step {} of {STEPS})", f.t, i * EVERY);
        fig.text(&heading, (10.0 + side, 8.0), centre(title));
        for (k, (field, name)) in [(&f.x_t, "sampler's x_t"), (&f.x0_hat, "estimate of x₀")]
            .into_iter()
            .enumerate()
        {
            let x = 6.0 + k as f64 * (side + 8.0);
            fig.text(name, (x + side / 2.0, 44.0), centre(label));
            fig.pixels(Rect::new(x, 70.0, side, side), &grey(field));
        }
        let fmax = if f.f_max > 0.0 {
            format!("f_max = {:.3} cycles/pixel", f.f_max)
        } else {
            "f_max: no frequency yet".to_string()
        };
        fig.text(&fmax, (10.0 + side, 254.0), centre(label));
        fig.chart(
            Rect::new(372.0, 0.0, FRAME.0 - 372.0, FRAME.1),
            &chart(a, f, y_range),
        );
        frames.push(fig.raster(SCALE));
    }
    Ok(frames)
}

fn main() -> anyhow::Result<()> {
    let a = compute()?;
    save_values(&values(&a))?;
    draw(&a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn analysis() -> &'static Analysis {
        static A: OnceLock<Analysis> = OnceLock::new();
        A.get_or_init(|| compute().unwrap())
    }

    /// G·P per bin from the definitions, G = α²P/(α²P + σ²), rings 1 … 31.
    fn g_times_p(model: &GaussianModel, t: f64) -> Vec<f64> {
        let (a, s) = (1.0 - t, t);
        let per_bin = model.power.mapv(|p| a * a * p / (a * a * p + s * s) * p);
        ring_mean(&RadialBins::new(SIZE, SIZE), &per_bin)[1..].to_vec()
    }

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(analysis()));
    }

    #[test]
    fn the_animation_runs_from_noise_to_the_sample() {
        let frames = &analysis().frames;
        assert!(frames.len() >= 20, "{} frames", frames.len());
        assert_eq!(frames.len(), STEPS / EVERY + 1);
        assert_eq!(frames[0].t, 1.0);
        assert_eq!(frames[frames.len() - 1].t, 0.0);
        // At t = 1 nothing is known: the estimate is the model's mean, 0.
        assert!(frames[0].x0_hat.iter().all(|v| *v == 0.0));
        // f_max only grows as the sampler runs, and reaches the top ring at t = 0.
        assert!(frames.windows(2).all(|w| w[1].f_max >= w[0].f_max));
        assert_eq!(frames[frames.len() - 1].f_max, 31.0 / 64.0);
    }

    #[test]
    fn the_closed_form_drawn_is_g_times_p() {
        let a = analysis();
        for f in &a.frames {
            let want = g_times_p(&a.model, f.t);
            for (c, w) in f.closed_form.iter().zip(&want) {
                assert!(
                    (c - w).abs() <= 1e-12 * w.max(1e-300),
                    "t {}: {c} vs {w}",
                    f.t
                );
            }
        }
    }

    #[test]
    fn the_estimates_spectrum_scatters_about_g_times_p_within_its_standard_error() {
        // One run's RAPSD is G·P times a ring mean of exponential variables: per ring a |z|
        // above 4.5 has a chance of about 1e-3 at the lowest ring (4 independent values, a
        // skewed gamma), far less elsewhere. The frames share one starting noise, so they are
        // not independent tests; 31 rings are.
        let a = analysis();
        let mut worst: f64 = 0.0;
        for f in a.frames.iter().filter(|f| f.t < 1.0) {
            let want = g_times_p(&a.model, f.t);
            let se = standard_error(&a.model, f.t);
            for ((m, w), e) in f.measured.iter().zip(&want).zip(&se) {
                worst = worst.max(((m - w) / e).abs());
            }
        }
        assert!(worst < 4.5, "worst deviation {worst} standard errors");
    }

    #[test]
    fn the_estimates_spectrum_converges_to_the_exact_flow_from_the_same_noise() {
        // Given the starting noise z, the exact flow fixes every coefficient: x̂₀(k) has power
        // G·P·|Z(k)|²/N. The sampler's only departure from it is DDIM's first-order
        // discretisation error: four times the steps must cut the gap about fourfold.
        let a = analysis();
        assert_eq!(a.gaps[0], flow_gap(&a.model, &a.frames));
        let ratio = a.gaps[0] / a.gaps[1];
        let refine = REFINE as f64;
        assert!(
            (0.75 * refine..1.25 * refine).contains(&ratio),
            "{:?}",
            a.gaps
        );
    }
}

//! X6 (beyond the post): commitment. For the Gaussian model of the photos at 64 × 64, the share
//! of the final sample's variance that the denoiser's x̂₀(t) has already decided, per frequency
//! ring and time: corr²(x̂₀(t), x₀) measured over independent stochastic chains (squares) on the
//! closed form G = SNR/(1 + SNR) (background), with the closed form's G = 1/2 contour (white)
//! and the post's f_max(t), τ = 1, from the model's RAPSD (dashed). Also measures the ODE
//! sampler's discretisation error at two step counts.
//!
//! Chapter: "Running diffusion backwards".
//! Run: `cargo run -p x06-commitment`.
//! Pieces: photos from `bookkit::data`; `GaussianModel` and `tiles` from
//! `spectral::gaussian_model`; `NoiseSpectrum` from `spectral::noise_spectrum`; `Wiener` from
//! `spectral::denoise`; `ode_sample` from `spectral::sampler`; `measure`, `expected_commitment`
//! and `half_times` from `spectral::commitment`; `f_max` from `spectral::schedule`;
//! `log_mean_rapsd` from `spectral::spectrum`; `Heatmap` and `colorbar` from `bookkit::heatmap`.

use bookkit::colormap::VIRIDIS;
use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::save_png;
use bookkit::heatmap::{Curve, Heatmap, Marker, colorbar};
use bookkit::plot::{BLACK, Canvas, FONT, RGBColor};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::commitment::{Commitment, expected_commitment, half_times, measure};
use spectral::denoise::{SpectralFilter, Wiener};
use spectral::gaussian_model::{GaussianModel, tiles};
use spectral::noise::seeded_rng;
use spectral::noise_spectrum::NoiseSpectrum;
use spectral::sampler::{initial_noise, ode_sample, reverse_times};
use spectral::schedule::{RectifiedFlow, f_max, time_grid};
use spectral::spectrum::{Rapsd, log_mean_rapsd};

/// Side of the model's fields: 64-pixel tiles of the 320-pixel photos.
const SIZE: usize = 64;
const CHAINS: usize = 256;
const STEPS: usize = 100;
/// Measure every 5th step: t = 0.95, 0.90, …, 0.05.
const EVERY: usize = 5;
const SEED: u64 = 16;
/// The ODE sampler's two step counts.
const ODE_STEPS: [usize; 2] = [25, 100];
/// Rings quoted in the text: waves 16, 5.3 and 2.7 pixels long.
const QUOTED: [usize; 3] = [4, 12, 24];

pub struct Analysis {
    tiles: usize,
    model: GaussianModel,
    commitment: Commitment,
    /// Closed-form commitment on a fine time grid, `[time][ring]`.
    grid: Vec<f64>,
    closed: Vec<Vec<f64>>,
    half: Vec<f64>,
    f_max: Vec<f64>,
    ode_errors: [f64; 2],
    log_mean: Rapsd,
}

// ANCHOR: model
/// The Gaussian model of the photos at 64 × 64: the mean power of all their 64-pixel tiles.
fn photo_model() -> anyhow::Result<(usize, GaussianModel)> {
    let greens = channels(&default_photos()?, Channel::Green);
    let tiles: Vec<Field> = greens.iter().flat_map(|g| tiles(g, SIZE)).collect();
    Ok((tiles.len(), GaussianModel::fit(&tiles)?))
}
// ANCHOR_END: model

// ANCHOR: commitment
fn compute() -> anyhow::Result<Analysis> {
    let (count, model) = photo_model()?;
    let white = NoiseSpectrum::white(SIZE, SIZE);
    let commitment = measure(
        &RectifiedFlow,
        &model,
        &white,
        STEPS,
        EVERY,
        CHAINS,
        &mut seeded_rng(SEED),
    );
    let grid = time_grid(200);
    let closed = grid
        .iter()
        .map(|&t| expected_commitment(&RectifiedFlow, &model, &white, t))
        .collect();
    let half = half_times(&RectifiedFlow, &model, &white);
    let spectrum = model.rapsd().without_dc();
    let f_max = grid
        .iter()
        .map(|&t| f_max(&RectifiedFlow, &spectrum.frequency, &spectrum.power, t, 1.0))
        .collect();
    // ANCHOR_END: commitment
    let ode_errors = ODE_STEPS.map(|steps| ode_error(&model, steps));
    let greens = channels(&default_photos()?, Channel::Green);
    let all: Vec<Field> = greens.iter().flat_map(|g| tiles(g, SIZE)).collect();
    let log_mean = log_mean_rapsd(&all).without_dc();
    Ok(Analysis {
        tiles: count,
        model,
        commitment,
        grid,
        closed,
        half,
        f_max,
        ode_errors,
        log_mean,
    })
}

// ANCHOR: ode_error
/// The ODE sampler's final sample against the exact probability-flow solution from the same
/// noise, √(α²P + σ²)·z per coefficient, which is √P·z at t = 0 (z: the noise's coefficients,
/// σ(1) = 1): relative RMS error.
fn ode_error(model: &GaussianModel, steps: usize) -> f64 {
    let white = NoiseSpectrum::white(SIZE, SIZE);
    let wiener = Wiener::new(RectifiedFlow, model, &white);
    let z = initial_noise(&RectifiedFlow, &white, 1.0, &mut seeded_rng(SEED + 1));
    let sample = ode_sample(
        &RectifiedFlow,
        &wiener,
        z.clone(),
        &reverse_times(steps),
        |_| {},
    );
    let exact = SpectralFilter::new(SIZE, SIZE).apply(&z, &model.power.mapv(f64::sqrt));
    ((&sample - &exact).mapv(|v| v * v).sum() / exact.mapv(|v| v * v).sum()).sqrt()
}
// ANCHOR_END: ode_error

/// The measured time nearest to where ring `r`'s closed form crosses 1/2.
fn quoted_time(a: &Analysis, r: usize) -> usize {
    let target = a.half[r];
    (0..a.commitment.times.len())
        .min_by(|&i, &j| {
            (a.commitment.times[i] - target)
                .abs()
                .total_cmp(&(a.commitment.times[j] - target).abs())
        })
        .expect("measured times")
}

/// The largest gap, in frequency bins, between f_max(t) and the G = 1/2 contour: for each ring,
/// f_max just before and just after the contour's time must bracket the ring.
fn contour_gap(a: &Analysis) -> f64 {
    let bin = 1.0 / SIZE as f64;
    let spectrum = a.model.rapsd().without_dc();
    let mut worst: f64 = 0.0;
    for (r, &t) in a.half.iter().enumerate().skip(1) {
        if !(0.0..1.0).contains(&t) || t == 0.0 {
            continue;
        }
        let f = f_max(&RectifiedFlow, &spectrum.frequency, &spectrum.power, t, 1.0);
        worst = worst.max((f - r as f64 * bin).abs() / bin);
    }
    worst
}

/// f_max at t = 0.5 from a spectrum.
fn f_max_half(spectrum: &Rapsd) -> f64 {
    f_max(
        &RectifiedFlow,
        &spectrum.frequency,
        &spectrum.power,
        0.5,
        1.0,
    )
}

fn values(a: &Analysis) -> Values {
    let c = &a.commitment;
    let mut v: Values = vec![
        ("rev-size", SIZE.to_string()),
        ("rev-tiles", a.tiles.to_string()),
        ("rev-chains", CHAINS.to_string()),
        ("rev-steps", STEPS.to_string()),
        ("rev-worst-z", format!("{:.1}", c.worst_z())),
        ("rev-contour-gap", format!("{:.1}", contour_gap(a))),
    ];
    let names = [
        [
            "rev-a-f",
            "rev-a-t",
            "rev-a-measured",
            "rev-a-se",
            "rev-a-expected",
        ],
        [
            "rev-b-f",
            "rev-b-t",
            "rev-b-measured",
            "rev-b-se",
            "rev-b-expected",
        ],
        [
            "rev-c-f",
            "rev-c-t",
            "rev-c-measured",
            "rev-c-se",
            "rev-c-expected",
        ],
    ];
    for (n, &r) in names.iter().zip(&QUOTED) {
        let i = quoted_time(a, r);
        v.push((n[0], format!("{:.3}", c.frequency[r])));
        v.push((n[1], format!("{:.2}", c.times[i])));
        v.push((n[2], format!("{:.3}", c.measured[i][r])));
        v.push((n[3], format!("{:.3}", c.standard_error[i][r])));
        v.push((n[4], format!("{:.3}", c.expected[i][r])));
    }
    let linear = a.model.rapsd().without_dc();
    let middle = linear
        .frequency
        .iter()
        .position(|f| *f >= 0.1)
        .expect("a ring at 0.1");
    v.extend([
        ("rev-ode-steps-coarse", ODE_STEPS[0].to_string()),
        ("rev-ode-steps-fine", ODE_STEPS[1].to_string()),
        ("rev-ode-error-coarse", format!("{:.4}", a.ode_errors[0])),
        ("rev-ode-error-fine", format!("{:.4}", a.ode_errors[1])),
        (
            "rev-fmax-half-linear",
            format!("{:.3}", f_max_half(&linear)),
        ),
        (
            "rev-fmax-half-log",
            format!("{:.3}", f_max_half(&a.log_mean)),
        ),
        (
            "rev-linear-over-log",
            format!("{:.1}", linear.power[middle] / a.log_mean.power[middle]),
        ),
    ]);
    v
}

/// Rings 1 … 31 as cells: edges half a bin either side, on the log axis.
fn ring_edges() -> Vec<f64> {
    (1..=SIZE / 2)
        .map(|r| (r as f64 - 0.5) / SIZE as f64)
        .collect()
}

fn draw(a: &Analysis) -> anyhow::Result<()> {
    let rings = SIZE / 2 - 1;
    let x_edges: Vec<f64> = (0..=a.grid.len())
        .map(|i| (i as f64 - 0.5).clamp(0.0, 200.0) / 200.0)
        .collect();
    let values = a
        .closed
        .iter()
        .map(|per_ring| per_ring[1..=rings].to_vec())
        .collect();
    let shown_rings = [1, 2, 3, 4, 6, 8, 11, 16, 22, 31];
    let markers = a
        .commitment
        .times
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .flat_map(|(i, &t)| {
            shown_rings.iter().map(move |&r| Marker {
                x: t,
                y: a.commitment.frequency[r],
                value: a.commitment.measured[i][r],
            })
        })
        .collect();
    let contour = a.half[1..=rings]
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, (i + 1) as f64 / SIZE as f64))
        .collect();
    let staircase = a
        .grid
        .iter()
        .zip(&a.f_max)
        .filter(|(_, f)| **f > 0.0)
        .map(|(t, f)| (*t, *f))
        .collect();
    let map = Heatmap {
        x_edges,
        y_edges: ring_edges(),
        values,
        range: (0.0, 1.0),
        colormap: VIRIDIS,
        x_label: "time step t (rectified flow)".into(),
        y_label: "frequency (cycles/pixel)".into(),
        title: None,
        markers,
        curves: vec![
            Curve {
                points: contour,
                color: RGBColor(255, 255, 255),
                dashed: false,
                width: 4,
            },
            Curve {
                points: staircase,
                color: BLACK,
                dashed: true,
                width: 2,
            },
        ],
        font_size: 17,
    };
    let (w, h) = (900u32, 620u32);
    let mut canvas = Canvas::new(w, h);
    map.draw(&mut canvas, 0, 0, 780, 560)?;
    colorbar(
        &mut canvas,
        VIRIDIS,
        (0.0, 1.0),
        &[0.0, 0.25, 0.5, 0.75, 1.0],
        "G",
        (800, 60, 22, 400),
        17,
    )?;
    let legend = "background: closed form G = SNR/(1+SNR);  squares: measured over 256 chains;  \
                  white: G = 1/2;  dashed: f_max(t), τ = 1";
    canvas.text(legend, 20, 580, 14, FONT)?;
    save_png(&canvas.into_image(), "x06-commitment.png")?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let a = compute()?;
    save_values(&values(&a))?;
    draw(&a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::denoise::signal_fraction;
    use spectral::schedule::Schedule;
    use std::sync::OnceLock;

    fn analysis() -> &'static Analysis {
        static A: OnceLock<Analysis> = OnceLock::new();
        A.get_or_init(|| compute().unwrap())
    }

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(analysis()));
    }

    #[test]
    fn measured_commitment_is_g_within_the_chains_standard_error() {
        // 31 rings × 19 times: by chance alone, |z| > 4.5 anywhere once in ~10,000 runs.
        let z = analysis().commitment.worst_z();
        assert!(z < 4.5, "worst deviation {z} standard errors");
    }

    #[test]
    fn the_closed_form_is_g_computed_independently_per_bin() {
        // Recompute one ring's closed form from the definition, bin by bin.
        let a = analysis();
        let (t, r) = (0.5, 10usize);
        let (al, s) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
        let (mut sum, mut count) = (0.0, 0);
        for ((i, j), p) in a.model.power.indexed_iter() {
            let (u, v) = (i.min(SIZE - i) as f64, j.min(SIZE - j) as f64);
            if u.hypot(v).round() as usize == r {
                sum += signal_fraction(al, s, *p, 1.0);
                count += 1;
            }
        }
        let expected = expected_commitment(
            &RectifiedFlow,
            &a.model,
            &NoiseSpectrum::white(SIZE, SIZE),
            t,
        );
        assert!((expected[r] - sum / count as f64).abs() < 1e-12);
    }

    #[test]
    fn the_half_contour_sits_on_f_max() {
        // G = 1/2 where SNR = 1, the post's threshold: the contour of the ring-averaged G and the
        // f_max of the ring-averaged P agree to within two frequency bins (not exactly: the
        // spectrum differs between directions within a ring, and f_max takes the highest bin
        // above the threshold on a spectrum that is not quite monotone at high frequencies).
        assert!(
            contour_gap(analysis()) <= 2.0,
            "{}",
            contour_gap(analysis())
        );
    }

    #[test]
    fn the_ode_error_shrinks_like_one_over_the_steps() {
        let [coarse, fine] = analysis().ode_errors;
        let ratio = coarse / fine;
        let steps = (ODE_STEPS[1] / ODE_STEPS[0]) as f64;
        assert!(
            coarse < 0.2 && (0.6 * steps..1.4 * steps).contains(&ratio),
            "{coarse} {fine}"
        );
    }
}

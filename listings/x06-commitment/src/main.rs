//! X6 (beyond the post): commitment. For the Gaussian model of the photos at 64 × 64, the share
//! of the final sample's variance that the denoiser's x̂₀(t) has already decided, per frequency
//! ring and time: corr²(x̂₀(t), x₀) measured over independent stochastic chains (squares) on the
//! closed form G = SNR/(1 + SNR) (background), with the closed form's G = 1/2 contour (white)
//! and the post's f_max(t), τ = 1, from the model's RAPSD (dashed). Also measures the same
//! quantity along the deterministic sampler (where it is 1 everywhere), the ODE sampler's
//! discretisation error at two step counts, the span of SNR over which each ring goes from
//! G = 0.1 to G = 0.9, and the linear against the log-domain mean of the tiles' spectra.
//!
//! Chapter: "Running diffusion backwards".
//! Run: `cargo run -p x06-commitment`.
//! Pieces: photos from `bookkit::data`; `GaussianModel`, `tiles` and `is_flat` from
//! `spectral::gaussian_model`; `NoiseSpectrum` from `spectral::noise_spectrum`; `Wiener` from
//! `spectral::denoise`; `ode_sample` from `spectral::sampler`; `measure`, `Sampler`,
//! `expected_commitment`, `half_times` and `crossing_times` from `spectral::commitment`; `f_max`
//! from `spectral::schedule`; `log_mean_rapsd` from `spectral::spectrum`; `Heatmap` and
//! `Colorbar` from `bookkit::heatmap`, drawn on a `Figure` laid out for the desktop and a phone
//! (`bookkit::figure`).

use bookkit::colormap::VIRIDIS;
use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::{keyed_heatmap, save_responsive};
use bookkit::heatmap::{Colorbar, Curve, Heatmap, Marker, half_contour};
use bookkit::plot::{BLACK, RGBColor};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::commitment::{
    Chains, Commitment, Sampler, crossing_times, expected_commitment, half_times, measure,
};
use spectral::denoise::{SpectralFilter, Wiener};
use spectral::gaussian_model::{GaussianModel, is_flat, tiles};
use spectral::noise::seeded_rng;
use spectral::noise_spectrum::NoiseSpectrum;
use spectral::sampler::{ode_sample, reverse_times};
use spectral::schedule::{RectifiedFlow, Schedule, f_max, time_grid};
use spectral::spectrum::{Rapsd, log_mean_rapsd};

/// Side of the model's fields: 64-pixel tiles of the 320-pixel photos.
const SIZE: usize = 64;
/// The stochastic chains: 256 of 100 steps, measured every 5th step (t = 0.95, 0.90, …, 0.05).
const CHAINS: Chains = Chains {
    count: 256,
    steps: 100,
    every: 5,
};
/// The deterministic chains: fewer suffice, corr² is 1 whatever their number.
const ODE_CHAINS: Chains = Chains {
    count: 32,
    ..CHAINS
};
const SEED: u64 = 16;
/// The ODE sampler's two step counts.
const ODE_STEPS: [usize; 2] = [25, 100];
/// Rings quoted in the text: waves 16, 5.3 and 2.7 pixels long.
const QUOTED: [usize; 3] = [4, 12, 24];
/// The commitment levels between which a ring is "being decided".
const DECIDING: (f64, f64) = (0.1, 0.9);
/// The ring nearest this frequency (cycles per pixel) compares the linear and log-domain means.
const COMPARED_AT: f64 = 0.1;

pub struct Analysis {
    tiles: usize,
    /// Tiles left out of the log-domain mean: flat, with no power off DC to take the log of.
    flat: usize,
    model: GaussianModel,
    commitment: Commitment,
    /// The same measurement along the deterministic sampler.
    deterministic: Commitment,
    /// Closed-form commitment on a fine time grid, `[time][ring]`.
    grid: Vec<f64>,
    closed: Vec<Vec<f64>>,
    half: Vec<f64>,
    f_max: Vec<f64>,
    /// Per ring, SNR at G = 0.9 over SNR at G = 0.1 (DC and rings that never cross: NaN).
    snr_span: Vec<f64>,
    ode_errors: [OdeError; 2],
    log_mean: Rapsd,
}

// ANCHOR: model
/// The Gaussian model of the photos at 64 × 64: the mean power of all their 64-pixel tiles.
fn photo_model(greens: &[Field]) -> anyhow::Result<(usize, GaussianModel)> {
    let tiles: Vec<Field> = greens.iter().flat_map(|g| tiles(g, SIZE)).collect();
    Ok((tiles.len(), GaussianModel::fit(&tiles)?))
}
// ANCHOR_END: model

// ANCHOR: commitment
fn compute() -> anyhow::Result<Analysis> {
    let greens = channels(&default_photos()?, Channel::Green);
    let (count, model) = photo_model(&greens)?;
    let white = NoiseSpectrum::white(SIZE, SIZE);
    let commitment = measure(
        &RectifiedFlow,
        &model,
        &white,
        Sampler::Ancestral,
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
    let deterministic = measure(
        &RectifiedFlow,
        &model,
        &white,
        Sampler::Deterministic,
        ODE_CHAINS,
        &mut seeded_rng(SEED + 2),
    );
    let snr_span = snr_span(&model);
    let ode_errors = ODE_STEPS.map(|steps| ode_error(&model, steps));
    let all: Vec<Field> = greens.iter().flat_map(|g| tiles(g, SIZE)).collect();
    let textured: Vec<Field> = all.iter().filter(|t| !is_flat(t)).cloned().collect();
    let log_mean = log_mean_rapsd(&textured).without_dc();
    Ok(Analysis {
        tiles: count,
        flat: all.len() - textured.len(),
        model,
        commitment,
        deterministic,
        grid,
        closed,
        half,
        f_max,
        snr_span,
        ode_errors,
        log_mean,
    })
}

/// For every ring, the factor in SNR over which its closed-form commitment goes from
/// `DECIDING.0` to `DECIDING.1`: every bin's SNR is α²/σ² times its power, so the factor is the
/// ratio of α²/σ² at the two crossing times.
fn snr_span(model: &GaussianModel) -> Vec<f64> {
    let white = NoiseSpectrum::white(SIZE, SIZE);
    let scale = |t: f64| (RectifiedFlow.alpha(t) / RectifiedFlow.sigma(t)).powi(2);
    let low = crossing_times(&RectifiedFlow, model, &white, DECIDING.0);
    let high = crossing_times(&RectifiedFlow, model, &white, DECIDING.1);
    low.iter()
        .zip(&high)
        .enumerate()
        .map(|(r, (&lo, &hi))| {
            let inside = |t: f64| t > 0.0 && t < 1.0;
            if r > 0 && inside(lo) && inside(hi) {
                scale(hi) / scale(lo)
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// A single bin's factor: G = SNR/(1 + SNR) means SNR = G/(1 − G).
fn bin_snr_span() -> f64 {
    let snr = |g: f64| g / (1.0 - g);
    snr(DECIDING.1) / snr(DECIDING.0)
}

/// The ODE sampler's relative error, for the DC bin and over every other bin.
#[derive(Clone, Copy, Debug)]
struct OdeError {
    dc: f64,
    rest: f64,
}

// ANCHOR: ode_error
/// The ODE sampler's final sample against the exact probability-flow solution, on average over
/// the starting noise z. For this model both act on every frequency alone and linearly: the
/// sampler multiplies z(k) by a gain g(k), the exact flow by √P(k) (α(1) = 0, σ(1) = 1). The
/// sampler's response to a unit impulse, whose spectrum is 1 in every bin, is g itself, and the
/// mean relative squared error is Σ|g − √P|² / ΣP, which no particular draw of z can sway.
/// DC is reported alone: the first step, from t = 1, sees x̂₀ = 0 (nothing of the data is left)
/// and keeps only σ·z, far below √(α²P + σ²)·z for DC's huge power.
fn ode_error(model: &GaussianModel, steps: usize) -> OdeError {
    let wiener = Wiener::new(RectifiedFlow, model, &NoiseSpectrum::white(SIZE, SIZE));
    let mut impulse = Field::zeros((SIZE, SIZE));
    impulse[[0, 0]] = 1.0;
    let response = ode_sample(
        &RectifiedFlow,
        &wiener,
        impulse,
        &reverse_times(steps),
        |_| {},
    );
    let gain = SpectralFilter::new(SIZE, SIZE).spectrum(&response);
    let (mut error, mut power) = (0.0, 0.0);
    for ((k, g), p) in gain.indexed_iter().zip(&model.power) {
        if k != (0, 0) {
            error += (g - p.sqrt()).norm_sqr();
            power += p;
        }
    }
    let dc = model.power[[0, 0]].sqrt();
    OdeError {
        dc: (gain[[0, 0]] - dc).norm() / dc,
        rest: (error / power).sqrt(),
    }
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

/// The largest |corr² − 1| along the deterministic sampler, over every ring but DC and every time.
fn deterministic_gap(c: &Commitment) -> f64 {
    c.measured
        .iter()
        .flat_map(|m| m[1..].iter().map(|v| (v - 1.0).abs()))
        .fold(0.0, f64::max)
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

/// The smallest and largest of the rings' SNR spans (rings that cross both levels).
fn span_range(spans: &[f64]) -> (f64, f64) {
    spans
        .iter()
        .filter(|s| s.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
            (lo.min(*s), hi.max(*s))
        })
}

fn values(a: &Analysis) -> Values {
    let c = &a.commitment;
    let mut v: Values = vec![
        ("rev-size", SIZE.to_string()),
        ("rev-tiles", a.tiles.to_string()),
        ("rev-chains", CHAINS.count.to_string()),
        ("rev-steps", CHAINS.steps.to_string()),
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
    let compared = linear
        .frequency
        .iter()
        .position(|f| *f >= COMPARED_AT)
        .expect("a ring at the compared frequency");
    let (span_lo, span_hi) = span_range(&a.snr_span);
    let [coarse, fine] = a.ode_errors;
    v.extend([
        ("rev-ode-steps-coarse", ODE_STEPS[0].to_string()),
        ("rev-ode-steps-fine", ODE_STEPS[1].to_string()),
        ("rev-ode-error-coarse", format!("{:.4}", coarse.rest)),
        ("rev-ode-error-fine", format!("{:.4}", fine.rest)),
        (
            "rev-ode-error-ratio",
            format!("{:.1}", coarse.rest / fine.rest),
        ),
        (
            "rev-ode-step-ratio",
            (ODE_STEPS[1] / ODE_STEPS[0]).to_string(),
        ),
        ("rev-ode-dc-error-coarse", format!("{:.2}", coarse.dc)),
        ("rev-ode-dc-error-fine", format!("{:.2}", fine.dc)),
        ("rev-ode-chains", ODE_CHAINS.count.to_string()),
        (
            "rev-ode-commitment-gap",
            format!("{:.0e}", deterministic_gap(&a.deterministic)),
        ),
        ("rev-bin-snr-span", format!("{:.0}", bin_snr_span())),
        ("rev-ring-snr-span-min", format!("{span_lo:.0}")),
        ("rev-ring-snr-span-max", format!("{span_hi:.0}")),
        (
            "rev-fmax-half-linear",
            format!("{:.3}", f_max_half(&linear)),
        ),
        (
            "rev-fmax-half-log",
            format!("{:.3}", f_max_half(&a.log_mean)),
        ),
        (
            "rev-compared-f",
            format!("{:.3}", linear.frequency[compared]),
        ),
        (
            "rev-linear-over-log",
            format!("{:.1}", linear.power[compared] / a.log_mean.power[compared]),
        ),
        ("rev-flat-tiles", a.flat.to_string()),
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
    let markers = Marker::commitment(&a.commitment, &shown_rings, |i| i % 2 == 1);
    let contour = half_contour(&a.half, rings, SIZE);
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
                width: 3,
            },
            Curve {
                points: staircase,
                color: BLACK,
                dashed: true,
                width: 2,
            },
        ],
        font_size: 14,
    };
    let bar = Colorbar::unit("G", &[0.0, 0.25, 0.5, 0.75, 1.0]);
    let legend = format!(
        "background: closed form G = SNR/(1 + SNR); squares: measured over {} chains; \
         white: G = 1/2; dashed: f_{{max}}(t), τ = 1",
        CHAINS.count
    );
    save_responsive("x06-commitment.svg", |column| {
        keyed_heatmap(column, &map, &bar, &legend, (440.0, 340.0))
    })
}

fn main() -> anyhow::Result<()> {
    let a = compute()?;
    save_values(&values(&a))?;
    draw(&a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::commitment::Z_LIMIT;
    use spectral::denoise::signal_fraction;
    use std::sync::OnceLock;

    fn analysis() -> &'static Analysis {
        static A: OnceLock<Analysis> = OnceLock::new();
        A.get_or_init(|| compute().unwrap())
    }

    /// G of white noise averaged over ring r at time t, bin by bin from the definition, the ring
    /// found from the signed frequencies (not from `RadialBins`).
    fn ring_g(model: &GaussianModel, r: usize, t: f64) -> f64 {
        let (al, s) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
        let (mut sum, mut count) = (0.0, 0);
        for ((i, j), p) in model.power.indexed_iter() {
            let (u, v) = (i.min(SIZE - i) as f64, j.min(SIZE - j) as f64);
            if u.hypot(v).round() as usize == r {
                sum += signal_fraction(al, s, *p, 1.0);
                count += 1;
            }
        }
        sum / count as f64
    }

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(analysis()));
    }

    #[test]
    fn measured_commitment_is_g_within_the_chains_standard_error() {
        // 31 rings × 19 times = 589 comparisons. For a normal z, P(|z| > 4.5) = 6.8e-6, so by
        // chance alone some |z| exceeds 4.5 in at most 589 × 6.8e-6 = 0.4% of runs (fewer: the
        // times share their chains), once in about 250 seeds.
        let z = analysis().commitment.worst_z();
        assert!(z < Z_LIMIT, "worst deviation {z} standard errors");
    }

    #[test]
    fn the_deterministic_sampler_decides_everything_from_the_start() {
        // Not G: along the ODE the sample is fixed by the starting noise, so corr² = 1 at every
        // ring and time, up to rounding.
        let a = analysis();
        assert!(deterministic_gap(&a.deterministic) < 1e-9);
        let g = &a.deterministic.expected;
        assert!(
            g.iter().flatten().any(|e| *e < 0.5),
            "G itself is far from 1"
        );
    }

    #[test]
    fn the_closed_form_is_g_computed_independently_per_bin() {
        // Recompute one ring's closed form from the definition, bin by bin.
        let a = analysis();
        let (t, r) = (0.5, 10usize);
        let expected = expected_commitment(
            &RectifiedFlow,
            &a.model,
            &NoiseSpectrum::white(SIZE, SIZE),
            t,
        );
        assert!((expected[r] - ring_g(&a.model, r, t)).abs() < 1e-12);
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
    fn a_ring_is_decided_over_a_wider_span_of_snr_than_one_bin() {
        // One bin: SNR from 1/9 to 9, a factor of 81 (from the definition G = SNR/(1 + SNR)).
        assert!((bin_snr_span() - 81.0).abs() < 1e-9);
        // A ring: recompute its mean G bin by bin at the two crossing times, where it must be
        // 0.1 and 0.9, and the span from α²/σ² there.
        let a = analysis();
        let white = NoiseSpectrum::white(SIZE, SIZE);
        let low = crossing_times(&RectifiedFlow, &a.model, &white, DECIDING.0);
        let high = crossing_times(&RectifiedFlow, &a.model, &white, DECIDING.1);
        for r in 1..SIZE / 2 {
            assert!(
                (ring_g(&a.model, r, low[r]) - DECIDING.0).abs() < 1e-6,
                "ring {r}"
            );
            assert!(
                (ring_g(&a.model, r, high[r]) - DECIDING.1).abs() < 1e-6,
                "ring {r}"
            );
            let odds = |t: f64| ((1.0 - t) / t).powi(2);
            let span = odds(high[r]) / odds(low[r]);
            assert!((span / a.snr_span[r] - 1.0).abs() < 1e-6, "ring {r}");
            // Its bins differ in power, so the ring takes a wider span than any one of them.
            assert!(span > 81.0, "ring {r}: {span}");
        }
    }

    #[test]
    fn the_ode_sampler_is_first_order_on_every_bin_but_dc() {
        // The sampler's gain per bin, recomputed as a product of scalar DDIM steps (no fields, no
        // FFT): x ← α_s·x̂₀ + σ_s·(x − α_t·x̂₀)/σ_t with x̂₀ = α_t·P/(α_t²P + σ_t²)·x.
        let a = analysis();
        let steps = ODE_STEPS[0];
        let times = reverse_times(steps);
        let scalar_gain = |p: f64| {
            times.windows(2).fold(1.0, |x, w| {
                let (t, s) = (w[0], w[1]);
                let (at, st) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
                let (as_, ss) = (RectifiedFlow.alpha(s), RectifiedFlow.sigma(s));
                let x0 = at * p / (at * at * p + st * st) * x;
                as_ * x0 + ss * (x - at * x0) / st
            })
        };
        let (mut error, mut power) = (0.0, 0.0);
        for (k, p) in a.model.power.indexed_iter() {
            if k != (0, 0) {
                error += (scalar_gain(*p) - p.sqrt()).powi(2);
                power += p;
            }
        }
        let [coarse, fine] = a.ode_errors;
        assert!(((error / power).sqrt() / coarse.rest - 1.0).abs() < 1e-6);
        // First order: four times the steps, about a quarter of the error (no seed involved).
        let ratio = coarse.rest / fine.rest;
        let steps = (ODE_STEPS[1] / ODE_STEPS[0]) as f64;
        assert!(
            (0.8 * steps..1.2 * steps).contains(&ratio),
            "{coarse:?} {fine:?}"
        );
        // DC is the exception: its error comes from the first step, and shrinks more slowly.
        assert!(
            coarse.dc > coarse.rest && fine.dc > fine.rest,
            "{coarse:?} {fine:?}"
        );
    }

    #[test]
    fn flat_tiles_are_left_out_of_the_log_domain_mean() {
        // A flat tile, with nothing but rounding noise off DC, must not change the mean.
        let a = analysis();
        let greens = channels(&default_photos().unwrap(), Channel::Green);
        let all: Vec<Field> = greens.iter().flat_map(|g| tiles(g, SIZE)).collect();
        let textured: Vec<Field> = all.iter().filter(|t| !is_flat(t)).cloned().collect();
        let mut with_extra = textured.clone();
        let mut flat = Field::from_elem((SIZE, SIZE), 1.0);
        flat[[3, 5]] += 1e-7;
        with_extra.push(flat);
        let kept: Vec<Field> = with_extra.into_iter().filter(|t| !is_flat(t)).collect();
        assert_eq!(log_mean_rapsd(&kept).without_dc(), a.log_mean);
        assert_eq!(all.len() - textured.len(), a.flat);
    }
}

//! X7 and X8 (beyond the post): does diffusion have to decide low frequencies first? The same
//! Gaussian model of the photos (64 × 64) and the same Wiener denoiser and sampler, under three
//! forward processes: white noise, EqualSNR (noise shaped like the data's spectrum) and
//! FlippedSNR (each bin given the SNR white noise gives the bin of mirrored rank in the spectrum,
//! which reverses the order), after Falck et al. (2025); see `spectral::noise_spectrum` for how
//! both are calibrated to white noise's SNRs.
//! X7: for each process, the time at which each frequency ring is half decided (G = 1/2).
//! X8: the commitment heat map of each process, closed form with measured chains on top.
//!
//! Chapter: "Is the order necessary?".
//! Run: `cargo run -p x07-frequency-order`.
//! Pieces: photos from `bookkit::data`; `GaussianModel` and `tiles` from
//! `spectral::gaussian_model`; `NoiseSpectrum` (white, EqualSNR, FlippedSNR) from
//! `spectral::noise_spectrum`, with `flipped_partners`; `measure`, `expected_commitment` and
//! `half_times` from `spectral::commitment`; charts from `bookkit::plot`; `Heatmap` and
//! `Colorbar` from `bookkit::heatmap`; the desktop and phone layouts from `bookkit::figure`.

use bookkit::colormap::VIRIDIS;
use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::{Column, save_chart, save_responsive};
use bookkit::heatmap::{Colorbar, Curve, Heatmap, Marker, half_contour};
use bookkit::plot::{BLUE, Chart, Figure, ORANGE, PURPLE, RGBColor, Rect, Scale, Series, Style};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::commitment::{
    Chains, Commitment, Sampler, Z_LIMIT, expected_commitment, half_times, measure,
};
use spectral::gaussian_model::{GaussianModel, tiles};
use spectral::noise::seeded_rng;
use spectral::noise_spectrum::{NoiseSpectrum, flipped_partners};
use spectral::schedule::{RectifiedFlow, time_grid};

const SIZE: usize = 64;
/// 200 chains of 20 steps, measured every 2nd step: t = 0.9, 0.8, …, 0.1. The ancestral step
/// with the exact posterior is an exact draw at any step size, so a coarse grid measures the same
/// commitment as a fine one, at a fraction of the cost: the chains' count, not their steps, sets
/// the standard error.
const CHAINS: Chains = Chains {
    count: 200,
    steps: 20,
    every: 2,
};
const SEED: u64 = 17;
/// Rings compared in the text: waves 32 and 2.1 pixels long.
const LOW: usize = 2;
const HIGH: usize = 30;

/// One forward process: its name, its closed form on a fine grid, its G = 1/2 times per ring,
/// and the chains' measurement.
struct Process {
    name: &'static str,
    closed: Vec<Vec<f64>>,
    half: Vec<f64>,
    measured: Commitment,
}

struct Analysis {
    grid: Vec<f64>,
    processes: Vec<Process>,
    /// Under FlippedSNR, the mean frequency (cycles per pixel) of the partners of each ring's
    /// bins, DC included as ring 0.
    partner_frequency: Vec<f64>,
}

// ANCHOR: processes
fn compute() -> anyhow::Result<Analysis> {
    let greens = channels(&default_photos()?, Channel::Green);
    let all: Vec<Field> = greens.iter().flat_map(|g| tiles(g, SIZE)).collect();
    let model = GaussianModel::fit(&all)?;
    let noises = [
        NoiseSpectrum::white(SIZE, SIZE),
        NoiseSpectrum::equal_snr(&model),
        NoiseSpectrum::flipped_snr(&model),
    ];
    let grid = time_grid(200);
    let mut rng = seeded_rng(SEED);
    let processes = noises
        .iter()
        .map(|noise| Process {
            name: noise.name,
            closed: grid
                .iter()
                .map(|&t| expected_commitment(&RectifiedFlow, &model, noise, t))
                .collect(),
            half: half_times(&RectifiedFlow, &model, noise),
            measured: measure(
                &RectifiedFlow,
                &model,
                noise,
                Sampler::Ancestral,
                CHAINS,
                &mut rng,
            ),
        })
        .collect();
    let partner_frequency = partner_frequency(&model);
    Ok(Analysis {
        grid,
        processes,
        partner_frequency,
    })
}
// ANCHOR_END: processes

/// The frequency |k| in cycles per pixel of bin k (unshifted layout), from its signed indices.
fn frequency_of((i, j): (usize, usize)) -> f64 {
    let signed = |k: usize| k.min(SIZE - k) as f64;
    signed(i).hypot(signed(j)) / SIZE as f64
}

/// For every ring, the mean frequency of its bins' FlippedSNR partners.
fn partner_frequency(model: &GaussianModel) -> Vec<f64> {
    let partners = flipped_partners(model);
    let mut sums = vec![(0.0, 0usize); SIZE / 2];
    for (k, partner) in partners.indexed_iter() {
        let ring = (frequency_of(k) * SIZE as f64).round() as usize;
        if let Some((sum, count)) = sums.get_mut(ring) {
            *sum += frequency_of(*partner);
            *count += 1;
        }
    }
    sums.iter()
        .map(|(sum, count)| sum / *count as f64)
        .collect()
}

/// The measured time at which EqualSNR's closed form is nearest 1/2.
fn equal_time(c: &Commitment) -> usize {
    (0..c.times.len())
        .min_by(|&i, &j| {
            (c.expected[i][1] - 0.5)
                .abs()
                .total_cmp(&(c.expected[j][1] - 0.5).abs())
        })
        .expect("measured times")
}

/// Spread of measured commitment across rings 1 … 31 at time index i: (max − min, mean SE).
fn spread(c: &Commitment, i: usize) -> (f64, f64) {
    let m = &c.measured[i][1..];
    let (lo, hi) = m
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let se = c.standard_error[i][1..].iter().sum::<f64>() / m.len() as f64;
    (hi - lo, se)
}

/// The measured time index nearest to where FlippedSNR's closed form half decides the highest
/// ring compared: there white noise has long decided the low rings and FlippedSNR has not.
fn compare_time(a: &Analysis) -> usize {
    let c = &a.processes[0].measured;
    let target = a.processes[2].half[HIGH];
    (0..c.times.len())
        .min_by(|&i, &j| {
            (c.times[i] - target)
                .abs()
                .total_cmp(&(c.times[j] - target).abs())
        })
        .expect("times")
}

fn values(a: &Analysis) -> Values {
    let [white, equal, flipped] = [
        &a.processes[0].measured,
        &a.processes[1].measured,
        &a.processes[2].measured,
    ];
    let worst = a
        .processes
        .iter()
        .map(|p| p.measured.worst_z())
        .fold(0.0, f64::max);
    let ie = equal_time(equal);
    let (spread, se) = spread(equal, ie);
    let ic = compare_time(a);
    let period = |r: usize| SIZE as f64 / r as f64;
    let flip_latest = a.processes[2].half[1..].iter().copied().fold(0.0, f64::max);
    vec![
        ("order-rings", (white.frequency.len() - 1).to_string()),
        ("order-z-limit", Z_LIMIT.to_string()),
        ("order-flip-half-latest", format!("{flip_latest:.2}")),
        ("order-low-period", format!("{:.0}", period(LOW))),
        ("order-high-period", format!("{:.1}", period(HIGH))),
        ("order-low-f", format!("{:.3}", white.frequency[LOW])),
        ("order-high-f", format!("{:.3}", white.frequency[HIGH])),
        (
            "order-low-partner-f",
            format!("{:.2}", a.partner_frequency[LOW]),
        ),
        (
            "order-high-partner-f",
            format!("{:.2}", a.partner_frequency[HIGH]),
        ),
        ("order-chains", CHAINS.count.to_string()),
        ("order-steps", CHAINS.steps.to_string()),
        ("order-worst-z", format!("{worst:.1}")),
        ("order-equal-t", format!("{:.1}", equal.times[ie])),
        ("order-equal-spread", format!("{spread:.3}")),
        ("order-equal-se", format!("{se:.3}")),
        ("order-time", format!("{:.1}", white.times[ic])),
        ("order-white-low", format!("{:.2}", white.measured[ic][LOW])),
        (
            "order-white-high",
            format!("{:.2}", white.measured[ic][HIGH]),
        ),
        (
            "order-flip-low",
            format!("{:.2}", flipped.measured[ic][LOW]),
        ),
        (
            "order-flip-high",
            format!("{:.2}", flipped.measured[ic][HIGH]),
        ),
    ]
}

const COLORS: [RGBColor; 3] = [BLUE, ORANGE, PURPLE];

/// The lower end of X7's time axis: logarithmic, so that FlippedSNR's half times, all below
/// t = 0.1 for the rings shown, stay apart.
const T_AXIS_FROM: f64 = 0.01;

fn draw_order(a: &Analysis) -> anyhow::Result<()> {
    let f: Vec<f64> = (1..SIZE / 2).map(|r| r as f64 / SIZE as f64).collect();
    let styles = [Style::Line, Style::Line, Style::Dotted];
    let mut chart = Chart::linear(
        "time step t at which the ring is half decided (G = 1/2)",
        "frequency (cycles/pixel)",
    )
    .scales(Scale::Log, Scale::Log)
    .x_range(T_AXIS_FROM, 1.0);
    for ((p, color), style) in a.processes.iter().zip(COLORS).zip(styles) {
        chart = chart.with(Series::new(&p.half[1..], &f, color, style).label(p.name));
    }
    save_chart("x07-frequency-order.svg", &chart, 460.0)
}

fn draw_maps(a: &Analysis) -> anyhow::Result<()> {
    let rings = SIZE / 2 - 1;
    let x_edges: Vec<f64> = (0..=a.grid.len())
        .map(|i| (i as f64 - 0.5).clamp(0.0, 200.0) / 200.0)
        .collect();
    let y_edges: Vec<f64> = (1..=SIZE / 2)
        .map(|r| (r as f64 - 0.5) / SIZE as f64)
        .collect();
    let shown = [1, 2, 4, 8, 16, 30];
    let maps: Vec<Heatmap> = a
        .processes
        .iter()
        .map(|p| {
            let c = &p.measured;
            let markers = Marker::commitment(c, &shown, |_| true);
            let contour = half_contour(&p.half, rings, SIZE);
            Heatmap {
                x_edges: x_edges.clone(),
                y_edges: y_edges.clone(),
                values: p.closed.iter().map(|v| v[1..=rings].to_vec()).collect(),
                range: (0.0, 1.0),
                colormap: VIRIDIS,
                x_label: "time step t".into(),
                y_label: "frequency (cycles/pixel)".into(),
                title: Some(p.name.to_string()),
                markers,
                curves: vec![Curve {
                    points: contour,
                    color: RGBColor(255, 255, 255),
                    dashed: false,
                    width: 3,
                }],
                font_size: 13,
            }
        })
        .collect();
    let bar = Colorbar::unit("G", &[0.0, 0.5, 1.0]);
    save_responsive("x08-order-commitment.svg", |column| {
        // Two by two in the book's column (the fourth cell holds the colour bar), one column on
        // a phone, so that the text stays legible at either width.
        let cols = if column == Column::Desktop { 2 } else { 1 };
        let (w, h, gap) = (column.width() / cols as f64, 320.0, 14.0);
        let cells = maps.len() + 1;
        let mut fig = Figure::new(
            column.width(),
            cells.div_ceil(cols) as f64 * (h + gap) - gap,
        );
        let cell = |k: usize| Rect::new((k % cols) as f64 * w, (k / cols) as f64 * (h + gap), w, h);
        for (k, map) in maps.iter().enumerate() {
            fig.heatmap(cell(k), map);
        }
        let last = cell(maps.len());
        fig.colorbar(
            Rect::new(last.x + 60.0, last.y + 50.0, 18.0, h - 100.0),
            &bar,
        );
        if column == Column::Phone {
            fig.height = last.y + h;
        }
        fig
    })
}

fn draw(a: &Analysis) -> anyhow::Result<()> {
    draw_order(a)?;
    draw_maps(a)
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

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(analysis()));
    }

    #[test]
    fn every_process_commits_as_its_closed_form_says() {
        for p in &analysis().processes {
            let z = p.measured.worst_z();
            assert!(z < Z_LIMIT, "{}: {z}", p.name);
        }
    }

    #[test]
    fn equal_snr_decides_every_frequency_at_once() {
        let c = &analysis().processes[1].measured;
        for (i, m) in c.measured.iter().enumerate() {
            let mean = m[1..].iter().sum::<f64>() / (m.len() - 1) as f64;
            for (r, (v, se)) in m.iter().zip(&c.standard_error[i]).enumerate().skip(1) {
                // Independent of frequency: within Z_LIMIT of the ring's standard errors.
                assert!((v - mean).abs() < Z_LIMIT * se, "t {} r {r}", c.times[i]);
            }
        }
        // And the closed form's half times are all equal.
        let half = &analysis().processes[1].half;
        assert!(half[1..].iter().all(|t| (t - half[1]).abs() < 1e-6));
    }

    #[test]
    fn flipped_snr_reverses_the_order() {
        let a = analysis();
        let (white, flipped) = (&a.processes[0], &a.processes[2]);
        // White noise: the lowest ring is half decided last (latest t), the highest first.
        // FlippedSNR: the other way round.
        assert!(white.half[LOW] > white.half[HIGH]);
        assert!(flipped.half[HIGH] > flipped.half[LOW]);
        // Every ring shown takes the SNR of a high-frequency bin: all are half decided late in
        // the run, within X7's logarithmic time axis.
        let latest = flipped.half[1..].iter().copied().fold(0.0, f64::max);
        let earliest = flipped.half[1..].iter().copied().fold(1.0, f64::min);
        assert!(
            latest < white.half[LOW] && earliest > T_AXIS_FROM,
            "{earliest} {latest}"
        );
        // And in the chains, at the compared time: low rings are more decided than high ones
        // under white noise, less under FlippedSNR, each by many standard errors.
        let i = compare_time(a);
        let gap = |c: &Commitment| {
            (c.measured[i][LOW] - c.measured[i][HIGH])
                / c.standard_error[i][LOW].hypot(c.standard_error[i][HIGH])
        };
        assert!(gap(&white.measured) > 10.0 && gap(&flipped.measured) < -10.0);
    }

    #[test]
    fn flipped_partners_are_where_an_isotropic_spectrum_would_put_them() {
        // For a spectrum that falls with |k| alone, mirroring the rank in P is mirroring the rank
        // in |k|: sort the bins by frequency, and the i-th lowest is paired with the i-th
        // highest. Most bins are at high frequencies, and the highest sit in the corners beyond
        // the last ring, so the partners of the lowest ring are corner bins and those of the
        // highest ring are mid frequencies, not the lowest rings. The photo model is not quite
        // isotropic (the streaks of X4): its partners agree to within 0.05 cycles per pixel.
        let mut by_frequency: Vec<f64> = (0..SIZE)
            .flat_map(|i| (0..SIZE).map(move |j| frequency_of((i, j))))
            .filter(|f| *f > 0.0)
            .collect();
        by_frequency.sort_by(f64::total_cmp);
        let isotropic = |ring: usize| {
            let (mut sum, mut count) = (0.0, 0);
            for (rank, f) in by_frequency.iter().enumerate() {
                if (f * SIZE as f64).round() as usize == ring {
                    sum += by_frequency[by_frequency.len() - 1 - rank];
                    count += 1;
                }
            }
            sum / count as f64
        };
        let measured = &analysis().partner_frequency;
        for ring in [LOW, HIGH] {
            let want = isotropic(ring);
            assert!(
                (measured[ring] - want).abs() < 0.05,
                "ring {ring}: {} vs {want}",
                measured[ring]
            );
        }
        assert!(isotropic(LOW) > 0.5 && isotropic(HIGH) < 0.4);
    }
}

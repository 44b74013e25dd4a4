//! X12 (beyond the post): commitment in the trained network's own reverse process. Chains of the
//! stochastic sampler (the ancestral step with the network's x̂₀) from independent noise; per
//! frequency ring and time, the share of the final sample that x̂₀(t) has already decided
//! (squares), on the Gaussian model's G (background), as X6 measured it for the Wiener filter.
//!
//! Chapter: "A trained denoiser".
//! Run: `cargo run -p x12-trained-commitment`.
//! Pieces: the shipped network from `trained::weights`; its chains from `trained::sample`;
//! `CommitmentSums` and `half_times` from `spectral::commitment`; `Heatmap` and `Colorbar` from
//! `bookkit::heatmap`, laid out for the desktop column and a phone by `bookkit::figure`.

use anyhow::Result;
use bookkit::colormap::VIRIDIS;
use bookkit::figure::{keyed_heatmap, save_responsive};
use bookkit::heatmap::{Colorbar, Curve, Heatmap, Marker, half_contour};
use bookkit::plot::RGBColor;
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::commitment::{Commitment, CommitmentSums, expected_commitment, half_times};
use spectral::gaussian_model::ring_mean;
use spectral::noise::seeded_rng;
use spectral::sampler::reverse_times;
use spectral::schedule::{RectifiedFlow, time_grid};
use spectral::spectrum::RadialBins;
use trained::budget::Budget;
use trained::config::Process;
use trained::sample::{Sampler, run};
use trained::weights::shipped;

const SIZE: usize = 64;
const CHAINS: usize = 32;
const STEPS: usize = 16;
/// Measure at every 2nd step: t = 0.875, 0.75, …, 0.125.
const EVERY: usize = 2;
const SEED: u64 = 22;

struct Analysis {
    chains: usize,
    commitment: Commitment,
    /// G per ring on a fine grid of times, and its G = 1/2 times per ring.
    grid: Vec<f64>,
    closed: Vec<Vec<f64>>,
    half: Vec<f64>,
}

// ANCHOR: chains
fn compute() -> Result<Analysis> {
    let network = shipped(Process::White)?;
    let model = network.pre.model();
    let noise = Process::White.noise(&model);
    let chains = Budget::from_env()?.count(CHAINS);
    let times = reverse_times(STEPS);
    let kept: Vec<usize> = (EVERY..STEPS).step_by(EVERY).collect();
    let mut sums = CommitmentSums::new(kept.iter().map(|&i| times[i]).collect(), SIZE, SIZE);
    // Each chain's guesses x̂₀(t) at the kept steps, then its sample.
    let mut guesses: Vec<Vec<Field>> = vec![Vec::new(); chains];
    let mut rng = seeded_rng(SEED);
    let samples = run(
        &network,
        &noise,
        Sampler::Ancestral,
        chains,
        STEPS,
        &mut rng,
        |i, _, x0| {
            if kept.contains(&i) {
                for (g, x) in guesses.iter_mut().zip(x0) {
                    g.push(x.clone());
                }
            }
        },
    )?;
    for (g, sample) in guesses.iter().zip(&samples) {
        sums.add_chain(g, sample);
    }
    // ANCHOR_END: chains
    let bins = RadialBins::new(SIZE, SIZE);
    let expected = sums
        .times()
        .iter()
        .map(|&t| expected_commitment(&RectifiedFlow, &model, &noise, t))
        .collect();
    let grid = time_grid(200);
    let closed = grid
        .iter()
        .map(|&t| ring_mean(&bins, &network.pre.signal_fractions(t)))
        .collect();
    Ok(Analysis {
        chains,
        commitment: sums.finish(expected),
        grid,
        closed,
        half: half_times(&RectifiedFlow, &model, &noise),
    })
}

/// Rings 1 … 31 and times where the measured commitment and G differ most, in G's units.
fn largest_departure(c: &Commitment) -> (f64, usize, f64) {
    let mut worst: (f64, usize, f64) = (0.0, 0, 0.0);
    for (i, (m, e)) in c.measured.iter().zip(&c.expected).enumerate() {
        for r in 1..m.len() {
            let d = m[r] - e[r];
            if d.abs() > worst.0.abs() {
                worst = (d, r, c.times[i]);
            }
        }
    }
    worst
}

/// For each ring, the first measured time (going down from t = 1) at which its commitment
/// reaches 1/2: when the network's reverse process has half decided it.
fn measured_half_times(c: &Commitment) -> Vec<Option<f64>> {
    (0..c.frequency.len())
        .map(|r| {
            c.times
                .iter()
                .zip(&c.measured)
                .find(|(_, m)| m[r] >= 0.5)
                .map(|(t, _)| *t)
        })
        .collect()
}

fn values(a: &Analysis) -> Values {
    let c = &a.commitment;
    let (d, r, t) = largest_departure(c);
    // Low frequencies first? The half-decision times, ring by ring, must fall as frequency rises.
    let halves = measured_half_times(c);
    let ordered = halves
        .windows(2)
        .skip(1)
        .filter(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if a >= b))
        .count();
    vec![
        ("tc-chains", a.chains.to_string()),
        ("tc-steps", STEPS.to_string()),
        ("tc-departure", format!("{:.2}", d.abs())),
        ("tc-worst-z", format!("{:.1}", c.worst_z())),
        (
            "tc-departure-sign",
            if d > 0.0 { "more" } else { "less" }.to_string(),
        ),
        ("tc-departure-f", format!("{:.3}", c.frequency[r])),
        ("tc-departure-t", format!("{t:.3}")),
        ("tc-ordered-pairs", ordered.to_string()),
        ("tc-pairs", (halves.len() - 2).to_string()),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    let c = &a.commitment;
    let rings = SIZE / 2 - 1;
    let x_edges: Vec<f64> = (0..=a.grid.len())
        .map(|i| (i as f64 - 0.5).clamp(0.0, 200.0) / 200.0)
        .collect();
    let y_edges: Vec<f64> = (1..=SIZE / 2)
        .map(|r| (r as f64 - 0.5) / SIZE as f64)
        .collect();
    let shown = [1, 2, 4, 8, 16, 25];
    let markers = Marker::commitment(c, &shown, |_| true);
    let contour = half_contour(&a.half, rings, SIZE);
    let map = Heatmap {
        x_edges,
        y_edges,
        values: a.closed.iter().map(|v| v[1..=rings].to_vec()).collect(),
        range: (0.0, 1.0),
        colormap: VIRIDIS,
        x_label: "time step t".into(),
        y_label: "frequency (cycles/pixel)".into(),
        title: None,
        markers,
        curves: vec![Curve {
            points: contour,
            color: RGBColor(255, 255, 255),
            dashed: false,
            width: 3,
        }],
        font_size: 14,
    };
    // The bar is labelled G, as in X6: a wider label would widen the bar's column and, on a
    // phone, narrow the map; the key says that the squares use the same colours.
    let bar = Colorbar::unit("G", &[0.0, 0.25, 0.5, 0.75, 1.0]);
    let key = format!(
        "background: the Gaussian model's G, white where G = 1/2; squares: the trained \
         network's commitment in the same colours, measured over {} chains of {STEPS} steps",
        a.chains
    );
    save_responsive("x12-trained-commitment.svg", |column| {
        keyed_heatmap(column, &map, &bar, &key, (440.0, 380.0))
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
    fn the_closed_form_is_the_networks_own_gaussian_model() {
        // The background is G of the model stored with the weights, the one the network's
        // Wiener part uses: G = 1/2 where its SNR is 1 (checked per bin).
        let a = analysis();
        for (row, &t) in a.closed.iter().zip(&a.grid) {
            assert!(row.iter().all(|g| (0.0..=1.0).contains(g)), "t {t}");
        }
        assert!(
            a.half[1] > a.half[30],
            "low rings are decided later in t than high ones"
        );
    }
}

//! X10 and X11 (beyond the post): the trained network (white noise) on held-out photos.
//! X10: the squared error of its x̂₀ per time t, beside the Wiener filter's and the noisy input's,
//! and its gain over the Wiener filter in decibels.
//! X11: how Gaussian it is. Left: the share of its noise prediction that the Wiener filter's
//! explains, per t. Right: its effective gain per frequency ring and time (squares), on the
//! Wiener filter's G (background), drawn like X6.
//!
//! Chapter: "A trained denoiser".
//! Run: `cargo run -p x10-trained-quality`.
//! Pieces: the shipped network from `trained::weights`; held-out crops from `trained::data`;
//! `sweep` from `trained::quality`; `ring_mean` from `spectral::gaussian_model`; charts from
//! `bookkit::plot`, `Heatmap` and `Colorbar` from `bookkit::heatmap`, laid out for the desktop
//! column and a phone by `bookkit::figure`.

use anyhow::Result;
use bookkit::colormap::VIRIDIS;
use bookkit::figure::{Column, chart_row, heatmap_with_colorbar, key_below, save_responsive};
use bookkit::heatmap::{Colorbar, Heatmap, Marker};
use bookkit::plot::{BLACK, BLUE, Chart, Figure, GREY, ORANGE, Rect, Scale, Series, Style};
use bookkit::values::{Values, save_values};
use spectral::gaussian_model::ring_mean;
use spectral::schedule::time_grid;
use spectral::spectrum::RadialBins;
use trained::budget::Budget;
use trained::config::Process;
use trained::data::held_out_crops;
use trained::quality::{AtTime, sweep};
use trained::weights::shipped;

/// Crops per held-out photo: 64-pixel tiles spread over each photo (an eighth in the notebook).
const PER_PHOTO: usize = 6;
const SIZE: usize = 64;
const TIMES: [f64; 11] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
const SEED: u64 = 21;
/// The times the text quotes: moderate noise, and high noise.
const MODERATE: f64 = 0.3;
const HIGH: f64 = 0.7;

struct Analysis {
    per_photo: usize,
    crops: usize,
    sweep: Vec<AtTime>,
    /// The Wiener filter's G per ring on a fine grid of times, for the map's background.
    grid: Vec<f64>,
    closed: Vec<Vec<f64>>,
}

// ANCHOR: measure
fn compute() -> Result<Analysis> {
    let network = shipped(Process::White)?;
    let per_photo = Budget::from_env()?.count(PER_PHOTO);
    let crops = held_out_crops(SIZE, per_photo)?;
    let noise = Process::White.noise(&network.pre.model());
    let sweep = sweep(&network, &noise, &crops, &TIMES, SEED, crops.len())?;
    // ANCHOR_END: measure
    let bins = RadialBins::new(SIZE, SIZE);
    let grid = time_grid(200);
    let closed = grid
        .iter()
        .map(|&t| ring_mean(&bins, &network.pre.signal_fractions(t)))
        .collect();
    Ok(Analysis {
        per_photo,
        crops: crops.len(),
        sweep,
        grid,
        closed,
    })
}

/// The measurement at time t.
fn at(a: &Analysis, t: f64) -> &AtTime {
    a.sweep
        .iter()
        .find(|m| (m.t - t).abs() < 1e-9)
        .expect("a measured time")
}

/// The largest |effective gain − G| over every time and ring but DC, with its ring's frequency
/// (cycles per pixel) and its time.
fn largest_gain_departure(a: &Analysis) -> (f64, f64, f64) {
    let mut worst = (0.0, 0.0, 0.0);
    for m in &a.sweep {
        for r in 1..m.gain.len() {
            let d = m.gain[r] - m.wiener_gain[r];
            if d.abs() > f64::abs(worst.0) {
                worst = (d, r as f64 / SIZE as f64, m.t);
            }
        }
    }
    worst
}

fn values(a: &Analysis) -> Values {
    let (departure, departure_f, departure_t) = largest_gain_departure(a);
    let high: Vec<&AtTime> = a.sweep.iter().filter(|m| m.t >= HIGH).collect();
    let worst_high = high
        .iter()
        .map(|m| m.gain_db())
        .fold(f64::INFINITY, f64::min);
    let best = a
        .sweep
        .iter()
        .map(|m| m.gain_db())
        .fold(f64::NEG_INFINITY, f64::max);
    vec![
        ("tq-crops", a.crops.to_string()),
        ("tq-per-photo", a.per_photo.to_string()),
        ("tq-moderate-t", format!("{MODERATE:.1}")),
        (
            "tq-gain-moderate",
            format!("{:.2}", at(a, MODERATE).gain_db()),
        ),
        ("tq-high-t", format!("{HIGH:.1}")),
        ("tq-gain-high-worst", format!("{worst_high:.2}")),
        ("tq-gain-best", format!("{best:.2}")),
        ("tq-share-low", format!("{:.3}", at(a, 0.1).gaussian_share)),
        (
            "tq-share-moderate",
            format!("{:.3}", at(a, MODERATE).gaussian_share),
        ),
        ("tq-share-high", format!("{:.3}", at(a, 0.9).gaussian_share)),
        ("tq-gain-departure", format!("{:.2}", departure.abs())),
        ("tq-gain-departure-f", format!("{departure_f:.3}")),
        ("tq-gain-departure-t", format!("{departure_t:.2}")),
    ]
}

fn draw_quality(a: &Analysis) -> Result<()> {
    let t: Vec<f64> = a.sweep.iter().map(|m| m.t).collect();
    let rel =
        |f: fn(&AtTime) -> f64| -> Vec<f64> { a.sweep.iter().map(|m| f(m) / m.signal).collect() };
    let errors = Chart::linear("time step t", "squared error / signal power")
        .scales(Scale::Linear, Scale::Log)
        .x_range(0.0, 1.0)
        .with(Series::new(&t, &rel(|m| m.noisy), GREY, Style::Dashed).label("noisy input x_{t}/α"))
        .with(Series::new(&t, &rel(|m| m.wiener), BLUE, Style::LineDots).label("Wiener filter"))
        .with(
            Series::new(&t, &rel(|m| m.network), ORANGE, Style::LineDots).label("trained network"),
        );
    let gains: Vec<f64> = a.sweep.iter().map(|m| m.gain_db()).collect();
    let gain = Chart::linear("time step t", "gain over Wiener (dB)")
        .x_range(0.0, 1.0)
        .with(Series::new(&[0.0, 1.0], &[0.0, 0.0], BLACK, Style::Dotted).label("Wiener filter"))
        .with(Series::new(&t, &gains, ORANGE, Style::LineDots).label("trained network"));
    let charts = [errors, gain];
    save_responsive("x10-trained-quality.svg", |column| {
        chart_row(column, &charts, 400.0)
    })
}

/// The size of X11's axis labels, CSS px.
const LABEL_PX: u32 = 14;

fn draw_gaussian(a: &Analysis) -> Result<()> {
    let t: Vec<f64> = a.sweep.iter().map(|m| m.t).collect();
    let share: Vec<f64> = a.sweep.iter().map(|m| m.gaussian_share).collect();
    let chart = Chart::linear("time step t", "share explained by the Wiener filter")
        .x_range(0.0, 1.0)
        .font_size(LABEL_PX)
        .with(Series::new(&t, &share, ORANGE, Style::LineDots).label("trained network"));
    let rings = SIZE / 2 - 1;
    let x_edges: Vec<f64> = (0..=a.grid.len())
        .map(|i| (i as f64 - 0.5).clamp(0.0, 200.0) / 200.0)
        .collect();
    let y_edges: Vec<f64> = (1..=SIZE / 2)
        .map(|r| (r as f64 - 0.5) / SIZE as f64)
        .collect();
    let shown = [1, 2, 4, 8, 16, 30];
    let markers = a.sweep.iter().flat_map(|m| {
        shown.iter().map(move |&r| Marker {
            x: m.t,
            y: r as f64 / SIZE as f64,
            value: m.gain[r],
        })
    });
    let map = Heatmap {
        x_edges,
        y_edges,
        values: a.closed.iter().map(|v| v[1..=rings].to_vec()).collect(),
        range: (0.0, 1.0),
        colormap: VIRIDIS,
        x_label: "time step t".into(),
        y_label: "frequency (cycles/pixel)".into(),
        title: Some("effective gain (squares) on G".into()),
        markers: markers.collect(),
        curves: Vec::new(),
        font_size: LABEL_PX,
    };
    let bar = Colorbar {
        colormap: VIRIDIS,
        range: (0.0, 1.0),
        ticks: vec![0.0, 0.5, 1.0],
        label: "G".into(),
        font_size: f64::from(LABEL_PX),
    };
    let key = "background: the Wiener filter's gain G; squares: the network's effective gain \
               on the held-out crops, same colours";
    save_responsive("x11-how-gaussian.svg", |column| {
        // The share beside the map on the desktop, above it on a phone; the colour bar to the
        // map's right, the key under both.
        let w = column.width();
        let (chart_at, map_at) = match column {
            Column::Desktop => (
                Rect::new(0.0, 0.0, 260.0, 420.0),
                Rect::new(270.0, 0.0, w - 270.0, 420.0),
            ),
            Column::Phone => (
                Rect::new(0.0, 0.0, w, 300.0),
                Rect::new(0.0, 316.0, w, 340.0),
            ),
        };
        let mut fig = Figure::new(w, map_at.bottom());
        fig.chart(chart_at, &chart);
        heatmap_with_colorbar(&mut fig, map_at, &map, &bar);
        key_below(&mut fig, key, map_at.bottom());
        fig
    })
}

fn draw(a: &Analysis) -> Result<()> {
    draw_quality(a)?;
    draw_gaussian(a)
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
    fn the_network_beats_the_wiener_filter_where_the_chapter_says() {
        let a = analysis();
        // The chapter's two claims, on held-out photos: at least 0.5 dB better at moderate
        // noise, and never more than 0.5 dB worse at high noise.
        assert!(at(a, MODERATE).gain_db() >= 0.5);
        for m in a.sweep.iter().filter(|m| m.t >= HIGH) {
            assert!(m.gain_db() > -0.5, "t {}: {}", m.t, m.gain_db());
        }
    }

    #[test]
    fn the_regression_gives_back_the_wiener_filters_own_gain() {
        // The measurement, applied to the Wiener filter's output, must return the filter's G
        // (a per-frequency multiplication has exactly that slope): a check of the regression that
        // does not involve the network.
        for m in &analysis().sweep {
            for (measured, g) in m.wiener_measured.iter().zip(&m.wiener_gain) {
                assert!((measured - g).abs() < 1e-9, "t {}: {measured} vs {g}", m.t);
            }
        }
    }
}

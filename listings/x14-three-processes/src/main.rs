//! X14 (beyond the post): is the low-to-high order necessary for a network to learn? The same
//! network, trained with the same budget under white noise, EqualSNR and FlippedSNR (top left:
//! how much of each frequency band's loss training removed, on held-out photos; top right:
//! held-out error against each process's own Wiener filter; bottom: the spectra of each
//! network's samples).
//!
//! Chapter: "A trained denoiser".
//! Run: `cargo run -p x14-three-processes`.
//! Pieces: the shipped networks from `trained::weights`; examples and the loss per band from
//! `trained::train`; `sweep`
//! from `trained::quality`; chains from `trained::sample`; `rapsd` from `spectral::spectrum`;
//! `fit_set` from `spectral::fit`; charts from `bookkit::plot`, laid out for the desktop column
//! and a phone by `bookkit::figure`.

use anyhow::Result;
use bookkit::figure::{Column, chart_stack, save_responsive};
use bookkit::plot::{
    BLACK, BLUE, Chart, Figure, ORANGE, PURPLE, RGBColor, Rect, Scale, Series, Style, align_charts,
};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::fit::{SetFit, fit_set};
use spectral::noise::seeded_rng;
use spectral::noise_spectrum::NoiseSpectrum;
use spectral::spectrum::rapsd;
use trained::budget::Budget;
use trained::config::Config;
use trained::config::Process;
use trained::data::{Split, greens, held_out_crops};
use trained::network::Network;
use trained::quality::{AtTime, sweep};
use trained::sample::{Sampler, run};
use trained::train::{BAND_EDGES, BANDS, band_losses, examples};
use trained::weights::shipped;

const SIZE: usize = 64;
/// The crops, times and noise of X10's sweep (its seed), and the chains of X13 (its seed), so the
/// white-noise network's numbers here are those two figures' own.
const PER_PHOTO: usize = 6;
const TIMES: [f64; 11] = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
const SWEEP_SEED: u64 = 21;
const SAMPLES: usize = 12;
const STEPS: usize = 32;
const CHAIN_SEED: u64 = 23;
const SEED: u64 = 24;
const RESAMPLES: usize = 2000;

/// Held-out crops drawn for the loss per band, in batches of [`BAND_BATCH`].
const BAND_CROPS: usize = 128;
const BAND_BATCH: usize = 32;

/// What one process's network shows.
struct Outcome {
    process: Process,
    /// Per band: the trained network's loss on held-out examples over the loss of F = 0, its
    /// starting point (the Wiener filter alone), on the same examples.
    band_ratio: [f64; BANDS],
    sweep: Vec<AtTime>,
    frequency: Vec<f64>,
    samples: SetFit,
}

/// How many samples and band crops each process gets (the notebook's budget takes an eighth).
struct Counts {
    samples: usize,
    band_crops: usize,
}

struct Analysis {
    processes: Vec<Outcome>,
    counts: Counts,
    crops: usize,
    held_out: SetFit,
}

// ANCHOR: compare
fn one(process: Process, crops: &[Field], photos: &[Field], counts: &Counts) -> Result<Outcome> {
    let network = shipped(process)?;
    let noise = process.noise(&network.pre.model());
    let sweep = sweep(&network, &noise, crops, &TIMES, SWEEP_SEED, crops.len())?;
    let mut rng = seeded_rng(CHAIN_SEED);
    let samples = run(
        &network,
        &noise,
        Sampler::Ancestral,
        counts.samples,
        STEPS,
        &mut rng,
        |_, _, _| {},
    )?;
    let (frequency, samples) = fit(&samples, SEED + 2);
    Ok(Outcome {
        process,
        band_ratio: band_ratio(&network, &noise, process, photos, counts.band_crops)?,
        sweep,
        frequency,
        samples,
    })
}

/// Per frequency band, how much of the loss training removed: the loss of the trained F against
/// that of F = 0 on the same held-out examples (random crops and times, as in training).
fn band_ratio(
    network: &Network,
    noise: &NoiseSpectrum,
    process: Process,
    photos: &[Field],
    crops: usize,
) -> Result<[f64; BANDS]> {
    let config = Config::book(process);
    let mut rng = seeded_rng(SEED + 4);
    let (mut trained, mut untrained) = ([0.0; BANDS], [0.0; BANDS]);
    let batch = BAND_BATCH.min(crops);
    for _ in 0..crops / batch {
        let example = examples(network, noise, &config, photos, batch, &mut rng)?;
        let output = network
            .unet
            .forward(&example.batch.input, &example.batch.log_snr)?;
        let residual = (&output - &example.target)?;
        for (sum, b) in trained.iter_mut().zip(band_losses(&residual)?) {
            *sum += b;
        }
        for (sum, b) in untrained.iter_mut().zip(band_losses(&example.target)?) {
            *sum += b;
        }
    }
    Ok(std::array::from_fn(|b| trained[b] / untrained[b]))
}

fn compute() -> Result<Analysis> {
    let budget = Budget::from_env()?;
    let counts = Counts {
        samples: budget.count(SAMPLES),
        band_crops: budget.count(BAND_CROPS),
    };
    let crops = held_out_crops(SIZE, budget.count(PER_PHOTO))?;
    let split = Split::book()?;
    let photos = greens(&bookkit::data::default_images_dir(), &split.held_out)?;
    let processes = Process::ALL
        .iter()
        .map(|&p| one(p, &crops, &photos, &counts))
        .collect::<Result<_>>()?;
    Ok(Analysis {
        processes,
        counts,
        crops: crops.len(),
        held_out: fit(&crops, SEED + 3).1,
    })
}
// ANCHOR_END: compare

/// The power law of a set of images' spectra.
fn fit(images: &[Field], seed: u64) -> (Vec<f64>, SetFit) {
    let curves: Vec<_> = images.iter().map(|f| rapsd(f).without_dc()).collect();
    let frequency = curves[0].frequency.clone();
    let powers: Vec<&[f64]> = curves.iter().map(|c| c.power.as_slice()).collect();
    let set = fit_set(&frequency, &powers, RESAMPLES, seed);
    (frequency, set)
}

fn gain_at(r: &Outcome, t: f64) -> f64 {
    r.sweep
        .iter()
        .find(|m| (m.t - t).abs() < 1e-9)
        .map_or(f64::NAN, AtTime::gain_db)
}

/// The value names of one process: gain at t = 0.3, the samples' exponent, and the loss ratio of
/// the lowest and highest bands.
fn names(process: Process) -> [&'static str; 4] {
    match process {
        Process::White => [
            "tp-white-gain-03",
            "tp-white-alpha",
            "tp-white-low",
            "tp-white-high",
        ],
        Process::Equal => [
            "tp-equal-gain-03",
            "tp-equal-alpha",
            "tp-equal-low",
            "tp-equal-high",
        ],
        Process::Flipped => [
            "tp-flipped-gain-03",
            "tp-flipped-alpha",
            "tp-flipped-low",
            "tp-flipped-high",
        ],
    }
}

/// The time of a network's largest gain over its Wiener filter, and that gain.
fn best(r: &Outcome) -> (f64, f64) {
    let m = r
        .sweep
        .iter()
        .max_by(|a, b| a.gain_db().total_cmp(&b.gain_db()))
        .expect("measured times");
    (m.t, m.gain_db())
}

fn values(a: &Analysis) -> Values {
    let mut out: Values = vec![
        ("tp-crops", a.crops.to_string()),
        ("tp-samples", a.counts.samples.to_string()),
        ("tp-band-crops", a.counts.band_crops.to_string()),
        ("tp-alpha-held-out", format!("{:.2}", a.held_out.law.alpha)),
    ];
    for r in &a.processes {
        let [gain3, alpha, low, high] = names(r.process);
        out.push((gain3, format!("{:.2}", gain_at(r, 0.3))));
        out.push((alpha, format!("{:.2}", r.samples.law.alpha)));
        out.push((low, format!("{:.2}", r.band_ratio[0])));
        out.push((high, format!("{:.2}", r.band_ratio[BANDS - 1])));
    }
    let [white, equal, flipped] = [0, 1, 2].map(|i| &a.processes[i]);
    let (white_t, white_gain) = best(white);
    let (equal_t, equal_gain) = best(equal);
    let flipped_largest = flipped
        .sweep
        .iter()
        .map(|m| m.gain_db().abs())
        .fold(0.0, f64::max);
    out.push(("tp-white-best-t", format!("{white_t:.2}")));
    out.push(("tp-white-gain-best", format!("{white_gain:.2}")));
    out.push(("tp-equal-best-t", format!("{equal_t:.2}")));
    out.push(("tp-equal-gain-best", format!("{equal_gain:.2}")));
    out.push(("tp-flipped-gain-largest", format!("{flipped_largest:.2}")));
    out
}

const COLORS: [RGBColor; 3] = [BLUE, ORANGE, PURPLE];

fn draw(a: &Analysis) -> Result<()> {
    let centre: Vec<f64> = (0..BANDS)
        .map(|b| {
            let lo = if b == 0 {
                1.0 / 64.0
            } else {
                BAND_EDGES[b - 1]
            };
            let hi = BAND_EDGES.get(b).copied().unwrap_or(0.5);
            (lo * hi).sqrt()
        })
        .collect();
    let mut bands = Chart::linear("frequency band (cycles/pixel)", "loss, trained / untrained")
        .scales(Scale::Log, Scale::Linear);
    let mut quality =
        Chart::linear("time step t", "gain over own Wiener filter (dB)").x_range(0.0, 1.0);
    let mut spectra = Chart::loglog()
        .labels("frequency (cycles/pixel)", "power")
        .with(
            Series::new(
                &a.processes[0].frequency,
                &a.held_out.mean,
                BLACK,
                Style::Line,
            )
            .label("held-out crops"),
        );
    for (r, color) in a.processes.iter().zip(COLORS) {
        let name = r.process.name();
        bands = bands.with(Series::new(&centre, &r.band_ratio, color, Style::LineDots).label(name));
        let t: Vec<f64> = r.sweep.iter().map(|m| m.t).collect();
        let g: Vec<f64> = r.sweep.iter().map(AtTime::gain_db).collect();
        quality = quality.with(Series::new(&t, &g, color, Style::LineDots).label(name));
        spectra = spectra.with(
            Series::new(&r.frequency, &r.samples.mean, color, Style::Dashed)
                .label(&format!("{name} samples")),
        );
    }
    let charts = [bands, quality, spectra];
    save_responsive("x14-three-processes.svg", |column| match column {
        // Two charts over one on the desktop, their frames lined up; one under another on a
        // phone.
        Column::Desktop => {
            let w = column.width();
            let mut rects = [
                Rect::new(0.0, 0.0, w / 2.0, 380.0),
                Rect::new(w / 2.0, 0.0, w / 2.0, 380.0),
                Rect::new(0.0, 392.0, w, 370.0),
            ];
            let mut charts = charts.to_vec();
            align_charts(&mut charts, &rects);
            // A legend below the axes takes a band off its chart's frame: the other chart of the
            // top row ends its frame (and its labels) as high, and leaves the band empty.
            let bottom = (0..2)
                .map(|i| charts[i].plot_area(rects[i]).bottom())
                .fold(f64::INFINITY, f64::min);
            for (c, r) in charts.iter().zip(&mut rects).take(2) {
                let below = c.insets.map_or(0.0, |i| i.bottom);
                if c.plot_area(*r).bottom() > bottom {
                    r.h = bottom + below - r.y;
                }
            }
            let mut fig = Figure::new(w, rects[2].bottom());
            for (c, r) in charts.iter().zip(&rects) {
                fig.chart(*r, c);
            }
            fig
        }
        Column::Phone => chart_stack(column, &charts, &[]),
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
}

//! X14 (beyond the post): is the low-to-high order necessary for a network to learn? The same
//! network, trained with the same budget under white noise, EqualSNR and FlippedSNR (top left:
//! how much each frequency band's training loss fell; top right: held-out error against each
//! process's own Wiener filter; bottom: the spectra of each network's samples).
//!
//! Chapter: "A trained denoiser".
//! Run: `cargo run -p x14-three-processes`.
//! Pieces: the shipped networks and logs from `trained::weights` and `trained::train`; `sweep`
//! from `trained::quality`; chains from `trained::sample`; `rapsd` from `spectral::spectrum`;
//! `fit_set` from `spectral::fit`; charts from `bookkit::plot`.

use anyhow::Result;
use bookkit::figure::save_svg;
use bookkit::plot::{BLACK, BLUE, Chart, Figure, ORANGE, PURPLE, RGBColor, Rect, Scale, Series, Style};
use bookkit::values::{Values, save_values};
use spectral::fit::{SetFit, fit_set};
use spectral::noise::seeded_rng;
use spectral::spectrum::rapsd;
use trained::config::Process;
use trained::data::{held_out_crops, models_dir};
use trained::quality::{AtTime, sweep};
use trained::sample::{Sampler, run};
use trained::train::{BAND_EDGES, BANDS, read_log};
use trained::weights::{Manifest, shipped};

const SIZE: usize = 64;
const PER_PHOTO: usize = 4;
const TIMES: [f64; 5] = [0.1, 0.3, 0.5, 0.7, 0.9];
const SAMPLES: usize = 8;
const STEPS: usize = 16;
const SEED: u64 = 24;
const RESAMPLES: usize = 2000;

/// What one process's network shows.
struct Outcome {
    process: Process,
    /// Per band: the training loss at the last logged step over that at the first.
    band_ratio: [f64; BANDS],
    sweep: Vec<AtTime>,
    frequency: Vec<f64>,
    samples: SetFit,
}

struct Analysis {
    processes: Vec<Outcome>,
    held_out: SetFit,
}

// ANCHOR: compare
fn one(process: Process, crops: &[spectral::Field], manifest: &Manifest) -> Result<Outcome> {
    let network = shipped(process)?;
    let noise = process.noise(&network.pre.model());
    let sweep = sweep(&network, &noise, crops, &TIMES, SEED, crops.len())?;
    let mut rng = seeded_rng(SEED + 1);
    let samples = run(&network, &noise, Sampler::Ancestral, SAMPLES, STEPS, &mut rng, |_, _, _| {})?;
    let (frequency, samples) = fit(&samples, SEED + 2);
    let run = &manifest.runs[&process];
    let log = read_log(&std::fs::read_to_string(models_dir().join(&run.log))?)?;
    let (first, last) = (&log[0], &log[log.len() - 1]);
    let mut band_ratio = [0.0; BANDS];
    for (b, r) in band_ratio.iter_mut().enumerate() {
        *r = last.bands[b] / first.bands[b];
    }
    Ok(Outcome {
        process,
        band_ratio,
        sweep,
        frequency,
        samples,
    })
}

fn compute() -> Result<Analysis> {
    let crops = held_out_crops(SIZE, PER_PHOTO)?;
    let manifest = Manifest::read(&models_dir())?;
    let processes = Process::ALL
        .iter()
        .map(|&p| one(p, &crops, &manifest))
        .collect::<Result<_>>()?;
    Ok(Analysis {
        processes,
        held_out: fit(&crops, SEED + 3).1,
    })
}
// ANCHOR_END: compare

/// The power law of a set of images' spectra.
fn fit(images: &[spectral::Field], seed: u64) -> (Vec<f64>, SetFit) {
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

fn values(a: &Analysis) -> Values {
    let mut out: Values = vec![
        ("tp-crops", a.processes[0].sweep.len().to_string()),
        ("tp-samples", SAMPLES.to_string()),
        ("tp-alpha-held-out", format!("{:.2}", a.held_out.law.alpha)),
    ];
    for r in &a.processes {
        let (gain3, alpha, low, high) = match r.process {
            Process::White => ("tp-white-gain-03", "tp-white-alpha", "tp-white-low", "tp-white-high"),
            Process::Equal => ("tp-equal-gain-03", "tp-equal-alpha", "tp-equal-low", "tp-equal-high"),
            Process::Flipped => ("tp-flipped-gain-03", "tp-flipped-alpha", "tp-flipped-low", "tp-flipped-high"),
        };
        out.push((gain3, format!("{:.2}", gain_at(r, 0.3))));
        out.push((alpha, format!("{:.2}", r.samples.law.alpha)));
        out.push((low, format!("{:.2}", r.band_ratio[0])));
        out.push((high, format!("{:.2}", r.band_ratio[BANDS - 1])));
    }
    out
}

const COLORS: [RGBColor; 3] = [BLUE, ORANGE, PURPLE];

fn draw(a: &Analysis) -> Result<()> {
    let centre: Vec<f64> = (0..BANDS)
        .map(|b| {
            let lo = if b == 0 { 1.0 / 64.0 } else { BAND_EDGES[b - 1] };
            let hi = BAND_EDGES.get(b).copied().unwrap_or(0.5);
            (lo * hi).sqrt()
        })
        .collect();
    let mut bands = Chart::loglog().labels("frequency band (cycles/pixel)", "last loss / first loss");
    let mut quality = Chart::linear("time step t", "gain over the process's Wiener filter (dB)")
        .x_range(0.0, 1.0);
    let mut spectra = Chart::loglog()
        .labels("frequency (cycles/pixel)", "power")
        .with(
            Series::new(&a.processes[0].frequency, &a.held_out.mean, BLACK, Style::Line)
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
    let _ = Scale::Log;
    let mut fig = Figure::new(720.0, 760.0);
    fig.chart(Rect::new(0.0, 0.0, 355.0, 380.0), &bands);
    fig.chart(Rect::new(360.0, 0.0, 360.0, 380.0), &quality);
    fig.chart(Rect::new(0.0, 385.0, 720.0, 375.0), &spectra);
    save_svg(&fig.svg(), "x14-three-processes.svg")?;
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

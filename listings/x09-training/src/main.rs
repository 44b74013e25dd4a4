//! X9 (beyond the post): training the denoiser. Left: the training loss and the loss on held-out
//! photos, step by step, for the three forward processes. Right: the white-noise network's loss
//! split by frequency band, as it falls during training.
//!
//! Chapter: "A trained denoiser".
//! Run: `cargo run -p x09-training`.
//! Pieces: the shipped training logs and manifest from `trained::weights` and `trained::train`
//! (written by `cargo xtask train`; nothing here trains); charts from `bookkit::plot`.

use anyhow::{Context, Result};
use bookkit::figure::save_svg;
use bookkit::plot::{BLUE, Chart, Figure, ORANGE, PURPLE, RGBColor, Rect, Scale, Series, Style};
use bookkit::values::{Values, save_values};
use trained::config::Process;
use trained::data::models_dir;
use trained::train::{BAND_EDGES, BANDS, LogRow, read_log};
use trained::weights::{Manifest, Run};

/// One trained process: what the manifest says and its log.
struct Trained {
    process: Process,
    run: Run,
    log: Vec<LogRow>,
    /// Size of its weights file, bytes.
    bytes: u64,
}

struct Analysis {
    runs: Vec<Trained>,
}

// ANCHOR: read
fn compute() -> Result<Analysis> {
    let dir = models_dir();
    let manifest = Manifest::read(&dir)?;
    let runs = Process::ALL
        .iter()
        .map(|&process| {
            let run = manifest
                .runs
                .get(&process)
                .with_context(|| format!("no {process} network in the manifest"))?
                .clone();
            let log = read_log(&std::fs::read_to_string(dir.join(&run.log))?)
                .with_context(|| format!("{}", run.log))?;
            let bytes = std::fs::metadata(dir.join(&run.weights))?.len();
            Ok(Trained {
                process,
                run,
                log,
                bytes,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Analysis { runs })
}
// ANCHOR_END: read

fn values(a: &Analysis) -> Values {
    let white = &a.runs[0];
    let c = &white.run.config;
    let minutes = |r: &Trained| r.run.seconds / 60.0;
    let longest = a.runs.iter().map(minutes).fold(0.0, f64::max);
    let megabytes = a.runs.iter().map(|r| r.bytes).sum::<u64>() as f64 / 1e6;
    let half = a.runs.iter().map(|r| r.run.half_precision_db).fold(0.0, f64::max);
    let first = &white.log[0];
    let last = white.log.last().expect("a log has rows");
    vec![
        ("train-steps", c.steps.to_string()),
        ("train-batch", c.batch.to_string()),
        ("train-crop", c.crop.to_string()),
        ("train-photos", white.run.training_photos.len().to_string()),
        ("train-parameters", format!("{:.2}", white.run.parameters as f64 / 1e6)),
        ("train-minutes-white", format!("{:.1}", minutes(white))),
        ("train-minutes-longest", format!("{longest:.1}")),
        ("train-steps-per-second", format!("{:.2}", white.run.steps_per_second)),
        (
            "train-crops-per-second",
            format!("{:.1}", white.run.steps_per_second * c.batch as f64),
        ),
        ("train-weights-mb", format!("{megabytes:.1}")),
        ("train-half-precision-db", format!("{half:.3}")),
        ("train-held-out-first", format!("{:.3}", first.held_out)),
        ("train-held-out-last", format!("{:.3}", last.held_out)),
        ("train-loss-last", format!("{:.3}", last.loss)),
    ]
}

const COLORS: [RGBColor; 3] = [BLUE, ORANGE, PURPLE];

fn draw(a: &Analysis) -> Result<()> {
    let mut losses = Chart::linear("training step", "loss (Wiener filter ≈ 1)")
        .scales(Scale::Linear, Scale::Linear);
    for (r, color) in a.runs.iter().zip(COLORS) {
        let steps: Vec<f64> = r.log.iter().map(|l| l.step as f64).collect();
        let train: Vec<f64> = r.log.iter().map(|l| l.loss).collect();
        let held: Vec<f64> = r.log.iter().map(|l| l.held_out).collect();
        losses = losses
            .with(Series::new(&steps, &train, color, Style::Dashed).label(&format!(
                "{}: training crops",
                r.process
            )))
            .with(Series::new(&steps, &held, color, Style::Line).label(&format!(
                "{}: held-out crops",
                r.process
            )));
    }
    let white = &a.runs[0];
    let steps: Vec<f64> = white.log.iter().map(|l| l.step as f64).collect();
    let mut bands = Chart::linear("training step", "loss in the band")
        .scales(Scale::Linear, Scale::Log);
    let shades = bookkit::colormap::VIRIDIS;
    for b in 0..BANDS {
        let y: Vec<f64> = white.log.iter().map(|l| l.bands[b]).collect();
        let (lo, hi) = band_range(b);
        let [r, g, bl] = shades.at(b as f64 / (BANDS - 1) as f64 * 0.85).0;
        let color = RGBColor(r, g, bl);
        bands = bands.with(Series::new(&steps, &y, color, Style::Line).label(&format!(
            "{lo}–{hi} cycles/pixel"
        )));
    }
    let mut fig = Figure::new(720.0, 420.0);
    fig.chart(Rect::new(0.0, 0.0, 355.0, 420.0), &losses);
    fig.chart(Rect::new(360.0, 0.0, 360.0, 420.0), &bands);
    save_svg(&fig.svg(), "x09-training.svg")?;
    Ok(())
}

/// The band's edges as text.
fn band_range(b: usize) -> (String, String) {
    let edge = |i: usize| match i {
        0 => "0".to_string(),
        i if i > BAND_EDGES.len() => "0.71".to_string(),
        i => format!("1/{}", (1.0 / BAND_EDGES[i - 1]).round()),
    };
    (edge(b), edge(b + 1))
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
    fn every_network_trained_within_the_budget_and_fits_in_eight_megabytes() {
        for r in &analysis().runs {
            assert!(r.run.seconds <= 20.0 * 60.0, "{}: {} s", r.process, r.run.seconds);
        }
        let total: u64 = analysis().runs.iter().map(|r| r.bytes).sum();
        assert!(total <= 8_000_000, "{total} bytes");
    }

    #[test]
    fn the_logs_cover_the_whole_run() {
        for r in &analysis().runs {
            let last = r.log.last().unwrap();
            assert_eq!(last.step, r.run.config.steps);
            // The manifest's final losses are the log's last row.
            assert_eq!(last.loss, r.run.final_loss);
            assert_eq!(last.held_out, r.run.final_held_out_loss);
            for row in &r.log {
                assert!(row.bands.iter().all(|b| *b >= 0.0));
            }
        }
    }
}

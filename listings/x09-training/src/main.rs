//! X9 (beyond the post): training the denoiser: the training loss and the loss on held-out
//! photos, step by step, for the three forward processes.
//!
//! Chapter: "A trained denoiser".
//! Run: `cargo run -p x09-training`.
//! Pieces: the shipped training logs and manifest from `trained::weights` and `trained::train`
//! (written by `cargo xtask train`; nothing here trains); charts from `bookkit::plot`, laid out
//! for the desktop column and a phone by `bookkit::figure`.

use anyhow::{Context, Result};
use bookkit::figure::{Column, save_responsive};
use bookkit::plot::{BLUE, Chart, Figure, ORANGE, PURPLE, RGBColor, Rect, Series, Style};
use bookkit::values::{Values, save_values};
use trained::config::Process;
use trained::data::models_dir;
use trained::train::{LogRow, read_log};
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
            let path = dir.join(&run.log);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            let log = read_log(&text).with_context(|| format!("{}", path.display()))?;
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
    let megabytes = a.runs.iter().map(|r| r.bytes).sum::<u64>() as f64 / 1e6;
    let half = a
        .runs
        .iter()
        .map(|r| r.run.half_precision_db)
        .fold(0.0, f64::max);
    let first = &white.log[0];
    let last = white.log.last().expect("a log has rows");
    vec![
        ("train-steps", c.steps.to_string()),
        ("train-batch", c.batch.to_string()),
        ("train-crop", c.crop.to_string()),
        ("train-photos", white.run.training_photos.len().to_string()),
        (
            "train-parameters",
            format!("{:.2} million", white.run.parameters as f64 / 1e6),
        ),
        ("train-minutes-white", format!("{:.1}", minutes(white))),
        ("train-minutes-equal", format!("{:.1}", minutes(&a.runs[1]))),
        (
            "train-minutes-flipped",
            format!("{:.1}", minutes(&a.runs[2])),
        ),
        (
            "train-steps-per-second",
            format!("{:.2}", white.run.steps_per_second),
        ),
        (
            "train-crops-per-second",
            format!("{:.1}", white.run.steps_per_second * c.batch as f64),
        ),
        ("train-weights-mb", format!("{megabytes:.1}")),
        ("train-half-precision-db", format!("{half:.4}")),
        ("train-held-out-first", format!("{:.3}", first.held_out)),
        ("train-held-out-last", format!("{:.3}", last.held_out)),
        ("train-loss-last", format!("{:.3}", last.loss)),
    ]
}

const COLORS: [RGBColor; 3] = [BLUE, ORANGE, PURPLE];

fn draw(a: &Analysis) -> Result<()> {
    // The loss is that of F against its unit-variance target: 1 is what the Wiener filter alone
    // would score if the photos were Gaussian (the caption says so: the axis has no room). The
    // legend goes where it hides the least data: under the axes, the training crops' row above
    // the held-out crops'.
    let mut losses = Chart::linear("training step", "loss of F");
    for (held_out, style, crops) in [
        (false, Style::Dashed, "training crops"),
        (true, Style::Line, "held-out crops"),
    ] {
        for (r, color) in a.runs.iter().zip(COLORS) {
            let steps: Vec<f64> = r.log.iter().map(|l| l.step as f64).collect();
            let loss: Vec<f64> = r
                .log
                .iter()
                .map(|l| if held_out { l.held_out } else { l.loss })
                .collect();
            losses = losses.with(
                Series::new(&steps, &loss, color, style).label(&format!("{}: {crops}", r.process)),
            );
        }
    }
    save_responsive("x09-training.svg", |column| {
        // Taller on a phone than a lone chart, whose legend there takes a line per entry.
        let (w, h) = match column {
            Column::Desktop => (column.width(), 400.0),
            Column::Phone => (column.width(), 420.0),
        };
        let mut fig = Figure::new(w, h);
        fig.chart(Rect::new(0.0, 0.0, w, h), &losses);
        fig
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
    fn every_network_trained_within_the_budget_and_fits_in_eight_megabytes() {
        for r in &analysis().runs {
            assert!(
                r.run.seconds <= 20.0 * 60.0,
                "{}: {} s",
                r.process,
                r.run.seconds
            );
        }
        let total: u64 = analysis().runs.iter().map(|r| r.bytes).sum();
        assert!(total <= 8_000_000, "{total} bytes");
    }

    #[test]
    fn the_logs_cover_the_whole_run() {
        for r in &analysis().runs {
            let last = r.log.last().unwrap();
            assert_eq!(last.step, r.run.config.steps);
            // The manifest's final losses are the log's last row (to the seven significant
            // digits the white-noise run's log was written with).
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs();
            assert!(close(last.loss, r.run.final_loss), "{}", r.process);
            assert!(
                close(last.held_out, r.run.final_held_out_loss),
                "{}",
                r.process
            );
            for row in &r.log {
                assert!(row.bands.iter().all(|b| *b >= 0.0));
            }
        }
    }
}

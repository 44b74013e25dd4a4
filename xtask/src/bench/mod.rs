//! `cargo xtask bench`: the book's Rust pipeline against the post's Python pipeline, side by side.
//!
//! One run, on one set of files, on one machine:
//! 1. installs the Python side on first use (`target/bench-venv`, from `bench/requirements.txt`)
//!    and builds the Rust side in release (`spectra` and `bench-tool`);
//! 2. makes the benchmark set in a temporary folder: JPEG files of mixed sizes and qualities made
//!    deterministically from the embedded photos (`bench-tool make-set`);
//! 3. runs every pipeline once untimed (warming the file cache and Python's bytecode cache) and
//!    checks that the three full pipelines agree on α̂ to 1e-3 before any time is shown;
//! 4. runs them again, alternating, `--reps` times, and reports the median and the range of
//!    images per second and of the ratios, each ratio taken within one round;
//! 5. times the full figure regeneration with a warm build (`cargo xtask book` when the pinned
//!    mdBook tools are installed, `cargo xtask figures` otherwise);
//! 6. times the trained denoiser (training crops per second, a 320 × 320 denoise, and a training
//!    step's arithmetic rate against candle's large matrix product: [`training`]);
//! 7. prints the report and writes it to `target/bench/report.md` (raw numbers in `results.json`).
//!
//! The pipelines (all: decode, resize short side to 320, centre-crop, green channel, FFT, RAPSD,
//! log-domain mean over images, power-law fit):
//! - `rust`: `spectra fit --bootstrap 2 DIR` (all cores; the least bootstrap it allows, since the
//!   Python pipelines fit no interval), timed from outside, start-up included;
//! - `pysteps`: `bench/pipeline_pysteps.py`, as the post computed it, one process;
//! - `numpy`: `bench/pipeline_numpy.py`, a tuned NumPy version, one process;
//! - `decode`: `bench-tool decode DIR`, the Rust pipeline without its spectral work (all cores):
//!   the practical limit;
//!
//! and, as extra rows outside the targets: the tuned NumPy version on all cores
//! (`multiprocessing.Pool`), and JPEG decoding alone (`bench-tool jpeg DIR`, all cores: the part
//! of every pipeline no resizing or spectral code can speed up), also with Pillow's decoder
//! (`bench/decode_pillow.py`, one process) to compare the two decoders. Python pipelines
//! time themselves from the file listing to the fit: interpreter start-up and imports (about 2 s for
//! pysteps) are left out, in Python's favour.
//!
//! Targets and whether the run meets them are printed on the terminal only ([`targets`]); the
//! report itself is a page of the book and states measurements.

mod live;
mod machine;
mod measure;
mod options;
mod pipeline;
mod regeneration;
mod report;
mod stats;
mod targets;
mod training;

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Serialize;

pub use options::Options;

use crate::process::{checked, first_line, step, target_dir};
use crate::root;
use machine::Machine;
use measure::{Run, check_alphas, run_once};
use pipeline::{Pipeline, Tools};
use regeneration::FigureTiming;
use stats::Summary;

/// Where `--record` keeps the latest report, included by `src/performance.md`.
const RECORDED: &str = "bench/report.md";

/// `cargo xtask bench [OPTIONS]`: see the module documentation.
pub fn run(options: Options) -> Result<()> {
    let load_before = machine::load_average();
    let tools = Tools::prepare()?;
    let set = tempfile::Builder::new()
        .prefix("spectra-bench-")
        .tempdir()?;
    let set_line = make_set(&tools, set.path(), options.images)?;
    let warm = warm_up(&tools, set.path(), options.images)?;
    let runs = timed_rounds(&tools, set.path(), options.reps, &warm)?;
    drop(set);

    let figures = options.figures.then(regeneration::time_figures);
    // The figure timing built the book, widgets included.
    let live = options
        .figures
        .then(|| live::time_live().map_err(|e| format!("{e:#}")));
    let training = training::time_training().map_err(|e| format!("{e:#}"));
    let machine = Machine {
        cpu: machine::cpu_model(),
        cores: tools.cores,
        os: machine::os_name(),
        load_before,
        load_after: machine::load_average(),
        rustc: first_line(Command::new("rustc").arg("--version")),
        python: first_line(Command::new(&tools.python).arg("--version")),
    };
    let report = report::report(&report::Inputs {
        machine: &machine,
        set_line: &set_line,
        options: &options,
        warm: &warm,
        runs: &runs,
        figures: &figures,
        live: &live,
        training: &training,
    });
    println!("{report}");
    let sum = Summary {
        runs: &runs,
        reps: options.reps,
    };
    println!("{}", targets::verdicts(&sum, &figures));
    write_outputs(
        &report,
        &machine,
        &set_line,
        &runs,
        &figures,
        options.record,
    )
}

/// Makes the JPEG set in `dir`; returns `bench-tool`'s one-line description of it.
fn make_set(tools: &Tools, dir: &Path, images: usize) -> Result<String> {
    step(&format!(
        "making the benchmark set: {images} JPEG files from data/images"
    ));
    let made = checked(
        Command::new(&tools.bench_tool)
            .arg("make-set")
            .arg(dir)
            .arg(images.to_string()),
    )?;
    let set_line = String::from_utf8_lossy(&made.stdout).trim().to_string();
    eprintln!("    {set_line}");
    Ok(set_line)
}

/// One untimed round (warming the file cache and Python's bytecode cache), and the α̂ check.
fn warm_up(tools: &Tools, dir: &Path, images: usize) -> Result<Vec<Run>> {
    step("warm-up round (untimed) and the α̂ check");
    let mut warm = Vec::new();
    for p in Pipeline::ALL {
        let r = run_once(p, tools, dir, 0)?;
        let alpha = r.alpha.map_or("(no fit)".into(), |a| format!("{a:.6}"));
        eprintln!("    {:<58} α̂ = {alpha}", p.label(tools.cores));
        warm.push(r);
    }
    check_alphas(&warm, images)?;
    Ok(warm)
}

/// `reps` rounds, each running every pipeline once in turn, so that a slow moment on the machine
/// hits all pipelines of a round alike; every run must repeat its warm-up α̂ exactly.
fn timed_rounds(tools: &Tools, dir: &Path, reps: usize, warm: &[Run]) -> Result<Vec<Run>> {
    step(&format!("{reps} timed rounds, pipelines alternating"));
    let mut runs = Vec::new();
    for round in 1..=reps {
        for p in Pipeline::ALL {
            let r = run_once(p, tools, dir, round)?;
            let reference = measure::alpha_of(warm, p);
            if r.alpha != reference {
                bail!(
                    "{p:?} gave α̂ = {:?} in round {round}, {reference:?} before",
                    r.alpha
                );
            }
            eprintln!(
                "    round {round}  {:<58} {:>7.1} images/s",
                p.label(tools.cores),
                r.images as f64 / r.seconds
            );
            runs.push(r);
        }
    }
    Ok(runs)
}

/// Everything measured, for results.json.
#[derive(Serialize)]
struct Results<'a> {
    machine: &'a Machine,
    set: &'a str,
    runs: &'a [Run],
    figures: &'a Option<FigureTiming>,
}

/// `target/bench/report.md` and `results.json`, and with `record` the book's `bench/report.md`.
fn write_outputs(
    report: &str,
    machine: &Machine,
    set_line: &str,
    runs: &[Run],
    figures: &Option<FigureTiming>,
    record: bool,
) -> Result<()> {
    let out = target_dir().join("bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("report.md"), report)?;
    let results = Results {
        machine,
        set: set_line,
        runs,
        figures,
    };
    std::fs::write(
        out.join("results.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    eprintln!("written to {}", out.join("report.md").display());
    if record {
        let recorded = root().join(RECORDED);
        let text = report::recorded_report(report, &machine::today());
        std::fs::write(&recorded, text)
            .with_context(|| format!("{}: cannot write", recorded.display()))?;
        eprintln!("recorded for the book in {}", recorded.display());
    }
    Ok(())
}

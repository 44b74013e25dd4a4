//! `train PROCESS [--smoke] [--out DIR]`: trains the book's network for one forward process
//! (white, equal or flipped) and writes its weights, its training log and its manifest entry to
//! `data/models` (or DIR). Run it as `cargo xtask train PROCESS`, which builds it optimised.
//!
//! `--smoke` trains the tiny configuration for a few dozen steps (seconds), to try the command.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use bookkit::figure::write_atomic;
use indicatif::{ProgressBar, ProgressStyle};
use trained::config::{Config, Process};
use trained::data::{Split, greens, models_dir, tile_model};
use trained::train::{Data, Trained, train};
use trained::weights::{Manifest, Run, encode, log_file, photo_hashes, sha256, weights_file};

struct Args {
    process: Process,
    smoke: bool,
    out: PathBuf,
    /// Fewer (or more) steps than the configuration's, for a trial run (the manifest records it,
    /// so weights trained this way are reported stale).
    steps: Option<usize>,
}

fn args() -> Result<Args> {
    let mut process = None;
    let (mut smoke, mut out, mut steps) = (false, models_dir(), None);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--smoke" => smoke = true,
            "--out" => out = PathBuf::from(it.next().context("--out needs a folder")?),
            "--steps" => steps = Some(it.next().context("--steps needs a number")?.parse()?),
            p if process.is_none() && !p.starts_with('-') => process = Some(p.parse()?),
            other => bail!(
                "unexpected argument {other:?}\nusage: train white|equal|flipped [--smoke] [--out DIR]"
            ),
        }
    }
    Ok(Args {
        process: process
            .context("usage: train white|equal|flipped [--smoke] [--steps N] [--out DIR]")?,
        smoke,
        out,
        steps,
    })
}

fn main() -> Result<()> {
    let args = args()?;
    let mut config = if args.smoke {
        Config::smoke(args.process)
    } else {
        Config::book(args.process)
    };
    if let Some(steps) = args.steps {
        config.steps = steps;
    }
    let images = bookkit::data::default_images_dir();
    let split = Split::book()?;
    let training = greens(&images, &split.training)?;
    let held_out = greens(&images, &split.held_out)?;
    let model = tile_model(&training, config.crop)?;
    eprintln!(
        "training the {} network: {} steps of {} crops of {} × {} from {} photos ({} held out)",
        config.process,
        config.steps,
        config.batch,
        config.crop,
        config.crop,
        training.len(),
        held_out.len()
    );
    let bar = ProgressBar::new(config.steps as u64).with_style(ProgressStyle::with_template(
        "{elapsed_precise} [{bar:40}] {pos}/{len} steps, {per_sec}, ETA {eta} {msg}",
    )?);
    let started = Instant::now();
    let trained = train(
        &config,
        &Data {
            training: &training,
            held_out: &held_out,
            model: &model,
        },
        |_, loss| {
            bar.inc(1);
            bar.set_message(format!("loss {loss:.4}"));
        },
    )?;
    bar.finish();
    let seconds = started.elapsed().as_secs_f64();
    let weights = encode(&trained.weights, &model)?;
    let half_precision_db = report(&config, &trained, &weights, &model, &held_out)?;
    save(
        &args,
        &config,
        &split,
        &trained,
        &weights,
        seconds,
        half_precision_db,
    )
}

/// The shipped (half-precision) weights against the Wiener filter on the held-out tiles.
/// The shipped (half-precision) weights against the Wiener filter on the held-out tiles, and
/// against the single-precision weights they were rounded from: returns the largest change of
/// the held-out error that the rounding makes, in decibels.
fn report(
    config: &Config,
    trained: &Trained,
    weights: &[u8],
    model: &spectral::gaussian_model::GaussianModel,
    held_out: &[spectral::Field],
) -> Result<f64> {
    let half = trained::weights::load(weights, config)?;
    let single = trained::Network {
        unet: trained::unet::UNet::new(
            &mut trained::params::Params::from_tensors(trained.weights.clone()),
            &config.architecture,
        )?,
        pre: trained::precondition::Preconditioner::new(model, &config.process.noise(model)),
    };
    let crops: Vec<spectral::Field> = held_out
        .iter()
        .flat_map(|p| spectral::gaussian_model::tiles(p, config.crop))
        .collect();
    let noise = config.process.noise(model);
    let times: Vec<f64> = (1..10).map(|i| i as f64 / 10.0).collect();
    let sweep = |n: &trained::Network| trained::quality::sweep(n, &noise, &crops, &times, 99, 16);
    let (h, s) = (sweep(&half)?, sweep(&single)?);
    let mut worst: f64 = 0.0;
    for (e, f) in h.iter().zip(&s) {
        worst = worst.max((10.0 * (e.network / f.network).log10()).abs());
        eprintln!(
            "t = {:.1}: network {:.5}, Wiener {:.5}, noisy {:.5}: {:+.2} dB over Wiener, Gaussian share {:.3}",
            e.t,
            e.network,
            e.wiener,
            e.noisy,
            e.gain_db(),
            e.gaussian_share
        );
    }
    eprintln!("half precision changes the held-out error by at most {worst:.4} dB");
    Ok(worst)
}

/// Writes the weights, the log and the manifest entry, each atomically.
fn save(
    args: &Args,
    config: &Config,
    split: &Split,
    trained: &Trained,
    weights: &[u8],
    seconds: f64,
    half_precision_db: f64,
) -> Result<()> {
    let log = trained::train::log_csv(&trained.log);
    let (wf, lf) = (weights_file(config.process), log_file(config.process));
    write_atomic(&args.out.join(&wf), weights)?;
    write_atomic(&args.out.join(&lf), log.as_bytes())?;
    let last = trained.log.last().context("an empty training log")?;
    let run = Run {
        weights: wf,
        weights_sha256: sha256(weights),
        log: lf,
        log_sha256: sha256(log.as_bytes()),
        parameters: trained.parameters,
        final_loss: last.loss,
        final_held_out_loss: last.held_out,
        seconds,
        steps_per_second: config.steps as f64 / seconds,
        toolchain: toolchain(),
        machine: machine(),
        training_photos: photo_hashes(&bookkit::data::default_images_dir(), &split.training)?,
        probe: trained::weights::probe(&trained::weights::load(weights, config)?)?,
        half_precision_db,
        config: config.clone(),
    };
    let mut manifest = Manifest::read(&args.out).unwrap_or_default();
    manifest.runs.insert(config.process, run);
    write_atomic(
        &args.out.join("manifest.toml"),
        manifest.to_toml()?.as_bytes(),
    )?;
    eprintln!(
        "{} steps in {seconds:.0} s ({:.2} steps/s), {} parameters, final loss {:.4}, held out {:.4}\nwrote {}",
        config.steps,
        config.steps as f64 / seconds,
        trained.parameters,
        last.loss,
        last.held_out,
        args.out.display()
    );
    Ok(())
}

/// The compiler and library versions the weights were trained with.
fn toolchain() -> String {
    let rustc = std::process::Command::new(std::env::var("RUSTC").unwrap_or("rustc".into()))
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "rustc (unknown)".into());
    format!("{rustc}; candle 0.11.1; gemm 0.19.0")
}

/// The processor and the number of threads the run used.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown processor".into());
    format!("{cpu}, {} threads", rayon::current_num_threads())
}

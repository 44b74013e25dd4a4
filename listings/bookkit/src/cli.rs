//! The `spectra` command-line tool: the book's image measurements applied to a reader's own photos.
//!
//! The binary (`src/bin/spectra.rs`) only parses arguments and prints; everything it computes is
//! here, so tests and other programs can call it. Every command returns its whole output as a
//! string, built only after all work succeeded: a failure never leaves half a table on stdout.
//!
//! The measurements are exactly the book's: photos prepared by [`crate::data`] (resize and
//! centre-crop to 320 × 320, pixels in [−1, 1]), one channel, the RAPSD of
//! [`spectral::spectrum::rapsd`], the log-domain mean over photos, and the fits and schedules of
//! [`spectral::fit`] and [`spectral::schedule`].

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use serde::Serialize;
use spectral::fit::{bootstrap_alpha, fit_power_law, log_mean};
use spectral::noise::seeded_rng;
use spectral::schedule::{Edm, RectifiedFlow, Schedule, VpCosine, f_max, time_grid};
use spectral::spectrum::{Rapsd, rapsd};

use crate::data::{BOOK_SIZE, Channel, Preprocess, image_files, load_photo};

/// Largest `--size` accepted: a 8192 × 8192 field already takes 1 GiB as a complex spectrum.
pub const MAX_SIZE: u32 = 8192;

/// Spectra of your own images, measured the way the book measures its photos.
#[derive(Debug, Parser)]
#[command(name = "spectra", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Help texts are wrapped by hand: clap wraps only with its `wrap_help` feature.
const ABOUT: &str = "Spectra of your own images, measured the way the book measures its photos";
const LONG_ABOUT: &str = "\
Spectra of your own images, measured the way the book measures its photos.

Every command takes image files (JPEG, PNG) and folders (searched recursively,
files sorted by path), prepares each photo as the book does (resize so the short
side is 320 px, centre-crop to 320 x 320, pixels scaled to [-1, 1]), takes one
channel (green by default) and measures its radially averaged power spectral
density (RAPSD). Several photos are averaged in the log domain.

Results go to stdout; errors go to stderr as one line, `spectra: <file>: <problem>`,
with exit code 1 (2 for a wrong command line).";

const RAPSD_ABOUT: &str = "\
Print the RAPSD as CSV with the header `frequency,power`: one row per integer
radius r = 0, 1, ... (DC included), at frequency r / L cycles per pixel, L the
longer image side (160 rows for 320 x 320). With several photos the power is
their log-domain (geometric) mean, point by point.";

const FIT_ABOUT: &str = "\
Fit a power law P(f) = C f^(-alpha) to the log-mean RAPSD, as the book does: DC
dropped, the curve resampled to log-uniform frequencies, least squares in
log-log space. The 95% interval for alpha is a percentile bootstrap over the
photos (resampled with replacement); with one photo it collapses to alpha.

Prints the lines alpha=, C=, alpha_low=, alpha_high= and images=, or one JSON
object with --json.";

const FMAX_ABOUT: &str = "\
Print, as CSV with the header `t,f_max`, the highest frequency still detectable
at diffusion time t: the highest frequency of the log-mean RAPSD whose power
exceeds tau * sigma(t)^2 / alpha(t)^2, the noise level of the chosen schedule
relative to its signal. One row for each of the steps + 1 times 0, 1/steps,
..., 1; f_max is 0 where nothing is detectable.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the (log-mean) RAPSD as CSV: frequency,power, one row per radius from 0 (DC)
    #[command(long_about = RAPSD_ABOUT)]
    Rapsd(Input),
    /// Fit a power law P(f) = C f^(-alpha) to the log-mean RAPSD, with a bootstrap interval
    #[command(long_about = FIT_ABOUT)]
    Fit(FitArgs),
    /// Print f_max(t), the highest frequency still above the noise, as CSV: t,f_max
    #[command(long_about = FMAX_ABOUT)]
    Fmax(FmaxArgs),
}

/// Which photos to measure and how to prepare them (shared by every command).
#[derive(Clone, Debug, Args)]
pub struct Input {
    /// Image files (JPEG, PNG) and folders, searched recursively
    #[arg(value_name = "IMAGE|DIR", required = true)]
    pub paths: Vec<PathBuf>,
    /// Colour channel to measure
    #[arg(long, value_enum, default_value_t = Channel::Green)]
    pub channel: Channel,
    /// Side of the square the photos are resized and centre-cropped to [default: 320]
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_SIZE)))]
    pub size: Option<u32>,
    /// Use the pixels as they are: no resize, no crop (all photos must then have one shape)
    #[arg(long, conflicts_with = "size")]
    pub no_resize: bool,
}

impl Input {
    /// The preparation the options ask for.
    pub fn preprocess(&self) -> Preprocess {
        if self.no_resize {
            Preprocess::AsIs
        } else {
            Preprocess::SquareCrop(self.size.unwrap_or(BOOK_SIZE))
        }
    }
}

#[derive(Clone, Debug, Args)]
pub struct FitArgs {
    #[command(flatten)]
    pub input: Input,
    /// Number of bootstrap resamples for the 95% interval (2000, as in the book)
    #[arg(long, value_name = "B", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub bootstrap: u64,
    /// Seed of the bootstrap's random number generator
    #[arg(long, value_name = "S", default_value_t = 5)]
    pub seed: u64,
    /// Print one JSON object instead of key=value lines
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Debug, Args)]
pub struct FmaxArgs {
    #[command(flatten)]
    pub input: Input,
    /// Diffusion schedule giving the signal scale alpha(t) and noise scale sigma(t)
    #[arg(long, value_enum, default_value_t = ScheduleName::RectifiedFlow)]
    pub schedule: ScheduleName,
    /// Signal-to-noise threshold tau: a frequency is detectable while its power exceeds
    /// tau * sigma(t)^2 / alpha(t)^2
    #[arg(long, value_name = "T", default_value_t = 1.0, value_parser = parse_tau,
          allow_negative_numbers = true)]
    pub tau: f64,
    /// Number of time steps: rows at t = 0, 1/N, ..., 1
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub steps: u64,
}

/// The schedules of [`spectral::schedule`], by their command-line names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScheduleName {
    /// sigma(t) = t, alpha(t) = 1 - t (flow matching, Stable Diffusion 3)
    RectifiedFlow,
    /// Variance-preserving cosine schedule (Nichol & Dhariwal, 2021)
    VpCosine,
    /// EDM noise levels, sigma from 0.002 to 80, alpha = 1 (Karras et al., 2022)
    Edm,
}

impl ScheduleName {
    pub fn schedule(self) -> Box<dyn Schedule> {
        match self {
            ScheduleName::RectifiedFlow => Box::new(RectifiedFlow),
            ScheduleName::VpCosine => Box::new(VpCosine::default()),
            ScheduleName::Edm => Box::new(Edm::default()),
        }
    }
}

fn parse_tau(s: &str) -> std::result::Result<f64, String> {
    let tau: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if tau.is_finite() && tau >= 0.0 {
        Ok(tau)
    } else {
        Err(format!(
            "the threshold must be a finite number ≥ 0, not {s}"
        ))
    }
}

/// Runs one command and returns everything it prints on stdout.
pub fn run(cli: &Cli) -> Result<String> {
    match &cli.command {
        Command::Rapsd(input) => Ok(rapsd_csv(&measure(input)?)),
        Command::Fit(args) => {
            let report = fit(&measure(&args.input)?, args.bootstrap as usize, args.seed)?;
            Ok(if args.json {
                report.to_json()
            } else {
                report.to_lines()
            })
        }
        Command::Fmax(args) => {
            let spectra = measure(&args.input)?;
            Ok(fmax_csv(
                &spectra,
                args.schedule.schedule().as_ref(),
                args.tau,
                args.steps as usize,
            ))
        }
    }
}

/// The RAPSD of every photo, in file order, all of one shape.
#[derive(Clone, Debug)]
pub struct Spectra {
    /// The image files measured, in the order of the curves.
    pub files: Vec<PathBuf>,
    /// (rows, columns) of every prepared photo.
    pub shape: (usize, usize),
    /// r / L for r = 0 … (DC first).
    pub frequency: Vec<f64>,
    /// One RAPSD per file, DC included.
    pub curves: Vec<Vec<f64>>,
}

impl Spectra {
    /// The log-domain mean RAPSD over the photos, DC included.
    pub fn log_mean(&self) -> Rapsd {
        Rapsd {
            frequency: self.frequency.clone(),
            power: log_mean(&self.curves),
        }
    }
}

/// Every image file named by the inputs: each input in the order given, a folder's files sorted
/// by path. A missing path or a folder without images is an error naming it.
pub fn input_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        match image_files(std::slice::from_ref(path)) {
            Ok(found) => files.extend(found),
            // `image_files` fails either on the file system (an I/O error naming the path) or
            // because a folder holds no images: say the latter in the `<file>: <problem>` form.
            Err(e) if !e.chain().any(|c| c.is::<std::io::Error>()) => {
                bail!("{}: no JPEG or PNG files in this folder", path.display())
            }
            Err(e) => return Err(e),
        }
    }
    Ok(files)
}

/// An error as the one line `spectra` prints: the causes joined by ": ", each cause left out when
/// the one before already spells it out (image decoding errors repeat their source).
pub fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line
}

/// Loads, prepares and measures every photo the input names (in parallel, results in file order).
/// With `--no-resize`, photos of different shapes are refused: their RAPSDs have different
/// lengths and frequencies, so they cannot be averaged point by point.
pub fn measure(input: &Input) -> Result<Spectra> {
    let files = input_files(&input.paths)?;
    let (preprocess, channel) = (input.preprocess(), input.channel);
    // Keep every result and take the first error in file order, so the message is deterministic.
    let measured: Vec<Result<((usize, usize), Rapsd)>> = files
        .par_iter()
        .map(|path| {
            let field = load_photo(path, preprocess)?.channel(channel);
            Ok((field.dim(), rapsd(&field)))
        })
        .collect();
    let measured = measured.into_iter().collect::<Result<Vec<_>>>()?;
    let (shape, first) = &measured[0];
    for (path, (other, _)) in files.iter().zip(&measured) {
        if other != shape {
            bail!(
                "{}: {} pixels, but {} has {}; without resizing only images of one shape can be \
                 averaged (drop --no-resize to crop them all to {BOOK_SIZE}×{BOOK_SIZE})",
                path.display(),
                size_text(*other),
                files[0].display(),
                size_text(*shape),
            );
        }
    }
    let (shape, frequency) = (*shape, first.frequency.clone());
    let curves = measured.into_iter().map(|(_, r)| r.power).collect();
    Ok(Spectra {
        files,
        shape,
        frequency,
        curves,
    })
}

/// "width×height", the way image sizes are usually written.
fn size_text((rows, cols): (usize, usize)) -> String {
    format!("{cols}×{rows}")
}

/// The `rapsd` command's CSV: `frequency,power`, the log-mean power at every radius from DC.
/// Numbers are printed in the shortest form that reads back to the same `f64`.
pub fn rapsd_csv(spectra: &Spectra) -> String {
    let mean = spectra.log_mean();
    let mut out = String::from("frequency,power\n");
    for (f, p) in mean.frequency.iter().zip(&mean.power) {
        writeln!(out, "{f},{p:e}").expect("writing to a String cannot fail");
    }
    out
}

/// What `fit` reports: the power law of the log-mean RAPSD and a bootstrap 95% interval for α.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FitReport {
    pub alpha: f64,
    #[serde(rename = "C")]
    pub c: f64,
    pub alpha_low: f64,
    pub alpha_high: f64,
    pub images: usize,
}

impl FitReport {
    /// `key=value` lines, numbers in their shortest exact form.
    pub fn to_lines(&self) -> String {
        format!(
            "alpha={}\nC={:e}\nalpha_low={}\nalpha_high={}\nimages={}\n",
            self.alpha, self.c, self.alpha_low, self.alpha_high, self.images
        )
    }

    /// One JSON object on one line.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string(self).expect("a report of finite numbers serialises");
        s.push('\n');
        s
    }
}

/// Fits the log-mean RAPSD exactly as the book's chapter does (DC dropped, `fit_power_law`), and
/// bootstraps α over the photos with `resamples` draws from `seeded_rng(seed)`.
pub fn fit(spectra: &Spectra, resamples: usize, seed: u64) -> Result<FitReport> {
    let frequency = &spectra.frequency[1..];
    if frequency.len() < 2 {
        bail!(
            "{}: too small to fit a power law: a line needs 2 frequencies besides DC, and the \
             RAPSD of a {} image has {} (at least 5 × 5 pixels are needed)",
            spectra.files[0].display(),
            size_text(spectra.shape),
            frequency.len()
        );
    }
    for (path, curve) in spectra.files.iter().zip(&spectra.curves) {
        if let Some(f) = powerless_frequency(&spectra.frequency, curve) {
            bail!(
                "{}: no power at frequency {f} (a flat image?): a power law needs power at \
                 every frequency",
                path.display()
            );
        }
    }
    let curves: Vec<&[f64]> = spectra.curves.iter().map(|c| &c[1..]).collect();
    let law = fit_power_law(frequency, &log_mean(&curves));
    let (interval, _) = bootstrap_alpha(frequency, &curves, resamples, &mut seeded_rng(seed));
    Ok(FitReport {
        alpha: law.alpha,
        c: law.c,
        alpha_low: interval.low,
        alpha_high: interval.high,
        images: spectra.curves.len(),
    })
}

/// RAPSD values at or below this are rounding error, not detail. Photos reach the spectrum as
/// `f32` pixels in [−1, 1] (resized in `f32`), and `f32` rounding alone leaves a floor near 1e-15
/// (a flat photo measures 1e-16 to 1e-15 beyond DC). Any real photo lies far above: the
/// quantisation noise of 16-bit pixels is (2/65535)²/12 ≈ 8e-11, of 8-bit ones 5e-6.
pub const NO_POWER: f64 = 1e-14;

/// The first frequency besides DC where a RAPSD (DC first) holds no power to speak of, if any.
/// Fitting a line to the logarithm of rounding errors would give a meaningless exponent.
pub fn powerless_frequency(frequency: &[f64], curve: &[f64]) -> Option<f64> {
    frequency
        .iter()
        .zip(curve)
        .skip(1)
        .find(|(_, p)| !(p.is_finite() && **p > NO_POWER))
        .map(|(f, _)| *f)
}

/// The `fmax` command's CSV: `t,f_max` at `steps + 1` evenly spaced times, from the log-mean RAPSD.
pub fn fmax_csv(spectra: &Spectra, schedule: &dyn Schedule, tau: f64, steps: usize) -> String {
    let mean = spectra.log_mean();
    let mut out = String::from("t,f_max\n");
    for t in time_grid(steps) {
        let f = f_max(schedule, &mean.frequency, &mean.power, t, tau);
        writeln!(out, "{t},{f}").expect("writing to a String cannot fail");
    }
    out
}

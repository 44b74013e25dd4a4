//! The `spectra` command-line tool: the book's measurements applied to a reader's own photos.
//!
//! The binary (`src/main.rs`) only parses arguments and prints; everything it computes is
//! here, so tests and other programs can call it. Every command returns its whole output as a
//! string, built only after all work succeeded: a failure never leaves half a table on stdout,
//! and files (`plot`, `fetch`) are written to a temporary name and renamed when complete.
//!
//! | module | concept |
//! |---|---|
//! | [`measure`] | files decoded and measured in parallel, bad files set aside with a reason |
//! | [`report`] | the tables, fits and JSON objects the commands print |
//! | [`plot`] | `spectra plot`: the reader's mean spectrum beside the book's |
//! | [`progress`] | progress bars on stderr, shown only on a terminal |
//!
//! The measurements are exactly the book's: photos prepared by [`bookkit::data`] (resize and
//! centre-crop to 320 × 320, pixels in [−1, 1]), one channel, the RAPSD of
//! [`spectral::spectrum::rapsd`], the log-domain mean over photos, and the fits and schedules of
//! [`spectral::fit`] and [`spectral::schedule`].

pub mod denoise;
pub mod measure;
pub mod plot;
pub mod progress;
pub mod report;

use std::path::PathBuf;

use anyhow::Result;
use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use spectral::fit::{BOOTSTRAP_RESAMPLES, PHOTO_BOOTSTRAP_SEED};
use spectral::schedule::{Edm, RectifiedFlow, Schedule, VpCosine};

use crate::fetch::{self, Dataset, IMAGENETTE, Source};
use bookkit::data::{BOOK_SIZE, Channel, Preprocess};
use bookkit::inputs::BadFile;

pub use measure::{Measured, Spectra, measure};
pub use report::{FitReport, NO_POWER, fit, fmax_csv, powerless_frequency, rapsd_csv};

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

Every command takes image files and folders (searched recursively, files sorted
by path; hidden files and links to folders are skipped), prepares each photo as
the book does (resize so the short side is 320 px, centre-crop to 320 x 320,
pixels scaled to [-1, 1]), takes one channel (green by default) and measures its
radially averaged power spectral density (RAPSD). Several photos are averaged in
the log domain.

Formats: JPEG (also CMYK), PNG (8 and 16 bits, grey, grey+alpha, RGBA, palette),
GIF, WebP, BMP and TIFF; the format is read from the file's content, not its
name. Alpha is ignored. Refused, each with a one-line reason: empty, text or
truncated files, images under 16 px on a side, and headers claiming more than
100 megapixels (refused before decoding: a decompression bomb).

Files are decoded and measured in parallel on all cores; each photo is reduced
to its spectrum (160 numbers) as soon as it is decoded, so memory does not grow
with the number of files. A progress bar shows on stderr when it is a terminal.

A file that cannot be used is reported on stderr as `spectra: warning: <file>:
<problem>` and the others are measured (exit code 0); with --strict the first
such file is an error. Results go to stdout; errors go to stderr as one line,
`spectra: <file>: <problem>`, with exit code 1 (2 for a wrong command line).";

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
Flat images (no power beyond DC) cannot be fitted and are skipped.

Prints the lines alpha=, C=, alpha_low=, alpha_high= and images=, or one JSON
object with --json.";

const FMAX_ABOUT: &str = "\
Print, as CSV with the header `t,f_max`, the highest frequency still detectable
at diffusion time t: the highest frequency of the log-mean RAPSD whose power
exceeds tau * sigma(t)^2 / alpha(t)^2, the noise level of the chosen schedule
relative to its signal. One row for each of the steps + 1 times 0, 1/steps,
..., 1; f_max is 0 where nothing is detectable.

With --per-image, f_max is in cycles per image instead: cycles per pixel times
the longer side of the prepared photos (--size, 320 by default). That is the
unit in which photos prepared at different sizes can be compared (the chapter
\"Resolution and the schedule\"): spectra fmax --size 512 --per-image DIR.";

const PLOT_ABOUT: &str = "\
Draw the log-mean RAPSD of your images with its power-law fit (red), beside the
same measurement of the book's embedded photos (blue), on log-log axes in the
book's style. The output format follows the file name: .png or .svg. The file is
written whole or not at all.

Recordings (WAV, FLAC, Ogg Vorbis, MP3, AIFF: told by their extensions) are
measured as in the book's sound chapter instead: mono at 22,050 Hz, the middle
2 s of each, the RAPSD of its log-mel spectrogram; the reference is then the
book's embedded recordings. Images and recordings cannot share one chart.";

const DENOISE_ABOUT: &str = "\
Prepare the photo as the book prepares photos (resize so the short side is 320,
centre crop), add Gaussian noise to time t of rectified flow, x_t = (1 - t) x0 +
t eps (one seeded draw per colour channel), and denoise each channel with the
ideal linear denoiser of the chapter \"Running diffusion backwards\": the Wiener
filter of the Gaussian model fitted to the book's embedded photos (their mean 2D
power spectrum, green channel). Writes x_t and the estimate side by side as PNG
(whole or not at all) and prints, as key=value lines, f_max(t) of the model (tau
= 1) and the rms errors of x_t/alpha(t) and of the estimate against the photo (green
channel).";

const FETCH_ABOUT: &str = "\
Download a data set the post used, verify its MD5 checksum, extract it into the
cache folder and print the folder to pass to the other commands:

    spectra fit \"$(spectra fetch imagenette)\"

imagenette: Imagenette 320 px (fast.ai, about 330 MB, 13,394 photos), the
images the post measured alpha = 2.454 on.

The cache folder is --cache-dir, else $SPECTRA_CACHE, else
$XDG_CACHE_HOME/spectral-book, else ~/.cache/spectral-book. An interrupted
download or extraction leaves nothing that looks complete: run the command again
and it starts over. Once a data set is in the cache, no network is used.";

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
    /// Print the log-mean power spectrum of recordings as CSV: frequency_hz,power (DC first)
    #[command(long_about = AUDIO_ABOUT)]
    Audio(AudioInput),
    /// Print the log-mean RAPSD of recordings' log-mel spectrograms as CSV: frequency,power
    #[command(long_about = MEL_RAPSD_ABOUT)]
    MelRapsd(AudioInput),
    /// Draw your images' (or recordings') mean spectrum and fit beside the book's, as PNG or SVG
    #[command(long_about = PLOT_ABOUT)]
    Plot(plot::PlotArgs),
    /// Noise a photo to time t and denoise it with the ideal linear (Wiener) denoiser, as PNG
    #[command(long_about = DENOISE_ABOUT)]
    Denoise(denoise::DenoiseArgs),
    /// Download one of the post's data sets into the cache and print its folder
    #[command(long_about = FETCH_ABOUT)]
    Fetch(FetchArgs),
}

/// Which photos to measure and how to prepare them (shared by every measuring command).
#[derive(Clone, Debug, Args)]
pub struct Input {
    /// Image files and folders, searched recursively
    #[arg(value_name = "IMAGE|DIR", required = true)]
    pub paths: Vec<PathBuf>,
    /// Colour channel to measure
    #[arg(long, default_value = "green", value_parser = channel_parser())]
    pub channel: Channel,
    /// Side of the square the photos are resized and centre-cropped to [default: 320]
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_SIZE)))]
    pub size: Option<u32>,
    /// Use the pixels as they are: no resize, no crop (all photos must then have one shape)
    #[arg(long, conflicts_with = "size")]
    pub no_resize: bool,
    /// Stop at the first file that cannot be used, instead of warning and going on
    #[arg(long)]
    pub strict: bool,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
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
    /// Number of bootstrap resamples for the 95% interval (as many as the book draws)
    #[arg(long, value_name = "B", default_value_t = BOOTSTRAP_RESAMPLES as u64,
          value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub bootstrap: u64,
    /// Seed of the bootstrap's random number generator (the book's, for its photos)
    #[arg(long, value_name = "S", default_value_t = PHOTO_BOOTSTRAP_SEED)]
    pub seed: u64,
    /// The inputs are recordings: fit the RAPSD of their log-mel spectrograms (the chapter
    /// "What about sound?"); --channel, --size and --no-resize do not apply
    #[arg(long)]
    pub mel: bool,
}

/// Which recordings to measure (shared by the audio commands).
#[derive(Clone, Debug, Args)]
pub struct AudioInput {
    /// Audio files (WAV, FLAC, Ogg Vorbis, MP3, AIFF) and folders, searched recursively
    #[arg(value_name = "AUDIO|DIR", required = true)]
    pub paths: Vec<PathBuf>,
    /// Stop at the first file that cannot be used, instead of warning and going on
    #[arg(long)]
    pub strict: bool,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

const AUDIO_ABOUT: &str = "Print the log-mean power spectrum of recordings as CSV: frequency_hz,power.\n\n\
Each recording is converted to the book's format (mono, 22,050 Hz, samples in [-1, 1]) and cut to \
its middle 2 s; its power spectrum is |rFFT(x)|^2 / N at 0.5 Hz steps from 0 (DC) to 11,025 Hz. \
Several recordings are averaged in the log domain, as in the chapter \"What about sound?\".";

const MEL_RAPSD_ABOUT: &str = "Print the log-mean RAPSD of recordings' log-mel spectrograms as CSV: \
frequency,power.\n\n\
Each recording's middle 2 s becomes a 128-band log-mel spectrogram (n_fft 2048, hop 512, Slaney \
mel scale, dB), which is treated as an image: its radially averaged power spectral density is \
measured exactly as for photos (frequency r / 128), and recordings are averaged in the log domain.";

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
    /// Give f_max in cycles per image (times the side set by --size) instead of per pixel
    #[arg(long)]
    pub per_image: bool,
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

    /// The command-line name.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
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

#[derive(Clone, Debug, Args)]
pub struct FetchArgs {
    /// The data set
    #[arg(value_enum)]
    pub dataset: DatasetName,
    /// Cache folder [default: $SPECTRA_CACHE, else $XDG_CACHE_HOME/spectral-book, else
    /// ~/.cache/spectral-book]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Download from this address instead (a mirror of the same archive; the tests use a local
    /// server)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The archive's expected MD5 checksum, 32 hex digits [default: the published one]
    #[arg(long, value_name = "HEX", value_parser = parse_md5)]
    pub md5: Option<String>,
    /// Print one JSON object instead of the folder alone
    #[arg(long)]
    pub json: bool,
}

/// The data sets `fetch` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DatasetName {
    /// Imagenette 320 px, the post's images (about 330 MB)
    Imagenette,
}

impl DatasetName {
    pub fn dataset(self) -> &'static Dataset {
        match self {
            DatasetName::Imagenette => &IMAGENETTE,
        }
    }
}

fn parse_md5(s: &str) -> std::result::Result<String, String> {
    if fetch::is_md5(s) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(format!(
            "`{s}` is not an MD5 checksum (32 hexadecimal digits)"
        ))
    }
}

/// Where a command's warnings go: one call per file set aside, in file order.
pub type Warn<'a> = &'a mut dyn FnMut(&BadFile);

/// The kit's channels as a command-line choice (the kit itself does not depend on clap).
fn channel_parser() -> impl TypedValueParser<Value = Channel> {
    clap::builder::PossibleValuesParser::new(Channel::NAMES).map(|name| {
        name.parse::<Channel>()
            .expect("PossibleValuesParser admits only known names")
    })
}

/// Runs one command and returns everything it prints on stdout; files it could not use are passed
/// to `warn` (the binary prints them on stderr).
pub fn run(cli: &Cli, warn: Warn<'_>) -> Result<String> {
    match &cli.command {
        Command::Rapsd(input) => {
            let spectra = measure(input).settle(None, warn)?;
            Ok(if input.json {
                report::rapsd_json(&spectra)
            } else {
                rapsd_csv(&spectra)
            })
        }
        Command::Fit(args) => {
            let measured = if args.mel {
                measure::measure_recordings(&args.input.paths, args.input.strict)
            } else {
                measure(&args.input)
            };
            let spectra = measured.settle(Some(&report::powerless), warn)?;
            let spinner = progress::spinner(&format!("bootstrap: {} resamples", args.bootstrap));
            let report = fit(&spectra, args.bootstrap as usize, args.seed);
            spinner.finish_and_clear();
            let report = report?;
            Ok(if args.input.json {
                report.to_json()
            } else {
                report.to_lines()
            })
        }
        Command::Fmax(args) => {
            let mut spectra = measure(&args.input).settle(None, warn)?;
            if args.per_image {
                // Radius r sits at r/L cycles per pixel, L the longer side: r cycles per image
                // (rounded, so that 159/320 · 320 prints as 159).
                let side = spectra.shape.0.max(spectra.shape.1) as f64;
                spectra
                    .frequency
                    .iter_mut()
                    .for_each(|f| *f = (*f * side).round());
            }
            let (schedule, steps) = (args.schedule.schedule(), args.steps as usize);
            Ok(if args.input.json {
                report::fmax_json(&spectra, args.schedule, args.tau, steps)
            } else {
                fmax_csv(&spectra, schedule.as_ref(), args.tau, steps)
            })
        }
        Command::Audio(input) => {
            let spectra = measure::measure_recording_spectra(&input.paths, input.strict)
                .settle(None, warn)?;
            Ok(report::curve_output(
                &spectra,
                "frequency_hz",
                "recordings",
                input.json,
            ))
        }
        Command::MelRapsd(input) => {
            let spectra =
                measure::measure_recordings(&input.paths, input.strict).settle(None, warn)?;
            Ok(report::curve_output(
                &spectra,
                "frequency",
                "recordings",
                input.json,
            ))
        }
        Command::Plot(args) => plot::plot(args, warn),
        Command::Denoise(args) => denoise::denoise(args),
        Command::Fetch(args) => run_fetch(args),
    }
}

fn run_fetch(args: &FetchArgs) -> Result<String> {
    let dataset = args.dataset.dataset();
    let mut source = Source::from(dataset);
    if let Some(url) = &args.url {
        source.url.clone_from(url);
    }
    if let Some(md5) = &args.md5 {
        source.md5.clone_from(md5);
    }
    let cache = match &args.cache_dir {
        Some(dir) => dir.clone(),
        None => fetch::default_cache_dir()?,
    };
    let bar = progress::bytes(&format!("downloading {}", dataset.archive));
    let fetched = fetch::fetch(dataset, &source, &cache, &bar);
    bar.finish_and_clear();
    let fetched = fetched?;
    let folder = fetched.folder.display().to_string();
    if !args.json {
        return Ok(format!("{folder}\n"));
    }
    let json = serde_json::json!({
        "dataset": dataset.name,
        "folder": folder,
        "downloaded": fetched.downloaded,
    });
    Ok(format!("{json}\n"))
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

/// "width×height", the way image sizes are usually written.
pub fn size_text((rows, cols): (usize, usize)) -> String {
    format!("{cols}×{rows}")
}

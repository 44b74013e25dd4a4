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
//! 6. prints the report and writes it to `target/bench/report.md` (raw numbers in `results.json`).
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

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::{cargo, root};

/// α̂ of the three full pipelines must agree to this before any timing is reported.
const ALPHA_TOLERANCE: f64 = 1e-3;

/// The issue's targets.
const TARGET_VS_PYSTEPS: f64 = 10.0;
const TARGET_VS_NUMPY: f64 = 4.0;
const TARGET_SPECTRAL_SHARE: f64 = 0.30;
const TARGET_FIGURES_SECONDS: f64 = 20.0;

/// Command-line options of `cargo xtask bench`.
#[derive(Clone, Debug)]
pub struct Options {
    pub images: usize,
    pub reps: usize,
    pub figures: bool,
    /// Also write the report to `bench/report.md`, which the book's performance appendix shows.
    pub record: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut o = Options {
            images: 512,
            reps: 5,
            figures: true,
            record: false,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut number = |name: &str| -> Result<usize> {
                let v = it
                    .next()
                    .with_context(|| format!("{name} needs a number"))?;
                v.parse()
                    .with_context(|| format!("{name}: `{v}` is not a number"))
            };
            match a.as_str() {
                "--images" => o.images = number("--images")?,
                "--reps" => o.reps = number("--reps")?,
                "--no-figures" => o.figures = false,
                "--record" => o.record = true,
                other => bail!(
                    "unknown option {other}: usage: cargo xtask bench [--images N] [--reps R] \
                     [--no-figures] [--record]"
                ),
            }
        }
        if o.images < 500 || o.reps < 3 {
            eprintln!(
                "note: the issue asks for at least 500 images and 3 repetitions; \
                 running {} images × {} repetitions",
                o.images, o.reps
            );
        }
        if o.images == 0 || o.reps == 0 {
            bail!("--images and --reps must be at least 1");
        }
        Ok(o)
    }
}

/// What runs, how it is labelled, and whether it belongs to the issue's required rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
enum Pipeline {
    Rust,
    Pysteps,
    Numpy,
    Decode,
    NumpyPool,
    Jpeg,
    PillowJpeg,
}

impl Pipeline {
    const ALL: [Pipeline; 7] = [
        Pipeline::Rust,
        Pipeline::Pysteps,
        Pipeline::Numpy,
        Pipeline::Decode,
        Pipeline::NumpyPool,
        Pipeline::Jpeg,
        Pipeline::PillowJpeg,
    ];

    fn label(self, cores: usize) -> String {
        match self {
            Pipeline::Rust => format!("Rust `spectra fit` ({cores} cores)"),
            Pipeline::Pysteps => "Python, Pillow + pysteps `rapsd` (1 process)".into(),
            Pipeline::Numpy => "Python, tuned NumPy (1 process)".into(),
            Pipeline::Decode => format!("Rust decode + resize only ({cores} cores)"),
            Pipeline::NumpyPool => format!("extra: tuned NumPy, Pool({cores})"),
            Pipeline::Jpeg => format!("extra: Rust JPEG decoding only ({cores} cores)"),
            Pipeline::PillowJpeg => "extra: Pillow JPEG decoding only (1 process)".into(),
        }
    }

    /// Whether it computes α̂ (decode-only passes do not).
    fn fits(self) -> bool {
        !matches!(
            self,
            Pipeline::Decode | Pipeline::Jpeg | Pipeline::PillowJpeg
        )
    }

    fn command(self, tools: &Tools, dir: &Path) -> Command {
        let py = |script: &str| {
            let mut c = Command::new(&tools.python);
            // Bytecode caches go under target/, not next to the scripts in bench/.
            c.env("PYTHONPYCACHEPREFIX", target_dir().join("bench/pycache"))
                .arg(root().join("bench").join(script))
                .arg(dir);
            c
        };
        // Rust programs run under `bench-tool cpu-time`, which reports their CPU time.
        let timed = |program: &Path| {
            let mut c = Command::new(&tools.bench_tool);
            c.arg("cpu-time").arg(program);
            c
        };
        let mut c = match self {
            Pipeline::Rust => {
                let mut c = timed(&tools.spectra);
                c.args(["fit", "--bootstrap", "2"]).arg(dir);
                c
            }
            Pipeline::Pysteps => py("pipeline_pysteps.py"),
            Pipeline::PillowJpeg => py("decode_pillow.py"),
            Pipeline::Numpy => py("pipeline_numpy.py"),
            Pipeline::NumpyPool => {
                let mut c = py("pipeline_numpy.py");
                c.args(["--workers", &tools.cores.to_string()]);
                c
            }
            Pipeline::Decode | Pipeline::Jpeg => {
                let mut c = timed(&tools.bench_tool);
                c.arg(if self == Pipeline::Decode {
                    "decode"
                } else {
                    "jpeg"
                })
                .arg(dir);
                c
            }
        };
        c.current_dir(root());
        c
    }

    /// Python pipelines report their own time (start-up and imports excluded).
    fn self_timed(self) -> bool {
        matches!(
            self,
            Pipeline::Pysteps | Pipeline::Numpy | Pipeline::NumpyPool | Pipeline::PillowJpeg
        )
    }
}

/// Paths of the programs the benchmark runs.
struct Tools {
    python: PathBuf,
    spectra: PathBuf,
    bench_tool: PathBuf,
    cores: usize,
}

/// One run of one pipeline.
#[derive(Clone, Debug, Serialize)]
struct Run {
    pipeline: Pipeline,
    round: usize,
    /// The time the images/s are computed from.
    seconds: f64,
    /// Wall time of the whole process, start-up included.
    wall_seconds: f64,
    /// CPU time (user + system, all threads) of the same span as `seconds`, when known.
    cpu_seconds: Option<f64>,
    images: usize,
    alpha: Option<f64>,
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

fn step(what: &str) {
    eprintln!("\n==> {what}");
}

/// Runs a command to completion, failing with its name and standard error if it fails.
fn checked(cmd: &mut Command) -> Result<std::process::Output> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {shown}"))?;
    if !out.status.success() {
        bail!(
            "{shown} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out)
}

/// Creates `target/bench-venv` with the pinned requirements, unless it already holds exactly them.
fn ensure_python() -> Result<PathBuf> {
    let venv = target_dir().join("bench-venv");
    let python = venv.join("bin/python");
    let requirements = root().join("bench/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("{}: cannot read", requirements.display()))?;
    let stamp = venv.join("installed-requirements.txt");
    if python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(python);
    }
    step(
        "installing the Python side into target/bench-venv (pysteps, NumPy, Pillow; pysteps is \
         compiled from source: about 2 minutes, once)",
    );
    crate::run(
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
    )
    .context("creating the virtual environment needs python3 with venv (Debian: python3-venv)")?;
    crate::run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(&requirements),
    )
    .context(
        "pip could not install bench/requirements.txt (pysteps builds C extensions: it needs a \
         C compiler and the Python headers, Debian: python3-dev)",
    )?;
    std::fs::write(&stamp, wanted)?;
    Ok(python)
}

fn build_rust() -> Result<(PathBuf, PathBuf)> {
    step("building spectra and bench-tool in release");
    crate::run(cargo().args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "bookkit",
        "-p",
        "bench-tool",
        "--bin",
        "spectra",
        "--bin",
        "bench-tool",
    ]))?;
    let release = target_dir().join("release");
    Ok((release.join("spectra"), release.join("bench-tool")))
}

/// `key=value` from a line of `spectra`/`bench-tool` output.
fn value(stdout: &str, key: &str) -> Option<String> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(|v| v.trim().to_string())
}

fn run_once(p: Pipeline, tools: &Tools, dir: &Path, round: usize) -> Result<Run> {
    let started = Instant::now();
    let out = checked(&mut p.command(tools, dir))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let bad = |what: &str| format!("{p:?}: {what} missing from its output:\n{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let (seconds, images, alpha, cpu_seconds) = if p.self_timed() {
        let line = stdout
            .lines()
            .rev()
            .find(|l| l.starts_with('{'))
            .with_context(|| bad("the JSON line"))?;
        let v: serde_json::Value = serde_json::from_str(line)?;
        (
            v["seconds"].as_f64().with_context(|| bad("seconds"))?,
            v["images"].as_u64().with_context(|| bad("images"))? as usize,
            v["alpha"].as_f64(),
            v["cpu_seconds"].as_f64(),
        )
    } else {
        let images = value(&stdout, "images")
            .and_then(|v| v.parse().ok())
            .with_context(|| bad("images="))?;
        let alpha = value(&stdout, "alpha").and_then(|v| v.parse().ok());
        let cpu = value(&stderr, "cpu_seconds").and_then(|v| v.parse().ok());
        (wall_seconds, images, alpha, cpu)
    };
    if p.fits() && alpha.is_none() {
        bail!(bad("alpha"));
    }
    Ok(Run {
        pipeline: p,
        round,
        seconds,
        wall_seconds,
        cpu_seconds,
        images,
        alpha,
    })
}

/// Median and range.
#[derive(Clone, Copy, Debug, Serialize)]
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

fn spread(mut v: Vec<f64>) -> Spread {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Spread {
        median,
        min: v[0],
        max: v[n - 1],
    }
}

/// Facts about the machine, for the report.
#[derive(Clone, Debug, Serialize)]
struct Machine {
    cpu: String,
    cores: usize,
    os: String,
    load_before: String,
    load_after: String,
    rustc: String,
    python: String,
}

fn first_line(cmd: &mut Command) -> String {
    cmd.output()
        .ok()
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .unwrap_or_else(|| "unknown".into())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

fn os_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}

/// The figure regeneration timing: which command, and how long (or why it failed).
#[derive(Clone, Debug, Serialize)]
struct FigureTiming {
    command: String,
    seconds: Option<f64>,
    error: Option<String>,
    /// Why `cargo xtask book` was not the command timed, if it was not.
    book_skipped: Option<String>,
}

/// Times `cargo xtask book` after one untimed run that warms the build; when the pinned mdBook
/// tools are missing or the book does not build, times `cargo xtask figures` instead and says why.
fn time_figures() -> FigureTiming {
    let have_tools = ["mdbook", "mdbook-katex"].iter().all(|t| {
        Command::new(t)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) && first_line(Command::new("mdbook").arg("--version")).contains("0.5.4");
    let book_skipped = if have_tools {
        match time_xtask("book") {
            Ok(seconds) => {
                return FigureTiming {
                    command: "cargo xtask book".into(),
                    seconds: Some(seconds),
                    error: None,
                    book_skipped: None,
                };
            }
            Err(e) => format!("{e:#}"),
        }
    } else {
        "the pinned mdBook tools are not installed (`cargo xtask tools`)".to_string()
    };
    let timed = time_xtask("figures");
    FigureTiming {
        command: "cargo xtask figures".into(),
        seconds: timed.as_ref().ok().copied(),
        error: timed.err().map(|e| format!("{e:#}")),
        book_skipped: Some(book_skipped),
    }
}

/// `cargo xtask WHAT` twice, the second run timed; output goes to `target/bench/xtask-WHAT.log`.
fn time_xtask(what: &str) -> Result<f64> {
    let command = format!("cargo xtask {what}");
    step(&format!(
        "{command}: once to warm the build, then timed (output in target/bench/)"
    ));
    let dir = target_dir().join("bench");
    std::fs::create_dir_all(&dir)?;
    let log = dir.join(format!("xtask-{what}.log"));
    let run = || -> Result<f64> {
        let file = std::fs::File::create(&log)?;
        let started = Instant::now();
        let st = cargo()
            .args(["xtask", what])
            .current_dir(root())
            .stdout(file.try_clone()?)
            .stderr(file)
            .status()?;
        if !st.success() {
            bail!("{command} failed ({st}); see {}", log.display());
        }
        Ok(started.elapsed().as_secs_f64())
    };
    run()?;
    run()
}

/// Everything measured, for results.json.
#[derive(Serialize)]
struct Results<'a> {
    machine: &'a Machine,
    set: &'a str,
    runs: &'a [Run],
    figures: &'a Option<FigureTiming>,
}

pub fn run(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    let load_before = load_average();
    let python = ensure_python()?;
    let (spectra, bench_tool) = build_rust()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let tools = Tools {
        python,
        spectra,
        bench_tool,
        cores,
    };

    step(&format!(
        "making the benchmark set: {} JPEG files from data/images",
        options.images
    ));
    let set = tempfile::Builder::new()
        .prefix("spectra-bench-")
        .tempdir()?;
    let made = checked(
        Command::new(&tools.bench_tool)
            .arg("make-set")
            .arg(set.path())
            .arg(options.images.to_string()),
    )?;
    let set_line = String::from_utf8_lossy(&made.stdout).trim().to_string();
    eprintln!("    {set_line}");

    step("warm-up round (untimed) and the α̂ check");
    let mut warm = Vec::new();
    for p in Pipeline::ALL {
        let r = run_once(p, &tools, set.path(), 0)?;
        eprintln!("    {:<58} α̂ = {}", p.label(cores), alpha_text(r.alpha));
        warm.push(r);
    }
    check_alphas(&warm, options.images)?;

    step(&format!(
        "{} timed rounds, pipelines alternating",
        options.reps
    ));
    let mut runs = Vec::new();
    for round in 1..=options.reps {
        for p in Pipeline::ALL {
            let r = run_once(p, &tools, set.path(), round)?;
            let reference = warm.iter().find(|w| w.pipeline == p).and_then(|w| w.alpha);
            if r.alpha != reference {
                bail!(
                    "{p:?} gave α̂ = {:?} in round {round}, {reference:?} before",
                    r.alpha
                );
            }
            eprintln!(
                "    round {round}  {:<58} {:>7.1} images/s",
                p.label(cores),
                r.images as f64 / r.seconds
            );
            runs.push(r);
        }
    }
    drop(set);

    let figures = options.figures.then(time_figures);
    let machine = Machine {
        cpu: cpu_model(),
        cores,
        os: os_name(),
        load_before,
        load_after: load_average(),
        rustc: first_line(Command::new("rustc").arg("--version")),
        python: first_line(Command::new(&tools.python).arg("--version")),
    };
    let report = report(&machine, &set_line, &options, &warm, &runs, &figures);
    println!("{report}");
    let out = target_dir().join("bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("report.md"), &report)?;
    std::fs::write(
        out.join("results.json"),
        serde_json::to_string_pretty(&Results {
            machine: &machine,
            set: &set_line,
            runs: &runs,
            figures: &figures,
        })?,
    )?;
    eprintln!("written to {}", out.join("report.md").display());
    if options.record {
        let recorded = root().join(RECORDED);
        std::fs::write(&recorded, recorded_report(&report, &today()))
            .with_context(|| format!("{}: cannot write", recorded.display()))?;
        eprintln!("recorded for the book in {}", recorded.display());
    }
    Ok(())
}

/// Where `--record` keeps the latest report, included by `src/performance.md`.
const RECORDED: &str = "bench/report.md";

/// The report as the appendix shows it: dated, without its own title (the appendix has one).
fn recorded_report(report: &str, date: &str) -> String {
    let body = report
        .split_once('\n')
        .map_or(report, |(_, rest)| rest)
        .trim_start();
    format!(
        "Run of {date}, recorded with `cargo xtask bench --record`.\n\n{}\n",
        body.trim_end()
    )
}

/// Today's date (UTC) as YYYY-MM-DD, from `date`; "an unknown date" without it.
fn today() -> String {
    let date = first_line(Command::new("date").args(["-u", "+%Y-%m-%d"]));
    if date.is_empty() || date == "unknown" {
        "an unknown date".into()
    } else {
        date
    }
}

fn alpha_text(a: Option<f64>) -> String {
    a.map_or("(no fit)".into(), |a| format!("{a:.6}"))
}

/// Every pipeline saw every image, and the fits agree with the post's pipeline.
fn check_alphas(warm: &[Run], images: usize) -> Result<()> {
    for r in warm {
        if r.images != images {
            bail!(
                "{:?} measured {} images, not {images}",
                r.pipeline,
                r.images
            );
        }
    }
    let alpha = |p: Pipeline| warm.iter().find(|r| r.pipeline == p).and_then(|r| r.alpha);
    let reference = alpha(Pipeline::Pysteps).context("pysteps gave no α̂")?;
    for r in warm.iter().filter(|r| r.pipeline.fits()) {
        let a = r.alpha.expect("fitting pipelines report α̂");
        if (a - reference).abs() > ALPHA_TOLERANCE {
            bail!(
                "α̂ disagrees: {:?} gives {a:.6}, pysteps {reference:.6} (|Δ| = {:.2e} > {:.0e}); \
                 no timing is reported for pipelines that measure different things",
                r.pipeline,
                (a - reference).abs(),
                ALPHA_TOLERANCE
            );
        }
    }
    Ok(())
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// Summaries of the timed rounds.
struct Summary<'a> {
    runs: &'a [Run],
    reps: usize,
}

impl Summary<'_> {
    fn of(&self, p: Pipeline) -> impl Iterator<Item = &Run> {
        self.runs.iter().filter(move |r| r.pipeline == p)
    }

    fn rate(&self, p: Pipeline) -> Spread {
        spread(self.of(p).map(|r| r.images as f64 / r.seconds).collect())
    }

    fn seconds(&self, p: Pipeline) -> Spread {
        spread(self.of(p).map(|r| r.seconds).collect())
    }

    /// CPU milliseconds per image, when every run reported its CPU time.
    fn cpu_ms(&self, p: Pipeline) -> Option<Spread> {
        let v: Option<Vec<f64>> = self
            .of(p)
            .map(|r| r.cpu_seconds.map(|c| 1e3 * c / r.images as f64))
            .collect();
        v.map(spread)
    }

    /// `f(time of each pipeline)` evaluated within each round (the pipelines of a round ran back
    /// to back, under the same conditions), then summarised over the rounds; wall time, or CPU
    /// time with `cpu`.
    fn per_round(&self, cpu: bool, f: RoundStat<'_>) -> Spread {
        spread(
            (1..=self.reps)
                .map(|round| {
                    let time = |p: Pipeline| {
                        self.runs
                            .iter()
                            .find(|r| r.round == round && r.pipeline == p)
                            .and_then(|r| if cpu { r.cpu_seconds } else { Some(r.seconds) })
                            .unwrap_or(f64::NAN)
                    };
                    f(&time)
                })
                .collect(),
        )
    }
}

/// Each pipeline's time within one round.
type Times<'a> = &'a dyn Fn(Pipeline) -> f64;
/// A statistic of one round's times.
type RoundStat<'a> = &'a dyn Fn(Times<'_>) -> f64;

/// What fraction of `whole`'s time `part` takes.
fn share(part: Pipeline, whole: Pipeline) -> impl Fn(Times<'_>) -> f64 {
    move |t| t(part) / t(whole)
}

/// How many times faster `fast` is than `slow` (ratio of images per second = inverse time ratio).
fn speedup(fast: Pipeline, slow: Pipeline) -> impl Fn(Times<'_>) -> f64 {
    move |t| t(slow) / t(fast)
}

/// What the spectral work adds to the decode-and-resize floor, as a fraction of the floor.
fn added(full: Pipeline, floor: Pipeline) -> impl Fn(Times<'_>) -> f64 {
    move |t| (t(full) - t(floor)) / t(floor)
}

fn report(
    machine: &Machine,
    set_line: &str,
    options: &Options,
    warm: &[Run],
    runs: &[Run],
    figures: &Option<FigureTiming>,
) -> String {
    use Pipeline::*;
    let cores = machine.cores;
    let sum = Summary {
        runs,
        reps: options.reps,
    };
    let alpha = |p: Pipeline| warm.iter().find(|r| r.pipeline == p).and_then(|r| r.alpha);
    let range = |v: Spread, digits: usize| {
        format!(
            "{:.d$} | {:.d$} – {:.d$}",
            v.median,
            v.min,
            v.max,
            d = digits
        )
    };

    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# Benchmark: the book's Rust pipeline against the post's Python pipeline\n"
    );
    let _ = writeln!(
        w,
        "Machine: {}, {} cores available, {}; load average {} before, {} after \
         (other work on the machine shares these cores).  \n{}; {}.\n",
        machine.cpu,
        cores,
        machine.os,
        machine.load_before,
        machine.load_after,
        machine.rustc,
        machine.python
    );
    let _ = writeln!(
        w,
        "Set: {set_line} (made by `bench-tool make-set`, deterministic). {} timed round{} after \
         one untimed warm-up round; the pipelines alternate within each round.\n",
        options.reps,
        if options.reps == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        w,
        "| pipeline | images/s, median | min – max | seconds, median | CPU ms/image, median | \
         min – max | α̂ |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for p in Pipeline::ALL {
        let cpu = sum.cpu_ms(p).map_or("– | –".to_string(), |c| range(c, 2));
        let _ = writeln!(
            w,
            "| {} | {} | {:.2} | {cpu} | {} |",
            p.label(cores),
            range(sum.rate(p), 1),
            sum.seconds(p).median,
            alpha_text(alpha(p))
        );
    }
    let a = |p| alpha(p).unwrap_or(f64::NAN);
    let _ = writeln!(
        w,
        "\nα̂ agreement (required ≤ {ALPHA_TOLERANCE:.0e}): |Rust − pysteps| = {:.1e}, \
         |tuned NumPy − pysteps| = {:.1e}.\n",
        (a(Rust) - a(Pysteps)).abs(),
        (a(Numpy) - a(Pysteps)).abs()
    );

    let _ = writeln!(
        w,
        "The issue's ratios, from wall time (each taken within one round):\n\n\
         | ratio | median | min – max | target | |\n|---|---:|---:|---:|---|"
    );
    let targets = [
        (
            "Rust / pysteps, images/s",
            sum.per_round(false, &speedup(Rust, Pysteps)),
            format!("≥ {TARGET_VS_PYSTEPS}"),
            true,
            TARGET_VS_PYSTEPS,
        ),
        (
            "Rust / tuned NumPy, images/s",
            sum.per_round(false, &speedup(Rust, Numpy)),
            format!("≥ {TARGET_VS_NUMPY}"),
            true,
            TARGET_VS_NUMPY,
        ),
        (
            "spectral work added to decode + resize, time",
            sum.per_round(false, &added(Rust, Decode)),
            format!("≤ {TARGET_SPECTRAL_SHARE:.2}"),
            false,
            TARGET_SPECTRAL_SHARE,
        ),
    ];
    for (name, v, target, at_least, bound) in targets {
        let ok = if at_least {
            v.median >= bound
        } else {
            v.median <= bound
        };
        let _ = writeln!(
            w,
            "| {name} | {} | {target} | {} |",
            range(v, 2),
            verdict(ok)
        );
    }

    let _ = writeln!(
        w,
        "\nThe same from CPU time per image, which other work on the machine disturbs less \
         (a speed-up per core: on {cores} idle cores the Rust images/s would be up to {cores} × \
         these, the Python ones unchanged), and the extra rows:\n\n\
         | ratio | median | min – max |\n|---|---:|---:|"
    );
    let rows: [(&str, Spread); 7] = [
        (
            "CPU per image: pysteps / Rust",
            sum.per_round(true, &speedup(Rust, Pysteps)),
        ),
        (
            "CPU per image: tuned NumPy / Rust",
            sum.per_round(true, &speedup(Rust, Numpy)),
        ),
        (
            "CPU: spectral work added to decode + resize",
            sum.per_round(true, &added(Rust, Decode)),
        ),
        (
            "CPU: JPEG decoding's share of the whole Rust pipeline",
            sum.per_round(true, &share(Jpeg, Rust)),
        ),
        (
            "CPU per image: Pillow's JPEG decoding / Rust's",
            sum.per_round(true, &speedup(Jpeg, PillowJpeg)),
        ),
        (
            "wall: Rust / pysteps if only JPEG decoding took time",
            sum.per_round(false, &speedup(Jpeg, Pysteps)),
        ),
        (
            "wall: Rust / tuned NumPy if only JPEG decoding took time",
            sum.per_round(false, &speedup(Jpeg, Numpy)),
        ),
    ];
    for (name, v) in rows {
        let _ = writeln!(w, "| {name} | {} |", range(v, 2));
    }
    let _ = writeln!(
        w,
        "| tuned NumPy, wall: Pool({cores}) / 1 process | {} |",
        range(sum.per_round(false, &speedup(NumpyPool, Numpy)), 2)
    );

    if let Some(f) = figures {
        let _ = writeln!(w);
        match (f.seconds, &f.error) {
            (Some(sec), _) => {
                let _ = writeln!(
                    w,
                    "Full figure regeneration, `{}` with a warm build: {sec:.1} s \
                     (target ≤ {TARGET_FIGURES_SECONDS} s: {}).",
                    f.command,
                    verdict(sec <= TARGET_FIGURES_SECONDS)
                );
            }
            (None, e) => {
                let _ = writeln!(
                    w,
                    "Full figure regeneration, `{}`: not timed: {}",
                    f.command,
                    e.as_deref().unwrap_or("unknown error")
                );
            }
        }
        if let Some(why) = &f.book_skipped {
            let _ = writeln!(w, "\n`cargo xtask book` was not timed: {why}");
        }
    }
    let _ = writeln!(
        w,
        "\nRust times are wall and CPU times of the whole process; the Python pipelines time \
         themselves from the file listing to the fit (interpreter start-up and imports excluded; \
         a Pool's CPU time is not measured). `spectra fit` runs with `--bootstrap 2`, the least \
         it allows, since the Python pipelines fit no interval."
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_takes_the_median_and_the_range() {
        let s = spread(vec![3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(spread(vec![4.0, 1.0, 2.0, 3.0]).median, 2.5);
    }

    fn fake_runs() -> Vec<Run> {
        // Round k: Rust 1 s, pysteps 10k s, decode 0.8 s; CPU time twice the wall time.
        let mut runs = Vec::new();
        for round in 1..=3 {
            for p in Pipeline::ALL {
                let seconds = match p {
                    Pipeline::Pysteps => 10.0 * round as f64,
                    Pipeline::Decode => 0.8,
                    Pipeline::Jpeg => 0.5,
                    _ => 1.0,
                };
                runs.push(Run {
                    pipeline: p,
                    round,
                    seconds,
                    wall_seconds: seconds,
                    cpu_seconds: Some(2.0 * seconds),
                    images: 500,
                    alpha: p.fits().then_some(2.5),
                });
            }
        }
        runs
    }

    #[test]
    fn ratios_are_taken_within_rounds() {
        let runs = fake_runs();
        let sum = Summary {
            runs: &runs,
            reps: 3,
        };
        let v = sum.per_round(false, &speedup(Pipeline::Rust, Pipeline::Pysteps));
        assert_eq!((v.median, v.min, v.max), (20.0, 10.0, 30.0));
        let share = sum.per_round(true, &added(Pipeline::Rust, Pipeline::Decode));
        assert!((share.median - 0.25).abs() < 1e-12);
        assert_eq!(sum.rate(Pipeline::Rust).median, 500.0);
        assert_eq!(sum.cpu_ms(Pipeline::Rust).unwrap().median, 4.0);
        // Pillow decodes in 1 s what Rust decodes in 0.5 s: Rust's decoder is 2× as fast.
        let decoders = sum.per_round(true, &speedup(Pipeline::Jpeg, Pipeline::PillowJpeg));
        assert_eq!(decoders.median, 2.0);
    }

    #[test]
    fn alphas_that_disagree_stop_the_benchmark() {
        let mut runs: Vec<Run> = fake_runs().into_iter().filter(|r| r.round == 1).collect();
        assert!(check_alphas(&runs, 500).is_ok());
        runs[0].alpha = Some(2.502);
        let err = check_alphas(&runs, 500).unwrap_err().to_string();
        assert!(err.contains("disagrees"), "{err}");
        assert!(
            check_alphas(&runs, 512).is_err(),
            "a wrong image count is an error"
        );
    }

    #[test]
    fn key_value_lines_are_parsed() {
        let out = "alpha=2.5\nC=1e-4\nalpha_low=2.4\nimages=512\n";
        assert_eq!(value(out, "alpha").as_deref(), Some("2.5"));
        assert_eq!(value(out, "images").as_deref(), Some("512"));
        assert_eq!(value(out, "beta"), None);
    }

    #[test]
    fn options_default_to_the_issue_and_reject_unknown_flags() {
        let o = Options::parse(&[]).unwrap();
        assert_eq!((o.images, o.reps, o.figures), (512, 5, true));
        let o = Options::parse(&["--reps".into(), "5".into(), "--no-figures".into()]).unwrap();
        assert_eq!((o.reps, o.figures), (5, false));
        assert!(Options::parse(&["--fast".into()]).is_err());
        assert!(Options::parse(&["--record".into()]).unwrap().record);
    }

    #[test]
    fn the_appendix_states_the_benchmarks_own_targets() {
        let appendix = std::fs::read_to_string(root().join("src/performance.md")).unwrap();
        // Line breaks fall anywhere in the prose: compare with single spaces.
        let appendix = appendix.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            ALPHA_TOLERANCE, 1e-3,
            "the appendix writes the tolerance as 10⁻³"
        );
        for stated in [
            "within 10⁻³".to_string(),
            format!("({TARGET_VS_PYSTEPS}× pysteps, {TARGET_VS_NUMPY}× tuned NumPy)"),
            format!("against the {TARGET_FIGURES_SECONDS} s target"),
        ] {
            assert!(
                appendix.contains(&stated),
                "src/performance.md should say {stated:?}"
            );
        }
    }

    #[test]
    fn the_recorded_report_is_dated_and_drops_the_title() {
        let r = recorded_report("# Benchmark\n\nMachine: x\n\n| a |\n", "2026-11-28");
        assert_eq!(
            r,
            "Run of 2026-11-28, recorded with `cargo xtask bench --record`.\n\nMachine: x\n\n| a |\n"
        );
    }
}

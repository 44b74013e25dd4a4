//! The pipelines the benchmark compares: what each one runs, how it is labelled, and building or
//! installing the programs they need.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::process::{step, target_dir};
use crate::python::Venv;
use crate::{cargo, root};

/// What runs, in the order each round runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Pipeline {
    Rust,
    Pysteps,
    Numpy,
    Decode,
    NumpyPool,
    Jpeg,
    PillowJpeg,
}

impl Pipeline {
    pub const ALL: [Pipeline; 7] = [
        Pipeline::Rust,
        Pipeline::Pysteps,
        Pipeline::Numpy,
        Pipeline::Decode,
        Pipeline::NumpyPool,
        Pipeline::Jpeg,
        Pipeline::PillowJpeg,
    ];

    /// The row label in the report; parallel pipelines say on how many cores they ran, since the
    /// same code gives a different rate on another machine.
    pub fn label(self, cores: usize) -> String {
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
    pub fn fits(self) -> bool {
        !matches!(
            self,
            Pipeline::Decode | Pipeline::Jpeg | Pipeline::PillowJpeg
        )
    }

    /// Python pipelines report their own time (start-up and imports excluded).
    pub fn self_timed(self) -> bool {
        matches!(
            self,
            Pipeline::Pysteps | Pipeline::Numpy | Pipeline::NumpyPool | Pipeline::PillowJpeg
        )
    }

    /// The command that runs it on the images in `dir`.
    pub fn command(self, tools: &Tools, dir: &Path) -> Command {
        let mut c = match self {
            Pipeline::Rust => {
                let mut c = tools.cpu_timed(&tools.spectra);
                c.args(["fit", "--bootstrap", "2"]).arg(dir);
                c
            }
            Pipeline::Pysteps => tools.python_script("pipeline_pysteps.py", dir),
            Pipeline::PillowJpeg => tools.python_script("decode_pillow.py", dir),
            Pipeline::Numpy => tools.python_script("pipeline_numpy.py", dir),
            Pipeline::NumpyPool => {
                let mut c = tools.python_script("pipeline_numpy.py", dir);
                c.args(["--workers", &tools.cores.to_string()]);
                c
            }
            Pipeline::Decode | Pipeline::Jpeg => {
                let mut c = tools.cpu_timed(&tools.bench_tool);
                let pass = if self == Pipeline::Decode {
                    "decode"
                } else {
                    "jpeg"
                };
                c.arg(pass).arg(dir);
                c
            }
        };
        c.current_dir(root());
        c
    }
}

/// Paths of the programs the benchmark runs.
pub struct Tools {
    pub python: PathBuf,
    pub spectra: PathBuf,
    pub bench_tool: PathBuf,
    pub cores: usize,
}

impl Tools {
    /// Installs the Python side and builds the Rust side in release.
    pub fn prepare() -> Result<Tools> {
        let python = python_env()?;
        let (spectra, bench_tool) = build_rust()?;
        Ok(Tools {
            python,
            spectra,
            bench_tool,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        })
    }

    /// A script from `bench/` on `dir`, its bytecode cache under target/ rather than in bench/.
    fn python_script(&self, script: &str, dir: &Path) -> Command {
        let mut c = Command::new(&self.python);
        c.env("PYTHONPYCACHEPREFIX", target_dir().join("bench/pycache"))
            .arg(root().join("bench").join(script))
            .arg(dir);
        c
    }

    /// A Rust program run under `bench-tool cpu-time`, which reports its CPU time on stderr.
    fn cpu_timed(&self, program: &Path) -> Command {
        let mut c = Command::new(&self.bench_tool);
        c.arg("cpu-time").arg(program);
        c
    }
}

/// `target/bench-venv` with the pinned `bench/requirements.txt`.
fn python_env() -> Result<PathBuf> {
    let requirements = root().join("bench/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("{}: cannot read", requirements.display()))?;
    Venv {
        name: "bench-venv",
        requirements: &wanted,
        purpose: "the benchmark's Python side (pysteps, NumPy, Pillow; pysteps is compiled from \
                  source: about 2 minutes, once)",
        pip_hint: "pysteps builds C extensions: it needs a C compiler and the Python headers \
                   (Debian: python3-dev)",
    }
    .ensure()
}

/// Builds `spectra` (from `listings/spectra-cli`) and `bench-tool` in release.
fn build_rust() -> Result<(PathBuf, PathBuf)> {
    step("building spectra and bench-tool in release");
    crate::run(cargo().args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "spectra-cli",
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

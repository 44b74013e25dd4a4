//! Python environments under `target/`, shared by the benchmark (pysteps, NumPy, Pillow) and the
//! notebook runner (nbclient): each tool gets its own virtual environment with pinned packages, so
//! nothing is installed into the reader's Python and a `cargo clean` removes it all.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::process::{step, target_dir};

/// A virtual environment `target/NAME` holding exactly a pinned requirements list.
pub struct Venv<'a> {
    /// Folder name under the target folder, e.g. `bench-venv`.
    pub name: &'a str,
    /// The requirements file's text (`pip install -r` syntax): the environment is rebuilt when it
    /// changes, so editing a pin takes effect without deleting anything by hand.
    pub requirements: &'a str,
    /// What installing costs and what it is for, shown before the (slow) install.
    pub purpose: &'a str,
    /// What to tell the reader when pip fails (missing compilers or headers).
    pub pip_hint: &'a str,
}

/// Where the environment records what it was built from.
const STAMP: &str = "installed-requirements.txt";

impl Venv<'_> {
    /// The environment's folder.
    pub fn dir(&self) -> PathBuf {
        target_dir().join(self.name)
    }

    /// Its Python interpreter.
    pub fn python(&self) -> PathBuf {
        self.dir().join("bin/python")
    }

    /// Whether it exists and was built from exactly these requirements.
    pub fn is_current(&self) -> bool {
        self.python().is_file()
            && std::fs::read_to_string(self.dir().join(STAMP)).is_ok_and(|s| s == self.requirements)
    }

    /// Creates (or recreates) the environment unless it is current; returns its interpreter.
    pub fn ensure(&self) -> Result<PathBuf> {
        if self.is_current() {
            return Ok(self.python());
        }
        let dir = self.dir();
        step(&format!(
            "installing into target/{}: {}",
            self.name, self.purpose
        ));
        crate::run(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&dir),
        )
        .context("creating a virtual environment needs python3 with venv (Debian: python3-venv)")?;
        let wanted = dir.join("requirements.txt");
        write(&wanted, self.requirements)?;
        crate::run(
            Command::new(self.python())
                .args(["-m", "pip", "install", "--quiet", "-r"])
                .arg(&wanted),
        )
        .with_context(|| {
            format!(
                "pip could not install target/{}: {}",
                self.name, self.pip_hint
            )
        })?;
        write(&dir.join(STAMP), self.requirements)?;
        Ok(self.python())
    }
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("{}: cannot write", path.display()))
}

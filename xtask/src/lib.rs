//! Library side of `cargo xtask`: the book checks and the figure registry, shared by the
//! command-line runner and the tests in the repository's `tests/` folder.
pub mod bench;
pub mod bookcheck;
pub mod browser;
pub mod cli;
pub mod figures;
pub mod live;
pub mod notebooks;
pub mod pages;
pub mod process;
pub mod python;
pub mod runner;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

/// The repository's top folder.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf()
}

/// `cargo`, the same one that runs xtask (`$CARGO`) when there is one.
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs a command in the repository's top folder with inherited output, failing with the
/// command's name if it cannot start, fails, or runs longer than [`process::LONG`] (builds,
/// installs, test suites; see [`process::run_within`] for other limits).
pub fn run(cmd: &mut Command) -> Result<()> {
    process::run_within(cmd, process::LONG)
}

/// The workspace's minimum Rust: `rust-version` in Cargo.toml, where alone it is written
/// (`.ci/run`, the workflow and the book read it from there).
pub fn msrv() -> Result<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml"))?;
    let table: toml::Table = toml::from_str(&manifest)?;
    table
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("rust-version"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("Cargo.toml: [workspace.package] rust-version is missing"))
}

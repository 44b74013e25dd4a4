//! Library side of `cargo xtask`: the book checks and the figure registry, shared by the
//! command-line runner and the tests in the repository's `tests/` folder.
pub mod bench;
pub mod bookcheck;
pub mod figures;
pub mod live;
pub mod notebooks;
pub mod pages;
pub mod process;
pub mod python;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

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
/// command's name if it cannot start or fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .current_dir(root())
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

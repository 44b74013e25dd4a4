//! Running the programs xtask drives: where build products go, how a step is announced, and
//! running a command so that a failure names the command and shows what it said.

use std::path::PathBuf;
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};

use crate::root;

/// Cargo's target folder (`$CARGO_TARGET_DIR` or `target/`): everything xtask installs or writes
/// for itself goes here, so a `cargo clean` removes it and the repository stays clean.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Announces a step on standard error, so long runs show where they are.
pub fn step(what: &str) {
    eprintln!("\n==> {what}");
}

/// Runs a command to completion with its output captured, failing with the command and its
/// standard error if it fails: for programs whose output is parsed rather than shown.
pub fn checked(cmd: &mut Command) -> Result<Output> {
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

/// The first line a command prints (on stdout, else stderr), or "unknown" if it cannot run: for
/// version strings and facts about the machine, where a missing tool is not an error.
pub fn first_line(cmd: &mut Command) -> String {
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

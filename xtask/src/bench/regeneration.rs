//! Timing the full figure regeneration, the cost a reader pays after changing a listing.

use std::process::Command;
use std::time::Instant;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::process::{LONG, answers_version, first_line, status_within, step, target_dir};
use crate::{cargo, root};

/// The figure regeneration timing: which command, and how long (or why it failed).
#[derive(Clone, Debug, Serialize)]
pub struct FigureTiming {
    pub command: String,
    pub seconds: Option<f64>,
    pub error: Option<String>,
    /// Why `cargo xtask book` was not the command timed, if it was not.
    pub book_skipped: Option<String>,
}

/// Times `cargo xtask book` after one untimed run that warms the build; when the pinned mdBook
/// tools are missing or the book does not build, times `cargo xtask figures` instead and says why.
pub fn time_figures() -> FigureTiming {
    let book_skipped = if have_book_tools() {
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

/// Whether `cargo xtask book` can run without first installing its tools (which is not what a
/// regeneration costs).
fn have_book_tools() -> bool {
    ["mdbook", "mdbook-katex"]
        .iter()
        .all(|t| answers_version(t))
        && first_line(Command::new("mdbook").arg("--version")).contains("0.5.4")
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
        let st = status_within(
            cargo()
                .args(["xtask", what])
                .current_dir(root())
                .stdout(file.try_clone()?)
                .stderr(file),
            LONG,
        )?;
        if !st.success() {
            bail!("{command} failed ({st}); see {}", log.display());
        }
        Ok(started.elapsed().as_secs_f64())
    };
    run()?;
    run()
}

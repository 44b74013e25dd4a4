//! Timing the live figures: one slider step of the rising-tide widget (noise, FFT, RAPSD, f_max
//! and the redraw) in headless Chromium, against the same step in native Rust, on the same
//! machine in the same run. The book asks for one step within a 60 Hz frame (16.7 ms).

use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::process::{LONG, output_within, step, target_dir};
use crate::{cargo, root, run};

/// Steps timed on each side.
const STEPS: u32 = 300;

/// What `tests/browser/live-bench.mjs` measures.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LiveTiming {
    pub chromium_updates_per_s: f64,
    pub chromium_ms_per_update: f64,
    pub frame_budget_ms: f64,
    pub native_updates_per_s: f64,
    pub ratio: f64,
}

/// Times the widget in the built book (`cargo xtask book` must have run: the figure timing does
/// that); `Err` says why it could not be timed.
pub fn time_live() -> Result<LiveTiming> {
    step("timing the live figure: one slider step in headless Chromium and natively");
    let page = root().join("book/noisy-spectra.html");
    if !page.is_file() {
        bail!("{} is missing: the book was not built", page.display());
    }
    run(cargo().args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "live",
        "--example",
        "bench_step",
    ]))?;
    let native = target_dir().join("release/examples/bench_step");
    let mut node = Command::new("node");
    node.current_dir(root())
        .arg("tests/browser/live-bench.mjs")
        .arg(root().join("book"))
        .arg(&native)
        .arg(STEPS.to_string());
    if let Some(chromium) = crate::browser::find_chromium() {
        node.env("CHROMIUM", chromium);
    }
    let out = output_within(&mut node, LONG)
        .context("cannot run node for tests/browser/live-bench.mjs")?;
    if !out.status.success() {
        bail!(
            "live-bench.mjs failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    parse(&String::from_utf8_lossy(&out.stdout))
}

/// The JSON line the script prints last.
fn parse(stdout: &str) -> Result<LiveTiming> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .context("live-bench.mjs printed no JSON line")?;
    serde_json::from_str(line).with_context(|| format!("live-bench.mjs printed {line:?}"))
}

/// The report's paragraph on the live figure.
pub fn paragraph(t: &Result<LiveTiming, String>) -> String {
    match t {
        Ok(t) => format!(
            "\nLive figure (the rising-tide widget, one slider step on a 320 × 320 photo: noise, \
             FFT, RAPSD, f_max and redraw): {:.0} updates/s in headless Chromium ({:.2} ms, \
             against a {:.1} ms frame at 60 Hz), {:.0} updates/s in native Rust: native is \
             {:.2} × faster.\n",
            t.chromium_updates_per_s,
            t.chromium_ms_per_update,
            t.frame_budget_ms,
            t.native_updates_per_s,
            t.ratio
        ),
        Err(why) => format!("\nLive figure: not timed: {why}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_line_is_read_and_reported() {
        let out = "noise\n{\"chromium_updates_per_s\": 165.0, \"chromium_ms_per_update\": 6.06, \
                   \"frame_budget_ms\": 16.7, \"native_updates_per_s\": 536.0, \"ratio\": 3.25}\n";
        let t = parse(out).unwrap();
        assert_eq!(t.native_updates_per_s, 536.0);
        let p = paragraph(&Ok(t));
        assert!(p.contains("165 updates/s") && p.contains("6.06 ms") && p.contains("3.25 ×"));
        assert!(parse("no json here").is_err());
        assert!(paragraph(&Err("book missing".into())).contains("not timed: book missing"));
    }
}

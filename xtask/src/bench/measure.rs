//! One timed run of one pipeline, and the check that the pipelines measure the same thing.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::pipeline::{Pipeline, Tools};
use crate::process::checked;

/// α̂ of the three full pipelines must agree to this before any timing is reported.
pub const ALPHA_TOLERANCE: f64 = 1e-3;

/// One run of one pipeline.
#[derive(Clone, Debug, Serialize)]
pub struct Run {
    pub pipeline: Pipeline,
    /// 0 for the untimed warm-up round, then 1, 2, …
    pub round: usize,
    /// The time the images/s are computed from.
    pub seconds: f64,
    /// Wall time of the whole process, start-up included.
    pub wall_seconds: f64,
    /// CPU time (user + system, all threads) of the same span as `seconds`, when known.
    pub cpu_seconds: Option<f64>,
    pub images: usize,
    pub alpha: Option<f64>,
}

/// Runs `p` once on the images in `dir` and reads what it reports.
pub fn run_once(p: Pipeline, tools: &Tools, dir: &Path, round: usize) -> Result<Run> {
    let started = Instant::now();
    let out = checked(&mut p.command(tools, dir))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let bad = |what: &str| format!("{p:?}: {what} missing from its output:\n{stdout}");
    let reported = if p.self_timed() {
        from_json_line(&stdout).with_context(|| bad("the JSON line with seconds and images"))?
    } else {
        from_key_values(&stdout, &stderr, wall_seconds).with_context(|| bad("images="))?
    };
    if p.fits() && reported.alpha.is_none() {
        bail!(bad("alpha"));
    }
    Ok(Run {
        pipeline: p,
        round,
        seconds: reported.seconds,
        wall_seconds,
        cpu_seconds: reported.cpu_seconds,
        images: reported.images,
        alpha: reported.alpha,
    })
}

/// What a pipeline's output says about its run.
struct Reported {
    seconds: f64,
    images: usize,
    alpha: Option<f64>,
    cpu_seconds: Option<f64>,
}

/// A Python pipeline's last JSON line: it times itself, leaving out start-up and imports.
fn from_json_line(stdout: &str) -> Option<Reported> {
    let line = stdout.lines().rev().find(|l| l.starts_with('{'))?;
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    Some(Reported {
        seconds: v["seconds"].as_f64()?,
        images: v["images"].as_u64()? as usize,
        alpha: v["alpha"].as_f64(),
        cpu_seconds: v["cpu_seconds"].as_f64(),
    })
}

/// A Rust program's `key=value` lines; its time is the wall time measured from outside, and its
/// CPU time comes from `bench-tool cpu-time` on stderr.
fn from_key_values(stdout: &str, stderr: &str, wall_seconds: f64) -> Option<Reported> {
    Some(Reported {
        seconds: wall_seconds,
        images: value(stdout, "images")?.parse().ok()?,
        alpha: value(stdout, "alpha").and_then(|v| v.parse().ok()),
        cpu_seconds: value(stderr, "cpu_seconds").and_then(|v| v.parse().ok()),
    })
}

/// `key=value` from a line of `spectra`/`bench-tool` output.
fn value(stdout: &str, key: &str) -> Option<String> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(|v| v.trim().to_string())
}

/// Every pipeline saw every image, and the fits agree with the post's pipeline: timings of
/// pipelines that measure different things would compare nothing.
pub fn check_alphas(warm: &[Run], images: usize) -> Result<()> {
    for r in warm {
        if r.images != images {
            bail!(
                "{:?} measured {} images, not {images}",
                r.pipeline,
                r.images
            );
        }
    }
    let reference = alpha_of(warm, Pipeline::Pysteps).context("pysteps gave no α̂")?;
    for r in warm.iter().filter(|r| r.pipeline.fits()) {
        let a = r.alpha.context("fitting pipelines report α̂")?;
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

/// The α̂ a pipeline gave in the given runs (the warm-up round's, in the report).
pub fn alpha_of(runs: &[Run], p: Pipeline) -> Option<f64> {
    runs.iter().find(|r| r.pipeline == p).and_then(|r| r.alpha)
}

#[cfg(test)]
mod tests {
    use super::super::stats::tests::fake_runs;
    use super::*;

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
        let r = from_key_values(out, "cpu_seconds=3.5\n", 1.25).unwrap();
        assert_eq!((r.seconds, r.images, r.cpu_seconds), (1.25, 512, Some(3.5)));
    }

    #[test]
    fn python_pipelines_report_a_json_line() {
        let out = "warming up\n{\"seconds\": 2.0, \"images\": 512, \"alpha\": 2.5}\n";
        let r = from_json_line(out).unwrap();
        assert_eq!((r.seconds, r.images, r.alpha), (2.0, 512, Some(2.5)));
        assert!(from_json_line("no json\n").is_none());
    }
}

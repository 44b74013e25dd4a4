//! Timing the trained denoiser of "A trained denoiser": training speed, one whole-photo denoise,
//! and the training step's floating-point rate as a fraction of what candle's own large matrix
//! multiply reaches on the same cores in the same run (how close training gets to what the
//! machine can do). Measured by the `trained` package's `bench_training` example, in release.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::process::{LONG, output_within, step, target_dir};
use crate::{cargo, root, run};

/// What `bench_training` prints.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct TrainingTiming {
    pub crops_per_s: f64,
    pub steps_per_s: f64,
    pub denoise_320_ms: f64,
    pub training_gflops: f64,
    pub matmul_gflops: f64,
    pub fraction: f64,
    pub threads: usize,
}

/// Builds and runs the example; `Err` says why it could not be timed.
pub fn time_training() -> Result<TrainingTiming> {
    step(
        "timing the trained denoiser: training steps, a 320 × 320 denoise, a 2048³ matrix product",
    );
    run(cargo().current_dir(root()).args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "trained",
        "--example",
        "bench_training",
    ]))?;
    let binary = target_dir().join("release/examples/bench_training");
    let mut command = std::process::Command::new(&binary);
    let out = output_within(command.current_dir(root()), LONG)
        .with_context(|| format!("cannot run {}", binary.display()))?;
    if !out.status.success() {
        bail!(
            "bench_training failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    parse(&String::from_utf8_lossy(&out.stdout))
}

/// The JSON line the example prints last.
fn parse(stdout: &str) -> Result<TrainingTiming> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .context("bench_training printed no JSON line")?;
    serde_json::from_str(line).with_context(|| format!("bench_training printed {line:?}"))
}

/// The report's paragraph on the trained denoiser.
pub fn paragraph(t: &Result<TrainingTiming, String>) -> String {
    match t {
        Ok(t) => format!(
            "\nTrained denoiser (\"A trained denoiser\", {} threads): training at {:.1} crops/s \
             ({:.2} steps/s of the book's configuration); one 320 × 320 photo denoised in \
             {:.0} ms. A training step does {:.1} GFLOP/s of the U-Net's arithmetic, {:.2} of the \
             {:.1} GFLOP/s of candle's 2048 × 2048 × 2048 matrix product in the same run.\n",
            t.threads,
            t.crops_per_s,
            t.steps_per_s,
            t.denoise_320_ms,
            t.training_gflops,
            t.fraction,
            t.matmul_gflops
        ),
        Err(why) => format!("\nTrained denoiser: not timed: {why}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_line_is_read_and_reported() {
        let out = "training…\n{\"crops_per_s\": 13.1, \"steps_per_s\": 0.82, \"denoise_320_ms\": \
                   640.0, \"training_gflops\": 45.5, \"matmul_gflops\": 120.0, \"fraction\": \
                   0.379, \"threads\": 2}\n";
        let t = parse(out).unwrap();
        assert_eq!(t.threads, 2);
        let p = paragraph(&Ok(t));
        assert!(p.contains("13.1 crops/s") && p.contains("640 ms") && p.contains("0.38 of"));
        assert!(parse("nothing").is_err());
        assert!(paragraph(&Err("no weights".into())).contains("not timed: no weights"));
    }
}

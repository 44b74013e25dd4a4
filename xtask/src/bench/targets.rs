//! What the benchmark was built to show, and whether a run shows it. The verdicts go to the
//! terminal only: the recorded report is a page of the book, which states measurements, not a
//! work log's pass or fail.

use std::fmt::Write as _;

use super::pipeline::Pipeline::{Decode, Numpy, Pysteps, Rust};
use super::regeneration::FigureTiming;
use super::stats::{Summary, added, speedup};

/// Rust's images/s against the post's pipeline (Pillow + pysteps), at least.
pub const TARGET_VS_PYSTEPS: f64 = 10.0;
/// Rust's images/s against the tuned NumPy pipeline, at least.
pub const TARGET_VS_NUMPY: f64 = 4.0;
/// The spectral work may add at most this fraction to the decode-and-resize time.
pub const TARGET_SPECTRAL_SHARE: f64 = 0.30;
/// A full figure regeneration with a warm build, at most, in seconds.
pub const TARGET_FIGURES_SECONDS: f64 = 20.0;

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// The targets and the run's medians against them, one line each, for the terminal.
pub fn verdicts(sum: &Summary<'_>, figures: &Option<FigureTiming>) -> String {
    let rows = [
        (
            "Rust / pysteps, images/s",
            sum.per_round(false, &speedup(Rust, Pysteps)).median,
            TARGET_VS_PYSTEPS,
            true,
        ),
        (
            "Rust / tuned NumPy, images/s",
            sum.per_round(false, &speedup(Rust, Numpy)).median,
            TARGET_VS_NUMPY,
            true,
        ),
        (
            "spectral work added to decode + resize, time",
            sum.per_round(false, &added(Rust, Decode)).median,
            TARGET_SPECTRAL_SHARE,
            false,
        ),
    ];
    let mut s = String::from("Targets (medians of the timed rounds, wall time):\n");
    for (name, median, bound, at_least) in rows {
        let (sign, ok) = if at_least {
            ("≥", median >= bound)
        } else {
            ("≤", median <= bound)
        };
        let _ = writeln!(
            s,
            "  {name}: {median:.2}, target {sign} {bound:.2}: {}",
            verdict(ok)
        );
    }
    if let Some(sec) = figures.as_ref().and_then(|f| f.seconds) {
        let _ = writeln!(
            s,
            "  full figure regeneration: {sec:.1} s, target ≤ {TARGET_FIGURES_SECONDS} s: {}",
            verdict(sec <= TARGET_FIGURES_SECONDS)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::stats::tests::fake_runs;
    use super::*;

    #[test]
    fn the_terminal_verdicts_use_the_targets() {
        // Rust is 20× pysteps, 1× NumPy, and adds 0.25 to decode + resize; figures take 25 s.
        let runs = fake_runs();
        let sum = Summary {
            runs: &runs,
            reps: 3,
        };
        let figures = Some(FigureTiming {
            command: "cargo xtask book".into(),
            seconds: Some(25.0),
            error: None,
            book_skipped: None,
        });
        let text = verdicts(&sum, &figures);
        for line in [
            format!("Rust / pysteps, images/s: 20.00, target ≥ {TARGET_VS_PYSTEPS:.2}: met"),
            format!("Rust / tuned NumPy, images/s: 1.00, target ≥ {TARGET_VS_NUMPY:.2}: MISSED"),
            format!(
                "spectral work added to decode + resize, time: 0.25, target ≤ \
                 {TARGET_SPECTRAL_SHARE:.2}: met"
            ),
            format!(
                "full figure regeneration: 25.0 s, target ≤ {TARGET_FIGURES_SECONDS} s: MISSED"
            ),
        ] {
            assert!(text.contains(&line), "{text}\nshould contain {line:?}");
        }
    }
}

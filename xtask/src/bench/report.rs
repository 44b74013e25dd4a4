//! The report: a Markdown page of measurements, printed, written under `target/bench/` and, with
//! `--record`, kept as `bench/report.md` for the book's performance appendix, which includes it
//! verbatim. It therefore states what was measured and how, never targets or verdicts (those are
//! printed separately, see `targets`).

use std::fmt::Write as _;

use super::machine::Machine;
use super::measure::{ALPHA_TOLERANCE, Run, alpha_of};
use super::options::Options;
use super::pipeline::Pipeline::{self, Decode, Jpeg, Numpy, NumpyPool, PillowJpeg, Pysteps, Rust};
use super::regeneration::FigureTiming;
use super::stats::{Spread, Summary, added, share, speedup};

/// Everything the report is made from.
pub struct Inputs<'a> {
    pub machine: &'a Machine,
    pub set_line: &'a str,
    pub options: &'a Options,
    /// The untimed warm-up round, whose α̂ the report shows.
    pub warm: &'a [Run],
    pub runs: &'a [Run],
    pub figures: &'a Option<FigureTiming>,
    /// The live figure's speed in the browser and natively (timed with the figures).
    pub live: &'a Option<Result<super::live::LiveTiming, String>>,
    /// The trained denoiser's training and inference speed.
    pub training: &'a Result<super::training::TrainingTiming, String>,
}

/// The whole report, with a title (the recorded copy drops it, see [`recorded_report`]).
pub fn report(i: &Inputs<'_>) -> String {
    let sum = Summary {
        runs: i.runs,
        reps: i.options.reps,
    };
    let cores = i.machine.cores;
    let mut s = String::from(
        "# Benchmark: the book's Rust pipeline against the post's Python pipeline\n\n",
    );
    s += &setting(i);
    s += &pipelines_table(&sum, i.warm, cores);
    s += &alpha_agreement(i.warm);
    s += &ratio_table(
        "Speed-up ratios, from wall time (each taken within one round):",
        &wall_ratios(&sum),
    );
    s += "\n";
    s += &ratio_table(
        &format!(
            "The same from CPU time per image, which other work on the machine disturbs less \
             (a speed-up per core: on {cores} idle cores the Rust images/s would be up to \
             {cores} × these, the Python ones unchanged), and the extra rows:"
        ),
        &cpu_and_extra_ratios(&sum, cores),
    );
    s += "\nRust times are wall and CPU times of the whole process; the Python pipelines time \
          themselves from the file listing to the fit (interpreter start-up and imports excluded; \
          a Pool's CPU time is not measured). `spectra fit` runs with `--bootstrap 2`, the least \
          it allows, since the Python pipelines fit no interval.\n";
    if let Some(live) = i.live {
        s += &super::live::paragraph(live);
    }
    s += &super::training::paragraph(i.training);
    if let Some(f) = i.figures {
        s += &regeneration(f);
    }
    s
}

/// The machine, the image set and the protocol.
fn setting(i: &Inputs<'_>) -> String {
    let m = i.machine;
    let reps = i.options.reps;
    format!(
        "Machine: {}, {} cores available, {}; load average {} before, {} after \
         (other work on the machine shares these cores).  \n{}; {}.\n\n\
         Set: {} (made by `bench-tool make-set`, deterministic). {reps} timed round{} after \
         one untimed warm-up round; the pipelines alternate within each round.\n\n",
        m.cpu,
        m.cores,
        m.os,
        m.load_before,
        m.load_after,
        m.rustc,
        m.python,
        i.set_line,
        if reps == 1 { "" } else { "s" }
    )
}

/// `median | min – max` with `digits` decimals.
fn range(v: Spread, digits: usize) -> String {
    format!(
        "{:.d$} | {:.d$} – {:.d$}",
        v.median,
        v.min,
        v.max,
        d = digits
    )
}

fn alpha_text(a: Option<f64>) -> String {
    a.map_or("(no fit)".into(), |a| format!("{a:.6}"))
}

/// One row per pipeline: rate, time, CPU cost and α̂.
fn pipelines_table(sum: &Summary<'_>, warm: &[Run], cores: usize) -> String {
    let mut s = String::from(
        "| pipeline | images/s, median | min – max | seconds, median | CPU ms/image, median | \
         min – max | α̂ |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for p in Pipeline::ALL {
        let cpu = sum.cpu_ms(p).map_or("– | –".to_string(), |c| range(c, 2));
        let _ = writeln!(
            s,
            "| {} | {} | {:.2} | {cpu} | {} |",
            p.label(cores),
            range(sum.rate(p), 1),
            sum.seconds(p).median,
            alpha_text(alpha_of(warm, p))
        );
    }
    s
}

fn alpha_agreement(warm: &[Run]) -> String {
    let a = |p| alpha_of(warm, p).unwrap_or(f64::NAN);
    format!(
        "\nα̂ agreement (required ≤ {ALPHA_TOLERANCE:.0e}): |Rust − pysteps| = {:.1e}, \
         |tuned NumPy − pysteps| = {:.1e}.\n\n",
        (a(Rust) - a(Pysteps)).abs(),
        (a(Numpy) - a(Pysteps)).abs()
    )
}

/// A `ratio | median | min – max` table after an introducing sentence.
fn ratio_table(intro: &str, rows: &[(String, Spread)]) -> String {
    let mut s = format!("{intro}\n\n| ratio | median | min – max |\n|---|---:|---:|\n");
    for (name, v) in rows {
        let _ = writeln!(s, "| {name} | {} |", range(*v, 2));
    }
    s
}

/// The three headline ratios, from wall time.
fn wall_ratios(sum: &Summary<'_>) -> Vec<(String, Spread)> {
    vec![
        (
            "Rust / pysteps, images/s".into(),
            sum.per_round(false, &speedup(Rust, Pysteps)),
        ),
        (
            "Rust / tuned NumPy, images/s".into(),
            sum.per_round(false, &speedup(Rust, Numpy)),
        ),
        (
            "spectral work added to decode + resize, time".into(),
            sum.per_round(false, &added(Rust, Decode)),
        ),
    ]
}

/// The headline ratios again from CPU time, then what decoding alone explains.
fn cpu_and_extra_ratios(sum: &Summary<'_>, cores: usize) -> Vec<(String, Spread)> {
    let cpu =
        |name: &str, f: super::stats::RoundStat<'_>| (name.to_string(), sum.per_round(true, f));
    let wall =
        |name: &str, f: super::stats::RoundStat<'_>| (name.to_string(), sum.per_round(false, f));
    vec![
        cpu("CPU per image: pysteps / Rust", &speedup(Rust, Pysteps)),
        cpu("CPU per image: tuned NumPy / Rust", &speedup(Rust, Numpy)),
        cpu(
            "CPU: spectral work added to decode + resize",
            &added(Rust, Decode),
        ),
        cpu(
            "CPU: JPEG decoding's share of the whole Rust pipeline",
            &share(Jpeg, Rust),
        ),
        cpu(
            "CPU per image: Pillow's JPEG decoding / Rust's",
            &speedup(Jpeg, PillowJpeg),
        ),
        wall(
            "wall: Rust / pysteps if only JPEG decoding took time",
            &speedup(Jpeg, Pysteps),
        ),
        wall(
            "wall: Rust / tuned NumPy if only JPEG decoding took time",
            &speedup(Jpeg, Numpy),
        ),
        wall(
            &format!("tuned NumPy, wall: Pool({cores}) / 1 process"),
            &speedup(NumpyPool, Numpy),
        ),
    ]
}

/// The figure regeneration's time, or why it was not timed.
fn regeneration(f: &FigureTiming) -> String {
    let mut s = match (f.seconds, &f.error) {
        (Some(sec), _) => format!(
            "\nFull figure regeneration, `{}` with a warm build: {sec:.1} s.\n",
            f.command
        ),
        (None, e) => format!(
            "\nFull figure regeneration, `{}`: not timed: {}\n",
            f.command,
            e.as_deref().unwrap_or("unknown error")
        ),
    };
    if let Some(why) = &f.book_skipped {
        let _ = writeln!(s, "\n`cargo xtask book` was not timed: {why}");
    }
    s
}

/// The report as the appendix shows it: dated, without its own title (the appendix has one).
pub fn recorded_report(report: &str, date: &str) -> String {
    let body = report
        .split_once('\n')
        .map_or(report, |(_, rest)| rest)
        .trim_start();
    format!(
        "Run of {date}, recorded with `cargo xtask bench --record`.\n\n{}\n",
        body.trim_end()
    )
}

#[cfg(test)]
mod tests {
    use super::super::stats::tests::fake_runs;
    use super::*;
    use crate::root;

    #[test]
    fn the_appendix_states_the_benchmarks_tolerance() {
        let appendix = std::fs::read_to_string(root().join("src/performance.md")).unwrap();
        // Line breaks fall anywhere in the prose: compare with single spaces.
        let appendix = appendix.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            ALPHA_TOLERANCE, 1e-3,
            "the appendix writes the tolerance as 10⁻³"
        );
        assert!(
            appendix.contains("within 10⁻³"),
            "src/performance.md should say \"within 10⁻³\""
        );
    }

    fn sample_report() -> String {
        let runs = fake_runs();
        let warm: Vec<Run> = runs.iter().filter(|r| r.round == 1).cloned().collect();
        let machine = Machine {
            cpu: "a CPU".into(),
            cores: 2,
            os: "an OS".into(),
            load_before: "0.1".into(),
            load_after: "0.2".into(),
            rustc: "rustc".into(),
            python: "Python".into(),
        };
        let options = Options {
            images: 512,
            reps: 3,
            figures: true,
            record: false,
        };
        let figures = Some(FigureTiming {
            command: "cargo xtask book".into(),
            seconds: Some(25.0),
            error: None,
            book_skipped: None,
        });
        report(&Inputs {
            machine: &machine,
            set_line: "files=500",
            options: &options,
            warm: &warm,
            runs: &runs,
            figures: &figures,
            live: &None,
            training: &Err("not timed in this test".into()),
        })
    }

    #[test]
    fn the_report_reads_as_a_book_page_without_targets_or_verdicts() {
        let r = sample_report();
        for word in ["target", "met)", "| met", "MISSED", "issue"] {
            assert!(!r.contains(word), "the report says {word:?}:\n{r}");
        }
        assert!(
            r.contains("| Rust / pysteps, images/s | 20.00 | 10.00 – 30.00 |"),
            "{r}"
        );
        assert!(r.contains("with a warm build: 25.0 s.\n"), "{r}");
    }

    #[test]
    fn the_recorded_report_is_dated_and_drops_the_title() {
        let r = recorded_report("# Benchmark\n\nMachine: x\n\n| a |\n", "2026-11-28");
        assert_eq!(
            r,
            "Run of 2026-11-28, recorded with `cargo xtask bench --record`.\n\nMachine: x\n\n| a |\n"
        );
    }
}

//! Running the figure listings: each as its own program with its outputs sent to one folder, as
//! many at a time as there are cores (most listings are single-threaded), every one to the end
//! even when another fails, so a run reports every failing listing with what it said, not just
//! the first.
//!
//! A listing's standard output is kept as `<package>.out.txt` beside its figures, for the chapter
//! to show; its standard error (notes, warnings) is kept in the run's log, under its line.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::figures::Figure;
use crate::process::output_within;
use crate::root;

/// One listing to run: its package, its program, the figures it declares.
pub struct Listing {
    pub package: String,
    pub program: PathBuf,
    pub figures: Vec<Figure>,
}

/// What a listing that ran left: its time and what it said on standard error.
#[derive(Debug)]
pub struct Ran {
    pub seconds: f64,
    pub stderr: String,
}

/// Runs every listing with its outputs in `out`, `workers` at a time, each stopped after
/// `limit`; the outcomes are in the listings' order, a failure as one message with the
/// listing's standard error.
pub fn run_all(
    listings: &[Listing],
    out: &Path,
    workers: usize,
    limit: Duration,
) -> Vec<Result<Ran, String>> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, Result<Ran, String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.clamp(1, listings.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(listing) = listings.get(i) else {
                            return done;
                        };
                        done.push((i, run_one(listing, out, limit)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a listing runner panicked"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Runs one listing and checks that it wrote every figure it declares.
fn run_one(listing: &Listing, out: &Path, limit: Duration) -> Result<Ran, String> {
    let started = Instant::now();
    let output = output_within(
        Command::new(&listing.program)
            .env("BOOK_OUT_DIR", out)
            .current_dir(root()),
        limit,
    )
    .map_err(|e| format!("{e:#}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr)
        .trim_end()
        .to_string();
    if !output.status.success() {
        return Err(format!(
            "{} ({}):\n{}",
            listing.package,
            output.status,
            indent(&stderr)
        ));
    }
    let stdout = out.join(format!("{}.out.txt", listing.package));
    std::fs::write(&stdout, &output.stdout).map_err(|e| {
        format!(
            "{}: cannot write {}: {e}",
            listing.package,
            stdout.display()
        )
    })?;
    for f in &listing.figures {
        if !out.join(&f.file).is_file() {
            return Err(format!(
                "{} did not write its figure {} ({})",
                listing.package, f.id, f.file
            ));
        }
    }
    Ok(Ran {
        seconds: started.elapsed().as_secs_f64(),
        stderr,
    })
}

fn indent(text: &str) -> String {
    if text.is_empty() {
        return "        (nothing on standard error)".into();
    }
    text.lines()
        .map(|l| format!("        {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prints the run's log (every listing's time, and its standard error when it said anything),
/// then fails naming every listing that failed, each with its message.
pub fn report(listings: &[Listing], results: &[Result<Ran, String>]) -> Result<()> {
    let mut failed = Vec::new();
    for (listing, result) in listings.iter().zip(results) {
        match result {
            Ok(ran) => {
                eprintln!("    {:<28} {:>6.1} s", listing.package, ran.seconds);
                if !ran.stderr.is_empty() {
                    eprintln!("{}", indent(&ran.stderr));
                }
            }
            Err(problem) => {
                eprintln!("    {:<28} FAILED", listing.package);
                failed.push((listing.package.as_str(), problem));
            }
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = failed.iter().map(|(name, _)| *name).collect();
    let details: Vec<String> = failed.iter().map(|(_, p)| format!("  {p}")).collect();
    bail!(
        "{} of {} listings failed ({}):\n{}",
        failed.len(),
        listings.len(),
        names.join(", "),
        details.join("\n")
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A listing played by a shell script.
    fn script(dir: &Path, package: &str, body: &str, figures: &[&str]) -> Listing {
        let program = dir.join(package);
        std::fs::write(&program, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        Listing {
            package: package.into(),
            program,
            figures: figures
                .iter()
                .map(|f| Figure {
                    id: "F0".into(),
                    file: f.to_string(),
                    package: package.into(),
                })
                .collect(),
        }
    }

    #[test]
    fn every_failing_listing_is_reported_with_what_it_said() {
        let bin = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let listings = vec![
            script(
                bin.path(),
                "a-broken",
                "echo 'thread main panicked: no photos' >&2; exit 101",
                &[],
            ),
            script(
                bin.path(),
                "b-fine",
                "echo 'alpha = 2.4'; echo 'note: slow' >&2",
                &[],
            ),
            script(
                bin.path(),
                "c-broken-too",
                "echo 'cannot read data/x.wav' >&2; exit 1",
                &[],
            ),
            script(bin.path(), "d-forgetful", "true", &["d.png"]),
        ];
        let results = run_all(&listings, out.path(), 2, Duration::from_secs(60));
        let fine = results[1].as_ref().unwrap();
        assert_eq!(fine.stderr, "note: slow");
        assert_eq!(
            std::fs::read_to_string(out.path().join("b-fine.out.txt")).unwrap(),
            "alpha = 2.4\n"
        );
        let e = report(&listings, &results).unwrap_err().to_string();
        assert!(
            e.starts_with("3 of 4 listings failed (a-broken, c-broken-too, d-forgetful)"),
            "{e}"
        );
        for words in [
            "thread main panicked: no photos",
            "cannot read data/x.wav",
            "d-forgetful did not write its figure F0 (d.png)",
        ] {
            assert!(e.contains(words), "{words}: {e}");
        }
    }

    #[test]
    fn a_listing_that_hangs_is_stopped() {
        let bin = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let listings = vec![script(bin.path(), "stuck", "sleep 30", &[])];
        let results = run_all(&listings, out.path(), 1, Duration::from_millis(200));
        let e = results[0].as_ref().unwrap_err();
        assert!(e.contains("time limit"), "{e}");
    }
}

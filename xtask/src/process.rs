//! Running the programs xtask drives: where build products go, how a step is announced, and
//! running a command so that a failure names the command and shows what it said.
//!
//! Every child gets a time limit ([`QUICK`], [`LISTING`], [`LONG`], [`SERVE`]): a listing stuck
//! in a loop, a browser that never answers or a download that stalls fails its step, naming the
//! command and the limit, instead of hanging the run for ever. The limit stops the child itself
//! (not the processes it started: they stay in the terminal's process group, so Ctrl-C still
//! reaches them).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::root;

/// Version queries, tool lists, opening a browser: a minute.
pub const QUICK: Duration = Duration::from_secs(60);
/// One figure listing: the slowest takes about a minute on two cores; twenty is a hang.
pub const LISTING: Duration = Duration::from_secs(20 * 60);
/// Builds, installs, test suites, browser checks, notebook runs: a cold build of the workspace and
/// its tools takes tens of minutes on two cores; three hours is a hang.
pub const LONG: Duration = Duration::from_secs(3 * 60 * 60);
/// `mdbook serve`, which runs until the reader stops it: a working day.
pub const SERVE: Duration = Duration::from_secs(12 * 60 * 60);

/// Cargo's target folder (`$CARGO_TARGET_DIR` or `target/`): everything xtask installs or writes
/// for itself goes here, so a `cargo clean` removes it and the repository stays clean.
pub fn target_dir() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| root());
    target_dir_from(std::env::var_os("CARGO_TARGET_DIR"), &cwd, &root())
}

/// [`target_dir`] for a given environment: a relative `CARGO_TARGET_DIR` is relative to the
/// folder cargo was started in, as cargo reads it; made absolute here because xtask starts its
/// children in the repository's top folder.
pub fn target_dir_from(var: Option<std::ffi::OsString>, cwd: &Path, root: &Path) -> PathBuf {
    match var.filter(|v| !v.is_empty()) {
        Some(dir) => cwd.join(dir),
        None => root.join("target"),
    }
}

/// Announces a step on standard error, so long runs show where they are: with the time since
/// the first step and the free disk space where build products go, so that a run that fails on
/// a small machine (CI's) shows where its time and its disk went.
pub fn step(what: &str) {
    static FIRST: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let elapsed = FIRST.get_or_init(Instant::now).elapsed().as_secs();
    let dir = Some(target_dir())
        .filter(|d| d.exists())
        .unwrap_or_else(root);
    match free_gigabytes(&dir) {
        Some(free) => eprintln!("\n==> {what} (at {elapsed} s; {free:.1} GB free)"),
        None => eprintln!("\n==> {what} (at {elapsed} s)"),
    }
}

/// The free space on `dir`'s file system, from POSIX `df -Pk` (none where `df` is missing).
fn free_gigabytes(dir: &Path) -> Option<f64> {
    let out = Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    available_kib(&text).map(|kib| kib as f64 * 1024.0 / 1e9)
}

/// The "Available" column of `df -P`'s one data line, in KiB.
fn available_kib(df: &str) -> Option<u64> {
    df.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()
}

/// Runs a command in the repository's top folder with inherited output, failing with the
/// command's name if it cannot start, fails, or runs longer than `limit`.
pub fn run_within(cmd: &mut Command, limit: Duration) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = status_within(cmd.current_dir(root()), limit)?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

/// Runs a command to completion with its stdio as configured, stopping it after `limit`.
pub fn status_within(cmd: &mut Command, limit: Duration) -> Result<ExitStatus> {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {shown}"))?;
    wait_within(&mut child, limit, &shown)
}

/// Runs a command with its output captured, stopping it after `limit`; its exit status is in
/// the result (not checked).
pub fn output_within(cmd: &mut Command, limit: Duration) -> Result<Output> {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {shown}"))?;
    // Both pipes are drained while the child runs: a child filling one would otherwise block.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    // On a timeout the readers are left to finish on their own: a process the child started may
    // hold the pipes open long after the child is stopped.
    let status = wait_within(&mut child, limit, &shown)?;
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

/// Waits for a child, killing it if it runs longer than `limit`.
fn wait_within(child: &mut Child, limit: Duration, shown: &str) -> Result<ExitStatus> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if started.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{shown} was stopped after running for {} (its time limit): it hangs, or this \
                 machine is far slower than expected",
                duration_text(limit)
            );
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

/// "20 min", "3 h", "1.5 s".
fn duration_text(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 3600.0 {
        format!("{:.0} h", s / 3600.0)
    } else if s >= 60.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{s:.1} s")
    }
}

/// Runs a command to completion with its output captured, failing with the command and its
/// standard error if it fails: for programs whose output is parsed rather than shown.
pub fn checked(cmd: &mut Command) -> Result<Output> {
    let shown = format!("{cmd:?}");
    let out = output_within(cmd, LONG)?;
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
    output_within(cmd, QUICK)
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

/// Whether a program runs and answers `--version` successfully.
pub fn answers_version(program: &str) -> bool {
    output_within(Command::new(program).arg("--version"), QUICK).is_ok_and(|o| o.status.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_free_space_is_read_from_the_available_column_of_df() {
        let df = "Filesystem     1024-blocks      Used Available Capacity Mounted on\n\
                  /dev/vda        263174212  43216180 206516092      18% /\n";
        assert_eq!(available_kib(df), Some(206_516_092));
        assert_eq!(
            available_kib("Filesystem 1024-blocks Used Available\n"),
            None
        );
        assert_eq!(
            available_kib("df: /nowhere: No such file or directory\n"),
            None
        );
    }

    #[test]
    fn the_target_folder_follows_cargo_target_dir() {
        let (cwd, root) = (Path::new("/home/me/book/sub"), Path::new("/home/me/book"));
        assert_eq!(target_dir_from(None, cwd, root), root.join("target"));
        assert_eq!(
            target_dir_from(Some("".into()), cwd, root),
            root.join("target")
        );
        assert_eq!(
            target_dir_from(Some("/fast/disk".into()), cwd, root),
            Path::new("/fast/disk")
        );
        assert_eq!(
            target_dir_from(Some("build".into()), cwd, root),
            cwd.join("build")
        );
    }

    /// Everything xtask writes for itself goes under [`target_dir`]: outside this file, no path
    /// into `target/` is spelled out in its sources.
    #[test]
    fn no_source_builds_a_path_into_target_by_hand() {
        let mut stack = vec![root().join("xtask/src")];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("process.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let by_hand: Vec<&str> = text
                        .lines()
                        .filter(|l| l.contains("join(\"target") || l.contains("\"target/"))
                        .collect();
                    assert!(by_hand.is_empty(), "{}: {by_hand:?}", path.display());
                }
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_child_that_runs_too_long_is_stopped_and_named() {
        let e = output_within(Command::new("sleep").arg("30"), Duration::from_millis(200))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"sleep\" \"30\"") && e.contains("time limit"),
            "{e}"
        );
        let out = output_within(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            QUICK,
        )
        .unwrap();
        assert_eq!(
            (out.stdout, out.stderr),
            (b"out\n".to_vec(), b"err\n".to_vec())
        );
        assert_eq!(out.status.code(), Some(3));
    }
}

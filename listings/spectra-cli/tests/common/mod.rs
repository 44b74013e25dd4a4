//! Running the `spectra` binary from the tests, and reading what it prints.
#![allow(dead_code)] // each test file uses some of these

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The binary with `args`, its environment cleaned of what could change its behaviour.
pub fn command<S: AsRef<OsStr>>(args: &[S]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spectra"));
    cmd.args(args)
        // A backtrace must not appear even when the environment asks for one.
        .env("RUST_BACKTRACE", "1");
    // Downloads in the tests go to 127.0.0.1 only, never through a proxy.
    for proxy in [
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(proxy);
    }
    cmd
}

pub fn finish(mut cmd: Command) -> Run {
    let out = cmd.output().expect("the spectra binary runs");
    Run {
        code: out
            .status
            .code()
            .expect("spectra exits normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

pub fn spectra<S: AsRef<OsStr>>(args: &[S]) -> Run {
    finish(command(args))
}

/// Runs spectra, requiring success and a silent stderr, and returns its stdout.
pub fn ok<S: AsRef<OsStr> + std::fmt::Debug>(args: &[S]) -> String {
    let run = spectra(args);
    assert_eq!(run.code, 0, "{args:?} failed: {}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    run.stdout
}

/// `header` and the rows of a two-column CSV.
pub fn csv(text: &str) -> (String, Vec<(f64, f64)>) {
    let mut lines = text.lines();
    let header = lines.next().expect("a header").to_string();
    let rows = lines
        .map(|l| {
            let (a, b) = l.split_once(',').expect("two columns");
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    (header, rows)
}

/// The `key=value` lines of `spectra fit`.
pub fn key_values(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| {
            let (k, v) = l.split_once('=').expect("key=value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

pub fn value(kv: &[(String, String)], key: &str) -> f64 {
    kv.iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key} in {kv:?}"))
        .1
        .parse()
        .unwrap()
}

/// An error run: exit code 1, nothing on stdout, one line `spectra: <file>: …` on stderr, no
/// panic, no backtrace.
pub fn assert_failed_naming(run: &Run, what: &str, file: &Path) {
    assert_eq!(run.code, 1, "{what}: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{what} printed {}", run.stdout);
    let prefix = format!("spectra: {}: ", file.display());
    assert!(run.stderr.starts_with(&prefix), "{what}: {}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    for word in ["panicked", "Caused by", "backtrace"] {
        assert!(!run.stderr.contains(word), "{}", run.stderr);
    }
    // Causes are joined on one line without repeating one another (image errors echo their source).
    let parts: Vec<&str> = run.stderr.trim_end().split(": ").collect();
    assert!(parts.windows(2).all(|w| w[0] != w[1]), "{}", run.stderr);
}

/// Runs spectra and expects [`assert_failed_naming`].
pub fn assert_fails_naming(args: &[&OsStr], file: &Path) {
    assert_failed_naming(&spectra(args), &format!("{args:?}"), file);
}

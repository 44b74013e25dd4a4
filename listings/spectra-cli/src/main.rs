//! `spectra`: the book's image measurements on your own photos.
//!
//! Run: `cargo run --release -p spectra-cli -- --help`, or install it: `cargo install --path listings/spectra-cli`.
//! Pieces: everything is in [`spectra_cli::cli`] (loading through `bookkit::data`, the RAPSD, fits and
//! schedules of `spectral`, downloads through [`spectra_cli::fetch`]); this file only parses the
//! command line and prints.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use bookkit::data::BadFile;
use spectra_cli::cli::measure::{panic_is_handled, panic_text};
use spectra_cli::cli::{Cli, error_line, run};

fn main() -> ExitCode {
    quiet_panics();
    // Usage errors and --help exit here, with clap's codes (2 and 0).
    let cli = Cli::parse();
    let mut warn = |bad: &BadFile| eprintln!("spectra: warning: {bad}");
    match run(&cli, &mut warn) {
        Ok(output) => write_stdout(&output),
        Err(err) => {
            // The whole cause chain on one line; returning the error from `main` would print a
            // multi-line "Caused by" report (and a backtrace with RUST_BACKTRACE set).
            eprintln!("spectra: {}", error_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// A panic is a bug, reported as one line without a backtrace; a panic while decoding one file is
/// that file's problem, reported as a warning by the measuring code, so it prints nothing here.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        if !panic_is_handled() {
            let text = panic_text(info.payload());
            eprintln!("spectra: internal error (please report it): {text}");
        }
    }));
}

/// Prints the finished output; a reader that stopped reading (`spectra rapsd … | head`) is fine.
fn write_stdout(output: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spectra: stdout: cannot write the output: {e}");
            ExitCode::FAILURE
        }
    }
}

//! Progress bars on stderr, drawn only when stderr is a terminal: a reader watching a long run
//! sees it move, while pipes, logs and tests get nothing but the results.

use std::io::IsTerminal;

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

fn target() -> ProgressDrawTarget {
    if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}

/// A bar counting `len` files.
pub fn files(len: u64, what: &str) -> ProgressBar {
    let style =
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} files, {rate}/s, {eta} left")
            .expect("the template is valid")
            // indicatif's own {per_sec} prints four decimals of files per second.
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}", state.per_sec());
                },
            );
    ProgressBar::with_draw_target(Some(len), target())
        .with_style(style)
        .with_message(what.to_string())
}

/// A bar counting downloaded bytes (its length is set once the server tells it).
pub fn bytes(what: &str) -> ProgressBar {
    let style = ProgressStyle::with_template(
        "{msg} {wide_bar} {bytes}/{total_bytes}, {bytes_per_sec}, {eta} left",
    )
    .expect("the template is valid");
    ProgressBar::with_draw_target(None, target())
        .with_style(style)
        .with_message(what.to_string())
}

/// A spinner for a step that gives no count (a bootstrap), ticking on its own.
pub fn spinner(what: &str) -> ProgressBar {
    let style =
        ProgressStyle::with_template("{spinner} {msg}, {elapsed}").expect("the template is valid");
    let bar = ProgressBar::with_draw_target(None, target())
        .with_style(style)
        .with_message(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

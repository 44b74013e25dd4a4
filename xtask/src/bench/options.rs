//! The command line of `cargo xtask bench`, as declared in `main.rs` and parsed by [`crate::cli`].

use anyhow::{Result, anyhow, bail};

use crate::cli::Parsed;

/// Command-line options of `cargo xtask bench`.
#[derive(Clone, Debug)]
pub struct Options {
    pub images: usize,
    pub reps: usize,
    pub figures: bool,
    /// Also write the report to `bench/report.md`, which the book's performance appendix shows.
    pub record: bool,
}

impl Options {
    /// The options of a parsed `bench` command line; the defaults are the set size and round
    /// count the benchmark was designed for (at least 500 images, at least 3 rounds).
    pub fn from_parsed(args: &Parsed) -> Result<Options> {
        let o = Options {
            images: args.number("--images", 512).map_err(|e| anyhow!(e))?,
            reps: args.number("--reps", 5).map_err(|e| anyhow!(e))?,
            figures: !args.flag("--no-figures"),
            record: args.flag("--record"),
        };
        if o.images == 0 || o.reps == 0 {
            bail!("--images and --reps must be at least 1");
        }
        if o.images < 500 || o.reps < 3 {
            eprintln!(
                "note: the benchmark is designed for at least 500 images and 3 repetitions; \
                 running {} images × {} repetitions",
                o.images, o.reps
            );
        }
        Ok(o)
    }
}

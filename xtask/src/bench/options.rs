//! The command line of `cargo xtask bench`.

use anyhow::{Context, Result, bail};

/// Command-line options of `cargo xtask bench`.
#[derive(Clone, Debug)]
pub struct Options {
    pub images: usize,
    pub reps: usize,
    pub figures: bool,
    /// Also write the report to `bench/report.md`, which the book's performance appendix shows.
    pub record: bool,
}

const USAGE: &str = "usage: cargo xtask bench [--images N] [--reps R] [--no-figures] [--record]";

impl Options {
    /// Parses the arguments after `bench`; the defaults are the set size and round count the
    /// benchmark was designed for (at least 500 images, at least 3 rounds).
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut o = Options {
            images: 512,
            reps: 5,
            figures: true,
            record: false,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut number = |name: &str| -> Result<usize> {
                let v = it
                    .next()
                    .with_context(|| format!("{name} needs a number"))?;
                v.parse()
                    .with_context(|| format!("{name}: `{v}` is not a number"))
            };
            match a.as_str() {
                "--images" => o.images = number("--images")?,
                "--reps" => o.reps = number("--reps")?,
                "--no-figures" => o.figures = false,
                "--record" => o.record = true,
                other => bail!("unknown option {other}: {USAGE}"),
            }
        }
        if o.images < 500 || o.reps < 3 {
            eprintln!(
                "note: the issue asks for at least 500 images and 3 repetitions; \
                 running {} images × {} repetitions",
                o.images, o.reps
            );
        }
        if o.images == 0 || o.reps == 0 {
            bail!("--images and --reps must be at least 1");
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_to_the_issue_and_reject_unknown_flags() {
        let o = Options::parse(&[]).unwrap();
        assert_eq!((o.images, o.reps, o.figures), (512, 5, true));
        let o = Options::parse(&["--reps".into(), "5".into(), "--no-figures".into()]).unwrap();
        assert_eq!((o.reps, o.figures), (5, false));
        assert!(Options::parse(&["--fast".into()]).is_err());
        assert!(Options::parse(&["--record".into()]).unwrap().record);
    }
}

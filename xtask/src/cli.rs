//! The command line of `cargo xtask`. Each subcommand declares its options (flags, and options
//! taking a value) and its positional arguments; anything else (a misspelt `--opne`, an extra
//! word) is refused with the usage text, so a typo never runs something other than what was
//! asked.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// An option of a subcommand: `--open`, or `--images N` when it takes a value.
#[derive(Clone, Copy, Debug)]
pub struct Opt {
    pub name: &'static str,
    /// The value's placeholder (`N`), for options that take one.
    pub value: Option<&'static str>,
    pub help: &'static str,
}

/// A positional argument: one word, from `choices` when it lists any.
#[derive(Clone, Copy, Debug)]
pub struct Positional {
    pub name: &'static str,
    pub choices: &'static [&'static str],
    pub required: bool,
    pub help: &'static str,
}

/// One subcommand: its name, what it does, and the arguments it takes.
#[derive(Clone, Copy, Debug)]
pub struct Subcommand {
    pub name: &'static str,
    pub about: &'static str,
    pub options: &'static [Opt],
    pub positionals: &'static [Positional],
}

/// A command line that matched its subcommand's declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub command: &'static str,
    /// Options given, with their values (`None` for flags).
    pub options: BTreeMap<&'static str, Option<String>>,
    pub positionals: Vec<String>,
}

impl Parsed {
    /// Whether the flag was given.
    pub fn flag(&self, name: &str) -> bool {
        self.options.contains_key(name)
    }

    /// The value of an option that takes one, if given.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.options.get(name).and_then(|v| v.as_deref())
    }

    /// An option's value as a whole number, or `default` when not given.
    pub fn number(&self, name: &str, default: usize) -> Result<usize, String> {
        match self.value(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("{name}: `{v}` is not a whole number")),
        }
    }

    /// The `i`-th positional argument, if given.
    pub fn positional(&self, i: usize) -> Option<&str> {
        self.positionals.get(i).map(String::as_str)
    }
}

/// What the arguments asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Run(Parsed),
    /// `--help`, `-h` or `help`: print the usage and succeed.
    Help,
}

/// Matches `args` (without the program name) against the subcommands; an error is a sentence
/// to print above the usage text.
pub fn parse(commands: &[Subcommand], args: &[String]) -> Result<Request, String> {
    let Some(first) = args.first() else {
        return Err("which command?".into());
    };
    if matches!(first.as_str(), "--help" | "-h" | "help") {
        return Ok(Request::Help);
    }
    let command = commands
        .iter()
        .find(|c| c.name == first)
        .ok_or_else(|| format!("unknown command `{first}`"))?;
    let mut parsed = Parsed {
        command: command.name,
        options: BTreeMap::new(),
        positionals: Vec::new(),
    };
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        if matches!(arg.as_str(), "--help" | "-h") {
            return Ok(Request::Help);
        }
        if arg.starts_with('-') {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (arg.as_str(), None),
            };
            let opt = command
                .options
                .iter()
                .find(|o| o.name == name)
                .ok_or_else(|| format!("`{} {name}`: no such option", command.name))?;
            let value = match (opt.value, inline) {
                (None, None) => None,
                (None, Some(_)) => return Err(format!("{name} takes no value")),
                (Some(_), Some(v)) => Some(v),
                (Some(placeholder), None) => Some(
                    rest.next()
                        .cloned()
                        .ok_or_else(|| format!("{name} needs a value ({placeholder})"))?,
                ),
            };
            if parsed.options.insert(opt.name, value).is_some() {
                return Err(format!("{name} is given twice"));
            }
        } else {
            let i = parsed.positionals.len();
            let slot = command
                .positionals
                .get(i)
                .ok_or_else(|| format!("`{} {arg}`: unexpected argument", command.name))?;
            if !slot.choices.is_empty() && !slot.choices.contains(&arg.as_str()) {
                return Err(format!(
                    "{} must be one of {}, not `{arg}`",
                    slot.name,
                    slot.choices.join(", ")
                ));
            }
            parsed.positionals.push(arg.clone());
        }
    }
    let unfilled = command.positionals.iter().skip(parsed.positionals.len());
    if let Some(missing) = unfilled.into_iter().find(|p| p.required) {
        return Err(format!("`{}` needs {}", command.name, missing.name));
    }
    Ok(Request::Run(parsed))
}

/// The usage text: every subcommand with its arguments and what it does.
pub fn usage(commands: &[Subcommand]) -> String {
    let mut out = String::from("usage: cargo xtask <command> [options]\n\ncommands:\n");
    for c in commands {
        let mut line = format!("  {}", c.name);
        for o in c.options {
            match o.value {
                Some(v) => line += &format!(" [{} {v}]", o.name),
                None => line += &format!(" [{}]", o.name),
            }
        }
        for p in c.positionals {
            let shown = if p.choices.is_empty() {
                p.name.to_string()
            } else {
                p.choices.join("|")
            };
            line += &if p.required {
                format!(" <{shown}>")
            } else {
                format!(" [{shown}]")
            };
        }
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{line}\n      {}", c.about);
        for o in c.options {
            let _ = writeln!(out, "      {:<16} {}", o.name, o.help);
        }
        for p in c.positionals {
            let _ = writeln!(out, "      {:<16} {}", p.name, p.help);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMANDS: &[Subcommand] = &[
        Subcommand {
            name: "book",
            about: "build the book",
            options: &[Opt {
                name: "--open",
                value: None,
                help: "open it",
            }],
            positionals: &[],
        },
        Subcommand {
            name: "bench",
            about: "time it",
            options: &[Opt {
                name: "--reps",
                value: Some("N"),
                help: "rounds",
            }],
            positionals: &[],
        },
        Subcommand {
            name: "train",
            about: "train a denoiser",
            options: &[],
            positionals: &[Positional {
                name: "NOISE",
                choices: &["white", "equal", "flipped"],
                required: false,
                help: "the forward process's noise",
            }],
        },
    ];

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    fn run(line: &str) -> Result<Parsed, String> {
        match parse(COMMANDS, &args(line))? {
            Request::Run(p) => Ok(p),
            Request::Help => Err("help".into()),
        }
    }

    #[test]
    fn declared_arguments_are_taken() {
        assert!(run("book --open").unwrap().flag("--open"));
        assert!(!run("book").unwrap().flag("--open"));
        let bench = run("bench --reps 7").unwrap();
        assert_eq!(bench.number("--reps", 5), Ok(7));
        assert_eq!(run("bench --reps=3").unwrap().number("--reps", 5), Ok(3));
        assert_eq!(run("bench").unwrap().number("--reps", 5), Ok(5));
        assert_eq!(run("train equal").unwrap().positional(0), Some("equal"));
        assert_eq!(run("train").unwrap().positional(0), None);
        assert_eq!(parse(COMMANDS, &args("book --help")), Ok(Request::Help));
    }

    #[test]
    fn anything_undeclared_is_refused() {
        assert_eq!(
            run("book --opne").unwrap_err(),
            "`book --opne`: no such option"
        );
        assert_eq!(
            run("book now").unwrap_err(),
            "`book now`: unexpected argument"
        );
        assert_eq!(run("publish").unwrap_err(), "unknown command `publish`");
        assert_eq!(run("").unwrap_err(), "which command?");
        assert_eq!(run("bench --reps").unwrap_err(), "--reps needs a value (N)");
        assert_eq!(run("book --open=yes").unwrap_err(), "--open takes no value");
        assert_eq!(
            run("book --open --open").unwrap_err(),
            "--open is given twice"
        );
        assert_eq!(
            run("train pink").unwrap_err(),
            "NOISE must be one of white, equal, flipped, not `pink`"
        );
        assert_eq!(
            run("train white equal").unwrap_err(),
            "`train equal`: unexpected argument"
        );
        assert!(run("bench --reps x").unwrap().number("--reps", 5).is_err());
    }

    #[test]
    fn the_usage_shows_every_argument() {
        let text = usage(COMMANDS);
        for part in [
            "book [--open]",
            "bench [--reps N]",
            "train [white|equal|flipped]",
        ] {
            assert!(text.contains(part), "{part}:\n{text}");
        }
    }
}

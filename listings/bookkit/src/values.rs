//! The numbers the book's prose shows, from one source.
//!
//! A listing computes its analysis once and turns it into a [`Values`] table (name → formatted
//! text). `main` saves the table (`src/generated/values/<name>.txt`, included inline by the
//! chapters) and the listing's test recomputes it and [`check`]s it against the book, so the
//! text, the figures and the code cannot disagree. Each listing declares the names it produces
//! in its `Cargo.toml` (`[package.metadata.book] values = [...]`), which lets the book-level
//! tests prove that every value a chapter includes has exactly one producer.

use std::path::Path;

use anyhow::{Context, Result};

use crate::figure::{out_dir, write_atomic};

/// A listing's values: file name (without `.txt`) → the text the chapter shows.
pub type Values = Vec<(&'static str, String)>;

/// Environment variable that makes [`check`] fail when a value file is missing. `cargo xtask
/// test` sets it after the figure run; a plain `cargo test` on a fresh clone (no figures yet)
/// still recomputes and checks every value's name and format, and compares whatever exists.
pub const REQUIRE_VAR: &str = "BOOK_REQUIRE_VALUES";

/// A whole number with a comma between each group of three digits, as the prose writes counts
/// and rates (2,000; 22,050).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Where the value called `name` is saved.
pub fn value_path(name: &str) -> std::path::PathBuf {
    out_dir().join("values").join(format!("{name}.txt"))
}

/// Saves every value as `generated/values/<name>.txt` (no trailing newline, atomically) and
/// echoes it on stdout, so the listing's output shows the numbers the chapter quotes.
pub fn save_values(values: &Values) -> Result<()> {
    for (name, text) in values {
        println!("{name} = {text}");
        write_atomic(&value_path(name), text.as_bytes())?;
    }
    Ok(())
}

/// The value a previous figure run saved under `name`, if any.
pub fn saved_value(name: &str) -> Option<String> {
    std::fs::read_to_string(value_path(name)).ok()
}

/// What the book shows against what the listing computes now; panics with every disagreement.
///
/// Checks that the names are exactly the ones the listing's `Cargo.toml` declares, that no value
/// is empty or padded, and that each saved file equals the recomputed text. A missing file is a
/// failure when [`REQUIRE_VAR`] is set (under `cargo xtask test`), a note otherwise.
pub fn check(manifest_dir: &str, values: &Values) {
    let require = std::env::var_os(REQUIRE_VAR).is_some();
    let problems = problems(Path::new(manifest_dir), values, require, |name| {
        saved_value(name).ok_or(())
    });
    if !problems.is_empty() {
        panic!(
            "the book's values disagree with the listing:\n  {}",
            problems.join("\n  ")
        );
    }
}

/// Every disagreement between a listing's values, its declaration and the saved files (`saved`
/// gives a saved text by name; `require` makes a missing file a problem). Separate from [`check`] so a test can plant wrong files.
pub fn problems(
    manifest_dir: &Path,
    values: &Values,
    require: bool,
    saved: impl Fn(&str) -> Result<String, ()>,
) -> Vec<String> {
    let mut problems = Vec::new();
    match declared_values(manifest_dir) {
        Ok(declared) => {
            let mut produced: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
            produced.sort_unstable();
            let mut want: Vec<&str> = declared.iter().map(String::as_str).collect();
            want.sort_unstable();
            if produced != want {
                problems.push(format!(
                    "values() produces {produced:?} but Cargo.toml declares {want:?}"
                ));
            }
        }
        Err(e) => problems.push(format!("{e:#}")),
    }
    for (name, text) in values {
        if text.is_empty() || text.trim() != text {
            problems.push(format!("{name}: the text {text:?} is empty or padded"));
        }
        match saved(name) {
            Ok(shown) if &shown != text => problems.push(format!(
                "{name}: the book shows {shown:?}, the listing computes {text:?}"
            )),
            Ok(_) => {}
            Err(()) if require => problems.push(format!(
                "{name}: {} is missing (the figure run did not write it)",
                value_path(name).display()
            )),
            Err(()) => {
                eprintln!("note: {name} not compared, no figure run yet (`cargo xtask figures`)")
            }
        }
    }
    problems
}

/// The value names a listing declares in its `Cargo.toml`: the `values = ["a", "b", …]` array of
/// its `[package.metadata.book]` table, read with the TOML parser xtask's registry uses (without
/// its writer: every listing compiles it, for a check only tests make). Anything that is not a
/// list of names is an error naming the file, never a silent empty list.
pub fn declared_values(manifest_dir: &Path) -> Result<Vec<String>> {
    let path = manifest_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    parse_declared(&text).with_context(|| format!("{}: [package.metadata.book]", path.display()))
}

fn parse_declared(text: &str) -> Result<Vec<String>> {
    let manifest: toml::Table = text.parse().context("not valid TOML")?;
    let values = manifest
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("book"))
        .and_then(|b| b.get("values"));
    let Some(values) = values else {
        return Ok(Vec::new());
    };
    let names = values
        .as_array()
        .with_context(|| format!("`values` must be an array of names, not {values:?}"))?;
    names
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .with_context(|| format!("`values` holds {v:?}, not a \"name\""))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(declared: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let toml =
            format!("[package]\nname = \"x\"\n[package.metadata.book]\nvalues = [{declared}]\n");
        std::fs::write(dir.path().join("Cargo.toml"), toml).unwrap();
        dir
    }

    #[test]
    fn declarations_are_read_from_one_or_several_lines_and_oddities_are_errors() {
        let one = "[package]\nname = \"x\"\n\n[package.metadata.book]\nfigures = []\nvalues = [\"a\", \"b-c\"]\n";
        assert_eq!(parse_declared(one).unwrap(), ["a", "b-c"]);
        let several =
            "[package.metadata.book]\nvalues = [\n  \"a\",\n  \"b\",\n]\n[dependencies]\n";
        assert_eq!(parse_declared(several).unwrap(), ["a", "b"]);
        assert!(
            parse_declared("[package.metadata.book]\nvalues = []\n")
                .unwrap()
                .is_empty()
        );
        assert!(
            parse_declared("[package]\nname = \"x\"\n")
                .unwrap()
                .is_empty()
        );
        // A `values` key in another table is not the book's.
        assert!(
            parse_declared("[package.metadata.book]\nfigures = []\n[x]\nvalues = [\"a\"]\n")
                .unwrap()
                .is_empty()
        );
        assert!(parse_declared("[package.metadata.book]\nvalues = [a]\n").is_err());
        assert!(parse_declared("[package.metadata.book]\nvalues = \"a\"\n").is_err());
    }

    #[test]
    fn a_wrong_saved_value_is_reported_with_both_texts() {
        let dir = listing("\"alpha\"");
        let values = vec![("alpha", "2.468".to_string())];
        let p = problems(dir.path(), &values, true, |_| Ok("2.469".into()));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains("\"2.469\"") && p[0].contains("\"2.468\""),
            "{p:?}"
        );
        assert!(problems(dir.path(), &values, true, |_| Ok("2.468".into())).is_empty());
    }

    #[test]
    fn undeclared_missing_or_padded_values_are_reported() {
        let dir = listing("\"alpha\", \"beta\"");
        let values = vec![("alpha", " 2".to_string())];
        let p = problems(dir.path(), &values, false, |_| Ok(" 2".into()));
        assert!(p.iter().any(|m| m.contains("declares")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("padded")), "{p:?}");
    }

    #[test]
    fn thousands_are_grouped_by_commas() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2000), "2,000");
        assert_eq!(thousands(22_050), "22,050");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn a_missing_file_fails_only_when_required() {
        let dir = listing("\"alpha\"");
        let values = vec![("alpha", "2".to_string())];
        let p = problems(dir.path(), &values, true, |_| Err(()));
        assert!(p.len() == 1 && p[0].contains("missing"), "{p:?}");
        assert!(problems(dir.path(), &values, false, |_| Err(())).is_empty());
    }
}

//! Notebooks generated from the chapters: one evcxr (Rust Jupyter) notebook per chapter that has
//! figure listings, written from the same Markdown and the same listing sources as the book, so
//! the two can never drift apart (a test regenerates them and compares).
//!
//! How a chapter becomes a notebook:
//! - prose becomes Markdown cells (KaTeX math works as is in Jupyter);
//! - the first include of a figure listing becomes a code cell holding the whole listing (its
//!   tests left out), followed by a cell that runs it and shows the figures it wrote;
//! - includes of library code (`listings/spectral`, `listings/bookkit`) stay as Rust shown in
//!   Markdown, since the notebook uses those crates through `:dep`;
//! - figures and captured outputs of the book are dropped (the code cells produce them live), and
//!   a number the book includes from `generated/values/NAME.txt` appears as ⟨NAME⟩, its value being
//!   printed by the cell that computes it.

mod execute;

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::bookcheck::{self, anchor_body};
use crate::figures;

pub use execute::execute_all;

/// Chapters (file names in `src/`) that get a notebook: those that include a figure listing.
pub fn chapters_with_listings(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chapter in bookcheck::chapters(&root.join("src"))? {
        let path = root.join("src").join(&chapter.path);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read chapter", path.display()))?;
        if text.lines().any(|l| listing_of(l).is_some()) {
            out.push(chapter.path);
        }
    }
    Ok(out)
}

/// The notebook file for a chapter: `notebooks/image-spectra.ipynb` for `image-spectra.md`.
pub fn notebook_path(root: &Path, chapter: &str) -> std::path::PathBuf {
    root.join("notebooks")
        .join(chapter.replace(".md", ".ipynb"))
}

/// The listing package a line includes code from, if it is a figure listing (`fNN-…`, `xNN-…`).
fn listing_of(line: &str) -> Option<String> {
    let spec = bookcheck::include_specs(line).into_iter().next()?;
    let rest = spec.strip_prefix("../listings/")?;
    let package = rest.split('/').next()?;
    let is_figure = package.len() > 3
        && (package.starts_with('f') || package.starts_with('x'))
        && package[1..3].chars().all(|c| c.is_ascii_digit());
    is_figure.then(|| package.to_string())
}

/// Renders one chapter as notebook JSON (pretty-printed, stable, no outputs).
pub fn generate(root: &Path, chapter: &str) -> Result<String> {
    let src = root.join("src");
    let text = std::fs::read_to_string(src.join(chapter))
        .with_context(|| format!("src/{chapter}: cannot read"))?;
    let registry = figures::registry(root)?;
    let mut cells = vec![markdown(&preamble(chapter)), code(SETUP)];
    let mut shown = Vec::<String>::new();
    let mut prose = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("<figure") {
            // Keep the caption as prose; the image comes from the code cell.
            let mut block = line.to_string();
            while !block.contains("</figure>") {
                let Some(next) = lines.next() else { break };
                block.push('\n');
                block.push_str(next);
            }
            prose.push_str(&caption_text(&block));
            prose.push('\n');
            continue;
        }
        if line.trim_start().starts_with("```")
            && lines
                .peek()
                .is_some_and(|next| next.contains("{{#include generated/"))
        {
            // A captured output block: the code cell prints it live.
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
            }
            continue;
        }
        if line.trim_start().starts_with("```")
            && lines.peek().and_then(|next| listing_of(next)).is_some()
        {
            let package = listing_of(lines.next().unwrap_or_default()).unwrap_or_default();
            lines.next(); // closing fence
            if shown.contains(&package) {
                continue;
            }
            flush(&mut cells, &mut prose);
            cells.push(code(&listing_cell(root, &package)?));
            let files: Vec<String> = registry
                .iter()
                .filter(|f| f.package == package)
                .map(|f| f.file.clone())
                .collect();
            // evcxr displays one image per cell: the run cell shows the first figure, the others
            // get a cell each.
            for (i, file) in files.iter().enumerate() {
                let run = if i == 0 {
                    format!("{}::main().unwrap();\n", module_name(&package))
                } else {
                    String::new()
                };
                cells.push(code(&format!(
                    "{run}bookkit::notebook::show({file:?}).unwrap();"
                )));
            }
            shown.push(package);
            continue;
        }
        prose.push_str(&expand_line(&src, line)?);
        prose.push('\n');
    }
    flush(&mut cells, &mut prose);
    if uses_trained_networks(root, &shown)? {
        cells[0] = markdown(&format!("{}\n\n{TRAINED_BUDGET_NOTE}", preamble(chapter)));
        cells[1] = code(
            &SETUP
                .replace(SETUP_LIBRARIES, &format!("{SETUP_LIBRARIES}{TRAINED_DEP}"))
                .replace(SETUP_OUTPUT, &format!("{SETUP_OUTPUT}{TRAINED_BUDGET}")),
        );
    }
    let notebook = json!({
        "cells": cells,
        "metadata": {
            "kernelspec": { "display_name": "Rust", "language": "rust", "name": "rust" },
            "language_info": { "codemirror_mode": "rust", "file_extension": ".rs", "mimetype": "text/rust", "name": "Rust", "pygment_lexer": "rust" }
        },
        "nbformat": 4,
        "nbformat_minor": 4
    });
    Ok(serde_json::to_string_pretty(&notebook)? + "\n")
}

/// The first code cell: cache, dependencies by relative path (the notebook runs in `notebooks/`),
/// optimised code (FFTs and GIF encoding are slow unoptimised), and where figures go. The cache
/// is large enough for every notebook's dependencies at once (about a gigabyte with candle's):
/// evcxr evicts single crates, and a dependency compiled again next to dependents kept from
/// before makes rustc refuse them ("found possibly newer version of crate"), which is how the
/// trained notebook once failed with a 500 MB cache. The output folder is set with evcxr's
/// `:env` and a restart of the process that runs the cells, rather than with
/// `std::env::set_var`, which is `unsafe` in Rust 2024 and has no place in a reader's first cell. The last line compiles the book's libraries here, once, and shows the folder.
const SETUP: &str = r#":cache 2000
:opt 2
:dep spectral = { path = "../listings/spectral" }
:dep bookkit = { path = "../listings/bookkit" }
:dep anyhow = "1"
:env BOOK_OUT_DIR=generated
:restart
// Figures go to notebooks/generated/, not into the book's sources.
println!("figures go to {}", bookkit::figure::out_dir().display());"#;

/// The book's two libraries in [`SETUP`], after which a chapter on the trained networks adds
/// [`TRAINED_DEP`] (only there: it compiles candle, which the other notebooks do not need).
const SETUP_LIBRARIES: &str = ":dep bookkit = { path = \"../listings/bookkit\" }\n";
const TRAINED_DEP: &str = ":dep trained = { path = \"../listings/trained\" }\n";

/// Where [`SETUP`] sends figures, after which a chapter on the trained networks sets
/// [`TRAINED_BUDGET`]: its listings then draw an eighth of the book's crops, chains and samples
/// (`trained::budget`), so that the notebook runs in about a minute rather than several.
const SETUP_OUTPUT: &str = ":env BOOK_OUT_DIR=generated\n";
const TRAINED_BUDGET: &str = ":env BOOK_BUDGET=notebook\n";
const TRAINED_BUDGET_NOTE: &str = "The listings here run the trained networks, which is the slow \
    part on a CPU, so the first cell sets `BOOK_BUDGET=notebook`: each listing draws an eighth of \
    the crops, chains and samples the book's figures use, with the same seeds. The figures are \
    noisier and the values printed as ⟨name⟩ differ from the book's by their sampling error. \
    Remove that line and run the cells again for the book's own numbers.";

/// Whether any of the listings shown depends on the `trained` package.
fn uses_trained_networks(root: &Path, packages: &[String]) -> Result<bool> {
    for package in packages {
        let manifest = root.join("listings").join(package).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("{}: cannot read", manifest.display()))?;
        let table: toml::Table = toml::from_str(&text)
            .with_context(|| format!("{}: not valid TOML", manifest.display()))?;
        if table
            .get("dependencies")
            .and_then(|d| d.get("trained"))
            .is_some()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn preamble(chapter: &str) -> String {
    format!(
        "*This notebook is generated from the book's chapter `src/{chapter}` and its listings by \
         `cargo xtask notebooks`. Do not edit it by hand: edit the chapter or the listing, then \
         regenerate.*\n\n\
         Run the cells in order with the Rust (evcxr) kernel. The first cell compiles the book's \
         libraries, which takes a few minutes the first time. Each listing cell defines a `main`; the \
         cell after it runs it and shows the figures it drew. Change a parameter in a listing and run \
         both cells again to see its effect. Numbers the book prints inline appear here as ⟨name⟩: the \
         cell that computes them prints their values."
    )
}

/// Expands library-code includes into the prose and replaces generated values with ⟨name⟩.
fn expand_line(src: &Path, line: &str) -> Result<String> {
    if line.trim_start().starts_with("```rust,ignore") {
        return Ok(line.replace("```rust,ignore", "```rust"));
    }
    let mut out = line.to_string();
    for spec in bookcheck::include_specs(line) {
        let directive = format!("{{{{#include {spec}}}}}");
        let replacement = if let Some(name) = spec
            .strip_prefix("generated/values/")
            .and_then(|s| s.strip_suffix(".txt"))
        {
            format!("⟨{name}⟩")
        } else if let Some(file) = spec.strip_prefix("generated/") {
            format!("*(written by the listing's code cell above: `{file}`)*")
        } else {
            let (file, anchor) = spec
                .split_once(':')
                .map_or((spec.as_str(), None), |(f, a)| (f, Some(a)));
            let content = std::fs::read_to_string(src.join(file))
                .with_context(|| format!("{file}: cannot read (included from a chapter)"))?;
            match anchor {
                Some(a) => dedent(
                    &anchor_body(&content, a).with_context(|| format!("{file}: no anchor {a}"))?,
                ),
                None => content.trim_end().to_string(),
            }
        };
        out = out.replace(&directive, &replacement);
    }
    Ok(out)
}

/// The module a listing's cell defines: its package name as a Rust identifier.
fn module_name(package: &str) -> String {
    package.replace('-', "_")
}

/// A listing's cell: its source in a module of its own, so that its items do not collide with
/// the previous listing's (every listing has an `Analysis`, a `compute`, a `draw`: evcxr would
/// replace those, and a helper left from the previous cell would then meet the new types).
fn listing_cell(root: &Path, package: &str) -> Result<String> {
    let source = listing_source(root, package)?;
    let source = source.replacen("\nfn main()", "\npub fn main()", 1);
    Ok(format!(
        "// Each listing runs in a module named after its package (run cell below).\n\
         mod {} {{\n{source}\n}}",
        module_name(package)
    ))
}

/// A listing's source as a notebook cell: anchor markers and the test module left out.
fn listing_source(root: &Path, package: &str) -> Result<String> {
    let path = root.join("listings").join(package).join("src/main.rs");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let body = text.split("#[cfg(test)]").next().unwrap_or(&text);
    let kept: Vec<&str> = body
        .lines()
        .filter(|l| !l.contains("ANCHOR:") && !l.contains("ANCHOR_END:"))
        .collect();
    Ok(kept.join("\n").trim_end().to_string())
}

/// The text of a `<figcaption>`, tags removed, as a Markdown paragraph.
fn caption_text(block: &str) -> String {
    let start = block
        .find("<figcaption>")
        .map_or(0, |i| i + "<figcaption>".len());
    let end = block.find("</figcaption>").unwrap_or(block.len());
    let mut text = String::new();
    let mut in_tag = false;
    for c in block[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    format!(
        "> {}\n",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| if l.len() >= indent { &l[indent..] } else { "" })
        .collect::<Vec<_>>()
        .join("\n")
}

fn flush(cells: &mut Vec<Value>, prose: &mut String) {
    let text = prose.trim();
    if !text.is_empty() {
        cells.push(markdown(text));
    }
    prose.clear();
}

fn source_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    if let Some(last) = lines.last_mut().filter(|l| l.ends_with('\n')) {
        last.pop();
    }
    lines
}

fn markdown(text: &str) -> Value {
    json!({ "cell_type": "markdown", "metadata": {}, "source": source_lines(text) })
}

fn code(text: &str) -> Value {
    json!({ "cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": source_lines(text) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_cell_shows_readers_no_unsafe_code() {
        assert!(!SETUP.contains("unsafe"), "{SETUP}");
        assert!(SETUP.contains(":env BOOK_OUT_DIR=generated\n:restart\n"));
        assert!(
            SETUP.contains(SETUP_LIBRARIES),
            "the trained dependency's anchor"
        );
        assert!(SETUP.contains(SETUP_OUTPUT), "the trained budget's anchor");
    }
}

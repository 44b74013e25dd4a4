//! Checks mdBook itself does not make: `mdbook build` exits 0 when an `{{#include}}` file is
//! missing or an anchor is misspelt (it inserts nothing), and it does not check that images,
//! audio files or `#anchors` in links exist. These checks make such mistakes fail the build.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub mod rendered;
pub mod typed_numbers;

/// One broken reference, with where it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// A chapter in SUMMARY.md: its title, file (relative to `src/`) and nesting depth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chapter {
    pub title: String,
    pub path: String,
    pub depth: usize,
}

/// The chapters listed in `src/SUMMARY.md`, in order (prefix and suffix chapters included).
pub fn chapters(src: &Path) -> Result<Vec<Chapter>> {
    let summary = src.join("SUMMARY.md");
    let text = std::fs::read_to_string(&summary)
        .with_context(|| format!("{}: cannot read", summary.display()))?;
    Ok(text.lines().filter_map(parse_summary_line).collect())
}

fn parse_summary_line(line: &str) -> Option<Chapter> {
    let indent = line.len() - line.trim_start().len();
    let item = line
        .trim_start()
        .strip_prefix("- ")
        .unwrap_or(line.trim_start());
    let rest = item.strip_prefix('[')?;
    let (title, rest) = rest.split_once("](")?;
    let path = rest.strip_suffix(')')?;
    Some(Chapter {
        title: title.to_string(),
        path: path.to_string(),
        depth: indent / 4,
    })
}

/// Every Markdown file under `src/`, sorted.
fn markdown_files(src: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("{}: cannot list", dir.display()))?
        {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Checks every `{{#include}}` / `{{#rustdoc_include}}` in the book: the file exists, and a named
/// anchor has both `ANCHOR:` and `ANCHOR_END:` markers with at least one non-blank line between.
pub fn check_includes(src: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for md in markdown_files(src)? {
        let text = std::fs::read_to_string(&md)?;
        for (line_no, line) in text.lines().enumerate() {
            for spec in include_specs(line) {
                if let Some(message) = check_include(md.parent().unwrap_or(src), &spec) {
                    problems.push(Problem {
                        file: md.clone(),
                        line: line_no + 1,
                        message,
                    });
                }
            }
        }
    }
    Ok(problems)
}

/// Every value a chapter shows inline (`{{#include generated/values/<name>.txt}}`), with where.
pub fn value_includes(src: &Path) -> Result<Vec<(String, Problem)>> {
    let mut out = Vec::new();
    for md in markdown_files(src)? {
        let text = std::fs::read_to_string(&md)?;
        for (line_no, line) in text.lines().enumerate() {
            for spec in include_specs(line) {
                let name = spec
                    .strip_prefix("generated/values/")
                    .and_then(|n| n.strip_suffix(".txt"));
                if let Some(name) = name {
                    let at = Problem {
                        file: md.clone(),
                        line: line_no + 1,
                        message: String::new(),
                    };
                    out.push((name.to_string(), at));
                }
            }
        }
    }
    Ok(out)
}

/// Values shown with no producer or more than one, and produced values no chapter shows.
/// `producers` pairs each declared value name with its package (`figures::value_producers`).
pub fn check_values(src: &Path, producers: &[(String, String)]) -> Result<Vec<Problem>> {
    let shown = value_includes(src)?;
    let mut problems = Vec::new();
    for (name, at) in &shown {
        let by: Vec<&str> = producers
            .iter()
            .filter(|(v, _)| v == name)
            .map(|(_, p)| p.as_str())
            .collect();
        let message = match by.as_slice() {
            [_] => continue,
            [] => format!("value `{name}` is shown but no listing declares it"),
            many => format!("value `{name}` is declared by several listings: {many:?}"),
        };
        problems.push(Problem {
            message,
            ..at.clone()
        });
    }
    for (name, package) in producers {
        if !shown.iter().any(|(n, _)| n == name) {
            problems.push(Problem {
                file: src.join("SUMMARY.md"),
                line: 0,
                message: format!("value `{name}` (written by {package}) is shown in no chapter"),
            });
        }
    }
    Ok(problems)
}

/// The widest code line the book's column shows without scrolling sideways (the listings wrap
/// their comments at this width; `rustfmt` keeps code within it).
pub const CODE_WIDTH: usize = 100;

/// Included code lines wider than [`CODE_WIDTH`] characters: they would make the listing scroll
/// sideways in the book. Only includes of Rust sources are checked (tables and outputs are not
/// code).
pub fn check_code_widths(src: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for md in markdown_files(src)? {
        let text = std::fs::read_to_string(&md)?;
        let dir = md.parent().unwrap_or(src);
        for (line_no, line) in text.lines().enumerate() {
            for spec in include_specs(line) {
                let (file, selector) = spec.split_once(':').unwrap_or((&spec, ""));
                if !file.ends_with(".rs") {
                    continue;
                }
                let Ok(content) = std::fs::read_to_string(dir.join(file)) else {
                    continue; // reported by `check_includes`
                };
                let lines = if selector.is_empty() {
                    content.lines().collect()
                } else {
                    anchor_body(&content, selector).unwrap_or_default()
                };
                for wide in lines.iter().filter(|l| l.chars().count() > CODE_WIDTH) {
                    problems.push(Problem {
                        file: md.clone(),
                        line: line_no + 1,
                        message: format!(
                            "include {spec}: a line of {} characters (more than {CODE_WIDTH}) \
                             scrolls sideways: {}",
                            wide.chars().count(),
                            wide.trim()
                        ),
                    });
                }
            }
        }
    }
    Ok(problems)
}

/// The `path[:anchor]` arguments of the include directives on one line.
pub fn include_specs(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{#") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else { break };
        let body = after[..end].trim();
        for directive in ["include ", "rustdoc_include "] {
            if let Some(arg) = body.strip_prefix(directive) {
                out.push(arg.trim().to_string());
            }
        }
        rest = &after[end + 2..];
    }
    out
}

fn check_include(dir: &Path, spec: &str) -> Option<String> {
    let mut parts = spec.splitn(2, ':');
    let file = parts.next().unwrap_or_default();
    let selector = parts.next();
    let path = dir.join(file);
    let Ok(content) = std::fs::read_to_string(&path) else {
        return Some(format!(
            "include {file}: file not found ({})",
            path.display()
        ));
    };
    let selector = selector?;
    // Line ranges (`:10`, `:10:20`, `:10:`, `::20`) are not anchors.
    if selector
        .split(':')
        .all(|p| p.is_empty() || p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    match anchor_body(&content, selector) {
        None => Some(format!(
            "include {file}: anchor `{selector}` not found (needs ANCHOR: {selector} and ANCHOR_END: {selector})"
        )),
        Some(body) if body.iter().all(|l| l.trim().is_empty()) => {
            Some(format!("include {file}: anchor `{selector}` is empty"))
        }
        Some(_) => None,
    }
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, other anchor markers removed.
pub fn anchor_body<'a>(content: &'a str, name: &str) -> Option<Vec<&'a str>> {
    let is_marker = |line: &str, kind: &str| {
        line.split_once(kind)
            .is_some_and(|(_, rest)| rest.split_whitespace().next() == Some(name))
    };
    let mut lines = content.lines();
    lines.by_ref().find(|l| is_marker(l, "ANCHOR:"))?;
    let mut body = Vec::new();
    for line in lines {
        if is_marker(line, "ANCHOR_END:") {
            return Some(body);
        }
        if !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:") {
            body.push(line);
        }
    }
    None
}

/// Checks local images, audio, links and their `#anchors`: `![..](path)`, `[..](path#id)`,
/// `src="path"` and `href="path"`. External URLs are not followed (the book must read offline;
/// the browser test checks no request leaves the machine).
pub fn check_links(src: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for md in markdown_files(src)? {
        let text = std::fs::read_to_string(&md)?;
        let dir = md.parent().unwrap_or(src);
        let (mut in_code, mut in_math) = (false, false);
        for (line_no, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
            }
            if line.trim() == "$$" {
                in_math = !in_math;
            }
            if in_code || in_math {
                continue;
            }
            for target in link_targets(line) {
                if let Some(message) = check_target(dir, &md, &target) {
                    problems.push(Problem {
                        file: md.clone(),
                        line: line_no + 1,
                        message,
                    });
                }
            }
        }
    }
    Ok(problems)
}

/// The line with inline math (`$…$`, `$$…$$`) and inline code removed: `R[x_0](f)` in math is
/// not a link.
fn without_math_and_code(line: &str) -> String {
    let mut out = String::new();
    let mut skipping: Option<char> = None;
    for c in line.chars() {
        match skipping {
            Some(end) if c == end => skipping = None,
            Some(_) => {}
            None if c == '$' || c == '`' => skipping = Some(c),
            None => out.push(c),
        }
    }
    out
}

/// Local link targets on one line (external and `mailto:` links skipped).
pub fn link_targets(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let line = without_math_and_code(line);
    let line = line.as_str();
    let mut rest = line;
    while let Some(i) = rest.find("](") {
        let after = &rest[i + 2..];
        let Some(end) = after.find(')') else { break };
        out.push(
            after[..end]
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string(),
        );
        rest = &after[end..];
    }
    for attr in ["src=\"", "href=\""] {
        let mut rest = line;
        while let Some(i) = rest.find(attr) {
            let after = &rest[i + attr.len()..];
            let Some(end) = after.find('"') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out.retain(|t| {
        !t.is_empty() && !t.contains("://") && !t.starts_with("mailto:") && !t.starts_with("{{")
    });
    out
}

fn check_target(dir: &Path, md: &Path, target: &str) -> Option<String> {
    let (file, anchor) = match target.split_once('#') {
        Some((f, a)) => (f, Some(a)),
        None => (target, None),
    };
    let path = if file.is_empty() {
        md.to_path_buf()
    } else {
        dir.join(file)
    };
    if !path.exists() {
        return Some(format!("link {target}: {} does not exist", path.display()));
    }
    let anchor = anchor.filter(|a| !a.is_empty())?;
    if path.extension().is_some_and(|e| e == "md") {
        let text = std::fs::read_to_string(&path).ok()?;
        if !anchors_of(&text).contains(anchor) {
            return Some(format!(
                "link {target}: no heading or id `{anchor}` in {}",
                path.display()
            ));
        }
    }
    None
}

/// The ids a Markdown page defines: mdBook's heading ids (lower-case, spaces to `-`, punctuation
/// dropped, repeats numbered `-1`, `-2`, …) and explicit `id="…"` attributes.
pub fn anchors_of(markdown: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if in_code {
            continue;
        }
        if let Some(heading) = line.strip_prefix('#') {
            let text = heading.trim_start_matches('#').trim();
            let base = heading_id(text);
            let mut id = base.clone();
            let mut n = 1;
            while ids.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            ids.insert(id);
        }
        let mut rest = line;
        while let Some(i) = rest.find("id=\"") {
            let after = &rest[i + 4..];
            let Some(end) = after.find('"') else { break };
            ids.insert(after[..end].to_string());
            rest = &after[end..];
        }
    }
    ids
}

/// mdBook's id for a heading's text.
pub fn heading_id(text: &str) -> String {
    // Inline markup does not reach the id: drop `code` ticks, emphasis and link targets.
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ']' && chars.peek() == Some(&'(') {
            for d in chars.by_ref() {
                if d == ')' {
                    break;
                }
            }
            continue;
        }
        plain.push(c);
    }
    plain
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_lowercase().collect::<String>())
            } else if c.is_whitespace() {
                Some("-".to_string())
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_ids_follow_mdbook() {
        assert_eq!(
            heading_id("Which frequencies are modelled at which noise levels?"),
            "which-frequencies-are-modelled-at-which-noise-levels"
        );
        assert_eq!(
            heading_id("A counterpoint: Falck et al. (2025)"),
            "a-counterpoint-falck-et-al-2025"
        );
        assert_eq!(heading_id("The `rapsd` function"), "the-rapsd-function");
    }

    #[test]
    fn include_specs_and_link_targets_are_found() {
        assert_eq!(
            include_specs("x {{#include ../a.rs:main}} y {{#rustdoc_include b.rs}}"),
            vec!["../a.rs:main", "b.rs"]
        );
        assert_eq!(
            link_targets(
                r#"![f](generated/a.png) [t](x.md#y) <source src="a.wav"> [w](https://e.org)"#
            ),
            vec!["generated/a.png", "x.md#y", "a.wav"]
        );
    }

    #[test]
    fn anchor_bodies_skip_nested_markers() {
        let code = "// ANCHOR: all\nfn a() {}\n// ANCHOR: inner\nlet x = 1;\n// ANCHOR_END: inner\n// ANCHOR_END: all\n";
        assert_eq!(
            anchor_body(code, "all").unwrap(),
            vec!["fn a() {}", "let x = 1;"]
        );
        assert_eq!(anchor_body(code, "inner").unwrap(), vec!["let x = 1;"]);
        assert!(anchor_body(code, "missing").is_none());
        assert!(anchor_body("// ANCHOR: open\nx\n", "open").is_none());
    }
}

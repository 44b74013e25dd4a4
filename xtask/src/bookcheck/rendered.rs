//! Checks on what mdBook rendered. mdbook-katex turns math into HTML before mdBook reads the
//! Markdown, and Markdown still reads the characters between those HTML tags: the "~" that KaTeX
//! draws for `\tilde` is one, and two of them in a paragraph strike through everything between
//! them (dropping both accents). mdBook only warns, about tags that the strikethrough left
//! unbalanced, and writes the page anyway. These checks make such pages fail the build.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::Problem;

/// The warnings in mdBook's log about HTML it found unbalanced, once each, with the chapter
/// they name: "unexpected HTML end tag `</span>` found in `order.md`" and the like.
pub fn unbalanced_html(log: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in log.lines() {
        let Some((_, warning)) = line.split_once("WARN") else {
            continue;
        };
        let warning = warning.trim_start_matches("\u{1b}[0m").trim();
        if !(warning.contains("HTML") && warning.contains("tag") && warning.contains("found in")) {
            continue;
        }
        let warning = warning.to_string();
        if !out.contains(&warning) {
            out.push(warning);
        }
    }
    out
}

/// Every struck-through passage (`<del>`) in the built pages under `book`: the book strikes
/// nothing through, so each one is Markdown reading a character it should not have.
pub fn struck_through(book: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for page in html_pages(book)? {
        let text = std::fs::read_to_string(&page)
            .with_context(|| format!("{}: cannot read", page.display()))?;
        for (i, line) in text.lines().enumerate() {
            if line.contains("<del>") {
                problems.push(Problem {
                    file: page.clone(),
                    line: i + 1,
                    message: "struck-through text (<del>): a pair of \"~\" in the chapter's \
                              prose or in KaTeX's HTML (write \\widetilde, not \\tilde)"
                        .into(),
                });
            }
        }
    }
    Ok(problems)
}

/// The chapter pages mdBook wrote (`*.html` at the top of `book`), sorted.
fn html_pages(book: &Path) -> Result<Vec<PathBuf>> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(book)
        .with_context(|| format!("{}: cannot list the built book", book.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbalanced_tags_are_reported_once_and_other_warnings_are_not() {
        // The shape of mdBook 0.5.4's log (colour codes included) when a chapter had two
        // \tilde accents in one paragraph.
        let log = "\u{1b}[33m WARN\u{1b}[0m mdbook_katex: This mdbook-katex was built against \
                   mdbook v0.5.3, but we are being called from mdbook v0.5.4.\n \
                   INFO Running the html backend\n \
                   WARN unexpected HTML end tag `</span>` found in `order.md`\n\
                   Check that the HTML tags are properly balanced.\n \
                   WARN unexpected HTML end tag `</span>` found in `order.md`\n \
                   WARN unclosed HTML tag `<span>` found in `order.md` while exiting \
                   Strikethrough\nHTML tags must be closed before exiting a markdown element.\n";
        assert_eq!(
            unbalanced_html(log),
            [
                "unexpected HTML end tag `</span>` found in `order.md`",
                "unclosed HTML tag `<span>` found in `order.md` while exiting Strikethrough",
            ]
        );
        assert!(unbalanced_html(" INFO HTML book written to `book`\n").is_empty());
    }

    #[test]
    fn struck_through_text_is_found_with_its_page_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("fine.html"), "<p>k̃ and ~k</p>\n").unwrap();
        std::fs::write(
            dir.path().join("order.html"),
            "<p>one</p>\n<p>x <del>where</del> y</p>\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "<del>\n").unwrap();
        let found = struck_through(dir.path()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].file, dir.path().join("order.html"));
        assert_eq!(found[0].line, 2);
    }
}

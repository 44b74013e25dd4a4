//! No number typed by hand: every number a chapter's prose states comes from a listing, through a
//! value include (`{{#include generated/values/NAME.txt}}`), unless the repository's allow-list
//! (`tests/typed-numbers.toml`) names it, chapter and phrase, with the reason it may be typed.
//!
//! The rules below decide what is prose and what is a number. They are deliberately simple, so
//! that a reader can predict them, and each has a reason:
//!
//! - **Not prose**: fenced code blocks, inline code, `<code>` and `<pre>` elements (commands and
//!   identifiers), mathematics (`$…$`, `$$…$$`: formulas and definitions such as $t = 0.5$ are
//!   written there), include directives, HTML comments, link and image targets, bare URLs,
//!   heading ids and ordered-list markers. HTML tags are markup, except the text of their `alt`,
//!   `title` and `aria-label` attributes, which readers read (or hear): those are prose.
//! - **Bibliography entries**: a list item that opens with an `<a id="…">` anchor is a reference
//!   (volumes, pages, years, arXiv numbers identify the work; they state nothing).
//! - **Names**: digits attached to a letter are part of a name, not a quantity: figure IDs (F3,
//!   X15), `2D`, `SD3`, `MP3`, `CIFAR-10`, file names such as `speech-01-french`. Digits followed
//!   by a hyphen and a word (`16-bit`, `320-pixel`) are quantities and are checked.
//! - **Citation years**: a year (1900–2099) inside the text of a link to `references.md`, as in
//!   `[Ruhe et al., 2024](references.md#ruhe2024rolling)`.
//! - **Locators**: a number right after "Section", "§", "Table", "Eq.", "Equation", "Appendix" or
//!   "Chapter" points into a cited work.
//! - **Number words**: large cardinals and multipliers are numbers too ("sixteen", "two
//!   thousand", "hundreds", "fourfold"); the small counting words one to ten are not checked,
//!   since they mostly count the book's own things (two facts, three caveats) and checking them
//!   would bury real findings.
//!
//! An allow-list entry covers the numbers inside each occurrence of its phrase in its chapter
//! (whitespace is normalised; the phrase is matched against the prose as these rules leave it,
//! so mathematics and includes inside it read as a single space). An entry that matches nothing,
//! or whose phrase holds no number, is itself reported, so the list cannot go stale.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::{Problem, chapters};

/// The allow-list's place in the repository.
pub const ALLOW_LIST: &str = "tests/typed-numbers.toml";

/// One number allowed to be typed: where, in which words, and why.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Allowed {
    /// The chapter's file, relative to `src/`.
    pub chapter: String,
    /// Words around the number, as they read in the prose.
    pub phrase: String,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowFile {
    #[serde(default)]
    allow: Vec<Allowed>,
}

/// Reads an allow-list; an entry without a reason or a phrase is an error naming the file.
pub fn load_allow_list(path: &Path) -> Result<Vec<Allowed>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let file: AllowFile = toml::from_str(&text)
        .with_context(|| format!("{}: not a valid allow-list", path.display()))?;
    for (i, entry) in file.allow.iter().enumerate() {
        if entry.reason.trim().is_empty() || normalise(&entry.phrase).is_empty() {
            bail!(
                "{}: entry {} ({}, {:?}) needs a phrase and a reason",
                path.display(),
                i + 1,
                entry.chapter,
                entry.phrase
            );
        }
    }
    Ok(file.allow)
}

/// Every number typed into the prose of the chapters listed in `src/SUMMARY.md` and not covered
/// by `allow`, and every allow-list entry that covers nothing.
pub fn check_typed_numbers(src: &Path, allow: &[Allowed]) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    let mut used = vec![false; allow.len()];
    for chapter in chapters(src)? {
        let path = src.join(&chapter.path);
        let markdown = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let prose = Prose::of(&markdown);
        let entries: Vec<(usize, &Allowed)> = allow
            .iter()
            .enumerate()
            .filter(|(_, a)| a.chapter == chapter.path)
            .collect();
        let covered: Vec<(usize, Vec<(usize, usize)>)> = entries
            .iter()
            .map(|(i, a)| (*i, prose.find_all(&normalise(&a.phrase))))
            .collect();
        for token in prose.numbers() {
            let by = covered.iter().find(|(_, spans)| {
                spans
                    .iter()
                    .any(|(s, e)| *s <= token.start && token.end <= *e)
            });
            match by {
                Some((i, _)) => used[*i] = true,
                None => problems.push(prose.problem(&path, &token)),
            }
        }
    }
    for (entry, used) in allow.iter().zip(used) {
        if !used {
            problems.push(Problem {
                file: PathBuf::from(ALLOW_LIST),
                line: 0,
                message: format!(
                    "allow-list entry for {} covers no typed number (phrase {:?} not found, or \
                     it holds no number): remove it",
                    entry.chapter, entry.phrase
                ),
            });
        }
    }
    Ok(problems)
}

/// A typed number: its text and its place in [`Prose::chars`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// A chapter's prose with everything that is not prose replaced by a space and whitespace runs
/// collapsed. Each character remembers its byte offset in the Markdown, for line numbers and
/// link spans.
pub struct Prose {
    pub chars: Vec<char>,
    offsets: Vec<usize>,
    /// Byte ranges of link texts whose target is the references chapter.
    citations: Vec<(usize, usize)>,
    line_starts: Vec<usize>,
}

impl Prose {
    pub fn of(markdown: &str) -> Prose {
        let kept = block_filter(markdown);
        let citations = citation_spans(&kept);
        let mut raw: Vec<(char, usize)> = Vec::new();
        inline_prose(&kept, &mut raw);
        // Collapse whitespace so phrases match across line breaks and removed math.
        let mut chars = Vec::new();
        let mut offsets = Vec::new();
        for (c, at) in raw {
            let c = if c.is_whitespace() { ' ' } else { c };
            if c == ' ' && chars.last().is_none_or(|p| *p == ' ') {
                continue;
            }
            chars.push(c);
            offsets.push(at);
        }
        let line_starts = std::iter::once(0)
            .chain(markdown.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Prose {
            chars,
            offsets,
            citations,
            line_starts,
        }
    }

    /// The 1-based line of character `i`.
    fn line(&self, i: usize) -> usize {
        let at = self.offsets.get(i).copied().unwrap_or(0);
        self.line_starts.partition_point(|&s| s <= at)
    }

    /// Every occurrence of `phrase` (already normalised) as a character range.
    pub fn find_all(&self, phrase: &str) -> Vec<(usize, usize)> {
        let needle: Vec<char> = phrase.chars().collect();
        if needle.is_empty() || needle.len() > self.chars.len() {
            return Vec::new();
        }
        (0..=self.chars.len() - needle.len())
            .filter(|&i| self.chars[i..i + needle.len()] == needle[..])
            .map(|i| (i, i + needle.len()))
            .collect()
    }

    /// The numbers of the prose that no rule excuses.
    pub fn numbers(&self) -> Vec<Token> {
        let mut out = Vec::new();
        let c = &self.chars;
        let mut i = 0;
        while i < c.len() {
            if c[i].is_ascii_digit() {
                let end = number_end(c, i);
                if !self.excused(i, end) {
                    out.push(self.token(i, end));
                }
                i = end;
            } else if c[i].is_alphabetic() {
                let end = (i..c.len())
                    .find(|&j| !(c[j].is_alphabetic() || c[j] == '-'))
                    .unwrap_or(c.len());
                let word: String = c[i..end].iter().collect();
                if is_number_word(&word) {
                    out.push(self.token(i, end));
                }
                // Skip the whole word, digits attached to it included (a name such as X15).
                i = (end..c.len())
                    .find(|&j| !c[j].is_alphanumeric())
                    .unwrap_or(c.len());
            } else {
                i += 1;
            }
        }
        out
    }

    fn token(&self, start: usize, end: usize) -> Token {
        Token {
            text: self.chars[start..end].iter().collect(),
            start,
            end,
        }
    }

    /// Names, citation years and locators (see the module documentation).
    fn excused(&self, start: usize, end: usize) -> bool {
        let c = &self.chars;
        let before = |k: usize| start.checked_sub(k).map(|i| c[i]);
        let attached = |x: Option<char>| x.is_some_and(|x| x.is_alphabetic() || x == '_');
        // CIFAR-10, speech-01-french: a hyphen that joins the digits to a preceding name.
        let joined = before(1) == Some('-')
            && before(2).is_some_and(|x| x.is_alphanumeric())
            && !before(2).is_some_and(|x| x.is_ascii_digit());
        let after = c.get(end).copied();
        if attached(before(1)) || joined || attached(after) {
            return true;
        }
        let text: String = c[start..end].iter().collect();
        let year = text.len() == 4 && text.parse::<u32>().is_ok_and(|y| (1900..2100).contains(&y));
        let offset = self.offsets[start];
        if year
            && self
                .citations
                .iter()
                .any(|(s, e)| *s <= offset && offset < *e)
        {
            return true;
        }
        let previous: String = c[..start]
            .iter()
            .rev()
            .skip_while(|x| **x == ' ')
            .take_while(|x| !x.is_whitespace())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let locator = [
            "section", "§", "table", "eq.", "equation", "appendix", "chapter",
        ];
        locator.contains(&previous.to_lowercase().as_str()) || before(1) == Some('§')
    }

    fn problem(&self, file: &Path, token: &Token) -> Problem {
        let from = token.start.saturating_sub(40);
        let to = (token.end + 40).min(self.chars.len());
        let context: String = self.chars[from..to].iter().collect();
        Problem {
            file: file.to_path_buf(),
            line: self.line(token.start),
            message: format!(
                "typed number `{}` in \"…{}…\": make it a value from a listing, or add it to \
                 {ALLOW_LIST} with its reason",
                token.text,
                context.trim()
            ),
        }
    }
}

/// Whitespace runs collapsed to one space, ends trimmed.
pub fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where a number that starts at `i` ends: digits with inner `.`/`,` separators, and an
/// exponent (`7.5e4`).
fn number_end(c: &[char], i: usize) -> usize {
    let digit = |j: usize| c.get(j).is_some_and(|x| x.is_ascii_digit());
    let mut j = i;
    while digit(j) || (matches!(c.get(j), Some('.' | ',')) && digit(j + 1)) {
        j += 1;
    }
    if c.get(j) == Some(&'e') {
        let k = if matches!(c.get(j + 1), Some('-' | '−' | '+')) {
            j + 2
        } else {
            j + 1
        };
        if digit(k) {
            j = k;
            while digit(j) {
                j += 1;
            }
        }
    }
    j
}

/// Large cardinals and multipliers (see the module documentation).
fn is_number_word(word: &str) -> bool {
    const WORDS: [&str; 26] = [
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "dozen",
        "dozens",
    ];
    const SMALL: [&str; 12] = [
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "hundred",
        "thousand", "many",
    ];
    let word = word.to_lowercase();
    word.split('-').any(|part| {
        WORDS.contains(&part)
            || part
                .strip_suffix("fold")
                .is_some_and(|n| SMALL.contains(&n) && n != "many")
    })
}

/// The Markdown with fenced code, display-math lines, bibliography entries and ordered-list
/// markers blanked (same length, newlines kept, so byte offsets stay valid).
fn block_filter(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let (mut in_code, mut in_bib) = (false, false);
    for line in markdown.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let fence = trimmed.starts_with("```") || trimmed.starts_with("~~~");
        if line.trim().is_empty() || trimmed.starts_with("- ") {
            in_bib = trimmed
                .strip_prefix("- ")
                .is_some_and(|rest| rest.starts_with("<a id="));
        }
        if fence || in_code || in_bib {
            in_code ^= fence;
            out.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
            continue;
        }
        // "1. item": the list marker is markup.
        let indent = line.len() - trimmed.len();
        let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && trimmed[digits..].starts_with(". ") {
            out.push_str(&" ".repeat(indent + digits + 1));
            out.push_str(&line[indent + digits + 1..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Byte ranges of the texts of links into the references chapter: `[text](references.md#key)`.
fn citation_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (open, _) in text.match_indices('[') {
        let Some((close, target)) = link_at(text, open) else {
            continue;
        };
        if target.starts_with("references.md") {
            out.push((open + 1, close));
        }
    }
    out
}

/// For a `[` at `open`: the index of its `]` and the link target, when `](target)` follows.
fn link_at(text: &str, open: usize) -> Option<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b'\n' if bytes.get(i + 1) == Some(&b'\n') => return None,
            _ => {}
        }
        i += 1;
    }
    if i >= bytes.len() || bytes.get(i + 1) != Some(&b'(') {
        return None;
    }
    let target_end = text[i + 2..].find(')')? + i + 2;
    Some((i, &text[i + 2..target_end]))
}

/// The inline scanner: appends prose characters with their byte offsets, a space for each
/// skipped span.
fn inline_prose(text: &str, out: &mut Vec<(char, usize)>) {
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let skip_to =
            |open: usize, close: &str| rest[open..].find(close).map(|k| i + open + k + close.len());
        let next = if rest.starts_with("{{#") {
            skip_to(3, "}}")
        } else if rest.starts_with("<!--") {
            skip_to(4, "-->")
        } else if rest.starts_with("$$") {
            skip_to(2, "$$")
        } else if rest.starts_with('$') {
            skip_to(1, "$")
        } else if rest.starts_with('`') {
            let run = rest.chars().take_while(|c| *c == '`').count();
            skip_to(run, &"`".repeat(run))
        } else if rest.starts_with("](") {
            // A link's target: skip it (the text before it was prose).
            link_target_end(rest).map(|k| i + k)
        } else if rest.starts_with("http://") || rest.starts_with("https://") {
            Some(i + rest.find(char::is_whitespace).unwrap_or(rest.len()))
        } else if rest.starts_with("{#") {
            skip_to(2, "}")
        } else if let Some(escaped) = rest.strip_prefix('\\') {
            // An escaped character is literal.
            let c = escaped.chars().next().unwrap_or(' ');
            out.push((c, i + 1));
            i += 1 + c.len_utf8();
            continue;
        } else if rest
            .strip_prefix('<')
            .is_some_and(|tag| tag.starts_with(|c: char| c.is_alphabetic() || c == '/' || c == '!'))
        {
            html_tag(text, i, out)
        } else {
            None
        };
        match next {
            Some(end) => {
                out.push((' ', i));
                i = end;
            }
            None => {
                let c = rest.chars().next().expect("non-empty");
                out.push((c, i));
                i += c.len_utf8();
            }
        }
    }
}

/// For text starting with `](`: the length up to and including the target's closing `)`.
fn link_target_end(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in rest.char_indices().skip(1) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// An HTML tag at `i`: emits its prose attributes (`alt`, `title`, `aria-label`) and returns
/// where scanning resumes: after the tag, or after the element for `<code>` and `<pre>`.
fn html_tag(text: &str, i: usize, out: &mut Vec<(char, usize)>) -> Option<usize> {
    let close = text[i..].find('>')? + i;
    let tag = &text[i..close];
    for attr in ["alt=\"", "title=\"", "aria-label=\""] {
        let mut from = 0;
        while let Some(k) = tag[from..].find(attr) {
            let start = from + k + attr.len();
            let Some(len) = tag[start..].find('"') else {
                break;
            };
            // The attribute's value is prose in its own right (includes in it are skipped).
            out.push((' ', i + start));
            let mut inner = Vec::new();
            inline_prose(&tag[start..start + len], &mut inner);
            out.extend(inner.into_iter().map(|(c, at)| (c, at + i + start)));
            out.push((' ', i + start + len));
            from = start + len;
        }
    }
    let name: String = tag[1..]
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    if ["code", "pre", "script", "style"].contains(&name.as_str()) {
        let end_tag = format!("</{name}>");
        let end = text[close..].find(&end_tag)? + close + end_tag.len();
        return Some(end);
    }
    Some(close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(markdown: &str) -> Vec<String> {
        Prose::of(markdown)
            .numbers()
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn numbers_in_prose_are_found_with_their_lines() {
        let md = "# Title\n\nThe photos are 320 × 320 pixels\nand 16-bit, sampled at 22,050 Hz.\n";
        assert_eq!(found(md), ["320", "320", "16", "22,050"]);
        let prose = Prose::of(md);
        let lines: Vec<usize> = prose
            .numbers()
            .iter()
            .map(|t| prose.line(t.start))
            .collect();
        assert_eq!(lines, [3, 3, 4, 4]);
        assert_eq!(
            found("from 7.5e4 down to −2.3, about 95%"),
            ["7.5e4", "2.3", "95"]
        );
    }

    #[test]
    fn code_math_includes_and_link_targets_are_not_prose() {
        let md = "Run `cargo run -p f05` with $t = 0.5$ and\n$$\nx = 2\n$$\n\
                  ```sh\nspectra --t 0.6\n```\n\
                  {{#include generated/values/photo-count.txt}} photos, see \
                  [the fit](image-spectra.md#fit-2) and <https://x.org/3>, https://y.org/4 \
                  <code>cargo run -p x15-frequency-weighting</code> <!-- 5 -->\n";
        assert!(found(md).is_empty(), "{:?}", found(md));
    }

    #[test]
    fn alt_text_is_prose_but_other_attributes_are_not() {
        let md = r#"<figure id="f10"><img src="generated/f10.gif" alt="noise from t = 0.05 to {{#include generated/values/t.txt}}" style="width: 50em"></figure>"#;
        assert_eq!(found(md), ["0.05"]);
    }

    #[test]
    fn names_citation_years_and_locators_are_excused() {
        let md = "Figures F3 and X15, 2D spectra, SD3, CIFAR-10, speech-01-french; \
                  ([Ruhe et al., 2024](references.md#ruhe2024)) in Section 2.2 and §3; \
                  but Falck et al. (2025) and a 32-pixel wave count.\n";
        assert_eq!(found(md), ["2025", "32"]);
    }

    #[test]
    fn bibliography_entries_and_list_markers_are_skipped() {
        let md = "1. First step\n2. Second\n\n- <a id=\"x2001\"></a>A. Author. *T.* J. 3(4):5–6, \
                  2001.\n  doi:10.1/2\n\n- a list item with 7 apples\n";
        assert_eq!(found(md), ["7"]);
    }

    #[test]
    fn large_number_words_and_multipliers_are_numbers_small_counts_are_not() {
        let md = "Two facts, three caveats, sixteen times more, repeat two thousand times, \
                  hundreds of chains, a fourfold drop, twenty-five steps, a manifold.\n";
        assert_eq!(
            found(md),
            ["sixteen", "thousand", "hundreds", "fourfold", "twenty-five"]
        );
    }

    #[test]
    fn an_allow_list_entry_covers_its_phrase_only_and_stale_entries_are_reported() {
        let prose = Prose::of("In September 2024 he published; in 2024 again.\n");
        let spans = prose.find_all(&normalise("September  2024"));
        assert_eq!(spans.len(), 1);
        let numbers = prose.numbers();
        assert_eq!(numbers.len(), 2);
        let covered = |t: &Token| spans.iter().any(|(s, e)| *s <= t.start && t.end <= *e);
        assert!(covered(&numbers[0]) && !covered(&numbers[1]));
    }
}

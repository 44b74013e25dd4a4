//! Text in figures: the shipped fonts, widths measured as the browser sets the text, a small
//! markup for sub- and superscripts (f_{max}, f^{−α}), and text drawn into pixels.
//!
//! Rasters draw every glyph from its outline at its exact, fractional position with the font's
//! kerning, as a browser does; rounding each glyph to whole pixels (what plotters' text did)
//! makes the spacing uneven ("noisyimages", "cycles/pi xel"). DejaVu Sans is compiled in, so
//! rasters are identical on every machine; SVGs name it first and fall back to the reader's
//! sans-serif.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};

/// The sans-serif family the figures use (DejaVu Sans, compiled in for rasters).
pub const FONT: &str = "sans-serif";
/// The monospace family (DejaVu Sans Mono).
pub const MONO: &str = "monospace";

/// The smallest text a figure uses, in CSS px at the size the book shows it: tick labels,
/// legends and sub- and superscripts never go below this (the browser check asserts it on the
/// rendered pages).
pub const MIN_TEXT_PX: f64 = 11.0;

static SANS_TTF: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static MONO_TTF: &[u8] = include_bytes!("../assets/DejaVuSansMono.ttf");

/// The compiled-in font of a family ([`MONO`], or DejaVu Sans for anything else).
fn font(family: &str) -> &'static FontRef<'static> {
    static SANS: OnceLock<FontRef<'static>> = OnceLock::new();
    static MONOSPACE: OnceLock<FontRef<'static>> = OnceLock::new();
    // The fonts are compiled in: parsing them fails only if the files in assets/ are corrupt.
    let parse =
        |bytes: &'static [u8]| FontRef::try_from_slice(bytes).expect("assets/ holds a valid font");
    if family == MONO {
        MONOSPACE.get_or_init(|| parse(MONO_TTF))
    } else {
        SANS.get_or_init(|| parse(SANS_TTF))
    }
}

/// Where a run of text sits: on the baseline, or raised or lowered as a smaller script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    Normal,
    Sub,
    Super,
}

impl Script {
    /// The run's font size for a text of `size` CSS px: scripts are 80 % of it, but never below
    /// [`MIN_TEXT_PX`] (nor above the text itself).
    pub fn size(self, size: f64) -> f64 {
        match self {
            Script::Normal => size,
            Script::Sub | Script::Super => (0.8 * size).max(MIN_TEXT_PX.min(size)),
        }
    }

    /// How far the run's baseline lies below the text's, in units of the text's size.
    pub fn shift(self) -> f64 {
        match self {
            Script::Normal => 0.0,
            Script::Sub => 0.22,
            Script::Super => -0.38,
        }
    }
}

/// A text split into runs: `_{…}` is a subscript, `^{…}` a superscript, everything else is
/// itself (an underscore or caret without braces too).
pub fn runs(text: &str) -> Vec<(String, Script)> {
    let mut out: Vec<(String, Script)> = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['_', '^']) {
        let script = if rest[i..].starts_with('_') {
            Script::Sub
        } else {
            Script::Super
        };
        let after = &rest[i + 1..];
        match (after.strip_prefix('{'), after.find('}')) {
            (Some(inner), Some(end)) => {
                plain.push_str(&rest[..i]);
                if !plain.is_empty() {
                    out.push((std::mem::take(&mut plain), Script::Normal));
                }
                out.push((inner[..end - 1].to_string(), script));
                rest = &after[end + 1..];
            }
            _ => {
                plain.push_str(&rest[..=i]);
                rest = after;
            }
        }
    }
    plain.push_str(rest);
    if !plain.is_empty() {
        out.push((plain, Script::Normal));
    }
    out
}

/// The text without its markup (what a reader of the SVG's source, or a search, sees).
pub fn plain(text: &str) -> String {
    runs(text).into_iter().map(|(s, _)| s).collect()
}

/// The scale ab_glyph needs for a font size in CSS px: its scales are in units of the font's
/// height (ascent − descent), CSS's in units of its em.
fn scale_of(font: &FontRef<'static>, size: f64) -> PxScale {
    let em = font.units_per_em().unwrap_or(2048.0);
    PxScale::from((size * f64::from(font.height_unscaled()) / f64::from(em)) as f32)
}

/// Lays out one run from x = 0: every glyph with its position (kerned advances).
fn layout(text: &str, size: f64, family: &str) -> (Vec<(GlyphId, f64)>, f64) {
    let f = font(family);
    let scaled = f.as_scaled(scale_of(f, size));
    let mut x = 0.0;
    let mut prev: Option<GlyphId> = None;
    let mut glyphs = Vec::new();
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            x += f64::from(scaled.kern(p, id));
        }
        glyphs.push((id, x));
        x += f64::from(scaled.h_advance(id));
        prev = Some(id);
    }
    (glyphs, x)
}

/// Width of a text (markup included) in CSS px at `size`, from the shipped font's metrics (a
/// browser's fallback font may differ a little: layouts leave room for that).
pub fn text_width(text: &str, size: f64, family: &str) -> f64 {
    runs(text)
        .iter()
        .map(|(s, script)| layout(s, script.size(size), family).1)
        .sum()
}

/// The words of `text` broken into lines no wider than `width` CSS px at `size` (a word wider
/// than that gets a line of its own).
pub fn wrap(text: &str, size: f64, family: &str, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), size, family) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// How far below an anchor the baseline lies, in em (DejaVu's capitals are 0.73 em tall: a
/// top-anchored text's capitals start at the anchor).
pub fn baseline_offset(v: crate::painter::VAlign) -> f64 {
    use crate::painter::VAlign;
    match v {
        VAlign::Top => 0.76,
        VAlign::Middle => 0.36,
        VAlign::Baseline => 0.0,
    }
}

/// Rasterises a text (markup included) of `size` device px whose baseline starts at (x, y) in
/// text space, handing every covered pixel (text-space column and row, coverage 0–1) to `plot`.
/// The caller maps text space onto the image (as is, or turned for vertical text).
pub(crate) fn rasterize(
    text: &str,
    (x, y): (f64, f64),
    size: f64,
    family: &str,
    plot: &mut dyn FnMut(i64, i64, f32),
) {
    let f = font(family);
    let mut pen = x;
    for (run, script) in runs(text) {
        let run_size = script.size(size);
        let baseline = y + script.shift() * size;
        let scale = scale_of(f, run_size);
        let (glyphs, width) = layout(&run, run_size, family);
        for (id, gx) in glyphs {
            let glyph =
                id.with_scale_and_position(scale, point((pen + gx) as f32, baseline as f32));
            if let Some(outline) = f.outline_glyph(glyph) {
                let b = outline.px_bounds();
                let (x0, y0) = (b.min.x as i64, b.min.y as i64);
                outline.draw(|px, py, c| plot(x0 + i64::from(px), y0 + i64::from(py), c));
            }
        }
        pen += width;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_splits_into_runs_and_leaves_lone_marks_alone() {
        assert_eq!(
            runs("f_{max} (t)"),
            [
                ("f".to_string(), Script::Normal),
                ("max".to_string(), Script::Sub),
                (" (t)".to_string(), Script::Normal)
            ]
        );
        assert_eq!(
            runs("C f^{−α}"),
            [
                ("C f".to_string(), Script::Normal),
                ("−α".to_string(), Script::Super)
            ]
        );
        assert_eq!(
            runs("snake_case ^ 2"),
            [("snake_case ^ 2".to_string(), Script::Normal)]
        );
        assert_eq!(plain("x_{t} and f^{2}"), "xt and f2");
    }

    #[test]
    fn widths_add_up_and_scripts_never_go_below_the_minimum() {
        let w = text_width("power", 13.0, FONT);
        // DejaVu Sans: "power" is about 2.8 em wide.
        assert!((30.0..42.0).contains(&w), "{w}");
        assert!((text_width("powerpower", 13.0, FONT) - 2.0 * w).abs() < 0.5);
        assert_eq!(Script::Sub.size(20.0), 16.0);
        assert_eq!(Script::Sub.size(12.0), MIN_TEXT_PX);
        assert_eq!(Script::Super.size(11.0), 11.0);
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "background: closed form G = SNR/(1 + SNR); squares: measured over 256 chains";
        let lines = wrap(text, 12.0, FONT, 200.0);
        assert!(lines.len() >= 2);
        assert!(lines.iter().all(|l| text_width(l, 12.0, FONT) <= 200.0));
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn glyphs_land_where_their_advances_say() {
        // Two copies of a letter drawn as one text: the second's ink is the first's, moved by
        // exactly one advance (to a hundredth of a pixel: no rounding to whole pixels).
        let mut ink: Vec<(f64, f64)> = Vec::new();
        rasterize(
            "ll",
            (10.25, 40.0),
            30.0,
            FONT,
            &mut |x: i64, _: i64, c: f32| ink.push((x as f64 + 0.5, f64::from(c))),
        );
        let advance = text_width("l", 30.0, FONT);
        let split = 10.25 + advance;
        let centre = |left: bool| {
            let (sum, w) = ink
                .iter()
                .filter(|(x, _)| (*x < split) == left)
                .fold((0.0, 0.0), |(s, w), (x, c)| (s + x * c, w + c));
            sum / w
        };
        assert!((centre(false) - centre(true) - advance).abs() < 0.05);
    }
}

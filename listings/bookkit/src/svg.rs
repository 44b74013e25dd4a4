//! Figures painted as SVG: the browser draws the text and lines at the screen's resolution, so
//! they stay sharp and exactly as large as the figure says on any screen; pictures (photos,
//! spectra maps) are embedded as PNG, each distinct one once.
//!
//! Animations are SVG too: every frame is a group that SMIL shows for its share of the loop, so
//! an animated figure's text is as sharp as a chart's (a GIF's text is pixels at one size).

use std::collections::HashMap;
use std::fmt::Write as _;

use image::RgbImage;

use crate::painter::{HAlign, Painter, RGBColor, Rect, Stroke, TextStyle};
use crate::text::{MONO, Script, baseline_offset, runs};

/// Writes SVG elements into a string. Numbers are printed with two decimals, so the document
/// depends only on the figure (two runs give identical bytes).
pub struct SvgPainter {
    body: String,
    defs: String,
    clips: Vec<Rect>,
    /// Embedded pictures by content: each is defined once and used wherever it is drawn.
    images: HashMap<(u32, u32, Vec<u8>), usize>,
}

impl SvgPainter {
    pub fn new() -> SvgPainter {
        SvgPainter {
            body: String::new(),
            defs: String::new(),
            clips: Vec::new(),
            images: HashMap::new(),
        }
    }

    /// The id of a clip path for `r`, defined once per distinct rectangle.
    fn clip_id(&mut self, r: Rect) -> usize {
        if let Some(i) = self.clips.iter().position(|c| *c == r) {
            return i;
        }
        let _ = writeln!(
            self.defs,
            r#"<clipPath id="c{}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath>"#,
            self.clips.len(),
            num(r.x),
            num(r.y),
            num(r.w),
            num(r.h)
        );
        self.clips.push(r);
        self.clips.len() - 1
    }

    fn clip_attr(&mut self, clip: Option<Rect>) -> String {
        clip.map(|r| format!(r#" clip-path="url(#c{})""#, self.clip_id(r)))
            .unwrap_or_default()
    }

    /// Starts the group of one animation frame, shown from `start` to `end` (fractions of a
    /// loop of `period_ms`): hidden otherwise, the first frame visible when SMIL does not run.
    pub fn begin_frame(&mut self, start: f64, end: f64, period_ms: u32) {
        let first = start <= 0.0;
        let last = end >= 1.0;
        let (values, times) = match (first, last) {
            (true, true) => {
                self.body.push_str("<g>\n");
                return;
            }
            (true, false) => ("visible;hidden".to_string(), format!("0;{}", frac(end))),
            (false, true) => ("hidden;visible".to_string(), format!("0;{}", frac(start))),
            (false, false) => (
                "hidden;visible;hidden".to_string(),
                format!("0;{};{}", frac(start), frac(end)),
            ),
        };
        let _ = writeln!(
            self.body,
            r#"<g visibility="{}"><animate attributeName="visibility" values="{values}" keyTimes="{times}" dur="{}ms" calcMode="discrete" repeatCount="indefinite"/>"#,
            if first { "visible" } else { "hidden" },
            period_ms
        );
    }

    pub fn end_frame(&mut self) {
        self.body.push_str("</g>\n");
    }

    /// The whole document, `width × height` CSS px, on a white page.
    pub fn finish(self, width: f64, height: f64) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" font-family=\"'DejaVu Sans', Verdana, 'Bitstream Vera Sans', \
             Arial, sans-serif\">\n<defs>\n{}</defs>\n<rect width=\"100%\" height=\"100%\" \
             fill=\"#ffffff\"/>\n{}</svg>\n",
            self.defs,
            self.body,
            w = num(width),
            h = num(height)
        )
    }

    /// The id of a picture's definition (its PNG, embedded once).
    fn image_id(&mut self, picture: &RgbImage, pixelated: bool) -> usize {
        let key = (picture.width(), picture.height(), picture.as_raw().clone());
        if let Some(id) = self.images.get(&key) {
            return *id;
        }
        let id = self.images.len();
        let mut png = Vec::new();
        picture
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encoding a PNG in memory cannot fail");
        let style = if pixelated {
            r#" style="image-rendering:pixelated""#
        } else {
            ""
        };
        let _ = writeln!(
            self.defs,
            r#"<image id="i{id}" width="{}" height="{}"{style} preserveAspectRatio="none" href="data:image/png;base64,{}"/>"#,
            picture.width(),
            picture.height(),
            crate::notebook::base64(&png)
        );
        self.images.insert(key, id);
        id
    }
}

impl Default for SvgPainter {
    fn default() -> SvgPainter {
        SvgPainter::new()
    }
}

/// A coordinate as SVG text: two decimals, no trailing zeros, no "-0".
pub(crate) fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A fraction of an animation's loop, to four decimals.
fn frac(v: f64) -> String {
    let s = format!("{:.4}", v.clamp(0.0, 1.0));
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// A text's runs as SVG: scripts in <tspan>s shifted by `dy` (relative, so the next run shifts
/// back) at their own size.
fn text_runs(text: &str, size: f64) -> String {
    let mut out = String::new();
    let mut shift = 0.0;
    for (run, script) in runs(text) {
        let want = script.shift() * size;
        let dy = want - shift;
        shift = want;
        if script == Script::Normal && dy == 0.0 {
            out.push_str(&escape(&run));
            continue;
        }
        let mut attrs = String::new();
        if dy != 0.0 {
            let _ = write!(attrs, r#" dy="{}""#, num(dy));
        }
        if script != Script::Normal {
            let _ = write!(attrs, r#" font-size="{}""#, num(script.size(size)));
        }
        let _ = write!(out, "<tspan{attrs}>{}</tspan>", escape(&run));
    }
    out
}

impl Painter for SvgPainter {
    fn polyline(&mut self, points: &[(f64, f64)], stroke: &Stroke, clip: Option<Rect>) {
        if points.len() < 2 {
            return;
        }
        let mut d = String::with_capacity(points.len() * 14);
        for (i, (x, y)) in points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{} {}",
                if i == 0 { "M" } else { "L" },
                num(*x),
                num(*y)
            );
        }
        let dash = if stroke.dash.is_empty() {
            String::new()
        } else {
            let p: Vec<String> = stroke.dash.iter().map(|v| num(*v)).collect();
            format!(r#" stroke-dasharray="{}""#, p.join(" "))
        };
        let opacity = if stroke.opacity < 1.0 {
            format!(r#" stroke-opacity="{}""#, num(stroke.opacity))
        } else {
            String::new()
        };
        let clip = self.clip_attr(clip);
        let _ = writeln!(
            self.body,
            r#"<path d="{d}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round" stroke-linecap="round"{dash}{opacity}{clip}/>"#,
            hex(stroke.color),
            num(stroke.width),
        );
    }

    fn disc(&mut self, c: (f64, f64), radius: f64, color: RGBColor, clip: Option<Rect>) {
        let clip = self.clip_attr(clip);
        let _ = writeln!(
            self.body,
            r#"<circle cx="{}" cy="{}" r="{}" fill="{}"{clip}/>"#,
            num(c.0),
            num(c.1),
            num(radius),
            hex(color)
        );
    }

    fn fill_rect(&mut self, r: Rect, color: RGBColor, opacity: f64) {
        let opacity = if opacity < 1.0 {
            format!(r#" fill-opacity="{}""#, num(opacity))
        } else {
            String::new()
        };
        let _ = writeln!(
            self.body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"{opacity}/>"#,
            num(r.x),
            num(r.y),
            num(r.w),
            num(r.h),
            hex(color)
        );
    }

    fn band(&mut self, points: &[(f64, f64, f64)], color: RGBColor, opacity: f64, clip: Rect) {
        if points.len() < 2 {
            return;
        }
        let mut d = String::new();
        let upper = points.iter().map(|p| (p.0, p.2));
        let lower = points.iter().rev().map(|p| (p.0, p.1));
        for (i, (x, y)) in upper.chain(lower).enumerate() {
            let _ = write!(d, "{}{} {}", if i == 0 { "M" } else { "L" }, num(x), num(y));
        }
        let clip = self.clip_attr(Some(clip));
        let _ = writeln!(
            self.body,
            r#"<path d="{d}Z" fill="{}" fill-opacity="{}" stroke="none"{clip}/>"#,
            hex(color),
            num(opacity)
        );
    }

    fn text(&mut self, text: &str, at: (f64, f64), style: &TextStyle) {
        let anchor = match style.h {
            HAlign::Left => "start",
            HAlign::Center => "middle",
            HAlign::Right => "end",
        };
        let dy = baseline_offset(style.v) * style.size;
        let family = if style.family == MONO {
            r#" font-family="'DejaVu Sans Mono', Menlo, Consolas, monospace""#
        } else {
            ""
        };
        let (x, y) = (num(at.0), num(at.1));
        let rotate = if style.vertical {
            format!(r#" transform="rotate(-90 {x} {y})""#)
        } else {
            String::new()
        };
        let _ = writeln!(
            self.body,
            r#"<text x="{x}" y="{y}" dy="{}" font-size="{}" text-anchor="{anchor}" fill="{}"{family}{rotate}>{}</text>"#,
            num(dy),
            num(style.size),
            hex(style.color),
            text_runs(text, style.size)
        );
    }

    fn image(&mut self, picture: &RgbImage, r: Rect, pixelated: bool) {
        let id = self.image_id(picture, pixelated);
        let (sx, sy) = (
            r.w / f64::from(picture.width().max(1)),
            r.h / f64::from(picture.height().max(1)),
        );
        let _ = writeln!(
            self.body,
            r##"<use href="#i{id}" transform="translate({} {}) scale({} {})"/>"##,
            num(r.x),
            num(r.y),
            scale_num(sx),
            scale_num(sy)
        );
    }
}

/// A scale factor as SVG text: six decimals (two would misplace the far edge of a large picture).
fn scale_num(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(2.345), "2.35");
    }

    #[test]
    fn scripts_become_shifted_tspans_that_shift_back() {
        let s = text_runs("f_{max} (t)", 15.0);
        assert_eq!(
            s,
            r#"f<tspan dy="3.3" font-size="12">max</tspan><tspan dy="-3.3"> (t)</tspan>"#
        );
        assert_eq!(text_runs("a < b", 13.0), "a &lt; b");
    }

    #[test]
    fn a_picture_drawn_twice_is_embedded_once() {
        let mut p = SvgPainter::new();
        let pic = RgbImage::from_pixel(4, 3, image::Rgb([9, 9, 9]));
        p.image(&pic, Rect::new(0.0, 0.0, 8.0, 6.0), true);
        p.image(&pic, Rect::new(10.0, 0.0, 4.0, 3.0), true);
        let svg = p.finish(20.0, 10.0);
        assert_eq!(svg.matches("data:image/png").count(), 1);
        assert_eq!(svg.matches("<use href=\"#i0\"").count(), 2);
        assert!(svg.contains("translate(10 0) scale(1 1)"));
    }
}

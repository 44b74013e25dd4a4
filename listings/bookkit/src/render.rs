//! One drawing vocabulary, two outputs: every figure is described once as a [`Figure`] (charts,
//! pictures, text and lines placed in CSS pixels) and painted either as SVG (charts in the book:
//! the browser draws text and lines at the screen's resolution, so they stay sharp on HiDPI
//! screens) or as an RGB raster at any scale (animation frames, PNGs, the pixel tests).
//!
//! The raster painter draws lines itself rather than through plotters: plotters widens a
//! polyline by mitring its joins without a limit, so a sharp turn in a thick line grows a spike
//! that can leave the plot frame. Here every line is the set of pixels within half its width of
//! some segment (round joins and caps, so no spike is possible), anti-aliased by that distance,
//! and clipped to a rectangle. The SVG painter asks the browser for the same shape
//! (`stroke-linejoin="round"` and a `clipPath`).

use std::fmt::Write as _;
use std::sync::Once;

use image::{RgbImage, imageops};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::plot::RGBColor;

/// The sans-serif family the figures use (DejaVu Sans, compiled in for rasters).
pub const FONT: &str = "sans-serif";
/// The monospace family (DejaVu Sans Mono).
pub const MONO: &str = "monospace";

/// Registers the shipped fonts with plotters once (raster text and all text measurement).
pub(crate) fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let sans: &'static [u8] = include_bytes!("../assets/DejaVuSans.ttf");
        let mono: &'static [u8] = include_bytes!("../assets/DejaVuSansMono.ttf");
        // The fonts are compiled in; registering them cannot fail unless the files are corrupt.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, sans);
        let _ = plotters::style::register_font(MONO, FontStyle::Normal, mono);
    });
}

/// A rectangle in CSS pixels: top-left corner, width, height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x <= self.right() && y >= self.y && y <= self.bottom()
    }
}

/// Horizontal anchor of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HAlign {
    Left,
    Center,
    Right,
}

/// Vertical anchor of a text: its top, its middle, or its baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VAlign {
    Top,
    Middle,
    Baseline,
}

/// How a text is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextStyle {
    pub size: f64,
    pub color: RGBColor,
    pub h: HAlign,
    pub v: VAlign,
    /// Turned a quarter turn counter-clockwise (reads bottom to top), anchored as if unturned.
    pub vertical: bool,
    pub family: &'static str,
}

impl TextStyle {
    /// Black sans-serif text of `size` CSS px, anchored at its top-left corner.
    pub fn new(size: f64) -> TextStyle {
        TextStyle {
            size,
            color: RGBColor(0, 0, 0),
            h: HAlign::Left,
            v: VAlign::Top,
            vertical: false,
            family: FONT,
        }
    }
    pub fn color(mut self, color: RGBColor) -> TextStyle {
        self.color = color;
        self
    }
    pub fn anchor(mut self, h: HAlign, v: VAlign) -> TextStyle {
        self.h = h;
        self.v = v;
        self
    }
    pub fn vertical(mut self) -> TextStyle {
        self.vertical = true;
        self
    }
    pub fn family(mut self, family: &'static str) -> TextStyle {
        self.family = family;
        self
    }
}

/// plotters sizes text by the font's line height (ascent + descent, 1.164 em for DejaVu Sans),
/// the browser by its em: this converts a CSS font size into plotters' size.
const EM_TO_PLOTTERS: f64 = 1.164;

/// How far below an anchor the baseline lies, in em (DejaVu's capitals are 0.73 em tall: a
/// top-anchored text's capitals start at the anchor).
fn baseline_offset(v: VAlign) -> f64 {
    match v {
        VAlign::Top => 0.76,
        VAlign::Middle => 0.36,
        VAlign::Baseline => 0.0,
    }
}

/// Width of a text in CSS px, from the shipped font's metrics (the browser's font may differ a
/// little: layouts leave room for that).
pub fn text_width(text: &str, size: f64, family: &str) -> f64 {
    register_fonts();
    // Measured at a large size and scaled, so rounding to whole pixels does not add up.
    let font = (family, 100.0 * EM_TO_PLOTTERS).into_font();
    let w = font.box_size(text).map(|(w, _)| w).unwrap_or(0);
    f64::from(w) * size / 100.0
}

/// How a line is stroked.
#[derive(Clone, Debug, PartialEq)]
pub struct Stroke {
    pub color: RGBColor,
    /// Width in CSS px.
    pub width: f64,
    /// Dash pattern (on, off, on, off, …) in CSS px; empty for a solid line.
    pub dash: Vec<f64>,
    pub opacity: f64,
}

impl Stroke {
    pub fn solid(color: RGBColor, width: f64) -> Stroke {
        Stroke {
            color,
            width,
            dash: Vec::new(),
            opacity: 1.0,
        }
    }
    pub fn dashed(mut self, pattern: &[f64]) -> Stroke {
        self.dash = pattern.to_vec();
        self
    }
    pub fn opacity(mut self, opacity: f64) -> Stroke {
        self.opacity = opacity;
        self
    }
}

/// What a figure can be drawn with. Coordinates are CSS px; each painter scales them itself.
pub trait Painter {
    /// A polyline, clipped to `clip` if given.
    fn polyline(&mut self, points: &[(f64, f64)], stroke: &Stroke, clip: Option<Rect>);
    /// A filled disc (a data marker), clipped to `clip` if given.
    fn disc(&mut self, centre: (f64, f64), radius: f64, color: RGBColor, clip: Option<Rect>);
    /// A filled rectangle.
    fn fill_rect(&mut self, rect: Rect, color: RGBColor, opacity: f64);
    /// The region between two curves sharing increasing x values (`(x, low, high)` triples),
    /// clipped to `clip`.
    fn band(&mut self, points: &[(f64, f64, f64)], color: RGBColor, opacity: f64, clip: Rect);
    fn text(&mut self, text: &str, at: (f64, f64), style: &TextStyle);
    /// A picture stretched over `rect`; `pixelated` keeps its pixels square (spectra maps).
    fn image(&mut self, picture: &RgbImage, rect: Rect, pixelated: bool);
}

/// The outline of a rectangle as a closed polyline.
pub fn rect_outline(r: Rect) -> Vec<(f64, f64)> {
    vec![
        (r.x, r.y),
        (r.right(), r.y),
        (r.right(), r.bottom()),
        (r.x, r.bottom()),
        (r.x, r.y),
    ]
}

// ---------------------------------------------------------------------------------------------
// SVG

/// Writes SVG elements into a string. Numbers are printed with two decimals, so the document
/// depends only on the figure (two runs give identical bytes).
pub struct SvgPainter {
    body: String,
    defs: String,
    clips: Vec<Rect>,
}

impl SvgPainter {
    pub fn new() -> SvgPainter {
        SvgPainter {
            body: String::new(),
            defs: String::new(),
            clips: Vec::new(),
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

    /// The whole document, `width × height` CSS px.
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
}

impl Default for SvgPainter {
    fn default() -> SvgPainter {
        SvgPainter::new()
    }
}

/// A coordinate as SVG text: two decimals, no trailing zeros, no "-0".
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
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
            escape(text)
        );
    }

    fn image(&mut self, picture: &RgbImage, r: Rect, pixelated: bool) {
        let mut png = Vec::new();
        picture
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encoding a PNG in memory cannot fail");
        let style = if pixelated {
            r#" style="image-rendering:pixelated" preserveAspectRatio="none""#
        } else {
            r#" preserveAspectRatio="none""#
        };
        let _ = writeln!(
            self.body,
            r#"<image x="{}" y="{}" width="{}" height="{}"{style} href="data:image/png;base64,{}"/>"#,
            num(r.x),
            num(r.y),
            num(r.w),
            num(r.h),
            crate::notebook::base64(&png)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Raster

/// Paints onto an RGB image, `scale` device pixels per CSS px (2 for HiDPI output).
pub struct RasterPainter<'a> {
    pub img: &'a mut RgbImage,
    pub scale: f64,
}

/// Pixel bounds (x0, y0, x1, y1), end exclusive, of the pixels whose centres lie in `r`
/// (device px), cut to the image.
fn pixel_bounds(r: Rect, w: u32, h: u32) -> (i64, i64, i64, i64) {
    let lo = |v: f64| (v - 0.5).ceil().max(0.0) as i64;
    let hi = |v: f64, n: u32| ((v - 0.5).floor() as i64 + 1).clamp(0, i64::from(n));
    (lo(r.x), lo(r.y), hi(r.right(), w), hi(r.bottom(), h))
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
    (qx * qx + qy * qy).sqrt()
}

/// The pieces of a polyline that a dash pattern keeps "on".
fn dash_pieces(points: &[(f64, f64)], pattern: &[f64]) -> Vec<Vec<(f64, f64)>> {
    if pattern.is_empty() || pattern.iter().sum::<f64>() <= 0.0 {
        return vec![points.to_vec()];
    }
    let mut pieces = Vec::new();
    let (mut k, mut left, mut on) = (0, pattern[0], true);
    let mut current = vec![points[0]];
    for w in points.windows(2) {
        let (mut a, b) = (w[0], w[1]);
        let mut len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        while len > left {
            let t = left / len;
            let m = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            if on {
                current.push(m);
                pieces.push(std::mem::take(&mut current));
            } else {
                current = vec![m];
            }
            on = !on;
            k = (k + 1) % pattern.len();
            len -= left;
            left = pattern[k];
            a = m;
        }
        left -= len;
        if on {
            current.push(b);
        }
    }
    if on && current.len() > 1 {
        pieces.push(current);
    }
    pieces
}

impl RasterPainter<'_> {
    fn device(&self, p: (f64, f64)) -> (f64, f64) {
        (p.0 * self.scale, p.1 * self.scale)
    }

    fn device_rect(&self, r: Rect) -> Rect {
        Rect::new(
            r.x * self.scale,
            r.y * self.scale,
            r.w * self.scale,
            r.h * self.scale,
        )
    }

    fn whole(&self) -> Rect {
        Rect::new(
            0.0,
            0.0,
            f64::from(self.img.width()),
            f64::from(self.img.height()),
        )
    }

    /// Blends `color` into the image with per-pixel coverage: `coverage(x, y)` for the pixel
    /// centres of `bounds`, cut to `clip` (device px). One coverage per pixel (the maximum over
    /// the shape's parts), so overlapping segments do not darken their joins.
    fn blend<F>(&mut self, bounds: Rect, clip: Rect, color: RGBColor, opacity: f64, coverage: F)
    where
        F: Fn(f64, f64) -> f64,
    {
        let (w, h) = self.img.dimensions();
        let (x0, y0, x1, y1) = pixel_bounds(bounds, w, h);
        let (cx0, cy0, cx1, cy1) = pixel_bounds(clip, w, h);
        for y in y0.max(cy0)..y1.min(cy1) {
            for x in x0.max(cx0)..x1.min(cx1) {
                let a = coverage(x as f64 + 0.5, y as f64 + 0.5) * opacity;
                if a > 0.0 {
                    let px = self.img.get_pixel_mut(x as u32, y as u32);
                    for (c, v) in px.0.iter_mut().zip([color.0, color.1, color.2]) {
                        *c = (f64::from(*c) * (1.0 - a) + f64::from(v) * a).round() as u8;
                    }
                }
            }
        }
    }

    /// Coverage of a set of polylines of half-width `hw`: for each pixel, the nearest segment.
    fn stroke_pieces(&mut self, pieces: &[Vec<(f64, f64)>], hw: f64, clip: Rect, s: &Stroke) {
        let (w, h) = self.img.dimensions();
        let clip_px = pixel_bounds(clip, w, h);
        let (cw, ch) = (
            (clip_px.2 - clip_px.0).max(0) as usize,
            (clip_px.3 - clip_px.1).max(0) as usize,
        );
        if cw == 0 || ch == 0 {
            return;
        }
        let mut cover = vec![0f32; cw * ch];
        let mut touched = (i64::MAX, i64::MAX, i64::MIN, i64::MIN);
        for piece in pieces {
            for seg in piece.windows(2) {
                let (a, b) = (seg[0], seg[1]);
                let r = hw + 1.0;
                let bb = Rect::new(
                    a.0.min(b.0) - r,
                    a.1.min(b.1) - r,
                    (a.0 - b.0).abs() + 2.0 * r,
                    (a.1 - b.1).abs() + 2.0 * r,
                );
                let (x0, y0, x1, y1) = pixel_bounds(bb, w, h);
                let (x0, y0) = (x0.max(clip_px.0), y0.max(clip_px.1));
                let (x1, y1) = (x1.min(clip_px.2), y1.min(clip_px.3));
                for y in y0..y1 {
                    for x in x0..x1 {
                        let d = segment_distance((x as f64 + 0.5, y as f64 + 0.5), a, b);
                        let c = (hw + 0.5 - d).clamp(0.0, 1.0) as f32;
                        let i = (y - clip_px.1) as usize * cw + (x - clip_px.0) as usize;
                        if c > cover[i] {
                            cover[i] = c;
                        }
                    }
                }
                if x0 < x1 && y0 < y1 {
                    touched = (
                        touched.0.min(x0),
                        touched.1.min(y0),
                        touched.2.max(x1),
                        touched.3.max(y1),
                    );
                }
            }
        }
        if touched.0 >= touched.2 {
            return;
        }
        let opacity = s.opacity;
        let bounds = Rect::new(
            touched.0 as f64,
            touched.1 as f64,
            (touched.2 - touched.0) as f64,
            (touched.3 - touched.1) as f64,
        );
        self.blend(bounds, clip, s.color, opacity, |x, y| {
            let (ix, iy) = (x.floor() as i64 - clip_px.0, y.floor() as i64 - clip_px.1);
            f64::from(cover[iy as usize * cw + ix as usize])
        });
    }
}

impl Painter for RasterPainter<'_> {
    fn polyline(&mut self, points: &[(f64, f64)], stroke: &Stroke, clip: Option<Rect>) {
        if points.len() < 2 {
            return;
        }
        let pts: Vec<(f64, f64)> = points.iter().map(|p| self.device(*p)).collect();
        let pattern: Vec<f64> = stroke.dash.iter().map(|d| d * self.scale).collect();
        let pieces = dash_pieces(&pts, &pattern);
        let hw = (stroke.width * self.scale / 2.0).max(0.5);
        let clip = clip.map_or_else(|| self.whole(), |c| self.device_rect(c));
        // Hairlines thinner than a pixel are drawn one pixel wide, proportionally fainter.
        let faint = (stroke.width * self.scale).min(1.0);
        let s = Stroke {
            opacity: stroke.opacity * faint,
            ..stroke.clone()
        };
        self.stroke_pieces(&pieces, hw, clip, &s);
    }

    fn disc(&mut self, c: (f64, f64), radius: f64, color: RGBColor, clip: Option<Rect>) {
        let c = self.device(c);
        let r = radius * self.scale;
        let clip = clip.map_or_else(|| self.whole(), |c| self.device_rect(c));
        let bounds = Rect::new(c.0 - r - 1.0, c.1 - r - 1.0, 2.0 * r + 2.0, 2.0 * r + 2.0);
        self.blend(bounds, clip, color, 1.0, |x, y| {
            (r + 0.5 - ((x - c.0).powi(2) + (y - c.1).powi(2)).sqrt()).clamp(0.0, 1.0)
        });
    }

    fn fill_rect(&mut self, rect: Rect, color: RGBColor, opacity: f64) {
        let r = self.device_rect(rect);
        self.blend(r, r, color, opacity, |_, _| 1.0);
    }

    fn band(&mut self, points: &[(f64, f64, f64)], color: RGBColor, opacity: f64, clip: Rect) {
        // Column by column: the band's extent at each pixel column's centre, interpolated
        // linearly between the data points around it (x increases along the points).
        let pts: Vec<(f64, f64, f64)> = points
            .iter()
            .map(|p| (p.0 * self.scale, p.1 * self.scale, p.2 * self.scale))
            .collect();
        let clip = self.device_rect(clip);
        let (w, h) = self.img.dimensions();
        let (x0, _, x1, _) = pixel_bounds(clip, w, h);
        let mut j = 0;
        let mut spans = Vec::new();
        for x in x0..x1 {
            let xc = x as f64 + 0.5;
            while j + 1 < pts.len() && pts[j + 1].0 < xc {
                j += 1;
            }
            if j + 1 >= pts.len() || pts[j].0 > xc {
                continue;
            }
            let (a, b) = (pts[j], pts[j + 1]);
            let t = if b.0 > a.0 {
                (xc - a.0) / (b.0 - a.0)
            } else {
                0.0
            };
            let lo = a.1 + t * (b.1 - a.1);
            let hi = a.2 + t * (b.2 - a.2);
            spans.push((x, lo.max(hi), lo.min(hi)));
        }
        for (x, bottom, top) in spans {
            let col = Rect::new(x as f64, top, 1.0, bottom - top);
            self.blend(col, clip, color, opacity, |_, y| {
                ((y + 0.5).min(bottom) - (y - 0.5).max(top)).clamp(0.0, 1.0)
            });
        }
    }

    fn text(&mut self, text: &str, at: (f64, f64), style: &TextStyle) {
        register_fonts();
        let size = style.size * self.scale;
        let (x, y) = self.device(at);
        if style.vertical {
            vertical_text(self.img, text, (x, y), size, style);
            return;
        }
        let font = (style.family, size * EM_TO_PLOTTERS).into_font();
        let h = match style.h {
            HAlign::Left => HPos::Left,
            HAlign::Center => HPos::Center,
            HAlign::Right => HPos::Right,
        };
        // Where the browser puts the baseline for this anchor (as in the SVG), and where
        // plotters' box top must go for its baseline to land there (measured on DejaVu Sans).
        let baseline = y + baseline_offset(style.v) * size;
        let top = baseline - 0.48 * size * EM_TO_PLOTTERS;
        let ts = plotters::style::TextStyle::from(font)
            .color(&style.color)
            .pos(Pos::new(h, VPos::Top));
        let (w, hgt) = self.img.dimensions();
        let root = BitMapBackend::with_buffer(self.img, (w, hgt)).into_drawing_area();
        // Text outside the image is cut off; nothing else can fail with compiled-in fonts.
        let _ = root.draw_text(text, &ts, (x.round() as i32, top.round() as i32));
        let _ = root.present();
    }

    fn image(&mut self, picture: &RgbImage, rect: Rect, pixelated: bool) {
        let r = self.device_rect(rect);
        let (w, h) = (r.w.round().max(1.0) as u32, r.h.round().max(1.0) as u32);
        let filter = if pixelated || (w, h) == picture.dimensions() {
            imageops::FilterType::Nearest
        } else {
            imageops::FilterType::CatmullRom
        };
        let resized = if (w, h) == picture.dimensions() {
            picture.clone()
        } else {
            imageops::resize(picture, w, h, filter)
        };
        imageops::replace(self.img, &resized, r.x.round() as i64, r.y.round() as i64);
    }
}

/// Vertical text for rasters: plotters' pure-Rust text path cannot rotate glyphs, so the text is
/// set horizontally on a scratch image, cropped to its ink and turned as pixels.
fn vertical_text(img: &mut RgbImage, text: &str, at: (f64, f64), size: f64, style: &TextStyle) {
    let pad = (size / 2.0).ceil() as u32;
    let w = (text_width(text, size, style.family).ceil() as u32) + 2 * pad;
    let h = (size * 1.5).ceil() as u32 + 2 * pad;
    let mut scratch = RgbImage::from_pixel(w, h, image::Rgb([255, 255, 255]));
    {
        let mut p = RasterPainter {
            img: &mut scratch,
            scale: 1.0,
        };
        let flat = TextStyle {
            vertical: false,
            h: HAlign::Left,
            v: VAlign::Top,
            size,
            ..*style
        };
        p.text(text, (f64::from(pad), f64::from(pad)), &flat);
    }
    let ink = |x: u32, y: u32| scratch.get_pixel(x, y).0 != [255, 255, 255];
    let cols: Vec<u32> = (0..w).filter(|x| (0..h).any(|y| ink(*x, y))).collect();
    let rows: Vec<u32> = (0..h).filter(|y| (0..w).any(|x| ink(x, *y))).collect();
    let (Some(&c0), Some(&c1), Some(&r0), Some(&r1)) =
        (cols.first(), cols.last(), rows.first(), rows.last())
    else {
        return;
    };
    let cropped = imageops::crop_imm(&scratch, c0, r0, c1 - c0 + 1, r1 - r0 + 1).to_image();
    let turned = imageops::rotate270(&cropped);
    let (tw, th) = (f64::from(turned.width()), f64::from(turned.height()));
    // Anchors are those of the unturned text: its horizontal anchor runs up the image, its
    // vertical anchor to the right.
    let y = match style.h {
        HAlign::Left => at.1 - th,
        HAlign::Center => at.1 - th / 2.0,
        HAlign::Right => at.1,
    };
    let x = match style.v {
        VAlign::Top => at.0,
        VAlign::Middle => at.0 - tw / 2.0,
        VAlign::Baseline => at.0 - tw,
    };
    // Only the ink is copied, so the label never blanks what lies under its box.
    for (px, py, p) in turned.enumerate_pixels() {
        if p.0 != [255, 255, 255] {
            let (tx, ty) = (
                x.round() as i64 + i64::from(px),
                y.round() as i64 + i64::from(py),
            );
            if tx >= 0 && ty >= 0 && (tx as u32) < img.width() && (ty as u32) < img.height() {
                img.put_pixel(tx as u32, ty as u32, *p);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Figures

/// One thing placed on a figure.
#[derive(Clone, Debug)]
enum Item {
    Chart(Rect, Box<crate::plot::Chart>),
    Image(Rect, RgbImage, bool),
    Text(String, (f64, f64), TextStyle),
    Line(Vec<(f64, f64)>, Stroke),
    Disc((f64, f64), f64, RGBColor),
    Fill(Rect, RGBColor, f64),
}

/// A figure laid out in CSS pixels: charts, pictures, text and lines, drawn in the order added.
/// Paint it as SVG ([`Figure::svg`]) or as pixels at any scale ([`Figure::raster`]).
#[derive(Clone, Debug)]
pub struct Figure {
    pub width: f64,
    pub height: f64,
    items: Vec<Item>,
}

impl Figure {
    /// An empty white figure of `width × height` CSS px.
    pub fn new(width: f64, height: f64) -> Figure {
        Figure {
            width,
            height,
            items: Vec::new(),
        }
    }

    /// A chart filling the rectangle (axes, labels and legend included).
    pub fn chart(&mut self, rect: Rect, chart: &crate::plot::Chart) -> &mut Figure {
        self.items.push(Item::Chart(rect, Box::new(chart.clone())));
        self
    }

    /// A photo stretched over `rect` (smoothly resampled in rasters).
    pub fn image(&mut self, rect: Rect, picture: &RgbImage) -> &mut Figure {
        self.items.push(Item::Image(rect, picture.clone(), false));
        self
    }

    /// A map of values (a spectrum, a spectrogram) over `rect`, its pixels kept square.
    pub fn pixels(&mut self, rect: Rect, picture: &RgbImage) -> &mut Figure {
        self.items.push(Item::Image(rect, picture.clone(), true));
        self
    }

    pub fn text(&mut self, text: &str, at: (f64, f64), style: TextStyle) -> &mut Figure {
        self.items.push(Item::Text(text.into(), at, style));
        self
    }

    pub fn line(&mut self, points: &[(f64, f64)], stroke: Stroke) -> &mut Figure {
        self.items.push(Item::Line(points.to_vec(), stroke));
        self
    }

    pub fn disc(&mut self, centre: (f64, f64), radius: f64, color: RGBColor) -> &mut Figure {
        self.items.push(Item::Disc(centre, radius, color));
        self
    }

    pub fn fill(&mut self, rect: Rect, color: RGBColor, opacity: f64) -> &mut Figure {
        self.items.push(Item::Fill(rect, color, opacity));
        self
    }

    /// Draws every item with `painter`.
    pub fn paint(&self, painter: &mut dyn Painter) {
        for item in &self.items {
            match item {
                Item::Chart(r, chart) => crate::plot::paint_chart(painter, chart, *r),
                Item::Image(r, img, pixelated) => painter.image(img, *r, *pixelated),
                Item::Text(t, at, style) => painter.text(t, *at, style),
                Item::Line(pts, stroke) => painter.polyline(pts, stroke, None),
                Item::Disc(c, r, color) => painter.disc(*c, *r, *color, None),
                Item::Fill(r, color, opacity) => painter.fill_rect(*r, *color, *opacity),
            }
        }
    }

    /// The figure as an SVG document (text left to the browser, pictures embedded as PNG).
    pub fn svg(&self) -> String {
        let mut painter = SvgPainter::new();
        self.paint(&mut painter);
        painter.finish(self.width, self.height)
    }

    /// The figure as pixels, `scale` device pixels per CSS px (2 for HiDPI screens).
    pub fn raster(&self, scale: f64) -> RgbImage {
        let (w, h) = (
            (self.width * scale).round() as u32,
            (self.height * scale).round() as u32,
        );
        let mut img = RgbImage::from_pixel(w, h, image::Rgb([255, 255, 255]));
        self.paint(&mut RasterPainter {
            img: &mut img,
            scale,
        });
        img
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashes_keep_the_pattern_along_the_path() {
        let pieces = dash_pieces(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)], &[4.0, 2.0]);
        // on 0–4, off 4–6, on 6–10 (to the corner), off 0–2 of the vertical, on 2–6, off 6–8,
        // on 8–10.
        let ends: Vec<_> = pieces.iter().map(|p| (p[0], p[p.len() - 1])).collect();
        assert_eq!(
            ends,
            [
                ((0.0, 0.0), (4.0, 0.0)),
                ((6.0, 0.0), (10.0, 0.0)),
                ((10.0, 2.0), (10.0, 6.0)),
                ((10.0, 8.0), (10.0, 10.0)),
            ]
        );
    }

    #[test]
    fn a_thick_zigzag_has_no_pixel_beyond_half_its_width_from_the_path() {
        // A hairpin turn: a mitred join would reach far beyond the tip.
        let pts = [(10.0, 50.0), (90.0, 52.0), (10.0, 54.0)];
        let mut img = RgbImage::from_pixel(100, 100, image::Rgb([255, 255, 255]));
        RasterPainter {
            img: &mut img,
            scale: 1.0,
        }
        .polyline(&pts, &Stroke::solid(RGBColor(0, 0, 0), 4.0), None);
        for (x, y, p) in img.enumerate_pixels() {
            if p.0 != [255, 255, 255] {
                let c = (f64::from(x) + 0.5, f64::from(y) + 0.5);
                let d =
                    segment_distance(c, pts[0], pts[1]).min(segment_distance(c, pts[1], pts[2]));
                assert!(d < 2.0 + 0.5, "ink at ({x}, {y}), {d} px from the path");
            }
        }
        assert!(img.get_pixel(90, 52).0[0] < 128, "the tip is drawn");
    }

    #[test]
    fn svg_numbers_are_short_and_never_negative_zero() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(2.345), "2.35");
    }
}

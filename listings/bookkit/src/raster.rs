//! Figures painted as pixels, at any scale (device pixels per CSS px): PNG output, the pixel
//! tests, a reader's `spectra plot -o out.png`.
//!
//! Lines are drawn here rather than by a plotting library: widening a polyline by mitring its
//! joins without a limit makes a sharp turn in a thick line grow a spike that can leave the plot
//! frame. Here every line is the set of pixels within half its width of some segment (round joins
//! and caps, so no spike is possible), anti-aliased by that distance, and clipped to a rectangle.
//! The SVG painter asks the browser for the same shape (`stroke-linejoin="round"` and a
//! `clipPath`). Text is drawn glyph by glyph from the font's outlines ([`crate::text`]).

use image::{RgbImage, imageops};

use crate::painter::{HAlign, Painter, RGBColor, Rect, Stroke, TextStyle};
use crate::text::{baseline_offset, rasterize, text_width};

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
        let size = style.size * self.scale;
        let (x, y) = self.device(at);
        let width = text_width(text, style.size, style.family) * self.scale;
        // Where the text starts along its own direction, and where its baseline lies across it,
        // both measured from the anchor as the SVG painter asks the browser to.
        let along = match style.h {
            HAlign::Left => 0.0,
            HAlign::Center => -width / 2.0,
            HAlign::Right => -width,
        };
        let across = baseline_offset(style.v) * size;
        let (w, h) = (i64::from(self.img.width()), i64::from(self.img.height()));
        let (img, c) = (&mut *self.img, style.color);
        let mut plot = |px: i64, py: i64, cover: f32| {
            if px >= 0 && py >= 0 && px < w && py < h && cover > 0.0 {
                let p = img.get_pixel_mut(px as u32, py as u32);
                let a = f64::from(cover.min(1.0));
                for (v, t) in p.0.iter_mut().zip([c.0, c.1, c.2]) {
                    *v = (f64::from(*v) * (1.0 - a) + f64::from(t) * a).round() as u8;
                }
            }
        };
        if style.vertical {
            // Set in text space from the origin, then turned a quarter turn counter-clockwise
            // about the anchor: text space (u, v) lands on the image at (x + v, y − u). Whole
            // pixels turn into whole pixels, so the anchor is rounded first.
            let (ox, oy) = (x.round() as i64, y.round() as i64);
            rasterize(
                text,
                (along, across),
                size,
                style.family,
                &mut |u: i64, v: i64, c: f32| plot(ox + v, oy - u - 1, c),
            );
        } else {
            rasterize(text, (x + along, y + across), size, style.family, &mut plot);
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::painter::VAlign;

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

    /// The ink of a text: its bounding box (x0, y0, x1, y1), end exclusive.
    fn ink(img: &RgbImage) -> (u32, u32, u32, u32) {
        let dark: Vec<(u32, u32)> = img
            .enumerate_pixels()
            .filter(|p| p.2.0[0] < 200)
            .map(|p| (p.0, p.1))
            .collect();
        let x0 = dark.iter().map(|p| p.0).min().unwrap();
        let x1 = dark.iter().map(|p| p.0).max().unwrap() + 1;
        let y0 = dark.iter().map(|p| p.1).min().unwrap();
        let y1 = dark.iter().map(|p| p.1).max().unwrap() + 1;
        (x0, y0, x1, y1)
    }

    #[test]
    fn vertical_text_is_horizontal_text_turned_about_its_anchor() {
        let draw = |vertical: bool| {
            let mut img = RgbImage::from_pixel(200, 200, image::Rgb([255, 255, 255]));
            let mut style = TextStyle::new(20.0).anchor(HAlign::Center, VAlign::Middle);
            if vertical {
                style = style.vertical();
            }
            RasterPainter {
                img: &mut img,
                scale: 1.0,
            }
            .text("power", (100.0, 100.0), &style);
            ink(&img)
        };
        let (a, b) = (draw(false), draw(true));
        // Width and height swap; both stay centred on the anchor within a pixel.
        assert!(
            ((a.2 - a.0) as i64 - (b.3 - b.1) as i64).abs() <= 1,
            "{a:?} {b:?}"
        );
        assert!(
            ((a.3 - a.1) as i64 - (b.2 - b.0) as i64).abs() <= 1,
            "{a:?} {b:?}"
        );
        let mid = |lo: u32, hi: u32| f64::from(lo + hi) / 2.0;
        assert!((mid(a.0, a.2) - 100.0).abs() <= 1.5 && (mid(b.1, b.3) - 100.0).abs() <= 1.5);
    }
}

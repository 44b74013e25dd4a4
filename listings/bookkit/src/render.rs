//! One way to compose a figure: a [`Figure`] places charts, pictures, heat maps, text and lines
//! in CSS pixels, once, and is painted either as SVG (what the book shows: the browser draws
//! text and lines at the screen's resolution, so they stay sharp and as large as the figure
//! says on any screen) or as pixels at any scale (a notebook's or `spectra plot`'s PNG, the
//! pixel tests). An [`Animation`] is a sequence of figures, painted as one animated SVG.

use image::RgbImage;

use crate::chart::Chart;
use crate::heatmap::{Colorbar, Heatmap};
use crate::painter::{Painter, RGBColor, Rect, Stroke, TextStyle};
use crate::raster::RasterPainter;
use crate::svg::SvgPainter;
use crate::text::runs;

/// One thing placed on a figure.
#[derive(Clone, Debug)]
enum Item {
    Chart(Rect, Box<Chart>),
    Heatmap(Rect, Box<Heatmap>),
    Colorbar(Rect, Box<Colorbar>),
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
    pub fn chart(&mut self, rect: Rect, chart: &Chart) -> &mut Figure {
        self.items.push(Item::Chart(rect, Box::new(chart.clone())));
        self
    }

    /// A heat map with its axes filling the rectangle.
    pub fn heatmap(&mut self, rect: Rect, map: &Heatmap) -> &mut Figure {
        self.items.push(Item::Heatmap(rect, Box::new(map.clone())));
        self
    }

    /// A colour bar: the gradient in `rect`, its tick labels to the right, its label above.
    pub fn colorbar(&mut self, rect: Rect, bar: &Colorbar) -> &mut Figure {
        self.items.push(Item::Colorbar(rect, Box::new(bar.clone())));
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

    /// A text; its string may hold sub- and superscripts (`f_{max}`, see [`crate::text::runs`]).
    pub fn text(&mut self, text: &str, at: (f64, f64), style: TextStyle) -> &mut Figure {
        self.items.push(Item::Text(text.into(), at, style));
        self
    }

    /// A text broken into lines no wider than `width`, the first line's top-left corner at
    /// `at`, lines 1.35 sizes apart; returns the height it takes.
    pub fn paragraph(&mut self, text: &str, at: (f64, f64), style: TextStyle, width: f64) -> f64 {
        let lines = crate::text::wrap(text, style.size, style.family, width);
        let step = 1.35 * style.size;
        for (i, line) in lines.iter().enumerate() {
            self.text(line, (at.0, at.1 + i as f64 * step), style);
        }
        lines.len() as f64 * step
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
                Item::Heatmap(r, map) => map.paint(painter, *r),
                Item::Colorbar(r, bar) => bar.paint(painter, *r),
                Item::Image(r, img, pixelated) => painter.image(img, *r, *pixelated),
                Item::Text(t, at, style) => painter.text(t, *at, style),
                Item::Line(pts, stroke) => painter.polyline(pts, stroke, None),
                Item::Disc(c, r, color) => painter.disc(*c, *r, *color, None),
                Item::Fill(r, color, opacity) => painter.fill_rect(*r, *color, *opacity),
            }
        }
    }

    /// The size of the smallest text on the figure, CSS px (sub- and superscripts included);
    /// `None` for a figure without text. Raster outputs record it for the browser check.
    pub fn smallest_text(&self) -> Option<f64> {
        let of_text = |t: &str, size: f64| {
            runs(t)
                .iter()
                .map(|(_, s)| s.size(size))
                .fold(f64::INFINITY, f64::min)
        };
        let sizes = self.items.iter().filter_map(|item| match item {
            Item::Chart(_, c) => Some(c.smallest_text()),
            Item::Heatmap(_, m) => Some(m.chart().smallest_text()),
            Item::Colorbar(_, b) => Some(b.tick_size()),
            Item::Text(t, _, style) => Some(of_text(t, style.size)),
            _ => None,
        });
        let least = sizes.fold(f64::INFINITY, f64::min);
        least.is_finite().then_some(least)
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

/// Figures of one size shown one after another, frame `i` for `delays_ms[i]`, looping.
#[derive(Clone, Debug)]
pub struct Animation {
    frames: Vec<Figure>,
    delays_ms: Vec<u32>,
}

impl Animation {
    /// Fails on no frames, frames of different sizes, or a frame time missing.
    pub fn new(frames: Vec<Figure>, delays_ms: Vec<u32>) -> anyhow::Result<Animation> {
        let first = frames
            .first()
            .ok_or_else(|| anyhow::anyhow!("an animation needs frames"))?;
        anyhow::ensure!(
            frames
                .iter()
                .all(|f| (f.width, f.height) == (first.width, first.height)),
            "an animation's frames must all have the size of the first"
        );
        anyhow::ensure!(
            delays_ms.len() == frames.len() && delays_ms.iter().all(|d| *d > 0),
            "{} frames need as many frame times, each above 0 ms ({} given)",
            frames.len(),
            delays_ms.len()
        );
        Ok(Animation { frames, delays_ms })
    }

    pub fn frames(&self) -> &[Figure] {
        &self.frames
    }

    /// One SVG document: every frame a group shown for its time (SMIL), the first one shown
    /// where animations do not run. Pictures the frames share are embedded once.
    pub fn svg(&self) -> String {
        let period: u32 = self.delays_ms.iter().sum();
        let mut painter = SvgPainter::new();
        let mut start = 0u32;
        for (frame, delay) in self.frames.iter().zip(&self.delays_ms) {
            let end = start + delay;
            painter.begin_frame(
                f64::from(start) / f64::from(period),
                f64::from(end) / f64::from(period),
                period,
            );
            frame.paint(&mut painter);
            painter.end_frame();
            start = end;
        }
        painter.finish(self.frames[0].width, self.frames[0].height)
    }

    /// The smallest text of any frame (see [`Figure::smallest_text`]).
    pub fn smallest_text(&self) -> Option<f64> {
        self.frames
            .iter()
            .filter_map(Figure::smallest_text)
            .reduce(f64::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::painter::{HAlign, VAlign};

    #[test]
    fn every_frame_is_shown_for_its_share_of_the_loop() {
        let frame = |label: &str| {
            let mut f = Figure::new(100.0, 50.0);
            f.text(
                label,
                (50.0, 20.0),
                TextStyle::new(12.0).anchor(HAlign::Center, VAlign::Top),
            );
            f
        };
        let a = Animation::new(
            vec![frame("one"), frame("two"), frame("three")],
            vec![300, 100, 600],
        )
        .unwrap();
        let svg = a.svg();
        assert!(svg.contains(r#"<g visibility="visible"><animate attributeName="visibility" values="visible;hidden" keyTimes="0;0.3" dur="1000ms""#));
        assert!(svg.contains(r#"values="hidden;visible;hidden" keyTimes="0;0.3;0.4""#));
        assert!(svg.contains(r#"values="hidden;visible" keyTimes="0;0.4""#));
        assert!(Animation::new(vec![frame("a")], vec![]).is_err());
        assert_eq!(a.smallest_text(), Some(12.0));
    }

    #[test]
    fn the_smallest_text_counts_scripts_at_their_own_size() {
        let mut f = Figure::new(100.0, 50.0);
        f.text("f_{max}", (0.0, 0.0), TextStyle::new(16.0));
        assert_eq!(f.smallest_text(), Some(12.8));
        assert_eq!(Figure::new(10.0, 10.0).smallest_text(), None);
    }
}

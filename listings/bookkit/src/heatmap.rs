//! Heat maps over time × frequency, with a log frequency axis: a closed form painted as cells,
//! measured values as inset squares in the same colours (where they agree, the squares vanish
//! into the background), and curves drawn on top. Plus a colour bar.
//!
//! Only the cells are pixels (a picture at twice the CSS resolution, embedded in the SVG); the
//! axes, their labels, the markers and the curves are drawn like a chart's, so a heat map's text
//! is as legible as a chart's at the size the book shows it.

use image::RgbImage;

use crate::axes::{Layout, paint_axes};
use crate::chart::{Chart, Scale};
use crate::colormap::Colormap;
use crate::painter::{HAlign, Painter, RGBColor, Rect, Stroke, TextStyle, VAlign, rect_outline};
use crate::text::MIN_TEXT_PX;

/// A curve over the heat map, in data coordinates.
#[derive(Clone, Debug)]
pub struct Curve {
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub dashed: bool,
    /// Line width in CSS px.
    pub width: u32,
}

/// A value measured at one point, painted as a small square in the map's colours.
#[derive(Clone, Copy, Debug)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub value: f64,
}

impl Marker {
    /// A commitment measurement as squares: ring `r`'s value at each measured time `keep` admits
    /// (by its index), for every ring in `rings` (X6, X7/X8 and X12 draw theirs this way).
    pub fn commitment(
        c: &spectral::commitment::Commitment,
        rings: &[usize],
        keep: impl Fn(usize) -> bool,
    ) -> Vec<Marker> {
        c.times
            .iter()
            .enumerate()
            .filter(|&(i, _)| keep(i))
            .flat_map(|(i, &t)| {
                rings.iter().map(move |&r| Marker {
                    x: t,
                    y: c.frequency[r],
                    value: c.measured[i][r],
                })
            })
            .collect()
    }
}

/// The G = 1/2 contour as (time, frequency) points: ring r's half-decision time `half[r]` at
/// r/`size` cycles per pixel, for rings 1 ..= `rings` (DC has no contour point).
pub fn half_contour(half: &[f64], rings: usize, size: usize) -> Vec<(f64, f64)> {
    half[1..=rings]
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, (i + 1) as f64 / size as f64))
        .collect()
}

/// Cells `values[i][j]` span `x_edges[i]..x_edges[i + 1]` (linear axis) and
/// `y_edges[j]..y_edges[j + 1]` (log axis, positive); values map onto the colormap from `lo` to
/// `hi`.
#[derive(Clone, Debug)]
pub struct Heatmap {
    pub x_edges: Vec<f64>,
    pub y_edges: Vec<f64>,
    pub values: Vec<Vec<f64>>,
    pub range: (f64, f64),
    pub colormap: Colormap,
    pub x_label: String,
    pub y_label: String,
    pub title: Option<String>,
    pub markers: Vec<Marker>,
    pub curves: Vec<Curve>,
    /// Axis-label size in CSS px (tick labels 2 px smaller, never below [`MIN_TEXT_PX`]).
    pub font_size: u32,
}

/// Device pixels per CSS px of the cells' picture.
const CELL_SCALE: f64 = 2.0;

impl Heatmap {
    /// The heat map's axes as a chart without series: the layout and the labels of a chart.
    pub fn chart(&self) -> Chart {
        let (x0, x1) = (self.x_edges[0], self.x_edges[self.x_edges.len() - 1]);
        let (y0, y1) = (self.y_edges[0], self.y_edges[self.y_edges.len() - 1]);
        let mut chart = Chart::linear(&self.x_label, &self.y_label)
            .scales(Scale::Linear, Scale::Log)
            .x_range(x0, x1)
            .y_range(y0, y1)
            .font_size(self.font_size);
        chart.title = self.title.clone();
        chart
    }

    /// Paints the map with its axes into `rect`.
    pub fn paint(&self, p: &mut dyn Painter, rect: Rect) {
        let chart = self.chart();
        let l = Layout::of(&chart, rect);
        p.image(&self.cells(&l), l.plot, true);
        let half = (f64::from(self.font_size) / 4.0).max(3.0);
        for m in &self.markers {
            let (x, y) = l.point((m.x, m.y));
            if !l.plot.contains(x, y) {
                continue;
            }
            let square = Rect::new(x - half, y - half, 2.0 * half, 2.0 * half);
            p.fill_rect(square, self.color(m.value), 1.0);
            p.polyline(
                &rect_outline(square),
                &Stroke::solid(RGBColor(255, 255, 255), 1.0),
                Some(l.plot),
            );
        }
        for c in &self.curves {
            let pts: Vec<(f64, f64)> = c.points.iter().map(|q| l.point(*q)).collect();
            let mut stroke = Stroke::solid(c.color, f64::from(c.width));
            if c.dashed {
                stroke = stroke.dashed(&[7.0, 5.0]);
            }
            p.polyline(&pts, &stroke, Some(l.plot));
        }
        paint_axes(p, &chart, &l, rect);
    }

    /// The cells as a picture of the frame, [`CELL_SCALE`] pixels per CSS px, each pixel the
    /// colour of the cell under its centre.
    fn cells(&self, l: &Layout) -> RgbImage {
        let (w, h) = (
            (l.plot.w * CELL_SCALE).round().max(1.0) as u32,
            (l.plot.h * CELL_SCALE).round().max(1.0) as u32,
        );
        let cell = |edges: &[f64], v: f64| {
            edges.partition_point(|e| *e <= v).clamp(1, edges.len() - 1) - 1
        };
        let columns: Vec<usize> = (0..w)
            .map(|px| {
                let x = l.x.unmap(l.plot.x + (f64::from(px) + 0.5) / CELL_SCALE);
                cell(&self.x_edges, x)
            })
            .collect();
        let rows: Vec<usize> = (0..h)
            .map(|py| {
                let y = l.y.unmap(l.plot.y + (f64::from(py) + 0.5) / CELL_SCALE);
                cell(&self.y_edges, y)
            })
            .collect();
        RgbImage::from_fn(w, h, |px, py| {
            let c = self.color(self.values[columns[px as usize]][rows[py as usize]]);
            image::Rgb([c.0, c.1, c.2])
        })
    }

    fn color(&self, value: f64) -> RGBColor {
        let (lo, hi) = self.range;
        let c = self.colormap.at((value - lo) / (hi - lo));
        RGBColor(c[0], c[1], c[2])
    }
}

/// A vertical colour bar: the colormap from `range.0` (bottom) to `range.1` (top), `ticks`
/// labelled on the right with a shared number of decimals, `label` above.
#[derive(Clone, Debug)]
pub struct Colorbar {
    pub colormap: Colormap,
    pub range: (f64, f64),
    pub ticks: Vec<f64>,
    pub label: String,
    /// The label's size in CSS px (tick labels 2 px smaller, never below [`MIN_TEXT_PX`]).
    pub font_size: f64,
}

/// Gap in CSS px between a tick's end and its label.
const LABEL_GAP: f64 = 4.0;
const TICK: f64 = 4.0;

impl Colorbar {
    /// Viridis over [0, 1], the scale of G and of commitment, with ticks at `ticks`.
    pub fn unit(label: &str, ticks: &[f64]) -> Colorbar {
        Colorbar {
            colormap: crate::colormap::VIRIDIS,
            range: (0.0, 1.0),
            ticks: ticks.to_vec(),
            label: label.into(),
            font_size: 14.0,
        }
    }

    pub fn tick_size(&self) -> f64 {
        (self.font_size - 2.0).max(MIN_TEXT_PX)
    }

    /// Paints the gradient into `rect`, its ticks and labels to the right, its label above.
    pub fn paint(&self, p: &mut dyn Painter, rect: Rect) {
        let steps = 256u32;
        let gradient = RgbImage::from_fn(1, steps, |_, y| {
            self.colormap.at(1.0 - f64::from(y) / f64::from(steps - 1))
        });
        p.image(&gradient, rect, false);
        let black = Stroke::solid(RGBColor(0, 0, 0), 0.8);
        p.polyline(&rect_outline(rect), &black, None);
        let (lo, hi) = self.range;
        let decimals = self.ticks.iter().map(|t| decimals(*t)).max().unwrap_or(0);
        let style = TextStyle::new(self.tick_size()).anchor(HAlign::Left, VAlign::Middle);
        for &t in &self.ticks {
            let y = rect.bottom() - (t - lo) / (hi - lo) * rect.h;
            p.polyline(&[(rect.right(), y), (rect.right() + TICK, y)], &black, None);
            let at = (rect.right() + TICK + LABEL_GAP, y);
            p.text(&format!("{t:.decimals$}"), at, &style);
        }
        let label = TextStyle::new(self.font_size).anchor(HAlign::Center, VAlign::Baseline);
        p.text(&self.label, (rect.x + rect.w / 2.0, rect.y - 8.0), &label);
    }
}

/// The decimals a tick value needs (at most four): 0.25 → 2, 1 → 0.
fn decimals(v: f64) -> usize {
    (0..=4)
        .find(|d| {
            let f = 10f64.powi(*d as i32);
            ((v * f).round() - v * f).abs() < 1e-9
        })
        .unwrap_or(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colormap::VIRIDIS;
    use crate::render::Figure;

    fn map() -> Heatmap {
        Heatmap {
            x_edges: vec![0.0, 0.5, 1.0],
            y_edges: vec![0.01, 0.1, 0.5],
            values: vec![vec![0.0, 1.0], vec![1.0, 0.0]],
            range: (0.0, 1.0),
            colormap: VIRIDIS,
            x_label: "t".into(),
            y_label: "f".into(),
            title: None,
            markers: vec![],
            curves: vec![],
            font_size: 14,
        }
    }

    #[test]
    fn cells_take_their_colours_from_the_map_and_render_deterministically() {
        let draw = || {
            let mut f = Figure::new(300.0, 240.0);
            f.heatmap(Rect::new(0.0, 0.0, 300.0, 240.0), &map());
            f.raster(1.0)
        };
        let (a, b) = (draw(), draw());
        assert_eq!(a, b);
        let count = |rgb: [u8; 3]| a.pixels().filter(|p| p.0 == rgb).count();
        let (low, high) = (VIRIDIS.at(0.0).0, VIRIDIS.at(1.0).0);
        // Four cells, two of each colour, each a good share of the plot area.
        assert!(
            count(low) > 4000 && count(high) > 4000,
            "{} {}",
            count(low),
            count(high)
        );
    }

    #[test]
    fn the_cell_under_each_pixel_is_the_one_whose_edges_hold_it() {
        // The upper-left quarter of the frame is the cell (x 0–0.5, y 0.1–0.5), value 1.
        let m = map();
        let chart = m.chart();
        let l = Layout::of(&chart, Rect::new(0.0, 0.0, 300.0, 240.0));
        let img = m.cells(&l);
        let high = VIRIDIS.at(1.0).0;
        let (w, h) = img.dimensions();
        assert_eq!(img.get_pixel(w / 4, h / 4).0, high);
        assert_eq!(img.get_pixel(3 * w / 4, 3 * h / 4).0, high);
        assert_ne!(img.get_pixel(3 * w / 4, h / 4).0, high);
    }

    #[test]
    fn colour_bar_labels_share_their_decimals() {
        assert_eq!(decimals(0.25), 2);
        assert_eq!(decimals(1.0), 0);
        assert_eq!(decimals(0.5), 1);
        let bar = Colorbar {
            colormap: VIRIDIS,
            range: (0.0, 1.0),
            ticks: vec![0.0, 0.25, 1.0],
            label: "G".into(),
            font_size: 14.0,
        };
        let mut f = Figure::new(100.0, 300.0);
        f.colorbar(Rect::new(20.0, 30.0, 20.0, 200.0), &bar);
        let svg = f.svg();
        for label in [">0.00<", ">0.25<", ">1.00<"] {
            assert!(svg.contains(label), "{label} missing");
        }
    }

    #[test]
    fn a_colour_bars_label_stays_inside_the_figure_and_off_its_maps_frame() {
        use crate::figure::{Column, colorbar_column};
        let map = map();
        for label in ["G", "commitment", "a much longer label than that"] {
            let bar = Colorbar {
                colormap: VIRIDIS,
                range: (0.0, 1.0),
                ticks: vec![0.0, 0.25, 1.0],
                label: label.into(),
                font_size: 14.0,
            };
            let rect = Rect::new(0.0, 0.0, Column::Phone.width(), 300.0);
            let (centre, side) = colorbar_column(&bar);
            let half = crate::text::text_width(label, 14.0, crate::text::FONT) / 2.0;
            let frame = map
                .chart()
                .plot_area(Rect::new(0.0, 0.0, rect.w - side, rect.h));
            let (left, right) = (rect.right() - centre - half, rect.right() - centre + half);
            assert!(right <= rect.right() && left > frame.right(), "{label}");
            // The tick labels ("0.25", 12 px) fit between the bar and the figure's edge.
            let ticks = rect.right() - centre + 8.0 + 8.0;
            assert!(ticks + crate::text::text_width("0.25", 12.0, crate::text::FONT) <= rect.w);
        }
    }
}

//! A chart's content and settings: its series, axes' scales and ranges, labels and legend
//! position, in the post's style (matplotlib's defaults: its colour cycle, lower-case axis
//! labels, log-log axes). [`crate::axes`] lays a chart out in a rectangle, [`crate::plot`] paints
//! it, [`crate::legend`] places its legend.

use image::RgbImage;

pub use crate::painter::RGBColor;
use crate::painter::{Rect, Stroke};
use crate::render::Figure;
use crate::text::MIN_TEXT_PX;

/// matplotlib's default colour cycle, the colours the post's figures use.
pub const RED: RGBColor = RGBColor(0xd6, 0x27, 0x28);
pub const BLUE: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
pub const GREEN: RGBColor = RGBColor(0x2c, 0xa0, 0x2c);
pub const ORANGE: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
pub const PURPLE: RGBColor = RGBColor(0x94, 0x67, 0xbd);
pub const GREY: RGBColor = RGBColor(0x7f, 0x7f, 0x7f);
pub const BLACK: RGBColor = RGBColor(0, 0, 0);

/// Data line width in CSS px (matplotlib's 1.5 pt).
pub const LINE_WIDTH: f64 = 1.75;
/// Series with more points than this are drawn without per-point markers: dots on a dense
/// curve merge into a thick smear that hides its shape.
pub const MARKER_LIMIT: usize = 120;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// matplotlib's `'.-'`: a line with a dot at every data point (dots dropped on dense series).
    LineDots,
    /// A plain line.
    Line,
    /// A dotted line (the post's fitted power laws).
    Dotted,
    /// A dashed line: told apart from solid lines by more than hue (the noisy spectra, for
    /// readers who do not see red and green apart).
    Dashed,
    /// Dots only, no line.
    Dots,
    /// A faint filled band between `y` (low) and `y_high` (high).
    Band,
}

/// One curve of a chart.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: Option<String>,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub color: RGBColor,
    pub style: Style,
    /// Line width in CSS px.
    pub width: f64,
    pub opacity: f64,
    /// The band's upper edge ([`Style::Band`] only).
    pub y_high: Option<Vec<f64>>,
}

impl Series {
    pub fn new(x: &[f64], y: &[f64], color: RGBColor, style: Style) -> Series {
        assert_eq!(x.len(), y.len(), "a series needs as many x as y values");
        Series {
            label: None,
            x: x.to_vec(),
            y: y.to_vec(),
            color,
            style,
            width: LINE_WIDTH,
            opacity: 1.0,
            y_high: None,
        }
    }

    /// The region between `low` and `high`, filled faintly.
    pub fn band(x: &[f64], low: &[f64], high: &[f64], color: RGBColor) -> Series {
        assert_eq!(x.len(), high.len(), "a band needs as many x as high values");
        Series {
            y_high: Some(high.to_vec()),
            opacity: 0.2,
            ..Series::new(x, low, color, Style::Band)
        }
    }

    pub fn label(mut self, label: &str) -> Series {
        self.label = Some(label.to_string());
        self
    }

    pub fn width(mut self, width: f64) -> Series {
        self.width = width;
        self
    }

    pub fn opacity(mut self, opacity: f64) -> Series {
        self.opacity = opacity;
        self
    }

    /// The drawable points: finite, and positive on log axes.
    pub(crate) fn finite_points(&self, log_x: bool, log_y: bool) -> Vec<(f64, f64)> {
        let ok = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
        self.x
            .iter()
            .zip(&self.y)
            .filter(|(x, y)| ok(**x, log_x) && ok(**y, log_y))
            .map(|(x, y)| (*x, *y))
            .collect()
    }

    /// The band's drawable (x, low, high) triples.
    pub(crate) fn band_points(&self, log_x: bool, log_y: bool) -> Vec<(f64, f64, f64)> {
        let ok = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
        let high = self.y_high.as_deref().unwrap_or(&self.y);
        self.x
            .iter()
            .zip(&self.y)
            .zip(high)
            .filter(|((x, lo), hi)| ok(**x, log_x) && ok(**lo, log_y) && ok(**hi, log_y))
            .map(|((x, lo), hi)| (*x, *lo, *hi))
            .collect()
    }

    /// The stroke of the series' line, if it has one.
    pub(crate) fn stroke(&self) -> Option<Stroke> {
        let solid = Stroke::solid(self.color, self.width).opacity(self.opacity);
        match self.style {
            Style::LineDots | Style::Line => Some(solid),
            // Zero-length dashes with round caps: round dots, 3.5 line widths apart.
            Style::Dotted => Some(solid.dashed(&[0.01, 2.0 * self.width])),
            Style::Dashed => Some(solid.dashed(&[3.0 * self.width, 2.5 * self.width])),
            Style::Dots | Style::Band => None,
        }
    }

    /// Radius of the per-point markers, if drawn.
    pub(crate) fn marker_radius(&self, points: usize) -> Option<f64> {
        match self.style {
            Style::LineDots if points <= MARKER_LIMIT => Some(self.width * 1.25),
            Style::Dots => Some(self.width * 1.6),
            _ => None,
        }
    }
}

/// Axis scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log,
}

/// A chart: axes, labels and series. Ranges default to the data's extent plus a margin.
#[derive(Clone, Debug)]
pub struct Chart {
    pub title: Option<String>,
    pub x_label: String,
    pub y_label: String,
    pub x_scale: Scale,
    pub y_scale: Scale,
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    pub series: Vec<Series>,
    /// Axis-label size in CSS px; tick labels and legend are 2 px smaller, never below
    /// [`MIN_TEXT_PX`].
    pub font_size: u32,
    /// Where the legend goes: by default wherever it covers the least data.
    pub legend_at: SeriesLabelPosition,
    /// Fixed distances from the chart's rectangle to its axes' frame (left, top, right,
    /// bottom), so that charts side by side or stacked share their frames' edges
    /// ([`align_charts`]); `None`: from the chart's own labels.
    pub insets: Option<Insets>,
}

/// Distances in CSS px from a chart's rectangle to its axes' frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Insets {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// Where a chart's legend goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SeriesLabelPosition {
    /// Inside the frame, in whichever of nine places covers the fewest drawn points of the data
    /// (matplotlib's "best").
    Best,
    UpperLeft,
    UpperMiddle,
    UpperRight,
    MiddleLeft,
    MiddleMiddle,
    MiddleRight,
    LowerLeft,
    LowerMiddle,
    LowerRight,
    /// The legend's top-left corner at this offset from the frame's, CSS px.
    Coordinate(i32, i32),
}

impl Chart {
    /// A log-log chart of a spectrum of images: "frequency (cycles/pixel)" against "power".
    pub fn loglog() -> Chart {
        Chart {
            title: None,
            x_label: "frequency (cycles/pixel)".into(),
            y_label: "power".into(),
            x_scale: Scale::Log,
            y_scale: Scale::Log,
            x_range: None,
            y_range: None,
            series: Vec::new(),
            font_size: 13,
            legend_at: SeriesLabelPosition::Best,
            insets: None,
        }
    }

    pub fn linear(x_label: &str, y_label: &str) -> Chart {
        Chart {
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_scale: Scale::Linear,
            y_scale: Scale::Linear,
            ..Chart::loglog()
        }
    }

    pub fn title(mut self, title: &str) -> Chart {
        self.title = Some(title.into());
        self
    }
    pub fn x_range(mut self, lo: f64, hi: f64) -> Chart {
        self.x_range = Some((lo, hi));
        self
    }
    pub fn y_range(mut self, lo: f64, hi: f64) -> Chart {
        self.y_range = Some((lo, hi));
        self
    }
    pub fn legend_at(mut self, position: SeriesLabelPosition) -> Chart {
        self.legend_at = position;
        self
    }
    pub fn font_size(mut self, px: u32) -> Chart {
        self.font_size = px;
        self
    }
    /// Replaces the axis labels.
    pub fn labels(mut self, x_label: &str, y_label: &str) -> Chart {
        self.x_label = x_label.into();
        self.y_label = y_label.into();
        self
    }
    /// Sets the axis scales.
    pub fn scales(mut self, x: Scale, y: Scale) -> Chart {
        self.x_scale = x;
        self.y_scale = y;
        self
    }
    pub fn with(mut self, series: Series) -> Chart {
        self.series.push(series);
        self
    }

    pub(crate) fn data_range(&self, axis: usize) -> (f64, f64) {
        let (log_x, log_y) = (self.x_scale == Scale::Log, self.y_scale == Scale::Log);
        let mut values: Vec<f64> = Vec::new();
        for s in &self.series {
            if axis == 1 && s.style == Style::Band {
                for (_, lo, hi) in s.band_points(log_x, log_y) {
                    values.extend([lo, hi]);
                }
            } else {
                let pts = s.finite_points(log_x, log_y);
                values.extend(pts.iter().map(|p| if axis == 0 { p.0 } else { p.1 }));
            }
        }
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        let scale = if axis == 0 {
            self.x_scale
        } else {
            self.y_scale
        };
        pad_range(lo, hi, scale)
    }

    /// The axis ranges: as set, or the data's extent with margins.
    pub fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        (
            self.x_range.unwrap_or_else(|| self.data_range(0)),
            self.y_range.unwrap_or_else(|| self.data_range(1)),
        )
    }

    /// The tick label size in CSS px.
    pub(crate) fn tick_size(&self) -> f64 {
        (f64::from(self.font_size) - 2.0).max(MIN_TEXT_PX)
    }

    /// The size of the chart's smallest text in CSS px: its tick labels, or a sub- or
    /// superscript of a label if that is smaller.
    pub fn smallest_text(&self) -> f64 {
        let label = f64::from(self.font_size).max(MIN_TEXT_PX);
        let scripts = [&self.x_label, &self.y_label]
            .into_iter()
            .chain(self.title.as_ref())
            .flat_map(|t| crate::text::runs(t))
            .map(|(_, s)| s.size(label));
        scripts.fold(self.tick_size(), f64::min)
    }

    /// Draws the chart into a `width × height` image, one pixel per CSS px.
    pub fn render(&self, width: u32, height: u32) -> anyhow::Result<RgbImage> {
        Ok(self.figure(width, height).raster(1.0))
    }

    /// Draws the chart at `scale` device pixels per CSS px (2 for HiDPI screens).
    pub fn render_scaled(&self, width: u32, height: u32, scale: f64) -> RgbImage {
        self.figure(width, height).raster(scale)
    }

    /// The chart as an SVG document of `width × height` CSS px.
    pub fn svg(&self, width: u32, height: u32) -> String {
        self.figure(width, height).svg()
    }

    /// A figure holding only this chart.
    pub fn figure(&self, width: u32, height: u32) -> Figure {
        let (w, h) = (f64::from(width), f64::from(height));
        let mut fig = Figure::new(w, h);
        fig.chart(Rect::new(0.0, 0.0, w, h), self);
        fig
    }

    /// Where the axes' frame lands when the chart fills `rect` (the data are clipped to it).
    pub fn plot_area(&self, rect: Rect) -> Rect {
        crate::plot::layout(self, rect).0.plot
    }

    /// The distances from `rect` to the frame this chart's own labels ask for. A legend that
    /// goes below the axes is not counted: the layout takes its band off the bottom of `rect`
    /// before it applies the insets, fixed or not, so counting it here would reserve it twice.
    pub fn natural_insets(&self, rect: Rect) -> Insets {
        let natural = Chart {
            insets: None,
            ..self.clone()
        };
        let (l, axes, _) = crate::plot::layout(&natural, rect);
        let plot = l.plot;
        Insets {
            left: plot.x - rect.x,
            top: plot.y - rect.y,
            right: rect.right() - plot.right(),
            bottom: axes.bottom() - plot.bottom(),
        }
    }
}

/// matplotlib-like 5% margins, in log space for log axes.
fn pad_range(lo: f64, hi: f64, scale: Scale) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (1.0, 10.0);
    }
    match scale {
        Scale::Linear => {
            let pad = if hi > lo { 0.05 * (hi - lo) } else { 0.5 };
            (lo - pad, hi + pad)
        }
        Scale::Log => {
            let (a, b) = (lo.log10(), hi.log10());
            let pad = if b > a { 0.05 * (b - a) } else { 0.5 };
            (10f64.powf(a - pad), 10f64.powf(b + pad))
        }
    }
}

/// Gives charts laid out side by side or stacked the same frame edges: every chart's insets
/// become the largest any of them needs, so the frames line up whatever their tick labels.
pub fn align_charts(charts: &mut [Chart], rects: &[Rect]) {
    let natural: Vec<Insets> = charts
        .iter()
        .zip(rects)
        .map(|(c, r)| c.natural_insets(*r))
        .collect();
    let most = natural.iter().fold(
        Insets {
            left: 0.0,
            top: 0.0,
            right: 0.0,
            bottom: 0.0,
        },
        |a, b| Insets {
            left: a.left.max(b.left),
            top: a.top.max(b.top),
            right: a.right.max(b.right),
            bottom: a.bottom.max(b.bottom),
        },
    );
    for c in charts {
        c.insets = Some(most);
    }
}

//! Line charts in the post's style (matplotlib defaults: red data lines, lower-case axis labels,
//! log-log axes with 10ⁿ tick labels and minor ticks), laid out in CSS pixels and painted by
//! [`crate::render`] either as SVG (the book's charts: sharp at any screen density) or as pixels
//! (animation frames, the [`Canvas`] of composite pictures).
//!
//! One layout serves both outputs, so a chart looks the same in the book, in an animation frame and
//! in `spectra plot -o out.svg`. Text uses DejaVu Sans (shipped in `assets/`, so rasters are
//! identical on every machine; SVGs name it first and fall back to the reader's sans-serif).

use std::ops::Range;

use anyhow::{Result, anyhow};
use image::{RgbImage, imageops};
use plotters::coord::Shift;
use plotters::prelude::*;

pub use crate::render::{FONT, Figure, HAlign, MONO, Rect, Stroke, TextStyle, VAlign};
use crate::render::{Painter, RasterPainter, register_fonts, text_width};
pub use plotters::chart::SeriesLabelPosition;
pub use plotters::style::RGBColor;

/// matplotlib's default colour cycle, the colours the post's figures use.
pub const RED: RGBColor = RGBColor(0xd6, 0x27, 0x28);
pub const BLUE: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
pub const GREEN: RGBColor = RGBColor(0x2c, 0xa0, 0x2c);
pub const ORANGE: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
pub const PURPLE: RGBColor = RGBColor(0x94, 0x67, 0xbd);
pub const GREY: RGBColor = RGBColor(0x7f, 0x7f, 0x7f);
pub const BLACK: RGBColor = RGBColor(0, 0, 0);

/// The smallest text a figure uses, in CSS px at the size the book shows it: tick labels and
/// legends never go below this (the browser check asserts it on the rendered pages).
pub const MIN_TEXT_PX: f64 = 11.0;
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
    fn finite_points(&self, log_x: bool, log_y: bool) -> Vec<(f64, f64)> {
        let ok = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
        self.x
            .iter()
            .zip(&self.y)
            .filter(|(x, y)| ok(**x, log_x) && ok(**y, log_y))
            .map(|(x, y)| (*x, *y))
            .collect()
    }

    /// The band's drawable (x, low, high) triples.
    fn band_points(&self, log_x: bool, log_y: bool) -> Vec<(f64, f64, f64)> {
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
    fn stroke(&self) -> Option<Stroke> {
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
    fn marker_radius(&self, points: usize) -> Option<f64> {
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
    /// Where the legend goes (upper right by default, as matplotlib's "best" usually picks for
    /// falling spectra).
    pub legend_at: SeriesLabelPosition,
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
            legend_at: SeriesLabelPosition::UpperRight,
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

    fn data_range(&self, axis: usize) -> (f64, f64) {
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
    fn tick_size(&self) -> f64 {
        (f64::from(self.font_size) - 2.0).max(MIN_TEXT_PX)
    }

    /// Draws the chart into a `width × height` image, one pixel per CSS px.
    pub fn render(&self, width: u32, height: u32) -> Result<RgbImage> {
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
        Layout::of(self, rect).plot
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

/// Tick label text in plain numbers for moderate values, `1e-3` style otherwise (frame titles and
/// printed tables; the axes use [`pow10`] and [`Tick`]s).
pub fn tick_label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (1e-2..1e4).contains(&a) {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        let e = a.log10().floor() as i32;
        let m = v / 10f64.powi(e);
        if (m.abs() - 1.0).abs() < 1e-9 {
            format!("1e{e}")
        } else {
            format!("{m:.1}e{e}")
        }
    }
}

/// `10ⁿ` with a superscript exponent: 10⁻³, 10⁰, 10⁴.
pub fn pow10(n: i32) -> String {
    let sup: String = n
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d as usize - '0' as usize],
        })
        .collect();
    format!("10{sup}")
}

/// One tick mark of an axis.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub value: f64,
    /// Major ticks are longer.
    pub major: bool,
    pub label: Option<String>,
}

/// The ticks of an axis over `lo..hi`.
///
/// Log axes: a major tick at every power of ten, labelled `10ⁿ` (every second or third one when
/// the axis spans many decades), and minor ticks at 2…9 × 10ⁿ. When fewer than three powers of
/// ten fall inside the axis, the minor ticks at 2 and 5 × 10ⁿ are labelled too (`2×10⁻²`), so a
/// short axis still reads. Linear axes: 1-2-5 steps, about `target` of them, all labelled with
/// the same number of decimals.
pub fn ticks(lo: f64, hi: f64, scale: Scale, target: usize) -> Vec<Tick> {
    match scale {
        Scale::Log => log_ticks(lo, hi),
        Scale::Linear => linear_ticks(lo, hi, target),
    }
}

fn log_ticks(lo: f64, hi: f64) -> Vec<Tick> {
    let (a, b) = (lo.log10(), hi.log10());
    let inside = |v: f64| v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9);
    let (k0, k1) = (a.floor() as i32, b.ceil() as i32);
    let majors = (k0..=k1).filter(|k| inside(10f64.powi(*k))).count();
    let every = match b - a {
        s if s > 16.0 => 4,
        s if s > 11.0 => 3,
        s if s > 7.0 => 2,
        _ => 1,
    };
    let label_minors = majors < 3;
    let mut out = Vec::new();
    for k in k0..=k1 {
        let v = 10f64.powi(k);
        if inside(v) {
            let label = (k.rem_euclid(every) == 0).then(|| pow10(k));
            out.push(Tick {
                value: v,
                major: true,
                label,
            });
        }
        if b - a > 9.0 {
            continue;
        }
        for m in 2..=9 {
            let v = f64::from(m) * 10f64.powi(k);
            if inside(v) {
                let label =
                    (label_minors && (m == 2 || m == 5)).then(|| format!("{m}×{}", pow10(k)));
                out.push(Tick {
                    value: v,
                    major: false,
                    label,
                });
            }
        }
    }
    out
}

fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return Vec::new();
    }
    let raw = (hi - lo) / target.max(2) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let count = |step: f64| ((hi / step).floor() - (lo / step).ceil() + 1.0).max(0.0);
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .min_by(|a, b| {
            let off = |s: f64| (count(s) - target as f64).abs();
            off(*a).total_cmp(&off(*b)).then(b.total_cmp(a))
        })
        .unwrap_or(mag);
    let decimals = (-(step.log10() + 1e-9).floor()).max(0.0) as usize;
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|i| {
            let v = i as f64 * step;
            let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
            Tick {
                value: v,
                major: true,
                label: Some(format!("{v:.decimals$}")),
            }
        })
        .collect()
}

/// Drops labels that would overlap: first the labelled minor ticks, then every other major one.
/// `extent` gives a label's size along the axis, `position` its centre.
fn thin_labels(ticks: &mut [Tick], extent: impl Fn(&str) -> f64, position: impl Fn(f64) -> f64) {
    let fits = |ticks: &[Tick]| {
        let spans: Vec<(f64, f64)> = ticks
            .iter()
            .filter_map(|t| t.label.as_ref().map(|l| (position(t.value), extent(l))))
            .map(|(p, e)| (p - e / 2.0, p + e / 2.0))
            .collect();
        let mut sorted = spans.clone();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        sorted.windows(2).all(|w| w[0].1 + 4.0 <= w[1].0)
    };
    if fits(ticks) {
        return;
    }
    for t in ticks.iter_mut().filter(|t| !t.major) {
        t.label = None;
    }
    let mut every = 2;
    while !fits(ticks) && every < 10 {
        let labelled: Vec<usize> = (0..ticks.len()).filter(|i| ticks[*i].major).collect();
        for (n, i) in labelled.iter().enumerate() {
            if n % every != 0 {
                ticks[*i].label = None;
            } else if ticks[*i].label.is_none() {
                ticks[*i].label = Some(label_of(ticks[*i].value));
            }
        }
        every += 1;
    }
}

/// The label a major tick gets back when thinning changes which ones are shown.
fn label_of(v: f64) -> String {
    let k = v.log10().round();
    if (10f64.powf(k) - v).abs() <= v.abs() * 1e-9 && v > 0.0 {
        pow10(k as i32)
    } else {
        tick_label(v)
    }
}

/// An axis: range, scale and where it lands on the page.
#[derive(Clone, Copy, Debug)]
struct Axis {
    lo: f64,
    hi: f64,
    scale: Scale,
    /// Page coordinates of `lo` and `hi`.
    from: f64,
    to: f64,
}

impl Axis {
    fn t(&self, v: f64) -> f64 {
        match self.scale {
            Scale::Log => v.log10(),
            Scale::Linear => v,
        }
    }
    fn map(&self, v: f64) -> f64 {
        let (a, b) = (self.t(self.lo), self.t(self.hi));
        self.from + (self.t(v) - a) / (b - a) * (self.to - self.from)
    }
}

/// Where everything of a chart goes inside its rectangle.
struct Layout {
    plot: Rect,
    x: Axis,
    y: Axis,
    x_ticks: Vec<Tick>,
    y_ticks: Vec<Tick>,
    tick_size: f64,
    label_size: f64,
}

const MAJOR_TICK: f64 = 4.0;
const MINOR_TICK: f64 = 2.5;
const TICK_GAP: f64 = 3.0;

impl Layout {
    fn of(chart: &Chart, r: Rect) -> Layout {
        let ((x0, x1), (y0, y1)) = chart.ranges();
        let ts = chart.tick_size();
        let fs = f64::from(chart.font_size).max(MIN_TEXT_PX);
        let x_target = ((r.w / 90.0).round() as usize).clamp(3, 8);
        let y_target = ((r.h / 60.0).round() as usize).clamp(3, 8);
        let mut x_ticks = ticks(x0, x1, chart.x_scale, x_target);
        let mut y_ticks = ticks(y0, y1, chart.y_scale, y_target);

        let top = r.y
            + if chart.title.is_some() {
                fs * 1.9
            } else {
                ts * 0.9
            };
        let x_label_room = if chart.x_label.is_empty() {
            0.0
        } else {
            fs * 1.35
        };
        let bottom = r.bottom() - (MAJOR_TICK + TICK_GAP + ts * 1.2 + x_label_room + 2.0);
        let y_label_room = if chart.y_label.is_empty() {
            0.0
        } else {
            fs * 1.3
        };
        let widest = |ticks: &[Tick]| {
            ticks
                .iter()
                .filter_map(|t| t.label.as_deref())
                .map(|l| text_width(l, ts, FONT))
                .fold(0.0, f64::max)
        };
        let y = Axis {
            lo: y0,
            hi: y1,
            scale: chart.y_scale,
            from: bottom,
            to: top,
        };
        thin_labels(&mut y_ticks, |_| ts * 1.2, |v| y.map(v));
        let left = r.x + y_label_room + widest(&y_ticks) + MAJOR_TICK + TICK_GAP + 3.0;
        let last_x = x_ticks
            .iter()
            .rev()
            .find_map(|t| t.label.as_deref())
            .map_or(0.0, |l| text_width(l, ts, FONT));
        let right = r.right() - (last_x / 2.0).max(8.0);
        let x = Axis {
            lo: x0,
            hi: x1,
            scale: chart.x_scale,
            from: left,
            to: right,
        };
        thin_labels(&mut x_ticks, |l| text_width(l, ts, FONT), |v| x.map(v));
        Layout {
            plot: Rect::new(left, top, right - left, bottom - top),
            x,
            y,
            x_ticks,
            y_ticks,
            tick_size: ts,
            label_size: fs,
        }
    }

    fn point(&self, p: (f64, f64)) -> (f64, f64) {
        (self.x.map(p.0), self.y.map(p.1))
    }
}

/// Paints `chart` into `rect` of a figure: series clipped to the axes' frame, then frame, ticks,
/// labels, title and legend.
pub fn paint_chart(p: &mut dyn Painter, chart: &Chart, rect: Rect) {
    let l = Layout::of(chart, rect);
    let (log_x, log_y) = (chart.x_scale == Scale::Log, chart.y_scale == Scale::Log);
    for s in &chart.series {
        paint_series(p, &l, s, log_x, log_y);
    }
    paint_axes(p, chart, &l, rect);
    paint_legend(p, chart, &l);
}

fn paint_series(p: &mut dyn Painter, l: &Layout, s: &Series, log_x: bool, log_y: bool) {
    if s.style == Style::Band {
        let pts: Vec<(f64, f64, f64)> = s
            .band_points(log_x, log_y)
            .into_iter()
            .map(|(x, lo, hi)| (l.x.map(x), l.y.map(lo), l.y.map(hi)))
            .collect();
        p.band(&pts, s.color, s.opacity, l.plot);
        return;
    }
    let pts: Vec<(f64, f64)> = s
        .finite_points(log_x, log_y)
        .into_iter()
        .map(|q| l.point(q))
        .collect();
    if let Some(stroke) = s.stroke() {
        p.polyline(&thin_dense(&pts), &stroke, Some(l.plot));
    }
    if let Some(r) = s.marker_radius(pts.len()) {
        for q in &pts {
            p.disc(*q, r, s.color, Some(l.plot));
        }
    }
}

/// A dense polyline (more than two points per CSS px of width) reduced to the first, lowest,
/// highest and last point of every quarter-pixel column, in their order: the drawn envelope is
/// unchanged, the SVG is a fraction of the size.
fn thin_dense(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let (lo, hi) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    if pts.len() < 4 || (pts.len() as f64) < 2.0 * (hi - lo) {
        return pts.to_vec();
    }
    let column = |p: &(f64, f64)| (p.0 * 4.0).floor() as i64;
    let mut out = Vec::new();
    let mut start = 0;
    while start < pts.len() {
        let c = column(&pts[start]);
        let end = (start..pts.len())
            .find(|i| column(&pts[*i]) != c)
            .unwrap_or(pts.len());
        let group = &pts[start..end];
        let by_y = |a: &&(f64, f64), b: &&(f64, f64)| a.1.total_cmp(&b.1);
        let (lowest, highest) = (
            group
                .iter()
                .enumerate()
                .min_by(|a, b| by_y(&a.1, &b.1))
                .map(|x| x.0),
            group
                .iter()
                .enumerate()
                .max_by(|a, b| by_y(&a.1, &b.1))
                .map(|x| x.0),
        );
        let mut keep = vec![0, group.len() - 1];
        keep.extend(lowest);
        keep.extend(highest);
        keep.sort_unstable();
        keep.dedup();
        out.extend(keep.into_iter().map(|i| group[i]));
        start = end;
    }
    out
}

fn paint_axes(p: &mut dyn Painter, chart: &Chart, l: &Layout, rect: Rect) {
    let axis_stroke = Stroke::solid(BLACK, 0.8);
    let plot = l.plot;
    let tick_style = TextStyle::new(l.tick_size);
    for t in &l.x_ticks {
        let x = l.x.map(t.value);
        let len = if t.major { MAJOR_TICK } else { MINOR_TICK };
        p.polyline(
            &[(x, plot.bottom()), (x, plot.bottom() + len)],
            &axis_stroke,
            None,
        );
        if let Some(label) = &t.label {
            let at = (x, plot.bottom() + MAJOR_TICK + TICK_GAP);
            p.text(label, at, &tick_style.anchor(HAlign::Center, VAlign::Top));
        }
    }
    for t in &l.y_ticks {
        let y = l.y.map(t.value);
        let len = if t.major { MAJOR_TICK } else { MINOR_TICK };
        p.polyline(&[(plot.x - len, y), (plot.x, y)], &axis_stroke, None);
        if let Some(label) = &t.label {
            let at = (plot.x - MAJOR_TICK - TICK_GAP, y);
            p.text(label, at, &tick_style.anchor(HAlign::Right, VAlign::Middle));
        }
    }
    p.polyline(&crate::render::rect_outline(plot), &axis_stroke, None);
    let fs = l.label_size;
    if !chart.x_label.is_empty() {
        let at = (plot.x + plot.w / 2.0, rect.bottom() - 0.3 * fs);
        let style = TextStyle::new(fs).anchor(HAlign::Center, VAlign::Baseline);
        p.text(&chart.x_label, at, &style);
    }
    if !chart.y_label.is_empty() {
        let at = (rect.x + 1.0, plot.y + plot.h / 2.0);
        let style = TextStyle::new(fs)
            .anchor(HAlign::Center, VAlign::Top)
            .vertical();
        p.text(&chart.y_label, at, &style);
    }
    if let Some(title) = &chart.title {
        let at = (plot.x + plot.w / 2.0, rect.y + 2.0);
        let style = TextStyle::new(fs * 1.08).anchor(HAlign::Center, VAlign::Top);
        p.text(title, at, &style);
    }
}

/// A short sample of a series' look, for the legend.
fn paint_sample(p: &mut dyn Painter, s: &Series, x: f64, y: f64, len: f64) {
    if s.style == Style::Band {
        p.fill_rect(Rect::new(x, y - 4.0, len, 8.0), s.color, s.opacity);
        return;
    }
    if let Some(stroke) = s.stroke() {
        p.polyline(&[(x, y), (x + len, y)], &stroke, None);
    }
    if let Some(r) = s.marker_radius(if s.style == Style::Dots { 1 } else { s.x.len() }) {
        p.disc((x + len / 2.0, y), r, s.color, None);
    }
}

fn paint_legend(p: &mut dyn Painter, chart: &Chart, l: &Layout) {
    let entries: Vec<(&Series, &str)> = chart
        .series
        .iter()
        .filter_map(|s| s.label.as_deref().map(|t| (s, t)))
        .collect();
    if entries.is_empty() {
        return;
    }
    let ts = l.tick_size;
    let (pad, sample, row) = (6.0, 26.0, ts * 1.5);
    let text_w = entries
        .iter()
        .map(|(_, t)| text_width(t, ts, FONT))
        .fold(0.0, f64::max);
    let (w, h) = (
        2.0 * pad + sample + 6.0 + text_w,
        2.0 * pad + row * entries.len() as f64 - (row - ts * 1.2),
    );
    let plot = l.plot;
    let inset = 6.0;
    let (left, centre_x, right) = (
        plot.x + inset,
        plot.x + (plot.w - w) / 2.0,
        plot.right() - inset - w,
    );
    let (upper, middle, lower) = (
        plot.y + inset,
        plot.y + (plot.h - h) / 2.0,
        plot.bottom() - inset - h,
    );
    use SeriesLabelPosition as P;
    let (x, y) = match &chart.legend_at {
        P::UpperLeft => (left, upper),
        P::UpperMiddle => (centre_x, upper),
        P::UpperRight => (right, upper),
        P::MiddleLeft => (left, middle),
        P::MiddleMiddle => (centre_x, middle),
        P::MiddleRight => (right, middle),
        P::LowerLeft => (left, lower),
        P::LowerMiddle => (centre_x, lower),
        P::LowerRight => (right, lower),
        P::Coordinate(cx, cy) => (plot.x + f64::from(*cx), plot.y + f64::from(*cy)),
    };
    let frame = Rect::new(x, y, w, h);
    p.fill_rect(frame, RGBColor(255, 255, 255), 0.85);
    p.polyline(
        &crate::render::rect_outline(frame),
        &Stroke::solid(RGBColor(0xcc, 0xcc, 0xcc), 0.8),
        None,
    );
    for (i, (s, text)) in entries.iter().enumerate() {
        let cy = y + pad + ts * 0.6 + row * i as f64;
        paint_sample(p, s, x + pad, cy, sample);
        let style = TextStyle::new(ts).anchor(HAlign::Left, VAlign::Middle);
        p.text(text, (x + pad + sample + 6.0, cy), &style);
    }
}

/// An RGB image that charts, pictures and text are drawn onto, one pixel per CSS px unless made
/// with [`Canvas::scaled`] (then every drawing call still takes CSS px).
pub struct Canvas {
    img: RgbImage,
    scale: f64,
}

impl Canvas {
    /// A white canvas.
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas::scaled(width, height, 1.0)
    }

    /// A white canvas of `width × height` CSS px at `scale` device pixels per CSS px.
    pub fn scaled(width: u32, height: u32, scale: f64) -> Canvas {
        register_fonts();
        let (w, h) = (
            (f64::from(width) * scale).round() as u32,
            (f64::from(height) * scale).round() as u32,
        );
        Canvas {
            img: RgbImage::from_pixel(w, h, image::Rgb([255, 255, 255])),
            scale,
        }
    }

    pub fn into_image(self) -> RgbImage {
        self.img
    }

    /// Paints with the kit's painter (anti-aliased, spike-free lines; CSS px coordinates).
    pub fn painter(&mut self) -> RasterPainter<'_> {
        RasterPainter {
            img: &mut self.img,
            scale: self.scale,
        }
    }

    /// Draws a figure's items onto the canvas.
    pub fn figure(&mut self, figure: &Figure) {
        figure.paint(&mut self.painter());
    }

    /// Runs plotters drawing code on the whole canvas (device pixels).
    pub fn draw<F>(&mut self, f: F) -> Result<()>
    where
        F: FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<()>,
    {
        let (w, h) = self.img.dimensions();
        let root = BitMapBackend::with_buffer(&mut self.img, (w, h)).into_drawing_area();
        f(&root)?;
        root.present().map_err(|e| anyhow!("drawing failed: {e}"))
    }

    /// Copies a picture onto the canvas with its top-left corner at (x, y), device pixels.
    pub fn paste(&mut self, picture: &RgbImage, x: i64, y: i64) {
        imageops::replace(&mut self.img, picture, x, y);
    }

    /// Pastes pictures side by side, `pitch` pixels apart, starting at (x0, y).
    pub fn paste_row(&mut self, pictures: &[RgbImage], x0: u32, y: u32, pitch: u32) {
        for (i, p) in pictures.iter().enumerate() {
            self.paste(p, i64::from(x0 + i as u32 * pitch), i64::from(y));
        }
    }

    /// Writes text with its top-left corner at (x, y).
    pub fn text(&mut self, text: &str, x: i32, y: i32, size: u32, family: &str) -> Result<()> {
        self.colored_text(text, x, y, size, family, BLACK)
    }

    /// Writes text in a colour with its top-left corner at (x, y).
    pub fn colored_text(
        &mut self,
        text: &str,
        x: i32,
        y: i32,
        size: u32,
        family: &str,
        color: RGBColor,
    ) -> Result<()> {
        let style =
            plotters::style::TextStyle::from((family, size as f64).into_font()).color(&color);
        self.draw(|root| {
            root.draw_text(text, &style, (x, y))
                .map_err(|e| anyhow!("text: {e}"))?;
            Ok(())
        })
    }

    /// Writes text in a colour, centred horizontally on `cx`, its top at `y` (panel titles and
    /// axis labels of composite figures).
    pub fn centred_text(
        &mut self,
        text: &str,
        cx: i32,
        y: i32,
        size: u32,
        family: &str,
        color: RGBColor,
    ) -> Result<()> {
        let style =
            plotters::style::TextStyle::from((family, size as f64).into_font()).color(&color);
        self.draw(|root| {
            let (w, _) = root
                .estimate_text_size(text, &style)
                .map_err(|e| anyhow!("text: {e}"))?;
            root.draw_text(text, &style, (cx - w as i32 / 2, y))
                .map_err(|e| anyhow!("text: {e}"))?;
            Ok(())
        })
    }

    /// Writes text centred on (cx, cy), rotated a quarter turn counter-clockwise (reads bottom to top).
    pub fn vertical_text(&mut self, text: &str, cx: i32, cy: i32, size: u32) -> Result<()> {
        self.vertical_text_in(text, cx, cy, size, FONT)
    }

    /// [`Canvas::vertical_text`] in another font family (e.g. [`MONO`]).
    pub fn vertical_text_in(
        &mut self,
        text: &str,
        cx: i32,
        cy: i32,
        size: u32,
        family: &str,
    ) -> Result<()> {
        let family = if family == MONO { MONO } else { FONT };
        let style = TextStyle::new(f64::from(size))
            .family(family)
            .anchor(HAlign::Center, VAlign::Middle)
            .vertical();
        let s = self.scale;
        self.painter()
            .text(text, (f64::from(cx) / s, f64::from(cy) / s), &style);
        Ok(())
    }

    /// Draws a chart in the rectangle (x, y, w, h) of the canvas (CSS px).
    pub fn draw_chart(&mut self, chart: &Chart, x: u32, y: u32, w: u32, h: u32) -> Result<()> {
        let rect = Rect::new(f64::from(x), f64::from(y), f64::from(w), f64::from(h));
        paint_chart(&mut self.painter(), chart, rect);
        Ok(())
    }
}

/// `n` values evenly spaced in log between `lo` and `hi` (`np.geomspace`).
pub fn geomspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    assert!(n >= 2 && lo > 0.0 && hi > 0.0);
    (0..n)
        .map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / (n - 1) as f64).exp())
        .collect()
}

/// `Range` helper for callers that prefer `a..b` syntax.
pub fn range(r: Range<f64>) -> (f64, f64) {
    (r.start, r.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_read_like_matplotlibs() {
        assert_eq!(tick_label(0.1), "0.1");
        assert_eq!(tick_label(100.0), "100");
        assert_eq!(tick_label(1e-3), "1e-3");
        assert_eq!(tick_label(1e6), "1e6");
        assert_eq!(tick_label(2e-4), "2.0e-4");
    }

    #[test]
    fn a_chart_renders_deterministically_and_draws_its_data() {
        let f: Vec<f64> = (1..50).map(|r| r as f64 / 100.0).collect();
        let p: Vec<f64> = f.iter().map(|f| f.powf(-2.0)).collect();
        let chart = Chart::loglog().with(Series::new(&f, &p, RED, Style::LineDots).label("images"));
        let a = chart.render(500, 300).unwrap();
        let b = chart.render(500, 300).unwrap();
        assert_eq!(a, b);
        let red = a
            .pixels()
            .filter(|px| px.0 == [RED.0, RED.1, RED.2])
            .count();
        assert!(
            red > 200,
            "expected a red data line, found {red} red pixels"
        );
    }

    #[test]
    fn geomspace_matches_numpy() {
        let g = geomspace(0.02, 50.0, 7);
        assert!((g[0] - 0.02).abs() < 1e-15 && (g[6] - 50.0).abs() < 1e-12);
        assert!((g[3] - 1.0).abs() < 1e-12);
    }
}

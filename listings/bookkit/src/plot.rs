//! Line charts in the post's style (matplotlib defaults: red `.-` data lines, lower-case axis
//! labels, log-log axes), drawn with plotters into an in-memory RGB canvas.
//!
//! Text uses the DejaVu Sans font shipped in `assets/` (no system fonts needed, identical output on
//! every machine). plotters' pure-Rust text path cannot rotate glyphs, so the vertical y-axis label
//! is drawn horizontally on a scratch canvas and rotated as pixels.

use std::ops::Range;
use std::sync::Once;

use anyhow::{Result, anyhow};
use image::{RgbImage, imageops};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

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

pub const FONT: &str = "sans-serif";
pub const MONO: &str = "monospace";

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let sans: &'static [u8] = include_bytes!("../assets/DejaVuSans.ttf");
        let mono: &'static [u8] = include_bytes!("../assets/DejaVuSansMono.ttf");
        // The fonts are compiled in; registering them cannot fail unless the files are corrupt.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, sans);
        let _ = plotters::style::register_font(MONO, FontStyle::Normal, mono);
    });
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// matplotlib's `'.-'`: a line with a dot at every data point.
    LineDots,
    /// A plain line.
    Line,
    /// A dotted line (the post's fitted power laws).
    Dotted,
    /// Dots only, no line.
    Dots,
}

/// One curve of a chart.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: Option<String>,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub color: RGBColor,
    pub style: Style,
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
        }
    }

    pub fn label(mut self, label: &str) -> Series {
        self.label = Some(label.to_string());
        self
    }

    fn finite_points(&self, log_x: bool, log_y: bool) -> Vec<(f64, f64)> {
        self.x
            .iter()
            .zip(&self.y)
            .filter(|(x, y)| {
                x.is_finite() && y.is_finite() && (!log_x || **x > 0.0) && (!log_y || **y > 0.0)
            })
            .map(|(x, y)| (*x, *y))
            .collect()
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
    pub font_size: u32,
    /// Where the legend goes (upper right by default, as matplotlib's "best" usually picks for
    /// falling spectra).
    pub legend_at: SeriesLabelPosition,
}

impl Chart {
    /// A log-log chart with the post's axis labels, "frequency" and "power".
    pub fn loglog() -> Chart {
        Chart {
            title: None,
            x_label: "frequency".into(),
            y_label: "power".into(),
            x_scale: Scale::Log,
            y_scale: Scale::Log,
            x_range: None,
            y_range: None,
            series: Vec::new(),
            font_size: 16,
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
    /// Replaces the axis labels.
    pub fn labels(mut self, x_label: &str, y_label: &str) -> Chart {
        self.x_label = x_label.into();
        self.y_label = y_label.into();
        self
    }
    pub fn with(mut self, series: Series) -> Chart {
        self.series.push(series);
        self
    }

    fn data_range(&self, axis: usize) -> (f64, f64) {
        let (log_x, log_y) = (self.x_scale == Scale::Log, self.y_scale == Scale::Log);
        let values = self
            .series
            .iter()
            .flat_map(|s| s.finite_points(log_x, log_y))
            .map(|p| if axis == 0 { p.0 } else { p.1 });
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let scale = if axis == 0 {
            self.x_scale
        } else {
            self.y_scale
        };
        pad_range(lo, hi, scale)
    }

    /// Draws the chart into a `width × height` image.
    pub fn render(&self, width: u32, height: u32) -> Result<RgbImage> {
        let mut canvas = Canvas::new(width, height);
        canvas.draw_chart(self, 0, 0, width, height)?;
        Ok(canvas.into_image())
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

/// Tick label text: plain decimals for moderate values, `1e-3` style otherwise.
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

/// An RGB image that charts, pictures and text are drawn onto.
pub struct Canvas {
    width: u32,
    height: u32,
    buf: Vec<u8>,
}

impl Canvas {
    /// A white canvas.
    pub fn new(width: u32, height: u32) -> Canvas {
        register_fonts();
        Canvas {
            width,
            height,
            buf: vec![255; (width * height * 3) as usize],
        }
    }

    pub fn into_image(self) -> RgbImage {
        RgbImage::from_raw(self.width, self.height, self.buf).expect("buffer size matches")
    }

    /// Runs plotters drawing code on the whole canvas.
    pub fn draw<F>(&mut self, f: F) -> Result<()>
    where
        F: FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<()>,
    {
        let root = BitMapBackend::with_buffer(&mut self.buf, (self.width, self.height))
            .into_drawing_area();
        f(&root)?;
        root.present().map_err(|e| anyhow!("drawing failed: {e}"))
    }

    /// Copies a picture onto the canvas with its top-left corner at (x, y).
    pub fn paste(&mut self, picture: &RgbImage, x: i64, y: i64) {
        let mut img = RgbImage::from_raw(self.width, self.height, std::mem::take(&mut self.buf))
            .expect("buffer size matches");
        imageops::replace(&mut img, picture, x, y);
        self.buf = img.into_raw();
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
        let style = TextStyle::from((family, size as f64).into_font()).color(&color);
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
        let style = TextStyle::from((family, size as f64).into_font()).color(&color);
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
        // The text is laid out with room above and below, then cropped to its ink: glyphs reach
        // above the nominal top of the line (the tops of "l", "d", "f" would be cut off).
        let pad = size / 2;
        let (w, h) = (
            (text.chars().count() as u32 + 2) * size,
            size * 3 / 2 + 2 * pad,
        );
        let mut scratch = Canvas::new(w, h);
        scratch.text(text, 0, pad as i32, size, family)?;
        let img = scratch.into_image();
        let ink = |x: u32, y: u32| img.get_pixel(x, y)[0] < 250;
        // Trim the unused white right-hand side so the label centres correctly.
        let used = (0..w)
            .rev()
            .find(|x| (0..h).any(|y| ink(*x, y)))
            .map_or(1, |x| x + 1);
        let inked: Vec<u32> = (0..h).filter(|y| (0..used).any(|x| ink(x, *y))).collect();
        let (top, rows) = match (inked.first(), inked.last()) {
            (Some(a), Some(b)) => (*a, b - a + 1),
            _ => (0, h),
        };
        let trimmed = imageops::crop_imm(&img, 0, top, used, rows).to_image();
        let rotated = imageops::rotate270(&trimmed);
        self.paste(
            &rotated,
            i64::from(cx) - i64::from(rows / 2),
            i64::from(cy) - i64::from(used / 2),
        );
        Ok(())
    }

    /// Draws a chart in the rectangle (x, y, w, h) of the canvas.
    pub fn draw_chart(&mut self, chart: &Chart, x: u32, y: u32, w: u32, h: u32) -> Result<()> {
        let (xr, yr) = (
            chart.x_range.unwrap_or_else(|| chart.data_range(0)),
            chart.y_range.unwrap_or_else(|| chart.data_range(1)),
        );
        let fs = chart.font_size;
        let y_label_room = fs as i32 + 6;
        self.draw(|root| {
            let area = root.clone().shrink(
                (x as i32 + y_label_room, y as i32),
                (w - y_label_room as u32, h),
            );
            match (chart.x_scale, chart.y_scale) {
                (Scale::Log, Scale::Log) => plot_on(
                    &area,
                    chart,
                    (xr.0..xr.1).log_scale(),
                    (yr.0..yr.1).log_scale(),
                ),
                (Scale::Linear, Scale::Log) => {
                    plot_on(&area, chart, xr.0..xr.1, (yr.0..yr.1).log_scale())
                }
                (Scale::Log, Scale::Linear) => {
                    plot_on(&area, chart, (xr.0..xr.1).log_scale(), yr.0..yr.1)
                }
                (Scale::Linear, Scale::Linear) => plot_on(&area, chart, xr.0..xr.1, yr.0..yr.1),
            }
        })?;
        let title_room = if chart.title.is_some() {
            fs as i32 + 10
        } else {
            0
        };
        self.vertical_text(
            &chart.y_label,
            x as i32 + fs as i32 * 3 / 4 + 2,
            y as i32 + title_room + (h as i32 - title_room) / 2 - 20,
            fs,
        )
    }
}

fn plot_on<X, Y>(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    chart: &Chart,
    xs: X,
    ys: Y,
) -> Result<()>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let fs = chart.font_size;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(8)
        .x_label_area_size(fs * 2 + 14)
        .y_label_area_size(fs * 4);
    if let Some(title) = &chart.title {
        builder.caption(title, (FONT, fs as f64 * 1.1));
    }
    let mut ctx = builder
        .build_cartesian_2d(xs, ys)
        .map_err(|e| anyhow!("chart: {e}"))?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc(chart.x_label.as_str())
        .x_label_formatter(&|v| tick_label(*v))
        .y_label_formatter(&|v| tick_label(*v))
        .label_style((FONT, fs as f64 * 0.8))
        .axis_desc_style((FONT, fs as f64))
        .draw()
        .map_err(|e| anyhow!("axes: {e}"))?;
    let (log_x, log_y) = (chart.x_scale == Scale::Log, chart.y_scale == Scale::Log);
    let mut any_label = false;
    for s in &chart.series {
        let pts = s.finite_points(log_x, log_y);
        let color = s.color;
        let line_style = ShapeStyle::from(&color).stroke_width(2);
        let drawn = match s.style {
            Style::Dotted => ctx
                .draw_series(DashedLineSeries::new(
                    pts.clone(),
                    2,
                    5,
                    ShapeStyle::from(&color).stroke_width(2),
                ))
                .map_err(|e| anyhow!("series: {e}"))?,
            Style::Dots => ctx
                .draw_series(pts.iter().map(|p| Circle::new(*p, 4, color.filled())))
                .map_err(|e| anyhow!("dots: {e}"))?,
            _ => ctx
                .draw_series(LineSeries::new(pts.clone(), line_style))
                .map_err(|e| anyhow!("series: {e}"))?,
        };
        if let Some(label) = &s.label {
            any_label = true;
            let legend_color = color;
            let dotted = s.style == Style::Dotted;
            let (dash, gap) = if dotted { (3, 4) } else { (20, 1) };
            drawn.label(label.as_str()).legend(move |(x, y)| {
                plotters::element::DashedPathElement::new(
                    vec![(x, y), (x + 20, y)],
                    dash,
                    gap,
                    legend_color.stroke_width(2),
                )
            });
        }
        if s.style == Style::LineDots {
            ctx.draw_series(pts.iter().map(|p| Circle::new(*p, 2, color.filled())))
                .map_err(|e| anyhow!("dots: {e}"))?;
        }
    }
    if any_label {
        ctx.configure_series_labels()
            .position(chart.legend_at.clone())
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(0xcc, 0xcc, 0xcc))
            .label_font((FONT, fs as f64 * 0.85))
            .draw()
            .map_err(|e| anyhow!("legend: {e}"))?;
    }
    Ok(())
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

//! A [`Chart`] drawn as SVG, for `spectra plot -o out.svg`: the same axes, colours, line styles
//! and legend as [`Chart::render`], with plotters' SVG backend instead of the bitmap one. Text
//! stays text (the viewer's sans-serif font), so the picture scales without blurring.

use anyhow::{Result, anyhow};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;

use crate::plot::{Canvas, Chart, FONT, Scale, Series, Style, tick_label};

/// The chart as an SVG document of `width × height` pixels.
pub fn render(chart: &Chart, width: u32, height: u32) -> Result<String> {
    // Text layout measures glyphs with the fonts `plot` registers when its first canvas is made.
    drop(Canvas::new(1, 1));
    let (xr, yr) = (
        chart.x_range.unwrap_or_else(|| data_range(chart, Axis::X)),
        chart.y_range.unwrap_or_else(|| data_range(chart, Axis::Y)),
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("svg: {e}"))?;
        match (chart.x_scale, chart.y_scale) {
            (Scale::Log, Scale::Log) => draw(
                &root,
                chart,
                (xr.0..xr.1).log_scale(),
                (yr.0..yr.1).log_scale(),
            ),
            (Scale::Linear, Scale::Log) => draw(&root, chart, xr.0..xr.1, (yr.0..yr.1).log_scale()),
            (Scale::Log, Scale::Linear) => draw(&root, chart, (xr.0..xr.1).log_scale(), yr.0..yr.1),
            (Scale::Linear, Scale::Linear) => draw(&root, chart, xr.0..xr.1, yr.0..yr.1),
        }?;
        root.present().map_err(|e| anyhow!("svg: {e}"))?;
    }
    Ok(svg)
}

#[derive(Clone, Copy, PartialEq)]
enum Axis {
    X,
    Y,
}

/// The data's extent with matplotlib-like 5% margins (in log space for log axes), as the bitmap
/// charts use.
fn data_range(chart: &Chart, axis: Axis) -> (f64, f64) {
    let scale = match axis {
        Axis::X => chart.x_scale,
        Axis::Y => chart.y_scale,
    };
    let (lo, hi) = points(chart)
        .map(|(x, y)| if axis == Axis::X { x } else { y })
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() || !hi.is_finite() {
        return (1.0, 10.0);
    }
    let log = scale == Scale::Log;
    let to_axis = |v: f64| if log { v.log10() } else { v };
    let from_axis = |v: f64| if log { 10f64.powf(v) } else { v };
    let (a, b) = (to_axis(lo), to_axis(hi));
    let pad = if b > a { 0.05 * (b - a) } else { 0.5 };
    (from_axis(a - pad), from_axis(b + pad))
}

/// Every drawable point of every series (finite, and positive on log axes).
fn points(chart: &Chart) -> impl Iterator<Item = (f64, f64)> + '_ {
    chart.series.iter().flat_map(|s| drawable(chart, s))
}

fn drawable(chart: &Chart, s: &Series) -> Vec<(f64, f64)> {
    let (log_x, log_y) = (chart.x_scale == Scale::Log, chart.y_scale == Scale::Log);
    s.x.iter()
        .zip(&s.y)
        .filter(|(x, y)| {
            x.is_finite() && y.is_finite() && (!log_x || **x > 0.0) && (!log_y || **y > 0.0)
        })
        .map(|(x, y)| (*x, *y))
        .collect()
}

fn draw<X, Y>(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
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
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(8)
        .x_label_area_size(fs * 2 + 14)
        .y_label_area_size(fs * 5);
    if let Some(title) = &chart.title {
        builder.caption(title, (FONT, fs as f64 * 1.1));
    }
    let mut ctx = builder
        .build_cartesian_2d(xs, ys)
        .map_err(|e| anyhow!("chart: {e}"))?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .x_label_formatter(&|v| tick_label(*v))
        .y_label_formatter(&|v| tick_label(*v))
        .label_style((FONT, fs as f64 * 0.8))
        .axis_desc_style((FONT, fs as f64))
        .draw()
        .map_err(|e| anyhow!("axes: {e}"))?;
    let mut any_label = false;
    for s in &chart.series {
        let pts = drawable(chart, s);
        let color = s.color;
        let drawn = match s.style {
            Style::Dotted => ctx.draw_series(DashedLineSeries::new(
                pts.clone(),
                2,
                5,
                color.stroke_width(2),
            )),
            Style::Dots => ctx.draw_series(pts.iter().map(|p| Circle::new(*p, 4, color.filled()))),
            Style::Line | Style::LineDots => {
                ctx.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            }
        }
        .map_err(|e| anyhow!("series: {e}"))?;
        if let Some(label) = &s.label {
            any_label = true;
            let (dash, gap) = if s.style == Style::Dotted {
                (3, 4)
            } else {
                (20, 1)
            };
            drawn.label(label.as_str()).legend(move |(x, y)| {
                plotters::element::DashedPathElement::new(
                    vec![(x, y), (x + 20, y)],
                    dash,
                    gap,
                    color.stroke_width(2),
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

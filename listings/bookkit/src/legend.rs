//! A chart's legend: a sample of each labelled series' line and its label, in a box placed where
//! it hides the least data.

use crate::axes::Layout;
use crate::chart::{Chart, Scale, Series, SeriesLabelPosition, Style};
use crate::painter::{HAlign, Painter, RGBColor, Rect, Stroke, TextStyle, VAlign, rect_outline};
use crate::text::{FONT, text_width};

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

/// The legend's labelled series, in order.
fn entries(chart: &Chart) -> Vec<(&Series, &str)> {
    chart
        .series
        .iter()
        .filter_map(|s| s.label.as_deref().map(|t| (s, t)))
        .collect()
}

/// The size in CSS px of a legend box holding `entries` in `cols` columns.
fn box_size(entries: &[(&Series, &str)], ts: f64, cols: usize) -> (f64, f64) {
    let (pad, sample, row) = (6.0, 26.0, ts * 1.5);
    let entry = sample
        + 6.0
        + entries
            .iter()
            .map(|(_, t)| text_width(t, ts, FONT))
            .fold(0.0, f64::max);
    let rows = entries.len().div_ceil(cols.max(1));
    (
        2.0 * pad + entry * cols as f64 + 14.0 * (cols as f64 - 1.0),
        2.0 * pad + row * rows as f64 - (row - ts * 1.2),
    )
}

/// Where a chart's legend goes, given the layout of its axes in the whole rectangle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Placement {
    /// No labelled series.
    None,
    /// Inside the frame, its top-left corner here.
    Inside(f64, f64),
    /// Below the axes, in a band this tall that the chart's layout leaves free, in `cols`
    /// columns: the frame has no place where the legend would hide no data.
    Below { height: f64, cols: usize },
}

/// Plans the legend: where the chart asks, or (for [`SeriesLabelPosition::Best`]) the first of
/// nine places inside the frame that hides no data, or else below the axes.
pub fn plan(chart: &Chart, l: &Layout) -> Placement {
    let entries = entries(chart);
    if entries.is_empty() {
        return Placement::None;
    }
    let ts = legend_size(l);
    let (w, h) = box_size(&entries, ts, 1);
    let ((x, y), covered) = place(chart, l, w, h);
    if chart.legend_at != SeriesLabelPosition::Best || covered == 0 {
        return Placement::Inside(x, y);
    }
    let cols = (1..=entries.len())
        .rev()
        .find(|c| box_size(&entries, ts, *c).0 <= l.plot.w)
        .unwrap_or(1);
    Placement::Below {
        height: box_size(&entries, ts, cols).1 + 4.0,
        cols,
    }
}

/// Paints the chart's legend as [`plan`]ned: a framed box inside the frame, or rows of entries
/// in the band `below` (the bottom of the chart's rectangle).
pub fn paint_legend(
    p: &mut dyn Painter,
    chart: &Chart,
    l: &Layout,
    placement: Placement,
    below: Rect,
) {
    let entries = entries(chart);
    let ts = legend_size(l);
    let (pad, sample, row) = (6.0, 26.0, ts * 1.5);
    let (x, y, cols) = match placement {
        Placement::None => return,
        Placement::Inside(x, y) => {
            let (w, h) = box_size(&entries, ts, 1);
            let frame = Rect::new(x, y, w, h);
            p.fill_rect(frame, RGBColor(255, 255, 255), 0.85);
            p.polyline(
                &rect_outline(frame),
                &Stroke::solid(RGBColor(0xcc, 0xcc, 0xcc), 0.8),
                None,
            );
            (x, y, 1)
        }
        Placement::Below { cols, .. } => {
            let w = box_size(&entries, ts, cols).0;
            (l.plot.x + (l.plot.w - w) / 2.0, below.y + 2.0, cols)
        }
    };
    let entry = (box_size(&entries, ts, cols).0 - 2.0 * pad + 14.0) / cols as f64;
    for (i, (s, text)) in entries.iter().enumerate() {
        let (ex, cy) = (
            x + pad + (i % cols) as f64 * entry,
            y + pad + ts * 0.6 + row * (i / cols) as f64,
        );
        paint_sample(p, s, ex, cy, sample);
        let style = TextStyle::new(ts).anchor(HAlign::Left, VAlign::Middle);
        p.text(text, (ex + sample + 6.0, cy), &style);
    }
}

/// The legend's text size: the tick labels', or 12 px if they are smaller (legends hold words).
fn legend_size(l: &Layout) -> f64 {
    l.tick_size.max(12.0)
}

/// Where the legend's top-left corner goes for a `w × h` legend inside the frame, and how many
/// points of the drawn data (sampled every 2 px along each line) it hides there: as the chart
/// asks, or (for [`SeriesLabelPosition::Best`]) in whichever of nine places hides the fewest.
/// Ties keep the order upper right, upper left, lower left, lower right, then the middles
/// (matplotlib's order).
pub fn place(chart: &Chart, l: &Layout, w: f64, h: f64) -> ((f64, f64), usize) {
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
    let at = |p: P| match p {
        P::UpperLeft => (left, upper),
        P::UpperMiddle => (centre_x, upper),
        P::UpperRight | P::Best => (right, upper),
        P::MiddleLeft => (left, middle),
        P::MiddleMiddle => (centre_x, middle),
        P::MiddleRight => (right, middle),
        P::LowerLeft => (left, lower),
        P::LowerMiddle => (centre_x, lower),
        P::LowerRight => (right, lower),
        P::Coordinate(cx, cy) => (plot.x + f64::from(cx), plot.y + f64::from(cy)),
    };
    let points = drawn_points(chart, l);
    let covered = |(x, y): (f64, f64)| {
        let frame = Rect::new(x, y, w, h).grown(3.0);
        points.iter().filter(|p| frame.contains(p.0, p.1)).count()
    };
    if chart.legend_at != P::Best {
        let c = at(chart.legend_at);
        return (c, covered(c));
    }
    [
        P::UpperRight,
        P::UpperLeft,
        P::LowerLeft,
        P::LowerRight,
        P::MiddleRight,
        P::MiddleLeft,
        P::LowerMiddle,
        P::UpperMiddle,
        P::MiddleMiddle,
    ]
    .into_iter()
    .map(|p| (at(p), covered(at(p))))
    .min_by_key(|(_, n)| *n)
    .unwrap_or(((right, upper), 0))
}

/// The page points of every drawn line and marker of the chart, inside the frame, with lines
/// sampled every 2 px so that a long straight segment counts as much as a dense curve.
fn drawn_points(chart: &Chart, l: &Layout) -> Vec<(f64, f64)> {
    let (log_x, log_y) = (chart.x_scale == Scale::Log, chart.y_scale == Scale::Log);
    let mut out = Vec::new();
    for s in chart.series.iter().filter(|s| s.style != Style::Band) {
        let pts: Vec<(f64, f64)> = s
            .finite_points(log_x, log_y)
            .into_iter()
            .map(|q| l.point(q))
            .collect();
        out.extend(pts.iter().copied());
        if s.stroke().is_some() {
            for w in pts.windows(2) {
                let (a, b) = (w[0], w[1]);
                let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
                let n = (len / 2.0).ceil().min(2000.0) as usize;
                out.extend((1..n).map(|k| {
                    let t = k as f64 / n as f64;
                    (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))
                }));
            }
        }
    }
    out.retain(|p| l.plot.contains(p.0, p.1));
    out
}

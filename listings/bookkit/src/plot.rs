//! Charts in the post's style, painted: the data of each series clipped to the axes' frame,
//! then frame, ticks, labels, title and legend. One layout serves the SVG the book shows, the
//! pixels of a notebook or of `spectra plot -o out.png`, and the pixel tests.
//!
//! This module is also the charts' front door: the chart model ([`crate::chart`]), its axes
//! ([`crate::axes`]) and the drawing vocabulary ([`crate::painter`]) are re-exported here.

pub use crate::axes::{Tick, pow10, tick_label, ticks};
pub use crate::chart::*;
pub use crate::painter::{HAlign, Painter, RGBColor, Rect, Stroke, TextStyle, VAlign};
pub use crate::render::Figure;
pub use crate::text::{FONT, MIN_TEXT_PX, MONO};

use crate::axes::{Layout, paint_axes};
use crate::legend::{Placement, paint_legend, plan};

/// Paints `chart` into `rect` of a figure: series clipped to the axes' frame, then frame, ticks,
/// labels, title and legend.
pub fn paint_chart(p: &mut dyn Painter, chart: &Chart, rect: Rect) {
    let (l, axes, placement) = layout(chart, rect);
    let (log_x, log_y) = (chart.x_scale == Scale::Log, chart.y_scale == Scale::Log);
    for s in &chart.series {
        paint_series(p, &l, s, log_x, log_y);
    }
    paint_axes(p, chart, &l, axes);
    let below = Rect::new(rect.x, axes.bottom(), rect.w, rect.bottom() - axes.bottom());
    paint_legend(p, chart, &l, placement, below);
}

/// The chart's layout in `rect`, the part of `rect` its axes take, and its legend's place: when
/// the legend cannot go inside the frame without hiding data, the axes give up a band at the
/// bottom of `rect` for it.
pub fn layout(chart: &Chart, rect: Rect) -> (Layout, Rect, Placement) {
    let l = Layout::of(chart, rect);
    match plan(chart, &l) {
        Placement::Below { height, cols } => {
            let axes = Rect::new(rect.x, rect.y, rect.w, rect.h - height);
            let l = Layout::of(chart, axes);
            (l, axes, Placement::Below { height, cols })
        }
        placement => (l, rect, placement),
    }
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
    fn a_legend_that_would_hide_data_anywhere_inside_goes_below_the_axes() {
        // A zigzag over the whole frame: every place inside hides some of it.
        let x: Vec<f64> = (0..200).map(|i| f64::from(i) / 200.0).collect();
        let y: Vec<f64> = (0..200)
            .map(|i| if i % 2 == 0 { 0.02 } else { 0.98 })
            .collect();
        let chart = Chart::linear("x", "y")
            .x_range(0.0, 1.0)
            .y_range(0.0, 1.0)
            .with(Series::new(&x, &y, RED, Style::Line).label("everywhere"));
        let rect = Rect::new(0.0, 0.0, 300.0, 250.0);
        let (l, axes, placement) = layout(&chart, rect);
        assert!(
            matches!(placement, Placement::Below { cols: 1, .. }),
            "{placement:?}"
        );
        assert!(axes.h < rect.h && l.plot.bottom() < axes.bottom());
        // A chart asked for a fixed place keeps it.
        let fixed = chart.clone().legend_at(SeriesLabelPosition::UpperLeft);
        assert!(matches!(layout(&fixed, rect).2, Placement::Inside(..)));
    }

    #[test]
    fn the_legend_goes_where_the_data_are_not() {
        // A curve falling from the upper left leaves the upper right free (the first place
        // tried); one rising to the upper right leaves the upper left free (the next).
        let x: Vec<f64> = (1..50).map(|i| f64::from(i) / 50.0).collect();
        let falling: Vec<f64> = x.iter().map(|v| 1.0 - v).collect();
        let rising: Vec<f64> = x.clone();
        let rect = Rect::new(0.0, 0.0, 400.0, 300.0);
        let corner = |y: &[f64]| {
            let chart = Chart::linear("x", "y")
                .x_range(0.0, 1.0)
                .y_range(0.0, 1.0)
                .with(Series::new(&x, y, RED, Style::Line).label("a curve"));
            let l = crate::axes::Layout::of(&chart, rect);
            let ((lx, ly), hidden) = crate::legend::place(&chart, &l, 80.0, 30.0);
            assert_eq!(hidden, 0);
            (
                lx < l.plot.x + l.plot.w / 2.0,
                ly < l.plot.y + l.plot.h / 2.0,
            )
        };
        // (left?, upper?)
        assert_eq!(corner(&falling), (false, true));
        assert_eq!(corner(&rising), (true, true));
    }
}

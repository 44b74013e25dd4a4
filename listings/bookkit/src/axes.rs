//! A chart's axes: tick positions and labels (10ⁿ on log axes, 1-2-5 steps on linear ones),
//! the layout of a chart inside its rectangle (where the frame goes so that every label fits),
//! and the painting of frame, ticks and labels.

use crate::chart::{BLACK, Chart, Scale};
use crate::painter::{HAlign, Painter, Rect, Stroke, TextStyle, VAlign, rect_outline};
use crate::text::{FONT, MIN_TEXT_PX, text_width};

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
pub struct Axis {
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
    /// The page coordinate of the value `v`.
    pub fn map(&self, v: f64) -> f64 {
        let (a, b) = (self.t(self.lo), self.t(self.hi));
        self.from + (self.t(v) - a) / (b - a) * (self.to - self.from)
    }

    /// The value at the page coordinate `p` (the inverse of [`Axis::map`]).
    pub fn unmap(&self, p: f64) -> f64 {
        let (a, b) = (self.t(self.lo), self.t(self.hi));
        let t = a + (p - self.from) / (self.to - self.from) * (b - a);
        match self.scale {
            Scale::Log => 10f64.powf(t),
            Scale::Linear => t,
        }
    }
}

/// Where everything of a chart goes inside its rectangle.
pub struct Layout {
    /// The axes' frame; the data are clipped to it.
    pub plot: Rect,
    pub x: Axis,
    pub y: Axis,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub tick_size: f64,
    pub label_size: f64,
}

const MAJOR_TICK: f64 = 4.0;
const MINOR_TICK: f64 = 2.5;
const TICK_GAP: f64 = 3.0;
/// Room kept right of the last x label's estimated half width, for the browser's wider glyphs.
const RIGHT_SLACK: f64 = 3.0;

impl Layout {
    /// Lays `chart` out in `r`: room for the title, tick labels and axis labels around the
    /// frame (or the chart's fixed insets), ticks thinned until their labels do not overlap.
    pub fn of(chart: &Chart, r: Rect) -> Layout {
        let ((x0, x1), (y0, y1)) = chart.ranges();
        let ts = chart.tick_size();
        let fs = f64::from(chart.font_size).max(MIN_TEXT_PX);
        let x_target = ((r.w / 90.0).round() as usize).clamp(3, 8);
        let y_target = ((r.h / 60.0).round() as usize).clamp(3, 8);
        let mut x_ticks = ticks(x0, x1, chart.x_scale, x_target);
        let mut y_ticks = ticks(y0, y1, chart.y_scale, y_target);

        let top = r.y
            + if chart.title.is_some() {
                // The title's line, and a gap that keeps the top tick label off it.
                fs * 2.3
            } else {
                ts * 0.9
            };
        let x_label_room = if chart.x_label.is_empty() {
            0.0
        } else {
            fs * 1.35
        };
        let bottom = r.bottom() - (MAJOR_TICK + TICK_GAP + ts * 1.2 + x_label_room + 2.0);
        let (top, bottom) = match chart.insets {
            Some(i) => (r.y + i.top, r.bottom() - i.bottom),
            None => (top, bottom),
        };
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
        // Half the last label overhangs the frame; the kit's glyph widths are an estimate of the
        // browser's font, so keep a few pixels more (a phone's "1.0" touched the edge without).
        let right = r.right() - (last_x / 2.0 + RIGHT_SLACK).max(8.0);
        let (left, right) = match chart.insets {
            Some(i) => (r.x + i.left, r.right() - i.right),
            None => (left, right),
        };
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

    /// The page coordinates of a data point.
    pub fn point(&self, p: (f64, f64)) -> (f64, f64) {
        (self.x.map(p.0), self.y.map(p.1))
    }
}

/// Paints a laid-out chart's frame, ticks, tick labels, axis labels and title.
pub fn paint_axes(p: &mut dyn Painter, chart: &Chart, l: &Layout, rect: Rect) {
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
    p.polyline(&rect_outline(plot), &axis_stroke, None);
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

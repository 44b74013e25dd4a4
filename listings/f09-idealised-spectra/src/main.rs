//! F9: the idealised diagram, four schematic panels without ticks: the spectrum of a natural
//! image (a falling straight line on log-log axes), of Gaussian noise (a flat line), of a noisy
//! image and of a very noisy image. The hinges are not drawn by hand: they are the sum of the two
//! straight lines' powers, computed in the log domain, exactly as for real spectra.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f09-idealised-spectra`.
//! Pieces: `Figure` and the monospace font from `bookkit::plot`, the desktop and phone layouts
//! from `bookkit::figure`; no data.

use bookkit::figure::{Column, save_responsive};
use bookkit::plot::{
    BLUE, Figure, GREEN, HAlign, MONO, RED, RGBColor, Rect, Stroke, TextStyle, VAlign,
};
use bookkit::values::{Values, save_values};

/// How many log units (of power) the height of the box spans: sets how soft the elbow looks.
const LOG_SPAN: f64 = 12.0;

/// A schematic spectrum on the unit square: u is log-frequency, v is log-magnitude, both in [0, 1].
type Curve = Vec<(f64, f64)>;

fn grid() -> Vec<f64> {
    (0..=200).map(|i| 0.04 + 0.9 * i as f64 / 200.0).collect()
}

fn image_line() -> Curve {
    grid()
        .into_iter()
        .map(|u| (u, IMAGE.0 - IMAGE.1 * u))
        .collect()
}

fn flat(level: f64) -> Curve {
    grid().into_iter().map(|u| (u, level)).collect()
}

// ANCHOR: hinge
/// The spectrum of image + noise: powers add, so in log units v = ln(e^(s·v₁) + e^(s·v₂)) / s,
/// with s the number of log units the unit height stands for. Where one term is far larger,
/// the sum is that term; near the crossing, it bends smoothly from one to the other.
fn sum_of(a: &Curve, b: &Curve) -> Curve {
    a.iter()
        .zip(b)
        .map(|(&(u, v1), &(_, v2))| {
            let hi = v1.max(v2);
            let soft = ((LOG_SPAN * (v1 - hi)).exp() + (LOG_SPAN * (v2 - hi)).exp()).ln();
            (u, hi + soft / LOG_SPAN)
        })
        .collect()
}
// ANCHOR_END: hinge

/// A colour mixed with white, for the faint guide lines.
fn faint(c: RGBColor) -> RGBColor {
    let mix = |v: u8| (f64::from(v) * 0.3 + 255.0 * 0.7).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

struct Panel {
    title: &'static str,
    color: RGBColor,
    /// (curve, colour) drawn in order, the last on top.
    curves: Vec<(Curve, RGBColor)>,
}

/// Draws one panel into the rectangle `r`: an L-shaped pair of axes, the curves, the title
/// above in the panel's colour, the axes' names (the vertical one only if `y_label`).
fn draw_panel(fig: &mut Figure, r: Rect, panel: &Panel, y_label: bool) {
    // The axes' box inside the panel.
    let (left, top) = (r.x + 26.0, r.y + 30.0);
    let (w, h) = (r.w - 34.0, r.h - 58.0);
    let to_page = |(u, v): (f64, f64)| (left + u * w, top + h - v * h);
    let corner = [(left, top), (left, top + h), (left + w, top + h)];
    fig.line(&corner, Stroke::solid(RGBColor(0x44, 0x44, 0x44), 1.0));
    for (curve, color) in &panel.curves {
        let pts: Vec<(f64, f64)> = curve.iter().map(|p| to_page(*p)).collect();
        fig.line(&pts, Stroke::solid(*color, 2.5));
    }
    let mid = left + w / 2.0;
    let centre = |size: f64| {
        TextStyle::new(size)
            .family(MONO)
            .anchor(HAlign::Center, VAlign::Top)
    };
    fig.text(
        panel.title,
        (mid, r.y + 6.0),
        centre(14.0).color(panel.color),
    );
    fig.text("spatial frequency", (mid, top + h + 8.0), centre(12.0));
    if y_label {
        fig.text(
            "magnitude (log scale)",
            (r.x + 4.0, top + h / 2.0),
            centre(12.0).vertical(),
        );
    }
}

/// The image line and the two noise levels of the diagram, in units of the panels' height.
const IMAGE: (f64, f64) = (0.92, 0.85);
const NOISE: f64 = 0.3;
const LOUD: f64 = 0.6;

fn compute() -> anyhow::Result<[Panel; 4]> {
    let (image, noise, loud) = (image_line(), flat(NOISE), flat(LOUD));
    // Where the image line meets each noise level, in units of the frequency axis.
    for (name, level) in [("noisy", NOISE), ("very noisy", LOUD)] {
        let u = (IMAGE.0 - level) / IMAGE.1;
        println!("{name:>10}: the image line meets the noise at u = {u:.2}");
    }
    Ok([
        Panel {
            title: "natural image",
            color: RED,
            curves: vec![(image.clone(), RED)],
        },
        Panel {
            title: "Gaussian noise",
            color: BLUE,
            curves: vec![(noise.clone(), BLUE)],
        },
        Panel {
            title: "noisy image",
            color: GREEN,
            curves: vec![
                (image.clone(), faint(RED)),
                (noise.clone(), faint(BLUE)),
                (sum_of(&image, &noise), GREEN),
            ],
        },
        Panel {
            title: "very noisy image",
            color: GREEN,
            curves: vec![
                (image.clone(), faint(RED)),
                (loud.clone(), faint(BLUE)),
                (sum_of(&image, &loud), GREEN),
            ],
        },
    ])
}

/// F9 is a diagram: it states no numbers.
fn values(_: &[Panel]) -> Values {
    Vec::new()
}

fn draw(panels: &[Panel]) -> anyhow::Result<()> {
    save_responsive("f09-idealised-spectra.svg", |column| {
        // Four in a row in the book's column, two by two on a phone.
        let cols = if column == Column::Desktop { 4 } else { 2 };
        let w = column.width() / cols as f64;
        let h = w * 0.95 + 20.0;
        let rows = panels.len().div_ceil(cols);
        let mut fig = Figure::new(column.width(), rows as f64 * h);
        for (i, panel) in panels.iter().enumerate() {
            let r = Rect::new((i % cols) as f64 * w, (i / cols) as f64 * h, w, h);
            draw_panel(&mut fig, r, panel, i % cols == 0);
        }
        fig
    })
}

fn main() -> anyhow::Result<()> {
    let panels = compute()?;
    save_values(&values(&panels))?;
    draw(&panels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn the_hinge_follows_the_larger_term_and_bends_at_the_crossing() {
        let (image, noise) = (image_line(), flat(0.3));
        let hinge = sum_of(&image, &noise);
        for ((h, a), b) in hinge.iter().zip(&image).zip(&noise) {
            let top = a.1.max(b.1);
            // Never below the larger term, never more than ln 2 / s above it (at the crossing).
            assert!(h.1 >= top - 1e-12 && h.1 <= top + 2f64.ln() / LOG_SPAN + 1e-12);
        }
        // Far from the crossing the sum is the larger term to within a percent of the height.
        assert!((hinge[0].1 - image[0].1).abs() < 0.01);
        assert!((hinge[200].1 - 0.3).abs() < 0.01);
    }
}

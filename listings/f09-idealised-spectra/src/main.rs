//! F9: the idealised diagram, four schematic panels without ticks: the spectrum of a natural
//! image (a falling straight line on log-log axes), of Gaussian noise (a flat line), of a noisy
//! image and of a very noisy image. The hinges are not drawn by hand: they are the sum of the two
//! straight lines' powers, computed in the log domain, exactly as for real spectra.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f09-idealised-spectra`.
//! Pieces: `Canvas` and the monospace font from `bookkit::plot` (plotters underneath); no data.

use bookkit::figure::save_png;
use bookkit::plot::{BLUE, Canvas, GREEN, MONO, RED, RGBColor, Stroke};
use bookkit::render::Painter;
use bookkit::values::{Values, save_values};

const PANEL_W: u32 = 260;
const HEIGHT: u32 = 245;
/// The axes' box inside each panel: left, top, width, height.
const BOX: (i32, i32, i32, i32) = (42, 52, 196, 150);
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

fn draw_panel(canvas: &mut Canvas, i: u32, panel: &Panel, y_label: bool) -> anyhow::Result<()> {
    let x0 = (i * PANEL_W) as i32;
    let (left, top, w, h) = (x0 + BOX.0, BOX.1, BOX.2, BOX.3);
    let to_px = |(u, v): (f64, f64)| {
        (
            left + (u * f64::from(w)).round() as i32,
            top + h - (v * f64::from(h)).round() as i32,
        )
    };
    // Drawn with the kit's painter: anti-aliased, with round joins.
    let px = |(x, y): (i32, i32)| (f64::from(x), f64::from(y));
    let corner = [(left, top), (left, top + h), (left + w, top + h)].map(px);
    let mut painter = canvas.painter();
    painter.polyline(
        &corner,
        &Stroke::solid(RGBColor(0x44, 0x44, 0x44), 1.0),
        None,
    );
    for (curve, color) in &panel.curves {
        let pts: Vec<(f64, f64)> = curve.iter().map(|p| px(to_px(*p))).collect();
        painter.polyline(&pts, &Stroke::solid(*color, 3.0), None);
    }
    let mid = left + w / 2;
    canvas.centred_text(panel.title, mid, 14, 16, MONO, panel.color)?;
    let black = RGBColor(0, 0, 0);
    canvas.centred_text("spatial frequency", mid, top + h + 14, 15, MONO, black)?;
    if y_label {
        canvas.vertical_text_in("magnitude (log-scale)", x0 + 18, top + h / 2, 14, MONO)?;
    }
    Ok(())
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
    let mut canvas = Canvas::new(4 * PANEL_W, HEIGHT);
    for (i, panel) in panels.iter().enumerate() {
        draw_panel(&mut canvas, i as u32, panel, i == 0)?;
    }
    save_png(&canvas.into_image(), "f09-idealised-spectra.png")?;
    Ok(())
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

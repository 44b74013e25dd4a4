//! The tide's curves stay apart for a reader with deuteranopia (the commonest colour-vision
//! deficiency): any two curves drawn in the same line style must still differ clearly in colour
//! after simulating the deficiency, and the noisy curve, whose green is closest to the others
//! under it, differs by style (dashed) as well.
//!
//! Simulation: Machado, Oliveira & Fernandes (2009), severity 1, applied to linear RGB; the
//! difference is CIE 1976 ΔE in L*a*b* (D65).

use bookkit::plot::{RGBColor, Style};
use bookkit::tide_frame::tide_chart;
use spectral::spectrum::Rapsd;
use spectral::tide::Tide;

/// Machado et al. (2009), deuteranopia, severity 1.0.
const DEUTERANOPIA: [[f64; 3]; 3] = [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.011820, 0.042940, 0.968881],
];

fn to_linear(c: u8) -> f64 {
    let v = f64::from(c) / 255.0;
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// The colour a deuteranope sees, in linear RGB.
fn simulate(c: RGBColor) -> [f64; 3] {
    let rgb = [to_linear(c.0), to_linear(c.1), to_linear(c.2)];
    DEUTERANOPIA.map(|row| (row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]).clamp(0.0, 1.0))
}

/// CIE L*a*b* (D65 white) of a linear-RGB colour.
fn lab(rgb: [f64; 3]) -> [f64; 3] {
    let [r, g, b] = rgb;
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

fn delta_e(a: RGBColor, b: RGBColor) -> f64 {
    let (p, q) = (lab(simulate(a)), lab(simulate(b)));
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
}

/// A clearly visible colour difference between two thin lines (ΔE of about 2 is just noticeable).
const DISTINCT: f64 = 20.0;

fn some_tide() -> Tide {
    let frequency: Vec<f64> = (1..20).map(|r| r as f64 / 40.0).collect();
    let curve = |k: f64| Rapsd {
        frequency: frequency.clone(),
        power: frequency.iter().map(|f| k * f.powf(-2.0)).collect(),
    };
    Tide {
        sigma: 1.0,
        images: curve(1.0),
        noise: curve(2.0),
        noisy: curve(3.0),
    }
}

#[test]
fn the_simulation_keeps_grey_and_separates_what_it_should() {
    // Greys are seen unchanged, and the simulation is known to collapse pure red and green.
    let grey = RGBColor(128, 128, 128);
    assert!(delta_e(grey, grey) < 1e-9);
    let g = simulate(grey);
    assert!(
        (g[0] - g[1]).abs() < 2e-3 && (g[1] - g[2]).abs() < 2e-3,
        "{g:?}"
    );
    assert!(delta_e(RGBColor(200, 0, 0), RGBColor(0, 110, 0)) < DISTINCT);
}

#[test]
fn tide_curves_in_one_style_stay_distinct_and_the_rest_differ_by_style() {
    let chart = tide_chart(&some_tide());
    let series = &chart.series;
    assert_eq!(series.len(), 3);
    for (i, a) in series.iter().enumerate() {
        for b in &series[i + 1..] {
            let same_style = std::mem::discriminant(&a.style) == std::mem::discriminant(&b.style);
            let de = delta_e(a.color, b.color);
            assert!(
                !same_style || de >= DISTINCT,
                "{:?} and {:?} share a style and differ by only ΔE {de:.1} for a deuteranope",
                a.label,
                b.label
            );
        }
    }
    // The noisy curve is the one told apart by style.
    assert!(
        matches!(series[2].style, Style::Dashed),
        "{:?}",
        series[2].style
    );
}

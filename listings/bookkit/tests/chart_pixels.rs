//! Charts checked pixel by pixel: whatever the data do, the curves stay inside the axes' frame.
//!
//! The frame is found in the rendered image itself (the rows and columns that are mostly dark),
//! not taken from the layout code, so the test does not trust what it checks.

use bookkit::image::RgbImage;
use bookkit::plot::{Chart, RED, Scale, Series, Style, ticks};

/// A series that jumps between extremes at every point, well beyond the y range shown: with
/// mitred joins (plotters' wide strokes) every sharp turn grows a spike.
fn jagged() -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (1..200).map(|i| f64::from(i) / 400.0).collect();
    let y = (0..x.len())
        .map(|i| match i % 4 {
            0 => 1e-6,
            1 => 1e6,
            2 => 0.5,
            _ => 3.0,
        })
        .collect();
    (x, y)
}

/// First and last index of the lines (rows or columns) that are dark along most of their length.
fn frame_lines(img: &RgbImage, rows: bool) -> (u32, u32) {
    let (w, h) = img.dimensions();
    let (n, len) = if rows { (h, w) } else { (w, h) };
    let dark = |i: u32| {
        (0..len)
            .filter(|j| {
                let p = if rows {
                    img.get_pixel(*j, i)
                } else {
                    img.get_pixel(i, *j)
                };
                p.0.iter().all(|c| *c < 160)
            })
            .count()
    };
    let lines: Vec<u32> = (0..n).filter(|i| dark(*i) * 2 > len as usize).collect();
    (*lines.first().unwrap(), *lines.last().unwrap())
}

/// A pixel of the red curve: clearly redder than it is green or blue.
fn reddish(p: &bookkit::image::Rgb<u8>) -> bool {
    let [r, g, b] = p.0;
    i32::from(r) - i32::from(g).max(i32::from(b)) > 20
}

fn check_inside(img: &RgbImage) {
    let (top, bottom) = frame_lines(img, true);
    let (left, right) = frame_lines(img, false);
    assert!(bottom > top + 50 && right > left + 50, "no frame found");
    let mut inside = 0;
    for (x, y, p) in img.enumerate_pixels() {
        if reddish(p) {
            assert!(
                x >= left && x <= right && y >= top && y <= bottom,
                "curve pixel at ({x}, {y}) outside the frame x {left}..={right}, y {top}..={bottom}"
            );
            inside += 1;
        }
    }
    assert!(
        inside > 500,
        "only {inside} curve pixels: the curve was not drawn"
    );
}

#[test]
fn a_jagged_thick_series_never_leaves_the_plot_frame() {
    let (x, y) = jagged();
    for style in [Style::LineDots, Style::Line, Style::Dashed] {
        let chart = Chart::loglog()
            .y_range(0.1, 10.0)
            .with(Series::new(&x, &y, RED, style).width(3.0));
        check_inside(&chart.render(400, 300).unwrap());
        check_inside(&chart.render_scaled(400, 300, 2.0));
    }
}

#[test]
fn svg_series_are_clipped_to_the_frame_and_joined_round() {
    let (x, y) = jagged();
    let svg = Chart::loglog()
        .y_range(0.1, 10.0)
        .with(Series::new(&x, &y, RED, Style::Line))
        .svg(400, 300);
    let curve = svg
        .lines()
        .find(|l| l.contains("stroke=\"#d62728\""))
        .expect("the red curve");
    assert!(curve.contains("clip-path=\"url(#c"), "{curve}");
    assert!(curve.contains("stroke-linejoin=\"round\""), "{curve}");
}

#[test]
fn charts_render_byte_identically_twice() {
    let (x, y) = jagged();
    let chart = Chart::loglog().with(Series::new(&x, &y, RED, Style::LineDots).label("jagged"));
    assert_eq!(chart.svg(500, 300), chart.svg(500, 300));
    assert_eq!(
        chart.render_scaled(500, 300, 2.0),
        chart.render_scaled(500, 300, 2.0)
    );
}

/// Reads a tick label back as a number: `10⁻³`, `2×10⁻²`, plain decimals.
fn parse_label(label: &str) -> f64 {
    let (mantissa, power) = match label.split_once('×') {
        Some((m, p)) => (m.parse::<f64>().unwrap(), p),
        None if label.starts_with("10") && label.chars().count() > 2 => (1.0, label),
        None => return label.parse().unwrap(),
    };
    let exponent: String = power
        .trim_start_matches("10")
        .chars()
        .map(|c| match c {
            '⁻' => '-',
            c => char::from_digit(
                "⁰¹²³⁴⁵⁶⁷⁸⁹".chars().position(|d| d == c).unwrap() as u32,
                10,
            )
            .unwrap(),
        })
        .collect();
    mantissa * 10f64.powi(exponent.parse().unwrap())
}

#[test]
fn log_tick_labels_are_powers_of_ten_that_read_back_as_their_values() {
    for (lo, hi) in [(1e-4, 1e4), (2.5e-3, 0.6), (0.5, 11025.0), (3e-12, 2e5)] {
        let t = ticks(lo, hi, Scale::Log, 6);
        let labelled: Vec<_> = t.iter().filter(|t| t.label.is_some()).collect();
        assert!(labelled.len() >= 3, "{lo}..{hi}: {labelled:?}");
        for tick in &labelled {
            let label = tick.label.as_deref().unwrap();
            assert!(label.contains("10"), "{label} is not in 10ⁿ form");
            let v = parse_label(label);
            assert!(
                (v / tick.value - 1.0).abs() < 1e-9,
                "{label} ≠ {}",
                tick.value
            );
            assert!(tick.value >= lo && tick.value <= hi);
        }
        assert!(
            t.iter().any(|t| !t.major) || hi / lo > 1e9,
            "{lo}..{hi}: no minor ticks"
        );
    }
}

#[test]
fn linear_tick_labels_share_their_number_of_decimals() {
    let t = ticks(-0.03, 1.03, Scale::Linear, 5);
    let labels: Vec<&str> = t.iter().filter_map(|t| t.label.as_deref()).collect();
    assert_eq!(labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
    for tick in &t {
        let l = tick.label.as_deref().unwrap();
        assert!((parse_label(l) - tick.value).abs() < 1e-12);
    }
}

//! The rising tide drawn: the chart of its three spectra (F7, F8 and every frame of F10), and one
//! frame of a rising-tide animation (F10 for photos, F15 for sound): the chart at one noise level,
//! optionally the noisy picture beside it, and the noise level written above.

use anyhow::Result;
use image::RgbImage;

use spectral::tide::Tide;

use crate::plot::{BLUE, Canvas, Chart, GREEN, RED, Series, Style};
use crate::render::{Figure, HAlign, Rect, TextStyle, VAlign};

/// The tide's three log-mean spectra on log-log axes in the post's colours: the clean images
/// (red), the noise (blue) and the noisy images (green, and dashed: red and green differ by more
/// than hue for readers with deuteranopia).
pub fn tide_chart(t: &Tide) -> Chart {
    let f = &t.images.frequency;
    Chart::loglog()
        .with(Series::new(f, &t.images.power, RED, Style::LineDots).label("images"))
        .with(Series::new(f, &t.noise.power, BLUE, Style::LineDots).label("noise"))
        .with(Series::new(f, &t.noisy.power, GREEN, Style::Dashed).label("noisy images"))
}

/// Every tide animation's frame size in CSS px (the book's column is 750 px wide).
pub const FRAME: (u32, u32) = (720, 360);
/// Device pixels per CSS px of the frames: drawn at twice the size they are shown at, they stay
/// sharp on HiDPI screens.
pub const FRAME_SCALE: f64 = 2.0;

/// One frame as a figure: with a `picture`, the chart takes the left two thirds and the picture
/// the rest, under the label; without one, the chart takes the whole frame under the label.
pub fn tide_figure(chart: &Chart, picture: Option<&RgbImage>, label: &str) -> Figure {
    let (w, h) = (f64::from(FRAME.0), f64::from(FRAME.1));
    let mut fig = Figure::new(w, h);
    let style = TextStyle::new(15.0).anchor(HAlign::Center, VAlign::Top);
    match picture {
        Some(picture) => {
            fig.chart(Rect::new(0.0, 0.0, 470.0, h), chart);
            let side = 230.0;
            let (x, y) = (w - side - 8.0, (h - side) / 2.0 + 6.0);
            fig.text(label, (x + side / 2.0, y - 26.0), style);
            fig.image(Rect::new(x, y, side, side), picture);
        }
        None => {
            fig.text(label, (w / 2.0, 4.0), style);
            fig.chart(Rect::new(0.0, 24.0, w, h - 24.0), chart);
        }
    }
    fig
}

/// [`tide_figure`] as pixels at [`FRAME_SCALE`].
pub fn tide_frame(chart: &Chart, picture: Option<&RgbImage>, label: &str) -> Result<RgbImage> {
    let mut canvas = Canvas::scaled(FRAME.0, FRAME.1, FRAME_SCALE);
    canvas.figure(&tide_figure(chart, picture, label));
    Ok(canvas.into_image())
}

/// A number to three significant digits, without trailing zeros: 0.0737, 1, 13.6. The tide's
/// frames label their noise level with it.
pub fn three_digits(v: f64) -> String {
    let decimals = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{RED, Series, Style};

    #[test]
    fn three_significant_digits_without_trailing_zeros() {
        let shown: Vec<String> = [0.02, 0.073_68, 0.2714, 1.0, 3.684, 13.57, 50.0]
            .into_iter()
            .map(three_digits)
            .collect();
        assert_eq!(
            shown,
            ["0.02", "0.0737", "0.271", "1", "3.68", "13.6", "50"]
        );
    }

    #[test]
    fn a_frame_has_the_animation_size_and_shows_the_picture_where_it_says() {
        let (x, y) = ([0.01, 0.1, 0.5], [1.0, 0.1, 0.01]);
        let chart = Chart::loglog().with(Series::new(&x, &y, RED, Style::Line));
        let picture = RgbImage::from_pixel(20, 10, image::Rgb([1, 2, 3]));
        let frame = tide_frame(&chart, Some(&picture), "σ = 1").unwrap();
        let device = |v: u32| (f64::from(v) * FRAME_SCALE) as u32;
        assert_eq!(frame.dimensions(), (device(FRAME.0), device(FRAME.1)));
        // The picture's centre, in device pixels.
        let (cx, cy) = (
            device(FRAME.0) - device(8 + 115),
            device(FRAME.1) / 2 + device(6),
        );
        assert_eq!(frame.get_pixel(cx, cy).0, [1, 2, 3]);
        let bare = tide_frame(&chart, None, "σ = 1").unwrap();
        assert_eq!(bare.dimensions(), frame.dimensions());
    }
}

//! The rising tide drawn: the chart of its three spectra (F7, F8 and every frame of F10), and one
//! frame of a rising-tide animation (F10 for photos, F15 for sound): the chart at one noise level,
//! optionally the noisy picture beside it (below it on a phone), and the noise level written
//! above.

use image::RgbImage;

use spectral::tide::Tide;

use crate::figure::Column;
use crate::painter::{HAlign, Rect, TextStyle, VAlign};
use crate::plot::{BLUE, Chart, GREEN, RED, Series, Style};
use crate::render::Figure;

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

/// The frame's height in CSS px for a column (the width is the column's).
pub fn frame_height(column: Column, picture: bool) -> f64 {
    match (column, picture) {
        (Column::Desktop, _) => 360.0,
        (Column::Phone, false) => 300.0,
        (Column::Phone, true) => 520.0,
    }
}

/// One frame as a figure, `label` (the noise level) on top. On the desktop, with a `picture`,
/// the chart takes the left two thirds and the picture the rest; on a phone the picture goes
/// under the chart. Without a picture the chart takes the whole frame under the label.
pub fn tide_figure(
    chart: &Chart,
    picture: Option<&RgbImage>,
    label: &str,
    column: Column,
) -> Figure {
    let w = column.width();
    let h = frame_height(column, picture.is_some());
    let mut fig = Figure::new(w, h);
    let style = TextStyle::new(15.0).anchor(HAlign::Center, VAlign::Top);
    match (picture, column) {
        (Some(picture), Column::Desktop) => {
            fig.chart(Rect::new(0.0, 0.0, 470.0, h), chart);
            let side = 230.0;
            let (x, y) = (w - side - 8.0, (h - side) / 2.0 + 6.0);
            fig.text(label, (x + side / 2.0, y - 26.0), style);
            fig.image(Rect::new(x, y, side, side), picture);
        }
        (Some(picture), Column::Phone) => {
            fig.text(label, (w / 2.0, 4.0), style);
            let chart_h = 290.0;
            fig.chart(Rect::new(0.0, 24.0, w, chart_h), chart);
            let side = h - chart_h - 24.0 - 12.0;
            fig.image(
                Rect::new((w - side) / 2.0, 24.0 + chart_h + 6.0, side, side),
                picture,
            );
        }
        (None, _) => {
            fig.text(label, (w / 2.0, 4.0), style);
            fig.chart(Rect::new(0.0, 24.0, w, h - 24.0), chart);
        }
    }
    fig
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
    fn a_frame_has_the_columns_width_and_shows_the_picture_where_it_says() {
        let (x, y) = ([0.01, 0.1, 0.5], [1.0, 0.1, 0.01]);
        let chart = Chart::loglog().with(Series::new(&x, &y, RED, Style::Line));
        let picture = RgbImage::from_pixel(20, 10, image::Rgb([1, 2, 3]));
        for column in Column::BOTH {
            let fig = tide_figure(&chart, Some(&picture), "σ = 1", column);
            assert_eq!(fig.width, column.width());
            let frame = fig.raster(1.0);
            // The picture's centre.
            let (cx, cy) = match column {
                Column::Desktop => (720 - 8 - 115, 180 + 6),
                Column::Phone => (165, 24 + 290 + 6 + 94),
            };
            assert_eq!(frame.get_pixel(cx, cy).0, [1, 2, 3], "{column:?}");
        }
        let bare = tide_figure(&chart, None, "σ = 1", Column::Desktop);
        assert_eq!((bare.width, bare.height), (720.0, 360.0));
    }
}

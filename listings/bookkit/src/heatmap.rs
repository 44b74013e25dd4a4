//! Heat maps over time × frequency, with a log frequency axis: a closed form painted as cells,
//! measured values as inset squares in the same colours (where they agree, the squares vanish
//! into the background), and curves drawn on top. Plus a colour bar.

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::colormap::Colormap;
use crate::plot::{Canvas, FONT, RGBColor, tick_label};

/// A curve over the heat map, in data coordinates.
#[derive(Clone, Debug)]
pub struct Curve {
    pub points: Vec<(f64, f64)>,
    pub color: RGBColor,
    pub dashed: bool,
    pub width: u32,
}

/// A value measured at one point, painted as a small square in the map's colours.
#[derive(Clone, Copy, Debug)]
pub struct Marker {
    pub x: f64,
    pub y: f64,
    pub value: f64,
}

/// Cells `values[i][j]` span `x_edges[i]..x_edges[i + 1]` (linear axis) and
/// `y_edges[j]..y_edges[j + 1]` (log axis, positive); values map onto the colormap from `lo` to
/// `hi`.
#[derive(Clone, Debug)]
pub struct Heatmap {
    pub x_edges: Vec<f64>,
    pub y_edges: Vec<f64>,
    pub values: Vec<Vec<f64>>,
    pub range: (f64, f64),
    pub colormap: Colormap,
    pub x_label: String,
    pub y_label: String,
    pub title: Option<String>,
    pub markers: Vec<Marker>,
    pub curves: Vec<Curve>,
    pub font_size: u32,
}

impl Heatmap {
    /// Draws the map with its axes into the rectangle (x, y, w, h) of the canvas.
    pub fn draw(&self, canvas: &mut Canvas, x: u32, y: u32, w: u32, h: u32) -> Result<()> {
        let fs = self.font_size;
        let room = fs as i32 + 6;
        let (x0, x1) = (self.x_edges[0], self.x_edges[self.x_edges.len() - 1]);
        let (y0, y1) = (self.y_edges[0], self.y_edges[self.y_edges.len() - 1]);
        canvas.draw(|root| {
            let area = root
                .clone()
                .shrink((x as i32 + room, y as i32), (w - room as u32, h));
            let mut builder = ChartBuilder::on(&area);
            builder
                .margin(8)
                .x_label_area_size(fs * 2 + 14)
                .y_label_area_size(fs * 4);
            if let Some(title) = &self.title {
                builder.caption(title, (FONT, fs as f64 * 1.05));
            }
            let mut ctx = builder
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(|e| anyhow!("heat map: {e}"))?;
            let cells = self.x_edges.windows(2).enumerate().flat_map(|(i, xs)| {
                self.y_edges.windows(2).enumerate().map(move |(j, ys)| {
                    let c = self.color(self.values[i][j]);
                    Rectangle::new([(xs[0], ys[0]), (xs[1], ys[1])], c.filled())
                })
            });
            ctx.draw_series(cells).map_err(|e| anyhow!("cells: {e}"))?;
            ctx.configure_mesh()
                .disable_mesh()
                .x_desc(self.x_label.as_str())
                .x_label_formatter(&|v| tick_label(*v))
                .y_label_formatter(&|v| tick_label(*v))
                .label_style((FONT, fs as f64 * 0.8))
                .axis_desc_style((FONT, fs as f64))
                .draw()
                .map_err(|e| anyhow!("axes: {e}"))?;
            for m in &self.markers {
                let centre = ctx.backend_coord(&(m.x, m.y));
                let half = (fs as i32 / 4).max(3);
                let square = [
                    (centre.0 - half, centre.1 - half),
                    (centre.0 + half, centre.1 + half),
                ];
                root.draw(&Rectangle::new(square, self.color(m.value).filled()))
                    .map_err(|e| anyhow!("marker: {e}"))?;
                root.draw(&Rectangle::new(square, WHITE.stroke_width(1)))
                    .map_err(|e| anyhow!("marker: {e}"))?;
            }
            for c in &self.curves {
                let style = c.color.stroke_width(c.width);
                if c.dashed {
                    ctx.draw_series(DashedLineSeries::new(c.points.clone(), 7, 5, style))
                        .map_err(|e| anyhow!("curve: {e}"))?;
                } else {
                    ctx.draw_series(LineSeries::new(c.points.clone(), style))
                        .map_err(|e| anyhow!("curve: {e}"))?;
                }
            }
            Ok(())
        })?;
        let title_room = if self.title.is_some() {
            fs as i32 + 10
        } else {
            0
        };
        canvas.vertical_text(
            &self.y_label,
            x as i32 + fs as i32 * 3 / 4 + 2,
            y as i32 + title_room + (h as i32 - title_room) / 2 - 20,
            fs,
        )
    }

    fn color(&self, value: f64) -> RGBColor {
        let (lo, hi) = self.range;
        let c = self.colormap.at((value - lo) / (hi - lo));
        RGBColor(c[0], c[1], c[2])
    }
}

/// A vertical colour bar in the rectangle (x, y, w, h): the colormap from `lo` (bottom) to `hi`
/// (top), with `ticks` labelled on the right and `label` above.
#[allow(clippy::too_many_arguments)]
pub fn colorbar(
    canvas: &mut Canvas,
    colormap: Colormap,
    (lo, hi): (f64, f64),
    ticks: &[f64],
    label: &str,
    (x, y, w, h): (i32, i32, i32, i32),
    font_size: u32,
) -> Result<()> {
    canvas.draw(|root| {
        for row in 0..h {
            let v = 1.0 - row as f64 / (h - 1).max(1) as f64;
            let c = colormap.at(v);
            root.draw(&Rectangle::new(
                [(x, y + row), (x + w, y + row + 1)],
                RGBColor(c[0], c[1], c[2]).filled(),
            ))
            .map_err(|e| anyhow!("colour bar: {e}"))?;
        }
        root.draw(&Rectangle::new(
            [(x, y), (x + w, y + h)],
            BLACK.stroke_width(1),
        ))
        .map_err(|e| anyhow!("colour bar: {e}"))?;
        Ok(())
    })?;
    for &t in ticks {
        let ty = y + ((1.0 - (t - lo) / (hi - lo)) * (h - 1) as f64).round() as i32;
        canvas.draw(|root| {
            root.draw(&PathElement::new(vec![(x + w, ty), (x + w + 4, ty)], BLACK))
                .map_err(|e| anyhow!("tick: {e}"))?;
            Ok(())
        })?;
        let size = font_size * 4 / 5;
        canvas.text(&tick_label(t), x + w + 6, ty - size as i32 / 2, size, FONT)?;
    }
    canvas.centred_text(
        label,
        x + w / 2,
        y - font_size as i32 - 8,
        font_size,
        FONT,
        BLACK,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colormap::VIRIDIS;

    #[test]
    fn cells_take_their_colours_from_the_map_and_render_deterministically() {
        let map = Heatmap {
            x_edges: vec![0.0, 0.5, 1.0],
            y_edges: vec![0.01, 0.1, 0.5],
            values: vec![vec![0.0, 1.0], vec![1.0, 0.0]],
            range: (0.0, 1.0),
            colormap: VIRIDIS,
            x_label: "t".into(),
            y_label: "f".into(),
            title: None,
            markers: vec![],
            curves: vec![],
            font_size: 14,
        };
        let draw = || {
            let mut c = Canvas::new(300, 240);
            map.draw(&mut c, 0, 0, 300, 240).unwrap();
            c.into_image()
        };
        let (a, b) = (draw(), draw());
        assert_eq!(a, b);
        let count = |rgb: [u8; 3]| a.pixels().filter(|p| p.0 == rgb).count();
        let (low, high) = (VIRIDIS.at(0.0).0, VIRIDIS.at(1.0).0);
        // Four cells, two of each colour, each a good share of the plot area.
        assert!(
            count(low) > 4000 && count(high) > 4000,
            "{} {}",
            count(low),
            count(high)
        );
    }
}

//! Where figures and computed values go, and how they are written: always to a temporary file
//! first, renamed into place only when complete, so a failed run never leaves half a file. The
//! book's figures are SVG, each laid out for the desktop column and for a phone ([`Column`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use image::RgbImage;

use crate::heatmap::{Colorbar, Heatmap};
use crate::painter::{Rect, TextStyle};
use crate::render::{Animation, Figure};

/// Environment variable that redirects all outputs (the xtask uses it for determinism checks).
pub const OUT_DIR_VAR: &str = "BOOK_OUT_DIR";

/// The folder for generated figures: `$BOOK_OUT_DIR`, or `src/generated` in the repository,
/// which is where the book's chapters include them from.
pub fn out_dir() -> PathBuf {
    std::env::var_os(OUT_DIR_VAR)
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::data::workspace_root().join("src/generated"))
}

/// Writes `bytes` to `path` atomically: a sibling temporary file, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create folder", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot write here", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("{}: write failed", path.display()))?;
    // Temporary files are private (0600); a finished output is an ordinary readable file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path).with_context(|| {
        format!(
            "{}: cannot move the finished file into place",
            path.display()
        )
    })?;
    Ok(())
}

/// Saves an SVG document under [`out_dir`] and returns its path.
pub fn save_svg(svg: &str, name: &str) -> Result<PathBuf> {
    let path = out_dir().join(name);
    write_atomic(&path, svg.as_bytes())?;
    Ok(path)
}

/// Saves a figure under [`out_dir`] in the format its name asks for: `.svg` as SVG (the book's
/// figures: the browser draws text and lines sharp at any screen density), `.png` as pixels at
/// twice the CSS size (shown at half size, it is sharp on HiDPI screens too), recording its
/// smallest text for the browser check.
pub fn save_figure(figure: &Figure, name: &str) -> Result<PathBuf> {
    if name.ends_with(".svg") {
        save_svg(&figure.svg(), name)
    } else {
        let scale = 2.0;
        let path = out_dir().join(name);
        let smallest = figure.smallest_text().map(|px| px * scale);
        write_atomic(&path, &png_bytes(&figure.raster(scale), smallest)?)?;
        Ok(path)
    }
}

/// The two widths the book lays a figure out for, in CSS px: its desktop column (750 px, a
/// figure of 720 px with the dark themes' frame around it) and a 390-px phone's (a column of
/// about 350 px). A figure laid out again for the phone keeps its text at full size there,
/// where the desktop layout would shrink to half.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Desktop,
    Phone,
}

impl Column {
    pub const BOTH: [Column; 2] = [Column::Desktop, Column::Phone];

    pub fn width(self) -> f64 {
        match self {
            Column::Desktop => 720.0,
            Column::Phone => 330.0,
        }
    }

    /// The file of this column's layout of the figure `name`: `name` itself on the desktop,
    /// `-phone` before the extension on a phone (`f03.svg`, `f03-phone.svg`).
    pub fn file(self, name: &str) -> String {
        match (self, name.rsplit_once('.')) {
            (Column::Desktop, _) => name.to_string(),
            (Column::Phone, Some((stem, ext))) => format!("{stem}-phone.{ext}"),
            (Column::Phone, None) => format!("{name}-phone"),
        }
    }
}

/// Saves a figure laid out for each [`Column`]: `layout(Column::Desktop)` as `name`, and
/// `layout(Column::Phone)` as [`Column::file`]'s phone variant, which the chapter offers to
/// narrow screens (`<picture><source media=…>`).
pub fn save_responsive(name: &str, layout: impl Fn(Column) -> Figure) -> Result<()> {
    for column in Column::BOTH {
        save_figure(&layout(column), &column.file(name))?;
    }
    Ok(())
}

/// Saves a figure holding only `chart`, laid out for each [`Column`]: `desktop_height` CSS px
/// tall on the desktop, [`PHONE_CHART_HEIGHT`] on a phone, where its text keeps its size and its
/// plot area shrinks.
pub fn save_chart(name: &str, chart: &crate::chart::Chart, desktop_height: f64) -> Result<()> {
    save_responsive(name, |column| {
        let w = column.width();
        let h = match column {
            Column::Desktop => desktop_height,
            Column::Phone => PHONE_CHART_HEIGHT,
        };
        let mut fig = Figure::new(w, h);
        fig.chart(Rect::new(0.0, 0.0, w, h), chart);
        fig
    })
}

/// The height of a one-chart figure on a phone, CSS px.
pub const PHONE_CHART_HEIGHT: f64 = 300.0;

/// The gap between charts stacked one under another, CSS px.
const STACK_GAP: f64 = 12.0;

/// `charts` side by side across the book's column, `height` CSS px tall, and one under another
/// on a phone, each [`PHONE_CHART_HEIGHT`] tall: side by side on a phone they would be half as
/// wide as their text needs. Their frames line up ([`crate::chart::align_charts`]).
pub fn chart_row(column: Column, charts: &[crate::chart::Chart], height: f64) -> Figure {
    let w = column.width();
    let rects: Vec<Rect> = match column {
        Column::Desktop => {
            let each = w / charts.len() as f64;
            (0..charts.len())
                .map(|i| Rect::new(each * i as f64, 0.0, each, height))
                .collect()
        }
        Column::Phone => stacked(w, &vec![PHONE_CHART_HEIGHT; charts.len()]),
    };
    compose(charts, &rects)
}

/// `charts` one under another in either column, the i-th `heights[i]` CSS px tall on the
/// desktop and [`PHONE_CHART_HEIGHT`] on a phone, their frames lined up.
pub fn chart_stack(column: Column, charts: &[crate::chart::Chart], heights: &[f64]) -> Figure {
    let heights = match column {
        Column::Desktop => heights.to_vec(),
        Column::Phone => vec![PHONE_CHART_HEIGHT; charts.len()],
    };
    compose(charts, &stacked(column.width(), &heights))
}

/// Rectangles `width` wide, one under another, [`STACK_GAP`] apart.
fn stacked(width: f64, heights: &[f64]) -> Vec<Rect> {
    let mut y = 0.0;
    heights
        .iter()
        .map(|h| {
            let r = Rect::new(0.0, y, width, *h);
            y += h + STACK_GAP;
            r
        })
        .collect()
}

/// A figure just large enough for `charts` in `rects`, their frames aligned.
fn compose(charts: &[crate::chart::Chart], rects: &[Rect]) -> Figure {
    let mut charts = charts.to_vec();
    crate::chart::align_charts(&mut charts, rects);
    let w = rects.iter().map(Rect::right).fold(0.0, f64::max);
    let h = rects.iter().map(Rect::bottom).fold(0.0, f64::max);
    let mut fig = Figure::new(w, h);
    for (c, r) in charts.iter().zip(rects) {
        fig.chart(*r, c);
    }
    fig
}

/// Where a colour bar goes at the right of its heat map, CSS px: the distance from the right
/// edge to the bar's centre (room for its tick labels, or for half its label, centred above it),
/// and the width of the column it takes (64 px, or more when its label is wider than that room).
pub(crate) fn colorbar_column(bar: &Colorbar) -> (f64, f64) {
    let label = crate::text::text_width(&bar.label, bar.font_size, crate::text::FONT);
    let centre = (label / 2.0 + 4.0).max(48.0);
    (centre, (centre + label / 2.0 + 8.0).max(64.0))
}

/// A heat map and its colour bar filling `rect`: the bar, 16 px wide, in a column at the right
/// ([`colorbar_column`]), from 40 px below the top to about the bottom of the map's frame; the
/// map, with its axes, in the rest.
pub fn heatmap_with_colorbar(fig: &mut Figure, rect: Rect, map: &Heatmap, bar: &Colorbar) {
    let (centre, side) = colorbar_column(bar);
    fig.heatmap(Rect::new(rect.x, rect.y, rect.w - side, rect.h), map);
    let at = Rect::new(
        rect.right() - centre - 8.0,
        rect.y + 40.0,
        16.0,
        rect.h - 110.0,
    );
    fig.colorbar(at, bar);
}

/// A figure of one heat map, its colour bar at its right and its key under both, laid out for
/// `column`: the map `heights.0` CSS px tall on the desktop, `heights.1` on a phone.
pub fn keyed_heatmap(
    column: Column,
    map: &Heatmap,
    bar: &Colorbar,
    key: &str,
    heights: (f64, f64),
) -> Figure {
    let w = column.width();
    let h = match column {
        Column::Desktop => heights.0,
        Column::Phone => heights.1,
    };
    let mut fig = Figure::new(w, h);
    heatmap_with_colorbar(&mut fig, Rect::new(0.0, 0.0, w, h), map, bar);
    key_below(&mut fig, key, h);
    fig
}

/// The size in CSS px of a figure's key (what its lines, squares and colours stand for).
pub const KEY_PX: f64 = 12.0;

/// Ends `fig` with a key under everything above `top`: `text` in lines of [`KEY_PX`] across
/// the figure's width; the figure's height becomes whatever that takes.
pub fn key_below(fig: &mut Figure, text: &str, top: f64) {
    let style = TextStyle::new(KEY_PX);
    let used = fig.paragraph(text, (8.0, top + 8.0), style, fig.width - 16.0);
    fig.height = top + 8.0 + used + 4.0;
}

/// [`save_responsive`] for animations (`.svg` only: an animated SVG keeps its text as text).
pub fn save_responsive_animation(
    name: &str,
    layout: impl Fn(Column) -> Result<Animation>,
) -> Result<()> {
    anyhow::ensure!(
        name.ends_with(".svg"),
        "{name}: animations are saved as SVG"
    );
    for column in Column::BOTH {
        save_svg(&layout(column)?.svg(), &column.file(name))?;
    }
    Ok(())
}

/// The keyword of the PNG text chunk that records a raster's smallest text, in its own pixels
/// ("none" for a picture without text). The browser check reads it to tell whether the text is
/// legible at the size the page shows the picture.
pub const TEXT_RECORD: &str = "min-text-px";

/// A PNG of `img` with its [`TEXT_RECORD`].
fn png_bytes(img: &RgbImage, smallest_text_px: Option<f64>) -> Result<Vec<u8>> {
    let record = smallest_text_px.map_or_else(|| "none".to_string(), |px| format!("{px:.1}"));
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, img.width(), img.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.add_text_chunk(TEXT_RECORD.to_string(), record)?;
        let mut writer = encoder.write_header()?;
        writer.write_image_data(img.as_raw())?;
    }
    Ok(bytes)
}

/// Saves a picture without text (a photo, a spectrogram) as a PNG under [`out_dir`], its
/// [`TEXT_RECORD`] "none", and returns its path. A picture with text is a [`Figure`]: save it
/// with [`save_figure`], which records the text's size.
pub fn save_png(img: &RgbImage, name: &str) -> Result<PathBuf> {
    let path = out_dir().join(name);
    write_atomic(&path, &png_bytes(img, None)?)?;
    Ok(path)
}

/// Frame times that hold the first and last frames `hold` times longer than the others: the
/// reader gets time to see where the animation starts and where it ends.
pub fn held_ends(frames: usize, delay_ms: u32, hold: u32) -> Vec<u32> {
    (0..frames)
        .map(|i| {
            if i == 0 || i + 1 == frames {
                delay_ms * hold
            } else {
                delay_ms
            }
        })
        .collect()
}

/// Saves a number (already formatted) that the prose includes inline, as
/// `generated/values/<name>.txt` with no trailing newline, and echoes it on stdout.
pub fn save_value(name: &str, text: &str) -> Result<()> {
    println!("{name} = {text}");
    write_atomic(
        &out_dir().join("values").join(format!("{name}.txt")),
        text.as_bytes(),
    )
}

/// The value a previous run saved under `name`, if any: tests use it to check that the number the
/// book shows is the number the library computes now.
pub fn saved_value(name: &str) -> Option<String> {
    std::fs::read_to_string(out_dir().join("values").join(format!("{name}.txt"))).ok()
}

/// Saves a small table (e.g. CSV) the chapter shows, under [`out_dir`].
pub fn save_text(name: &str, text: &str) -> Result<PathBuf> {
    let path = out_dir().join(name);
    write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.txt");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }

    #[test]
    fn pngs_record_their_smallest_text_and_phone_variants_are_named_after_the_figure() {
        let img = RgbImage::from_pixel(3, 2, image::Rgb([1, 2, 3]));
        let bytes = png_bytes(&img, Some(22.0)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("min-text-px\u{0}22.0"), "no record");
        assert!(
            String::from_utf8_lossy(&png_bytes(&img, None).unwrap())
                .contains("min-text-px\u{0}none")
        );
        let back = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert_eq!(back, img);
        assert_eq!(
            Column::Phone.file("f03-image-rapsd.svg"),
            "f03-image-rapsd-phone.svg"
        );
        assert_eq!(
            Column::Desktop.file("f03-image-rapsd.svg"),
            "f03-image-rapsd.svg"
        );
    }

    #[test]
    fn rows_of_charts_stack_on_a_phone_and_share_their_frames() {
        let chart = |y: f64| {
            crate::chart::Chart::loglog().with(crate::chart::Series::new(
                &[0.01, 0.5],
                &[y, 1.0],
                crate::chart::RED,
                crate::chart::Style::Line,
            ))
        };
        // Tick labels of different widths (1e-6 against 0.5): the frames still line up.
        let charts = [chart(1e-6), chart(0.5)];
        let desktop = chart_row(Column::Desktop, &charts, 400.0);
        assert_eq!((desktop.width, desktop.height), (720.0, 400.0));
        let phone = chart_row(Column::Phone, &charts, 400.0);
        assert_eq!(phone.width, Column::Phone.width());
        assert_eq!(phone.height, 2.0 * PHONE_CHART_HEIGHT + STACK_GAP);
        let stack = chart_stack(Column::Desktop, &charts, &[300.0, 200.0]);
        assert_eq!(stack.height, 300.0 + STACK_GAP + 200.0);
        let mut aligned = charts.to_vec();
        let rects = stacked(330.0, &[300.0, 300.0]);
        crate::chart::align_charts(&mut aligned, &rects);
        let (a, b) = (
            aligned[0].plot_area(rects[0]),
            aligned[1].plot_area(rects[1]),
        );
        assert_eq!((a.x, a.w), (b.x, b.w));
    }

    #[test]
    fn a_legend_below_the_axes_is_reserved_once_when_charts_are_aligned() {
        use crate::chart::{Chart, RED, Series, Style};
        // A zigzag over the whole frame sends its legend below the axes; a diagonal leaves room
        // for none (it has no legend).
        let x: Vec<f64> = (0..200).map(|i| f64::from(i) / 200.0).collect();
        let zigzag: Vec<f64> = (0..200)
            .map(|i| if i % 2 == 0 { 0.02 } else { 0.98 })
            .collect();
        let axes = Chart::linear("x", "y").x_range(0.0, 1.0).y_range(0.0, 1.0);
        let crowded = axes
            .clone()
            .with(Series::new(&x, &zigzag, RED, Style::Line).label("everywhere"));
        let plain = axes.with(Series::new(&x, &x, RED, Style::Line));
        let rects = stacked(330.0, &[300.0, 300.0]);
        let alone = [crowded.plot_area(rects[0]), plain.plot_area(rects[1])];
        assert!(alone[0].h < alone[1].h, "the legend takes a band");
        let mut charts = [crowded, plain];
        crate::chart::align_charts(&mut charts, &rects);
        for (c, (r, own)) in charts.iter().zip(rects.iter().zip(alone)) {
            let aligned = c.plot_area(*r);
            assert_eq!((aligned.y, aligned.h), (own.y, own.h));
        }
    }

    #[test]
    fn held_ends_lengthen_only_the_first_and_last_frames() {
        assert_eq!(held_ends(4, 100, 3), [300, 100, 100, 300]);
    }
}

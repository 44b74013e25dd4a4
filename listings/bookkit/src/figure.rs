//! Where figures and computed values go, and how they are written: always to a temporary file
//! first, renamed into place only when complete, so a failed run never leaves half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use image::RgbImage;

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

/// Saves a figure under [`out_dir`] in the format its name asks for: `.svg` as SVG (charts:
/// the browser draws them sharp at any screen density), `.png` as pixels at twice the CSS size
/// (shown at half size, it is sharp on HiDPI screens too).
pub fn save_figure(figure: &crate::render::Figure, name: &str) -> Result<PathBuf> {
    if name.ends_with(".svg") {
        save_svg(&figure.svg(), name)
    } else {
        save_png(&figure.raster(2.0), name)
    }
}

/// Saves a PNG under [`out_dir`] and returns its path.
pub fn save_png(img: &RgbImage, name: &str) -> Result<PathBuf> {
    let path = out_dir().join(name);
    let mut bytes = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )?;
    write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Saves an endlessly looping animated GIF under [`out_dir`], `delay_ms` per frame.
pub fn save_gif(frames: &[RgbImage], delay_ms: u32, name: &str) -> Result<PathBuf> {
    save_gif_timed(frames, &vec![delay_ms; frames.len()], name)
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

/// Saves an endlessly looping animated GIF under [`out_dir`], frame `i` shown `delays_ms[i]`.
///
/// Frames after the first store only the rectangle that changed, with unchanged pixels inside it
/// transparent, so a mostly static animation (a rotating line over a fixed spectrum) stays small.
/// Each frame gets its own palette from [`Palette::of`], which keeps a photo's colours beside a
/// chart's flat ones.
pub fn save_gif_timed(frames: &[RgbImage], delays_ms: &[u32], name: &str) -> Result<PathBuf> {
    let path = out_dir().join(name);
    write_atomic(&path, &encode_gif(frames, delays_ms)?)?;
    Ok(path)
}

/// The GIF file's bytes (see [`save_gif_timed`]).
pub fn encode_gif(frames: &[RgbImage], delays_ms: &[u32]) -> Result<Vec<u8>> {
    let (w, h) = frames
        .first()
        .map(|f| f.dimensions())
        .context("an animation needs frames")?;
    anyhow::ensure!(
        delays_ms.len() == frames.len(),
        "{} frames but {} frame times",
        frames.len(),
        delays_ms.len()
    );
    let mut bytes = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut bytes, w as u16, h as u16, &[])?;
        encoder.set_repeat(gif::Repeat::Infinite)?;
        let mut previous: Option<&RgbImage> = None;
        for (frame, delay) in frames.iter().zip(delays_ms) {
            let (x0, y0, x1, y1) = match previous {
                None => (0, 0, w, h),
                Some(prev) => changed_box(prev, frame).unwrap_or((0, 0, 1, 1)),
            };
            // `None` marks a pixel the previous frame already shows (drawn transparent).
            let mut pixels = Vec::with_capacity(((x1 - x0) * (y1 - y0)) as usize);
            for y in y0..y1 {
                for x in x0..x1 {
                    let px = frame.get_pixel(x, y).0;
                    let same = previous.is_some_and(|p| p.get_pixel(x, y).0 == px);
                    pixels.push((!same).then_some(px));
                }
            }
            let palette = Palette::of(pixels.iter().flatten().copied());
            let transparent = palette.colors.len() as u8;
            let indices: Vec<u8> = pixels
                .iter()
                .map(|p| p.map_or(transparent, |c| palette.index(c)))
                .collect();
            let mut table: Vec<u8> = palette.colors.iter().flatten().copied().collect();
            table.extend_from_slice(&[0, 0, 0]);
            let mut f = gif::Frame::from_palette_pixels(
                (x1 - x0) as u16,
                (y1 - y0) as u16,
                indices,
                table,
                Some(transparent),
            );
            (f.left, f.top) = (x0 as u16, y0 as u16);
            f.delay = (delay / 10) as u16;
            f.dispose = gif::DisposalMethod::Keep;
            encoder.write_frame(&f)?;
            previous = Some(frame);
        }
    }
    Ok(bytes)
}

/// Up to 255 colours for one GIF frame (the 256th index is transparency), with the colour each
/// pixel is drawn in.
///
/// A frame holds a few flat colours covering many pixels (the white page, black text, the pure
/// curve colours) and a photo's thousands of shades. A single quantiser trained on the whole frame
/// spends its entries on the page and turns a blue sky grey; here the flat colours are kept
/// exactly (up to 48 colours each covering at least 0.2 % of the pixels) and the remaining
/// entries go to the other pixels by median cut, so the photo keeps its colours in every frame.
#[derive(Clone, Debug)]
pub struct Palette {
    pub colors: Vec<[u8; 3]>,
    lookup: std::collections::HashMap<[u8; 3], u8>,
}

impl Palette {
    pub fn of(pixels: impl Iterator<Item = [u8; 3]>) -> Palette {
        let mut counts: std::collections::HashMap<[u8; 3], u32> = Default::default();
        let mut total = 0u64;
        for p in pixels {
            *counts.entry(p).or_default() += 1;
            total += 1;
        }
        // Sorted, so the palette does not depend on the hash map's order.
        let mut by_count: Vec<([u8; 3], u32)> = counts.into_iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let colors = if by_count.len() <= 255 {
            by_count.iter().map(|c| c.0).collect()
        } else {
            let flat = by_count
                .iter()
                .take(48)
                .take_while(|c| u64::from(c.1) * 500 >= total)
                .count();
            let mut colors: Vec<[u8; 3]> = by_count[..flat].iter().map(|c| c.0).collect();
            colors.extend(median_cut(&by_count[flat..], 255 - flat));
            colors
        };
        let mut palette = Palette {
            colors,
            lookup: Default::default(),
        };
        for (c, _) in &by_count {
            let i = palette.nearest(*c);
            palette.lookup.insert(*c, i);
        }
        palette
    }

    /// The palette index a colour is drawn with.
    pub fn index(&self, c: [u8; 3]) -> u8 {
        self.lookup
            .get(&c)
            .copied()
            .unwrap_or_else(|| self.nearest(c))
    }

    fn nearest(&self, c: [u8; 3]) -> u8 {
        let d = |p: &[u8; 3]| -> i32 {
            (0..3)
                .map(|k| (i32::from(p[k]) - i32::from(c[k])).pow(2))
                .sum()
        };
        (0..self.colors.len())
            .min_by_key(|i| d(&self.colors[*i]))
            .unwrap_or(0) as u8
    }
}

/// Median cut: splits the colours (with their pixel counts) into `n` boxes, each time halving
/// the box with the widest channel range times pixel count at its weighted median, and returns
/// each box's weighted mean colour.
fn median_cut(colors: &[([u8; 3], u32)], n: usize) -> Vec<[u8; 3]> {
    let mut boxes: Vec<Vec<([u8; 3], u32)>> = vec![colors.to_vec()];
    while boxes.len() < n {
        let spread = |b: &Vec<([u8; 3], u32)>| -> (u64, usize) {
            let (mut best, mut channel) = (0u8, 0);
            for k in 0..3 {
                let lo = b.iter().map(|c| c.0[k]).min().unwrap_or(0);
                let hi = b.iter().map(|c| c.0[k]).max().unwrap_or(0);
                if hi - lo > best {
                    (best, channel) = (hi - lo, k);
                }
            }
            let weight: u64 = b.iter().map(|c| u64::from(c.1)).sum();
            (u64::from(best) * weight, channel)
        };
        let Some((i, (score, channel))) = boxes
            .iter()
            .map(spread)
            .enumerate()
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.0.cmp(&a.0)))
        else {
            break;
        };
        if score == 0 || boxes[i].len() < 2 {
            break;
        }
        let mut b = boxes.swap_remove(i);
        b.sort_by_key(|c| (c.0[channel], c.0));
        let half: u64 = b.iter().map(|c| u64::from(c.1)).sum::<u64>() / 2;
        let mut acc = 0u64;
        let mut cut = 1;
        for (j, c) in b.iter().enumerate() {
            acc += u64::from(c.1);
            if acc >= half {
                cut = (j + 1).clamp(1, b.len() - 1);
                break;
            }
        }
        let upper = b.split_off(cut);
        boxes.push(b);
        boxes.push(upper);
    }
    boxes
        .iter()
        .filter(|b| !b.is_empty())
        .map(|b| {
            let w: f64 = b.iter().map(|c| f64::from(c.1)).sum();
            let mean = |k: usize| {
                (b.iter()
                    .map(|c| f64::from(c.0[k]) * f64::from(c.1))
                    .sum::<f64>()
                    / w)
                    .round() as u8
            };
            [mean(0), mean(1), mean(2)]
        })
        .collect()
}

/// The smallest rectangle (x0, y0, x1, y1), end exclusive, holding every pixel that differs.
fn changed_box(a: &RgbImage, b: &RgbImage) -> Option<(u32, u32, u32, u32)> {
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    for (x, y, p) in b.enumerate_pixels() {
        if a.get_pixel(x, y) != p {
            let (x0, y0, x1, y1) = bbox.unwrap_or((x, y, x + 1, y + 1));
            bbox = Some((x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1)));
        }
    }
    bbox
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

    /// Decodes a GIF into full RGB frames, compositing each sub-image over the previous frame.
    fn decode(bytes: &[u8]) -> Vec<RgbImage> {
        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::RGBA);
        let mut d = options.read_info(bytes).unwrap();
        let (w, h) = (u32::from(d.width()), u32::from(d.height()));
        let mut canvas = RgbImage::new(w, h);
        let mut out = Vec::new();
        while let Some(f) = d.read_next_frame().unwrap() {
            for (i, px) in f.buffer.chunks(4).enumerate() {
                let (x, y) = (
                    u32::from(f.left) + i as u32 % u32::from(f.width),
                    u32::from(f.top) + i as u32 / u32::from(f.width),
                );
                if px[3] == 255 {
                    canvas.put_pixel(x, y, image::Rgb([px[0], px[1], px[2]]));
                }
            }
            out.push(canvas.clone());
        }
        out
    }

    /// A white page with a red curve and a smooth, colourful "photo" of 64 × 64 distinct shades.
    fn page_with_photo(shift: u8) -> RgbImage {
        RgbImage::from_fn(200, 120, |x, y| {
            if (100..164).contains(&x) && (20..84).contains(&y) {
                let (u, v) = ((x - 100) as u8, (y - 20) as u8);
                image::Rgb([40 + 3 * u, 90 + 2 * v + shift, 230 - u - v])
            } else if y == 100 && x < 90 {
                image::Rgb([0xd6, 0x27, 0x28])
            } else {
                image::Rgb([255, 255, 255])
            }
        })
    }

    #[test]
    fn every_frame_keeps_the_photos_colours_and_the_charts_exact_ones() {
        let frames = [page_with_photo(0), page_with_photo(20)];
        let decoded = decode(&encode_gif(&frames, &[100, 100]).unwrap());
        assert_eq!(decoded.len(), 2);
        for (want, got) in frames.iter().zip(&decoded) {
            let (mut err, mut n) = (0.0, 0.0);
            for (x, y, p) in want.enumerate_pixels() {
                let q = got.get_pixel(x, y);
                if (100..164).contains(&x) && (20..84).contains(&y) {
                    err += (0..3)
                        .map(|k| (f64::from(p[k]) - f64::from(q[k])).abs())
                        .sum::<f64>()
                        / 3.0;
                    n += 1.0;
                } else {
                    assert_eq!(p, q, "flat colour changed at ({x}, {y})");
                }
            }
            assert!(err / n < 3.0, "photo off by {} levels on average", err / n);
        }
    }

    #[test]
    fn held_ends_lengthen_only_the_first_and_last_frames() {
        assert_eq!(held_ends(4, 100, 3), [300, 100, 100, 300]);
    }
}

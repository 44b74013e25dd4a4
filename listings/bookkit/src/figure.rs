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
///
/// Frames after the first store only the rectangle that changed, with unchanged pixels inside it
/// transparent, so a mostly static animation (a rotating line over a fixed spectrum) stays small.
pub fn save_gif(frames: &[RgbImage], delay_ms: u32, name: &str) -> Result<PathBuf> {
    let path = out_dir().join(name);
    let (w, h) = frames
        .first()
        .map(|f| f.dimensions())
        .context("an animation needs frames")?;
    let mut bytes = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut bytes, w as u16, h as u16, &[])?;
        encoder.set_repeat(gif::Repeat::Infinite)?;
        let mut previous: Option<&RgbImage> = None;
        for frame in frames {
            let (x0, y0, x1, y1) = match previous {
                None => (0, 0, w, h),
                Some(prev) => changed_box(prev, frame).unwrap_or((0, 0, 1, 1)),
            };
            let mut rgba = Vec::with_capacity(((x1 - x0) * (y1 - y0) * 4) as usize);
            for y in y0..y1 {
                for x in x0..x1 {
                    let px = frame.get_pixel(x, y).0;
                    let same = previous.is_some_and(|p| p.get_pixel(x, y).0 == px);
                    rgba.extend_from_slice(&if same {
                        [0, 0, 0, 0]
                    } else {
                        [px[0], px[1], px[2], 255]
                    });
                }
            }
            let mut f =
                gif::Frame::from_rgba_speed((x1 - x0) as u16, (y1 - y0) as u16, &mut rgba, 10);
            (f.left, f.top) = (x0 as u16, y0 as u16);
            f.delay = (delay_ms / 10) as u16;
            f.dispose = gif::DisposalMethod::Keep;
            encoder.write_frame(&f)?;
            previous = Some(frame);
        }
    }
    write_atomic(&path, &bytes)?;
    Ok(path)
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
}

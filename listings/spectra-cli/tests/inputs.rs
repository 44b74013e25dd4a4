//! Readers' own files, odd and broken: every unusable file is refused with one line naming it
//! and the problem, and every unusual but valid one is converted to the right numbers.
//!
//! The test files are written here, at test time. The numbers are checked against ground truth
//! that does not go through the image loader: the pixel values each file was made from, measured
//! with `spectral::spectrum::rapsd` directly.

mod common;

use std::ffi::OsStr;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use bookkit::image::{self, DynamicImage, ImageBuffer, ImageFormat, Luma, LumaA, Rgb, Rgba};
use common::{
    Run, assert_failed_naming, assert_fails_naming, command, csv, finish, key_values, ok, spectra,
    value,
};
use spectral::Field;
use spectral::spectrum::rapsd;

/// Deterministic pseudo-random numbers (a 64-bit LCG): pictures with power at every frequency.
fn noise(n: usize, seed: u64) -> Vec<u32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) as u32
        })
        .collect()
}

fn bytes(n: usize, seed: u64) -> Vec<u8> {
    noise(n, seed).into_iter().map(|v| v as u8).collect()
}

const ROWS: usize = 24;
const COLS: usize = 40;

/// The RAPSD of a channel whose values in [0, 1] are `v` (row-major), on the book's [−1, 1] scale.
fn expected_rapsd(v: &[f64]) -> Vec<f64> {
    let field = Field::from_shape_vec((ROWS, COLS), v.iter().map(|x| 2.0 * x - 1.0).collect())
        .expect("ROWS × COLS values");
    rapsd(&field).power
}

/// `spectra rapsd --no-resize --channel <channel> <file>`, as numbers.
fn printed_rapsd(file: &Path, channel: &str) -> Vec<f64> {
    let out = ok(&[
        "rapsd".as_ref(),
        "--no-resize".as_ref(),
        "--channel".as_ref(),
        channel.as_ref(),
        file.as_os_str(),
    ]);
    csv(&out).1.into_iter().map(|(_, p)| p).collect()
}

/// The printed curve equals the expected one to `f32` rounding of the pixels (relative error
/// 1e-5 on the near-zero DC term of a picture whose mean is close to mid-grey).
fn assert_curve(file: &Path, channel: &str, expected: &[f64]) {
    let printed = printed_rapsd(file, channel);
    assert_eq!(printed.len(), expected.len(), "{}", file.display());
    for (r, (p, e)) in printed.iter().zip(expected).enumerate() {
        assert!(
            (p - e).abs() <= 1e-4 * e.abs(),
            "{} {channel}, radius {r}: printed {p}, expected {e}",
            file.display()
        );
    }
}

fn unit(v: &[u8]) -> Vec<f64> {
    v.iter().map(|b| f64::from(*b) / 255.0).collect()
}

#[test]
fn sixteen_bit_png_keeps_its_full_precision() {
    // Values within 200 of 30000 out of 65535: in 8 bits they would all be 116 or 117, and the
    // spectrum would be that of the rounding, not of the picture.
    let v: Vec<u16> = noise(ROWS * COLS, 1)
        .into_iter()
        .map(|n| 30_000 + (n % 200) as u16)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.png");
    ImageBuffer::<Luma<u16>, _>::from_raw(COLS as u32, ROWS as u32, v.clone())
        .unwrap()
        .save(&path)
        .unwrap();
    let expected = expected_rapsd(
        &v.iter()
            .map(|x| f64::from(*x) / 65535.0)
            .collect::<Vec<_>>(),
    );
    assert_curve(&path, "green", &expected);
}

#[test]
fn grey_grey_alpha_rgba_and_palette_pngs_give_their_colours() {
    let dir = tempfile::tempdir().unwrap();
    let n = ROWS * COLS;
    let (w, h) = (COLS as u32, ROWS as u32);
    let (grey, alpha) = (bytes(n, 2), bytes(n, 3));

    // Grey: every channel is the grey value. Grey + alpha: the alpha is ignored.
    let g = dir.path().join("grey.png");
    ImageBuffer::<Luma<u8>, _>::from_raw(w, h, grey.clone())
        .unwrap()
        .save(&g)
        .unwrap();
    let ga = dir.path().join("grey-alpha.png");
    let interleaved: Vec<u8> = grey
        .iter()
        .zip(&alpha)
        .flat_map(|(g, a)| [*g, *a])
        .collect();
    ImageBuffer::<LumaA<u8>, _>::from_raw(w, h, interleaved)
        .unwrap()
        .save(&ga)
        .unwrap();
    for file in [&g, &ga] {
        for channel in ["red", "green", "blue", "gray"] {
            assert_curve(file, channel, &expected_rapsd(&unit(&grey)));
        }
    }

    // RGBA: each colour channel is its own plane; alpha is ignored.
    let planes = [bytes(n, 4), bytes(n, 5), bytes(n, 6)];
    let rgba = dir.path().join("rgba.png");
    let px: Vec<u8> = (0..n)
        .flat_map(|k| [planes[0][k], planes[1][k], planes[2][k], alpha[k]])
        .collect();
    ImageBuffer::<Rgba<u8>, _>::from_raw(w, h, px)
        .unwrap()
        .save(&rgba)
        .unwrap();
    for (channel, plane) in ["red", "green", "blue"].iter().zip(&planes) {
        assert_curve(&rgba, channel, &expected_rapsd(&unit(plane)));
    }

    // Palette: indices into a table of 64 colours; each pixel becomes its table entry.
    let palette: Vec<[u8; 3]> = bytes(64 * 3, 7)
        .chunks(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    let indices: Vec<u8> = bytes(n, 8).into_iter().map(|i| i % 64).collect();
    let indexed = dir.path().join("palette.png");
    write_palette_png(&indexed, w, h, &palette, &indices);
    for (c, channel) in ["red", "green", "blue"].iter().enumerate() {
        let plane: Vec<u8> = indices.iter().map(|i| palette[*i as usize][c]).collect();
        assert_curve(&indexed, channel, &expected_rapsd(&unit(&plane)));
    }
}

/// An 8-bit indexed-colour PNG (the image crate writes only direct colour).
fn write_palette_png(path: &Path, w: u32, h: u32, palette: &[[u8; 3]], indices: &[u8]) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette.concat());
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(indices).unwrap();
}

#[test]
fn cmyk_jpeg_is_converted_to_rgb() {
    // Smooth cyan and magenta ramps over constant yellow and black. A CMYK JPEG stores ink
    // amounts; on screen R = 255 (1 − C)(1 − K), G = 255 (1 − M)(1 − K), B = 255 (1 − Y)(1 − K)
    // with C, M, Y, K in [0, 1] (what Pillow's CMYK → RGB conversion gives for this file, too).
    let (w, h) = (64u32, 48u32);
    let ink = |x: u32, y: u32| [(x * 4) as u8, (y * 5) as u8, 60u8, 40u8];
    let mut data = Vec::new();
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&ink(x, y));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cmyk.jpg");
    jpeg_encoder::Encoder::new_file(&path, 100)
        .unwrap()
        .encode(&data, w as u16, h as u16, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let rgb = bookkit::data::read_image(&path).unwrap().to_rgb8();
    let mut worst = 0.0f64;
    for (x, y, px) in rgb.enumerate_pixels() {
        let [c, m, yl, k] = ink(x, y).map(|v| f64::from(v) / 255.0);
        let expected = [c, m, yl].map(|v| 255.0 * (1.0 - v) * (1.0 - k));
        for (got, want) in px.0.iter().zip(expected) {
            worst = worst.max((f64::from(*got) - want).abs());
        }
    }
    // JPEG is lossy even at quality 100 (colour conversion and DCT rounding).
    assert!(worst <= 4.0, "largest difference {worst} levels");
    let kv = key_values(&ok(&["fit".as_ref(), path.as_os_str()]));
    assert_eq!(value(&kv, "images"), 1.0);
}

#[test]
fn other_lossless_formats_and_misnamed_files_read_like_png() {
    let dir = tempfile::tempdir().unwrap();
    let n = ROWS * COLS;
    let planes = [bytes(n, 11), bytes(n, 12), bytes(n, 13)];
    let img = DynamicImage::ImageRgb8(
        ImageBuffer::<Rgb<u8>, _>::from_raw(
            COLS as u32,
            ROWS as u32,
            (0..n)
                .flat_map(|k| [planes[0][k], planes[1][k], planes[2][k]])
                .collect(),
        )
        .unwrap(),
    );
    for name in ["a.png", "a.bmp", "a.tiff", "a.webp"] {
        img.save(dir.path().join(name)).unwrap();
    }
    // A file's content decides its format, not its name.
    std::fs::copy(dir.path().join("a.png"), dir.path().join("png-inside.jpg")).unwrap();
    for name in ["a.png", "a.bmp", "a.tiff", "a.webp", "png-inside.jpg"] {
        let file = dir.path().join(name);
        for (channel, plane) in ["red", "green", "blue"].iter().zip(&planes) {
            assert_curve(&file, channel, &expected_rapsd(&unit(plane)));
        }
    }
    // GIF holds at most 256 colours: a grey picture is stored exactly.
    let grey = bytes(n, 14);
    let gif = dir.path().join("a.gif");
    DynamicImage::ImageLuma8(
        ImageBuffer::from_raw(COLS as u32, ROWS as u32, grey.clone()).unwrap(),
    )
    .to_rgba8()
    .save(&gif)
    .unwrap();
    assert_curve(&gif, "green", &expected_rapsd(&unit(&grey)));
}

/// A PNG of `w × h` grey noise.
fn png(w: u32, h: u32, seed: u64) -> Vec<u8> {
    encode(
        DynamicImage::ImageLuma8(
            ImageBuffer::from_raw(w, h, bytes((w * h) as usize, seed)).unwrap(),
        ),
        ImageFormat::Png,
    )
}

/// A baseline JPEG of `w × h` colour noise.
fn jpeg(w: u32, h: u32, seed: u64) -> Vec<u8> {
    encode(
        DynamicImage::ImageRgb8(
            ImageBuffer::from_raw(w, h, bytes((w * h * 3) as usize, seed)).unwrap(),
        ),
        ImageFormat::Jpeg,
    )
}

fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// A PNG whose header claims `w × h` pixels, with a token of image data: a decompression bomb's
/// shape (a real one would compress billions of zero pixels into a few kilobytes).
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&crc.sum().to_be_bytes());
        c
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut zlib, &vec![0u8; 1 << 16]).unwrap();
    let idat = zlib.finish().unwrap();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &idat));
    out.extend(chunk(b"IEND", b""));
    out
}

/// A real JPEG with the frame header (SOF0) edited to claim `w × h` pixels.
fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
    let mut data = jpeg(32, 32, 20);
    let sof = data
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("a baseline frame header");
    // FF C0, length (2 bytes), precision (1), height (2), width (2).
    data[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    data[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    data
}

/// Every kind of unusable image file, by name, with the words its one-line reason must contain.
fn bad_files(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let good_jpeg = jpeg(64, 48, 30);
    let good_png = png(64, 48, 31);
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("b1-empty.png", vec![], "empty file (0 bytes)"),
        (
            "b2-notes.jpg",
            b"holiday photos, see the shared album\n".to_vec(),
            "a text file, not an image (despite its .jpg name)",
        ),
        (
            "b3-error-page.png",
            b"<html><body>404 Not Found</body></html>".to_vec(),
            "a text file, not an image",
        ),
        (
            "b4-junk.png",
            vec![0, 159, 146, 150, 1, 2, 3],
            "not an image in a format spectra reads",
        ),
        (
            "b5-cut.jpg",
            good_jpeg[..good_jpeg.len() * 2 / 3].to_vec(),
            "truncated JPEG",
        ),
        (
            "b6-cut.png",
            good_png[..good_png.len() * 2 / 3].to_vec(),
            "truncated PNG",
        ),
        (
            "b7-icon.png",
            png(15, 40, 32),
            "only 15×40 pixels: at least 16 on each side",
        ),
        (
            "b8-sliver.jpg",
            jpeg(300, 12, 33),
            "only 300×12 pixels: at least 16 on each side",
        ),
        (
            "b9-bomb.png",
            png_claiming(100_000, 100_000),
            "the header claims 100000×100000 pixels (10000 megapixels), more than the limit of \
             100 megapixels: refused before decoding",
        ),
        (
            "c1-bomb.jpg",
            jpeg_claiming(60_000, 50_000),
            "the header claims 60000×50000 pixels (3000 megapixels)",
        ),
        (
            "c2-just-over.png",
            png_claiming(10_001, 10_000),
            "more than the limit of 100 megapixels",
        ),
    ];
    files
        .into_iter()
        .map(|(name, data, words)| {
            let path = dir.join(name);
            std::fs::write(&path, data).unwrap();
            (path, words)
        })
        .collect()
}

#[test]
fn each_kind_of_bad_image_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (path, words) in bad_files(dir.path()) {
        for command in ["rapsd", "fit"] {
            let run = spectra(&[command.as_ref(), path.as_os_str()]);
            assert_failed_naming(&run, command, &path);
            assert!(run.stderr.contains(words), "{}", run.stderr);
        }
    }
    let missing = dir.path().join("no-such-photo.jpg");
    let run = spectra(&["fit".as_ref(), missing.as_os_str()]);
    assert_failed_naming(&run, "missing", &missing);
    assert!(run.stderr.ends_with(": no such file or folder\n"));
    let empty = dir.path().join("empty-folder");
    std::fs::create_dir(&empty).unwrap();
    let run = spectra(&["fit".as_ref(), empty.as_os_str()]);
    assert_failed_naming(&run, "empty folder", &empty);
    assert!(
        run.stderr
            .contains(": no image files in this folder (looked for .jpg, .jpeg, .png")
    );
}

#[test]
fn a_folder_with_bad_files_warns_about_each_and_measures_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let bad = bad_files(dir.path());
    // Two good photos, sorted between and after the bad ones.
    std::fs::write(dir.path().join("a-good.jpg"), jpeg(64, 48, 40)).unwrap();
    std::fs::write(dir.path().join("z-good.png"), png(64, 48, 41)).unwrap();
    let run = spectra(&["fit".as_ref(), dir.path().as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(value(&key_values(&run.stdout), "images"), 2.0);
    let warnings: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(warnings.len(), bad.len(), "{}", run.stderr);
    for (line, (path, words)) in warnings.iter().zip(&bad) {
        let prefix = format!("spectra: warning: {}: ", path.display());
        assert!(line.starts_with(&prefix) && line.contains(words), "{line}");
    }
    // The JSON output lists them too.
    let json = spectra(&["fit".as_ref(), "--json".as_ref(), dir.path().as_os_str()]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), bad.len());
    assert_eq!(skipped[0]["file"], bad[0].0.display().to_string());
    assert_eq!(skipped[0]["problem"], "empty file (0 bytes)");
    // --strict: the first bad file in file order is the error.
    let strict = spectra(&["fit".as_ref(), "--strict".as_ref(), dir.path().as_os_str()]);
    assert_failed_naming(&strict, "strict", &bad[0].0);
    // Only bad files: each is named, then the run fails.
    let only_bad = tempfile::tempdir().unwrap();
    bad_files(only_bad.path());
    let run = spectra(&["rapsd".as_ref(), only_bad.path().as_os_str()]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert_eq!(run.stderr.lines().count(), bad.len() + 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.lines().last(),
        Some(
            format!(
                "spectra: none of the {} files could be used (each is named above)",
                bad.len()
            )
            .as_str()
        )
    );
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    bad_files(dir.path());
    for k in 0..12 {
        std::fs::write(
            dir.path().join(format!("good-{k:02}.jpg")),
            jpeg(80, 60, 50 + k),
        )
        .unwrap();
    }
    let runs: Vec<Run> = ["1", "3"]
        .iter()
        .map(|threads| {
            let mut cmd = command(&["fit".as_ref(), "--json".as_ref(), dir.path().as_os_str()]);
            cmd.env("RAYON_NUM_THREADS", threads);
            finish(cmd)
        })
        .collect();
    assert_eq!(runs[0].code, 0);
    assert_eq!(runs[0].stdout, runs[1].stdout);
    assert_eq!(runs[0].stderr, runs[1].stderr);
}

/// Runs spectra without the administrator's right to read any file: the tests may run as root,
/// and root reads a file whatever its permissions. Dropping the capability from the bounding set
/// before `exec` takes it away from the new program; for an ordinary user it is a no-op.
#[cfg(target_os = "linux")]
fn without_override(args: &[&OsStr]) -> Run {
    use std::os::unix::process::CommandExt;
    const CAP_DAC_OVERRIDE: libc::c_ulong = 1;
    const CAP_DAC_READ_SEARCH: libc::c_ulong = 2;
    let mut cmd = command(args);
    // SAFETY: prctl is async-signal-safe, and nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            for cap in [CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH] {
                libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
            }
            Ok(())
        });
    }
    finish(cmd)
}

#[cfg(target_os = "linux")]
#[test]
fn unreadable_files_and_folders_are_reported_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked.jpg");
    std::fs::write(&locked, jpeg(64, 48, 60)).unwrap();
    std::fs::write(dir.path().join("open.jpg"), jpeg(64, 48, 61)).unwrap();
    let closed = dir.path().join("closed");
    std::fs::create_dir(&closed).unwrap();
    std::fs::write(closed.join("inside.jpg"), jpeg(64, 48, 62)).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).unwrap();

    let run = without_override(&["fit".as_ref(), locked.as_os_str()]);
    assert_failed_naming(&run, "locked", &locked);
    assert!(
        run.stderr.ends_with(": permission denied\n"),
        "{}",
        run.stderr
    );

    let run = without_override(&["fit".as_ref(), dir.path().as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(value(&key_values(&run.stdout), "images"), 1.0);
    assert_eq!(
        run.stderr,
        format!(
            "spectra: warning: {}: cannot list this folder: permission denied\n\
             spectra: warning: {}: permission denied\n",
            closed.display(),
            locked.display()
        )
    );
    // Let the temporary folder be deleted.
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn progress_goes_to_a_terminal_only() {
    // Not a terminal (a pipe, as here): nothing but the results; `ok` checks stderr is empty.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.jpg"), jpeg(64, 48, 70)).unwrap();
    ok(&["rapsd".as_ref(), dir.path().as_os_str()]);
    // On a terminal (util-linux's `script` gives the program one), the bar is drawn on stderr.
    let script = Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("skipped the terminal case: no /usr/bin/script");
        return;
    }
    let line = format!(
        "{} rapsd {} >/dev/null",
        env!("CARGO_BIN_EXE_spectra"),
        dir.path().display()
    );
    let out = std::process::Command::new(script)
        .args(["-qec", &line, "/dev/null"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("measuring") && shown.contains("files"),
        "{shown:?}"
    );
}

#[test]
fn unusual_but_valid_extensions_are_found_in_folders() {
    let dir = tempfile::tempdir().unwrap();
    let img = image::RgbImage::from_raw(32, 32, bytes(32 * 32 * 3, 80)).unwrap();
    for name in ["x.JPG", "y.Jpeg", "z.TIF", "w.webp"] {
        img.save(dir.path().join(name)).unwrap();
    }
    let kv = key_values(&ok(&["fit".as_ref(), dir.path().as_os_str()]));
    assert_eq!(value(&kv, "images"), 4.0);
    assert_fails_naming(
        &[
            "fit".as_ref(),
            "--strict".as_ref(),
            dir.path().join("nope").as_os_str(),
        ],
        &dir.path().join("nope"),
    );
}

//! `spectra plot`: a reader's folder drawn beside the book's photos, as PNG and SVG, written
//! whole or not at all.

mod common;

use std::path::Path;

use bookkit::data::{default_images_dir, image_files};
use bookkit::image::{self, ImageBuffer, ImageFormat, Rgb};
use bookkit::plot::{BLUE, RED};
use common::{assert_failed_naming, key_values, ok, spectra, value};

/// A folder of three photos: colour noise, smoothed a little along rows so the spectrum falls.
fn photos() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for k in 0..3u32 {
        let mut s = 1 + u64::from(k);
        let mut last = [128.0f64; 3];
        let img = ImageBuffer::from_fn(96, 64, |_, _| {
            let px = last.map(|v| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let fresh = (s >> 56) as f64;
                0.7 * v + 0.3 * fresh
            });
            last = px;
            Rgb(px.map(|v| v as u8))
        });
        img.save(dir.path().join(format!("p{k}.png"))).unwrap();
    }
    dir
}

fn count(img: &image::RgbImage, c: bookkit::plot::RGBColor) -> usize {
    img.pixels().filter(|p| p.0 == [c.0, c.1, c.2]).count()
}

#[test]
fn a_folder_is_drawn_beside_the_books_photos() {
    let dir = photos();
    let out = tempfile::tempdir().unwrap();
    let png = out.path().join("mine.png");
    let json = ok(&[
        "plot".as_ref(),
        "--json".as_ref(),
        dir.path().as_os_str(),
        "-o".as_ref(),
        png.as_os_str(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // The exponents drawn are the ones `spectra fit` reports for each set.
    let ours = key_values(&ok(&["fit".as_ref(), dir.path().as_os_str()]));
    let books = key_values(&ok(&["fit".as_ref(), default_images_dir().as_os_str()]));
    assert_eq!(v["alpha"].as_f64().unwrap(), value(&ours, "alpha"));
    assert_eq!(v["files"], 3);
    assert_eq!(v["kind"], "images");
    let reference = &v["reference"];
    assert_eq!(reference["alpha"].as_f64().unwrap(), value(&books, "alpha"));
    let embedded = image_files(&[default_images_dir()]).unwrap().len();
    assert_eq!(reference["files"].as_u64().unwrap(), embedded as u64);

    let img = image::load_from_memory_with_format(&std::fs::read(&png).unwrap(), ImageFormat::Png)
        .unwrap()
        .to_rgb8();
    assert_eq!(img.dimensions(), (720, 440));
    assert!(count(&img, RED) > 300, "the reader's curve and fit in red");
    assert!(count(&img, BLUE) > 300, "the book's curve and fit in blue");

    // The plain summary names the file and both exponents.
    let svg = out.path().join("mine.svg");
    let line = ok(&[
        "plot".as_ref(),
        dir.path().as_os_str(),
        "-o".as_ref(),
        svg.as_os_str(),
    ]);
    let alpha = value(&ours, "alpha");
    assert_eq!(
        line,
        format!(
            "{}: 3 images, alpha = {alpha:.3}; the book's photos: alpha = {:.3}\n",
            svg.display(),
            value(&books, "alpha")
        )
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
    for label in [
        "your images (3 images)".to_string(),
        format!("power-law fit, α = {alpha:.3}"),
        // XML escapes the apostrophe.
        format!("the book&apos;s photos ({embedded} images)"),
        "frequency".into(),
        "power".into(),
    ] {
        assert!(text.contains(&label), "{label} missing from the SVG");
    }
    // Only the two pictures were written: no temporary files are left beside them.
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 2);
}

#[test]
fn reference_size_and_title_options() {
    let dir = photos();
    let out = tempfile::tempdir().unwrap();
    let alone = out.path().join("alone.png");
    ok(&[
        "plot".as_ref(),
        "--no-reference".as_ref(),
        "--width".as_ref(),
        "500".as_ref(),
        "--height".as_ref(),
        "300".as_ref(),
        dir.path().as_os_str(),
        "-o".as_ref(),
        alone.as_os_str(),
    ]);
    let img = image::open(&alone).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (500, 300));
    assert!(count(&img, RED) > 100 && count(&img, BLUE) == 0);

    let against = out.path().join("against.svg");
    let json = ok(&[
        "plot".as_ref(),
        "--json".as_ref(),
        "--reference".as_ref(),
        dir.path().join("p0.png").as_os_str(),
        "--title".as_ref(),
        "My holiday photos".as_ref(),
        dir.path().as_os_str(),
        "-o".as_ref(),
        against.as_os_str(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["reference"]["files"], 1);
    let text = std::fs::read_to_string(&against).unwrap();
    assert!(text.contains("My holiday photos") && text.contains("reference (1 image)"));
}

#[test]
fn a_failed_plot_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.png");
    std::fs::write(&junk, "not a picture").unwrap();
    let out = dir.path().join("out.png");
    std::fs::write(&out, "the previous picture").unwrap();
    let run = spectra(&[
        "plot".as_ref(),
        junk.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_failed_naming(&run, "plot of a bad file", &junk);
    assert_eq!(std::fs::read(&out).unwrap(), b"the previous picture");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

    // An output name without a picture format is refused before anything is measured.
    let jpg = dir.path().join("out.jpg");
    let run = spectra(&[
        "plot".as_ref(),
        junk.as_os_str(),
        "-o".as_ref(),
        jpg.as_os_str(),
    ]);
    assert_failed_naming(&run, "plot to .jpg", &jpg);
    assert!(run.stderr.contains("use .png or .svg"));
    assert!(!Path::new(&jpg).exists());
}

/// Writes a WAV of `seconds` of smoothed noise (a falling spectrum, like a recording's) at `rate`
/// with `channels` channels (each its own noise), as `bits`-bit integers or 32-bit floats.
fn recording(
    path: &Path,
    rate: u32,
    channels: u16,
    bits: u16,
    float: bool,
    seconds: f64,
    seed: u64,
) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    let frames = (seconds * f64::from(rate)) as usize;
    let mut s = seed + 1;
    let mut level = vec![0.0f64; usize::from(channels)];
    let full_scale = f64::from(1u32 << (bits - 1)) - 1.0;
    for _ in 0..frames {
        for l in level.iter_mut() {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let fresh = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            *l = 0.95 * *l + 0.05 * fresh;
            let v = 4.0 * *l;
            if float {
                writer.write_sample(v as f32).unwrap();
            } else {
                writer
                    .write_sample((v * full_scale).round() as i32)
                    .unwrap();
            }
        }
    }
    writer.finalize().unwrap();
}

/// The book's measurement of recordings, done here with the library: the log-mean RAPSD of the
/// log-mel images of the clips' middle 2 s, and its power-law exponent.
fn library_mel_alpha(files: &[std::path::PathBuf]) -> f64 {
    use spectral::audio::CLIP_SAMPLES;
    let curves: Vec<Vec<f64>> = files
        .iter()
        .map(|f| {
            let clip = bookkit::audio::load_clip(f).unwrap();
            let excerpt = clip.centred_excerpt(CLIP_SAMPLES).unwrap();
            spectral::spectrum::rapsd(&excerpt.log_mel()).power
        })
        .collect();
    let mean = spectral::fit::log_mean(&curves);
    let n = mean.len();
    let frequency: Vec<f64> = (0..n).map(|r| r as f64 / (2 * n) as f64).collect();
    spectral::fit::fit_power_law(&frequency[1..], &mean[1..]).alpha
}

#[test]
fn recordings_are_drawn_beside_the_books_recordings() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    // Every sample format and layout a reader's recordings come in, each 2.5 s long.
    let good = [
        ("a-8bit-8khz.wav", 8_000, 1, 8, false),
        ("b-16bit-stereo.wav", 44_100, 2, 16, false),
        ("c-24bit-96khz.wav", 96_000, 1, 24, false),
        ("d-32bit.wav", 22_050, 1, 32, false),
        ("e-float-6ch.wav", 48_000, 6, 32, true),
    ];
    for (k, (name, rate, channels, bits, float)) in good.iter().enumerate() {
        recording(&at(name), *rate, *channels, *bits, *float, 2.5, k as u64);
    }
    // And the recordings that cannot be measured.
    recording(&at("f-too-short.wav"), 22_050, 1, 16, false, 1.5, 9);
    recording(&at("g-tiny.wav"), 22_050, 1, 16, false, 0.05, 9);
    let silent = hound::WavSpec {
        channels: 1,
        sample_rate: 22_050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(at("h-silent.wav"), silent).unwrap();
    (0..50_000).for_each(|_| w.write_sample(0i16).unwrap());
    w.finalize().unwrap();
    let nan = hound::WavSpec {
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
        ..silent
    };
    let mut w = hound::WavWriter::create(at("i-nan.wav"), nan).unwrap();
    (0..50_000).for_each(|i| {
        w.write_sample(if i == 777 { f32::NAN } else { 0.1 })
            .unwrap()
    });
    w.finalize().unwrap();
    std::fs::write(at("j-notes.wav"), "lyrics, not a recording\n").unwrap();

    let out = tempfile::tempdir().unwrap();
    let png = out.path().join("sound.png");
    let run = common::spectra(&[
        "plot".as_ref(),
        "--json".as_ref(),
        dir.path().as_os_str(),
        "-o".as_ref(),
        png.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings: Vec<&str> = run.stderr.lines().collect();
    let expected = [
        (
            "f-too-short.wav",
            "1.50 s long, shorter than the 2 s excerpt",
        ),
        ("g-tiny.wav", "too short"),
        ("h-silent.wav", "silent"),
        ("i-nan.wav", "sample 777 is NaN"),
        ("j-notes.wav", "not a readable audio file"),
    ];
    assert_eq!(warnings.len(), expected.len(), "{}", run.stderr);
    for (line, (name, words)) in warnings.iter().zip(expected) {
        let prefix = format!("spectra: warning: {}: ", at(name).display());
        assert!(line.starts_with(&prefix) && line.contains(words), "{line}");
    }
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["kind"], "recordings");
    assert_eq!(v["files"], good.len());
    let files: Vec<_> = good.iter().map(|g| at(g.0)).collect();
    let alpha = library_mel_alpha(&files);
    assert!((v["alpha"].as_f64().unwrap() - alpha).abs() < 1e-9 * alpha);
    let books = bookkit::audio::audio_files(&[bookkit::audio::default_audio_dir()]).unwrap();
    assert_eq!(v["reference"]["files"], books.len());
    let book_alpha = library_mel_alpha(&books);
    assert!((v["reference"]["alpha"].as_f64().unwrap() - book_alpha).abs() < 1e-9 * book_alpha);
    let img = image::open(&png).unwrap().to_rgb8();
    assert!(count(&img, RED) > 300 && count(&img, BLUE) > 300);

    // One recording named alone works too, and images and recordings do not mix.
    let svg = out.path().join("one.svg");
    let one = at("b-16bit-stereo.wav");
    ok(&[
        "plot".as_ref(),
        one.as_os_str(),
        "-o".as_ref(),
        svg.as_os_str(),
    ]);
    assert!(
        std::fs::read_to_string(&svg)
            .unwrap()
            .contains("your recordings (1 recording)")
    );
    let photo = out.path().join("photo.png");
    std::fs::copy(default_images_dir().join("coffee-cup.jpg"), &photo).unwrap();
    let run = common::spectra(&[
        "plot".as_ref(),
        one.as_os_str(),
        photo.as_os_str(),
        "-o".as_ref(),
        svg.as_os_str(),
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("1 image and 1 recording: their spectra cannot share a chart"),
        "{}",
        run.stderr
    );
}

//! The `spectra` binary, run for real on images written by the tests and on the embedded photos.
//!
//! The numbers it prints must be the library's: the same photos loaded in-process through
//! `bookkit::data` and measured with `spectral` give the same RAPSD, fit, bootstrap interval and
//! f_max (to 1e-9 relative; the printed numbers read back exactly). The synthetic photos are
//! power-law fields with a known exponent, stored as 16-bit PNGs so quantisation adds no noise
//! floor worth mentioning, and the fit must find that exponent.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_fails_naming, csv, key_values, ok, spectra, value};

use bookkit::data::{Channel, Preprocess, channels, default_images_dir, image_files, load_photo};
use bookkit::image::{ImageBuffer, Luma, Rgb};
use spectral::Field;
use spectral::fit::{bootstrap_alpha, fit_power_law};
use spectral::noise::{power_law_field_on_rings, seeded_rng};
use spectral::schedule::{Edm, RectifiedFlow, Schedule, VpCosine, f_max, time_grid};
use spectral::spectrum::{log_mean_rapsd, rapsd};

/// The exponent of the synthetic photos.
const ALPHA: f64 = 2.5;

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// A field scaled linearly onto 0 … 65535 (an affine map changes only the DC term and the level
/// of the spectrum, not its exponent).
fn to_u16(field: &Field) -> Vec<u16> {
    let (lo, hi) = field
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    field
        .iter()
        .map(|v| ((v - lo) / (hi - lo) * 65535.0).round() as u16)
        .collect()
}

/// Writes a 16-bit RGB PNG whose three channels are independent power-law fields.
fn write_power_law_rgb(path: &Path, rows: usize, cols: usize, seed: u64) {
    let mut rng = seeded_rng(seed);
    let planes: Vec<Vec<u16>> = (0..3)
        .map(|_| to_u16(&power_law_field_on_rings(rows, cols, ALPHA, &mut rng)))
        .collect();
    let img = ImageBuffer::<Rgb<u16>, Vec<u16>>::from_fn(cols as u32, rows as u32, |x, y| {
        let k = y as usize * cols + x as usize;
        Rgb([planes[0][k], planes[1][k], planes[2][k]])
    });
    img.save(path).unwrap();
}

/// Writes a 16-bit grey PNG of a power-law field.
fn write_power_law_gray(path: &Path, rows: usize, cols: usize, seed: u64) {
    let field = power_law_field_on_rings(rows, cols, ALPHA, &mut seeded_rng(seed));
    ImageBuffer::<Luma<u16>, Vec<u16>>::from_raw(cols as u32, rows as u32, to_u16(&field))
        .unwrap()
        .save(path)
        .unwrap();
}

/// A folder of four 320 × 320 synthetic photos, `p0.png` … `p3.png`.
fn synthetic_photos() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for k in 0..4 {
        write_power_law_rgb(&dir.path().join(format!("p{k}.png")), 320, 320, 100 + k);
    }
    dir
}

/// What the library computes in-process on the same files: one channel of each prepared photo.
fn library_fields(dir: &Path, preprocess: Preprocess, channel: Channel) -> Vec<Field> {
    image_files(&[dir.to_path_buf()])
        .unwrap()
        .iter()
        .map(|p| load_photo(p, preprocess).unwrap().channel(channel))
        .collect()
}

/// The library's fit, exactly as the book's chapter computes it (with the tool's 2000 resamples
/// and seed 5): (alpha, C, alpha_low, alpha_high).
fn library_fit(fields: &[Field], resamples: usize, seed: u64) -> (f64, f64, f64, f64) {
    let mean = log_mean_rapsd(fields).without_dc();
    let law = fit_power_law(&mean.frequency, &mean.power);
    let curves: Vec<Vec<f64>> = fields.iter().map(|g| rapsd(g).without_dc().power).collect();
    let (ci, _) = bootstrap_alpha(&mean.frequency, &curves, resamples, &mut seeded_rng(seed));
    (law.alpha, law.c, ci.low, ci.high)
}

fn assert_curve_matches(text: &str, expected_f: &[f64], expected_p: &[f64]) {
    let (header, rows) = csv(text);
    assert_eq!(header, "frequency,power");
    assert_eq!(rows.len(), expected_p.len());
    for ((f, p), (ef, ep)) in rows.iter().zip(expected_f.iter().zip(expected_p)) {
        assert_eq!(f, ef, "frequencies are r / L exactly");
        assert!(close(*p, *ep), "at f = {f}: printed {p}, library {ep}");
    }
}

#[test]
fn rapsd_prints_the_librarys_log_mean_curve_with_dc_for_each_channel() {
    let dir = synthetic_photos();
    for (name, channel) in [
        ("green", Channel::Green),
        ("red", Channel::Red),
        ("gray", Channel::Gray),
    ] {
        let args: Vec<&std::ffi::OsStr> = if channel == Channel::Green {
            // Green is the default: no option needed.
            vec!["rapsd".as_ref(), dir.path().as_os_str()]
        } else {
            vec![
                "rapsd".as_ref(),
                "--channel".as_ref(),
                name.as_ref(),
                dir.path().as_os_str(),
            ]
        };
        let out = ok(&args);
        let fields = library_fields(dir.path(), Preprocess::default(), channel);
        let mean = log_mean_rapsd(&fields);
        // 320 × 320: radii 0 … 159, DC first.
        assert_eq!(mean.power.len(), 160);
        let expected_f: Vec<f64> = (0..160).map(|r| r as f64 / 320.0).collect();
        assert_eq!(mean.frequency, expected_f);
        assert_curve_matches(&out, &expected_f, &mean.power);
    }
    // The channels are independent fields: choosing one matters.
    let red = ok(&["rapsd", "--channel", "red", dir.path().to_str().unwrap()]);
    let green = ok(&["rapsd", dir.path().to_str().unwrap()]);
    assert_ne!(red, green);
}

#[test]
fn size_changes_the_square_the_photos_are_cropped_to() {
    let dir = synthetic_photos();
    let out = ok(&["rapsd", "--size", "64", dir.path().to_str().unwrap()]);
    let fields = library_fields(dir.path(), Preprocess::SquareCrop(64), Channel::Green);
    assert_eq!(fields[0].dim(), (64, 64));
    let mean = log_mean_rapsd(&fields);
    assert_eq!(mean.power.len(), 32);
    assert_curve_matches(&out, &mean.frequency, &mean.power);
}

#[test]
fn no_resize_measures_the_pixels_as_they_are_on_non_square_images() {
    let dir = tempfile::tempdir().unwrap();
    // (rows, cols): L = 48 (even) gives 24 radii, L = 31 (odd) gives ⌊31/2⌋ + 1 = 16.
    for (rows, cols, radii) in [(30, 48, 24), (31, 20, 16)] {
        let path = dir.path().join(format!("{cols}x{rows}.png"));
        write_power_law_gray(&path, rows, cols, 7);
        let out = ok(&["rapsd".as_ref(), "--no-resize".as_ref(), path.as_os_str()]);
        let field = load_photo(&path, Preprocess::AsIs)
            .unwrap()
            .channel(Channel::Green);
        assert_eq!(field.dim(), (rows, cols));
        let curve = rapsd(&field);
        assert_eq!(curve.power.len(), radii);
        let l = rows.max(cols) as f64;
        let expected_f: Vec<f64> = (0..radii).map(|r| r as f64 / l).collect();
        // One photo: the log-domain mean is the curve itself, up to exp(ln p) rounding.
        assert_curve_matches(&out, &expected_f, &curve.power);
    }
}

#[test]
fn no_resize_refuses_to_average_images_of_different_shapes() {
    let dir = tempfile::tempdir().unwrap();
    write_power_law_gray(&dir.path().join("a.png"), 30, 48, 1);
    write_power_law_gray(&dir.path().join("b.png"), 48, 30, 2);
    write_power_law_gray(&dir.path().join("c.png"), 30, 48, 3);
    let run = spectra(&[
        "rapsd".as_ref(),
        "--no-resize".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let b = dir.path().join("b.png").display().to_string();
    assert!(
        run.stderr
            .starts_with(&format!("spectra: {b}: 30×48 pixels")),
        "the first file of another shape is named first: {}",
        run.stderr
    );
    assert!(run.stderr.contains("a.png has 48×30"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1);
    // Without --no-resize they are all cropped to one square and average fine.
    assert_eq!(
        csv(&ok(&["rapsd".as_ref(), dir.path().as_os_str()]))
            .1
            .len(),
        160
    );
}

#[test]
fn fit_prints_the_librarys_power_law_and_bootstrap_interval() {
    let dir = synthetic_photos();
    let kv = key_values(&ok(&["fit", dir.path().to_str().unwrap()]));
    let keys: Vec<&str> = kv.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["alpha", "C", "alpha_low", "alpha_high", "images"]);
    let fields = library_fields(dir.path(), Preprocess::default(), Channel::Green);
    let (alpha, c, low, high) = library_fit(&fields, 2000, 5);
    for (key, expected) in [
        ("alpha", alpha),
        ("C", c),
        ("alpha_low", low),
        ("alpha_high", high),
    ] {
        assert!(
            close(value(&kv, key), expected),
            "{key}: {} vs {expected}",
            value(&kv, key)
        );
    }
    assert_eq!(value(&kv, "images"), 4.0);
    // The exponent the fields were made with. The log-domain mean of few photos sits a little
    // low at the lowest radii (few independent bins), which flattens the fit slightly.
    let fitted = value(&kv, "alpha");
    assert!((fitted - ALPHA).abs() < 0.15, "fitted {fitted}");
    assert!(
        low < high,
        "four different photos give a non-degenerate interval"
    );

    // Other resample counts and seeds are the library's too; --json holds the same numbers.
    let json = ok(&[
        "fit",
        "--json",
        "--bootstrap",
        "50",
        "--seed",
        "9",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(json.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let (_, _, low50, high50) = library_fit(&fields, 50, 9);
    assert_eq!(v["alpha"].as_f64().unwrap(), fitted);
    assert_eq!(v["C"].as_f64().unwrap(), value(&kv, "C"));
    assert!(close(v["alpha_low"].as_f64().unwrap(), low50));
    assert!(close(v["alpha_high"].as_f64().unwrap(), high50));
    assert_eq!(v["images"].as_u64(), Some(4));
}

#[test]
fn fit_of_one_photo_has_a_degenerate_interval_at_alpha() {
    let dir = synthetic_photos();
    let kv = key_values(&ok(&["fit", dir.path().join("p2.png").to_str().unwrap()]));
    let alpha = value(&kv, "alpha");
    assert_eq!(value(&kv, "alpha_low"), alpha);
    assert_eq!(value(&kv, "alpha_high"), alpha);
    assert_eq!(value(&kv, "images"), 1.0);
}

#[test]
fn files_and_folders_can_be_mixed() {
    let dir = synthetic_photos();
    let more = tempfile::tempdir().unwrap();
    write_power_law_rgb(&more.path().join("q.png"), 320, 320, 200);
    let q = more.path().join("q.png");
    let kv = key_values(&ok(&[
        "fit".as_ref(),
        q.as_os_str(),
        dir.path().as_os_str(),
    ]));
    assert_eq!(value(&kv, "images"), 5.0);
}

#[test]
fn fmax_prints_the_librarys_f_max_on_the_time_grid() {
    let dir = synthetic_photos();
    let fields = library_fields(dir.path(), Preprocess::default(), Channel::Green);
    let mean = log_mean_rapsd(&fields);
    let cases: [(&str, Box<dyn Schedule>, &str); 3] = [
        ("rectified-flow", Box::new(RectifiedFlow), "1"),
        ("vp-cosine", Box::new(VpCosine::default()), "2.5"),
        ("edm", Box::new(Edm::default()), "0.5"),
    ];
    for (name, schedule, tau) in cases {
        let out = ok(&[
            "fmax",
            "--schedule",
            name,
            "--tau",
            tau,
            "--steps",
            "20",
            dir.path().to_str().unwrap(),
        ]);
        let (header, rows) = csv(&out);
        assert_eq!(header, "t,f_max");
        assert_eq!(rows.len(), 21, "steps + 1 rows");
        let tau: f64 = tau.parse().unwrap();
        for ((t, f), et) in rows.iter().zip(time_grid(20)) {
            assert_eq!(*t, et);
            let expected = f_max(schedule.as_ref(), &mean.frequency, &mean.power, et, tau);
            assert_eq!(*f, expected, "{name} at t = {t}");
        }
    }
    // The defaults: rectified flow, τ = 1, 100 steps. At t = 0 nothing is noisy and every
    // frequency up to the last bin, 159/320, is detectable; at t = 1 nothing is.
    let (_, rows) = csv(&ok(&["fmax", dir.path().to_str().unwrap()]));
    assert_eq!(rows.len(), 101);
    assert_eq!(rows[0], (0.0, 159.0 / 320.0));
    assert_eq!(rows[100], (1.0, 0.0));
    assert!(
        rows.windows(2).all(|w| w[1].1 <= w[0].1),
        "f_max falls with t"
    );
}

#[test]
fn fmax_per_image_is_f_max_per_pixel_times_the_side() {
    let dir = synthetic_photos();
    let path = dir.path().to_str().unwrap();
    for size in [64u32, 320] {
        let fields = library_fields(dir.path(), Preprocess::SquareCrop(size), Channel::Green);
        let mean = log_mean_rapsd(&fields);
        let side = size.to_string();
        let (_, rows) = csv(&ok(&[
            "fmax",
            "--per-image",
            "--size",
            &side,
            "--steps",
            "10",
            path,
        ]));
        for ((t, f), et) in rows.iter().zip(time_grid(10)) {
            let per_pixel = f_max(&RectifiedFlow, &mean.frequency, &mean.power, et, 1.0);
            assert!(
                close(*f, per_pixel * f64::from(size)),
                "size {size}, t = {t}"
            );
        }
        // At t = 0 every ring is detectable: the last, side/2 − 1 cycles per image.
        assert_eq!(rows[0].1, f64::from(size / 2 - 1));
    }
}

#[test]
fn bad_inputs_fail_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.png");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("notes.txt"), "no images here").unwrap();
    let junk = dir.path().join("x.png");
    std::fs::write(&junk, "not a PNG").unwrap();
    let flat = dir.path().join("flat.png");
    ImageBuffer::<Luma<u16>, Vec<u16>>::from_pixel(20, 18, Luma([1000]))
        .save(&flat)
        .unwrap();

    for command in ["rapsd", "fit", "fmax"] {
        let c: &std::ffi::OsStr = command.as_ref();
        assert_fails_naming(&[c, missing.as_os_str()], &missing);
        assert_fails_naming(&[c, empty.as_os_str()], &empty);
        assert_fails_naming(&[c, junk.as_os_str()], &junk);
    }
    // A flat image has a spectrum (nothing but rounding error beyond DC) but no power law to
    // fit, whether resized or measured as it is.
    assert_eq!(csv(&ok(&["rapsd".as_ref(), flat.as_os_str()])).1.len(), 160);
    assert_fails_naming(&["fit".as_ref(), flat.as_os_str()], &flat);
    let as_is: &std::ffi::OsStr = "--no-resize".as_ref();
    assert_fails_naming(&["fit".as_ref(), as_is, flat.as_os_str()], &flat);
    // Too few frequencies for a line.
    let tiny = dir.path().join("a.png");
    write_power_law_gray(&tiny, 32, 32, 1);
    assert_fails_naming(
        &[
            "fit".as_ref(),
            "--size".as_ref(),
            "4".as_ref(),
            tiny.as_os_str(),
        ],
        &tiny,
    );
}

#[test]
fn bad_files_among_good_ones_are_warned_about_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mixed = dir.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    write_power_law_gray(&mixed.join("a.png"), 32, 32, 1);
    std::fs::write(mixed.join("x.png"), "not a PNG").unwrap();
    write_power_law_gray(&mixed.join("z.png"), 32, 32, 2);
    let good = tempfile::tempdir().unwrap();
    for name in ["a.png", "z.png"] {
        std::fs::copy(mixed.join(name), good.path().join(name)).unwrap();
    }
    let x = mixed.join("x.png").display().to_string();
    for command in ["rapsd", "fit", "fmax"] {
        let run = spectra(&[command.as_ref(), mixed.as_os_str()]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(
            run.stderr,
            format!("spectra: warning: {x}: a text file, not an image (despite its .png name)\n")
        );
        // The output is that of the good files alone.
        assert_eq!(run.stdout, ok(&[command.as_ref(), good.path().as_os_str()]));
        // --strict makes the bad file fatal: one line, nothing on stdout.
        let strict: &std::ffi::OsStr = "--strict".as_ref();
        assert_fails_naming(
            &[command.as_ref(), strict, mixed.as_os_str()],
            &mixed.join("x.png"),
        );
    }
    // An empty folder after a good file is a warning too.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let run = spectra(&[
        "fit".as_ref(),
        mixed.join("a.png").as_os_str(),
        empty.as_os_str(),
    ]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.starts_with(&format!(
            "spectra: warning: {}: no image files in this folder",
            empty.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(value(&key_values(&run.stdout), "images"), 1.0);
}

#[test]
fn help_works_for_every_command_and_usage_errors_exit_with_2() {
    for args in [
        vec!["--help"],
        vec!["rapsd", "--help"],
        vec!["fit", "--help"],
        vec!["fmax", "--help"],
        vec!["plot", "--help"],
        vec!["fetch", "--help"],
        vec!["help", "fit"],
    ] {
        let out = ok(&args);
        assert!(out.contains("Usage: spectra"), "{args:?}: {out}");
    }
    assert!(ok(&["fit", "--help"]).contains("--bootstrap <B>"));
    assert!(ok(&["fmax", "--help"]).contains("rectified-flow"));
    assert!(ok(&["--help"]).contains("100 megapixels"));
    assert!(ok(&["fetch", "--help"]).contains("SPECTRA_CACHE"));
    for command in ["rapsd", "fit", "fmax", "plot"] {
        let help = ok(&[command, "--help"]);
        assert!(
            help.contains("--json") && help.contains("--strict"),
            "{help}"
        );
    }
    for args in [
        vec!["rapsd"],
        vec!["rapsd", "--channel", "pink", "x.png"],
        vec!["rapsd", "--size", "64", "--no-resize", "x.png"],
        vec!["fit", "--bootstrap", "1", "x.png"],
        vec!["fmax", "--tau", "-1", "x.png"],
        vec!["fmax", "--steps", "0", "x.png"],
        vec!["spectrogram", "x.wav"],
        vec!["plot", "x.png"],
        vec![
            "plot",
            "--reference",
            "d",
            "--no-reference",
            "-o",
            "a.png",
            "x.png",
        ],
        vec!["fetch", "mnist"],
        vec!["fetch", "imagenette", "--md5", "xyz"],
    ] {
        let run = spectra(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty() && !run.stderr.contains("panicked"));
    }
}

#[test]
fn fit_of_the_embedded_photos_is_the_books() {
    let dir: PathBuf = default_images_dir();
    let kv = key_values(&ok(&["fit".as_ref(), dir.as_os_str()]));
    let photos = bookkit::data::default_photos().unwrap();
    let (alpha, c, low, high) = library_fit(&channels(&photos, Channel::Green), 2000, 5);
    assert!(close(value(&kv, "alpha"), alpha));
    assert!(close(value(&kv, "C"), c));
    assert!(close(value(&kv, "alpha_low"), low));
    assert!(close(value(&kv, "alpha_high"), high));
    assert_eq!(value(&kv, "images"), photos.len() as f64);
}

#[test]
fn every_measuring_command_prints_the_same_numbers_as_json() {
    let dir = synthetic_photos();
    let d = dir.path().as_os_str();
    let (_, rows) = csv(&ok(&["rapsd".as_ref(), d]));
    let json = ok(&["rapsd".as_ref(), "--json".as_ref(), d]);
    assert_eq!(json.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let numbers = |key: &str| -> Vec<f64> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let (f, p): (Vec<f64>, Vec<f64>) = rows.into_iter().unzip();
    assert_same(&numbers("frequency"), &f);
    assert_same(&numbers("power"), &p);
    assert_eq!(v["images"], 4);
    assert_eq!(v["skipped"], serde_json::json!([]));

    let args = [
        "fmax",
        "--schedule",
        "vp-cosine",
        "--tau",
        "2",
        "--steps",
        "10",
    ];
    let mut with_dir: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    with_dir.push(d);
    let (_, rows) = csv(&ok(&with_dir));
    with_dir.insert(1, "--json".as_ref());
    let v: serde_json::Value = serde_json::from_str(&ok(&with_dir)).unwrap();
    let (t, f): (Vec<f64>, Vec<f64>) = rows.into_iter().unzip();
    let numbers = |key: &str| -> Vec<f64> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    assert_same(&numbers("t"), &t);
    assert_same(&numbers("f_max"), &f);
    assert_eq!(v["schedule"], "vp-cosine");
    assert_eq!(v["tau"], 2.0);
}

/// The same numbers, up to the last bit serde_json's fast float parser may get wrong (the JSON
/// holds the shortest exact form, as the CSV does).
fn assert_same(json: &[f64], text: &[f64]) {
    assert_eq!(json.len(), text.len());
    for (a, b) in json.iter().zip(text) {
        assert!(
            a == b || (a - b).abs() <= 4.0 * f64::EPSILON * b.abs(),
            "{a} vs {b}"
        );
    }
}

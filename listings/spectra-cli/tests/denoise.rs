//! `spectra denoise` run for real: a photo of the book, noised and denoised, written whole; bad
//! photos and outputs refused with a line naming the file.

mod common;

use std::ffi::OsStr;

use bookkit::data::default_images_dir;
use common::{assert_fails_naming, key_values, ok, spectra, value};
use spectral::gaussian_model::GaussianModel;
use spectral::schedule::{RectifiedFlow, f_max};

#[test]
fn a_photo_is_noised_denoised_and_written_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.png");
    let photo = default_images_dir().join("coffee-cup.jpg");
    let printed = ok(&[
        OsStr::new("denoise"),
        photo.as_os_str(),
        OsStr::new("--t"),
        OsStr::new("0.6"),
        OsStr::new("-o"),
        out.as_os_str(),
    ]);
    let picture = bookkit::image::open(&out).unwrap();
    assert_eq!((picture.width(), picture.height()), (2 * 320 + 8, 320));
    let lines = key_values(&printed);
    let number = |k: &str| value(&lines, k);
    assert!(number("rms_denoised") < number("rms_noisy"));
    // f_max is the book's, from the model of the embedded photos (computed here in-process).
    let model = GaussianModel::fit(&bookkit::data::book_greens().unwrap()).unwrap();
    let s = model.rapsd().without_dc();
    let want = f_max(&RectifiedFlow, &s.frequency, &s.power, 0.6, 1.0);
    assert_eq!(format!("{:.6}", number("f_max")), format!("{want:.6}"));
}

#[test]
fn unusable_photos_and_outputs_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.png");
    let missing = dir.path().join("no-such-photo.jpg");
    let args = |photo: &OsStr, out: &OsStr| {
        vec![
            OsStr::new("denoise").to_owned(),
            photo.to_owned(),
            "--t".into(),
            "0.5".into(),
            "-o".into(),
            out.to_owned(),
        ]
    };
    let a = args(missing.as_os_str(), out.as_os_str());
    let a: Vec<&OsStr> = a.iter().map(|s| s.as_os_str()).collect();
    assert_fails_naming(&a, &missing);
    assert!(!out.exists(), "nothing is written on failure");
    let jpeg_out = dir.path().join("out.jpg");
    let photo = default_images_dir().join("coffee-cup.jpg");
    let a = args(photo.as_os_str(), jpeg_out.as_os_str());
    let a: Vec<&OsStr> = a.iter().map(|s| s.as_os_str()).collect();
    assert_fails_naming(&a, &jpeg_out);
    // A time outside the process is a usage error (clap's exit code 2).
    let run = spectra(&["denoise", "x.jpg", "--t", "2", "-o", "y.png"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("[0, 1]"), "{}", run.stderr);
}

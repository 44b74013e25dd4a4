//! `spectra` as `cargo install` leaves it: the binary alone, copied away from the repository, run
//! where the book's data folder is out of reach. Every command must still work, `denoise` and
//! `plot` included, whose book data are built in.

mod common;

use std::path::Path;
use std::process::Command;

use bookkit::data::{ROOT_VAR, default_images_dir};
use common::{Run, finish, key_values, ok, value};

/// The installed copy run in `home`, with nothing of the caller's environment but a `PATH`, and
/// the kit's idea of the repository pointed at a folder that does not exist.
fn installed(home: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(home.join("bin/spectra"));
    cmd.args(args)
        .current_dir(home)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env(ROOT_VAR, home.join("the-book-was-here"));
    finish(cmd)
}

#[test]
fn an_installed_spectra_needs_no_copy_of_the_book() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    std::fs::create_dir_all(home.join("bin")).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_spectra"), home.join("bin/spectra")).unwrap();
    // A reader's own files, which happen to be copies of the book's.
    std::fs::copy(
        default_images_dir().join("cameraman.jpg"),
        home.join("mine.jpg"),
    )
    .unwrap();
    let audio = bookkit::audio::default_audio_dir();
    std::fs::copy(audio.join("music-02-taiko.wav"), home.join("mine.wav")).unwrap();

    let run = installed(
        home,
        &["denoise", "mine.jpg", "--t", "0.5", "-o", "out.png"],
    );
    assert_eq!(run.code, 0, "denoise: {}", run.stderr);
    assert!(home.join("out.png").is_file());

    for (input, book) in [("mine.jpg", default_images_dir()), ("mine.wav", audio)] {
        let run = installed(home, &["plot", "--json", input, "-o", "plot.svg"]);
        assert_eq!(run.code, 0, "plot {input}: {}", run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        // The reference drawn is the book's set, as `spectra fit` measures it in the repository.
        let mut fit = vec!["fit".as_ref(), book.as_os_str()];
        if input.ends_with(".wav") {
            fit.push("--mel".as_ref());
        }
        let alpha = value(&key_values(&ok(&fit)), "alpha");
        assert_eq!(v["reference"]["alpha"].as_f64().unwrap(), alpha, "{input}");
    }
}

//! The shipped weights in `data/models` against the code and the photos: stale weights fail here,
//! so CI, which never trains, still notices when they need training again.

use std::path::Path;

use trained::config::Process;
use trained::data::models_dir;
use trained::weights::check;

fn images() -> std::path::PathBuf {
    bookkit::data::default_images_dir()
}

#[test]
fn the_shipped_weights_match_the_code_and_the_photos() {
    let mut stale = Vec::new();
    for p in Process::ALL {
        stale.extend(check(&models_dir(), &images(), p).unwrap());
    }
    assert!(
        stale.is_empty(),
        "stale weights (retrain with `cargo xtask train PROCESS`):\n  {}",
        stale.join("\n  ")
    );
}

/// A copy of `data/models` and `data/images` in a temporary folder, to change.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [(models_dir(), "models"), (images(), "images")] {
        std::fs::create_dir(dir.path().join(to)).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.path().is_file() {
                std::fs::copy(e.path(), dir.path().join(to).join(e.file_name())).unwrap();
            }
        }
    }
    dir
}

fn reasons(dir: &Path) -> String {
    check(&dir.join("models"), &dir.join("images"), Process::White)
        .unwrap()
        .join("\n")
}

#[test]
fn each_kind_of_staleness_is_caught() {
    // A changed training photo.
    let dir = copy();
    let photo = dir.path().join("images/cameraman.jpg");
    let mut bytes = std::fs::read(&photo).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 1;
    std::fs::write(&photo, bytes).unwrap();
    assert!(reasons(dir.path()).contains("training photos"));

    // A photo moved from training to held out.
    let dir = copy();
    let split = dir.path().join("models/split.toml");
    let text = std::fs::read_to_string(&split)
        .unwrap()
        .replace("held_out = [", "held_out = [\n    \"cameraman.jpg\",");
    std::fs::write(&split, text).unwrap();
    assert!(reasons(dir.path()).contains("training photos"));

    // Weights replaced without a new manifest entry.
    let dir = copy();
    let weights = dir.path().join("models/white.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    std::fs::write(&weights, bytes).unwrap();
    assert!(reasons(dir.path()).contains("weights file"));

    // A configuration that is not the one the code trains.
    let dir = copy();
    let manifest = dir.path().join("models/manifest.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replacen("seed = ", "seed = 1", 1);
    std::fs::write(&manifest, text).unwrap();
    assert!(reasons(dir.path()).contains("configuration"));
}

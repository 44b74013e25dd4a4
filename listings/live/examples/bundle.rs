//! Writes the page side of the live figures into a folder (`src/live/` when `cargo xtask book`
//! runs it, after building the module and running wasm-bindgen):
//!
//! - `live-wasm.js`: wasm-bindgen's `--target no-modules` glue followed by the module's bytes,
//!   base64-encoded, as `window.LIVE_WASM_BASE64`;
//! - `live-assets.js`: the embedded photos the tide widget offers (`bookkit::data::FEATURED`) and
//!   the recordings the sound widget offers (`bookkit::audio::FEATURED_CLIPS`), as
//!   `window.LIVE_ASSETS = { photos: [{ name, base64 }], clips: [...], model: { rows, cols,
//!   base64 } }`, where `model` is the book's Gaussian model of the photos for the tide widget's
//!   x̂₀: `GaussianModel::fit` of the green channels of all embedded photos
//!   (`bookkit::data::book_greens`), the fit of figure X4, written by `live::model::encode`
//!   (half the plane, `f32` little-endian: a relative error of at most 2⁻²⁴ per bin; the module
//!   docs of `live::model` bound what that does to the estimate, and its tests check it).
//!
//! Why classic scripts with base64 inside: a book opened from disk (file://) may load a classic
//! `<script src>`, but may neither `fetch()` a file nor import an ES module, so the bytes must
//! arrive as script text.
//!
//! Run: `cargo run -p live --example bundle -- <glue.js> <module.wasm> <out-dir>`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
// Standard base64 with padding (RFC 4648), what the page's `atob` decodes: the kit's one encoder.
use bookkit::notebook::base64;
use spectral::gaussian_model::GaussianModel;

fn main() -> Result<()> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [glue, module, out] = args.as_slice() else {
        bail!("usage: bundle <glue.js> <module.wasm> <out-dir>");
    };
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let glue = read(glue)?;
    let module = read(module)?;
    let mut wasm = String::from_utf8(glue).context("the wasm-bindgen glue is not UTF-8")?;
    wasm.push_str(&format!(
        "\n// The module's bytes (listings/live, {} bytes).\nwindow.LIVE_WASM_BASE64 = \"{}\";\n",
        module.len(),
        base64(&module)
    ));
    write(&out.join("live-wasm.js"), &wasm)?;

    let photos = bookkit::data::default_images_dir();
    let clips = bookkit::audio::default_audio_dir();
    let list = |dir: &Path, names: &[&str]| -> Result<String> {
        let items: Result<Vec<String>> = names
            .iter()
            .map(|n| {
                Ok(format!(
                    "{{ name: \"{n}\", base64: \"{}\" }}",
                    base64(&read(&dir.join(n))?)
                ))
            })
            .collect();
        Ok(items?.join(",\n    "))
    };
    let greens = bookkit::data::book_greens()?;
    let model = GaussianModel::fit(&greens).context("fitting the photos' Gaussian model")?;
    let (rows, cols) = model.dim();
    let model_entry = format!(
        "  // The Gaussian model of the {} photos' green channels (GaussianModel::fit, as X4): per-bin\n\
         \x20 // power, columns 0..=cols/2, f32 little-endian (listings/live/src/model.rs).\n\
         \x20 model: {{ rows: {rows}, cols: {cols}, base64: \"{}\" }},\n",
        greens.len(),
        base64(&live::model::encode(&model)),
    );
    let assets = format!(
        "// The embedded photos and recordings the live figures offer (data/images, data/audio:\n\
         // licences in their SOURCES.md).\nwindow.LIVE_ASSETS = {{\n  photos: [\n    {}\n  ],\n\
         \x20 clips: [\n    {}\n  ],\n{model_entry}}};\n",
        list(&photos, &bookkit::data::FEATURED)?,
        list(&clips, &bookkit::audio::FEATURED_CLIPS)?,
    );
    write(&out.join("live-assets.js"), &assets)?;
    eprintln!(
        "    live figures: module {} KB, assets {} KB, written to {}",
        module.len() / 1024,
        assets.len() / 1024,
        out.display()
    );
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Written whole or not at all: a half-written script would break the page.
fn write(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("js.part");
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))
}

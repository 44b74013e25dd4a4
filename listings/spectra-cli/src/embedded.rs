//! The book's data that `spectra` needs, built into the binary, so that an installed `spectra`
//! (`cargo install --path listings/spectra-cli`) works anywhere, with the repository moved or
//! deleted: the Gaussian model of the book's photos that `spectra denoise` filters with, and the
//! reference curves `spectra plot` draws a reader's data beside.
//!
//! The data are generated from `data/` and committed in `listings/spectra-cli/embedded/`, written
//! by [`generate`] (`cargo xtask embed`); a test regenerates them and compares bit for bit, so
//! they cannot drift from `data/` or from the code that measures it. Why committed files rather
//! than a build script: a build script would compile the kit a second time for the host (its
//! image decoders, plotting and all) in every build of the workspace and run the fit on every
//! clean build, while the committed files cost nothing to build and are checked just as strictly.
//! Trained denoisers' weights, which no build could recompute, are embedded the same way.
//!
//! - `gaussian-model.f64le`: [`GaussianModel::fit`] of the green channels of every photo of
//!   `data/images` prepared as the book prepares them (320 × 320), exactly the model the chapter
//!   "Running diffusion backwards" fits: 320 × 320 `f64` powers, row-major, unshifted FFT layout,
//!   little-endian, every bit kept (the estimate is the one a refit would give, bit for bit).
//! - The white-noise network's weights, `data/models/white.safetensors`, compiled in from where
//!   `cargo xtask train white` writes them (the manifest beside them and its test keep them in
//!   step with the data and the code).
//! - `reference-curves.txt`: the log-mean RAPSD of those photos for each channel, and the
//!   log-mean RAPSD of the log-mel spectrograms of the middle 2 s of every recording of
//!   `data/audio`, each measured by `spectra`'s own code ([`crate::cli::measure`]), numbers in
//!   Rust's shortest round-trip form (read back to the same bits).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use bookkit::data::{BOOK_SIZE, Channel};
use spectral::Field;
use spectral::gaussian_model::GaussianModel;
use spectral::spectrum::Rapsd;

use crate::cli::Input;
use crate::cli::measure::{measure, measure_recordings};
use crate::cli::report::powerless;

/// The folder of the generated files, in the package.
pub const FOLDER: &str = "embedded";
/// The model's file name in [`FOLDER`].
pub const MODEL_FILE: &str = "gaussian-model.f64le";
/// The curves' file name in [`FOLDER`].
pub const CURVES_FILE: &str = "reference-curves.txt";

const MODEL: &[u8] = include_bytes!("../embedded/gaussian-model.f64le");
/// The white-noise network's weights, read where `cargo xtask train white` writes them: compiled
/// in rather than copied, so there is one file to keep in step (its manifest's test guards it).
const NETWORK: &[u8] = include_bytes!("../../../data/models/white.safetensors");
const CURVES: &str = include_str!("../embedded/reference-curves.txt");

/// The Gaussian model of the book's photos (green channel, 320 × 320).
pub fn gaussian_model() -> GaussianModel {
    model_from_bytes(MODEL).expect("the embedded model is whole: a test reads it back")
}

/// The trained network of "A trained denoiser" (white noise), for fields of `rows × cols`.
pub fn network(rows: usize, cols: usize) -> Result<trained::network::Network> {
    let config = trained::config::Config::book(trained::config::Process::White);
    trained::weights::load_for_shape(NETWORK, &config, rows, cols)
}

/// A measured set of the book's, as `spectra plot` draws it: the log-mean curve (DC first) and how
/// many files it averages.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub files: usize,
    pub mean: Rapsd,
}

/// The book's photos, measured in `channel` as `spectra` measures with its defaults.
pub fn photos(channel: Channel) -> Reference {
    reference(&format!("photos {}", channel.name()))
}

/// The book's recordings, measured as `spectra plot` measures recordings.
pub fn recordings() -> Reference {
    reference("recordings")
}

fn reference(name: &str) -> Reference {
    parse_curves(CURVES)
        .expect("the embedded curves parse: a test reads them back")
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, r)| r)
        .expect("every reference is embedded: a test looks each up")
}

/// The files to embed, computed from the book's data folders: (file name, bytes).
pub fn generate(images: &Path, audio: &Path) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let input = |channel| Input {
        paths: vec![images.to_path_buf()],
        channel,
        size: None,
        no_resize: false,
        strict: true,
        json: false,
    };
    let mut curves = String::from(
        "# The book's reference curves for `spectra plot` (listings/spectra-cli/src/embedded.rs):\n\
         # `curve <name> <files>`, then the frequencies and the log-mean power, DC first.\n\
         # Generated from data/ by `cargo xtask embed`; a test checks that it is current.\n",
    );
    // Measured exactly as `spectra plot` measures a folder (`Set::measure`).
    let mut ignore = |_: &bookkit::inputs::BadFile| {};
    for channel in Channel::ALL {
        let spectra = measure(&input(channel)).settle(Some(&powerless), &mut ignore)?;
        write_curve(&mut curves, &format!("photos {}", channel.name()), &spectra);
    }
    let spectra =
        measure_recordings(&[audio.to_path_buf()], true).settle(Some(&powerless), &mut ignore)?;
    write_curve(&mut curves, "recordings", &spectra);
    let photos = bookkit::data::load_photos(&[images.to_path_buf()], Default::default())?;
    let model = GaussianModel::fit(&bookkit::data::channels(&photos, Channel::Green))
        .context("fitting the photos' Gaussian model")?;
    Ok(vec![
        (MODEL_FILE, model_to_bytes(&model)),
        (CURVES_FILE, curves.into_bytes()),
    ])
}

fn write_curve(out: &mut String, name: &str, spectra: &crate::cli::Spectra) {
    let mean = spectra.log_mean();
    let line = |values: &[f64]| {
        let texts: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
        texts.join(" ")
    };
    // Writing to a String cannot fail.
    let _ = writeln!(out, "curve {name} {}", spectra.curves.len());
    let _ = writeln!(out, "frequency {}", line(&mean.frequency));
    let _ = writeln!(out, "power {}", line(&mean.power));
}

/// Every curve of a curves file, by name.
fn parse_curves(text: &str) -> Result<Vec<(String, Reference)>> {
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let mut out = Vec::new();
    while let Some(head) = lines.next() {
        let (name, files) = head
            .strip_prefix("curve ")
            .and_then(|h| h.rsplit_once(' '))
            .with_context(|| format!("`curve <name> <files>` expected, not {head:?}"))?;
        let mut numbers = |key: &str| -> Result<Vec<f64>> {
            let line = lines.next().unwrap_or_default();
            let values = line
                .strip_prefix(key)
                .with_context(|| format!("{name}: `{key}` expected"))?;
            values
                .split_whitespace()
                .map(|v| v.parse().with_context(|| format!("{name}: {v:?}")))
                .collect()
        };
        let frequency = numbers("frequency ")?;
        let power = numbers("power ")?;
        if frequency.len() != power.len() {
            bail!(
                "{name}: {} frequencies, {} powers",
                frequency.len(),
                power.len()
            );
        }
        let files = files.parse()?;
        out.push((
            name.to_string(),
            Reference {
                files,
                mean: Rapsd { frequency, power },
            },
        ));
    }
    Ok(out)
}

fn model_to_bytes(model: &GaussianModel) -> Vec<u8> {
    model.power.iter().flat_map(|p| p.to_le_bytes()).collect()
}

fn model_from_bytes(bytes: &[u8]) -> Result<GaussianModel> {
    let n = BOOK_SIZE as usize;
    if bytes.len() != n * n * 8 {
        bail!(
            "{} bytes, not the {} of a {n} × {n} model",
            bytes.len(),
            n * n * 8
        );
    }
    let powers = bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect();
    let power = Field::from_shape_vec((n, n), powers)?;
    Ok(GaussianModel { power })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed files are what `data/` gives today, bit for bit: the model is the refit
    /// `spectra denoise` used to do on every run, and the curves are `spectra plot`'s measurement
    /// of the book's folders.
    #[test]
    fn the_embedded_data_are_current() {
        let (images, audio) = (
            bookkit::data::default_images_dir(),
            bookkit::audio::default_audio_dir(),
        );
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(FOLDER);
        for (name, bytes) in generate(&images, &audio).unwrap() {
            let committed = std::fs::read(dir.join(name)).unwrap();
            assert!(
                committed == bytes,
                "{FOLDER}/{name} is stale: run `cargo xtask embed` and commit the result"
            );
        }
    }

    #[test]
    fn the_embedded_model_is_the_refit_bit_for_bit() {
        let refit = GaussianModel::fit(&bookkit::data::book_greens().unwrap()).unwrap();
        let embedded = gaussian_model();
        assert_eq!(embedded.dim(), (320, 320));
        assert!(
            embedded
                .power
                .iter()
                .zip(&refit.power)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }

    #[test]
    fn every_reference_is_there_and_reads_back_exactly() {
        let images = bookkit::data::image_files(&[bookkit::data::default_images_dir()]).unwrap();
        for channel in Channel::ALL {
            let r = photos(channel);
            // One point per radius 0 … 159 of a 320 × 320 image, at r / 320 cycles per pixel.
            assert_eq!((r.files, r.mean.power.len()), (images.len(), 160));
            assert_eq!(r.mean.frequency[1], 1.0 / 320.0, "{}", channel.name());
        }
        let clips = bookkit::audio::audio_files(&[bookkit::audio::default_audio_dir()]).unwrap();
        assert_eq!(recordings().files, clips.len());
        let mut text = String::new();
        let spectra = crate::cli::Spectra {
            files: vec![],
            shape: (1, 2),
            frequency: vec![0.0, 0.1, 1e-300],
            curves: vec![vec![1.0 / 3.0, 2e-17, 5e300]],
            skipped: vec![],
        };
        write_curve(&mut text, "x", &spectra);
        let (_, back) = parse_curves(&text).unwrap().remove(0);
        assert_eq!(back.mean, spectra.log_mean());
        assert!(parse_curves("curve x 1\nfrequency 1 2\npower 1\n").is_err());
        assert!(model_from_bytes(&[0; 16]).is_err());
    }
}

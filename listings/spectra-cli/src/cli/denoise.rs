//! `spectra denoise`: a denoiser of the book applied to a reader's photo. The photo is prepared as
//! the book prepares photos, noised to time t by the forward process, and denoised
//! (`--denoiser`): by default with the ideal linear denoiser of the chapter "Running diffusion
//! backwards", the Wiener filter of the Gaussian model fitted to the book's embedded photos, or
//! with the network of the chapter "A trained denoiser". Both are built into the binary by
//! [`crate::embedded`]. The picture shows x_t and x̂₀ side by side.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use spectral::Field;
use spectral::denoise::wiener_denoise;
use spectral::gaussian_model::GaussianModel;
use spectral::noise::{gaussian_field, seeded_rng};
use spectral::schedule::{RectifiedFlow, Schedule, f_max, forward};

use crate::embedded;
use bookkit::data::{BOOK_SIZE, Photo, Preprocess, try_load_photo};
use bookkit::figure::write_atomic;
use bookkit::image::{ImageFormat, RgbImage, imageops};

#[derive(Clone, Debug, Args)]
pub struct DenoiseArgs {
    /// The photo to noise and denoise (prepared like the book's: 320 × 320 centre crop)
    #[arg(value_name = "IMAGE")]
    pub photo: PathBuf,
    /// Diffusion time t in [0, 1] (rectified flow: x_t = (1 − t)·x₀ + t·ε)
    #[arg(long, value_name = "T", value_parser = parse_time)]
    pub t: f64,
    /// The PNG to write: x_t on the left, the Wiener estimate x̂₀ on the right
    #[arg(short, long, value_name = "FILE.png")]
    pub output: PathBuf,
    /// Seed of the noise ε (one independent draw per colour channel)
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How x̂₀ is estimated from x_t
    #[arg(long, value_enum, default_value_t = DenoiserName::Wiener)]
    pub denoiser: DenoiserName,
}

/// The denoisers `spectra denoise` offers, by their command-line names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DenoiserName {
    /// The ideal linear denoiser: the Wiener filter of the book's Gaussian model of its photos
    Wiener,
    /// The U-Net trained on the book's photos under white noise ("A trained denoiser"), its
    /// Wiener part carried over to the photo's size
    Network,
}

impl DenoiserName {
    /// x̂₀ of each channel from its x_t at time t of rectified flow. The network is built for the
    /// channels' shape (its sides must be divisible by 8, as the book's 320 are).
    fn estimate(self, model: &GaussianModel, x_t: &[&Field], t: f64) -> Result<Vec<Field>> {
        match self {
            DenoiserName::Wiener => x_t
                .iter()
                .map(|x| Ok(wiener_denoise(x, model, &RectifiedFlow, t)?))
                .collect(),
            DenoiserName::Network => {
                let (rows, cols) = x_t.first().map_or((0, 0), |x| x.dim());
                let network = embedded::network(rows, cols)?;
                let owned: Vec<Field> = x_t.iter().map(|&x| x.clone()).collect();
                network.denoise_batch(&owned, &vec![t; owned.len()])
            }
        }
    }
}

fn parse_time(s: &str) -> Result<f64, String> {
    let t: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&t) {
        Ok(t)
    } else {
        Err(format!("t must lie in [0, 1], not {t}"))
    }
}

/// What `denoise` did, in the lines it prints.
pub struct Denoised {
    pub t: f64,
    /// f_max(t) of the model's spectrum with τ = 1: where the denoiser trusts x_t half.
    pub f_max: f64,
    /// Root-mean-square error against the prepared photo, of x_t/α(t) and of x̂₀.
    pub rms_noisy: f64,
    pub rms_denoised: f64,
}

impl Denoised {
    /// `key=value` lines, like the other commands' plain output.
    pub fn to_lines(&self, output: &Path) -> String {
        format!(
            "t={}\nf_max={:.6}\nrms_noisy={:.4}\nrms_denoised={:.4}\noutput={}\n",
            self.t,
            self.f_max,
            self.rms_noisy,
            self.rms_denoised,
            output.display()
        )
    }
}

/// Runs the command: fails, naming the file, on an unusable photo or output, before any work.
pub fn denoise(args: &DenoiseArgs) -> Result<String> {
    let ext = args.output.extension().and_then(|e| e.to_str());
    if !ext.is_some_and(|e| e.eq_ignore_ascii_case("png")) {
        bail!("{}: the output must be a .png file", args.output.display());
    }
    let photo = try_load_photo(&args.photo, Preprocess::SquareCrop(BOOK_SIZE))?;
    let model = embedded::gaussian_model();
    let (picture, result) = noise_and_denoise(&photo, &model, args.denoiser, args.t, args.seed)?;
    let mut bytes = Vec::new();
    picture.write_to(&mut std::io::Cursor::new(&mut bytes), ImageFormat::Png)?;
    write_atomic(&args.output, &bytes)?;
    Ok(result.to_lines(&args.output))
}

/// x_t and x̂₀ of every channel, side by side, and the numbers the command prints. f_max is the
/// model's, whichever denoiser estimates x̂₀.
fn noise_and_denoise(
    photo: &Photo,
    model: &GaussianModel,
    denoiser: DenoiserName,
    t: f64,
    seed: u64,
) -> Result<(RgbImage, Denoised)> {
    let mut rng = seeded_rng(seed);
    let (rows, cols) = photo.green.dim();
    let noisy = photo.map_channels(|x0| {
        let eps = gaussian_field(rows, cols, 1.0, &mut rng);
        forward(&RectifiedFlow, x0, &eps, t)
    });
    let channels = [&noisy.red, &noisy.green, &noisy.blue];
    let estimates = denoiser
        .estimate(model, &channels, t)
        .with_context(|| format!("{}: cannot denoise", photo.name))?;
    let [red, green, blue] = <[Field; 3]>::try_from(estimates).expect("three channels");
    let estimate = Photo {
        name: photo.name.clone(),
        red,
        green,
        blue,
    };
    let a = RectifiedFlow.alpha(t);
    let rms = |x: &Field| {
        (x - &photo.green)
            .mapv(|v| v * v)
            .mean()
            .unwrap_or(0.0)
            .sqrt()
    };
    let spectrum = model.rapsd().without_dc();
    let result = Denoised {
        t,
        f_max: f_max(&RectifiedFlow, &spectrum.frequency, &spectrum.power, t, 1.0),
        rms_noisy: if a > 0.0 {
            rms(&(&noisy.green / a))
        } else {
            f64::INFINITY
        },
        rms_denoised: rms(&estimate.green),
    };
    let mut picture = RgbImage::new(2 * cols as u32 + 8, rows as u32);
    picture.fill(255);
    imageops::overlay(&mut picture, &noisy.to_rgb8(), 0, 0);
    imageops::overlay(&mut picture, &estimate.to_rgb8(), cols as i64 + 8, 0);
    Ok((picture, result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::data::featured_photos;

    #[test]
    fn the_estimate_is_closer_than_the_noisy_photo_and_exact_at_t_zero() {
        let photo = featured_photos().unwrap().swap_remove(0);
        let model = embedded::gaussian_model();
        let wiener = DenoiserName::Wiener;
        let (picture, at_half) = noise_and_denoise(&photo, &model, wiener, 0.5, 1).unwrap();
        assert_eq!(picture.dimensions(), (2 * 320 + 8, 320));
        assert!(
            at_half.rms_denoised < at_half.rms_noisy,
            "{}",
            at_half.rms_denoised
        );
        // At t = 0 there is no noise: x_t is the photo and the filter passes it (gain 1 where
        // the model has power; the zero-power bins carry no signal either).
        let (_, clean) = noise_and_denoise(&photo, &model, wiener, 0.0, 1).unwrap();
        assert!(
            clean.rms_noisy < 1e-12 && clean.rms_denoised < 1e-6,
            "{}",
            clean.rms_denoised
        );
    }

    #[test]
    fn the_network_beats_the_wiener_filter_on_a_photo_it_never_saw() {
        // A held-out photo of the chapter "A trained denoiser", whole (320 × 320, five times the
        // crops it trained on), at a moderate noise level where the chapter measures its gain.
        let split = trained::data::Split::book().unwrap();
        let path = bookkit::data::default_images_dir().join(&split.held_out[0]);
        let photo = try_load_photo(&path, Preprocess::SquareCrop(BOOK_SIZE)).unwrap();
        let model = embedded::gaussian_model();
        let run = |d| noise_and_denoise(&photo, &model, d, 0.3, 7).unwrap().1;
        let (wiener, network) = (run(DenoiserName::Wiener), run(DenoiserName::Network));
        assert_eq!(
            wiener.rms_noisy, network.rms_noisy,
            "the same noise for both"
        );
        assert!(
            network.rms_denoised < wiener.rms_denoised,
            "network {} against Wiener {}",
            network.rms_denoised,
            wiener.rms_denoised
        );
    }

    #[test]
    fn a_photo_the_network_cannot_tile_is_refused_by_name() {
        let odd = Field::zeros((30, 30));
        let problem = DenoiserName::Network
            .estimate(&embedded::gaussian_model(), &[&odd], 0.5)
            .unwrap_err();
        assert!(
            format!("{problem:#}").contains("divisible by 8"),
            "{problem:#}"
        );
    }

    #[test]
    fn times_outside_the_process_are_refused() {
        assert!(parse_time("0.6").is_ok());
        assert!(parse_time("1.5").unwrap_err().contains("[0, 1]"));
        assert!(parse_time("soon").unwrap_err().contains("not a number"));
    }
}

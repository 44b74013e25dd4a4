//! `bench-tool`: the Rust helpers of `cargo xtask bench` (see `xtask/src/bench.rs`).
//!
//! ```text
//! bench-tool make-set DIR N   write N JPEG files made from the embedded photos into DIR
//! bench-tool decode DIR…      decode, resize and crop every image, keep the green channel: the
//!                             book's pipeline without its spectral work, on all cores
//! bench-tool jpeg DIR…        only read and decode every image (with the checks `spectra` makes),
//!                             on all cores: the part no resizing or spectral code can speed up
//! bench-tool spectral-cost     time the spectral work on one 320 × 320 field, step by step
//! bench-tool cpu-time CMD ARG…  run CMD, then print its CPU time (user + system, all threads and
//!                             child processes) as `cpu_seconds=…` on standard error
//! ```
//!
//! The set is deterministic: file i is photo i mod 30 of `data/images`, flipped, cropped and
//! rescaled with draws from `spectral::noise::seeded_rng(SEED + i)`, and encoded at a drawn JPEG
//! quality, chroma subsampling and baseline or progressive mode. Two runs write identical files.
//!
//! `decode` runs exactly the loading code the `spectra` tool runs before its FFT
//! (`bookkit::data::load_channel` with the book's preparation), in parallel with rayon the way
//! `spectra` does, so its time is the floor under the full pipeline's time; `jpeg` stops after
//! `bookkit::data::read_image`, the floor under that.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bookkit::data::{
    BOOK_SIZE, Channel, Preprocess, default_images_dir, image_files, load_channel, read_image,
};
use image::imageops::{self, FilterType};
use image::{DynamicImage, RgbImage};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use rand::RngExt;
use rayon::prelude::*;
use spectral::fft::{Fft2, fftshift};
use spectral::noise::{gaussian_field, seeded_rng};
use spectral::spectrum::{RadialBins, RapsdPlan, power, rapsd, rapsd_with};

/// Seed of the set's draws (file i uses `SEED + i`).
const SEED: u64 = 8_000;
/// Short sides of the set's files range over this interval, log-uniformly.
const SHORT_SIDE: (f64, f64) = (320.0, 960.0);
/// JPEG qualities drawn from, uniformly.
const QUALITIES: [u8; 5] = [50, 70, 80, 90, 95];

fn main() {
    if let Err(e) = run() {
        eprintln!("bench-tool: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("make-set") if args.len() == 3 => {
            let n: usize = args[2]
                .parse()
                .with_context(|| format!("`{}` is not a number of files", args[2]))?;
            println!("{}", make_set(Path::new(&args[1]), n)?);
            Ok(())
        }
        Some(cmd @ ("decode" | "jpeg")) if args.len() >= 2 => {
            let inputs: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
            let (images, checksum) = decode_all(&inputs, cmd == "decode")?;
            println!("images={images}\nchecksum={checksum}");
            Ok(())
        }
        Some("cpu-time") if args.len() >= 2 => cpu_time(&args[1], &args[2..]),
        Some("spectral-cost") => {
            print!("{}", spectral_cost());
            Ok(())
        }
        _ => bail!(
            "usage: bench-tool make-set DIR N | decode DIR... | jpeg DIR... | spectral-cost | \
             cpu-time CMD ARG..."
        ),
    }
}

/// One file of the set: which photo, and what is done to it.
#[derive(Clone, Debug)]
struct Variant {
    photo: usize,
    flip_h: bool,
    flip_v: bool,
    /// Crop rectangle as fractions of the photo: x0, y0, width, height.
    crop: (f64, f64, f64, f64),
    short_side: u32,
    quality: u8,
    subsampling: SamplingFactor,
    progressive: bool,
}

fn draw_variant(i: usize, photos: usize) -> Variant {
    let mut rng = seeded_rng(SEED + i as u64);
    let (fw, fh) = (rng.random_range(0.55..=1.0), rng.random_range(0.55..=1.0));
    let (x0, y0) = (
        rng.random_range(0.0..=1.0 - fw),
        rng.random_range(0.0..=1.0 - fh),
    );
    let ln_side = rng.random_range(SHORT_SIDE.0.ln()..=SHORT_SIDE.1.ln());
    Variant {
        photo: i % photos,
        flip_h: rng.random_bool(0.5),
        flip_v: rng.random_bool(0.15),
        crop: (x0, y0, fw, fh),
        short_side: ln_side.exp().round() as u32,
        quality: QUALITIES[rng.random_range(0..QUALITIES.len())],
        subsampling: if rng.random_bool(0.7) {
            SamplingFactor::R_4_2_0
        } else {
            SamplingFactor::R_4_4_4
        },
        progressive: rng.random_bool(0.2),
    }
}

/// The variant's pixels: crop, flip, then resize so the short side is `short_side`.
fn render(photo: &RgbImage, v: &Variant) -> RgbImage {
    let (w, h) = (f64::from(photo.width()), f64::from(photo.height()));
    let (x0, y0, fw, fh) = v.crop;
    let (cw, ch) = (
        ((w * fw).round() as u32).max(16),
        ((h * fh).round() as u32).max(16),
    );
    let mut img = imageops::crop_imm(photo, (w * x0) as u32, (h * y0) as u32, cw, ch).to_image();
    if v.flip_h {
        img = imageops::flip_horizontal(&img);
    }
    if v.flip_v {
        img = imageops::flip_vertical(&img);
    }
    let scale = f64::from(v.short_side) / f64::from(img.width().min(img.height()));
    let (nw, nh) = (
        (f64::from(img.width()) * scale).round() as u32,
        (f64::from(img.height()) * scale).round() as u32,
    );
    imageops::resize(&img, nw, nh, FilterType::CatmullRom)
}

fn encode(img: &RgbImage, v: &Variant, path: &Path) -> Result<()> {
    let mut bytes = Vec::new();
    let mut encoder = Encoder::new(&mut bytes, v.quality);
    encoder.set_sampling_factor(v.subsampling);
    encoder.set_progressive(v.progressive);
    let (w, h) = (u16::try_from(img.width())?, u16::try_from(img.height())?);
    encoder
        .encode(img.as_raw(), w, h, ColorType::Rgb)
        .with_context(|| format!("{}: cannot encode JPEG", path.display()))?;
    std::fs::write(path, bytes).with_context(|| format!("{}: cannot write", path.display()))
}

/// Writes `n` files into `dir` (created if missing) and describes the set in one line.
fn make_set(dir: &Path, n: usize) -> Result<String> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let files: Vec<PathBuf> = image_files(&[default_images_dir()])?;
    let photos: Vec<(String, RgbImage)> = files
        .par_iter()
        .map(|p| {
            let img = image::open(p).with_context(|| format!("{}: cannot decode", p.display()))?;
            let stem = p
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            Ok((stem, DynamicImage::to_rgb8(&img)))
        })
        .collect::<Result<_>>()?;
    let made: Vec<(u32, u32, u64)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let v = draw_variant(i, photos.len());
            let (stem, photo) = &photos[v.photo];
            let img = render(photo, &v);
            let name = format!(
                "{i:04}-{stem}-{}x{}-q{}{}.jpg",
                img.width(),
                img.height(),
                v.quality,
                if v.progressive { "p" } else { "" }
            );
            let path = dir.join(name);
            encode(&img, &v, &path)?;
            Ok((img.width(), img.height(), std::fs::metadata(&path)?.len()))
        })
        .collect::<Result<_>>()?;
    let pixels = |(w, h, _): &(u32, u32, u64)| u64::from(*w) * u64::from(*h);
    let min = made.iter().map(pixels).min().unwrap_or(0);
    let max = made.iter().map(pixels).max().unwrap_or(0);
    let bytes: u64 = made.iter().map(|m| m.2).sum();
    Ok(format!(
        "files={n} photos={} megapixels_min={:.2} megapixels_max={:.2} megabytes={:.1}",
        photos.len(),
        min as f64 / 1e6,
        max as f64 / 1e6,
        bytes as f64 / 1e6
    ))
}

/// Decodes and prepares every image as `spectra` does (or only decodes it), returning the count
/// and a checksum of the pixels (printed, so the work cannot be optimised away).
fn decode_all(inputs: &[PathBuf], prepare: bool) -> Result<(usize, f64)> {
    let files = image_files(inputs)?;
    let sums: Vec<f64> = files
        .par_iter()
        .map(|p| {
            Ok(if prepare {
                load_channel(p, Preprocess::default(), Channel::Green)?.sum()
            } else {
                let img = read_image(p)?;
                f64::from(img.width()) + img.as_bytes().first().copied().map_or(0.0, f64::from)
            })
        })
        .collect::<Result<_>>()?;
    Ok((files.len(), sums.iter().sum()))
}

/// Runs a command with inherited standard streams and reports the CPU time it used. On a machine
/// shared with other work, CPU time per image is steadier than wall time, which also counts the
/// time a program waited for a core.
fn cpu_time(program: &str, args: &[String]) -> Result<()> {
    let status = std::process::Command::new(program)
        .args(args)
        .status()
        .with_context(|| format!("cannot start {program}"))?;
    // SAFETY: getrusage only writes into the struct it is given.
    let usage = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut u);
        u
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    eprintln!(
        "cpu_seconds={}",
        secs(usage.ru_utime) + secs(usage.ru_stime)
    );
    std::process::exit(status.code().unwrap_or(1))
}

/// Milliseconds per call of each step of the spectral work on one 320 × 320 field (one core).
fn spectral_cost() -> String {
    let n = BOOK_SIZE as usize;
    let field = gaussian_field(n, n, 1.0, &mut seeded_rng(1));
    // The fastest of 10 batches: on a shared machine the minimum is the stable statistic.
    let time = |reps: usize, f: &mut dyn FnMut() -> f64| {
        let mut sink = 0.0;
        let mut best = f64::INFINITY;
        for _ in 0..10 {
            let t = std::time::Instant::now();
            for _ in 0..reps / 10 {
                sink += f();
            }
            best = best.min(t.elapsed().as_secs_f64() * 1e3 / (reps / 10) as f64);
        }
        (best, sink)
    };
    let (bins, fft) = (RadialBins::new(n, n), Fft2::new(n, n));
    let plan = RapsdPlan::new(n, n);
    let spectrum = fft.forward(&field);
    let shifted = fftshift(&spectrum);
    let psd = power(&shifted);
    let steps: Vec<(&str, (f64, f64))> = vec![
        (
            "rapsd (plan, bins and all)",
            time(200, &mut || rapsd(&field).power[3]),
        ),
        (
            "  RadialBins::new",
            time(200, &mut || RadialBins::new(n, n).counts()[3] as f64),
        ),
        (
            "  Fft2::new + forward",
            time(200, &mut || {
                let f = Fft2::new(n, n);
                f.forward(&field)[[0, 0]].re
            }),
        ),
        (
            "  Fft2::forward",
            time(200, &mut || fft.forward(&field)[[1, 1]].re),
        ),
        (
            "  fftshift",
            time(200, &mut || fftshift(&spectrum)[[1, 1]].re),
        ),
        ("  power", time(200, &mut || power(&shifted)[[1, 1]])),
        (
            "  RadialBins::average",
            time(200, &mut || bins.average(&psd)[3]),
        ),
        (
            "rapsd_with (reused plan, bins)",
            time(200, &mut || rapsd_with(&bins, &fft, &field).power[3]),
        ),
        (
            "RapsdPlan::power (what spectra runs)",
            time(200, &mut || plan.power(&field)[3]),
        ),
    ];
    let (want, got) = (rapsd_with(&bins, &fft, &field).power, plan.power(&field));
    assert!(
        want.iter()
            .zip(&got)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "RapsdPlan must equal rapsd_with bit for bit"
    );
    let mut out = String::new();
    for (name, (ms, sink)) in steps {
        out.push_str(&format!(
            "{name:<32} {ms:>8.3} ms   ({})\n",
            sink.is_finite()
        ));
    }
    out
}

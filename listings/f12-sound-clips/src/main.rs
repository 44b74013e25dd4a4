//! F12: every embedded recording as a spectrogram picture (dB, magma, low frequencies at the
//! bottom), and a copy of its WAV file, so the chapter's audio players work offline.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f12-sound-clips`.
//! Pieces: recordings from `bookkit::audio`; `stft_power` and `power_to_db` from
//! `spectral::audio`; the magma colormap from `bookkit::colormap`; outputs through
//! `bookkit::figure`.

use bookkit::audio::{Clip, audio_files, default_audio_dir, load_clip};
use bookkit::colormap::MAGMA;
use bookkit::figure::{out_dir, save_png, write_atomic};
use bookkit::image::RgbImage;
use spectral::Field;
use spectral::audio::{SAMPLE_RATE, power_to_db, stft_power};

/// Window and hop of the pictures: 46 ms windows every 5.8 ms, finer in time than the 2048/512
/// analysis frames (pictures only; every number in the chapter uses the book's mel settings).
const N_FFT: usize = 1024;
const HOP: usize = 128;
/// Colours span the loudest 80 dB of each clip, like `librosa.power_to_db`'s default `top_db`.
const TOP_DB: f64 = 80.0;

// ANCHOR: spectrogram
/// The clip's power spectrogram in dB as an image: 256 rows of two STFT bins each (43 Hz a row, DC
/// to 11 kHz), one column per frame, low frequencies in the bottom row.
fn spectrogram_db(clip: &Clip) -> Field {
    let power = stft_power(&clip.samples, N_FFT, HOP);
    let (rows, frames) = (N_FFT / 4, power.ncols());
    let binned = Field::from_shape_fn((rows, frames), |(r, t)| {
        let k = 2 * (rows - 1 - r); // row 0 at the top holds the highest bins
        0.5 * (power[[k, t]] + power[[k + 1, t]])
    });
    power_to_db(&binned, Some(TOP_DB))
}
// ANCHOR_END: spectrogram

fn picture(db: &Field) -> RgbImage {
    let max = db.fold(f64::NEG_INFINITY, |m, v| m.max(*v));
    MAGMA.paint(db, max - TOP_DB, max)
}

fn main() -> anyhow::Result<()> {
    println!("clip                             kind    RMS (dBFS)  spectrogram");
    for path in audio_files(&[default_audio_dir()])? {
        let clip = load_clip(&path)?;
        let db = spectrogram_db(&clip);
        let name = format!("f12-spectrogram-{}.png", clip.stem());
        save_png(&picture(&db), &name)?;
        // The embedded files already are in the book's format: copied byte for byte.
        let bytes = std::fs::read(&path)?;
        write_atomic(&out_dir().join("audio").join(&clip.name), &bytes)?;
        let rms =
            (clip.samples.iter().map(|v| v * v).sum::<f64>() / clip.samples.len() as f64).sqrt();
        println!(
            "{:<32} {:<7} {:>10.1}  {} × {} px",
            clip.name,
            clip.kind,
            20.0 * rms.log10(),
            db.ncols(),
            db.nrows()
        );
    }
    println!(
        "({} Hz, {} ms windows, hop {} samples)",
        SAMPLE_RATE,
        1000 * N_FFT / SAMPLE_RATE as usize,
        HOP
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn a_tone_draws_a_line_at_its_height_and_low_frequencies_sit_at_the_bottom() {
        // 2 kHz is bin 2000 · 1024 / 22050 ≈ 92.9 → row 46 from the bottom (255 − 46 = 209 from the top).
        let samples: Vec<f64> = (0..22_050)
            .map(|i| 0.5 * (2.0 * PI * 2000.0 * i as f64 / 22_050.0).sin())
            .collect();
        let clip = Clip {
            name: "tone.wav".into(),
            kind: bookkit::audio::Kind::Other,
            samples,
        };
        let db = spectrogram_db(&clip);
        assert_eq!(db.dim(), (256, 1 + 22_050 / HOP));
        let column = db.column(80);
        let loudest = (0..256)
            .max_by(|a, b| column[*a].total_cmp(&column[*b]))
            .unwrap();
        assert_eq!(loudest, 255 - 46);
        // The colours span exactly the top 80 dB.
        let (lo, hi) = db
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        assert!((hi - lo - TOP_DB).abs() < 1e-9);
    }
}

//! F12: every embedded recording as a spectrogram picture (dB, magma, low frequencies at the
//! bottom), and a copy of its WAV file, so the chapter's audio players work offline.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f12-sound-clips`.
//! Pieces: recordings from `bookkit::audio`; `stft_power` and `power_to_db` from
//! `spectral::audio`; the magma colormap from `bookkit::colormap`; outputs through
//! `bookkit::figure`; `log_mean_spectrum` (`bookkit::audio`) and `smooth_log_frequency`
//! (`spectral::curve`) for how much the clips with black (lossy-coded) bands move the mean
//! spectrum; values from `bookkit::values`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use bookkit::audio::{Clip, audio_files, default_audio_dir, load_clip, log_mean_spectrum};
use bookkit::colormap::MAGMA;
use bookkit::figure::{out_dir, save_png, write_atomic};
use bookkit::image::RgbImage;
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::audio::{SAMPLE_RATE, power_to_db, stft_power};
use spectral::curve::smooth_log_frequency;

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

/// One recording: its file, the clip in the book's format and its spectrogram.
struct Recording {
    path: PathBuf,
    clip: Clip,
    db: Field,
}

/// Every embedded recording, in file order, with its spectrogram, and how much the clips whose
/// spectrograms show black bands (lossy coding) move the mean spectrum.
struct Analysis {
    recordings: Vec<Recording>,
    /// The clips with more than [`GAPPED`] of their spectrogram at the floor.
    gapped: Vec<String>,
    /// The largest change, in dB, of the (third-octave smoothed) log-mean spectrum between
    /// [`SHIFT_BAND`] when those clips are left out.
    shift_db: f64,
}

/// A spectrogram counts as gapped when more than this fraction of it is at the colour floor
/// (`TOP_DB` below its maximum): black in the picture. Quiet passages rarely get there; bands a
/// lossy coder discarded do.
const GAPPED: f64 = 0.02;
/// Where the mean spectrum's change is measured (Hz), and how it is smoothed first.
const SHIFT_BAND: (f64, f64) = (100.0, 10_000.0);
const SHIFT_SMOOTHING_OCTAVES: f64 = spectral::curve::THIRD_OCTAVE;

/// The fraction of a dB spectrogram's frequency rows that sit at its floor (`TOP_DB` below its
/// maximum) for most of the clip: black bands across the picture. A pause blackens columns (all
/// frequencies for a moment); a band the coder discarded blackens rows (a frequency range for
/// the whole clip).
///
/// Only rows below `SHIFT_BAND`'s top count: right under the Nyquist frequency every clip is dark,
/// where the resampler's and the coders' low-pass filters roll off.
fn floor_fraction(db: &Field) -> f64 {
    let max = db.fold(f64::NEG_INFINITY, |m, v| m.max(*v));
    let hz = |r: usize| (2 * (db.nrows() - 1 - r)) as f64 * f64::from(SAMPLE_RATE) / N_FFT as f64;
    let counted: Vec<usize> = (0..db.nrows()).filter(|&r| hz(r) < SHIFT_BAND.1).collect();
    let black_rows = counted
        .iter()
        .map(|&r| db.row(r))
        .filter(|row| {
            let black = row.iter().filter(|v| **v <= max - TOP_DB + 1e-9).count();
            2 * black > row.len()
        })
        .count();
    black_rows as f64 / counted.len() as f64
}

/// The largest |change| in dB of the smoothed log-mean spectrum within `SHIFT_BAND` when the
/// clips named in `left_out` are dropped.
fn mean_shift_db(clips: &[Clip], left_out: &[String]) -> Result<f64> {
    let kept: Vec<Clip> = clips
        .iter()
        .filter(|c| !left_out.contains(&c.name))
        .cloned()
        .collect();
    if kept.is_empty() || kept.len() == clips.len() {
        return Ok(0.0);
    }
    let smoothed = |set: &[Clip]| -> Result<(Vec<f64>, Vec<f64>)> {
        let mean = log_mean_spectrum(set)?.without_dc();
        let smooth = smooth_log_frequency(&mean.frequency_hz, &mean.power, SHIFT_SMOOTHING_OCTAVES);
        Ok((mean.frequency_hz, smooth))
    };
    let ((f, all), (_, some)) = (smoothed(clips)?, smoothed(&kept)?);
    Ok(f.iter()
        .zip(all.iter().zip(&some))
        .filter(|(f, _)| (SHIFT_BAND.0..=SHIFT_BAND.1).contains(*f))
        .map(|(_, (a, b))| (10.0 * (b / a).log10()).abs())
        .fold(0.0, f64::max))
}

fn compute() -> Result<Analysis> {
    let recordings = audio_files(&[default_audio_dir()])?
        .into_iter()
        .map(|path| {
            let clip = load_clip(&path)?;
            let db = spectrogram_db(&clip);
            Ok(Recording { path, clip, db })
        })
        .collect::<Result<Vec<Recording>>>()?;
    let gapped: Vec<String> = recordings
        .iter()
        .filter(|r| floor_fraction(&r.db) > GAPPED)
        .map(|r| r.clip.name.clone())
        .collect();
    let clips: Vec<Clip> = recordings.iter().map(|r| r.clip.clone()).collect();
    let shift_db = mean_shift_db(&clips, &gapped)?;
    Ok(Analysis {
        recordings,
        gapped,
        shift_db,
    })
}

fn values(a: &Analysis) -> Values {
    vec![
        ("lossy-gap-count", a.gapped.len().to_string()),
        ("lossy-mean-shift-db", format!("{:.1}", a.shift_db)),
        ("lossy-band-low-hz", format!("{:.0}", SHIFT_BAND.0)),
        (
            "lossy-band-high-khz",
            format!("{:.0}", SHIFT_BAND.1 / 1000.0),
        ),
        ("f12-window-ms", format!("{:.0}", ms(N_FFT))),
        ("f12-hop-ms", format!("{:.1}", ms(HOP))),
        ("f12-top-db", format!("{TOP_DB:.0}")),
    ]
}

/// A length in samples as milliseconds at the book's sample rate.
fn ms(samples: usize) -> f64 {
    1000.0 * samples as f64 / f64::from(SAMPLE_RATE)
}

fn picture(db: &Field) -> RgbImage {
    let max = db.fold(f64::NEG_INFINITY, |m, v| m.max(*v));
    MAGMA.paint(db, max - TOP_DB, max)
}

fn rms_dbfs(clip: &Clip) -> f64 {
    let mean_square = clip.samples.iter().map(|v| v * v).sum::<f64>() / clip.samples.len() as f64;
    20.0 * mean_square.sqrt().log10()
}

fn draw(a: &Analysis) -> Result<()> {
    println!("clip                             kind    RMS (dBFS)  spectrogram  black");
    for Recording { path, clip, db } in &a.recordings {
        save_png(
            &picture(db),
            &format!("f12-spectrogram-{}.png", clip.stem()),
        )?;
        // The embedded files already are in the book's format: copied byte for byte.
        let bytes =
            std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
        write_atomic(&out_dir().join("audio").join(&clip.name), &bytes)?;
        println!(
            "{:<32} {:<7} {:>10.1}  {} × {} px  {:>4.1}%",
            clip.name,
            clip.kind,
            rms_dbfs(clip),
            db.ncols(),
            db.nrows(),
            100.0 * floor_fraction(db)
        );
    }
    println!(
        "leaving out the {} clips with black bands moves the mean spectrum by at most {:.1} dB \
         between {} and {} Hz",
        a.gapped.len(),
        a.shift_db,
        SHIFT_BAND.0,
        SHIFT_BAND.1
    );
    println!(
        "({} Hz, {} ms windows, hop {} samples)",
        SAMPLE_RATE,
        1000 * N_FFT / SAMPLE_RATE as usize,
        HOP
    );
    Ok(())
}

fn main() -> Result<()> {
    let analysis = compute()?;
    save_values(&values(&analysis))?;
    draw(&analysis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn the_floor_fraction_counts_what_the_picture_paints_black() {
        // One row of four 100 dB down for the whole clip: a black band, a quarter of the rows.
        let db = Field::from_shape_fn((4, 10), |(r, _)| if r == 0 { -100.0 } else { -(r as f64) });
        let floored = power_to_db(&db.mapv(|v| 10f64.powf(v / 10.0)), Some(TOP_DB));
        assert!((floor_fraction(&floored) - 0.25).abs() < 1e-12);
        // A pause (every row black in 3 of 10 frames) is not a band.
        let pause = Field::from_shape_fn((4, 10), |(_, t)| if t < 3 { -100.0 } else { 0.0 });
        let floored = power_to_db(&pause.mapv(|v| 10f64.powf(v / 10.0)), Some(TOP_DB));
        assert_eq!(floor_fraction(&floored), 0.0);
        // Leaving nothing out, or everything, moves nothing.
        let clips: Vec<Clip> = compute()
            .unwrap()
            .recordings
            .into_iter()
            .map(|r| r.clip)
            .collect();
        assert_eq!(mean_shift_db(&clips, &[]).unwrap(), 0.0);
        // Leaving one clip out moves the log-mean of twelve by a measurable amount.
        let one = vec![clips[0].name.clone()];
        assert!(mean_shift_db(&clips, &one).unwrap() > 0.0);
    }

    #[test]
    fn every_embedded_recording_gets_a_picture_of_the_analysis_shape() {
        let a = compute().unwrap();
        let wavs = std::fs::read_dir(default_audio_dir())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "wav")
            })
            .count();
        assert_eq!(a.recordings.len(), wavs);
        for r in &a.recordings {
            // 256 rows; one column per hop of a 2 s clip, plus one (centred frames).
            assert_eq!(
                r.db.dim(),
                (256, 1 + r.clip.samples.len() / HOP),
                "{}",
                r.clip.name
            );
        }
    }

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

//! F16: four recordings' log-mel spectrograms shown as the images they are (128 mel bands × 87
//! frames, dB), and below each its RAPSD on log-log axes, DC dropped: a spectrum of a spectrum.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f16-mel-rapsd`.
//! Pieces: recordings and `Clip::log_mel` from `bookkit::audio` (which calls
//! `spectral::audio::log_mel_spectrogram`); `rapsd` from `spectral::spectrum`, the same function
//! as for photos; `fit_power_law` from `spectral::fit` and `fit_quality` from `spectral::curve`;
//! charts from `bookkit::plot`; values from `bookkit::values`.

use anyhow::Result;
use bookkit::audio::{Clip, default_clips, featured_clips};
use bookkit::colormap::{MAGMA, finite_range};
use bookkit::figure::save_svg;
use bookkit::image::imageops;
use bookkit::plot::{Chart, Figure, HAlign, RED, Rect, Series, Style, TextStyle, VAlign};
use bookkit::values::{Values, save_values};
use spectral::audio::{CLIP_SAMPLES, MelConfig, SAMPLE_RATE, stft_frame_count};
use spectral::curve::fit_quality;
use spectral::fit::fit_power_law;
use spectral::spectrum::{Rapsd, rapsd};

// ANCHOR: mel_rapsd
/// A clip's log-mel spectrogram, treated as an image, and the RAPSD of that image.
fn mel_rapsd(clip: &Clip) -> Rapsd {
    let image = clip.log_mel(); // 128 × 87, dB, row 0 = lowest band
    rapsd(&image).without_dc() // frequencies r / 128, r = 1 … 63
}
// ANCHOR_END: mel_rapsd

/// One clip: how well a power law fits its 1D spectrum and its log-mel RAPSD.
struct Row {
    name: String,
    raw_r2: f64,
    mel_r2: f64,
    mel_alpha: f64,
}

/// The featured clips the figure shows, and the fit table of every clip.
struct Analysis {
    featured: Vec<Clip>,
    table: Vec<Row>,
}

fn compute() -> Result<Analysis> {
    let table = fit_table(&default_clips()?);
    println!("R² of a power-law fit to each clip's curve (1 = a perfect straight line):");
    println!("  clip                             1D spectrum  log-mel RAPSD  exponent");
    for row in &table {
        println!(
            "  {:<32} {:11.2}  {:13.2}  {:8.2}",
            row.name, row.raw_r2, row.mel_r2, row.mel_alpha
        );
    }
    Ok(Analysis {
        featured: featured_clips()?,
        table,
    })
}

fn fit_table(clips: &[Clip]) -> Vec<Row> {
    clips
        .iter()
        .map(|clip| {
            let s = clip.power_spectrum().without_dc();
            let raw = fit_quality(
                &s.frequency_hz,
                &s.power,
                &fit_power_law(&s.frequency_hz, &s.power),
            );
            let r = mel_rapsd(clip);
            let law = fit_power_law(&r.frequency, &r.power);
            let mel = fit_quality(&r.frequency, &r.power, &law);
            Row {
                name: clip.name.clone(),
                raw_r2: raw.r_squared,
                mel_r2: mel.r_squared,
                mel_alpha: law.alpha,
            }
        })
        .collect()
}

fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

fn values(a: &Analysis) -> Values {
    let (raw_lo, raw_hi) = extent(a.table.iter().map(|r| r.raw_r2));
    let (mel_lo, mel_hi) = extent(a.table.iter().map(|r| r.mel_r2));
    // The log-mel image's shape and the RAPSD frequencies it gives (r/L, L its longer side).
    let mel = MelConfig::default();
    let frames = stft_frame_count(CLIP_SAMPLES, mel.n_fft, mel.hop);
    let side = mel.n_mels.max(frames);
    vec![
        ("sound-raw-r2-min", format!("{raw_lo:.2}")),
        ("sound-raw-r2-max", format!("{raw_hi:.2}")),
        ("mel-r2-min", format!("{mel_lo:.2}")),
        ("mel-r2-max", format!("{mel_hi:.2}")),
        ("mel-n-fft", mel.n_fft.to_string()),
        (
            "mel-window-ms",
            format!("{:.0}", 1000.0 * mel.n_fft as f64 / f64::from(SAMPLE_RATE)),
        ),
        ("mel-hop", mel.hop.to_string()),
        ("mel-bands", mel.n_mels.to_string()),
        ("mel-frames", frames.to_string()),
        (
            "mel-top-db",
            format!("{:.0}", mel.top_db.unwrap_or(f64::INFINITY)),
        ),
        ("mel-first-f", format!("1/{side}")),
        ("mel-last-f", format!("{}/{side}", side / 2 - 1)),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    // A 2 × 2 grid in the book's column: each clip's log-mel image (lowest band at the bottom)
    // above the RAPSD of that image.
    let (cell_w, chart_h, title) = (360.0, 230.0, 22.0);
    let pictures: Vec<_> = a
        .featured
        .iter()
        .map(|clip| {
            let db = clip.log_mel();
            let (lo, hi) = finite_range(&db);
            imageops::flip_vertical(&MAGMA.paint(&db, lo, hi))
        })
        .collect();
    // Every image drawn at the same scale: 2 CSS px per cell, or less if too wide for a cell.
    let widest = pictures.iter().map(|p| p.width()).max().unwrap_or(1);
    let tallest = pictures.iter().map(|p| p.height()).max().unwrap_or(1);
    let px = (2.0f64).min((cell_w - 20.0) / f64::from(widest));
    let image_h = f64::from(tallest) * px;
    let cell_h = title + image_h + 6.0 + chart_h;
    let mut fig = Figure::new(2.0 * cell_w, 2.0 * cell_h + 10.0);
    for (i, (clip, picture)) in a.featured.iter().zip(&pictures).enumerate() {
        let (x, y) = ((i % 2) as f64 * cell_w, (i / 2) as f64 * (cell_h + 10.0));
        let (w, h) = (
            f64::from(picture.width()) * px,
            f64::from(picture.height()) * px,
        );
        let style = TextStyle::new(13.0).anchor(HAlign::Center, VAlign::Top);
        fig.text(clip.stem(), (x + cell_w / 2.0, y + 2.0), style);
        fig.pixels(Rect::new(x + (cell_w - w) / 2.0, y + title, w, h), picture);
        let r = mel_rapsd(clip);
        let chart = Chart::loglog().x_range(0.004, 0.8).with(Series::new(
            &r.frequency,
            &r.power,
            RED,
            Style::LineDots,
        ));
        fig.chart(
            Rect::new(x, y + title + image_h + 6.0, cell_w, chart_h),
            &chart,
        );
    }
    save_svg(&fig.svg(), "f16-mel-rapsd.svg")?;
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

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn power_laws_fit_every_log_mel_rapsd_and_no_raw_spectrum() {
        for row in &compute().unwrap().table {
            // A straight line explains most of the variation of every log-mel RAPSD, and little of
            // every raw spectrum's.
            assert!(row.mel_r2 > 0.9, "{}: {}", row.name, row.mel_r2);
            assert!(row.raw_r2 < 0.8, "{}: {}", row.name, row.raw_r2);
            assert!(
                (1.5..3.5).contains(&row.mel_alpha),
                "{}: {}",
                row.name,
                row.mel_alpha
            );
        }
    }

    #[test]
    fn the_mel_image_has_the_books_shape_and_frequencies() {
        let clip = &featured_clips().unwrap()[0];
        assert_eq!(clip.log_mel().dim(), (128, 87));
        let r = mel_rapsd(clip);
        assert_eq!(r.frequency.len(), 63);
        assert_eq!(r.frequency[0], 1.0 / 128.0);
    }
}

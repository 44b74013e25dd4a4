//! F16: four recordings' log-mel spectrograms shown as the images they are (128 mel bands × 87
//! frames, dB), and below each its RAPSD on log-log axes, DC dropped: a spectrum of a spectrum.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f16-mel-rapsd`.
//! Pieces: recordings and `Clip::log_mel` from `bookkit::audio` (which calls
//! `spectral::audio::log_mel_spectrogram`); `rapsd` from `spectral::spectrum`, the same function
//! as for photos; `fit_power_law` from `spectral::fit`; charts from `bookkit::plot`.

use bookkit::audio::{Clip, default_clips, featured_clips, fit_quality};
use bookkit::colormap::{MAGMA, finite_range};
use bookkit::figure::{save_png, save_value};
use bookkit::image::imageops::{self, FilterType};
use bookkit::plot::{Canvas, Chart, RED, Series, Style};
use spectral::fit::fit_power_law;
use spectral::spectrum::{Rapsd, rapsd};

const PANEL_W: u32 = 330;
const IMAGE_H: u32 = 290;
const CHART_H: u32 = 290;

// ANCHOR: mel_rapsd
/// A clip's log-mel spectrogram, treated as an image, and the RAPSD of that image.
fn mel_rapsd(clip: &Clip) -> Rapsd {
    let image = clip.log_mel(); // 128 × 87, dB, row 0 = lowest band
    rapsd(&image).without_dc() // frequencies r / 128, r = 1 … 63
}
// ANCHOR_END: mel_rapsd

fn main() -> anyhow::Result<()> {
    let clips = featured_clips()?;
    let mut canvas = Canvas::new(4 * PANEL_W, IMAGE_H + CHART_H);
    for (i, clip) in clips.iter().enumerate() {
        // The image, lowest band at the bottom, each cell drawn as a 2 × 2 block.
        let db = clip.log_mel();
        let (lo, hi) = finite_range(&db);
        let picture = imageops::flip_vertical(&MAGMA.paint(&db, lo, hi));
        let (w, h) = (2 * picture.width(), 2 * picture.height());
        let picture = imageops::resize(&picture, w, h, FilterType::Nearest);
        let x = i as u32 * PANEL_W + (PANEL_W - w) / 2;
        canvas.paste(&picture, i64::from(x), 26);
        canvas.text(clip.stem(), x as i32, 6, 15, bookkit::plot::FONT)?;

        let r = mel_rapsd(clip);
        let chart = Chart::loglog().x_range(0.004, 0.8).with(Series::new(
            &r.frequency,
            &r.power,
            RED,
            Style::LineDots,
        ));
        canvas.draw_chart(&chart, i as u32 * PANEL_W, IMAGE_H, PANEL_W, CHART_H)?;
    }
    save_png(&canvas.into_image(), "f16-mel-rapsd.png")?;

    let table = fit_table(&default_clips()?);
    println!("R² of a power-law fit to each clip's curve (1 = a perfect straight line):");
    println!("  clip                             1D spectrum  log-mel RAPSD  exponent");
    for row in &table {
        println!(
            "  {:<32} {:11.2}  {:13.2}  {:8.2}",
            row.name, row.raw_r2, row.mel_r2, row.mel_alpha
        );
    }
    let (raw_lo, raw_hi) = extent(table.iter().map(|r| r.raw_r2));
    let (mel_lo, mel_hi) = extent(table.iter().map(|r| r.mel_r2));
    save_value("sound-raw-r2-min", &format!("{raw_lo:.2}"))?;
    save_value("sound-raw-r2-max", &format!("{raw_hi:.2}"))?;
    save_value("mel-r2-min", &format!("{mel_lo:.2}"))?;
    save_value("mel-r2-max", &format!("{mel_hi:.2}"))?;
    Ok(())
}

/// One clip: how well a power law fits its 1D spectrum and its log-mel RAPSD.
struct Row {
    name: String,
    raw_r2: f64,
    mel_r2: f64,
    mel_alpha: f64,
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

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::figure::saved_value;

    #[test]
    fn power_laws_fit_every_log_mel_rapsd_and_no_raw_spectrum() {
        let table = fit_table(&default_clips().unwrap());
        for row in &table {
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
        let (raw_lo, raw_hi) = extent(table.iter().map(|r| r.raw_r2));
        let (mel_lo, mel_hi) = extent(table.iter().map(|r| r.mel_r2));
        for (name, value) in [
            ("sound-raw-r2-min", raw_lo),
            ("sound-raw-r2-max", raw_hi),
            ("mel-r2-min", mel_lo),
            ("mel-r2-max", mel_hi),
        ] {
            if let Some(shown) = saved_value(name) {
                assert_eq!(shown, format!("{value:.2}"), "{name}");
            }
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

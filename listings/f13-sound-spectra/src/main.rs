//! F13: the 1D power spectra of four embedded recordings (two of speech, two of music), |rFFT|²/N
//! of the whole 2 s clip, log-log, in Hz, DC dropped.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f13-sound-spectra`.
//! Pieces: recordings and `Clip::power_spectrum` from `bookkit::audio` (which calls
//! `spectral::audio::power_spectrum`); `peak` from `bookkit::audio`; charts from `bookkit::plot`.

use bookkit::audio::{featured_clips, peak};
use bookkit::figure::save_png;
use bookkit::plot::{Canvas, Chart, RED, Series, Style};

const PANEL_W: u32 = 330;
const PANEL_H: u32 = 300;

fn main() -> anyhow::Result<()> {
    // ANCHOR: spectra
    let clips = featured_clips()?;
    let spectra: Vec<_> = clips
        .iter()
        .map(|clip| clip.power_spectrum().without_dc())
        .collect();
    // ANCHOR_END: spectra

    let mut canvas = Canvas::new(4 * PANEL_W, PANEL_H);
    for (i, (clip, s)) in clips.iter().zip(&spectra).enumerate() {
        let mut chart = Chart::loglog().title(clip.stem()).with(Series::new(
            &s.frequency_hz,
            &s.power,
            RED,
            Style::LineDots,
        ));
        chart.x_label = "frequency (Hz)".into();
        canvas.draw_chart(&chart, i as u32 * PANEL_W, 0, PANEL_W, PANEL_H)?;
    }
    save_png(&canvas.into_image(), "f13-sound-spectra.png")?;
    println!("clip                      loudest bin      power range (DC dropped)");
    for (clip, s) in clips.iter().zip(&spectra) {
        let (f, _) = peak(&s.frequency_hz, &s.power);
        let lo = s.power.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = s.power.iter().copied().fold(0.0, f64::max);
        println!("{:<24} {f:8.1} Hz    {lo:.1e} … {hi:.1e}", clip.stem());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn none_of_the_four_spectra_peaks_at_its_lowest_frequencies_as_a_falling_law_would() {
        // (Not true of every embedded clip: the Danish one has a rumble at 12 Hz.)
        for clip in featured_clips().unwrap() {
            let s = clip.power_spectrum().without_dc();
            let (f, _) = peak(&s.frequency_hz, &s.power);
            assert!(f > 100.0, "{}: loudest at {f} Hz", clip.name);
            let lowest = s.power[..20].iter().copied().fold(0.0, f64::max); // up to 10 Hz
            assert!(
                s.power.iter().copied().fold(0.0, f64::max) > 10.0 * lowest,
                "{}",
                clip.name
            );
        }
    }
}

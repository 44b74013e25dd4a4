//! F13: the 1D power spectra of four embedded recordings (two of speech, two of music), |rFFT|²/N
//! of the whole 2 s clip, log-log, in Hz, DC dropped.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f13-sound-spectra`.
//! Pieces: recordings and `Clip::power_spectrum` from `bookkit::audio` (which calls
//! `spectral::audio::power_spectrum`); `peak` from `spectral::curve`; charts from
//! `bookkit::plot`; values from `bookkit::values` (the audio format the chapter describes).

use anyhow::Result;
use bookkit::audio::{Clip, featured_clips};
use bookkit::figure::save_svg;
use bookkit::plot::{Chart, Figure, RED, Rect, Series, Style};
use bookkit::values::thousands;
use bookkit::values::{Values, save_values};
use spectral::audio::{SAMPLE_RATE, Spectrum1d};
use spectral::curve::peak;

/// The four featured clips and their spectra, DC dropped.
struct Analysis {
    clips: Vec<Clip>,
    spectra: Vec<Spectrum1d>,
}

fn compute() -> Result<Analysis> {
    // ANCHOR: spectra
    let clips = featured_clips()?;
    let spectra: Vec<_> = clips
        .iter()
        .map(|clip| clip.power_spectrum().without_dc())
        .collect();
    // ANCHOR_END: spectra
    println!("clip                      loudest bin      power range (DC dropped)");
    for (clip, s) in clips.iter().zip(&spectra) {
        let (f, _) = peak(&s.frequency_hz, &s.power);
        let lo = s.power.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = s.power.iter().copied().fold(0.0, f64::max);
        println!("{:<24} {f:8.1} Hz    {lo:.1e} … {hi:.1e}", clip.stem());
    }
    Ok(Analysis { clips, spectra })
}

/// The format the chapter describes: sample rate, clip length, frequency step and top frequency.
fn values(a: &Analysis) -> Values {
    let hz = &a.spectra[0].frequency_hz;
    let seconds = a.clips[0].samples.len() as f64 / f64::from(SAMPLE_RATE);
    vec![
        ("sample-rate", thousands(u64::from(SAMPLE_RATE))),
        ("clip-seconds", format!("{seconds:.0}")),
        ("frequency-step-hz", format!("{:.1}", hz[0])),
        ("nyquist-hz", thousands(hz[hz.len() - 1].round() as u64)),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    // A 2 × 2 grid in the book's column. 22,050 points per curve: a plain line (markers dropped).
    let (w, h) = (360.0, 270.0);
    let mut fig = Figure::new(2.0 * w, 2.0 * h);
    for (i, (clip, s)) in a.clips.iter().zip(&a.spectra).enumerate() {
        let chart = Chart::loglog()
            .title(clip.stem())
            .labels("frequency (Hz)", "power")
            .with(Series::new(&s.frequency_hz, &s.power, RED, Style::Line).width(1.0));
        let (x, y) = ((i % 2) as f64 * w, (i / 2) as f64 * h);
        fig.chart(Rect::new(x, y, w, h), &chart);
    }
    save_svg(&fig.svg(), "f13-sound-spectra.svg")?;
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
    fn none_of_the_four_spectra_peaks_at_its_lowest_frequencies_as_a_falling_law_would() {
        // (Not true of every embedded clip: the Danish one has a rumble at 12 Hz.)
        let a = compute().unwrap();
        for (clip, s) in a.clips.iter().zip(&a.spectra) {
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

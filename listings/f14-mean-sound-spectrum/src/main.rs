//! F14: the log-domain mean power spectrum of all embedded recordings, log-log, in Hz, DC dropped,
//! with its third-octave smoothed version and the frequency where that peaks.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f14-mean-sound-spectrum`.
//! Pieces: recordings and `log_mean_spectrum` (the clips' spectra in parallel, averaged by
//! `spectral::audio::log_mean_spectrum`) from `bookkit::audio`; `smooth_log_frequency` and
//! `peak` from `spectral::curve`; the chart from `bookkit::plot`; values from `bookkit::values`.

use anyhow::Result;
use bookkit::audio::{Clip, Kind, default_clips, log_mean_spectrum};
use bookkit::figure::save_svg;
use bookkit::plot::{BLACK, Chart, GREY, RED, Series, SeriesLabelPosition, Style};
use bookkit::values::{Values, save_values};
use spectral::audio::Spectrum1d;
use spectral::curve::{peak, smooth_log_frequency};

/// Width of the smoothing window, in octaves: a third of an octave, acoustics' usual band.
const SMOOTHING_OCTAVES: f64 = spectral::curve::THIRD_OCTAVE;

/// The frequency the "not monotone" check starts from: well below every voice and most notes.
const LOW_HZ: f64 = 30.0;

/// What the chapter reports about the mean spectrum.
struct Analysis {
    clips: Vec<Clip>,
    mean: Spectrum1d,
    smooth: Vec<f64>,
    peak_hz: f64,
    /// How many times more power the smoothed curve has at its peak than at [`LOW_HZ`].
    rise: f64,
    /// Whole orders of magnitude the smoothed curve falls from its peak to the Nyquist frequency.
    fall_decades: f64,
}

fn compute() -> Result<Analysis> {
    // ANCHOR: mean
    let clips = default_clips()?;
    let mean = log_mean_spectrum(&clips)?.without_dc();
    // ANCHOR_END: mean
    // ANCHOR: peak
    let smooth = smooth_log_frequency(&mean.frequency_hz, &mean.power, SMOOTHING_OCTAVES);
    let (peak_hz, peak_power) = peak(&mean.frequency_hz, &smooth);
    let low = mean
        .frequency_hz
        .iter()
        .position(|f| *f == LOW_HZ)
        .expect("a 0.5 Hz grid");
    let rise = peak_power / smooth[low];
    // ANCHOR_END: peak
    let fall_decades = (peak_power / smooth[smooth.len() - 1]).log10().floor();
    print_table(&mean, &smooth, peak_hz);
    Ok(Analysis {
        clips,
        mean,
        smooth,
        peak_hz,
        rise,
        fall_decades,
    })
}

fn print_table(mean: &Spectrum1d, smooth: &[f64], peak_hz: f64) {
    println!("frequency (Hz)  mean power  smoothed");
    for f in [
        0.5, 3.0, 30.0, 100.0, 300.0, peak_hz, 1000.0, 3000.0, 10_000.0, 11_025.0,
    ] {
        let k = mean
            .frequency_hz
            .iter()
            .position(|x| *x == f)
            .expect("a grid frequency");
        println!("{f:>14.1}  {:10.2e}  {:8.2e}", mean.power[k], smooth[k]);
    }
}

fn values(a: &Analysis) -> Values {
    let count = |kind: Kind| a.clips.iter().filter(|c| c.kind == kind).count();
    vec![
        ("clip-count", a.clips.len().to_string()),
        ("clip-count-speech", count(Kind::Speech).to_string()),
        ("clip-count-music", count(Kind::Music).to_string()),
        ("sound-peak-hz", format!("{:.0}", a.peak_hz)),
        ("sound-rise", format!("{:.0}", a.rise)),
        ("sound-fall-decades", format!("{:.0}", a.fall_decades)),
        ("sound-low-hz", format!("{LOW_HZ:.0}")),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    let (f, peak_hz) = (&a.mean.frequency_hz, a.peak_hz);
    let (y_lo, y_hi) = (1e-8, 1.0);
    let mut chart = Chart::loglog()
        .y_range(y_lo, y_hi)
        .legend_at(SeriesLabelPosition::LowerLeft)
        .with(Series::new(f, &a.mean.power, RED, Style::LineDots).label("log-domain mean"))
        .with(Series::new(f, &a.smooth, BLACK, Style::Line).label("third-octave smoothing"))
        .with(
            Series::new(&[peak_hz, peak_hz], &[y_lo, y_hi], GREY, Style::Dotted)
                .label(&format!("peak of the smoothed curve, {peak_hz:.0} Hz")),
        );
    chart.x_label = "frequency (Hz)".into();
    save_svg(&chart.svg(720, 400), "f14-mean-sound-spectrum.svg")?;
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
    use bookkit::audio::default_audio_dir;

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    /// The recordings in `data/audio` counted without the loader: every file with an audio
    /// extension, and those whose names start with "speech" or "music". A chapter's count fails
    /// here when a recording is added or removed.
    fn files_in_the_data_folder() -> (usize, usize, usize) {
        let names: Vec<String> = std::fs::read_dir(default_audio_dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_lowercase())
            .filter(|n| {
                [
                    ".wav", ".wave", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".aifc",
                ]
                .iter()
                .any(|x| n.ends_with(x))
            })
            .collect();
        let starting = |word: &str| names.iter().filter(|n| n.starts_with(word)).count();
        (names.len(), starting("speech"), starting("music"))
    }

    #[test]
    fn the_clip_counts_are_the_files_in_the_data_folder() {
        let v = values(&compute().unwrap());
        let shown = |name: &str| v.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        let (all, speech, music) = files_in_the_data_folder();
        assert_eq!(shown("clip-count"), all.to_string());
        assert_eq!(shown("clip-count-speech"), speech.to_string());
        assert_eq!(shown("clip-count-music"), music.to_string());
    }

    #[test]
    fn the_mean_spectrum_rises_to_a_peak_in_the_hundreds_of_hz_so_it_is_not_monotone() {
        let s = compute().unwrap();
        // A spectrum that falls with frequency, like an image's, would give a rise ≤ 1. Smoothed
        // over a third of an octave (14 bins at 30 Hz, 160 at the peak), the log-mean of twelve
        // clips varies by far less than a factor 5 from noise alone.
        assert!(s.rise > 5.0, "rise {}", s.rise);
        assert!((150.0..700.0).contains(&s.peak_hz), "{}", s.peak_hz);
        // And it falls again: above the peak, by more than a factor 1000 at 10 kHz, and by more
        // than the whole orders of magnitude the chapter states at the Nyquist frequency.
        let at = |f: f64| s.smooth[s.mean.frequency_hz.iter().position(|x| *x == f).unwrap()];
        assert!(at(s.peak_hz) / at(10_000.0) > 1e3);
        let fall = at(s.peak_hz) / at(11_025.0);
        assert!(
            s.fall_decades >= 3.0 && fall > 10f64.powf(s.fall_decades),
            "{fall}"
        );
        assert!(fall < 10f64.powf(s.fall_decades + 1.0), "{fall}");
    }
}

//! F14: the log-domain mean power spectrum of all embedded recordings, log-log, in Hz, DC dropped,
//! with its third-octave smoothed version and the frequency where that peaks.
//!
//! Chapter: "What about sound?". Run: `cargo run -p f14-mean-sound-spectrum`.
//! Pieces: recordings, `log_mean_spectrum`, `smooth_log_frequency` and `peak` from
//! `bookkit::audio`; the chart from `bookkit::plot`.

use bookkit::audio::{default_clips, log_mean_spectrum, peak, smooth_log_frequency};
use bookkit::figure::{save_png, save_value};
use bookkit::plot::{BLACK, Chart, GREY, RED, Series, SeriesLabelPosition, Style};
use spectral::audio::Spectrum1d;

/// Width of the smoothing window, in octaves: a third of an octave, acoustics' usual band.
const SMOOTHING_OCTAVES: f64 = 1.0 / 3.0;

/// The frequency the "not monotone" check starts from: well below every voice and most notes.
const LOW_HZ: f64 = 30.0;

/// What the chapter reports about the mean spectrum.
struct Shape {
    mean: Spectrum1d,
    smooth: Vec<f64>,
    peak_hz: f64,
    /// How many times more power the smoothed curve has at its peak than at [`LOW_HZ`].
    rise: f64,
}

fn shape(mean: Spectrum1d) -> Shape {
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
    Shape {
        mean,
        smooth,
        peak_hz,
        rise,
    }
}

fn main() -> anyhow::Result<()> {
    // ANCHOR: mean
    let clips = default_clips()?;
    let mean = log_mean_spectrum(&clips)?.without_dc();
    // ANCHOR_END: mean
    let Shape {
        mean,
        smooth,
        peak_hz,
        rise,
    } = shape(mean);
    save_value("sound-count", &clips.len().to_string())?;
    save_value("sound-peak-hz", &format!("{peak_hz:.0}"))?;
    save_value("sound-rise", &format!("{rise:.0}"))?;
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

    let (y_lo, y_hi) = (1e-8, 1.0);
    let mut chart = Chart::loglog()
        .y_range(y_lo, y_hi)
        .legend_at(SeriesLabelPosition::LowerLeft)
        .with(
            Series::new(&mean.frequency_hz, &mean.power, RED, Style::LineDots)
                .label("log-domain mean"),
        )
        .with(
            Series::new(&mean.frequency_hz, &smooth, BLACK, Style::Line)
                .label("third-octave smoothing"),
        )
        .with(
            Series::new(&[peak_hz, peak_hz], &[y_lo, y_hi], GREY, Style::Dotted)
                .label(&format!("peak of the smoothed curve, {peak_hz:.0} Hz")),
        );
    chart.x_label = "frequency (Hz)".into();
    save_png(&chart.render(720, 400)?, "f14-mean-sound-spectrum.png")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::figure::saved_value;

    #[test]
    fn the_mean_spectrum_rises_to_a_peak_in_the_hundreds_of_hz_so_it_is_not_monotone() {
        let clips = default_clips().unwrap();
        let s = shape(log_mean_spectrum(&clips).unwrap().without_dc());
        // A spectrum that falls with frequency, like an image's, would give a rise ≤ 1. Smoothed
        // over a third of an octave (14 bins at 30 Hz, 160 at the peak), the log-mean of twelve
        // clips varies by far less than a factor 5 from noise alone.
        assert!(s.rise > 5.0, "rise {}", s.rise);
        assert!((150.0..700.0).contains(&s.peak_hz), "{}", s.peak_hz);
        // And it falls again: above the peak, by more than a factor 1000 at 10 kHz.
        let at = |f: f64| s.smooth[s.mean.frequency_hz.iter().position(|x| *x == f).unwrap()];
        assert!(at(s.peak_hz) / at(10_000.0) > 1e3);
        // The numbers the chapter shows are these.
        if let Some(shown) = saved_value("sound-peak-hz") {
            assert_eq!(shown, format!("{:.0}", s.peak_hz));
        }
        if let Some(shown) = saved_value("sound-rise") {
            assert_eq!(shown, format!("{:.0}", s.rise));
        }
        if let Some(shown) = saved_value("sound-count") {
            assert_eq!(shown, clips.len().to_string());
        }
    }
}

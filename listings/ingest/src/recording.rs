//! Decoded samples to the book's format: mono at 22,050 Hz with values in [−1, 1], long enough
//! for a spectrogram, or the reason the samples cannot give a spectrum. The conversion itself
//! (channels averaged, band-limited resampling) is the core's [`spectral::conversion`].

use spectral::audio::SAMPLE_RATE;
use spectral::conversion::{downmix, resample};

use crate::limits::Reader;
use crate::wav::Samples;

/// The shortest recording accepted, in samples at [`SAMPLE_RATE`]: one STFT window of the
/// log-mel spectrogram (n_fft = 2048, 93 ms).
pub const MIN_SAMPLES: usize = 2048;

// ANCHOR: book_format
/// Mono at [`SAMPLE_RATE`], or the reason the samples cannot give a spectrum. The rate, the
/// channels and the length are checked against `reader`'s limits again, whatever decoded them,
/// before the resampler allocates its output.
pub fn to_book_format(decoded: &Samples, reader: &Reader) -> Result<Vec<f64>, String> {
    let Samples {
        sample_rate,
        channels,
        interleaved,
    } = decoded;
    reader.check_recording(*sample_rate, *channels, interleaved.len() as u64)?;
    if interleaved.is_empty() {
        return Err("the file holds no audio samples".into());
    }
    if let Some(i) = interleaved.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "sample {} is {} (not a finite number): the file is damaged",
            i / channels,
            interleaved[i]
        ));
    }
    let mono = downmix(interleaved, *channels);
    if mono.iter().all(|v| *v == 0.0) {
        let mixed = if *channels > 1 {
            " after averaging its channels"
        } else {
            ""
        };
        return Err(format!(
            "the recording is silent (every sample is 0{mixed}), so it has no spectrum to measure"
        ));
    }
    let samples = resample(&mono, *sample_rate, SAMPLE_RATE);
    if samples.len() < MIN_SAMPLES {
        return Err(too_short(samples.len(), *sample_rate));
    }
    Ok(samples)
}
// ANCHOR_END: book_format

fn too_short(len: usize, from: u32) -> String {
    let ms = |n: usize| 1000.0 * n as f64 / f64::from(SAMPLE_RATE);
    let resampled = if from == SAMPLE_RATE {
        String::new()
    } else {
        format!(" after resampling from {from} Hz")
    };
    format!(
        "too short: {len} samples at {SAMPLE_RATE} Hz ({:.0} ms){resampled}; a spectrogram needs \
         at least one {MIN_SAMPLES}-sample window ({:.0} ms)",
        ms(len),
        ms(MIN_SAMPLES)
    )
}

/// The middle `len` samples (the book measures the middle 2 s of each recording), or why there
/// are none ("1.50 s long, shorter than the 2 s excerpt").
pub fn centred_excerpt(samples: &[f64], len: usize) -> Result<&[f64], String> {
    let start = samples.len().checked_sub(len).ok_or_else(|| {
        format!(
            "{:.2} s long, shorter than the {} s excerpt",
            samples.len() as f64 / f64::from(SAMPLE_RATE),
            len as f64 / f64::from(SAMPLE_RATE)
        )
    })? / 2;
    Ok(&samples[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book_format(s: &Samples) -> Result<Vec<f64>, String> {
        to_book_format(s, &crate::COMMAND_LINE)
    }

    fn samples(sample_rate: u32, channels: usize, interleaved: Vec<f64>) -> Samples {
        Samples {
            sample_rate,
            channels,
            interleaved,
        }
    }

    #[test]
    fn unusable_samples_are_refused_with_the_reason() {
        let e = book_format(&samples(22_050, 1, vec![])).unwrap_err();
        assert_eq!(e, "the file holds no audio samples");
        let mut x = vec![0.1; 5000];
        x[1234] = f64::NAN;
        let e = book_format(&samples(22_050, 1, x)).unwrap_err();
        assert!(
            e.starts_with("sample 1234 is NaN (not a finite number)"),
            "{e}"
        );
        let cancel: Vec<f64> = (0..5000)
            .flat_map(|i| [f64::from(i % 9), -f64::from(i % 9)])
            .collect();
        let e = book_format(&samples(22_050, 2, cancel)).unwrap_err();
        assert!(
            e.contains("silent (every sample is 0 after averaging its channels)"),
            "{e}"
        );
        let e = book_format(&samples(8_000, 1, vec![0.5; 700])).unwrap_err();
        assert!(
            e.starts_with("too short: 1930 samples") && e.contains("from 8000 Hz"),
            "{e}"
        );
        assert_eq!(
            book_format(&samples(8_000, 1, vec![0.5; 800]))
                .unwrap()
                .len(),
            2205
        );
        // Whatever decoded the samples, the rate is checked before resampling.
        let e = book_format(&samples(1, 1, vec![0.5; 100])).unwrap_err();
        assert!(e.starts_with("a sample rate of 1 Hz"), "{e}");
    }

    #[test]
    fn the_excerpt_is_the_middle_or_says_how_long_the_recording_is() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(centred_excerpt(&x, 4).unwrap(), &[3.0, 4.0, 5.0, 6.0]);
        let short = vec![0.0; 33_075];
        assert_eq!(
            centred_excerpt(&short, 44_100).unwrap_err(),
            "1.50 s long, shorter than the 2 s excerpt"
        );
    }
}

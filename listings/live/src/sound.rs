//! The chapter "What about sound?" for one recording: its log-mel spectrogram treated as an
//! image, the RAPSD of that image and the power law fitted to it (F16's `mel_rapsd`, F17's fit).
//!
//! A WAV file's bytes become the book's format as `bookkit::audio` makes it: integer PCM divided
//! by 2^(bits−1) (float as stored), channels averaged and the rate converted to 22,050 Hz by the
//! core's [`spectral::conversion`], then the middle 2 s. The mel pipeline, the RAPSD and the fit
//! are the core's, the same functions the static figures call.

use std::io::Cursor;

use spectral::Field;
use spectral::audio::{CLIP_SAMPLES, MelConfig, SAMPLE_RATE, log_mel_spectrogram};
use spectral::conversion::{downmix, resample};
use spectral::fit::{PowerLaw, fit_power_law};
use spectral::spectrum::rapsd;

/// The most samples (all channels) the page decodes: ten minutes of CD-quality stereo. The widget
/// measures 2 s; a longer file is more likely an album than a recording to measure.
pub const MAX_SAMPLES: usize = 10 * 60 * 44_100 * 2;

/// One recording, measured.
#[derive(Debug)]
pub struct SoundCurve {
    /// r / 128, r = 1 … (DC dropped).
    pub frequency: Vec<f64>,
    pub power: Vec<f64>,
    pub law: PowerLaw,
    /// The log-mel spectrogram (dB), 128 bands × 87 frames, band 0 lowest.
    pub log_mel: Field,
    /// Length of the whole recording in seconds, and its original rate and channels.
    pub seconds: f64,
    pub sample_rate: u32,
    pub channels: usize,
}

/// Measures a WAV file's middle 2 s, or says in a sentence why it cannot.
pub fn analyse_wav(bytes: &[u8]) -> Result<SoundCurve, String> {
    let (interleaved, sample_rate, channels) = decode_wav(bytes)?;
    if let Some(i) = interleaved.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "sample {} is not a finite number: the file is damaged",
            i / channels
        ));
    }
    let mono = downmix(&interleaved, channels);
    if mono.iter().all(|v| *v == 0.0) {
        return Err("the recording is silent, so it has no spectrum to measure".into());
    }
    let samples = resample(&mono, sample_rate, SAMPLE_RATE);
    let seconds = samples.len() as f64 / f64::from(SAMPLE_RATE);
    let Some(start) = samples.len().checked_sub(CLIP_SAMPLES).map(|s| s / 2) else {
        return Err(format!(
            "the recording is {seconds:.2} s long; the book measures its middle 2 s"
        ));
    };
    let clip = &samples[start..start + CLIP_SAMPLES];
    let log_mel = log_mel_spectrogram(clip, f64::from(SAMPLE_RATE), &MelConfig::default());
    let curve = rapsd(&log_mel).without_dc();
    let law = fit_power_law(&curve.frequency, &curve.power);
    Ok(SoundCurve {
        frequency: curve.frequency,
        power: curve.power,
        law,
        log_mel,
        seconds,
        sample_rate,
        channels,
    })
}

/// Interleaved samples in [−1, 1], the rate and the channel count of a WAV file.
fn decode_wav(bytes: &[u8]) -> Result<(Vec<f64>, u32, usize), String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if !(bytes.starts_with(b"RIFF") || bytes.starts_with(b"RIFX"))
        || bytes.get(8..12) != Some(b"WAVE")
    {
        return Err(
            "this is not a WAV file: the page reads WAV recordings (the `spectra` \
                    command also reads FLAC, Ogg, MP3 and AIFF)"
                .into(),
        );
    }
    let reader = hound::WavReader::new(Cursor::new(bytes))
        .map_err(|e| format!("this WAV file cannot be read: {e}"))?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    if channels == 0 || spec.sample_rate == 0 {
        return Err("the WAV header states no channels or no sample rate".into());
    }
    if reader.len() as usize > MAX_SAMPLES {
        return Err(format!(
            "the recording is {:.1} minutes long; the page takes up to 10 minutes",
            f64::from(reader.len()) / channels as f64 / f64::from(spec.sample_rate) / 60.0
        ));
    }
    let samples: Result<Vec<f64>, hound::Error> = match spec.sample_format {
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f64;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|v| f64::from(v) * scale))
                .collect()
        }
        hound::SampleFormat::Float => reader
            .into_samples::<f32>()
            .map(|s| s.map(f64::from))
            .collect(),
    };
    let samples = samples.map_err(|e| format!("this WAV file cannot be decoded: {e}"))?;
    if samples.is_empty() {
        return Err("the file holds no audio samples".into());
    }
    Ok((samples, spec.sample_rate, channels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embedded_clip_measures_as_the_book_measures_it() {
        for name in bookkit::audio::FEATURED_CLIPS {
            let path = bookkit::audio::default_audio_dir().join(name);
            let ours = analyse_wav(&std::fs::read(&path).unwrap()).unwrap();
            let clip = bookkit::audio::load_excerpt(&path, CLIP_SAMPLES).unwrap();
            let want = rapsd(&clip.log_mel()).without_dc();
            assert_eq!(ours.frequency, want.frequency);
            assert_eq!(ours.power, want.power, "{name}");
            assert!(ours.law.alpha > 0.5, "{name}: {}", ours.law.alpha);
        }
    }

    #[test]
    fn bad_recordings_are_refused_with_a_sentence() {
        assert!(analyse_wav(b"not a wav").unwrap_err().contains("not a WAV"));
        let mut short = Vec::new();
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 22_050,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::new(Cursor::new(&mut short), spec).unwrap();
        for i in 0..1000 {
            w.write_sample((i % 100) as i16).unwrap();
        }
        w.finalize().unwrap();
        assert!(analyse_wav(&short).unwrap_err().contains("2 s"));
    }
}

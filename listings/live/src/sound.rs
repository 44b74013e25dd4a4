//! The chapter "What about sound?" for one recording: its log-mel spectrogram treated as an
//! image, the RAPSD of that image and the power law fitted to it (F16's `mel_rapsd`, F17's fit).
//!
//! A WAV file's bytes become the book's format exactly as `bookkit::audio` makes them: decoded by
//! [`ingest::wav`], converted by [`ingest::recording`] (limits checked, channels averaged, the
//! rate converted to 22,050 Hz by the core), then the middle 2 s. The mel pipeline, the RAPSD and
//! the fit are the core's, the same functions the static figures call.

use ingest::PAGE;
use ingest::recording::{centred_excerpt, to_book_format};
use ingest::wav::WavError;
use spectral::Field;
use spectral::audio::{CLIP_SAMPLES, MelConfig, SAMPLE_RATE, log_mel_spectrogram};
use spectral::fit::{PowerLaw, fit_power_law};
use spectral::spectrum::rapsd;

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
    let decoded = ingest::wav::decode(bytes, &PAGE).map_err(|e| match e {
        WavError::NotWav(reason) => format!(
            "{reason}: the page reads WAV recordings (the `spectra` command also reads FLAC, Ogg \
             Vorbis, MP3 and AIFF)"
        ),
        WavError::Refused(problem) => problem,
    })?;
    let samples = to_book_format(&decoded, &PAGE)?;
    let seconds = samples.len() as f64 / f64::from(SAMPLE_RATE);
    let clip = centred_excerpt(&samples, CLIP_SAMPLES)?;
    let log_mel = log_mel_spectrogram(clip, f64::from(SAMPLE_RATE), &MelConfig::default());
    let curve = rapsd(&log_mel).without_dc();
    let law = fit_power_law(&curve.frequency, &curve.power);
    Ok(SoundCurve {
        frequency: curve.frequency,
        power: curve.power,
        law,
        log_mel,
        seconds,
        sample_rate: decoded.sample_rate,
        channels: decoded.channels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ingest::fixtures::{tone, wav16, with_data_length, with_sample_rate};

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

    /// The page refuses what the book refuses, in the book's words: each bad recording is written
    /// to a file for the kit's loader and handed to the page as bytes. The tiny rate and the
    /// claimed length would otherwise ask the page for gigabytes, which aborts the module and
    /// freezes the tab.
    #[test]
    fn bad_recordings_get_the_kits_sentence_in_the_page() {
        let one_hertz = with_sample_rate(tone(), 1);
        let endless = with_data_length(tone(), u32::MAX - 3);
        let wave = |n: usize| (0..n).map(|i| ((i % 50) * 400) as i16);
        let cases: [(&str, Vec<u8>, &str); 4] = [
            (
                "one-hertz.wav",
                one_hertz,
                "a sample rate of 1 Hz, outside the 4000 to 768000 Hz",
            ),
            (
                "endless.wav",
                endless,
                "truncated or damaged WAV: the header claims 2147483646 samples",
            ),
            (
                "short.wav",
                wav16(22_050, 1, wave(33_075)),
                "1.50 s long, shorter than the 2 s",
            ),
            (
                "silent.wav",
                wav16(22_050, 1, [0; 50_000]),
                "the recording is silent",
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, words) in cases {
            let page = analyse_wav(&bytes).unwrap_err();
            assert!(page.starts_with(words), "{name}: the page says {page}");
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let book = bookkit::audio::load_excerpt(&path, CLIP_SAMPLES)
                .unwrap_err()
                .problem;
            assert_eq!(book, page, "{name}");
        }
        let mp3 = analyse_wav(b"ID3 not really").unwrap_err();
        assert!(mp3.starts_with("not a WAV file"), "{mp3}");
    }
}

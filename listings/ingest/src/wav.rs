//! WAV bytes to samples: integer PCM of 8, 16, 24 or 32 bits divided by 2^(bits−1), or 32-bit
//! float as stored, through `hound`. The header states the rate, the channels and the length, so
//! a file claiming more samples than its bytes can hold, an implausible rate or channel count, or
//! an overlong recording is refused before a sample is read ([`crate::limits`]).

use std::io::Cursor;

use crate::limits::Reader;

/// A decoded recording before conversion: interleaved samples as stored, scaled to [−1, 1].
#[derive(Clone, Debug, PartialEq)]
pub struct Samples {
    pub sample_rate: u32,
    pub channels: usize,
    pub interleaved: Vec<f64>,
}

/// Why WAV decoding gave no samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WavError {
    /// Not a WAV file this decoder reads: another format, or a WAV variant `hound` does not know
    /// (64-bit float, compressed). A reader with other decoders tries them.
    NotWav(String),
    /// A WAV file that cannot be used, and why: no other decoder should try it.
    Refused(String),
}

/// Whether the bytes start like a WAV file (a RIFF container of type WAVE).
pub fn is_wav(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WAVE"
}

/// Decodes a WAV file's bytes.
pub fn decode(bytes: &[u8], reader: &Reader) -> Result<Samples, WavError> {
    use WavError::{NotWav, Refused};
    reader
        .check_file_size(bytes.len() as u64)
        .map_err(Refused)?;
    if !is_wav(bytes) {
        return Err(NotWav("not a WAV file (no RIFF/WAVE header)".into()));
    }
    let wav = hound::WavReader::new(Cursor::new(bytes)).map_err(|e| NotWav(e.to_string()))?;
    let spec = wav.spec();
    let channels = usize::from(spec.channels);
    let claimed = u64::from(wav.len());
    check_claimed_length(claimed, spec.bits_per_sample, bytes.len()).map_err(Refused)?;
    reader
        .check_recording(spec.sample_rate, channels, claimed)
        .map_err(Refused)?;
    let interleaved: Result<Vec<f64>, hound::Error> = match spec.sample_format {
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f64;
            wav.into_samples::<i32>()
                .map(|s| s.map(|v| f64::from(v) * scale))
                .collect()
        }
        hound::SampleFormat::Float => wav
            .into_samples::<f32>()
            .map(|s| s.map(f64::from))
            .collect(),
    };
    let interleaved = interleaved.map_err(|e| Refused(format!("damaged WAV: {e}")))?;
    Ok(Samples {
        sample_rate: spec.sample_rate,
        channels,
        interleaved,
    })
}

/// Refuses a header claiming more samples than `file_bytes` bytes can hold: a truncated download,
/// or a damaged length field (the memory for the claimed samples is allocated before reading).
fn check_claimed_length(claimed: u64, bits: u16, file_bytes: usize) -> Result<(), String> {
    let width = u64::from(bits.div_ceil(8)).max(1);
    let room = file_bytes as u64 / width;
    if claimed > room {
        return Err(format!(
            "truncated or damaged WAV: the header claims {claimed} samples, but the file's \
             {file_bytes} bytes hold at most {room}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{tone, wav16, with_data_length, with_sample_rate};
    use crate::limits::{COMMAND_LINE, PAGE};

    #[test]
    fn samples_are_scaled_to_minus_one_one() {
        let bytes = wav16(8_000, 2, [0, 16_384, -32_768, 32_767]);
        let s = decode(&bytes, &PAGE).unwrap();
        assert_eq!((s.sample_rate, s.channels), (8_000, 2));
        assert_eq!(s.interleaved, vec![0.0, 0.5, -1.0, 32_767.0 / 32_768.0]);
    }

    #[test]
    fn a_tiny_sample_rate_is_refused_before_any_resampling() {
        // Two seconds of samples that claim 1 Hz would be 12 hours at 1 Hz, resampled to
        // 44,100 × 22,050 samples: 7.8 GB of f64.
        for reader in [COMMAND_LINE, PAGE] {
            let e = decode(&with_sample_rate(tone(), 1), &reader).unwrap_err();
            assert_eq!(
                e,
                WavError::Refused(
                    "a sample rate of 1 Hz, outside the 4000 to 768000 Hz that recordings use \
                     (a damaged header?)"
                        .into()
                )
            );
        }
    }

    #[test]
    fn a_huge_claimed_length_is_refused_before_it_is_allocated() {
        let bytes = with_data_length(wav16(44_100, 2, [100; 1000]), u32::MAX - 3);
        let e = match decode(&bytes, &COMMAND_LINE) {
            Err(WavError::Refused(e)) => e,
            other => panic!("refused, not passed on: {other:?}"),
        };
        assert!(
            e.starts_with("truncated or damaged WAV: the header claims 2147483646 samples"),
            "{e}"
        );
    }

    #[test]
    fn other_formats_are_passed_on_and_oversized_files_refused() {
        assert!(matches!(
            decode(b"fLaC....", &PAGE),
            Err(WavError::NotWav(_))
        ));
        let e = decode(&[], &PAGE).unwrap_err();
        assert_eq!(e, WavError::Refused("empty file (0 bytes)".into()));
        assert!(!is_wav(b"RIFF\0\0\0\0AVI "));
    }
}

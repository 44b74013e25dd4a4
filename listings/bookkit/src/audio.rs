//! Loading the book's recordings, and a reader's own: any folder of audio files brought to the
//! format the post used, mono at 22,050 Hz with samples in [−1, 1].
//!
//! WAV files (8/16/24/32-bit integer or 32-bit float PCM) are decoded by [`ingest::wav`], as the
//! page's widget decodes them; everything else (FLAC, Ogg Vorbis, MP3, AIFF, 64-bit float WAV, …)
//! goes through `symphonia`. The conversion to the book's format is [`ingest::recording`] (with
//! the core's `spectral::conversion` doing the arithmetic). Files that cannot give a meaningful
//! spectrum are refused with a [`BadFile`] naming them, as photos are: empty, not audio, a sample
//! rate outside [[`MIN_SAMPLE_RATE`], [`MAX_SAMPLE_RATE`]], shorter than one STFT window or
//! implausibly long ([`MAX_SAMPLES`]), silent, or holding NaN or infinite samples. Folders are
//! walked by [`crate::inputs`], the same way as for photos.
//!
//! The second half of the module measures a *set* of clips in parallel, with the core's
//! functions: the log-domain mean of their 1D power spectra and the log-domain mean RAPSD of
//! their log-mel spectrograms. The figure listings and the `spectra` tool share these functions.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use spectral::Field;
use spectral::audio::{
    CLIP_SAMPLES, MelConfig, SAMPLE_RATE, Spectrum1d, log_mel_spectrogram, power_spectrum,
};
use spectral::spectrum::{Rapsd, log_mean_rapsd, rapsd};

use crate::data::read_bytes;
pub use crate::inputs::AUDIO_EXTENSIONS;
use crate::inputs::{BadFile, RECORDINGS};
pub use ingest::limits::{MAX_SAMPLE_RATE, MAX_SAMPLES, MIN_SAMPLE_RATE};
pub use ingest::recording::MIN_SAMPLES;
use ingest::recording::{centred_excerpt, to_book_format};
pub use ingest::wav::Samples;
use ingest::wav::WavError;
use ingest::{COMMAND_LINE, Reader};

/// Speech or music, as the post's two kinds of "typical" recordings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Speech,
    Music,
    /// Neither word appears in the file name or its folders.
    Other,
}

impl Kind {
    /// "speech" or "music" at the start of the file name (the book's `speech-01-french.wav`), else
    /// in the name of a folder above it (GTZAN's `speech_wav/` and `music_wav/`).
    pub fn of_path(path: &Path) -> Kind {
        let from = |s: &str| {
            let s = s.to_ascii_lowercase();
            if s.starts_with("speech") {
                Some(Kind::Speech)
            } else if s.starts_with("music") {
                Some(Kind::Music)
            } else {
                None
            }
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if let Some(kind) = name.as_deref().and_then(from) {
            return kind;
        }
        path.ancestors()
            .skip(1)
            .filter_map(|a| a.file_name())
            .find_map(|n| from(&n.to_string_lossy()))
            .unwrap_or(Kind::Other)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Speech => "speech",
            Kind::Music => "music",
            Kind::Other => "other",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

// ANCHOR: clip
/// A recording in the book's format: mono, [`SAMPLE_RATE`] samples per second, values in [−1, 1]
/// (integer PCM divided by 2^(bits−1); float files as stored).
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    /// File name without folders, for captions and logs.
    pub name: String,
    pub kind: Kind,
    pub samples: Vec<f64>,
}

impl Clip {
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(SAMPLE_RATE)
    }

    /// The file name without its extension (`speech-01-french`).
    pub fn stem(&self) -> &str {
        self.name
            .rsplit_once('.')
            .map_or(self.name.as_str(), |(s, _)| s)
    }

    /// |rFFT(x)|² / N of the whole clip, at k · 22,050 / N Hz, DC included.
    pub fn power_spectrum(&self) -> Spectrum1d {
        power_spectrum(&self.samples, f64::from(SAMPLE_RATE))
    }

    /// The log-mel spectrogram in dB with the book's settings (`MelConfig::default()`): an image of
    /// 128 mel bands × 87 frames for a 2 s clip, low frequencies in row 0.
    pub fn log_mel(&self) -> Field {
        log_mel_spectrogram(&self.samples, f64::from(SAMPLE_RATE), &MelConfig::default())
    }

    /// The middle `len` samples, or `None` if the clip is shorter.
    pub fn centred_excerpt(&self, len: usize) -> Option<Clip> {
        self.excerpt(len).ok()
    }

    /// [`Clip::centred_excerpt`], or why there is none ("1.50 s long, shorter than the 2 s
    /// excerpt"): [`ingest::recording::centred_excerpt`], as the page cuts it.
    pub fn excerpt(&self, len: usize) -> Result<Clip, String> {
        Ok(Clip {
            name: self.name.clone(),
            kind: self.kind,
            samples: centred_excerpt(&self.samples, len)?.to_vec(),
        })
    }
}
// ANCHOR_END: clip

// ANCHOR: load
/// Loads one audio file and brings it to the book's format, or says in one line why it cannot.
/// The conversion (limits checked, channels averaged, rate converted to 22,050 Hz, too short or
/// silent refused) is [`ingest::recording::to_book_format`], shared with the page's widget.
pub fn load_clip(path: &Path) -> Result<Clip, BadFile> {
    let decoded = decode_file(path)?;
    let samples =
        to_book_format(&decoded, &COMMAND_LINE).map_err(|problem| BadFile::new(path, problem))?;
    Ok(Clip {
        name: file_name(path),
        kind: Kind::of_path(path),
        samples,
    })
}
// ANCHOR_END: load

/// Loads one recording and cuts the middle `len` samples the book measures (`len` =
/// [`CLIP_SAMPLES`]: the post's 2 s excerpts), or says why it cannot.
pub fn load_excerpt(path: &Path, len: usize) -> Result<Clip, BadFile> {
    load_clip(path)?
        .excerpt(len)
        .map_err(|problem| BadFile::new(path, problem))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads a file's samples as stored: WAV through [`ingest::wav`] (as the page does), anything
/// else (or a WAV `hound` cannot read, such as 64-bit float) through `symphonia`. The limits of
/// [`ingest::limits`] hold for both.
pub fn decode_file(path: &Path) -> Result<Samples, BadFile> {
    decode_limited(path, &COMMAND_LINE)
}

fn decode_limited(path: &Path, reader: &Reader) -> Result<Samples, BadFile> {
    let bad = |problem: String| BadFile::new(path, problem);
    let bytes = read_bytes(path)?;
    let wav_error = match ingest::wav::decode(&bytes, reader) {
        Ok(samples) => return Ok(samples),
        Err(WavError::Refused(problem)) => return Err(bad(problem)),
        Err(WavError::NotWav(reason)) => reason,
    };
    let hint = path.extension().and_then(|e| e.to_str());
    match decode_other(bytes, hint, reader) {
        Ok(Ok(samples)) => Ok(samples),
        Ok(Err(problem)) => Err(bad(problem)),
        Err(other_error) => Err(bad(format!(
            "not a readable audio file (as WAV: {wav_error}; as FLAC, Ogg Vorbis, MP3 or \
             AIFF: {other_error:#})"
        ))),
    }
}

/// Any format `symphonia` knows, decoded to f64 (its integer conversion is also ÷ 2^(bits−1)).
/// Packets it cannot decode are skipped, as players do; a file with none decodable is an error.
/// The outer error means "not readable as any of these formats"; the inner one, a recording
/// `reader`'s limits refuse (checked from the codec's parameters, then after every packet, so
/// decoding stops as soon as a limit is passed).
fn decode_other(
    bytes: Vec<u8>,
    extension: Option<&str>,
    reader: &Reader,
) -> Result<Result<Samples, String>> {
    use symphonia::core::codecs::audio::AudioDecoderOptions;
    use symphonia::core::errors::Error as SymphoniaError;
    use symphonia::core::formats::probe::Hint;
    use symphonia::core::formats::{FormatOptions, TrackType};
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::meta::MetadataOptions;

    let stream = MediaSourceStream::new(Box::new(std::io::Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = extension {
        hint.with_extension(ext);
    }
    let mut format = symphonia::default::get_probe().probe(
        &hint,
        stream,
        FormatOptions::default(),
        MetadataOptions::default(),
    )?;
    let track = format
        .default_track(TrackType::Audio)
        .context("no audio track")?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .context("no audio codec parameters")?
        .clone();
    let mut sample_rate = params.sample_rate;
    let mut channels = params.channels.as_ref().map(|c| c.count());
    if let (Some(rate), Some(ch)) = (sample_rate, channels)
        && let Err(problem) = reader.check_recording(rate, ch, 0)
    {
        return Ok(Err(problem));
    }
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())?;
    let (mut interleaved, mut packet_samples) = (Vec::new(), Vec::new());
    while let Some(packet) = format.next_packet()? {
        if packet.track_id != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(audio) => {
                sample_rate = Some(audio.spec().rate());
                channels = Some(audio.spec().channels().count());
                audio.copy_to_vec_interleaved::<f64>(&mut packet_samples);
                interleaved.extend_from_slice(&packet_samples);
            }
            Err(SymphoniaError::DecodeError(_)) => continue,
            Err(e) => return Err(e.into()),
        }
        let (rate, ch) = (sample_rate.unwrap_or(0), channels.unwrap_or(0));
        if let Err(problem) = reader.check_recording(rate, ch, interleaved.len() as u64) {
            return Ok(Err(problem));
        }
    }
    match (sample_rate, channels) {
        (Some(rate), Some(ch)) if rate > 0 && ch > 0 => Ok(Ok(Samples {
            sample_rate: rate,
            channels: ch,
            interleaved,
        })),
        _ => bail!("no decodable audio (unknown sample rate or channel count)"),
    }
}

/// Every audio file under the given files and folders (folders walked recursively, by extension,
/// see [`AUDIO_EXTENSIONS`]; files named directly are taken whatever their extension), sorted by
/// path so results never depend on directory order. The first input that cannot be used is the
/// error; [`RECORDINGS`]`.walk` goes on past them.
pub fn audio_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    RECORDINGS.files(inputs)
}

/// Loads every audio file under `inputs` in parallel; the result keeps the sorted file order.
pub fn load_clips(inputs: &[PathBuf]) -> Result<Vec<Clip>> {
    let clips = audio_files(inputs)?
        .par_iter()
        .map(|p| load_clip(p))
        .collect::<Result<Vec<_>, BadFile>>()?;
    Ok(clips)
}

/// `data/audio`: the book's embedded recordings.
pub fn default_audio_dir() -> PathBuf {
    crate::data::workspace_root().join("data/audio")
}

/// All embedded recordings (six of speech, six of music, 2 s each).
pub fn default_clips() -> Result<Vec<Clip>> {
    load_clips(&[default_audio_dir()])
}

/// The four embedded clips the post-style figures F13 and F16 show: two of speech, two of music.
pub const FEATURED_CLIPS: [&str; 4] = [
    "speech-01-french.wav",
    "speech-03-russian.wav",
    "music-03-fiddle.wav",
    "music-04-mariachi.wav",
];

/// The featured clips, in the order of [`FEATURED_CLIPS`].
pub fn featured_clips() -> Result<Vec<Clip>> {
    let dir = default_audio_dir();
    FEATURED_CLIPS
        .iter()
        .map(|name| Ok(load_clip(&dir.join(name))?))
        .collect()
}

// ----------------------------------------------------------------------------------------------
// Measurements on a set of clips.

/// The length every clip of the set shares, or an error listing the lengths: spectra of clips of
/// different lengths have different frequency grids and cannot be averaged point by point.
pub fn common_length(clips: &[Clip]) -> Result<usize> {
    let first = clips.first().context("no clips to measure")?;
    let len = first.samples.len();
    if let Some(other) = clips.iter().find(|c| c.samples.len() != len) {
        bail!(
            "clips differ in length ({}: {} samples, {}: {} samples): cut them to a common length \
             first, e.g. the middle 2 s of each ({} samples)",
            first.name,
            len,
            other.name,
            other.samples.len(),
            CLIP_SAMPLES
        );
    }
    Ok(len)
}

/// The middle `len` samples of every clip (the post analysed 2 s excerpts: `len` = [`CLIP_SAMPLES`]).
pub fn centred_excerpts(clips: &[Clip], len: usize) -> Result<Vec<Clip>> {
    clips
        .iter()
        .map(|c| {
            c.excerpt(len)
                .map_err(|problem| anyhow::anyhow!("{}: {problem}", c.name))
        })
        .collect()
}

/// The log-domain mean of the clips' power spectra, DC included
/// ([`spectral::audio::log_mean_spectrum`]), the spectra computed in parallel. The clips must be
/// equally long.
pub fn log_mean_spectrum(clips: &[Clip]) -> Result<Spectrum1d> {
    common_length(clips)?;
    let spectra: Vec<Spectrum1d> = clips.par_iter().map(Clip::power_spectrum).collect();
    Ok(spectral::audio::log_mean_spectrum(&spectra))
}

// ANCHOR: mel_rapsd
/// Every clip's log-mel spectrogram (dB, `MelConfig::default()`), as an image.
pub fn log_mel_images(clips: &[Clip]) -> Vec<Field> {
    clips.par_iter().map(Clip::log_mel).collect()
}

/// The RAPSD of each clip's log-mel image, DC included (frequencies r/128 for 2 s clips).
pub fn mel_rapsds(clips: &[Clip]) -> Vec<Rapsd> {
    log_mel_images(clips).par_iter().map(rapsd).collect()
}

/// The log-domain mean RAPSD of the clips' log-mel images, DC included. The clips must be equally
/// long, so that their images share one shape.
pub fn log_mean_mel_rapsd(clips: &[Clip]) -> Result<Rapsd> {
    common_length(clips)?;
    Ok(log_mean_rapsd(&log_mel_images(clips)))
}
// ANCHOR_END: mel_rapsd

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn sine(hz: f64, amplitude: f64, rate: u32, seconds: f64) -> Vec<f64> {
        let n = (seconds * f64::from(rate)).round() as usize;
        (0..n)
            .map(|i| amplitude * (2.0 * PI * hz * i as f64 / f64::from(rate)).sin())
            .collect()
    }

    fn spec(channels: u16, rate: u32, bits: u16, format: hound::SampleFormat) -> hound::WavSpec {
        hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: format,
        }
    }

    /// Writes integer samples (already in the target bit depth's range).
    fn write_int_wav(path: &Path, spec: hound::WavSpec, samples: &[i32]) {
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for s in samples {
            match spec.bits_per_sample {
                8 => w.write_sample(*s as i8).unwrap(),
                16 => w.write_sample(*s as i16).unwrap(),
                _ => w.write_sample(*s).unwrap(),
            }
        }
        w.finalize().unwrap();
    }

    fn write_float_wav(path: &Path, channels: u16, rate: u32, samples: &[f32]) {
        let spec = spec(channels, rate, 32, hound::SampleFormat::Float);
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for s in samples {
            w.write_sample(*s).unwrap();
        }
        w.finalize().unwrap();
    }

    /// A signal that is exactly representable in every bit depth: steps of 1/4 of full scale.
    const QUARTERS: [f64; 8] = [0.0, 0.25, 0.5, 0.75, -0.25, -0.5, -0.75, -1.0];

    fn quarters_long() -> Vec<f64> {
        QUARTERS
            .iter()
            .cycle()
            .take(4 * MIN_SAMPLES)
            .copied()
            .collect()
    }

    #[test]
    fn every_integer_and_float_wav_format_is_scaled_to_minus_one_one() {
        let dir = tempfile::tempdir().unwrap();
        let x = quarters_long();
        for bits in [8u16, 16, 24, 32] {
            let full = (1u64 << (bits - 1)) as f64;
            let ints: Vec<i32> = x.iter().map(|v| (v * full) as i32).collect();
            let path = dir.path().join(format!("int{bits}.wav"));
            write_int_wav(
                &path,
                spec(1, SAMPLE_RATE, bits, hound::SampleFormat::Int),
                &ints,
            );
            let clip = load_clip(&path).unwrap();
            assert_eq!(clip.samples, x, "{bits}-bit");
        }
        let path = dir.path().join("float.wav");
        let floats: Vec<f32> = x.iter().map(|v| *v as f32).collect();
        write_float_wav(&path, 1, SAMPLE_RATE, &floats);
        assert_eq!(load_clip(&path).unwrap().samples, x);
    }

    #[test]
    fn channels_are_averaged_into_one() {
        let dir = tempfile::tempdir().unwrap();
        // Three channels: 0.75, −0.25 and the quarter pattern; the mean is (0.5 + q) / 3.
        let q = quarters_long();
        let mut interleaved = Vec::new();
        for v in &q {
            interleaved.extend_from_slice(&[0.75f32, -0.25, *v as f32]);
        }
        let path = dir.path().join("three.wav");
        write_float_wav(&path, 3, SAMPLE_RATE, &interleaved);
        let clip = load_clip(&path).unwrap();
        assert_eq!(clip.samples.len(), q.len());
        for (got, v) in clip.samples.iter().zip(&q) {
            assert!((got - (0.5 + v) / 3.0).abs() < 1e-12);
        }
    }

    /// Amplitude of the component at `hz` (a least-squares fit of sin and cos over the whole signal,
    /// which is exact for a whole number of periods).
    fn amplitude_at(x: &[f64], hz: f64, rate: u32) -> f64 {
        let w = 2.0 * PI * hz / f64::from(rate);
        let (s, c) = x.iter().enumerate().fold((0.0, 0.0), |(s, c), (i, v)| {
            (s + v * (w * i as f64).sin(), c + v * (w * i as f64).cos())
        });
        2.0 * s.hypot(c) / x.len() as f64
    }

    #[test]
    fn files_at_other_rates_are_resampled_when_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tone-48k.wav");
        let x = sine(440.0, 0.5, 48_000, 0.5);
        let ints: Vec<i32> = x.iter().map(|v| (v * 32768.0).round() as i32).collect();
        write_int_wav(&path, spec(2, 48_000, 16, hound::SampleFormat::Int), &{
            ints.iter().flat_map(|v| [*v, *v]).collect::<Vec<_>>()
        });
        let clip = load_clip(&path).unwrap();
        assert_eq!(clip.samples.len(), 11_025);
        assert!((amplitude_at(&clip.samples[1000..10_261], 440.0, SAMPLE_RATE) - 0.5).abs() < 1e-3);
    }

    fn error_of(path: &Path) -> String {
        format!("{:#}", load_clip(path).unwrap_err())
    }

    #[test]
    fn unusable_files_are_refused_with_their_name_and_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);

        std::fs::write(at("empty.wav"), b"").unwrap();
        let e = error_of(&at("empty.wav"));
        assert!(e.contains("empty.wav") && e.contains("empty file"), "{e}");

        std::fs::write(at("notes.wav"), b"these are notes, not a recording\n").unwrap();
        let e = error_of(&at("notes.wav"));
        assert!(
            e.contains("notes.wav") && e.contains("not a readable audio file"),
            "{e}"
        );

        let e = error_of(&at("missing.wav"));
        assert!(
            e.contains("missing.wav") && e.ends_with("no such file or folder"),
            "{e}"
        );

        write_int_wav(
            &at("header-only.wav"),
            spec(1, SAMPLE_RATE, 16, hound::SampleFormat::Int),
            &[],
        );
        let e = error_of(&at("header-only.wav"));
        assert!(
            e.contains("header-only.wav") && e.contains("no audio samples"),
            "{e}"
        );

        let short = vec![1000; MIN_SAMPLES - 1];
        write_int_wav(
            &at("short.wav"),
            spec(1, SAMPLE_RATE, 16, hound::SampleFormat::Int),
            &short,
        );
        let e = error_of(&at("short.wav"));
        assert!(
            e.contains("short.wav") && e.contains("too short") && e.contains("2047"),
            "{e}"
        );
        // 800 samples at 8 kHz are 2,205 at 22,050 Hz: enough. 700 become 1,930: too short, and
        // the message says it was measured after resampling.
        let tone = |n: usize| {
            (0..n)
                .map(|i| ((i % 16) as i32 - 8) * 1000)
                .collect::<Vec<_>>()
        };
        write_int_wav(
            &at("ok-8k.wav"),
            spec(1, 8000, 16, hound::SampleFormat::Int),
            &tone(800),
        );
        assert_eq!(load_clip(&at("ok-8k.wav")).unwrap().samples.len(), 2205);
        write_int_wav(
            &at("short-8k.wav"),
            spec(1, 8000, 16, hound::SampleFormat::Int),
            &tone(700),
        );
        let e = error_of(&at("short-8k.wav"));
        assert!(
            e.contains("short-8k.wav") && e.contains("after resampling from 8000 Hz"),
            "{e}"
        );

        write_int_wav(
            &at("silent.wav"),
            spec(1, SAMPLE_RATE, 16, hound::SampleFormat::Int),
            &vec![0; 5000],
        );
        let e = error_of(&at("silent.wav"));
        assert!(e.contains("silent.wav") && e.contains("silent"), "{e}");
        // Two channels that cancel are silent too once averaged.
        let cancel: Vec<i32> = (0..5000).flat_map(|i| [i % 100, -(i % 100)]).collect();
        write_int_wav(
            &at("cancel.wav"),
            spec(2, SAMPLE_RATE, 16, hound::SampleFormat::Int),
            &cancel,
        );
        let e = error_of(&at("cancel.wav"));
        assert!(
            e.contains("cancel.wav") && e.contains("after averaging its channels"),
            "{e}"
        );

        for (name, bad) in [("nan.wav", f32::NAN), ("inf.wav", f32::INFINITY)] {
            let mut x = vec![0.1f32; 5000];
            x[1234] = bad;
            write_float_wav(&at(name), 1, SAMPLE_RATE, &x);
            let e = error_of(&at(name));
            assert!(
                e.contains(name) && e.contains("sample 1234") && e.contains("not a finite"),
                "{e}"
            );
        }
    }

    #[test]
    fn overlong_files_are_refused_before_they_fill_memory() {
        let dir = tempfile::tempdir().unwrap();
        let limited = |max_samples| Reader {
            max_samples,
            ..COMMAND_LINE
        };
        let wav = dir.path().join("long.wav");
        write_int_wav(
            &wav,
            spec(2, 44_100, 16, hound::SampleFormat::Int),
            &vec![100; 3000],
        );
        assert!(decode_limited(&wav, &limited(3000)).is_ok());
        let e = format!("{:#}", decode_limited(&wav, &limited(2999)).unwrap_err());
        assert!(
            e.contains("long.wav") && e.contains("too long") && e.contains("44100 Hz"),
            "{e}"
        );
        // 10,000 samples at 8 kHz are 27,563 at 22,050 Hz: that is what the limit bounds.
        let flac = dir.path().join("long.flac");
        let plane: Vec<i16> = (0..10_000).map(|i| (i % 200) as i16).collect();
        std::fs::write(&flac, flac::encode(8000, &[plane])).unwrap();
        assert!(decode_limited(&flac, &limited(27_563)).is_ok());
        let e = format!("{:#}", decode_limited(&flac, &limited(27_562)).unwrap_err());
        assert!(
            e.contains("long.flac") && e.contains("too long") && e.contains("8000 Hz"),
            "{e}"
        );
    }

    /// A header claiming a sample rate of 1 Hz: two seconds of samples would be resampled to
    /// 22,050 times as many, gigabytes, and running out of memory aborts the process. WAV and
    /// FLAC (`hound` and `symphonia`) are refused alike, before any resampling.
    #[test]
    fn a_tiny_sample_rate_is_refused_by_every_decoder() {
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("one-hertz.wav");
        let tone: Vec<i32> = (0..44_100).map(|i| (i % 50) * 400 - 10_000).collect();
        write_int_wav(&wav, spec(1, 1, 16, hound::SampleFormat::Int), &tone);
        let flac = dir.path().join("one-hertz.flac");
        let plane: Vec<i16> = tone.iter().map(|v| *v as i16).collect();
        std::fs::write(&flac, flac::encode(1, &[plane])).unwrap();
        for path in [wav, flac] {
            let e = error_of(&path);
            assert!(
                e.contains("one-hertz.")
                    && e.contains("a sample rate of 1 Hz, outside the 4000 to 768000 Hz"),
                "{e}"
            );
        }
    }

    /// A WAV file written by hand with 64-bit float samples (format tag 3), which `hound` cannot
    /// read: the loader must fall back to `symphonia`.
    fn float64_wav(rate: u32, channels: u16, samples: &[f64]) -> Vec<u8> {
        let data_len = (samples.len() * 8) as u32;
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&(36 + data_len).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&3u16.to_le_bytes()); // IEEE float
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * 8 * u32::from(channels)).to_le_bytes());
        b.extend_from_slice(&(8 * channels).to_le_bytes());
        b.extend_from_slice(&64u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&data_len.to_le_bytes());
        for s in samples {
            b.extend_from_slice(&s.to_le_bytes());
        }
        b
    }

    #[test]
    fn a_wav_hound_cannot_read_is_decoded_by_symphonia() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f64.wav");
        let x = quarters_long();
        std::fs::write(&path, float64_wav(SAMPLE_RATE, 1, &x)).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            matches!(
                ingest::wav::decode(&bytes, &COMMAND_LINE),
                Err(WavError::NotWav(_))
            ),
            "hound reads 64-bit float now: find another fixture"
        );
        assert_eq!(load_clip(&path).unwrap().samples, x);
    }

    /// A minimal FLAC encoder for test fixtures: STREAMINFO, then fixed-size frames whose
    /// subframes store every sample verbatim, with the format's CRC-8 and CRC-16 checksums.
    mod flac {
        struct Bits {
            bytes: Vec<u8>,
            acc: u64,
            n: u32,
        }

        impl Bits {
            fn new() -> Bits {
                Bits {
                    bytes: Vec::new(),
                    acc: 0,
                    n: 0,
                }
            }
            fn put(&mut self, value: u64, bits: u32) {
                for i in (0..bits).rev() {
                    self.acc = (self.acc << 1) | ((value >> i) & 1);
                    self.n += 1;
                    if self.n == 8 {
                        self.bytes.push(self.acc as u8);
                        (self.acc, self.n) = (0, 0);
                    }
                }
            }
            fn align(&mut self) {
                while self.n != 0 {
                    self.put(0, 1);
                }
            }
        }

        fn crc8(data: &[u8]) -> u8 {
            data.iter().fold(0u8, |mut crc, b| {
                crc ^= b;
                for _ in 0..8 {
                    crc = if crc & 0x80 != 0 {
                        (crc << 1) ^ 0x07
                    } else {
                        crc << 1
                    };
                }
                crc
            })
        }

        fn crc16(data: &[u8]) -> u16 {
            data.iter().fold(0u16, |mut crc, b| {
                crc ^= u16::from(*b) << 8;
                for _ in 0..8 {
                    crc = if crc & 0x8000 != 0 {
                        (crc << 1) ^ 0x8005
                    } else {
                        crc << 1
                    };
                }
                crc
            })
        }

        /// 16-bit FLAC of `channels` planes (each `i16` samples), at `rate` Hz.
        pub fn encode(rate: u32, planes: &[Vec<i16>]) -> Vec<u8> {
            const BLOCK: usize = 4096;
            let (channels, total) = (planes.len(), planes[0].len());
            let mut out = b"fLaC".to_vec();
            let mut info = Bits::new();
            info.put(1 << 7, 8); // last metadata block, type 0 (STREAMINFO)
            info.put(34, 24);
            info.put(BLOCK as u64, 16);
            info.put(BLOCK as u64, 16);
            info.put(0, 24);
            info.put(0, 24);
            info.put(u64::from(rate), 20);
            info.put(channels as u64 - 1, 3);
            info.put(15, 5); // 16 bits per sample
            info.put(total as u64, 36);
            info.put(0, 64); // MD5 unknown (all zero): decoders skip the check
            info.put(0, 64);
            out.extend_from_slice(&info.bytes);
            for (index, start) in (0..total).step_by(BLOCK).enumerate() {
                assert!(index < 128, "one-byte frame numbers only");
                let len = BLOCK.min(total - start);
                let mut f = Bits::new();
                f.put(0b11_1111_1111_1110, 14); // sync code
                f.put(0, 2); // reserved, fixed block size
                f.put(0b0111, 4); // block size: 16 bits at the end of the header
                f.put(0, 4); // sample rate from STREAMINFO
                f.put(channels as u64 - 1, 4); // independent channels
                f.put(0b100, 3); // 16 bits per sample
                f.put(0, 1);
                f.put(index as u64, 8); // frame number (UTF-8 coded, < 128)
                f.put(len as u64 - 1, 16);
                let crc = crc8(&f.bytes);
                f.put(u64::from(crc), 8);
                for plane in planes {
                    f.put(0, 1);
                    f.put(0b000001, 6); // VERBATIM subframe
                    f.put(0, 1);
                    for s in &plane[start..start + len] {
                        f.put(u64::from(*s as u16), 16);
                    }
                }
                f.align();
                let crc = crc16(&f.bytes);
                f.put(u64::from(crc), 16);
                out.extend_from_slice(&f.bytes);
            }
            out
        }
    }

    #[test]
    fn a_stereo_flac_at_44_1_khz_is_decoded_mixed_and_resampled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tone.flac");
        // Left: a 1 kHz sine at 0.5; right: silence. Mono is a 1 kHz sine at 0.25.
        let left: Vec<i16> = sine(1000.0, 0.5, 44_100, 0.5)
            .iter()
            .map(|v| (v * 32768.0).round() as i16)
            .collect();
        let right = vec![0i16; left.len()];
        std::fs::write(&path, flac::encode(44_100, &[left.clone(), right])).unwrap();
        let decoded = decode_file(&path).unwrap();
        assert_eq!((decoded.sample_rate, decoded.channels), (44_100, 2));
        let expected: Vec<f64> = left
            .iter()
            .flat_map(|v| [f64::from(*v) / 32768.0, 0.0])
            .collect();
        assert_eq!(decoded.interleaved, expected);
        let clip = load_clip(&path).unwrap();
        assert_eq!(clip.samples.len(), 11_025);
        assert!((amplitude_at(&clip.samples[1000..9820], 1000.0, SAMPLE_RATE) - 0.25).abs() < 1e-3);
        assert_eq!(clip.kind, Kind::Other);
    }

    #[test]
    fn kinds_come_from_the_file_name_or_a_folder_above_it() {
        assert_eq!(Kind::of_path(Path::new("x/b.flac")), Kind::Other);
        assert_eq!(Kind::of_path(Path::new("x/Music-a.wav")), Kind::Music);
        assert_eq!(
            Kind::of_path(Path::new("speech_wav/talk.WAV")),
            Kind::Speech
        );
        // The file name wins over its folders.
        assert_eq!(
            Kind::of_path(Path::new("speech_wav/music.wav")),
            Kind::Music
        );
    }

    #[test]
    fn the_embedded_clips_are_the_books_twelve_two_second_recordings() {
        let clips = default_clips().unwrap();
        assert_eq!(clips.len(), 12);
        assert!(clips.iter().all(|c| c.samples.len() == CLIP_SAMPLES));
        let speech = clips.iter().filter(|c| c.kind == Kind::Speech).count();
        let music = clips.iter().filter(|c| c.kind == Kind::Music).count();
        assert_eq!((speech, music), (6, 6));
        // SOURCES.md: every excerpt is peak-normalised to −1 dBFS, |x| = 0.891.
        for c in &clips {
            let peak = c.samples.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!((peak - 0.891).abs() < 1e-3, "{}: {peak}", c.name);
        }
        let featured = featured_clips().unwrap();
        assert_eq!(featured[0].stem(), "speech-01-french");
    }

    #[test]
    fn set_measurements_need_equal_lengths_and_excerpts_provide_them() {
        let clip = |name: &str, n: usize| Clip {
            name: name.into(),
            kind: Kind::Other,
            samples: (0..n)
                .map(|i| ((i * 7919) % 201) as f64 / 100.0 - 1.0)
                .collect(),
        };
        let clips = [clip("a.wav", 5000), clip("b.wav", 6000)];
        let e = log_mean_spectrum(&clips).unwrap_err().to_string();
        assert!(
            e.contains("a.wav") && e.contains("b.wav") && e.contains("differ"),
            "{e}"
        );
        let cut = centred_excerpts(&clips, 4000).unwrap();
        assert_eq!(cut[1].samples[..], clips[1].samples[1000..5000]);
        assert!(log_mean_spectrum(&cut).is_ok());
        let e = centred_excerpts(&clips, 5500).unwrap_err().to_string();
        assert!(e.contains("a.wav") && e.contains("shorter"), "{e}");
    }

    #[test]
    fn log_mean_spectrum_is_the_geometric_mean_of_the_clips_spectra() {
        let a = Clip {
            name: "a".into(),
            kind: Kind::Other,
            samples: sine(440.0, 0.5, SAMPLE_RATE, 0.2),
        };
        let b = Clip {
            name: "b".into(),
            kind: Kind::Other,
            samples: sine(1000.0, 0.1, SAMPLE_RATE, 0.2),
        };
        let mean = log_mean_spectrum(&[a.clone(), b.clone()]).unwrap();
        let (pa, pb) = (a.power_spectrum().power, b.power_spectrum().power);
        for k in [1, 88, 200, 1000] {
            assert!((mean.power[k] / (pa[k] * pb[k]).sqrt() - 1.0).abs() < 1e-12);
        }
    }
}

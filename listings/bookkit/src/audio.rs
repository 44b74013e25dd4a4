//! Loading the book's recordings, and a reader's own: any folder of audio files brought to the
//! format the post used, mono at 22,050 Hz with samples in [−1, 1].
//!
//! WAV files (8/16/24/32-bit integer or 32-bit float PCM) are read with `hound`; everything else
//! (FLAC, Ogg Vorbis, MP3, AIFF, 64-bit float WAV, …) goes through `symphonia`. Channels are
//! averaged into one, and any other sample rate is converted with a band-limited (Kaiser-windowed
//! sinc) resampler. Files that cannot give a meaningful spectrum are refused with an error naming
//! them: empty, not audio, shorter than one STFT window or implausibly long ([`MAX_SAMPLES`]),
//! silent, or holding NaN or infinite samples.
//!
//! The second half of the module measures a *set* of clips the way the sound chapter does: the
//! log-domain mean of their 1D power spectra, where it peaks, and the log-domain mean RAPSD of
//! their log-mel spectrograms. The figure listings and the `spectra` tool share these functions.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use spectral::Field;
use spectral::audio::{
    CLIP_SAMPLES, MelConfig, SAMPLE_RATE, Spectrum1d, log_mel_spectrogram, power_spectrum,
};
use spectral::fit::{PowerLaw, log_mean, resample_log_uniform};
use spectral::spectrum::{Rapsd, log_mean_rapsd, rapsd};

/// File extensions the folder walk picks up (lower-case). Others can still be passed by name.
pub const AUDIO_EXTENSIONS: [&str; 9] = [
    "wav", "wave", "flac", "ogg", "oga", "mp3", "aif", "aiff", "aifc",
];

/// The shortest clip the loader accepts, in samples at [`SAMPLE_RATE`]: one STFT window of the
/// log-mel spectrogram (n_fft = 2048, 93 ms).
pub const MIN_SAMPLES: usize = 2048;

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
        let start = self.samples.len().checked_sub(len)? / 2;
        Some(Clip {
            name: self.name.clone(),
            kind: self.kind,
            samples: self.samples[start..start + len].to_vec(),
        })
    }
}
// ANCHOR_END: clip

/// A decoded file before conversion: interleaved samples as stored (scaled to [−1, 1]).
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub sample_rate: u32,
    pub channels: usize,
    pub interleaved: Vec<f64>,
}

// ANCHOR: load
/// Loads one audio file and brings it to the book's format, or explains why it cannot.
pub fn load_clip(path: &Path) -> Result<Clip> {
    let shown = path.display();
    let decoded = decode_file(path)?;
    if decoded.interleaved.is_empty() {
        bail!("{shown}: the file holds no audio samples");
    }
    if let Some(i) = decoded.interleaved.iter().position(|v| !v.is_finite()) {
        bail!(
            "{shown}: sample {} is {} (not a finite number): the file is damaged",
            i / decoded.channels,
            decoded.interleaved[i]
        );
    }
    let mono = downmix(&decoded.interleaved, decoded.channels);
    if mono.iter().all(|v| *v == 0.0) {
        bail!(
            "{shown}: the recording is silent (every sample is 0{}), so it has no spectrum to measure",
            if decoded.channels > 1 {
                " after averaging its channels"
            } else {
                ""
            }
        );
    }
    let samples = resample(&mono, decoded.sample_rate, SAMPLE_RATE);
    if samples.len() < MIN_SAMPLES {
        bail!(
            "{shown}: too short: {} samples at {SAMPLE_RATE} Hz ({:.0} ms){}; a spectrogram needs at \
             least one {MIN_SAMPLES}-sample window ({:.0} ms)",
            samples.len(),
            1000.0 * samples.len() as f64 / f64::from(SAMPLE_RATE),
            if decoded.sample_rate == SAMPLE_RATE {
                String::new()
            } else {
                format!(" after resampling from {} Hz", decoded.sample_rate)
            },
            1000.0 * MIN_SAMPLES as f64 / f64::from(SAMPLE_RATE)
        );
    }
    Ok(Clip {
        name: file_name(path),
        kind: Kind::of_path(path),
        samples,
    })
}
// ANCHOR_END: load

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The most samples (all channels together) a file may hold: 2^26, about 25 minutes of CD-quality
/// stereo, 512 MiB as `f64`. The book measures 2 s excerpts; a file longer than this is more likely
/// a whole album than a recording to measure, and decoding it would take gigabytes.
pub const MAX_SAMPLES: usize = 1 << 26;

/// Reads a file's samples as stored: WAV through `hound`, anything else (or a WAV `hound` cannot
/// read, such as 64-bit float) through `symphonia`.
pub fn decode_file(path: &Path) -> Result<Decoded> {
    decode_limited(path, MAX_SAMPLES)
}

/// What one decoder made of a file.
enum Attempt {
    Decoded(Decoded),
    /// More than the limit of samples: decoding stopped there.
    TooLong {
        sample_rate: u32,
        channels: usize,
    },
}

fn decode_limited(path: &Path, limit: usize) -> Result<Decoded> {
    let shown = path.display();
    let meta = std::fs::metadata(path).with_context(|| format!("{shown}: cannot open file"))?;
    if meta.is_dir() {
        bail!("{shown}: is a folder, not an audio file");
    }
    if meta.len() == 0 {
        bail!("{shown}: empty file (0 bytes)");
    }
    let attempt = match decode_wav(path, limit) {
        Ok(attempt) => attempt,
        Err(wav_error) => decode_other(path, limit).map_err(|other_error| {
            anyhow::anyhow!(
                "{shown}: not a readable audio file (as WAV: {wav_error}; as FLAC, Ogg Vorbis, MP3 \
                 or AIFF: {other_error})"
            )
        })?,
    };
    match attempt {
        Attempt::Decoded(decoded) => Ok(decoded),
        Attempt::TooLong {
            sample_rate,
            channels,
        } => bail!(
            "{shown}: too long: more than {limit} samples ({:.1} min of {channels}-channel audio at \
             {sample_rate} Hz); cut a shorter excerpt first",
            limit as f64 / channels.max(1) as f64 / f64::from(sample_rate.max(1)) / 60.0
        ),
    }
}

/// WAV through `hound`: integer PCM of 8, 16, 24 or 32 bits divided by 2^(bits−1), or 32-bit float.
/// The header states the length, so an overlong file is refused before reading a sample.
fn decode_wav(path: &Path, limit: usize) -> std::result::Result<Attempt, hound::Error> {
    let mut reader = hound::WavReader::open(path)?;
    let spec = reader.spec();
    if reader.len() as usize > limit {
        return Ok(Attempt::TooLong {
            sample_rate: spec.sample_rate,
            channels: usize::from(spec.channels),
        });
    }
    let interleaved = match spec.sample_format {
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f64;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| f64::from(v) * scale))
                .collect::<std::result::Result<Vec<_>, _>>()?
        }
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .map(|s| s.map(f64::from))
            .collect::<std::result::Result<Vec<_>, _>>()?,
    };
    Ok(Attempt::Decoded(Decoded {
        sample_rate: spec.sample_rate,
        channels: usize::from(spec.channels),
        interleaved,
    }))
}

/// Any format `symphonia` knows, decoded to f64 (its integer conversion is also ÷ 2^(bits−1)).
/// Packets it cannot decode are skipped, as players do; a file with none decodable is an error.
fn decode_other(path: &Path, limit: usize) -> Result<Attempt> {
    use symphonia::core::codecs::audio::AudioDecoderOptions;
    use symphonia::core::errors::Error as SymphoniaError;
    use symphonia::core::formats::probe::Hint;
    use symphonia::core::formats::{FormatOptions, TrackType};
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::meta::MetadataOptions;

    let file = std::fs::File::open(path)?;
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
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
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())?;
    let mut sample_rate = params.sample_rate;
    let mut channels = params.channels.as_ref().map(|c| c.count());
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
        if interleaved.len() > limit {
            return Ok(Attempt::TooLong {
                sample_rate: sample_rate.unwrap_or(0),
                channels: channels.unwrap_or(0),
            });
        }
    }
    match (sample_rate, channels) {
        (Some(rate), Some(ch)) if rate > 0 && ch > 0 => Ok(Attempt::Decoded(Decoded {
            sample_rate: rate,
            channels: ch,
            interleaved,
        })),
        _ => bail!("no decodable audio (unknown sample rate or channel count)"),
    }
}

// ANCHOR: downmix
/// Mono from interleaved channels: the average of each frame's samples. (A trailing incomplete
/// frame is dropped.)
pub fn downmix(interleaved: &[f64], channels: usize) -> Vec<f64> {
    assert!(channels > 0, "audio needs at least one channel");
    interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().sum::<f64>() / channels as f64)
        .collect()
}
// ANCHOR_END: downmix

// ANCHOR: resample
/// Zero crossings of the sinc kernel on each side of its centre: its length sets how sharply the
/// low-pass filter cuts off (the transition band is about 9% of the cutoff wide).
const SINC_ZERO_CROSSINGS: f64 = 64.0;
/// The filter passes frequencies up to 95% of the lower of the two Nyquist frequencies.
const PASSBAND: f64 = 0.95;
/// Kaiser window shape for about 90 dB of stop-band attenuation (β = 0.1102 · (90 − 8.7)).
const KAISER_BETA: f64 = 8.96;

/// Converts a signal from one sample rate to another with a band-limited interpolator: every output
/// sample is a Kaiser-windowed-sinc weighted sum of the input samples around its instant. The
/// sinc's cutoff sits just below the lower Nyquist frequency, so when downsampling, frequencies the
/// new rate cannot represent are removed rather than folded back (aliased) onto lower ones.
///
/// Both rates are integers, so output instants fall on `L` distinct fractional positions between
/// input samples (`L = to / gcd`): each position's weights are computed once. Samples beyond the
/// ends count as zero. The output has ⌈len · to / from⌉ samples.
pub fn resample(samples: &[f64], from: u32, to: u32) -> Vec<f64> {
    assert!(from > 0 && to > 0, "sample rates must be positive");
    if from == to {
        return samples.to_vec();
    }
    let g = gcd(u64::from(from), u64::from(to));
    let (up, down) = (u64::from(to) / g, u64::from(from) / g);
    // Cutoff in cycles per input sample, and the kernel's half-width in input samples.
    let cutoff = 0.5 * PASSBAND * (f64::from(to) / f64::from(from)).min(1.0);
    let half_width = SINC_ZERO_CROSSINGS / (2.0 * cutoff);
    let reach = half_width.ceil() as i64;
    let out_len = (samples.len() as u64 * up).div_ceil(down) as usize;
    let taps = |phase: u64| kernel_taps(phase as f64 / up as f64, reach, cutoff, half_width);
    // One row of weights per fractional position, unless that table would be huge (rates whose
    // greatest common divisor is tiny): then the weights are computed per output sample.
    let table: Option<Vec<Vec<f64>>> =
        (up * (2 * reach as u64 + 1) <= 4_000_000).then(|| (0..up).map(taps).collect());
    (0..out_len as u64)
        .map(|n| {
            let (base, phase) = ((n * down / up) as i64, (n * down) % up);
            let computed;
            let weights = match &table {
                Some(t) => &t[phase as usize],
                None => {
                    computed = taps(phase);
                    &computed
                }
            };
            weights
                .iter()
                .zip(base - reach..)
                .filter(|(_, k)| *k >= 0 && (*k as usize) < samples.len())
                .map(|(w, k)| w * samples[k as usize])
                .sum()
        })
        .collect()
}

/// The weights of input samples `base − reach … base + reach` for an output instant `frac` input
/// samples after `base`, normalised to sum to 1 so a constant signal stays exactly constant.
fn kernel_taps(frac: f64, reach: i64, cutoff: f64, half_width: f64) -> Vec<f64> {
    let mut w: Vec<f64> = (-reach..=reach)
        .map(|j| {
            let d = frac - j as f64; // distance from the output instant to input sample base + j
            if d.abs() >= half_width {
                return 0.0;
            }
            let x = 2.0 * cutoff * d;
            let sinc = if x == 0.0 {
                1.0
            } else {
                (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
            };
            let r = d / half_width;
            2.0 * cutoff * sinc * bessel_i0(KAISER_BETA * (1.0 - r * r).sqrt())
                / bessel_i0(KAISER_BETA)
        })
        .collect();
    let sum: f64 = w.iter().sum();
    w.iter_mut().for_each(|v| *v /= sum);
    w
}
// ANCHOR_END: resample

/// The modified Bessel function of the first kind, order 0, by its power series (for the Kaiser
/// window; converges quickly for the arguments used here, ≤ 9).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, q) = (1.0, 1.0, x * x / 4.0);
    for k in 1..200 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < 1e-17 * sum {
            break;
        }
    }
    sum
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Every audio file under the given files and folders (folders walked recursively, by extension,
/// see [`AUDIO_EXTENSIONS`]; files named directly are taken whatever their extension), sorted by
/// path so results never depend on directory order.
pub fn audio_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        collect(input, &mut files)?;
    }
    files.sort();
    if files.is_empty() {
        let list: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "no audio files ({}) found in {}",
            AUDIO_EXTENSIONS.join(", "),
            list.join(", ")
        );
    }
    Ok(files)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("{}: no such file or folder", path.display()))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries = std::fs::read_dir(path)
        .with_context(|| format!("{}: cannot list folder", path.display()))?;
    for entry in entries {
        let p = entry
            .with_context(|| format!("{}: cannot list folder", path.display()))?
            .path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if has_audio_extension(&p) {
            out.push(p);
        }
    }
    Ok(())
}

fn has_audio_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Loads every audio file under `inputs` in parallel; the result keeps the sorted file order.
pub fn load_clips(inputs: &[PathBuf]) -> Result<Vec<Clip>> {
    audio_files(inputs)?
        .par_iter()
        .map(|p| load_clip(p))
        .collect()
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
        .map(|name| load_clip(&dir.join(name)))
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
            c.centred_excerpt(len).with_context(|| {
                format!(
                    "{}: {:.2} s long, shorter than the {:.2} s excerpt",
                    c.name,
                    c.seconds(),
                    len as f64 / f64::from(SAMPLE_RATE)
                )
            })
        })
        .collect()
}

// ANCHOR: mean_spectrum
/// The log-domain mean of the clips' power spectra, DC included: exp(mean(ln P)) at every
/// frequency, the 1D counterpart of the images' mean RAPSD. The clips must be equally long.
pub fn log_mean_spectrum(clips: &[Clip]) -> Result<Spectrum1d> {
    common_length(clips)?;
    let spectra: Vec<Spectrum1d> = clips.par_iter().map(Clip::power_spectrum).collect();
    let powers: Vec<&[f64]> = spectra.iter().map(|s| s.power.as_slice()).collect();
    Ok(Spectrum1d {
        frequency_hz: spectra[0].frequency_hz.clone(),
        power: log_mean(&powers),
    })
}
// ANCHOR_END: mean_spectrum

// ANCHOR: smooth
/// Fractional-octave smoothing: the geometric mean of `power` over all points within ±`octaves`/2
/// of each frequency (a moving average of ln P on a log-frequency axis). With `octaves` = 1/3 this
/// is the third-octave smoothing of acoustics. A raw spectrum is a forest of harmonics and spikes;
/// its broad shape, such as where it peaks, is read off the smoothed curve. Non-positive
/// frequencies are left as they are.
pub fn smooth_log_frequency(frequency: &[f64], power: &[f64], octaves: f64) -> Vec<f64> {
    assert_eq!(frequency.len(), power.len());
    assert!(
        frequency.windows(2).all(|w| w[0] < w[1]),
        "frequencies must increase"
    );
    let mut prefix = vec![0.0];
    for p in power {
        prefix.push(prefix[prefix.len() - 1] + p.ln());
    }
    let half = 2f64.powf(octaves / 2.0);
    frequency
        .iter()
        .zip(power)
        .map(|(&f, &p)| {
            if f <= 0.0 {
                return p;
            }
            let lo = frequency.partition_point(|x| *x < f / half);
            let hi = frequency.partition_point(|x| *x <= f * half);
            ((prefix[hi] - prefix[lo]) / (hi - lo) as f64).exp()
        })
        .collect()
}
// ANCHOR_END: smooth

/// Where a curve is largest: (frequency, value).
pub fn peak(frequency: &[f64], power: &[f64]) -> (f64, f64) {
    let i = (0..power.len())
        .max_by(|a, b| power[*a].total_cmp(&power[*b]))
        .expect("a curve to search");
    (frequency[i], power[i])
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

/// How well a power law describes a curve, measured where the fit is made: on `ln P` resampled to
/// as many log-uniform frequencies as the curve has positive ones (see `spectral::fit`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitQuality {
    /// Coefficient of determination of the straight line in log-log space (1 = perfect).
    pub r_squared: f64,
    /// Largest |ln P − ln fit|, converted to a factor: the curve stays within [fit / factor,
    /// fit · factor].
    pub max_factor: f64,
}

/// [`FitQuality`] of `law` against the curve (frequency, power); points at f ≤ 0 are ignored.
pub fn fit_quality(frequency: &[f64], power: &[f64], law: &PowerLaw) -> FitQuality {
    let n = frequency.iter().filter(|f| **f > 0.0).count();
    let (f, p) = resample_log_uniform(frequency, power, n);
    let ln_p: Vec<f64> = p.iter().map(|v| v.ln()).collect();
    let mean = ln_p.iter().sum::<f64>() / ln_p.len() as f64;
    let residuals: Vec<f64> = f
        .iter()
        .zip(&ln_p)
        .map(|(f, lp)| lp - law.eval(*f).ln())
        .collect();
    let ss_res: f64 = residuals.iter().map(|r| r * r).sum();
    let ss_tot: f64 = ln_p.iter().map(|v| (v - mean).powi(2)).sum();
    FitQuality {
        r_squared: 1.0 - ss_res / ss_tot,
        max_factor: residuals.iter().fold(0.0f64, |m, r| m.max(r.abs())).exp(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::fit::fit_power_law;
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
        assert_eq!(downmix(&[1.0, 0.0, 0.5, 0.5, 9.0], 2), vec![0.5, 0.5]);
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
    fn a_1_khz_sine_keeps_its_frequency_and_amplitude_from_8_and_96_khz() {
        for rate in [8_000, 96_000, 44_100, 48_000, 11_025] {
            let x = sine(1000.0, 0.5, rate, 1.0);
            let y = resample(&x, rate, SAMPLE_RATE);
            assert_eq!(y.len(), SAMPLE_RATE as usize, "{rate} Hz");
            // Away from the ends (where the kernel reaches past the signal), the output is the same
            // sine sampled at 22,050 Hz, to within 1e-4 of full scale.
            let expected = sine(1000.0, 0.5, SAMPLE_RATE, 1.0);
            let edge = 2000;
            let err = y[edge..y.len() - edge]
                .iter()
                .zip(&expected[edge..])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-4, "{rate} Hz: max error {err}");
            // And its spectrum peaks at 1 kHz with power A²N/4.
            let s = power_spectrum(&y[edge..edge + 11_025], f64::from(SAMPLE_RATE));
            let (f, p) = peak(&s.frequency_hz, &s.power);
            assert_eq!(f, 1000.0, "{rate} Hz");
            assert!(
                (p / (0.25 * 11_025.0 / 4.0) - 1.0).abs() < 1e-3,
                "{rate} Hz: {p}"
            );
        }
    }

    #[test]
    fn downsampling_removes_what_the_new_rate_cannot_hold_instead_of_aliasing_it() {
        // 15 kHz at 44.1 kHz would fold onto 22,050 − 15,000 = 7,050 Hz; 5 kHz must pass untouched.
        let x: Vec<f64> = sine(15_000.0, 0.5, 44_100, 1.0)
            .iter()
            .zip(sine(5_000.0, 0.5, 44_100, 1.0))
            .map(|(a, b)| a + b)
            .collect();
        let y = resample(&x, 44_100, SAMPLE_RATE);
        let middle = &y[2000..y.len() - 2000 - 1];
        let middle = &middle[..middle.len() / 2205 * 2205];
        assert!((amplitude_at(middle, 5_000.0, SAMPLE_RATE) - 0.5).abs() < 1e-4);
        assert!(amplitude_at(middle, 7_050.0, SAMPLE_RATE) < 1e-4);
    }

    #[test]
    fn resampling_keeps_a_constant_and_handles_awkward_rate_ratios() {
        let ones = vec![1.0; 30_000];
        let y = resample(&ones, 44_101, SAMPLE_RATE); // gcd 1: weights computed per sample
        assert_eq!(y.len(), (30_000u64 * 22_050).div_ceil(44_101) as usize);
        assert!(
            y[3000..y.len() - 3000]
                .iter()
                .all(|v| (v - 1.0).abs() < 1e-12)
        );
        assert_eq!(
            resample(&[0.1, 0.2], SAMPLE_RATE, SAMPLE_RATE),
            vec![0.1, 0.2]
        );
        assert!((bessel_i0(1.0) - 1.266_065_877_752_008_4).abs() < 1e-15);
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
            e.contains("missing.wav") && e.contains("cannot open"),
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
        let wav = dir.path().join("long.wav");
        write_int_wav(
            &wav,
            spec(2, 44_100, 16, hound::SampleFormat::Int),
            &vec![100; 3000],
        );
        assert!(decode_limited(&wav, 3000).is_ok());
        let e = format!("{:#}", decode_limited(&wav, 2999).unwrap_err());
        assert!(
            e.contains("long.wav") && e.contains("too long") && e.contains("44100 Hz"),
            "{e}"
        );
        let flac = dir.path().join("long.flac");
        let plane: Vec<i16> = (0..10_000).map(|i| (i % 200) as i16).collect();
        std::fs::write(&flac, flac::encode(8000, &[plane])).unwrap();
        assert!(decode_limited(&flac, 10_000).is_ok());
        let e = format!("{:#}", decode_limited(&flac, 5000).unwrap_err());
        assert!(
            e.contains("long.flac") && e.contains("too long") && e.contains("8000 Hz"),
            "{e}"
        );
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
        assert!(
            decode_wav(&path, MAX_SAMPLES).is_err(),
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
    fn folders_are_walked_for_audio_files_and_kinds_come_from_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("speech_wav")).unwrap();
        for p in [
            "music-a.wav",
            "speech_wav/talk.WAV",
            "b.flac",
            "notes.txt",
            "c.au",
        ] {
            std::fs::write(dir.path().join(p), b"x").unwrap();
        }
        let files = audio_files(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                Path::new("b.flac"),
                Path::new("music-a.wav"),
                Path::new("speech_wav/talk.WAV")
            ]
        );
        assert_eq!(Kind::of_path(&files[0]), Kind::Other);
        assert_eq!(Kind::of_path(&files[1]), Kind::Music);
        assert_eq!(Kind::of_path(&files[2]), Kind::Speech);
        let empty = tempfile::tempdir().unwrap();
        let e = audio_files(&[empty.path().to_path_buf()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("no audio files"), "{e}");
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

    #[test]
    fn smoothing_averages_log_power_over_a_fraction_of_an_octave() {
        // A power law stays a power law (up to a constant factor) under log-frequency smoothing,
        // and the factor is 1 for f^0.
        let f: Vec<f64> = (1..=1000).map(f64::from).collect();
        let flat = smooth_log_frequency(&f, &vec![3.0; 1000], 1.0 / 3.0);
        assert!(flat.iter().all(|v| (v - 3.0).abs() < 1e-12));
        // By hand at f = 100 Hz over ±1/6 octave, 89.09 … 112.25: bins 90 … 112.
        let p: Vec<f64> = f.iter().map(|f| f * f).collect();
        let s = smooth_log_frequency(&f, &p, 1.0 / 3.0);
        let by_hand = ((90..=112)
            .map(|k| (f64::from(k) * f64::from(k)).ln())
            .sum::<f64>()
            / 23.0)
            .exp();
        assert!((s[99] / by_hand - 1.0).abs() < 1e-12);
        // A single spike is spread out, so the smoothed peak is the broad maximum.
        let mut spiky: Vec<f64> = f
            .iter()
            .map(|f| (-(f.ln() - 300f64.ln()).powi(2)).exp())
            .collect();
        spiky[19] = 1e6;
        let smooth = smooth_log_frequency(&f, &spiky, 1.0 / 3.0);
        assert_eq!(peak(&f, &spiky).0, 20.0);
        assert!(
            (peak(&f, &smooth).0 - 300.0).abs() <= 10.0,
            "{:?}",
            peak(&f, &smooth)
        );
    }

    #[test]
    fn fit_quality_is_perfect_for_a_power_law_and_poor_for_a_bump() {
        let f: Vec<f64> = (0..64).map(|r| f64::from(r) / 128.0).collect();
        let p: Vec<f64> = f.iter().map(|f| 2.0 * f.powf(-2.3)).collect();
        let law = fit_power_law(&f, &p);
        let q = fit_quality(&f, &p, &law);
        assert!(
            (q.r_squared - 1.0).abs() < 1e-12 && (q.max_factor - 1.0).abs() < 1e-9,
            "{q:?}"
        );
        let bump: Vec<f64> = f.iter().map(|f| (-(f.ln() + 2.5).powi(2)).exp()).collect();
        let q = fit_quality(&f, &bump, &fit_power_law(&f, &bump));
        assert!(q.r_squared < 0.5, "{q:?}");
    }
}

//! Audio spectra: the 1D power spectrum of a whole clip, the short-time Fourier transform (STFT),
//! the mel filterbank and log-mel spectrograms.
//!
//! The book's audio format is the post's: mono, [`SAMPLE_RATE`] = 22,050 Hz, clips of 2 s
//! ([`CLIP_SAMPLES`] = 44,100 samples), with samples scaled to [−1, 1] by the caller (int16 / 32768).
//!
//! The mel pipeline reproduces librosa 0.10 (`librosa.feature.melspectrogram` followed by
//! `librosa.power_to_db`) with its defaults, because the post's log-mel spectrograms were most
//! likely made that way: n_fft 2048, hop 512, 128 Slaney mel bands up to Nyquist, a periodic Hann
//! window, centred frames, power (|STFT|²) spectrograms. The tests compare against numbers
//! written by `tests/make_mel_reference.py`.

use realfft::RealFftPlanner;
use rustfft::num_complex::Complex64;

use crate::Field;
use crate::fit::log_mean;

/// Samples per second of every clip in the book.
pub const SAMPLE_RATE: u32 = 22_050;

/// Samples in one 2 s clip at [`SAMPLE_RATE`].
pub const CLIP_SAMPLES: usize = 44_100;

// ANCHOR: power_spectrum
/// A one-sided power spectrum: `power[k]` at `frequency_hz[k] = k · sample_rate / N`, k from 0 (DC)
/// to N/2 (Nyquist for even N).
#[derive(Clone, Debug, PartialEq)]
pub struct Spectrum1d {
    pub frequency_hz: Vec<f64>,
    pub power: Vec<f64>,
}

impl Spectrum1d {
    /// The curve without its DC term, as the post plots it (log 0 is undefined on log-log axes).
    pub fn without_dc(&self) -> Spectrum1d {
        Spectrum1d {
            frequency_hz: self.frequency_hz[1..].to_vec(),
            power: self.power[1..].to_vec(),
        }
    }
}

/// The power spectrum of a whole clip, |rFFT(x)|² / N: the 1D analogue of the RAPSD
/// ([`crate::spectrum::rapsd`]), with the same normalisation, so white noise of variance σ² has
/// expected power σ² in every bin (DC and Nyquist too: they are real, but so is their variance σ²).
///
/// Only the non-negative frequencies are kept: for a real signal the others mirror them,
/// X(−k) = conj(X(k)). The post used an unnormalised FFT of raw int16 samples; for samples
/// scaled by 1/32768 its curve is this one times N · 32768², a constant factor that shifts a
/// log-log plot without changing its shape.
pub fn power_spectrum(samples: &[f64], sample_rate: f64) -> Spectrum1d {
    assert!(!samples.is_empty(), "a spectrum needs samples");
    let n = samples.len();
    Spectrum1d {
        frequency_hz: fft_frequencies(sample_rate, n),
        power: real_fft(samples)
            .iter()
            .map(|z| z.norm_sqr() / n as f64)
            .collect(),
    }
}
// ANCHOR_END: power_spectrum

// ANCHOR: mean_spectrum
/// The log-domain mean of power spectra, DC included: exp(mean(ln P)) at every frequency, the 1D
/// counterpart of the images' mean RAPSD ([`crate::spectrum::log_mean_rapsd`]) and with the same
/// [`log_mean`]. The spectra must share one frequency axis (clips of equal length and rate):
/// averaging point by point is meaningless otherwise.
pub fn log_mean_spectrum(spectra: &[Spectrum1d]) -> Spectrum1d {
    let first = spectra
        .first()
        .expect("averaging needs at least one spectrum");
    assert!(
        spectra.iter().all(|s| s.frequency_hz == first.frequency_hz),
        "spectra to average must share their frequencies"
    );
    let powers: Vec<&[f64]> = spectra.iter().map(|s| s.power.as_slice()).collect();
    Spectrum1d {
        frequency_hz: first.frequency_hz.clone(),
        power: log_mean(&powers),
    }
}
// ANCHOR_END: mean_spectrum

/// The frequencies of the one-sided spectrum of `n` samples, k · sample_rate / n for
/// k = 0 … n/2 (`np.fft.rfftfreq`, which librosa's `fft_frequencies` uses).
pub fn fft_frequencies(sample_rate: f64, n: usize) -> Vec<f64> {
    (0..=n / 2)
        .map(|k| k as f64 * sample_rate / n as f64)
        .collect()
}

/// The unnormalised one-sided DFT of a real signal, bins 0 … N/2.
fn real_fft(samples: &[f64]) -> Vec<Complex64> {
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(samples.len());
    let mut input = samples.to_vec();
    let mut output = fft.make_output_vec();
    fft.process(&mut input, &mut output)
        .expect("buffer sizes come from the plan");
    output
}

// ANCHOR: stft
/// How the signal is extended by n_fft/2 samples at each end so that frame t is centred on
/// sample t·hop (librosa's `center=True`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Padding {
    /// Zeros: librosa ≥ 0.10's default (`pad_mode="constant"`), also in `melspectrogram`.
    /// The edge frames see a half-silent window, so their spectra are spread out a little.
    #[default]
    Zeros,
    /// The signal mirrored about its first and last sample without repeating them
    /// (`np.pad(mode="reflect")`): librosa's default before 0.10, and torch.stft's.
    Reflect,
}

/// The periodic Hann window of length n, w[k] = ½ − ½·cos(2πk/n) (`scipy.signal.get_window("hann",
/// n)`, librosa's window). Periodic rather than symmetric, so windows at hop n/4 sum to a constant
/// and its DFT has just three non-zero bins: n/2 at 0 and −n/4 at ±1.
pub fn hann_window(n: usize) -> Vec<f64> {
    (0..n)
        .map(|k| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * k as f64 / n as f64).cos())
        .collect()
}

/// Frames of a centred STFT: 1 + len/hop for even n_fft, like librosa (87 for a 2 s clip at hop 512).
pub fn stft_frame_count(len: usize, n_fft: usize, hop: usize) -> usize {
    let padded = len + 2 * (n_fft / 2);
    assert!(
        hop > 0 && n_fft > 0 && padded >= n_fft,
        "an STFT needs hop ≥ 1 and at least one frame"
    );
    1 + (padded - n_fft) / hop
}

/// The power spectrogram |STFT|² with librosa's defaults (periodic Hann window, centred frames,
/// [`Padding::Zeros`]): (n_fft/2 + 1) frequency rows × [`stft_frame_count`] frame columns.
/// Row k is at k · sample_rate / n_fft Hz. Unnormalised, like librosa.
pub fn stft_power(samples: &[f64], n_fft: usize, hop: usize) -> Field {
    stft_power_padded(samples, n_fft, hop, Padding::Zeros)
}

/// [`stft_power`] with a choice of how the ends are padded.
pub fn stft_power_padded(samples: &[f64], n_fft: usize, hop: usize, padding: Padding) -> Field {
    let frames = stft_frame_count(samples.len(), n_fft, hop);
    let padded = pad_centred(samples, n_fft / 2, padding);
    let window = hann_window(n_fft);
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(n_fft);
    let (mut frame, mut spectrum) = (fft.make_input_vec(), fft.make_output_vec());
    let mut scratch = fft.make_scratch_vec();
    let mut power = Field::zeros((n_fft / 2 + 1, frames));
    for t in 0..frames {
        let segment = &padded[t * hop..t * hop + n_fft];
        for ((f, s), w) in frame.iter_mut().zip(segment).zip(&window) {
            *f = s * w;
        }
        fft.process_with_scratch(&mut frame, &mut spectrum, &mut scratch)
            .expect("buffer sizes come from the plan");
        for (p, z) in power.column_mut(t).iter_mut().zip(&spectrum) {
            *p = z.norm_sqr();
        }
    }
    power
}
// ANCHOR_END: stft

/// The signal with `pad` samples added at each end.
fn pad_centred(samples: &[f64], pad: usize, padding: Padding) -> Vec<f64> {
    let n = samples.len() as isize;
    (-(pad as isize)..n + pad as isize)
        .map(|i| match padding {
            _ if (0..n).contains(&i) => samples[i as usize],
            Padding::Zeros => 0.0,
            Padding::Reflect => samples[reflect_index(i, samples.len())],
        })
        .collect()
}

/// Where index i lands after mirroring about the first and last sample as often as needed:
/// the extension is periodic with period 2(n − 1), which is what `np.pad(mode="reflect")` gives
/// even when the padding is longer than the signal.
fn reflect_index(i: isize, n: usize) -> usize {
    assert!(n > 0, "cannot reflect an empty signal");
    if n == 1 {
        return 0;
    }
    let period = 2 * (n as isize - 1);
    let m = i.rem_euclid(period) as usize;
    if m < n { m } else { period as usize - m }
}

// ANCHOR: mel_scale
/// Hz per mel below 1 kHz: the Slaney scale is linear there, 3 mels per 200 Hz.
const MEL_LINEAR_HZ: f64 = 200.0 / 3.0;
/// Where the Slaney scale turns logarithmic: 1000 Hz, which is 15 mels.
const MEL_LOG_START_HZ: f64 = 1000.0;
const MEL_LOG_START: f64 = MEL_LOG_START_HZ / MEL_LINEAR_HZ;

/// Mels per unit of ln(Hz) above 1 kHz: 27 mels per factor 6.4 (1 kHz → 6.4 kHz is 15 → 42 mels).
fn mel_log_step() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hz to mels on Slaney's scale (librosa's `hz_to_mel` with `htk=False`, its default): linear
/// below 1 kHz, logarithmic above, a rough model of how pitch is perceived.
pub fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MEL_LOG_START_HZ {
        MEL_LOG_START + (hz / MEL_LOG_START_HZ).ln() / mel_log_step()
    } else {
        hz / MEL_LINEAR_HZ
    }
}

/// The inverse of [`hz_to_mel`].
pub fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MEL_LOG_START {
        MEL_LOG_START_HZ * (mel_log_step() * (mel - MEL_LOG_START)).exp()
    } else {
        mel * MEL_LINEAR_HZ
    }
}

/// `n` frequencies in Hz evenly spaced in mels from f_min to f_max inclusive
/// (`librosa.mel_frequencies`).
pub fn mel_frequencies(n: usize, f_min: f64, f_max: f64) -> Vec<f64> {
    let (lo, hi) = (hz_to_mel(f_min), hz_to_mel(f_max));
    let step = (hi - lo) / (n.max(2) - 1) as f64;
    (0..n)
        .map(|i| if i + 1 == n { hi } else { lo + i as f64 * step })
        .map(mel_to_hz)
        .collect()
}

/// The centre frequency in Hz of each of the `n_mels` bands of [`mel_filterbank`].
pub fn mel_band_centres(n_mels: usize, f_min: f64, f_max: f64) -> Vec<f64> {
    let edges = mel_frequencies(n_mels + 2, f_min, f_max);
    edges[1..=n_mels].to_vec()
}
// ANCHOR_END: mel_scale

// ANCHOR: filterbank
/// The mel filterbank, n_mels × (n_fft/2 + 1), exactly like `librosa.filters.mel` with its
/// defaults (`htk=False`, `norm="slaney"`). Band i is a triangle over the STFT bin frequencies,
/// rising from edge i to 1 at edge i + 1 and falling to 0 at edge i + 2, where the n_mels + 2 edges
/// are evenly spaced in mels. It is then scaled by 2 / (edge[i+2] − edge[i]) Hz, giving every
/// triangle unit area in Hz: wide high bands sum more bins, and this keeps white noise level
/// across bands instead of rising with their width.
pub fn mel_filterbank(
    sample_rate: f64,
    n_fft: usize,
    n_mels: usize,
    f_min: f64,
    f_max: f64,
) -> Field {
    let bins = fft_frequencies(sample_rate, n_fft);
    let edges = mel_frequencies(n_mels + 2, f_min, f_max);
    Field::from_shape_fn((n_mels, bins.len()), |(i, k)| {
        let (lo, centre, hi) = (edges[i], edges[i + 1], edges[i + 2]);
        let rising = (bins[k] - lo) / (centre - lo);
        let falling = (hi - bins[k]) / (hi - centre);
        rising.min(falling).max(0.0) * 2.0 / (hi - lo)
    })
}
// ANCHOR_END: filterbank

// ANCHOR: log_mel
/// The settings of a log-mel spectrogram. `Default` is librosa 0.10's
/// `melspectrogram` + `power_to_db`, the post's most likely choice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MelConfig {
    /// STFT window length in samples (93 ms at 22,050 Hz).
    pub n_fft: usize,
    /// Samples between frames.
    pub hop: usize,
    pub n_mels: usize,
    /// Lowest edge of the lowest band, Hz.
    pub f_min: f64,
    /// Highest edge of the highest band, Hz; `None` is Nyquist, sample_rate / 2.
    pub f_max: Option<f64>,
    pub padding: Padding,
    /// Floor the dB values at (their maximum − top_db), like `power_to_db`'s default of 80 dB;
    /// `None` keeps everything down to the 1e-10 (−100 dB) floor.
    pub top_db: Option<f64>,
}

impl Default for MelConfig {
    fn default() -> Self {
        MelConfig {
            n_fft: 2048,
            hop: 512,
            n_mels: 128,
            f_min: 0.0,
            f_max: None,
            padding: Padding::Zeros,
            top_db: Some(80.0),
        }
    }
}

/// The power floor of [`power_to_db`] (librosa's `amin`), so silence gives −100 dB, not −∞.
pub const POWER_FLOOR: f64 = 1e-10;

/// The mel power spectrogram, n_mels × frames: the mel filterbank applied to every STFT power
/// column (`librosa.feature.melspectrogram`).
pub fn mel_spectrogram(samples: &[f64], sample_rate: f64, config: &MelConfig) -> Field {
    let f_max = config.f_max.unwrap_or(sample_rate / 2.0);
    let bank = mel_filterbank(
        sample_rate,
        config.n_fft,
        config.n_mels,
        config.f_min,
        f_max,
    );
    bank.dot(&stft_power_padded(
        samples,
        config.n_fft,
        config.hop,
        config.padding,
    ))
}

/// Power in decibels, 10·log10(max(power, 1e-10)), floored at (maximum − top_db) if given
/// (`librosa.power_to_db` with `ref=1.0`). Another `ref`, or int16 rather than [−1, 1] samples,
/// only adds a constant to every value, which moves nothing but the DC term of a RAPSD.
pub fn power_to_db(power: &Field, top_db: Option<f64>) -> Field {
    let db = power.mapv(|p| 10.0 * p.max(POWER_FLOOR).log10());
    match top_db {
        None => db,
        Some(range) => {
            let floor = db.fold(f64::NEG_INFINITY, |m, v| m.max(*v)) - range;
            db.mapv(|v| v.max(floor))
        }
    }
}

/// The log-mel spectrogram in dB, n_mels × frames (128 × 87 for a 2 s clip with the defaults):
/// the "image" whose RAPSD ([`crate::spectrum::rapsd`]) the sound chapter computes.
pub fn log_mel_spectrogram(samples: &[f64], sample_rate: f64, config: &MelConfig) -> Field {
    power_to_db(
        &mel_spectrogram(samples, sample_rate, config),
        config.top_db,
    )
}
// ANCHOR_END: log_mel

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::{gaussian_field, seeded_rng};
    use std::f64::consts::PI;

    #[test]
    fn the_log_mean_spectrum_is_the_geometric_mean_point_by_point() {
        let a = power_spectrum(&[0.5, -0.25, 0.125, 1.0, 0.0, -1.0], 6.0);
        let b = power_spectrum(&[0.1, 0.2, -0.3, 0.4, 0.25, 0.0], 6.0);
        let mean = log_mean_spectrum(&[a.clone(), b.clone()]);
        assert_eq!(mean.frequency_hz, vec![0.0, 1.0, 2.0, 3.0]);
        for k in 0..4 {
            let geometric = (a.power[k] * b.power[k]).sqrt();
            assert!((mean.power[k] / geometric - 1.0).abs() < 1e-12, "bin {k}");
        }
    }

    #[test]
    #[should_panic(expected = "share their frequencies")]
    fn spectra_of_different_lengths_are_not_averaged() {
        log_mean_spectrum(&[
            power_spectrum(&[1.0, 0.5, 0.25, 0.0], 4.0),
            power_spectrum(&[1.0, 0.5, 0.25, 0.0, 0.1, 0.2], 4.0),
        ]);
    }

    /// Reference values from librosa, written by `tests/make_mel_reference.py`
    /// (librosa 0.10.2.post1, numpy, everything in float64).
    mod reference {
        include!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/mel_reference.rs"
        ));
    }

    const SR: f64 = SAMPLE_RATE as f64;

    fn sine(hz: f64, amplitude: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| amplitude * (2.0 * PI * hz * i as f64 / SR).sin())
            .collect()
    }

    fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= 1e-6 * expected.abs() + 1e-12,
            "{what}: {actual} vs {expected}"
        );
    }

    #[test]
    fn a_tone_at_a_bin_frequency_puts_its_power_in_that_bin() {
        // 440 Hz over 2 s is exactly 880 cycles, so bin f·N/sr = 880 holds everything.
        let s = power_spectrum(&sine(440.0, 0.8, CLIP_SAMPLES), SR);
        assert_eq!(s.power.len(), CLIP_SAMPLES / 2 + 1);
        let k = (440.0 * CLIP_SAMPLES as f64 / SR) as usize;
        let total: f64 = s.power.iter().sum();
        assert!(s.power[k] >= 0.999 * total, "{} of {total}", s.power[k]);
        assert_eq!(s.frequency_hz[k], 440.0);
        assert_eq!(s.frequency_hz[1], 0.5);
        assert_eq!(*s.frequency_hz.last().unwrap(), SR / 2.0);
        // |X_k| = A·N/2 for a sine of amplitude A, so |X_k|²/N = A²N/4.
        assert_close(s.power[k], 0.64 * CLIP_SAMPLES as f64 / 4.0, "tone power");
    }

    #[test]
    fn white_noise_has_flat_power_equal_to_its_variance() {
        let sigma = 0.3;
        let x = gaussian_field(1, CLIP_SAMPLES, sigma, &mut seeded_rng(11));
        let s = power_spectrum(x.as_slice().unwrap(), SR).without_dc();
        // Each bin's power is σ²·Exp(1) (relative sd 1): the mean of 22,050 bins has relative sd
        // 1/√22050 ≈ 0.0067, so 3% is more than 4 standard errors.
        let mean = s.power.iter().sum::<f64>() / s.power.len() as f64;
        assert!((mean / (sigma * sigma) - 1.0).abs() < 0.03, "{mean}");
        // Low and high halves alike: flat.
        let half = s.power.len() / 2;
        let low = s.power[..half].iter().sum::<f64>() / half as f64;
        let high = s.power[half..].iter().sum::<f64>() / (s.power.len() - half) as f64;
        assert!((low / high - 1.0).abs() < 0.06, "{low} {high}");
    }

    #[test]
    fn parseval_holds_for_the_one_sided_spectrum() {
        // Σ x² = Σ over all N bins of |X|²/N; every bin strictly between DC and N/2 stands for
        // itself and its mirror image, so it counts twice. N/2 is a bin of its own only for even N.
        for n in [1000, 1001] {
            let x: Vec<f64> = (0..n)
                .map(|i| ((i * 37 % 101) as f64 / 50.0 - 1.0) + (i as f64 * 0.01).sin())
                .collect();
            let p = power_spectrum(&x, SR).power;
            let last = p.len() - 1;
            let doubled = |k: usize| k != 0 && !(n % 2 == 0 && k == last);
            let spectral: f64 = p
                .iter()
                .enumerate()
                .map(|(k, v)| if doubled(k) { 2.0 * v } else { *v })
                .sum();
            let temporal: f64 = x.iter().map(|v| v * v).sum();
            assert_close(spectral, temporal, "Parseval");
        }
    }

    #[test]
    fn slaney_mel_scale_has_its_defining_values_and_inverts() {
        assert_close(hz_to_mel(200.0 / 3.0), 1.0, "200/3 Hz");
        assert_close(hz_to_mel(1000.0), 15.0, "1 kHz");
        assert_close(hz_to_mel(6400.0), 42.0, "6.4 kHz = 15 + 27 mels");
        for (hz, mel) in reference::HZ_TO_MEL {
            assert_close(hz_to_mel(hz), mel, "librosa hz_to_mel");
        }
        for hz in [
            0.0, 1.0, 440.0, 999.9, 1000.0, 1000.1, 5000.0, 11025.0, 20000.0,
        ] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() <= 1e-9 * (1.0 + hz));
        }
    }

    fn assert_filterbank_matches(bank: &Field, expected: &[[f64; 33]]) {
        assert_eq!(bank.dim(), (expected.len(), 33));
        for (i, row) in expected.iter().enumerate() {
            for (k, e) in row.iter().enumerate() {
                assert_close(bank[[i, k]], *e, &format!("weight [{i}, {k}]"));
            }
        }
    }

    #[test]
    fn small_filterbanks_match_librosa_entry_by_entry() {
        let bank = mel_filterbank(8000.0, 64, 10, 0.0, 4000.0);
        assert_filterbank_matches(&bank, &reference::SMALL_FILTERBANK);
        let banded = mel_filterbank(8000.0, 64, 6, 300.0, 3000.0);
        assert_filterbank_matches(&banded, &reference::BANDED_FILTERBANK);
    }

    #[test]
    fn the_books_filterbank_matches_librosa() {
        let bank = mel_filterbank(SR, 2048, 128, 0.0, SR / 2.0);
        assert_eq!(bank.dim(), (128, 1025));
        for (i, row) in bank.rows().into_iter().enumerate() {
            assert_close(row.sum(), reference::BOOK_ROW_SUMS[i], "row sum");
            let argmax = (0..row.len()).max_by(|a, b| row[*a].total_cmp(&row[*b]));
            assert_eq!(argmax, Some(reference::BOOK_ROW_ARGMAX[i]), "row {i}");
        }
        for (i, k, w) in reference::BOOK_ENTRIES {
            assert_close(bank[[i, k]], w, &format!("weight [{i}, {k}]"));
        }
    }

    #[test]
    fn stft_matches_librosa_for_both_paddings() {
        for (padding, expected) in [
            (Padding::Zeros, reference::STFT_ZEROS),
            (Padding::Reflect, reference::STFT_REFLECT),
        ] {
            let power = stft_power_padded(&reference::STFT_SIGNAL, 8, 3, padding);
            assert_eq!(power.dim(), (5, 4));
            for ((k, t), p) in power.indexed_iter() {
                assert_close(*p, expected[k][t], &format!("{padding:?} [{k}, {t}]"));
            }
        }
    }

    #[test]
    fn reflect_padding_mirrors_like_numpy_even_past_the_ends() {
        // np.pad([1, 2, 3], (5, 5), "reflect") == [2 1 2 3 2 1 2 3 2 1 2 3 2]
        let padded = pad_centred(&[1.0, 2.0, 3.0], 5, Padding::Reflect);
        let expected = [2., 1., 2., 3., 2., 1., 2., 3., 2., 1., 2., 3., 2.];
        assert_eq!(padded, expected);
        // np.pad([7], (2, 2), "reflect") == [7 7 7 7 7]
        assert_eq!(pad_centred(&[7.0], 2, Padding::Reflect), vec![7.0; 5]);
    }

    #[test]
    fn stft_of_a_steady_sine_has_the_hann_windows_three_bins() {
        // A sine of amplitude A at bin k0 = 40 of a 2048-point frame. The periodic Hann window's DFT
        // is N/2 at 0 and −N/4 at ±1, so every full frame has |X|² = (AN/4)² at k0,
        // (AN/8)² at k0 ± 1 and nothing elsewhere, whatever the frame's phase.
        let (n_fft, a, k0) = (2048, 0.5, 40);
        let power = stft_power(
            &sine(k0 as f64 * SR / n_fft as f64, a, CLIP_SAMPLES),
            n_fft,
            512,
        );
        assert_eq!(power.dim(), (1025, 87));
        let (centre, side) = ((a * 2048.0 / 4.0).powi(2), (a * 2048.0 / 8.0).powi(2));
        for (t, frame) in power.columns().into_iter().enumerate() {
            let argmax = (0..frame.len()).max_by(|x, y| frame[*x].total_cmp(&frame[*y]));
            assert_eq!(argmax, Some(k0), "frame {t}");
            let full = t >= 2 && t * 512 + 1024 <= CLIP_SAMPLES;
            if full {
                assert_close(frame[k0], centre, "centre bin");
                assert_close(frame[k0 - 1], side, "lower neighbour");
                assert_close(frame[k0 + 1], side, "upper neighbour");
                let rest = frame.sum() - centre - 2.0 * side;
                assert!(rest.abs() < 1e-6 * centre, "frame {t}: leakage {rest}");
            }
        }
    }

    #[test]
    fn book_clips_give_128_by_87_images() {
        assert_eq!(stft_frame_count(CLIP_SAMPLES, 2048, 512), 87);
        let image = log_mel_spectrogram(&vec![0.0; CLIP_SAMPLES], SR, &MelConfig::default());
        assert_eq!(image.dim(), (128, 87));
        // Silence sits at the −100 dB floor.
        assert!(image.iter().all(|v| *v == -100.0));
        // pysteps' RAPSD works on the longer side: frequencies r / 128.
        let r = crate::spectrum::rapsd(&image);
        assert_eq!(r.frequency.len(), 64);
        assert_eq!(r.frequency[1], 1.0 / 128.0);
    }

    /// The signal `make_mel_reference.py` builds: a 440 Hz tone plus a chirp from 200 Hz rising
    /// by 3000 Hz per second.
    fn reference_signal() -> Vec<f64> {
        (0..CLIP_SAMPLES)
            .map(|i| {
                let t = i as f64 / SR;
                0.5 * (2.0 * PI * 440.0 * t).sin()
                    + 0.25 * (2.0 * PI * (200.0 * t + 1500.0 * t * t)).sin()
            })
            .collect()
    }

    #[test]
    fn log_mel_matches_librosa() {
        // Zero padding is the default since librosa 0.10: the references must come from one.
        assert!(reference::LIBROSA_VERSION.starts_with("0.10."));
        let x = reference_signal();
        let config = MelConfig::default();
        let mel = mel_spectrogram(&x, SR, &config);
        assert_eq!(mel.dim(), reference::LOGMEL_SHAPE);
        for (t, expected) in reference::MEL_FRAME_SUMS.iter().enumerate() {
            assert_close(mel.column(t).sum(), *expected, &format!("frame {t}"));
        }
        let raw = power_to_db(&mel, None);
        let clamped = log_mel_spectrogram(&x, SR, &config);
        for (i, t, db, db80) in reference::LOGMEL_ENTRIES {
            assert_close(raw[[i, t]], db, &format!("dB [{i}, {t}]"));
            assert_close(clamped[[i, t]], db80, &format!("top_db 80 [{i}, {t}]"));
        }
        let max = raw.fold(f64::NEG_INFINITY, |m, v| m.max(*v));
        assert_close(max, reference::LOGMEL_MAX_DB, "maximum");
        let below = raw.iter().filter(|v| **v < max - 80.0).count();
        assert_eq!(below, reference::LOGMEL_CLAMPED_COUNT);
    }

    #[test]
    fn a_440_hz_tone_peaks_in_the_band_centred_nearest_440_hz() {
        let config = MelConfig::default();
        let image = log_mel_spectrogram(&sine(440.0, 0.5, CLIP_SAMPLES), SR, &config);
        let centres = mel_band_centres(config.n_mels, 0.0, SR / 2.0);
        let nearest = (0..centres.len()).min_by(|a, b| {
            (centres[*a] - 440.0)
                .abs()
                .total_cmp(&(centres[*b] - 440.0).abs())
        });
        for (t, frame) in image.columns().into_iter().enumerate() {
            let loudest = (0..frame.len()).max_by(|a, b| frame[*a].total_cmp(&frame[*b]));
            assert_eq!(loudest, nearest, "frame {t}");
        }
    }
}

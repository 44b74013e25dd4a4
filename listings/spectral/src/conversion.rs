//! Bringing decoded audio to the book's format: the channels averaged into one, and the sample
//! rate converted to 22,050 Hz without aliasing.
//!
//! Pure computation on samples already in memory; reading the files is the kit's job
//! (`bookkit::audio`), so a recording decoded anywhere (a browser, a test) is converted the same
//! way.

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
/// ends count as zero. The output has ⌈len · to / from⌉ samples ([`resampled_len`]): a caller
/// holding a file's claimed rate checks that length before calling (`ingest::limits`).
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
    let out_len = resampled_len(samples.len() as u64, from, to) as usize;
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

/// The length of [`resample`]'s output for `len` samples: ⌈len · to / from⌉ (saturating at
/// `u64::MAX` rather than wrapping, for lengths a damaged header claims).
pub fn resampled_len(len: u64, from: u32, to: u32) -> u64 {
    assert!(from > 0, "sample rates must be positive");
    let n = (u128::from(len) * u128::from(to)).div_ceil(u128::from(from));
    u64::try_from(n).unwrap_or(u64::MAX)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{SAMPLE_RATE, power_spectrum};
    use crate::curve::peak;
    use std::f64::consts::PI;

    fn sine(hz: f64, amplitude: f64, rate: u32, seconds: f64) -> Vec<f64> {
        let n = (seconds * f64::from(rate)).round() as usize;
        (0..n)
            .map(|i| amplitude * (2.0 * PI * hz * i as f64 / f64::from(rate)).sin())
            .collect()
    }

    #[test]
    fn channels_are_averaged_frame_by_frame_and_a_partial_frame_is_dropped() {
        assert_eq!(downmix(&[1.0, 0.0, 0.5, 0.5, 9.0], 2), vec![0.5, 0.5]);
        assert_eq!(downmix(&[0.75, -0.25, 0.5], 3), vec![1.0 / 3.0]);
        assert_eq!(downmix(&[0.1, 0.2], 1), vec![0.1, 0.2]);
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
    fn the_output_length_is_known_before_resampling() {
        for (len, from, to) in [
            (30_000, 44_101, 22_050),
            (7, 8_000, 22_050),
            (5, 22_050, 22_050),
        ] {
            let x = vec![0.25; len];
            assert_eq!(
                resample(&x, from, to).len() as u64,
                resampled_len(len as u64, from, to)
            );
        }
        assert_eq!(resampled_len(u64::MAX, 1, 22_050), u64::MAX);
    }
}

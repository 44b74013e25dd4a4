//! Magnitude, phase and power spectra, and the radially averaged power spectral density (RAPSD).
//!
//! The RAPSD follows the definition the post used, `pysteps.utils.spectral.rapsd` with
//! `fft_method=np.fft`, exactly:
//! 1. power = |fftshift(fft2(x))|² / (rows·cols), so standard white noise has power 1 in expectation;
//! 2. every frequency bin gets the integer radius round(√(u² + v²)), with centred coordinates
//!    u ∈ −⌊rows/2⌋ … ⌈rows/2⌉−1 and v likewise (the DC position after `fftshift`);
//! 3. with L = max(rows, cols), the radii kept are 0 … L/2 − 1 for even L and 0 … ⌊L/2⌋ for odd L
//!    (the corners beyond the inscribed circle are ignored);
//! 4. the RAPSD at radius r is the mean power over the bins of that radius, at frequency r / L
//!    cycles per pixel.

use ndarray::Array2;
use rustfft::num_complex::Complex64;

use crate::Field;
use crate::fft::{Fft2, fftshift};

// ANCHOR: spectra
/// The centred spectrum of a real field: `fftshift(fft2(field))`, DC at `[rows/2, cols/2]`.
pub fn centred_spectrum(field: &Field) -> Array2<Complex64> {
    let (rows, cols) = field.dim();
    fftshift(&Fft2::new(rows, cols).forward(field))
}

/// Power per frequency bin, |X|² / N, from a centred spectrum.
pub fn power(spectrum: &Array2<Complex64>) -> Field {
    let n = spectrum.len() as f64;
    spectrum.mapv(|z| z.norm_sqr() / n)
}

/// Natural log of the magnitude |X|, the quantity the post shows as an image.
/// Magnitudes are floored at the smallest positive `f64` so an exact zero does not give −∞.
pub fn log_magnitude(spectrum: &Array2<Complex64>) -> Field {
    spectrum.mapv(|z| z.norm().max(f64::MIN_POSITIVE).ln())
}

/// Phase angle of every bin, in [−π, π].
pub fn phase(spectrum: &Array2<Complex64>) -> Field {
    spectrum.mapv(|z| z.arg())
}
// ANCHOR_END: spectra

/// The phase of every bin of a centred spectrum measured from the field's centre pixel
/// `[rows/2, cols/2]` rather than from its corner `[0, 0]`, where the FFT puts the origin.
///
/// Why: a photo's content sits around its middle, half a field away from the corner, so the
/// corner-based phase of neighbouring frequencies differs by about π (the shift theorem: an
/// offset of N/2 pixels turns into a phase of πk). Shown as an image, that alternation reads
/// as stripes, and scaled down it aliases into fringes; about the centre the phase shows its
/// own disorder. The shift theorem gives it without a second FFT: X_c(u, v) =
/// X(u, v)·exp(2πi(u·c_r/rows + v·c_c/cols)), (u, v) the signed frequencies.
pub fn phase_about_centre(spectrum: &Array2<Complex64>) -> Field {
    let (rows, cols) = spectrum.dim();
    let (cr, cc) = (rows / 2, cols / 2);
    Field::from_shape_fn((rows, cols), |(i, j)| {
        let (u, v) = (i as f64 - cr as f64, j as f64 - cc as f64);
        let turn = 2.0
            * std::f64::consts::PI
            * (u * cr as f64 / rows as f64 + v * cc as f64 / cols as f64);
        (spectrum[[i, j]] * Complex64::from_polar(1.0, turn)).arg()
    })
}

/// A radially averaged power spectral density: `power[r]` at `frequency[r] = r / L`, r from 0 (DC).
#[derive(Clone, Debug, PartialEq)]
pub struct Rapsd {
    pub frequency: Vec<f64>,
    pub power: Vec<f64>,
}

impl Rapsd {
    /// The curve without its DC term, as the post plots it (log 0 is undefined on log-log axes).
    pub fn without_dc(&self) -> Rapsd {
        Rapsd {
            frequency: self.frequency[1..].to_vec(),
            power: self.power[1..].to_vec(),
        }
    }
}

/// Which radius each frequency bin of a `rows × cols` centred spectrum belongs to.
/// Built once per shape and reused for every image of that shape.
#[derive(Clone, Debug)]
pub struct RadialBins {
    rows: usize,
    cols: usize,
    /// Radius index of each bin in row-major order, or `None` beyond the largest kept radius.
    radius_of: Vec<Option<usize>>,
    counts: Vec<usize>,
    longest_side: usize,
}

impl RadialBins {
    // ANCHOR: bins
    pub fn new(rows: usize, cols: usize) -> Self {
        let longest_side = rows.max(cols);
        let n_radii = longest_side / 2 + longest_side % 2;
        let mut counts = vec![0; n_radii];
        let mut radius_of = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                let u = i as f64 - (rows / 2) as f64;
                let v = j as f64 - (cols / 2) as f64;
                let r = u.hypot(v).round() as usize;
                let kept = (r < n_radii).then_some(r);
                if let Some(r) = kept {
                    counts[r] += 1;
                }
                radius_of.push(kept);
            }
        }
        RadialBins {
            rows,
            cols,
            radius_of,
            counts,
            longest_side,
        }
    }
    // ANCHOR_END: bins

    /// Number of radii kept: L/2 for even L, ⌊L/2⌋ + 1 for odd L.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// How many frequency bins fall on each radius.
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }

    /// How many *independent* complex values each radius averages for a real field. A real field's
    /// spectrum is conjugate-symmetric, X(−k) = conj(X(k)), and both bins of a pair always share a
    /// radius, so ring r ≥ 1 holds `counts[r] / 2` independent values. (Radius 0, the DC bin,
    /// is reported as 1.) For white noise each value's power is exponentially distributed.
    pub fn independent_counts(&self) -> Vec<usize> {
        self.counts
            .iter()
            .enumerate()
            .map(|(r, c)| if r == 0 { 1 } else { c / 2 })
            .collect()
    }

    /// Frequencies r / L in cycles per pixel, r = 0 … len − 1.
    pub fn frequencies(&self) -> Vec<f64> {
        (0..self.len())
            .map(|r| r as f64 / self.longest_side as f64)
            .collect()
    }

    // ANCHOR: average
    /// Mean of a centred per-bin quantity (usually power) over each radius.
    pub fn average(&self, centred: &Field) -> Vec<f64> {
        assert_eq!(
            centred.dim(),
            (self.rows, self.cols),
            "array shape differs from the bins"
        );
        let mut sums = vec![0.0; self.len()];
        for (value, radius) in centred.iter().zip(&self.radius_of) {
            if let Some(r) = radius {
                sums[*r] += value;
            }
        }
        sums.iter()
            .zip(&self.counts)
            .map(|(s, c)| s / *c as f64)
            .collect()
    }
    // ANCHOR_END: average
}

// ANCHOR: rapsd
/// The RAPSD of one real field, DC included (pysteps `rapsd`, see the module docs).
pub fn rapsd(field: &Field) -> Rapsd {
    let (rows, cols) = field.dim();
    let bins = RadialBins::new(rows, cols);
    rapsd_with(&bins, &Fft2::new(rows, cols), field)
}

/// The RAPSD with a reusable plan and bins: the fast path for many fields of one shape.
pub fn rapsd_with(bins: &RadialBins, fft: &Fft2, field: &Field) -> Rapsd {
    let psd = power(&fftshift(&fft.forward(field)));
    Rapsd {
        frequency: bins.frequencies(),
        power: bins.average(&psd),
    }
}
// ANCHOR_END: rapsd

/// [`rapsd_with`]'s numbers, bit for bit, for measuring thousands of fields of one shape (the
/// `spectra` tool). [`rapsd_with`] is the readable definition: a full spectrum, shifted, squared,
/// averaged. This plan reads each bin's power straight from the half spectrum of
/// [`Fft2::forward_half`] (the other half is its mirror image, of equal power) and adds it to its
/// radius in the very order [`RadialBins::average`] does, without building the full, shifted and
/// power arrays (three 0.8–1.6 MB arrays per 320 × 320 field, and their page faults).
pub struct RapsdPlan {
    fft: Fft2,
    bins: RadialBins,
    /// `bins.radius_of` as `u32`, [`u32::MAX`] beyond the kept radii: a quarter of the memory
    /// (0.4 instead of 1.6 MB at 320 × 320) streamed through the cache for every field.
    radius: Vec<u32>,
}

impl RapsdPlan {
    pub fn new(rows: usize, cols: usize) -> Self {
        let bins = RadialBins::new(rows, cols);
        let radius = bins
            .radius_of
            .iter()
            .map(|r| r.map_or(u32::MAX, |r| r as u32))
            .collect();
        RapsdPlan {
            fft: Fft2::new(rows, cols),
            bins,
            radius,
        }
    }

    /// (rows, cols) of the fields this plan measures.
    pub fn shape(&self) -> (usize, usize) {
        (self.bins.rows, self.bins.cols)
    }

    pub fn frequencies(&self) -> Vec<f64> {
        self.bins.frequencies()
    }

    /// The RAPSD of `field`, DC included: equal to `rapsd_with(bins, fft, field).power`.
    pub fn power(&self, field: &Field) -> Vec<f64> {
        let (rows, cols) = self.shape();
        let half_spec = self.fft.forward_half(field);
        let half = half_spec.ncols();
        let h = half_spec
            .as_slice()
            .expect("forward_half returns a standard-layout array");
        let n = (rows * cols) as f64;
        let mut sums = vec![0.0; self.bins.len()];
        let mut row_power = vec![0.0; cols];
        // `fftshift` puts unshifted index (i + shift) % len at centred index i.
        let (row_shift, col_shift) = (rows - rows / 2, cols - cols / 2);
        for i in 0..rows {
            let k = (i + row_shift) % rows;
            let mirror = (rows - k) % rows;
            // Columns 0 … half − 1 from row k, the rest mirrored from row (rows − k) % rows.
            let (own, mirrored) = row_power.split_at_mut(half);
            for (p, z) in own.iter_mut().zip(&h[k * half..(k + 1) * half]) {
                *p = z.norm_sqr() / n;
            }
            for (j, p) in mirrored.iter_mut().enumerate() {
                *p = h[mirror * half + cols - half - j].norm_sqr() / n;
            }
            let centred = row_power[col_shift..].iter().chain(&row_power[..col_shift]);
            for (p, r) in centred.zip(&self.radius[i * cols..(i + 1) * cols]) {
                if *r != u32::MAX {
                    sums[*r as usize] += p;
                }
            }
        }
        sums.iter()
            .zip(&self.bins.counts)
            .map(|(s, c)| s / *c as f64)
            .collect()
    }
}

/// The log-domain mean RAPSD of many fields of one shape (DC included): the post's "typical"
/// spectrum. A geometric mean, because power spans orders of magnitude and a plain mean would be
/// ruled by the few fields with the most power.
pub fn log_mean_rapsd(fields: &[Field]) -> Rapsd {
    assert!(!fields.is_empty(), "averaging needs at least one field");
    let (rows, cols) = fields[0].dim();
    let plan = RapsdPlan::new(rows, cols);
    let curves: Vec<Vec<f64>> = fields.iter().map(|f| plan.power(f)).collect();
    Rapsd {
        frequency: plan.frequencies(),
        power: crate::fit::log_mean(&curves),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phase_about_the_centre_is_the_phase_of_the_field_rolled_to_its_centre() {
        // Ground truth: move the centre pixel to [0, 0] (a periodic roll) and take the phase of
        // that field's spectrum; even and odd sizes.
        for (rows, cols) in [(6, 8), (5, 7)] {
            let x = Field::from_shape_fn((rows, cols), |(i, j)| {
                ((i * 7 + j * 3) % 5) as f64 - 1.3 * (j as f64).sin()
            });
            let (cr, cc) = (rows / 2, cols / 2);
            let rolled =
                Field::from_shape_fn((rows, cols), |(i, j)| x[[(i + cr) % rows, (j + cc) % cols]]);
            let want = phase(&centred_spectrum(&rolled));
            let got = phase_about_centre(&centred_spectrum(&x));
            for (g, w) in got.iter().zip(&want) {
                let d = (g - w).rem_euclid(2.0 * std::f64::consts::PI);
                assert!(
                    d.min(2.0 * std::f64::consts::PI - d) < 1e-9,
                    "{rows}×{cols}: {g} vs {w}"
                );
            }
        }
    }
    use crate::noise::{gaussian_field, seeded_rng};
    use std::f64::consts::PI;

    #[test]
    fn the_plan_gives_rapsd_with_bit_for_bit() {
        for (rows, cols) in [(8, 8), (7, 9), (6, 5), (9, 7), (32, 48), (320, 320)] {
            let field = gaussian_field(
                rows,
                cols,
                1.0,
                &mut seeded_rng(rows as u64 * 100 + cols as u64),
            );
            let want = rapsd_with(&RadialBins::new(rows, cols), &Fft2::new(rows, cols), &field);
            let plan = RapsdPlan::new(rows, cols);
            let got = plan.power(&field);
            assert_eq!(plan.frequencies(), want.frequency);
            assert_eq!(got.len(), want.power.len(), "{rows}×{cols}");
            for (r, (a, b)) in got.iter().zip(&want.power).enumerate() {
                assert_eq!(
                    a.to_bits(),
                    b.to_bits(),
                    "{rows}×{cols} radius {r}: {a} vs {b}"
                );
            }
        }
    }

    // ANCHOR: slow
    /// The RAPSD written out the slow way, straight from the definition: a DFT sum per bin,
    /// a ring mask per radius. Shares no code with the fast path.
    fn slow_rapsd(x: &Field) -> Vec<f64> {
        let (m, n) = x.dim();
        let l = m.max(n);
        let radii = if l % 2 == 1 { l / 2 + 1 } else { l / 2 };
        let centred = |k: usize, size: usize| k as i64 - (size / 2) as i64;
        let mut out = Vec::new();
        for r in 0..radii {
            let (mut sum, mut count) = (0.0, 0usize);
            for a in 0..m {
                for b in 0..n {
                    let (u, v) = (centred(a, m), centred(b, n));
                    if ((u * u + v * v) as f64).sqrt().round() as usize != r {
                        continue;
                    }
                    let mut acc = Complex64::default();
                    for ((i, j), val) in x.indexed_iter() {
                        let ph = -2.0
                            * PI
                            * (u as f64 * i as f64 / m as f64 + v as f64 * j as f64 / n as f64);
                        acc += Complex64::from_polar(*val, ph);
                    }
                    sum += acc.norm_sqr() / (m * n) as f64;
                    count += 1;
                }
            }
            out.push(sum / count as f64);
        }
        out
    }
    // ANCHOR_END: slow

    #[test]
    fn matches_the_direct_definition_on_even_odd_and_non_square_fields() {
        let mut rng = seeded_rng(7);
        for (m, n) in [(16, 16), (15, 15), (12, 17), (17, 10), (9, 14)] {
            let x = gaussian_field(m, n, 1.0, &mut rng) + 0.3;
            let fast = rapsd(&x);
            let slow = slow_rapsd(&x);
            assert_eq!(fast.power.len(), slow.len(), "{m}x{n}");
            for (a, b) in fast.power.iter().zip(&slow) {
                assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1e-300),
                    "{m}x{n}: {a} vs {b}"
                );
            }
            let l = m.max(n) as f64;
            assert!(
                fast.frequency
                    .iter()
                    .enumerate()
                    .all(|(r, f)| *f == r as f64 / l)
            );
        }
    }

    #[test]
    fn radii_and_frequencies_follow_pysteps() {
        // Even L: radii 0..L/2-1, the last frequency is (L/2-1)/L; odd L includes ⌊L/2⌋.
        let even = RadialBins::new(320, 320);
        assert_eq!(even.len(), 160);
        assert_eq!(*even.frequencies().last().unwrap(), 159.0 / 320.0);
        assert_eq!(RadialBins::new(7, 4).len(), 4);
        // Radius 1 holds the 4 axis neighbours and the 4 diagonal ones (√2 rounds to 1).
        assert_eq!(even.counts()[1], 8);
        assert_eq!(even.counts()[0], 1);
    }

    #[test]
    fn parseval_total_power_equals_mean_square() {
        let mut rng = seeded_rng(11);
        let x = gaussian_field(24, 30, 2.0, &mut rng) + 1.5;
        let total: f64 = power(&centred_spectrum(&x)).sum();
        let energy: f64 = x.iter().map(|v| v * v).sum();
        assert!(
            (total - energy).abs() < 1e-9 * energy,
            "{total} vs {energy}"
        );
    }

    #[test]
    fn white_noise_rapsd_is_flat_at_its_variance() {
        let mut rng = seeded_rng(3);
        let sigma: f64 = 3.0;
        let curve = rapsd(&gaussian_field(256, 256, sigma, &mut rng)).without_dc();
        // Radii ≥ 32 average ≥ 190 independent exponential bins: each within ±40% of σ².
        let mean: f64 = curve.power.iter().sum::<f64>() / curve.power.len() as f64;
        assert!((mean / (sigma * sigma) - 1.0).abs() < 0.02, "mean {mean}");
        for p in &curve.power[32..] {
            assert!((p / (sigma * sigma) - 1.0).abs() < 0.4, "{p}");
        }
    }

    #[test]
    fn log_magnitude_and_phase_of_a_cosine() {
        // cos(2π·2j/8) has all its energy at columns ±2 of row 0, with zero phase.
        let x = Array2::from_shape_fn((8, 8), |(_, j)| (2.0 * PI * 2.0 * j as f64 / 8.0).cos());
        let spec = centred_spectrum(&x);
        let (mag, ph) = (log_magnitude(&spec), phase(&spec));
        assert!(
            (mag[[4, 6]] - 32f64.ln()).abs() < 1e-12 && (mag[[4, 2]] - 32f64.ln()).abs() < 1e-12
        );
        assert!(ph[[4, 6]].abs() < 1e-12);
        assert!(
            mag[[0, 0]] < -20.0,
            "off-peak bins hold only rounding error"
        );
    }
}

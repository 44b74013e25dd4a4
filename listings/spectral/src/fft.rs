//! The 2D discrete Fourier transform of real images, and `fftshift`.
//!
//! Conventions follow NumPy's `np.fft.fft2`: the forward transform is unnormalised,
//! `X[k, l] = Σ_m Σ_n x[m, n] · exp(-2πi (km/M + ln/N))`, and the inverse divides by `M·N`.
//! Rows are transformed with a real-to-complex FFT (half the work), columns with a complex FFT,
//! and the other half of the spectrum is filled in from conjugate symmetry, `X[-k] = conj(X[k])`,
//! which holds for every real input.

use ndarray::Array2;
use realfft::{RealFftPlanner, RealToComplex};
use rustfft::num_complex::Complex64;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

use crate::Field;

/// A planned 2D FFT for one image shape: plan once, transform many images of that shape.
pub struct Fft2 {
    rows: usize,
    cols: usize,
    row_fft: Arc<dyn RealToComplex<f64>>,
    col_fft: Arc<dyn Fft<f64>>,
}

impl Fft2 {
    /// Plans the transforms for `rows × cols` fields.
    pub fn new(rows: usize, cols: usize) -> Self {
        assert!(rows > 0 && cols > 0, "an FFT needs a non-empty field");
        let row_fft = RealFftPlanner::<f64>::new().plan_fft_forward(cols);
        let col_fft = FftPlanner::<f64>::new().plan_fft_forward(rows);
        Fft2 {
            rows,
            cols,
            row_fft,
            col_fft,
        }
    }

    /// The full, unshifted, unnormalised spectrum of a real field (DC at `[0, 0]`).
    pub fn forward(&self, field: &Field) -> Array2<Complex64> {
        let (rows, cols) = (self.rows, self.cols);
        let half_spec = self.forward_half(field);
        let half = half_spec.ncols();
        let h = half_spec
            .as_slice()
            .expect("forward_half returns a standard-layout array");
        // Conjugate symmetry fills the columns the real FFT skipped: X[k, l] for l ≥ half is
        // conj(X[(rows − k) % rows, cols − l]). Built row by row from slices (this runs for every
        // image the book measures; an index-by-index fill took half as long as the FFT itself).
        let mut full = Vec::with_capacity(rows * cols);
        for k in 0..rows {
            let mirror = (rows - k) % rows;
            full.extend_from_slice(&h[k * half..(k + 1) * half]);
            full.extend((half..cols).map(|l| h[mirror * half + cols - l].conj()));
        }
        Array2::from_shape_vec((rows, cols), full).expect("rows × cols values were written")
    }

    /// Columns `0 ..= cols/2` of [`Fft2::forward`], `rows × (cols/2 + 1)`: the whole spectrum of a
    /// real field, the rest being its mirror image, `X[k, l] = conj(X[(rows − k) % rows, cols − l])`.
    /// Computing the power from it skips building the redundant half.
    pub fn forward_half(&self, field: &Field) -> Array2<Complex64> {
        let (rows, cols) = field.dim();
        assert_eq!(
            (rows, cols),
            (self.rows, self.cols),
            "field shape differs from the plan"
        );
        let half = cols / 2 + 1;
        // Real FFT of every row: columns 0..=cols/2, appended row by row.
        let mut h = Vec::with_capacity(rows * half);
        let mut row_in = vec![0.0; cols];
        let mut row_out = self.row_fft.make_output_vec();
        let mut scratch = self.row_fft.make_scratch_vec();
        for row in field.rows() {
            // A contiguous row (the usual, standard-layout field) copies as one block.
            match row.as_slice() {
                Some(values) => row_in.copy_from_slice(values),
                None => row_in.iter_mut().zip(row.iter()).for_each(|(d, s)| *d = *s),
            }
            self.row_fft
                .process_with_scratch(&mut row_in, &mut row_out, &mut scratch)
                .expect("buffer sizes come from the plan");
            h.extend_from_slice(&row_out);
        }
        // Complex FFT down every kept column, [`COLUMNS`] columns at a time: gathered into one
        // contiguous buffer (rustfft transforms consecutive chunks in one call), so that each
        // cache line of the row-major spectrum is read and written once per group, not once per
        // column.
        let mut group = vec![Complex64::default(); rows * COLUMNS];
        let mut col_scratch = vec![Complex64::default(); self.col_fft.get_inplace_scratch_len()];
        for c0 in (0..half).step_by(COLUMNS) {
            let g = COLUMNS.min(half - c0);
            for (r, line) in h.chunks_exact(half).enumerate() {
                for (j, z) in line[c0..c0 + g].iter().enumerate() {
                    group[j * rows + r] = *z;
                }
            }
            self.col_fft
                .process_with_scratch(&mut group[..g * rows], &mut col_scratch);
            for (r, line) in h.chunks_exact_mut(half).enumerate() {
                for (j, z) in line[c0..c0 + g].iter_mut().enumerate() {
                    *z = group[j * rows + r];
                }
            }
        }
        Array2::from_shape_vec((rows, half), h).expect("rows × half values were written")
    }
}

/// Columns transformed together by [`Fft2::forward_half`]: four complex `f64`s fill a 64-byte
/// cache line.
const COLUMNS: usize = 4;

/// The unshifted, unnormalised 2D spectrum of a real field (`np.fft.fft2`).
pub fn fft2(field: &Field) -> Array2<Complex64> {
    let (rows, cols) = field.dim();
    Fft2::new(rows, cols).forward(field)
}

/// Inverse of a full 2D spectrum, divided by `rows·cols` like `np.fft.ifft2`.
pub fn ifft2(spectrum: &Array2<Complex64>) -> Array2<Complex64> {
    let (rows, cols) = spectrum.dim();
    let mut planner = FftPlanner::<f64>::new();
    let (row_fft, col_fft) = (
        planner.plan_fft_inverse(cols),
        planner.plan_fft_inverse(rows),
    );
    let mut out = spectrum.clone();
    let mut buf = vec![Complex64::default(); cols.max(rows)];
    for mut row in out.rows_mut() {
        buf[..cols]
            .iter_mut()
            .zip(row.iter())
            .for_each(|(d, s)| *d = *s);
        row_fft.process(&mut buf[..cols]);
        row.iter_mut().zip(&buf[..cols]).for_each(|(d, s)| *d = *s);
    }
    for mut col in out.columns_mut() {
        buf[..rows]
            .iter_mut()
            .zip(col.iter())
            .for_each(|(d, s)| *d = *s);
        col_fft.process(&mut buf[..rows]);
        col.iter_mut().zip(&buf[..rows]).for_each(|(d, s)| *d = *s);
    }
    let n = (rows * cols) as f64;
    out.mapv_inplace(|z| z / n);
    out
}

/// Moves the zero frequency to the centre, like `np.fft.fftshift` on both axes:
/// element `[i, j]` goes to `[(i + rows/2) % rows, (j + cols/2) % cols]`.
pub fn fftshift<T: Clone>(a: &Array2<T>) -> Array2<T> {
    let (rows, cols) = a.dim();
    let (sr, sc) = (rows / 2, cols / 2);
    let Some(flat) = a.as_slice() else {
        return Array2::from_shape_fn((rows, cols), |(i, j)| {
            a[[(i + rows - sr) % rows, (j + cols - sc) % cols]].clone()
        });
    };
    // In standard layout each output row is a source row rotated by `sc`: two slice copies.
    let mut out = Vec::with_capacity(rows * cols);
    for i in 0..rows {
        let row = &flat[(i + rows - sr) % rows * cols..][..cols];
        out.extend_from_slice(&row[cols - sc..]);
        out.extend_from_slice(&row[..cols - sc]);
    }
    Array2::from_shape_vec((rows, cols), out).expect("rows × cols values were written")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// The DFT straight from its definition: O(N²) per output, the ground truth for small fields.
    fn slow_dft2(x: &Field) -> Array2<Complex64> {
        let (m, n) = x.dim();
        Array2::from_shape_fn((m, n), |(k, l)| {
            let mut acc = Complex64::default();
            for ((i, j), v) in x.indexed_iter() {
                let phase = -2.0 * PI * ((k * i) as f64 / m as f64 + (l * j) as f64 / n as f64);
                acc += Complex64::from_polar(*v, phase);
            }
            acc
        })
    }

    fn test_field(m: usize, n: usize) -> Field {
        Array2::from_shape_fn((m, n), |(i, j)| {
            ((i * 7 + j * 13) % 11) as f64 - 5.0 + (i as f64 * 0.3).sin()
        })
    }

    #[test]
    fn matches_the_definition_on_even_odd_and_non_square_shapes() {
        for (m, n) in [(8, 8), (7, 7), (6, 9), (9, 4), (1, 5), (5, 1)] {
            let x = test_field(m, n);
            let fast = fft2(&x);
            let slow = slow_dft2(&x);
            for (a, b) in fast.iter().zip(slow.iter()) {
                assert!(
                    (a - b).norm() <= 1e-9 * (1.0 + b.norm()),
                    "{m}x{n}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn inverse_recovers_the_field() {
        let x = test_field(6, 10);
        let back = ifft2(&fft2(&x));
        for (a, b) in back.iter().zip(x.iter()) {
            assert!((a.re - b).abs() < 1e-12 && a.im.abs() < 1e-12);
        }
    }

    #[test]
    fn fftshift_centres_dc_like_numpy() {
        // np.fft.fftshift(np.arange(5)) == [3, 4, 0, 1, 2]; for 4: [2, 3, 0, 1]
        let a = Array2::from_shape_fn((1, 5), |(_, j)| j);
        assert_eq!(
            fftshift(&a).into_raw_vec_and_offset().0,
            vec![3, 4, 0, 1, 2]
        );
        let b = Array2::from_shape_fn((4, 1), |(i, _)| i);
        assert_eq!(fftshift(&b).into_raw_vec_and_offset().0, vec![2, 3, 0, 1]);
    }

    #[test]
    fn fftshift_is_the_same_for_any_memory_layout() {
        // The slice-copy path (standard layout) and the index path (here a transposed array)
        // must agree with the definition out[i, j] = a[(i + rows/2) mod rows, (j + cols/2) mod cols].
        for (m, n) in [(4, 6), (5, 7), (1, 3), (6, 1)] {
            let a = Array2::from_shape_fn((m, n), |(i, j)| 100 * i + j);
            let t = Array2::from_shape_fn((n, m), |(j, i)| 100 * i + j).reversed_axes();
            assert!(a.as_slice().is_some());
            assert_eq!(t.as_slice().is_none(), m > 1 && n > 1, "{m}x{n}");
            let want = Array2::from_shape_fn((m, n), |(i, j)| {
                100 * ((i + m - m / 2) % m) + (j + n - n / 2) % n
            });
            assert_eq!(fftshift(&a), want, "{m}x{n}");
            assert_eq!(fftshift(&t), want, "{m}x{n} transposed");
        }
    }

    #[test]
    fn forward_half_is_the_left_part_of_forward() {
        for (m, n) in [(8, 8), (7, 9), (6, 5)] {
            let x = test_field(m, n);
            let plan = Fft2::new(m, n);
            let (full, half) = (plan.forward(&x), plan.forward_half(&x));
            assert_eq!(half.dim(), (m, n / 2 + 1));
            assert_eq!(full.slice(ndarray::s![.., ..n / 2 + 1]), half);
        }
    }
}

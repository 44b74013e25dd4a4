//! The network's 3 × 3 convolution (stride 1, zero padding 1), fast enough to train on two cores.
//!
//! candle's `conv2d` computes the forward pass well (im2col and a matrix multiply), but its
//! backward pass sends the input gradient through `conv_transpose2d`, a direct loop without a
//! matrix multiply, which made a training step about 4× slower than its forward pass alone. This
//! module is the same convolution as a candle custom operation:
//!
//! - the **forward** pass does exactly what candle's `conv2d` does on the CPU (the same im2col
//!   tiles of 512 output pixels, the same order of the 9·C rows, the same calls to the `gemm`
//!   crate), so its output equals `conv2d`'s bit for bit (tested), only without candle's
//!   single-threaded layout conversion and scattered copies;
//! - the **backward** pass computes both gradients as matrix multiplies over the same tiles: the
//!   kernel gradient dW = dY·colᵀ, and the input gradient as the convolution of dY with the
//!   kernel flipped and transposed, through the forward pass's own fast path. It is the same
//!   mathematics as candle's backward in another order of summation, so it agrees with it to float
//!   rounding (tested), not bit for bit.
//!
//! Work is split over the images of a batch, each image's sums in a fixed order and the kernel
//! gradient summed over images in order, so the results do not depend on the number of threads.

use candle_core::{CpuStorage, CustomOp1, CustomOp2, CustomOp3, Layout, Result, Shape, Tensor};
use gemm::{Parallelism, gemm};
use rayon::prelude::*;

/// Output pixels per im2col tile: candle's own tile size, so `gemm` sees the same shapes (and so
/// sums in the same order) as in candle's `conv2d`.
const TILE: usize = 512;

// ANCHOR: conv
/// y = conv3x3(x, w) + shift for x of shape (batch, C, H, W), w of shape (O, C, 3, 3) and a
/// per-image, per-channel offset `shift` of shape (batch, O) (a bias, plus the noise level's
/// offset where there is one): the network's convolution. Its reference is candle's
/// `x.conv2d(w, 1, 1, 1, 1)?.broadcast_add(&shift.reshape((batch, O, 1, 1))?)`.
pub fn conv3x3(x: &Tensor, w: &Tensor, shift: &Tensor) -> Result<Tensor> {
    x.contiguous()?
        .apply_op3(&w.contiguous()?, &shift.contiguous()?, Conv3x3)
}
// ANCHOR_END: conv

/// The shapes of one convolution.
#[derive(Clone, Copy, Debug)]
struct Dims {
    batch: usize,
    c_in: usize,
    c_out: usize,
    h: usize,
    w: usize,
}

impl Dims {
    fn of(x: &Layout, w: &Layout) -> Result<Dims> {
        let (batch, c_in, h, wd) = x.shape().dims4()?;
        let (c_out, c_w, kh, kw) = w.shape().dims4()?;
        if c_w != c_in || kh != 3 || kw != 3 {
            candle_core::bail!(
                "conv3x3: kernel {:?} does not fit input {:?}",
                w.shape(),
                x.shape()
            );
        }
        Ok(Dims {
            batch,
            c_in,
            c_out,
            h,
            w: wd,
        })
    }

    fn pixels(&self) -> usize {
        self.h * self.w
    }

    /// Rows of the im2col matrix: (ky, kx, c) with c fastest, as candle orders them.
    fn k(&self) -> usize {
        9 * self.c_in
    }
}

/// The f32 data of a contiguous storage (the only layout the operations accept).
fn slice<'a>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [f32]> {
    let Some((start, end)) = l.contiguous_offsets() else {
        candle_core::bail!("conv3x3: expects contiguous tensors");
    };
    match s {
        CpuStorage::F32(v) => Ok(&v[start..end]),
        _ => candle_core::bail!("conv3x3: only f32 is supported"),
    }
}

/// The kernel (O, C, 3, 3) as the (O, 9·C) matrix of im2col's row order (ky, kx, c).
fn kernel_rows(w: &[f32], d: Dims) -> Vec<f32> {
    let mut out = Vec::with_capacity(d.c_out * d.k());
    for o in 0..d.c_out {
        for ky in 0..3 {
            for kx in 0..3 {
                for c in 0..d.c_in {
                    out.push(w[((o * d.c_in + c) * 3 + ky) * 3 + kx]);
                }
            }
        }
    }
    out
}

/// The inverse of [`kernel_rows`]: (O, 9·C) back to (O, C, 3, 3).
fn kernel_from_rows(rows: &[f32], d: Dims) -> Vec<f32> {
    let mut out = vec![0.0; rows.len()];
    for o in 0..d.c_out {
        for ky in 0..3 {
            for kx in 0..3 {
                for c in 0..d.c_in {
                    out[((o * d.c_in + c) * 3 + ky) * 3 + kx] =
                        rows[o * d.k() + (ky * 3 + kx) * d.c_in + c];
                }
            }
        }
    }
    out
}

/// For output pixels `start .. start + len` of one image `x` (C, H, W), the im2col tile
/// (9·C rows of `len`): row (ky, kx, c) holds input pixel (y + ky − 1, x + kx − 1) of channel c,
/// zero outside the image.
fn fill_tile(col: &mut [f32], x: &[f32], d: Dims, start: usize, len: usize) {
    for ky in 0..3 {
        for kx in 0..3 {
            for c in 0..d.c_in {
                let row = &mut col[((ky * 3 + kx) * d.c_in + c) * len..][..len];
                let channel = &x[c * d.pixels()..][..d.pixels()];
                for_each_row_segment(d, start, len, |y, x0, x1, at| {
                    let out = &mut row[at..at + (x1 - x0)];
                    shifted_copy(out, channel, d, y, x0, ky, kx);
                });
            }
        }
    }
}

/// Calls `f(y, x0, x1, offset)` for each image row y that output pixels `start .. start + len`
/// cover, with its columns x0 .. x1 and their offset in the tile.
fn for_each_row_segment(
    d: Dims,
    start: usize,
    len: usize,
    mut f: impl FnMut(usize, usize, usize, usize),
) {
    let mut p = start;
    while p < start + len {
        let (y, x0) = (p / d.w, p % d.w);
        let x1 = d.w.min(x0 + (start + len - p));
        f(y, x0, x1, p - start);
        p += x1 - x0;
    }
}

/// out[i] = channel(y + ky − 1, x0 + i + kx − 1), or 0 outside the image.
fn shifted_copy(
    out: &mut [f32],
    channel: &[f32],
    d: Dims,
    y: usize,
    x0: usize,
    ky: usize,
    kx: usize,
) {
    let iy = y as isize + ky as isize - 1;
    if iy < 0 || iy >= d.h as isize {
        out.fill(0.0);
        return;
    }
    let src = &channel[iy as usize * d.w..][..d.w];
    let (lo, hi) = inside(d.w, x0, out.len(), kx);
    out[..lo].fill(0.0);
    out[hi..].fill(0.0);
    let first = x0 + lo + kx - 1;
    out[lo..hi].copy_from_slice(&src[first..first + (hi - lo)]);
}

/// The range lo .. hi of i in 0 .. len for which column x0 + i + kx − 1 lies inside an image of
/// width w.
fn inside(w: usize, x0: usize, len: usize, kx: usize) -> (usize, usize) {
    let lo = (1 - kx.min(1)).saturating_sub(x0).min(len);
    let hi = (w + 1 - kx).saturating_sub(x0).min(len).max(lo);
    (lo, hi)
}

/// The tiles of one image: (start, len) over its output pixels.
fn tiles(d: Dims) -> impl Iterator<Item = (usize, usize)> {
    let n = d.pixels();
    (0..n.div_ceil(TILE)).map(move |t| (t * TILE, TILE.min(n - t * TILE)))
}

/// A row-major matrix view for [`matmul`]: pointer, column stride, row stride.
type View = (*const f32, isize, isize);

/// dst (m × n, row stride `dst_rs`) = lhs (m × k) · rhs (k × n), plus dst itself if `accumulate`:
/// one single-threaded call of the `gemm` crate, as candle makes it.
///
/// # Safety
/// The views must address m × k, k × n and m × n valid elements with their strides.
unsafe fn matmul(
    (m, n, k): (usize, usize, usize),
    dst: *mut f32,
    dst_rs: usize,
    accumulate: bool,
    lhs: View,
    rhs: View,
) {
    unsafe {
        gemm(
            m,
            n,
            k,
            dst,
            1,
            dst_rs as isize,
            accumulate,
            lhs.0,
            lhs.1,
            lhs.2,
            rhs.0,
            rhs.1,
            rhs.2,
            if accumulate { 1.0 } else { 0.0 },
            1.0,
            false,
            false,
            false,
            Parallelism::None,
        )
    }
}

thread_local! {
    /// Each thread's im2col tile, kept between calls: a training step makes about a thousand
    /// of them, and allocating (and zeroing) a fresh one each time cost several per cent.
    static COL: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's im2col buffer, at least `len` long (every entry `fill_tile` or
/// the matrix multiply reads is written first).
fn with_col<T>(len: usize, f: impl FnOnce(&mut [f32]) -> T) -> T {
    COL.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() < len {
            c.resize(len, 0.0);
        }
        f(&mut c[..len])
    })
}

/// Forward pass of one image: out (O, H·W) = W (O, 9C) · im2col(x), tile by tile.
fn forward_image(out: &mut [f32], x: &[f32], kernel: &[f32], d: Dims) {
    with_col(d.k() * TILE, |col| forward_tiles(out, x, kernel, d, col))
}

fn forward_tiles(out: &mut [f32], x: &[f32], kernel: &[f32], d: Dims, col: &mut [f32]) {
    for (start, len) in tiles(d) {
        fill_tile(col, x, d, start, len);
        // SAFETY: `kernel` is O × 9C, `col` holds 9C rows of `len`, and `out` O rows of H·W of
        // which this tile writes columns start .. start + len.
        unsafe {
            matmul(
                (d.c_out, len, d.k()),
                out.as_mut_ptr().add(start),
                d.pixels(),
                false,
                (kernel.as_ptr(), 1, d.k() as isize),
                (col.as_ptr(), 1, len as isize),
            )
        }
    }
}

/// Kernel gradient of one image: Σ over tiles of dY (O × tile) · im2col(x)ᵀ (tile × 9C).
fn kernel_grad_image(x: &[f32], dy: &[f32], d: Dims) -> Vec<f32> {
    let mut dw = vec![0.0; d.c_out * d.k()];
    with_col(d.k() * TILE, |col| {
        kernel_grad_tiles(&mut dw, x, dy, d, col)
    });
    dw
}

fn kernel_grad_tiles(dw: &mut [f32], x: &[f32], dy: &[f32], d: Dims, col: &mut [f32]) {
    for (i, (start, len)) in tiles(d).enumerate() {
        fill_tile(col, x, d, start, len);
        // SAFETY: dY's tile is O rows of `len` at stride H·W; col read transposed is len × 9C.
        unsafe {
            matmul(
                (d.c_out, d.k(), len),
                dw.as_mut_ptr(),
                d.k(),
                i > 0,
                (dy.as_ptr().add(start), 1, d.pixels() as isize),
                (col.as_ptr(), len as isize, 1),
            )
        }
    }
}

/// The forward operation: (x, w, shift) → y.
struct Conv3x3;

impl CustomOp3 for Conv3x3 {
    fn name(&self) -> &'static str {
        "conv3x3"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        ws: &CpuStorage,
        wl: &Layout,
        ss: &CpuStorage,
        sl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let d = Dims::of(xl, wl)?;
        if sl.shape().dims() != [d.batch, d.c_out] {
            candle_core::bail!("conv3x3: shift {:?} is not (batch, out)", sl.shape());
        }
        let (x, kernel, shift) = (
            slice(xs, xl)?,
            kernel_rows(slice(ws, wl)?, d),
            slice(ss, sl)?,
        );
        let mut y = vec![0.0f32; d.batch * d.c_out * d.pixels()];
        y.par_chunks_mut(d.c_out * d.pixels())
            .zip(x.par_chunks(d.c_in * d.pixels()))
            .zip(shift.par_chunks(d.c_out))
            .for_each(|((out, x), shift)| {
                forward_image(out, x, &kernel, d);
                for (channel, s) in out.chunks_exact_mut(d.pixels()).zip(shift) {
                    channel.iter_mut().for_each(|v| *v += s);
                }
            });
        Ok((
            CpuStorage::F32(y),
            Shape::from((d.batch, d.c_out, d.h, d.w)),
        ))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _shift: &Tensor,
        _y: &Tensor,
        dy: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let dy = dy.contiguous()?;
        // The network's input needs no gradient: only what depends on parameters does.
        let dx = if x.track_op() {
            Some(dy.apply_op2_no_bwd(w, &InputGrad)?)
        } else {
            None
        };
        let dw = x.apply_op2_no_bwd(&dy, &KernelGrad)?;
        let dshift = dy.apply_op1_no_bwd(&SumPixels)?;
        Ok((dx, Some(dw), Some(dshift)))
    }
}

/// (batch, O, H, W) → (batch, O): the sum over each channel's pixels (the gradient of the shift).
struct SumPixels;

impl CustomOp1 for SumPixels {
    fn name(&self) -> &'static str {
        "sum-pixels"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let (batch, c, h, w) = l.shape().dims4()?;
        let sums = slice(s, l)?
            .chunks_exact(h * w)
            .map(|channel| channel.iter().sum::<f32>())
            .collect();
        Ok((CpuStorage::F32(sums), Shape::from((batch, c))))
    }
}

/// (dy, w) → dx.
struct InputGrad;

impl CustomOp2 for InputGrad {
    fn name(&self) -> &'static str {
        "conv3x3-input-grad"
    }

    fn cpu_fwd(
        &self,
        dys: &CpuStorage,
        dyl: &Layout,
        ws: &CpuStorage,
        wl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        // dx = conv3x3(dy, w̃) with w̃[c][o][ky][kx] = w[o][c][2 − ky][2 − kx]: the adjoint of a
        // zero-padded convolution is the convolution with the kernel flipped and its channels
        // swapped, which runs through the forward pass's fast path (a col2im of Wᵀ·dy would
        // multiply by only O numbers per output and scatter its sums).
        let (batch, c_out, h, w) = dyl.shape().dims4()?;
        let (_, c_in, _, _) = wl.shape().dims4()?;
        let d = Dims {
            batch,
            c_in: c_out,
            c_out: c_in,
            h,
            w,
        };
        let (dy, kernel) = (slice(dys, dyl)?, slice(ws, wl)?);
        let mut flipped = vec![0.0f32; kernel.len()];
        for o in 0..c_out {
            for c in 0..c_in {
                for ky in 0..3 {
                    for kx in 0..3 {
                        flipped[((c * c_out + o) * 3 + ky) * 3 + kx] =
                            kernel[((o * c_in + c) * 3 + 2 - ky) * 3 + 2 - kx];
                    }
                }
            }
        }
        let kernel = kernel_rows(&flipped, d);
        let mut dx = vec![0.0f32; batch * c_in * d.pixels()];
        dx.par_chunks_mut(c_in * d.pixels())
            .zip(dy.par_chunks(c_out * d.pixels()))
            .for_each(|(dx, dy)| forward_image(dx, dy, &kernel, d));
        Ok((CpuStorage::F32(dx), Shape::from((batch, c_in, h, w))))
    }
}

/// (x, dy) → dw.
struct KernelGrad;

impl CustomOp2 for KernelGrad {
    fn name(&self) -> &'static str {
        "conv3x3-kernel-grad"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        dys: &CpuStorage,
        dyl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (batch, c_in, h, w) = xl.shape().dims4()?;
        let (_, c_out, _, _) = dyl.shape().dims4()?;
        let d = Dims {
            batch,
            c_in,
            c_out,
            h,
            w,
        };
        let (x, dy) = (slice(xs, xl)?, slice(dys, dyl)?);
        let per_image: Vec<Vec<f32>> = x
            .par_chunks(c_in * d.pixels())
            .zip(dy.par_chunks(c_out * d.pixels()))
            .map(|(x, dy)| kernel_grad_image(x, dy, d))
            .collect();
        // Summed over the images in order: the same result with any number of threads.
        let mut rows = vec![0.0f32; c_out * d.k()];
        for g in &per_image {
            rows.iter_mut().zip(g).for_each(|(a, b)| *a += b);
        }
        Ok((
            CpuStorage::F32(kernel_from_rows(&rows, d)),
            Shape::from((c_out, c_in, 3, 3)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device, Var};
    use rand::RngExt;

    /// The readable version: candle's convolution and a broadcast addition.
    fn reference(x: &Tensor, k: &Tensor, shift: &Tensor) -> Tensor {
        let (b, o) = shift.dims2().unwrap();
        x.conv2d(k, 1, 1, 1, 1)
            .unwrap()
            .broadcast_add(&shift.reshape((b, o, 1, 1)).unwrap())
            .unwrap()
    }

    fn random(shape: &[usize], seed: u64) -> Tensor {
        let mut rng = spectral::noise::seeded_rng(seed);
        let n: usize = shape.iter().product();
        let v: Vec<f32> = (0..n).map(|_| rng.random::<f32>() * 2.0 - 1.0).collect();
        Tensor::from_vec(v, shape, &Device::Cpu).unwrap()
    }

    /// Shapes with several tiles, a tile that crosses image rows (W = 40), and odd sizes.
    const SHAPES: [(usize, usize, usize, usize, usize); 4] = [
        (3, 4, 5, 32, 32),
        (2, 2, 8, 40, 40),
        (1, 3, 2, 7, 9),
        (2, 16, 16, 64, 64),
    ];

    #[test]
    fn the_forward_pass_is_candles_conv2d_bit_for_bit() {
        for (i, &(b, c, o, h, w)) in SHAPES.iter().enumerate() {
            let x = random(&[b, c, h, w], 10 + i as u64);
            let k = random(&[o, c, 3, 3], 20 + i as u64);
            let shift = random(&[b, o], 70 + i as u64);
            let ours = conv3x3(&x, &k, &shift).unwrap().flatten_all().unwrap();
            let theirs = reference(&x, &k, &shift).flatten_all().unwrap();
            let (a, b) = (
                ours.to_vec1::<f32>().unwrap(),
                theirs.to_vec1::<f32>().unwrap(),
            );
            assert!(
                a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()),
                "shape {:?}",
                SHAPES[i]
            );
        }
    }

    #[test]
    fn the_gradients_agree_with_candles_to_rounding() {
        for (i, &(b, c, o, h, w)) in SHAPES.iter().enumerate() {
            let x = Var::from_tensor(&random(&[b, c, h, w], 30 + i as u64)).unwrap();
            let k = Var::from_tensor(&random(&[o, c, 3, 3], 40 + i as u64)).unwrap();
            let shift = Var::from_tensor(&random(&[b, o], 80 + i as u64)).unwrap();
            // A loss that weights every output differently, so every gradient entry matters.
            let weight = random(&[b, o, h, w], 50 + i as u64);
            let loss = |y: Tensor| (y * &weight).unwrap().sum_all().unwrap();
            let ours = loss(conv3x3(&x, &k, &shift).unwrap()).backward().unwrap();
            let theirs = loss(reference(&x, &k, &shift)).backward().unwrap();
            for v in [&x, &k, &shift] {
                let a = ours
                    .get(v)
                    .unwrap()
                    .flatten_all()
                    .unwrap()
                    .to_vec1::<f32>()
                    .unwrap();
                let r = theirs
                    .get(v)
                    .unwrap()
                    .flatten_all()
                    .unwrap()
                    .to_vec1::<f32>()
                    .unwrap();
                let scale = r.iter().fold(0f32, |m, v| m.max(v.abs()));
                let worst = a
                    .iter()
                    .zip(&r)
                    .fold(0f32, |m, (p, q)| m.max((p - q).abs()));
                // Sums of up to 9·C·B·H·W products of numbers in [−1, 1] in another order.
                assert!(
                    worst <= 2e-5 * scale,
                    "shape {:?}: {worst} of {scale}",
                    SHAPES[i]
                );
            }
        }
    }

    #[test]
    fn the_input_gradient_is_the_adjoint_of_the_forward_pass() {
        // ⟨conv(x), y⟩ = ⟨x, conv_backward(y)⟩ for any x, y: the defining identity, checked in
        // f64 sums of the f32 results.
        let (b, c, o, h, w) = (2, 3, 4, 11, 13);
        let x = random(&[b, c, h, w], 60);
        let k = random(&[o, c, 3, 3], 61);
        let y = random(&[b, o, h, w], 62);
        let cx = conv3x3(
            &x,
            &k,
            &Tensor::zeros((b, o), DType::F32, &Device::Cpu).unwrap(),
        )
        .unwrap();
        let bty = y.apply_op2_no_bwd(&k, &InputGrad).unwrap();
        let dot = |a: &Tensor, b: &Tensor| {
            let (a, b) = (
                a.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
                b.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            );
            a.iter()
                .zip(&b)
                .map(|(p, q)| *p as f64 * *q as f64)
                .sum::<f64>()
        };
        let (l, r) = (dot(&cx, &y), dot(&x, &bty));
        assert!((l - r).abs() < 1e-4 * l.abs().max(1.0), "{l} vs {r}");
    }

    #[test]
    fn a_bad_kernel_is_an_error() {
        let x = random(&[1, 2, 8, 8], 1);
        let shift = random(&[1, 3], 4);
        assert!(conv3x3(&x, &random(&[3, 4, 3, 3], 2), &shift).is_err());
        assert!(conv3x3(&x, &random(&[3, 2, 5, 5], 3), &shift).is_err());
        assert!(conv3x3(&x, &random(&[3, 2, 3, 3], 5), &random(&[2, 3], 6)).is_err());
    }
}

//! The network's activation, SiLU (x·sigmoid(x)), as one operation with a one-pass backward.
//!
//! candle's `silu` computes the same forward pass, but its backward pass chains nine whole-tensor
//! operations (negate, exponentiate, add, invert, …), each a pass over memory; at the full-resolution
//! level that made SiLU cost a sizeable share of a training step. Here the forward pass uses
//! candle's own formula, x / (1 + e^(−x)), so its output equals `Tensor::silu` bit for bit
//! (tested), and the backward pass computes dy·σ(x)·(1 + x·(1 − σ(x))) in one pass.

use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Result, Shape, Tensor};
use rayon::prelude::*;

/// Elements per parallel chunk: large enough that splitting costs nothing noticeable.
const CHUNK: usize = 1 << 16;

// ANCHOR: silu
/// silu(x) = x·sigmoid(x); its reference is candle's `x.silu()`.
pub fn silu(x: &Tensor) -> Result<Tensor> {
    x.contiguous()?.apply_op1(Silu)
}
// ANCHOR_END: silu

fn data<'a>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [f32]> {
    match (s, l.contiguous_offsets()) {
        (CpuStorage::F32(v), Some((a, b))) => Ok(&v[a..b]),
        _ => candle_core::bail!("silu: expects a contiguous f32 tensor"),
    }
}

struct Silu;

impl CustomOp1 for Silu {
    fn name(&self) -> &'static str {
        "silu"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = data(s, l)?;
        let mut y = vec![0.0f32; x.len()];
        y.par_chunks_mut(CHUNK)
            .zip(x.par_chunks(CHUNK))
            .for_each(|(y, x)| {
                for (y, &v) in y.iter_mut().zip(x) {
                    *y = v / (1.0 + (-v).exp());
                }
            });
        Ok((CpuStorage::F32(y), l.shape().clone()))
    }

    fn bwd(&self, x: &Tensor, _y: &Tensor, dy: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(x.apply_op2_no_bwd(&dy.contiguous()?, &SiluGrad)?))
    }
}

/// (x, dy) → dy·σ(x)·(1 + x·(1 − σ(x))).
struct SiluGrad;

impl CustomOp2 for SiluGrad {
    fn name(&self) -> &'static str {
        "silu-grad"
    }

    fn cpu_fwd(
        &self,
        xs: &CpuStorage,
        xl: &Layout,
        gs: &CpuStorage,
        gl: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (x, g) = (data(xs, xl)?, data(gs, gl)?);
        let mut out = vec![0.0f32; x.len()];
        out.par_chunks_mut(CHUNK)
            .zip(x.par_chunks(CHUNK).zip(g.par_chunks(CHUNK)))
            .for_each(|(o, (x, g))| {
                for ((o, &v), &d) in o.iter_mut().zip(x).zip(g) {
                    let s = 1.0 / (1.0 + (-v).exp());
                    *o = d * s * (1.0 + v * (1.0 - s));
                }
            });
        Ok((CpuStorage::F32(out), xl.shape().clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    fn values() -> Tensor {
        let v: Vec<f32> = (0..200_003)
            .map(|i| (i as f32 * 0.37).sin() * 12.0)
            .collect();
        Tensor::from_vec(v, 200_003, &Device::Cpu).unwrap()
    }

    #[test]
    fn the_forward_pass_is_candles_silu_bit_for_bit() {
        let x = values();
        let (a, b) = (
            silu(&x).unwrap().to_vec1::<f32>().unwrap(),
            x.silu().unwrap().to_vec1::<f32>().unwrap(),
        );
        assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
    }

    #[test]
    fn the_gradient_agrees_with_candles_to_rounding() {
        let x = Var::from_tensor(&values()).unwrap();
        let w = (values() * 0.1).unwrap().cos().unwrap();
        let ours = (silu(&x).unwrap() * &w)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let theirs = (x.silu().unwrap() * &w)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let (a, b) = (
            ours.get(&x).unwrap().to_vec1::<f32>().unwrap(),
            theirs.get(&x).unwrap().to_vec1::<f32>().unwrap(),
        );
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() <= 1e-6 * (1.0 + q.abs()), "{p} vs {q}");
        }
    }
}

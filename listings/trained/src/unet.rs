//! The network: a small U-Net conditioned on the noise level.
//!
//! A U-Net sees the image at several scales: each level halves the resolution and widens the
//! channels, so the deepest level's 3 × 3 convolutions see the whole 64 × 64 crop, which the low
//! frequencies that matter at high noise need; on the way back up, each level adds what the
//! level above it saw at full resolution (the skip connections), which the fine detail at low
//! noise needs. Between them, residual blocks of two 3 × 3 convolutions with SiLU, each told the
//! noise level through a per-channel offset.
//!
//! Down: average pooling, then a 1 × 1 convolution to the next width. Up: a 1 × 1 convolution to
//! four times the next width, rearranged into a 2 × 2 block per pixel (a learned upsampling,
//! "pixel shuffle"), plus the skip. Everything is a 3 × 3 convolution ([`crate::conv`]), a matrix
//! multiply, or cheap element-wise work.

use anyhow::Result;
use candle_core::{D, Tensor};
use serde::{Deserialize, Serialize};

use crate::activation::silu;
use crate::conv::conv3x3;
use crate::params::{Init, Params, Scope};

/// The network's shape: what the manifest records and a test compares with the shipped weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// Input channels: the scaled noisy image and the scaled Wiener estimate.
    pub inputs: usize,
    /// Channels at each level, from full resolution down.
    pub widths: Vec<usize>,
    /// Residual blocks per level, on each side of the U.
    pub blocks: usize,
    /// Width of the noise-level embedding.
    pub embedding: usize,
    /// Sine-cosine pairs the log-SNR is expanded into.
    pub frequencies: usize,
}

// ANCHOR: block
/// Two 3 × 3 convolutions on a residual branch, with the noise level added in between.
struct ResBlock {
    w1: Tensor,
    b1: Tensor,
    w2: Tensor,
    b2: Tensor,
    time: Linear,
}

impl ResBlock {
    fn new(p: &mut Scope, width: usize, embedding: usize) -> Result<ResBlock> {
        let fan_in = 9 * width;
        Ok(ResBlock {
            w1: p.get("conv1.weight", &[width, width, 3, 3], Init::He { fan_in })?,
            b1: p.get("conv1.bias", &[width], Init::Zero)?,
            // The branch starts at zero: every block is the identity before training.
            w2: p.get("conv2.weight", &[width, width, 3, 3], Init::Zero)?,
            b2: p.get("conv2.bias", &[width], Init::Zero)?,
            time: Linear::new(&mut p.scope("time"), embedding, width, Init::Zero)?,
        })
    }

    fn forward(&self, x: &Tensor, e: &Tensor) -> Result<Tensor> {
        let shift = self.time.forward(e)?.broadcast_add(&self.b1)?;
        let h = conv3x3(&silu(x)?, &self.w1, &shift)?;
        let h = conv3x3(&silu(&h)?, &self.w2, &per_image(&self.b2, x)?)?;
        Ok((x + h)?)
    }
}
// ANCHOR_END: block

/// y = W·x + b over the last dimension.
struct Linear {
    w: Tensor,
    b: Tensor,
}

impl Linear {
    fn new(p: &mut Scope, inputs: usize, outputs: usize, init: Init) -> Result<Linear> {
        Ok(Linear {
            w: p.get("weight", &[outputs, inputs], init)?,
            b: p.get("bias", &[outputs], Init::Zero)?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.matmul(&self.w.t()?)?.broadcast_add(&self.b)?)
    }
}

/// A 1 × 1 convolution: the same linear map at every pixel, a batched matrix multiply.
struct Pointwise {
    w: Tensor,
    b: Tensor,
}

impl Pointwise {
    fn new(p: &mut Scope, inputs: usize, outputs: usize) -> Result<Pointwise> {
        Ok(Pointwise {
            w: p.get("weight", &[outputs, inputs], Init::He { fan_in: inputs })?,
            b: p.get("bias", &[outputs], Init::Zero)?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (batch, c, h, w) = x.dims4()?;
        let y = self
            .w
            .broadcast_left(batch)?
            .matmul(&x.reshape((batch, c, h * w))?)?;
        bias(y.reshape((batch, self.w.dim(0)?, h, w))?, &self.b)
    }
}

/// Adds a per-channel bias to (batch, C, H, W).
fn bias(x: Tensor, b: &Tensor) -> Result<Tensor> {
    Ok(x.broadcast_add(&b.reshape((1, b.dim(0)?, 1, 1))?)?)
}

/// A bias (C,) repeated for every image of the batch of `x`: the shift of [`conv3x3`].
fn per_image(b: &Tensor, x: &Tensor) -> Result<Tensor> {
    Ok(b.unsqueeze(0)?.broadcast_as((x.dim(0)?, b.dim(0)?))?)
}

/// (batch, 4C, H, W) → (batch, C, 2H, 2W): each group of four channels becomes a 2 × 2 block.
fn pixel_shuffle(x: &Tensor) -> Result<Tensor> {
    let (batch, c4, h, w) = x.dims4()?;
    let c = c4 / 4;
    Ok(x.reshape((batch, c, 2, 2, h, w))?
        .permute((0, 1, 4, 2, 5, 3))?
        .reshape((batch, c, 2 * h, 2 * w))?)
}

/// One level of the U on the way down: blocks, then (except at the bottom) the step down.
struct Level {
    down_blocks: Vec<ResBlock>,
    up_blocks: Vec<ResBlock>,
    /// To the next level: 1 × 1 from this width to the next, after 2 × 2 average pooling.
    down: Option<Pointwise>,
    /// From the next level: 1 × 1 to four times this width, then the pixel shuffle.
    up: Option<Pointwise>,
}

/// The U-Net.
pub struct UNet {
    arch: Architecture,
    embed1: Linear,
    embed2: Linear,
    conv_in: (Tensor, Tensor),
    levels: Vec<Level>,
    conv_out: (Tensor, Tensor),
}

impl UNet {
    /// Builds the network, taking every parameter from `params` (seeded or loaded).
    pub fn new(params: &mut Params, arch: &Architecture) -> Result<UNet> {
        let w0 = arch.widths[0];
        let e = arch.embedding;
        let embed1 = Linear::new(
            &mut params.scope("embed1"),
            2 * arch.frequencies,
            e,
            Init::He {
                fan_in: 2 * arch.frequencies,
            },
        )?;
        let embed2 = Linear::new(&mut params.scope("embed2"), e, e, Init::He { fan_in: e })?;
        let conv_in = {
            let mut p = params.scope("conv_in");
            (
                p.get(
                    "weight",
                    &[w0, arch.inputs, 3, 3],
                    Init::He {
                        fan_in: 9 * arch.inputs,
                    },
                )?,
                p.get("bias", &[w0], Init::Zero)?,
            )
        };
        let mut levels = Vec::new();
        for (i, &width) in arch.widths.iter().enumerate() {
            let mut p = params.scope(format!("level{i}"));
            let next = arch.widths.get(i + 1).copied();
            let down_blocks = (0..arch.blocks)
                .map(|b| ResBlock::new(&mut p.scope(format!("down{b}")), width, e))
                .collect::<Result<_>>()?;
            let up_blocks = (0..arch.blocks)
                .map(|b| ResBlock::new(&mut p.scope(format!("up{b}")), width, e))
                .collect::<Result<_>>()?;
            let down = next
                .map(|n| Pointwise::new(&mut p.scope("down"), width, n))
                .transpose()?;
            let up = next
                .map(|n| Pointwise::new(&mut p.scope("up"), n, 4 * width))
                .transpose()?;
            levels.push(Level {
                down_blocks,
                up_blocks,
                down,
                up,
            });
        }
        let conv_out = {
            let mut p = params.scope("conv_out");
            (
                p.get("weight", &[1, w0, 3, 3], Init::Zero)?,
                p.get("bias", &[1], Init::Zero)?,
            )
        };
        Ok(UNet {
            arch: arch.clone(),
            embed1,
            embed2,
            conv_in,
            levels,
            conv_out,
        })
    }

    /// The noise-level embedding of each log-SNR λ in the batch: sines and cosines of λ at
    /// geometrically spaced frequencies (periods from about 2 to 200 units of λ), then two
    /// layers.
    fn embed(&self, log_snr: &Tensor) -> Result<Tensor> {
        let n = self.arch.frequencies;
        let freqs: Vec<f32> = (0..n)
            .map(|i| (0.03 * 100f64.powf(i as f64 / (n - 1).max(1) as f64)) as f32)
            .collect();
        let freqs = Tensor::from_vec(freqs, (1, n), log_snr.device())?;
        let phase = log_snr.unsqueeze(1)?.broadcast_mul(&freqs)?;
        let features = Tensor::cat(&[phase.sin()?, phase.cos()?], D::Minus1)?;
        let e = silu(&self.embed1.forward(&features)?)?;
        Ok(silu(&self.embed2.forward(&e)?)?)
    }

    // ANCHOR: forward
    /// The network's output for inputs (batch, inputs, H, W) at log-SNRs (batch,): one channel,
    /// (batch, 1, H, W). H and W must be divisible by 2^(levels − 1).
    pub fn forward(&self, x: &Tensor, log_snr: &Tensor) -> Result<Tensor> {
        let e = self.embed(log_snr)?;
        let mut h = conv3x3(x, &self.conv_in.0, &per_image(&self.conv_in.1, x)?)?;
        let mut skips = Vec::new();
        for level in &self.levels {
            for block in &level.down_blocks {
                h = block.forward(&h, &e)?;
            }
            if let Some(down) = &level.down {
                skips.push(h.clone());
                h = down.forward(&h.avg_pool2d(2)?)?;
            }
        }
        for level in self.levels.iter().rev() {
            if let Some(up) = &level.up {
                let skip = skips.pop().expect("one skip per step down");
                h = (pixel_shuffle(&up.forward(&h)?)? + skip)?;
            }
            for block in &level.up_blocks {
                h = block.forward(&h, &e)?;
            }
        }
        Ok(conv3x3(
            &silu(&h)?,
            &self.conv_out.0,
            &per_image(&self.conv_out.1, x)?,
        )?)
    }
    // ANCHOR_END: forward

    /// Multiply-adds ×2 of one forward pass on an H × W input: the convolutions and 1 × 1 maps
    /// (the element-wise work is a few percent). For the benchmark's FLOP rate.
    pub fn flops(&self, h: usize, w: usize) -> f64 {
        let a = &self.arch;
        let conv =
            |px: usize, cin: usize, cout: usize, k: usize| 2.0 * (px * cin * cout * k) as f64;
        let mut total = conv(h * w, a.inputs, a.widths[0], 9) + conv(h * w, a.widths[0], 1, 9);
        for (i, &width) in a.widths.iter().enumerate() {
            let px = (h >> i) * (w >> i);
            total += 2.0 * a.blocks as f64 * 2.0 * conv(px, width, width, 9);
            if let Some(&next) = a.widths.get(i + 1) {
                total += conv(px / 4, width, next, 1) + conv(px / 4, next, 4 * width, 1);
            }
        }
        total
    }
}

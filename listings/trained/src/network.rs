//! The trained denoiser as the book's samplers see it: the U-Net and its spectral
//! preconditioning together, turning x_t at time t into x̂₀ (the `Denoiser` trait of the spectral
//! core, so every sampler and measurement of the earlier chapters runs on it unchanged), and
//! doing so for many images at once.

use anyhow::Result;
use candle_core::{Device, Tensor};
use spectral::Field;
use spectral::denoise::Denoiser;

use crate::precondition::{Preconditioner, Scales};
use crate::unet::UNet;

/// A batch prepared for the network.
pub struct Batch {
    /// (batch, 2, H, W): c_in·x_t and the scaled Wiener estimate.
    pub input: Tensor,
    /// (batch,): the log-SNR of each image's time.
    pub log_snr: Tensor,
    /// The Wiener estimate of each image.
    pub wiener: Vec<Field>,
    pub scales: Vec<Scales>,
}

/// The U-Net with its preconditioning.
pub struct Network {
    pub unet: UNet,
    pub pre: Preconditioner,
}

impl Network {
    // ANCHOR: prepare
    /// The network's inputs for noisy images `x_t` at times `t`.
    pub fn prepare(&self, x_t: &[Field], t: &[f64]) -> Result<Batch> {
        let mut channels = Vec::with_capacity(2 * x_t.len());
        let (mut wiener, mut scales) = (Vec::new(), Vec::new());
        for (x, &t) in x_t.iter().zip(t) {
            self.pre.check(x)?;
            let s = self.pre.scales(t);
            let w = self.pre.wiener(x, t);
            channels.push(x * s.c_in);
            channels.push(&w * s.c_wiener);
            wiener.push(w);
            scales.push(s);
        }
        let (h, w) = self.pre.shape();
        let log_snr: Vec<f32> = scales.iter().map(|s| s.log_snr as f32).collect();
        Ok(Batch {
            input: to_tensor(&channels)?.reshape((x_t.len(), 2, h, w))?,
            log_snr: Tensor::from_vec(log_snr, x_t.len(), &Device::Cpu)?,
            wiener,
            scales,
        })
    }

    /// x̂₀ = W(x_t) + c_out·F for a prepared batch and the network's output F.
    pub fn estimate(batch: &Batch, output: &Tensor) -> Result<Vec<Field>> {
        let f = from_tensor(output)?;
        Ok(batch
            .wiener
            .iter()
            .zip(&f)
            .zip(&batch.scales)
            .map(|((w, f), s)| w + &(f * s.c_out))
            .collect())
    }

    /// x̂₀ for each noisy image at its time: the trained denoiser.
    pub fn denoise_batch(&self, x_t: &[Field], t: &[f64]) -> Result<Vec<Field>> {
        let batch = self.prepare(x_t, t)?;
        let output = self.unet.forward(&batch.input, &batch.log_snr)?;
        Network::estimate(&batch, &output)
    }
    // ANCHOR_END: prepare
}

impl Denoiser for Network {
    /// One image at a time, for the spectral core's samplers. Panics on an image of another
    /// shape than the network's model (callers check the shape first).
    fn denoise(&self, x_t: &Field, t: f64) -> Field {
        self.denoise_batch(std::slice::from_ref(x_t), &[t])
            .expect("the network's input was checked")
            .remove(0)
    }
}

/// Fields of one shape as a (n, H, W) f32 tensor.
pub fn to_tensor(fields: &[Field]) -> Result<Tensor> {
    let (h, w) = fields.first().map_or((0, 0), Field::dim);
    let data: Vec<f32> = fields
        .iter()
        .flat_map(|f| f.iter().map(|&v| v as f32))
        .collect();
    Ok(Tensor::from_vec(data, (fields.len(), h, w), &Device::Cpu)?)
}

/// A (n, 1, H, W) or (n, H, W) tensor as n fields.
pub fn from_tensor(t: &Tensor) -> Result<Vec<Field>> {
    let dims = t.dims();
    let (n, h, w) = (dims[0], dims[dims.len() - 2], dims[dims.len() - 1]);
    let data = t.flatten_all()?.to_vec1::<f32>()?;
    Ok(data
        .chunks_exact(h * w)
        .take(n)
        .map(|c| Field::from_shape_fn((h, w), |(i, j)| c[i * w + j] as f64))
        .collect())
}

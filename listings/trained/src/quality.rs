//! How well a denoiser does on held-out crops: its squared error at each time t, beside the
//! Wiener filter's and the noisy input's.

use anyhow::Result;
use spectral::Field;
use spectral::noise::seeded_rng;
use spectral::schedule::{RectifiedFlow, Schedule};

use crate::network::Network;

/// Mean squared errors of x̂₀ at one time, over a set of crops (per pixel).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Errors {
    pub t: f64,
    /// The trained network's x̂₀.
    pub network: f64,
    /// The Wiener estimate of the Gaussian model.
    pub wiener: f64,
    /// The noisy input itself, rescaled: x_t/α.
    pub noisy: f64,
    /// The crops' mean power per pixel, for errors relative to the signal.
    pub signal: f64,
}

impl Errors {
    /// How much lower the network's error is than the Wiener filter's, in decibels.
    pub fn gain_db(&self) -> f64 {
        10.0 * (self.wiener / self.network).log10()
    }
}

// ANCHOR: errors
/// The errors at each of `times`, on `crops` noised by the network's process (one noise draw per
/// crop and time, from `seed`), in batches of `batch` crops.
pub fn errors(
    network: &Network,
    noise: &spectral::noise_spectrum::NoiseSpectrum,
    crops: &[Field],
    times: &[f64],
    seed: u64,
    batch: usize,
) -> Result<Vec<Errors>> {
    let mut rng = seeded_rng(seed);
    let n = (crops.len() * crops[0].len()) as f64;
    let signal = crops.iter().map(|c| c.mapv(|v| v * v).sum()).sum::<f64>() / n;
    let mut out = Vec::new();
    for &t in times {
        let (a, s) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
        let mut e = Errors {
            t,
            network: 0.0,
            wiener: 0.0,
            noisy: 0.0,
            signal,
        };
        for chunk in crops.chunks(batch) {
            let x_t: Vec<Field> = chunk
                .iter()
                .map(|x0| x0 * a + &(noise.sample(&mut rng) * s))
                .collect();
            let estimates = network.denoise_batch(&x_t, &vec![t; chunk.len()])?;
            for ((x0, x), est) in chunk.iter().zip(&x_t).zip(&estimates) {
                e.network += squared(est, x0);
                e.wiener += squared(&network.pre.wiener(x, t), x0);
                e.noisy += squared(&(x / a), x0);
            }
        }
        e.network /= n;
        e.wiener /= n;
        e.noisy /= n;
        out.push(e);
    }
    Ok(out)
}
// ANCHOR_END: errors

/// Σ (a − b)².
fn squared(a: &Field, b: &Field) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}

//! How the trained denoiser does on held-out crops, time by time: its squared error beside the
//! Wiener filter's and the noisy input's, how much of it the Wiener filter explains, and its
//! effective gain per frequency.

use anyhow::Result;
use ndarray::Zip;
use spectral::Field;
use spectral::denoise::SpectralFilter;
use spectral::gaussian_model::ring_mean;
use spectral::noise::seeded_rng;
use spectral::noise_spectrum::NoiseSpectrum;
use spectral::schedule::{RectifiedFlow, Schedule};
use spectral::spectrum::RadialBins;

use crate::network::Network;

/// What one time t shows, over a set of crops.
#[derive(Clone, Debug, PartialEq)]
pub struct AtTime {
    pub t: f64,
    /// Mean squared error per pixel of the network's x̂₀.
    pub network: f64,
    /// Of the Wiener estimate of the Gaussian model.
    pub wiener: f64,
    /// Of the noisy input itself, rescaled: x_t/α.
    pub noisy: f64,
    /// The crops' mean power per pixel, for errors relative to the signal.
    pub signal: f64,
    /// The share of the network's noise prediction ε̂ that the Wiener filter's explains,
    /// 1 − ‖ε̂_net − ε̂_W‖²/‖ε̂_net‖² (Wang and Vastola's measure, on ε̂ = (x_t − α·x̂₀)/σ, which
    /// is the score up to the factor −1/σ).
    pub gaussian_share: f64,
    /// Per RAPSD ring (DC first): α times the regression slope of the network's x̂₀ on x_t,
    /// coefficient by coefficient: the network's effective G.
    pub gain: Vec<f64>,
    /// The same regression applied to the Wiener filter's output: it must give back the filter's
    /// own G (below), which checks the measurement independently of the network.
    pub wiener_measured: Vec<f64>,
    /// The Wiener filter's G, ring-averaged.
    pub wiener_gain: Vec<f64>,
}

impl AtTime {
    /// How much lower the network's error is than the Wiener filter's, in decibels.
    pub fn gain_db(&self) -> f64 {
        10.0 * (self.wiener / self.network).log10()
    }
}

/// Running sums over the crops at one time.
struct Sums {
    network: f64,
    wiener: f64,
    noisy: f64,
    difference: f64,
    prediction: f64,
    cross: Field,
    wiener_cross: Field,
    input: Field,
}

// ANCHOR: sweep
/// The measurements at each of `times`, on `crops` noised by `noise` (one draw per crop and time,
/// from `seed`), in batches of `batch` crops.
pub fn sweep(
    network: &Network,
    noise: &NoiseSpectrum,
    crops: &[Field],
    times: &[f64],
    seed: u64,
    batch: usize,
) -> Result<Vec<AtTime>> {
    let (rows, cols) = crops[0].dim();
    let filter = SpectralFilter::new(rows, cols);
    let bins = RadialBins::new(rows, cols);
    let mut rng = seeded_rng(seed);
    let pixels = (crops.len() * rows * cols) as f64;
    let signal = crops.iter().map(|c| c.mapv(|v| v * v).sum()).sum::<f64>() / pixels;
    let mut out = Vec::new();
    for &t in times {
        let (a, s) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
        let mut sums = Sums {
            network: 0.0,
            wiener: 0.0,
            noisy: 0.0,
            difference: 0.0,
            prediction: 0.0,
            cross: Field::zeros((rows, cols)),
            wiener_cross: Field::zeros((rows, cols)),
            input: Field::zeros((rows, cols)),
        };
        for chunk in crops.chunks(batch) {
            let x_t: Vec<Field> = chunk
                .iter()
                .map(|x0| x0 * a + &(noise.sample(&mut rng) * s))
                .collect();
            let estimates = network.denoise_batch(&x_t, &vec![t; chunk.len()])?;
            for ((x0, x), net) in chunk.iter().zip(&x_t).zip(&estimates) {
                let w = network.pre.wiener(x, t);
                sums.network += squared(net, x0);
                sums.wiener += squared(&w, x0);
                sums.noisy += squared(&(x / a), x0);
                // ε̂_net − ε̂_W = α(x̂_W − x̂_net)/σ; ε̂_net = (x_t − α·x̂_net)/σ.
                sums.difference += squared(net, &w) * (a / s).powi(2);
                sums.prediction += squared(&(x / s), &(net * (a / s)));
                let (xs, ns, ws) = (
                    filter.spectrum(x),
                    filter.spectrum(net),
                    filter.spectrum(&w),
                );
                Zip::from(&mut sums.cross)
                    .and(&mut sums.wiener_cross)
                    .and(&mut sums.input)
                    .and(&xs)
                    .and(&ns)
                    .and(&ws)
                    .for_each(|c, cw, i, x, n, w| {
                        *c += (x.conj() * n).re;
                        *cw += (x.conj() * w).re;
                        *i += x.norm_sqr();
                    });
            }
        }
        let slope = |cross: &Field| {
            Zip::from(cross)
                .and(&sums.input)
                .map_collect(|c, i| if *i > 0.0 { a * c / i } else { 0.0 })
        };
        out.push(AtTime {
            t,
            network: sums.network / pixels,
            wiener: sums.wiener / pixels,
            noisy: sums.noisy / pixels,
            signal,
            gaussian_share: 1.0 - sums.difference / sums.prediction,
            gain: ring_mean(&bins, &slope(&sums.cross)),
            wiener_measured: ring_mean(&bins, &slope(&sums.wiener_cross)),
            wiener_gain: ring_mean(&bins, &network.pre.signal_fractions(t)),
        });
    }
    Ok(out)
}
// ANCHOR_END: sweep

/// Σ (a − b)².
fn squared(a: &Field, b: &Field) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q) * (p - q)).sum()
}

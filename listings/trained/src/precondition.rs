//! What the network is given and what it is asked for: the Gaussian model's answer, and the
//! part of the clean image that answer misses, both at unit scale.
//!
//! Karras et al. (2022, "EDM") write a denoiser as x̂₀ = c_skip·x_t + c_out·F(c_in·x_t): a fixed
//! linear guess plus a learned correction, each term scaled so that the network's inputs and
//! its target have unit variance at every noise level. Their c_skip·x_t is the optimal linear
//! estimate of data whose spectrum is flat. The photos' spectrum is not flat, and the book
//! already has the optimal linear estimate for their spectrum: the Wiener filter of the Gaussian
//! model. So here
//!
//! ```text
//! x̂₀ = W(x_t) + c_out·F(c_in·x_t, W(x_t)/s_W, λ)
//! ```
//!
//! where W is the Wiener estimate, s_W its standard deviation (√mean(G·P)), c_in = 1/std(x_t),
//! c_out = √mean((1 − G)·P) the Wiener estimate's own RMS error under the model (so the target
//! (x₀ − W)/c_out has unit variance if the photos were Gaussian), and λ = log(α²/σ²) the log-SNR
//! the network is told. A network that outputs zero is the Wiener filter; training only has to
//! learn what a linear filter cannot do.

use anyhow::{Result, bail};
use spectral::Field;
use spectral::denoise::{Denoiser, Wiener};
use spectral::gaussian_model::GaussianModel;
use spectral::noise_spectrum::NoiseSpectrum;
use spectral::schedule::{RectifiedFlow, Schedule};

/// The scales at one time t.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scales {
    pub alpha: f64,
    pub sigma: f64,
    /// 1/std(x_t) per pixel.
    pub c_in: f64,
    /// 1/std of the Wiener estimate per pixel (0 where the estimate is identically 0).
    pub c_wiener: f64,
    /// RMS error of the Wiener estimate under the model: the scale of the network's output.
    pub c_out: f64,
    /// log(α²/σ²), clamped to ±20 at the ends (t = 0 and t = 1).
    pub log_snr: f64,
}

/// The spectral side of the denoiser: the Gaussian model and noise of one forward process.
pub struct Preconditioner {
    wiener: Wiener<RectifiedFlow>,
    power: Field,
    mean_power: f64,
    mean_noise: f64,
    shape: (usize, usize),
}

/// The log-SNR is clamped to this magnitude, where it is infinite (t = 0, t = 1).
pub const MAX_LOG_SNR: f64 = 20.0;

impl Preconditioner {
    /// For the rectified-flow process with noise spectrum `noise` on data modelled by `model`.
    pub fn new(model: &GaussianModel, noise: &NoiseSpectrum) -> Preconditioner {
        Preconditioner {
            wiener: Wiener::new(RectifiedFlow, model, noise),
            power: model.power.clone(),
            mean_power: model.power.mean().unwrap_or(0.0),
            mean_noise: noise.variance.mean().unwrap_or(1.0),
            shape: model.dim(),
        }
    }

    pub fn shape(&self) -> (usize, usize) {
        self.shape
    }

    /// The Gaussian model the preconditioning is built on.
    pub fn model(&self) -> spectral::gaussian_model::GaussianModel {
        spectral::gaussian_model::GaussianModel {
            power: self.power.clone(),
        }
    }

    // ANCHOR: scales
    /// The scales at time t.
    pub fn scales(&self, t: f64) -> Scales {
        let (alpha, sigma) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
        // Per bin, the estimate holds G·P of the model's power P and misses (1 − G)·P.
        let passed = self.wiener.signal_fractions(t);
        let estimate = (&passed * &self.power).mean().unwrap_or(0.0);
        let open = self.mean_power - estimate;
        Scales {
            alpha,
            sigma,
            c_in: 1.0 / (alpha * alpha * self.mean_power + sigma * sigma * self.mean_noise).sqrt(),
            c_wiener: if estimate > 0.0 {
                1.0 / estimate.sqrt()
            } else {
                0.0
            },
            c_out: open.max(0.0).sqrt(),
            log_snr: (2.0 * (alpha / sigma).ln()).clamp(-MAX_LOG_SNR, MAX_LOG_SNR),
        }
    }
    // ANCHOR_END: scales

    /// G(k, t) of every bin: the share of each coefficient the Wiener filter passes.
    pub fn signal_fractions(&self, t: f64) -> Field {
        self.wiener.signal_fractions(t)
    }

    /// The Wiener estimate W(x_t) at time t.
    pub fn wiener(&self, x_t: &Field, t: f64) -> Field {
        self.wiener.denoise(x_t, t)
    }

    /// An error unless `x_t` has the model's shape.
    pub fn check(&self, x_t: &Field) -> Result<()> {
        if x_t.dim() != self.shape {
            bail!(
                "the network's Gaussian model is {}×{}, the image {}×{}",
                self.shape.0,
                self.shape.1,
                x_t.nrows(),
                x_t.ncols()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::noise::seeded_rng;

    fn model() -> GaussianModel {
        // A falling, anisotropic spectrum like the photos', 16 × 16.
        let n = 16;
        let signed = |k: usize| {
            if k <= n / 2 {
                k as f64
            } else {
                k as f64 - n as f64
            }
        };
        GaussianModel {
            power: Field::from_shape_fn((n, n), |(i, j)| {
                50.0 / (1.0 + signed(i).powi(2) + 2.0 * signed(j).powi(2))
            }),
        }
    }

    #[test]
    fn on_gaussian_data_inputs_and_target_have_unit_variance() {
        // Draw x₀ from the model itself and noise from the process: then std(c_in·x_t) = 1,
        // std(c_W·W) = 1 and std((x₀ − W)/c_out) = 1 by construction. Measured over samples,
        // an independent check of the three closed forms.
        let m = model();
        let noise = NoiseSpectrum::equal_snr(&m);
        let pre = Preconditioner::new(&m, &noise);
        let mut rng = seeded_rng(3);
        for t in [0.1, 0.4, 0.8] {
            let s = pre.scales(t);
            let (mut vin, mut vw, mut vout) = (0.0, 0.0, 0.0);
            let draws = 2000;
            for _ in 0..draws {
                let x0 = m.sample(&mut rng);
                let x_t = &x0 * s.alpha + &(noise.sample(&mut rng) * s.sigma);
                let w = pre.wiener(&x_t, t);
                vin += (&x_t * s.c_in).mapv(|v| v * v).mean().unwrap();
                vw += (&w * s.c_wiener).mapv(|v| v * v).mean().unwrap();
                vout += ((&x0 - &w) / s.c_out).mapv(|v| v * v).mean().unwrap();
            }
            for v in [vin, vw, vout] {
                // 2000 draws of a mean over 256 pixels: a few per cent at most.
                assert!(
                    (v / draws as f64 - 1.0).abs() < 0.05,
                    "t {t}: {}",
                    v / draws as f64
                );
            }
        }
    }

    #[test]
    fn the_log_snr_is_finite_at_both_ends() {
        let m = model();
        let pre = Preconditioner::new(&m, &NoiseSpectrum::white(16, 16));
        assert_eq!(pre.scales(0.0).log_snr, MAX_LOG_SNR);
        assert_eq!(pre.scales(1.0).log_snr, -MAX_LOG_SNR);
        // At t = 1 nothing is left to estimate from: the Wiener estimate is 0 and its channel
        // is switched off rather than divided by zero.
        assert_eq!(pre.scales(1.0).c_wiener, 0.0);
        assert!((pre.scales(0.5).log_snr).abs() < 1e-12);
    }
}

// ANCHOR: resize
/// The Gaussian model of `size`-pixel crops carried over to fields of `rows × cols`, so that a
/// network trained on small crops can denoise a whole photo (it is fully convolutional; only its
/// Wiener part needs a model of the right shape).
///
/// The power of a stationary field at a frequency in cycles per pixel does not depend on the size
/// of the window it is measured in, so every bin of the new shape takes the model's power at its
/// own frequency. The model samples the frequency plane every 1/size cycles per pixel; between
/// its bins the power is interpolated bilinearly after dividing out the model's own power law
/// |f|^(−α), fitted to its bins (what is left varies slowly, and a power law carries over
/// exactly), and below its
/// lowest non-zero frequency (only in fields larger than the crops) the law extends the power at
/// the same direction. DC, the squared sum of all pixels over their number, grows with the number
/// of pixels: it is scaled by rows·cols over the model's.
pub fn resize_model(model: &GaussianModel, rows: usize, cols: usize) -> GaussianModel {
    let (n, m) = model.dim();
    if (rows, cols) == (n, m) {
        return model.clone();
    }
    let signed = |k: usize, len: usize| {
        if k <= len / 2 {
            k as f64
        } else {
            k as f64 - len as f64
        }
    };
    let radius = |fy: f64, fx: f64| fy.hypot(fx);
    // The model's exponent: the least-squares slope of log P against log |f| over its bins.
    let (log_f, log_p): (Vec<f64>, Vec<f64>) = model
        .power
        .indexed_iter()
        .filter(|((i, j), _)| (*i, *j) != (0, 0))
        .map(|((i, j), p)| {
            let f = radius(signed(i, n) / n as f64, signed(j, m) / m as f64);
            (f.ln(), p.max(f64::MIN_POSITIVE).ln())
        })
        .unzip();
    let alpha = -spectral::fit::least_squares_line(&log_f, &log_p).0;
    // log P + α·log|f| on the model's grid; at DC (no frequency) the mean of its four neighbours.
    let mut residual = Field::from_shape_fn((n, m), |(i, j)| {
        let f = radius(signed(i, n) / n as f64, signed(j, m) / m as f64);
        model.power[[i, j]].max(f64::MIN_POSITIVE).ln() + alpha * f.max(f64::MIN_POSITIVE).ln()
    });
    residual[[0, 0]] =
        (residual[[1, 0]] + residual[[n - 1, 0]] + residual[[0, 1]] + residual[[0, m - 1]]) / 4.0;
    let lowest = 1.0 / n.max(m) as f64;
    let power = Field::from_shape_fn((rows, cols), |(i, j)| {
        let (fy, fx) = (signed(i, rows) / rows as f64, signed(j, cols) / cols as f64);
        let f = radius(fy, fx);
        if f == 0.0 {
            return model.power[[0, 0]] * (rows * cols) as f64 / (n * m) as f64;
        }
        // Below the model's lowest frequency: its residual on that circle, in the same direction.
        let s = (lowest / f).max(1.0);
        let r = bilinear(&residual, fy * s * n as f64, fx * s * m as f64);
        (r - alpha * f.ln()).exp()
    });
    GaussianModel { power }
}
// ANCHOR_END: resize

/// Bilinear interpolation of a periodic grid at fractional (row, column) indices.
fn bilinear(grid: &Field, y: f64, x: f64) -> f64 {
    let (n, m) = grid.dim();
    let (y0, x0) = (y.floor(), x.floor());
    let (wy, wx) = (y - y0, x - x0);
    let at = |a: f64, b: f64| {
        grid[[
            (a as i64).rem_euclid(n as i64) as usize,
            (b as i64).rem_euclid(m as i64) as usize,
        ]]
    };
    (1.0 - wy) * ((1.0 - wx) * at(y0, x0) + wx * at(y0, x0 + 1.0))
        + wy * ((1.0 - wx) * at(y0 + 1.0, x0) + wx * at(y0 + 1.0, x0 + 1.0))
}

#[cfg(test)]
mod resize_tests {
    use super::*;

    /// An exact, isotropic power law over signed frequencies in cycles per pixel.
    fn law(n: usize, alpha: f64) -> GaussianModel {
        let f = |k: usize| if k <= n / 2 { k as f64 } else { k as f64 - n as f64 } / n as f64;
        GaussianModel {
            power: Field::from_shape_fn((n, n), |(i, j)| {
                let r = f(i).hypot(f(j));
                if r == 0.0 {
                    100.0
                } else {
                    1e-3 * r.powf(-alpha)
                }
            }),
        }
    }

    #[test]
    fn resizing_to_the_same_shape_changes_nothing() {
        let m = law(16, 2.4);
        assert_eq!(resize_model(&m, 16, 16), m);
    }

    #[test]
    fn a_power_law_carries_over_to_a_larger_field() {
        // From 32 × 32 to 80 × 80: with the law divided out, what is interpolated is constant,
        // so the law carries over exactly, below the model's lowest frequency too.
        let (small, big) = (law(32, 2.5), law(80, 2.5));
        let resized = resize_model(&small, 80, 80);
        let ratio = &resized.power / &big.power;
        for ((i, j), r) in ratio.indexed_iter() {
            if (i, j) == (0, 0) {
                // DC scales with the number of pixels.
                assert!((resized.power[[0, 0]] - 100.0 * 6400.0 / 1024.0).abs() < 1e-9);
                continue;
            }
            assert!((r - 1.0).abs() < 1e-6, "({i}, {j}): {r}");
        }
    }
}

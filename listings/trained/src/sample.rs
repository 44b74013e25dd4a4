//! The trained network's reverse process, many chains at once.
//!
//! The spectral core's samplers run one chain at a time through the `Denoiser` trait, which is
//! all the Gaussian model needs. A network is far cheaper per image when it sees many images in
//! one call, so these samplers move a whole set of chains down the same grid of times together,
//! with the core's own steps (`ode_step`, `ancestral_step`): the same arithmetic per chain.

use anyhow::Result;
use spectral::Field;
use spectral::noise_spectrum::NoiseSpectrum;
use spectral::sampler::{ancestral_step, initial_noise, ode_step, reverse_times};
use spectral::schedule::RectifiedFlow;

use crate::network::Network;

/// How a set of chains steps down in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampler {
    /// DDIM: deterministic, the sample a fixed function of the starting noise.
    Ode,
    /// DDPM's ancestral step with x̂₀ in place of x₀: fresh noise at every step.
    Ancestral,
}

// ANCHOR: chains
/// Runs `chains` chains of `steps` steps from independent noise at t = 1 and returns their
/// samples. `visit(i, t, x̂₀)` sees the network's estimates of every chain at step i (time t).
pub fn run<R: rand::Rng>(
    network: &Network,
    noise: &NoiseSpectrum,
    sampler: Sampler,
    chains: usize,
    steps: usize,
    rng: &mut R,
    mut visit: impl FnMut(usize, f64, &[Field]),
) -> Result<Vec<Field>> {
    let times = reverse_times(steps);
    let mut x: Vec<Field> = (0..chains)
        .map(|_| initial_noise(&RectifiedFlow, noise, times[0], rng))
        .collect();
    for (i, pair) in times.windows(2).enumerate() {
        let (t, s) = (pair[0], pair[1]);
        let x0_hat = network.denoise_batch(&x, &vec![t; chains])?;
        visit(i, t, &x0_hat);
        x = x
            .iter()
            .zip(&x0_hat)
            .map(|(x, x0)| match sampler {
                Sampler::Ode => ode_step(&RectifiedFlow, x, x0, t, s),
                Sampler::Ancestral => ancestral_step(&RectifiedFlow, noise, x, x0, t, s, rng),
            })
            .collect();
    }
    Ok(x)
}
// ANCHOR_END: chains

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Process};
    use crate::params::Params;
    use crate::precondition::Preconditioner;
    use crate::unet::UNet;
    use spectral::gaussian_model::GaussianModel;
    use spectral::noise::seeded_rng;
    use spectral::sampler::{ancestral_sample, ode_sample};

    /// An untrained network: its correction is exactly zero, so it is the Wiener filter.
    fn untrained() -> Network {
        let config = Config::smoke(Process::White);
        let n = 16;
        let model = GaussianModel {
            power: Field::from_shape_fn((n, n), |(i, j)| {
                let (a, b) = (i.min(n - i) as f64, j.min(n - j) as f64);
                20.0 / (1.0 + a * a + b * b)
            }),
        };
        let noise = NoiseSpectrum::white(n, n);
        Network {
            unet: UNet::new(&mut Params::seeded(1), &config.architecture).unwrap(),
            pre: Preconditioner::new(&model, &noise),
        }
    }

    #[test]
    fn one_chain_is_the_cores_sampler_step_for_step() {
        // The batched samplers must be the core's samplers run side by side: with one chain and
        // the same seed, the same sample bit for bit.
        let network = untrained();
        let noise = NoiseSpectrum::white(16, 16);
        let wiener = |x: &Field, t: f64| network.pre.wiener(x, t);
        for sampler in [Sampler::Ode, Sampler::Ancestral] {
            let ours = run(
                &network,
                &noise,
                sampler,
                1,
                12,
                &mut seeded_rng(5),
                |_, _, _| {},
            )
            .unwrap()
            .remove(0);
            let mut rng = seeded_rng(5);
            let times = reverse_times(12);
            let x1 = initial_noise(&RectifiedFlow, &noise, 1.0, &mut rng);
            let core = match sampler {
                Sampler::Ode => ode_sample(&RectifiedFlow, &wiener, x1, &times, |_| {}),
                Sampler::Ancestral => ancestral_sample(
                    &RectifiedFlow,
                    &wiener,
                    &noise,
                    x1,
                    &times,
                    &mut rng,
                    |_| {},
                ),
            };
            assert!(
                ours.iter()
                    .zip(&core)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{sampler:?}"
            );
        }
    }
}

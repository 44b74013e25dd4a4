//! The training loop: squared error of x̂₀ under rectified flow, on random crops of the training
//! photos, with AdamW and an average of the weights over the last steps.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, bail};
use candle_core::Tensor;
use candle_core::backprop::GradStore;
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rand::RngExt;
use spectral::Field;
use spectral::fft::Fft2;
use spectral::gaussian_model::GaussianModel;
use spectral::noise::seeded_rng;
use spectral::schedule::{RectifiedFlow, Schedule};

use crate::config::Config;
use crate::data::random_crop;
use crate::network::{Batch, Network, to_tensor};
use crate::params::Params;
use crate::precondition::Preconditioner;
use crate::unet::UNet;

/// Frequency bands the loss is split into, by ring radius in cycles per pixel: below 1/32, then
/// octaves up to 1/4, and everything from 1/4 up (the corners included).
pub const BAND_EDGES: [f64; 4] = [1.0 / 32.0, 1.0 / 16.0, 1.0 / 8.0, 1.0 / 4.0];
pub const BANDS: usize = BAND_EDGES.len() + 1;

/// One line of the training log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogRow {
    /// Steps done.
    pub step: usize,
    pub learning_rate: f64,
    /// Mean training loss over the steps since the previous row.
    pub loss: f64,
    /// The last step's loss split by frequency band (they sum to that step's loss).
    pub bands: [f64; BANDS],
    /// The loss of the averaged weights on the fixed held-out batch.
    pub held_out: f64,
}

impl LogRow {
    /// The log's CSV header.
    pub fn csv_header() -> String {
        let bands: Vec<String> = (0..BANDS).map(|b| format!("band{b}")).collect();
        format!("step,learning_rate,loss,{},held_out", bands.join(","))
    }

    /// One CSV line (full precision: the figure is drawn from these numbers).
    pub fn to_csv(&self) -> String {
        let bands: Vec<String> = self.bands.iter().map(|v| format!("{v:e}")).collect();
        format!(
            "{},{:e},{:e},{},{:e}",
            self.step,
            self.learning_rate,
            self.loss,
            bands.join(","),
            self.held_out
        )
    }
}

/// The whole log as CSV text.
pub fn log_csv(log: &[LogRow]) -> String {
    let mut out = LogRow::csv_header() + "\n";
    for r in log {
        out.push_str(&r.to_csv());
        out.push('\n');
    }
    out
}

/// Reads a log written by [`log_csv`]; the error names the line that is not a log row.
pub fn read_log(text: &str) -> Result<Vec<LogRow>> {
    let mut lines = text.lines();
    if lines.next() != Some(LogRow::csv_header().as_str()) {
        bail!(
            "not a training log: the first line is not {}",
            LogRow::csv_header()
        );
    }
    lines
        .enumerate()
        .map(|(i, line)| {
            let f: Vec<&str> = line.split(',').collect();
            let num = |j: usize| -> Result<f64> {
                f.get(j)
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| anyhow::anyhow!("line {}: {line:?} is not a log row", i + 2))
            };
            if f.len() != 4 + BANDS {
                bail!(
                    "line {}: {line:?} has {} fields, not {}",
                    i + 2,
                    f.len(),
                    4 + BANDS
                );
            }
            let mut bands = [0.0; BANDS];
            for (b, v) in bands.iter_mut().enumerate() {
                *v = num(3 + b)?;
            }
            Ok(LogRow {
                step: num(0)? as usize,
                learning_rate: num(1)?,
                loss: num(2)?,
                bands,
                held_out: num(3 + BANDS)?,
            })
        })
        .collect()
}

/// What training produces.
pub struct Trained {
    /// The averaged weights, by name.
    pub weights: BTreeMap<String, Tensor>,
    pub log: Vec<LogRow>,
    pub seconds: f64,
    pub parameters: usize,
}

/// The data a run needs: the training photos' green channels and the Gaussian model fitted to
/// their crops, and the held-out photos for the held-out loss.
pub struct Data<'a> {
    pub training: &'a [Field],
    pub held_out: &'a [Field],
    pub model: &'a GaussianModel,
}

/// A batch of training examples: noisy crops and what the network should output for them.
pub struct Example {
    pub batch: Batch,
    /// (batch, 1, H, W): (x₀ − W(x_t))/c_out.
    pub target: Tensor,
}

// ANCHOR: example
/// Draws `n` crops from `photos`, a time for each from [t_min, 1] and noise of the process,
/// and prepares them: the network's input, and its target (x₀ − W(x_t))/c_out.
pub fn examples<R: rand::Rng>(
    network: &Network,
    noise: &spectral::noise_spectrum::NoiseSpectrum,
    config: &Config,
    photos: &[Field],
    n: usize,
    rng: &mut R,
) -> Result<Example> {
    let (mut x0, mut x_t, mut t) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let crop = random_crop(photos, config.crop, rng);
        let time = config.t_min + (1.0 - config.t_min) * rng.random::<f64>();
        let eps = noise.sample(rng);
        x_t.push(&crop * RectifiedFlow.alpha(time) + &eps * RectifiedFlow.sigma(time));
        x0.push(crop);
        t.push(time);
    }
    let batch = network.prepare(&x_t, &t)?;
    let targets: Vec<Field> = x0
        .iter()
        .zip(&batch.wiener)
        .zip(&batch.scales)
        .map(|((x0, w), s)| (x0 - w) / s.c_out)
        .collect();
    let (h, w) = (config.crop, config.crop);
    let target = to_tensor(&targets)?.reshape((n, 1, h, w))?;
    Ok(Example { batch, target })
}
// ANCHOR_END: example

/// A network being trained: its parameters, the optimiser's state and the running average.
pub struct Trainer<'a> {
    config: &'a Config,
    pub network: Network,
    pub noise: spectral::noise_spectrum::NoiseSpectrum,
    vars: Vec<(String, candle_core::Var)>,
    optimiser: AdamW,
    average: BTreeMap<String, Tensor>,
    parameters: usize,
    steps: usize,
}

/// What one step reports: the batch's loss and its residual (for the loss per band).
pub struct Step {
    pub loss: f64,
    pub residual: Tensor,
}

impl<'a> Trainer<'a> {
    /// A fresh network for `config` on data modelled by `model`, its parameters drawn from the
    /// configuration's seed.
    pub fn new(config: &'a Config, model: &GaussianModel) -> Result<Trainer<'a>> {
        let noise = config.process.noise(model);
        let mut params = Params::seeded(config.seed);
        let network = Network {
            unet: UNet::new(&mut params, &config.architecture)?,
            pre: Preconditioner::new(model, &noise),
        };
        let vars = params.vars();
        let optimiser = AdamW::new(
            vars.iter().map(|(_, v)| v.clone()).collect(),
            ParamsAdamW {
                lr: config.learning_rate,
                weight_decay: config.weight_decay,
                ..ParamsAdamW::default()
            },
        )?;
        let average = vars
            .iter()
            .map(|(n, v)| Ok((n.clone(), v.as_tensor().detach().copy()?)))
            .collect::<Result<_>>()?;
        Ok(Trainer {
            config,
            network,
            noise,
            vars,
            optimiser,
            average,
            parameters: params.count(),
            steps: 0,
        })
    }

    // ANCHOR: step
    /// One optimiser step on one batch: the squared error of the network's output against its
    /// target, gradients clipped, AdamW at the scheduled learning rate, the average updated.
    pub fn step(&mut self, example: &Example) -> Result<Step> {
        let output = self
            .network
            .unet
            .forward(&example.batch.input, &example.batch.log_snr)?;
        let residual = (&output - &example.target)?;
        let loss = residual.sqr()?.mean_all()?;
        let mut grads = loss.backward()?;
        clip(&mut grads, &self.vars, self.config.clip)?;
        self.optimiser
            .set_learning_rate(self.config.learning_rate_at(self.steps));
        self.optimiser.step(&grads)?;
        // The average's decay grows to its configured value over the first steps, so that early
        // in training the average follows the weights instead of remembering their random start.
        let decay = self
            .config
            .ema
            .min((1.0 + self.steps as f64) / (10.0 + self.steps as f64));
        update_average(&mut self.average, &self.vars, decay)?;
        self.steps += 1;
        Ok(Step {
            loss: loss.to_scalar::<f32>()? as f64,
            residual,
        })
    }
    // ANCHOR_END: step

    /// The loss of the averaged weights on a batch (no training).
    pub fn averaged_loss(&self, example: &Example) -> Result<f64> {
        let mut params = Params::from_tensors(self.average.clone());
        let unet = UNet::new(&mut params, &self.config.architecture)?;
        let output = unet.forward(&example.batch.input, &example.batch.log_snr)?;
        Ok((output - &example.target)?
            .sqr()?
            .mean_all()?
            .to_scalar::<f32>()? as f64)
    }

    /// A batch of `n` examples from `photos`.
    pub fn examples<R: rand::Rng>(
        &self,
        photos: &[Field],
        n: usize,
        rng: &mut R,
    ) -> Result<Example> {
        examples(&self.network, &self.noise, self.config, photos, n, rng)
    }
}

// ANCHOR: train
/// Trains a network as `config` says, calling `progress(step, loss)` after every step.
pub fn train(
    config: &Config,
    data: &Data,
    mut progress: impl FnMut(usize, f64),
) -> Result<Trained> {
    if config.steps == 0 || config.batch == 0 {
        bail!("a training run needs steps and a batch");
    }
    let started = Instant::now();
    let mut trainer = Trainer::new(config, data.model)?;
    let mut rng = seeded_rng(config.seed.wrapping_add(1));
    // The held-out batch: the same crops, times and noise at every log line.
    let held_out = trainer.examples(
        data.held_out,
        64,
        &mut seeded_rng(config.seed.wrapping_add(2)),
    )?;
    let (mut log, mut since) = (Vec::new(), Vec::new());
    for i in 0..config.steps {
        let example = trainer.examples(data.training, config.batch, &mut rng)?;
        let step = trainer.step(&example)?;
        since.push(step.loss);
        progress(i + 1, step.loss);
        if (i + 1) % config.log_every == 0 || i + 1 == config.steps {
            log.push(LogRow {
                step: i + 1,
                learning_rate: config.learning_rate_at(i),
                loss: since.iter().sum::<f64>() / since.len() as f64,
                bands: band_losses(&step.residual)?,
                held_out: trainer.averaged_loss(&held_out)?,
            });
            since.clear();
        }
    }
    Ok(Trained {
        weights: trainer.average,
        log,
        seconds: started.elapsed().as_secs_f64(),
        parameters: trainer.parameters,
    })
}
// ANCHOR_END: train

/// Scales all gradients down together when their global norm exceeds `max` (summed over the
/// parameters in name order, so the result does not depend on a hash map's order).
fn clip(grads: &mut GradStore, vars: &[(String, candle_core::Var)], max: f64) -> Result<()> {
    let mut squares = 0.0;
    for (_, v) in vars {
        if let Some(g) = grads.get(v.as_tensor()) {
            squares += g.sqr()?.sum_all()?.to_scalar::<f32>()? as f64;
        }
    }
    let norm = squares.sqrt();
    if norm > max {
        for (_, v) in vars {
            if let Some(g) = grads.get(v.as_tensor()) {
                let scaled = (g * (max / norm))?;
                grads.insert(v.as_tensor(), scaled);
            }
        }
    }
    Ok(())
}

/// average ← decay·average + (1 − decay)·weights.
fn update_average(
    average: &mut BTreeMap<String, Tensor>,
    vars: &[(String, candle_core::Var)],
    decay: f64,
) -> Result<()> {
    // Detached: the average must not keep the optimiser's history alive (it would grow by one
    // step of graph per step).
    for (name, v) in vars {
        let a = &average[name];
        let updated = ((a * decay)? + (v.as_tensor().detach() * (1.0 - decay))?)?;
        average.insert(name.clone(), updated.detach());
    }
    Ok(())
}

/// The mean squared residual (batch, 1, H, W) split by frequency band: by Parseval, the mean
/// over pixels of r² is the sum over frequency bins of |R(k)|²/N, divided by N.
pub fn band_losses(residual: &Tensor) -> Result<[f64; BANDS]> {
    let fields = crate::network::from_tensor(residual)?;
    let (h, w) = fields[0].dim();
    let fft = Fft2::new(h, w);
    let n = (h * w) as f64;
    let band = band_of_bins(h, w);
    let mut out = [0.0; BANDS];
    for f in &fields {
        for (k, z) in fft.forward(f).indexed_iter() {
            out[band[k]] += z.norm_sqr() / n / n;
        }
    }
    for v in &mut out {
        *v /= fields.len() as f64;
    }
    Ok(out)
}

/// The band of every frequency bin (unshifted layout), by its rounded radius in cycles per
/// pixel.
pub fn band_of_bins(h: usize, w: usize) -> ndarray::Array2<usize> {
    // Integer radii from the centre, rounded, as the RAPSD's rings (frequency r / max(h, w)).
    let signed = |k: usize, n: usize| {
        if k <= n / 2 {
            k as f64
        } else {
            k as f64 - n as f64
        }
    };
    let l = h.max(w) as f64;
    ndarray::Array2::from_shape_fn((h, w), |(i, j)| {
        let r = signed(i, h).hypot(signed(j, w)).round();
        BAND_EDGES.iter().filter(|&&e| r / l >= e).count()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Process;
    use crate::data::{Split, greens, tile_model};
    use std::sync::OnceLock;

    fn photos() -> &'static (Vec<Field>, Vec<Field>) {
        static P: OnceLock<(Vec<Field>, Vec<Field>)> = OnceLock::new();
        P.get_or_init(|| {
            let split = Split::book().unwrap();
            let images = bookkit::data::default_images_dir();
            (
                greens(&images, &split.training).unwrap(),
                greens(&images, &split.held_out).unwrap(),
            )
        })
    }

    fn smoke() -> Trained {
        let config = Config::smoke(Process::White);
        let (training, held_out) = photos();
        let model = tile_model(training, config.crop).unwrap();
        train(
            &config,
            &Data {
                training,
                held_out,
                model: &model,
            },
            |_, _| {},
        )
        .unwrap()
    }

    #[test]
    fn a_smoke_run_repeats_exactly() {
        let (a, b) = (smoke(), smoke());
        // The same seed gives the same run, bit for bit: every logged loss, every weight.
        assert_eq!(a.log, b.log);
        for (name, t) in &a.weights {
            let (x, y) = (
                t.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
                b.weights[name]
                    .flatten_all()
                    .unwrap()
                    .to_vec1::<f32>()
                    .unwrap(),
            );
            assert!(
                x.iter().zip(&y).all(|(p, q)| p.to_bits() == q.to_bits()),
                "{name}"
            );
        }
        // The training loss of the last logged stretch is below the first's.
    }

    #[test]
    fn a_smoke_run_learns_a_batch() {
        // A few dozen steps of the tiny configuration on one fixed batch: the whole machinery
        // (preconditioning, the network, the convolution's backward pass, the optimiser) must
        // lower the loss, by at least a third.
        let config = Config::smoke(Process::White);
        let (training, _) = photos();
        let model = tile_model(training, config.crop).unwrap();
        let mut trainer = Trainer::new(&config, &model).unwrap();
        let example = trainer
            .examples(training, config.batch, &mut spectral::noise::seeded_rng(9))
            .unwrap();
        let losses: Vec<f64> = (0..config.steps)
            .map(|_| trainer.step(&example).unwrap().loss)
            .collect();
        let (first, last) = (losses[0], losses[losses.len() - 1]);
        assert!(last < first * 2.0 / 3.0, "{first} → {last}");
    }

    #[test]
    fn a_log_survives_its_csv() {
        let rows = vec![
            LogRow {
                step: 50,
                learning_rate: 1e-3,
                loss: 0.987654321,
                bands: [0.1, 0.2, 0.3, 0.25, 0.137654321],
                held_out: 1.0123456789,
            },
            LogRow {
                step: 100,
                learning_rate: 9.5e-4,
                loss: 0.9,
                bands: [0.1; BANDS],
                held_out: 1.0,
            },
        ];
        assert_eq!(read_log(&log_csv(&rows)).unwrap(), rows);
        let e = read_log(&(LogRow::csv_header() + "\n1,2,3\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(read_log("step,loss\n").is_err());
    }

    #[test]
    fn the_band_losses_add_up_to_the_loss() {
        // Parseval, checked on random residuals: independent of the network.
        let mut rng = spectral::noise::seeded_rng(4);
        let fields: Vec<Field> = (0..3)
            .map(|_| spectral::noise::gaussian_field(32, 32, 1.7, &mut rng))
            .collect();
        let t = crate::network::to_tensor(&fields)
            .unwrap()
            .unsqueeze(1)
            .unwrap();
        let bands = band_losses(&t).unwrap();
        let direct = fields
            .iter()
            .map(|f| f.mapv(|v| v * v).mean().unwrap())
            .sum::<f64>()
            / 3.0;
        assert!((bands.iter().sum::<f64>() / direct - 1.0).abs() < 1e-6);
        // White noise spreads over the bands in proportion to their number of bins.
        let band = band_of_bins(32, 32);
        for (b, v) in bands.iter().enumerate() {
            let share = band.iter().filter(|&&x| x == b).count() as f64 / 1024.0;
            assert!((v / direct - share).abs() < 0.05, "band {b}");
        }
    }
}

//! The shipped networks: weights in safetensors, one file per process, and a manifest that says
//! exactly what produced them.
//!
//! Training is a command (`cargo xtask train`), never part of the tests; everything else uses the
//! weights in `data/models`. So the weights must not silently fall out of step with the code or
//! the data: the manifest records the configuration, the seed, the training photos' SHA-256
//! hashes, the weights' own hash and the toolchain, and [`check`] (run by the tests) fails when
//! any of them no longer matches.
//!
//! Each file holds the network's parameters in half precision (the book measures what that
//! costs) and, in single precision, the Gaussian model its preconditioning is built on
//! (`model.power`), so a file is all a reader's `spectra` needs.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, Result, bail};
use candle_core::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use spectral::Field;
use spectral::gaussian_model::GaussianModel;

use crate::config::{Config, Process};
use crate::data::{Split, greens, models_dir, tile_model};
use crate::network::Network;
use crate::params::Params;
use crate::precondition::{Preconditioner, resize_model};
use crate::unet::UNet;

/// The name under which a weights file stores its Gaussian model.
const MODEL: &str = "model.power";

/// The manifest: one entry per trained process.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(flatten)]
    pub runs: BTreeMap<Process, Run>,
}

/// One training photo, by name and content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhotoHash {
    pub name: String,
    pub sha256: String,
}

/// How one shipped network was trained.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub weights: String,
    pub weights_sha256: String,
    pub log: String,
    pub log_sha256: String,
    pub parameters: usize,
    /// Mean training loss over the last logged steps, and the held-out loss at the end.
    pub final_loss: f64,
    pub final_held_out_loss: f64,
    pub seconds: f64,
    pub steps_per_second: f64,
    pub toolchain: String,
    pub machine: String,
    pub training_photos: Vec<PhotoHash>,
    /// The network's mean squared output on a fixed probe ([`probe`]): it changes when code that
    /// the weights depend on changes (the layers, the preconditioning), which the configuration
    /// alone would not show.
    pub probe: f64,
    /// The largest change of the held-out error (over t = 0.1 … 0.9) that storing the weights in
    /// half precision makes, in decibels, measured when they were written.
    pub half_precision_db: f64,
    pub config: Config,
}

/// The weights file of a process.
pub fn weights_file(process: Process) -> String {
    format!("{}.safetensors", process.name())
}

/// The training log of a process.
pub fn log_file(process: Process) -> String {
    format!("{}-log.csv", process.name())
}

/// SHA-256 of some bytes, in hexadecimal.
pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The hashes of the named photos in `images`.
pub fn photo_hashes(images: &Path, names: &[String]) -> Result<Vec<PhotoHash>> {
    names
        .iter()
        .map(|name| {
            let path = images.join(name);
            let bytes =
                std::fs::read(&path).with_context(|| format!("{}: cannot read", path.display()))?;
            Ok(PhotoHash {
                name: name.clone(),
                sha256: sha256(&bytes),
            })
        })
        .collect()
}

impl Manifest {
    pub fn read(models: &Path) -> Result<Manifest> {
        let path = models.join("manifest.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{}: not a valid manifest", path.display()))
    }

    pub fn to_toml(&self) -> Result<String> {
        Ok(format!(
            "# The shipped networks, written by `cargo xtask train PROCESS`: do not edit by hand.\n\
             # A test compares it with the code, the photos and the weights files.\n\n{}",
            toml::to_string(self)?
        ))
    }
}

/// The bytes of a weights file: the parameters in half precision, the model in single.
pub fn encode(weights: &BTreeMap<String, Tensor>, model: &GaussianModel) -> Result<Vec<u8>> {
    let mut tensors: HashMap<String, Tensor> = weights
        .iter()
        .map(|(n, t)| Ok((n.clone(), t.to_dtype(DType::F16)?)))
        .collect::<Result<_>>()?;
    let (h, w) = model.dim();
    let power: Vec<f32> = model.power.iter().map(|&p| p as f32).collect();
    tensors.insert(MODEL.into(), Tensor::from_vec(power, (h, w), &Device::Cpu)?);
    let path = tempfile::NamedTempFile::new()?;
    candle_core::safetensors::save(&tensors, path.path())?;
    Ok(std::fs::read(path.path())?)
}

// ANCHOR: load
/// A network from the bytes of a weights file, with the architecture and process of `config`,
/// for fields of the size it was trained on.
pub fn load(bytes: &[u8], config: &Config) -> Result<Network> {
    load_for(bytes, config, None)
}

/// The same for fields of `rows × cols` (the Gaussian model carried over by
/// [`resize_model`]): a whole photo, say. The network is fully convolutional, and its U-Net needs
/// both sides divisible by 8.
pub fn load_for_shape(bytes: &[u8], config: &Config, rows: usize, cols: usize) -> Result<Network> {
    let step = 1usize << (config.architecture.widths.len() - 1);
    if !rows.is_multiple_of(step) || !cols.is_multiple_of(step) || rows == 0 || cols == 0 {
        bail!("the network needs sides divisible by {step}, not {rows}×{cols}");
    }
    load_for(bytes, config, Some((rows, cols)))
}

fn load_for(bytes: &[u8], config: &Config, shape: Option<(usize, usize)>) -> Result<Network> {
    let mut params = Params::from_safetensors(bytes)?;
    let mut model = stored_model(&mut params)?;
    if let Some((rows, cols)) = shape {
        model = resize_model(&model, rows, cols);
    }
    let unet = UNet::new(&mut params, &config.architecture)?;
    let unused = params.unused();
    if !unused.is_empty() {
        bail!("the weights hold tensors the network does not use: {unused:?}");
    }
    let noise = config.process.noise(&model);
    Ok(Network {
        unet,
        pre: Preconditioner::new(&model, &noise),
    })
}
// ANCHOR_END: load

/// The Gaussian model a weights file stores.
fn stored_model(params: &mut Params) -> Result<GaussianModel> {
    let t = params.take(MODEL)?;
    let (h, w) = t.dims2()?;
    let v = t.flatten_all()?.to_vec1::<f32>()?;
    Ok(GaussianModel {
        power: Field::from_shape_fn((h, w), |(i, j)| v[i * w + j] as f64),
    })
}

/// The shipped network of `process` (`data/models`), with the book's configuration.
pub fn shipped(process: Process) -> Result<Network> {
    let path = models_dir().join(weights_file(process));
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "{}: no shipped weights (train them with `cargo xtask train {process}`)",
            path.display()
        )
    })?;
    load(&bytes, &Config::book(process)).with_context(|| format!("{}: cannot load", path.display()))
}

// ANCHOR: probe
/// The mean squared output F of a network on a fixed input: seeded white noise at four times.
pub fn probe(network: &Network) -> Result<f64> {
    let (h, w) = network.pre.shape();
    let mut rng = spectral::noise::seeded_rng(1);
    let times = [0.2, 0.5, 0.8, 1.0];
    let x_t: Vec<Field> = times
        .iter()
        .map(|_| spectral::noise::gaussian_field(h, w, 1.0, &mut rng))
        .collect();
    let batch = network.prepare(&x_t, &times)?;
    let f = network.unet.forward(&batch.input, &batch.log_snr)?;
    Ok(f.sqr()?.mean_all()?.to_scalar::<f32>()? as f64)
}
// ANCHOR_END: probe

/// Everything that makes shipped weights stale, as a list of reasons (empty: all in step).
pub fn check(models: &Path, images: &Path, process: Process) -> Result<Vec<String>> {
    let manifest = Manifest::read(models)?;
    let Some(run) = manifest.runs.get(&process) else {
        return Ok(vec![format!("the manifest has no entry for {process}")]);
    };
    let mut stale = Vec::new();
    let mut same = |what: &str, ok: bool| {
        if !ok {
            stale.push(format!("{process}: {what}"));
        }
    };
    same(
        "the configuration in the code differs from the one trained",
        run.config == Config::book(process),
    );
    let bytes = std::fs::read(models.join(&run.weights))?;
    same(
        "the weights file is not the one the manifest records",
        sha256(&bytes) == run.weights_sha256,
    );
    let log = std::fs::read(models.join(&run.log))?;
    same(
        "the training log is not the one the manifest records",
        sha256(&log) == run.log_sha256,
    );
    let network = load(&bytes, &run.config)?;
    let now = probe(&network)?;
    same(
        "the network computes something else from the same weights (code changed)",
        (now / run.probe - 1.0).abs() < 1e-4,
    );
    let split = Split::read(models, images)?;
    same(
        "the training photos or their contents changed",
        photo_hashes(images, &split.training)? == run.training_photos,
    );
    let model = tile_model(&greens(images, &split.training)?, run.config.crop)?;
    let mut params = Params::from_safetensors(&bytes)?;
    let stored = stored_model(&mut params)?;
    same(
        "the stored Gaussian model is not the training photos' model",
        stored
            .power
            .iter()
            .zip(&model.power)
            .all(|(a, b)| (a - b).abs() <= 1e-6 * b.abs().max(1e-12)),
    );
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_round_trip_through_half_precision() {
        let config = Config::smoke(Process::Equal);
        let mut params = Params::seeded(7);
        UNet::new(&mut params, &config.architecture).unwrap();
        let weights: BTreeMap<String, Tensor> = params
            .vars()
            .into_iter()
            .map(|(n, v)| (n, v.as_tensor().clone()))
            .collect();
        let model = GaussianModel {
            power: Field::from_shape_fn((32, 32), |(i, j)| 1.0 + (i * 32 + j) as f64 / 7.0),
        };
        let network = load(&encode(&weights, &model).unwrap(), &config).unwrap();
        // The model survives in single precision, the weights in half.
        let back = network.pre.model();
        for (a, b) in back.power.iter().zip(&model.power) {
            assert!((a / b - 1.0).abs() < 1e-7);
        }
        // A file for another architecture is refused with the tensor it lacks.
        let other = Config::book(Process::Equal);
        let e = load(&encode(&weights, &model).unwrap(), &other)
            .err()
            .unwrap();
        assert!(format!("{e:#}").contains("weights"), "{e:#}");
    }

    #[test]
    fn garbage_is_not_weights() {
        let e = load(b"not a safetensors file", &Config::smoke(Process::White))
            .err()
            .unwrap();
        assert!(format!("{e:#}").contains("safetensors"), "{e:#}");
    }
}

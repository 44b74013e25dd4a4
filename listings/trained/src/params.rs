//! The network's parameters by name: drawn from a seed for training, or read from shipped
//! weights for use.
//!
//! candle's own initialisers draw from an unseeded random-number generator, so a training run
//! could never be repeated. Here every parameter is drawn from the book's seeded generator, in
//! the order of its name, and kept in a sorted map: two runs with the same seed start from the
//! same numbers, and the optimiser sees the parameters in the same order.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use candle_core::{DType, Device, Tensor, Var};
use rand_distr::{Distribution, Normal};

/// How a parameter starts.
#[derive(Clone, Copy, Debug)]
pub enum Init {
    /// Normal with standard deviation √(2 / fan_in) (He et al. 2015), for layers followed by a
    /// SiLU.
    He { fan_in: usize },
    /// All zeros: biases, and the last layer of each residual branch and of the network, so that
    /// every block starts as the identity and the network's correction starts at zero.
    Zero,
}

/// Where the parameters come from.
enum Source {
    /// Fresh trainable variables, drawn in name order from one seeded generator.
    Seeded {
        rng: Box<rand::rngs::ChaCha8Rng>,
        vars: BTreeMap<String, Var>,
    },
    /// Tensors read from a weights file, and the names the network asked for.
    Loaded {
        tensors: BTreeMap<String, Tensor>,
        used: BTreeSet<String>,
    },
}

/// The parameter store the network's layers take their tensors from.
pub struct Params {
    source: Source,
    prefix: Vec<String>,
}

/// One level of naming, as in `down.1.conv1.weight`.
pub struct Scope<'a> {
    params: &'a mut Params,
}

impl Params {
    /// Trainable parameters drawn from `seed`.
    pub fn seeded(seed: u64) -> Params {
        Params {
            source: Source::Seeded {
                rng: Box::new(spectral::noise::seeded_rng(seed)),
                vars: BTreeMap::new(),
            },
            prefix: Vec::new(),
        }
    }

    /// Parameters read from safetensors bytes (any float type; converted to f32).
    pub fn from_safetensors(bytes: &[u8]) -> Result<Params> {
        let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)
            .context("the weights are not a valid safetensors file")?;
        let tensors = tensors
            .into_iter()
            .map(|(name, t)| Ok((name, t.to_dtype(DType::F32)?)))
            .collect::<Result<BTreeMap<_, _>>>()?;
        Ok(Params::from_tensors(tensors))
    }

    /// Parameters given as tensors by name (e.g. the running average of a training run).
    pub fn from_tensors(tensors: BTreeMap<String, Tensor>) -> Params {
        Params {
            source: Source::Loaded {
                tensors,
                used: BTreeSet::new(),
            },
            prefix: Vec::new(),
        }
    }

    /// Removes and returns a loaded tensor that is not a network parameter (the stored model).
    pub fn take(&mut self, name: &str) -> Result<Tensor> {
        match &mut self.source {
            Source::Loaded { tensors, .. } => tensors
                .remove(name)
                .with_context(|| format!("the weights have no tensor {name}")),
            Source::Seeded { .. } => bail!("no weights were loaded"),
        }
    }

    /// A sub-scope: names inside it get `name.` in front.
    pub fn scope(&mut self, name: impl Into<String>) -> Scope<'_> {
        self.prefix.push(name.into());
        Scope { params: self }
    }

    /// The tensor called `name` in the current scope, of the given shape.
    pub fn get(&mut self, name: &str, shape: &[usize], init: Init) -> Result<Tensor> {
        let full = self
            .prefix
            .iter()
            .map(String::as_str)
            .chain([name])
            .collect::<Vec<_>>()
            .join(".");
        match &mut self.source {
            Source::Seeded { rng, vars } => {
                if vars.contains_key(&full) {
                    bail!("parameter {full} is declared twice");
                }
                let var = Var::from_tensor(&draw(rng, shape, init)?)?;
                let t = var.as_tensor().clone();
                vars.insert(full, var);
                Ok(t)
            }
            Source::Loaded { tensors, used } => {
                let t = tensors
                    .get(&full)
                    .with_context(|| format!("the weights have no tensor {full}"))?;
                if t.dims() != shape {
                    bail!(
                        "weights: {full} is {:?}, the network needs {shape:?}",
                        t.dims()
                    );
                }
                let t = t.clone();
                used.insert(full);
                Ok(t)
            }
        }
    }

    /// The trainable variables, sorted by name (empty for loaded weights).
    pub fn vars(&self) -> Vec<(String, Var)> {
        match &self.source {
            Source::Seeded { vars, .. } => {
                vars.iter().map(|(n, v)| (n.clone(), v.clone())).collect()
            }
            Source::Loaded { .. } => Vec::new(),
        }
    }

    /// How many numbers the loaded or drawn parameters hold.
    pub fn count(&self) -> usize {
        match &self.source {
            Source::Seeded { vars, .. } => vars.values().map(|v| v.elem_count()).sum(),
            Source::Loaded { tensors, .. } => tensors.values().map(Tensor::elem_count).sum(),
        }
    }

    /// Loaded tensors the network did not ask for: a file for another architecture.
    pub fn unused(&self) -> Vec<String> {
        match &self.source {
            Source::Loaded { tensors, used } => tensors
                .keys()
                .filter(|k| !used.contains(*k))
                .cloned()
                .collect(),
            Source::Seeded { .. } => Vec::new(),
        }
    }
}

impl Scope<'_> {
    pub fn get(&mut self, name: &str, shape: &[usize], init: Init) -> Result<Tensor> {
        self.params.get(name, shape, init)
    }

    pub fn scope(&mut self, name: impl Into<String>) -> Scope<'_> {
        self.params.scope(name)
    }
}

impl Drop for Scope<'_> {
    fn drop(&mut self) {
        self.params.prefix.pop();
    }
}

/// The initial values of one parameter.
fn draw(rng: &mut rand::rngs::ChaCha8Rng, shape: &[usize], init: Init) -> Result<Tensor> {
    let n: usize = shape.iter().product();
    let values: Vec<f32> = match init {
        Init::Zero => vec![0.0; n],
        Init::He { fan_in } => {
            let normal = Normal::new(0.0, (2.0 / fan_in as f64).sqrt())?;
            (0..n).map(|_| normal.sample(rng) as f32).collect()
        }
    };
    Ok(Tensor::from_vec(values, shape, &Device::Cpu)?)
}

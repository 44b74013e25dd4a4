//! What a training run is: the forward process, the network's shape and the optimiser's
//! settings. The manifest of the shipped weights records it, and a test fails when the code's
//! configuration no longer matches the one the weights were trained with.

use std::fmt;
use std::str::FromStr;

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use spectral::gaussian_model::GaussianModel;
use spectral::noise_spectrum::NoiseSpectrum;

use crate::unet::Architecture;

/// The forward process a network is trained for: which noise spectrum rectified flow adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Process {
    /// White noise: the standard process, the book's throughout.
    White,
    /// EqualSNR (Falck et al. 2025): noise shaped like the data's spectrum.
    Equal,
    /// FlippedSNR (Falck et al. 2025): the order of the SNRs over frequency reversed.
    Flipped,
}

impl Process {
    pub const ALL: [Process; 3] = [Process::White, Process::Equal, Process::Flipped];

    pub fn name(self) -> &'static str {
        match self {
            Process::White => "white",
            Process::Equal => "equal",
            Process::Flipped => "flipped",
        }
    }

    /// The noise spectrum of this process for data modelled by `model`.
    pub fn noise(self, model: &GaussianModel) -> NoiseSpectrum {
        let (rows, cols) = model.dim();
        match self {
            Process::White => NoiseSpectrum::white(rows, cols),
            Process::Equal => NoiseSpectrum::equal_snr(model),
            Process::Flipped => NoiseSpectrum::flipped_snr(model),
        }
    }
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Process {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Process> {
        match s {
            "white" => Ok(Process::White),
            "equal" => Ok(Process::Equal),
            "flipped" => Ok(Process::Flipped),
            _ => bail!("unknown process {s:?}: expected white, equal or flipped"),
        }
    }
}

// ANCHOR: config
/// One training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub process: Process,
    pub architecture: Architecture,
    /// Side of the square training crops, in pixels.
    pub crop: usize,
    /// Crops per step.
    pub batch: usize,
    /// Optimiser steps.
    pub steps: usize,
    /// AdamW's peak learning rate, reached after `warmup` steps and then lowered along a cosine
    /// to zero at the last step.
    pub learning_rate: f64,
    pub warmup: usize,
    pub weight_decay: f64,
    /// Gradients are scaled down to this global norm when they exceed it.
    pub clip: f64,
    /// Largest decay of the exponential moving average of the weights, which is what ships. At
    /// step i the decay is min(ema, (1 + i)/(10 + i)), so the average follows the weights closely
    /// early on and averages over more steps later.
    pub ema: f64,
    /// Training times are drawn uniformly from [t_min, 1].
    pub t_min: f64,
    pub seed: u64,
    /// Every this many steps the loss per frequency band is logged, and the held-out loss.
    pub log_every: usize,
}
// ANCHOR_END: config

impl Config {
    /// The book's configuration: the same for every process, so that they differ only in the
    /// noise.
    pub fn book(process: Process) -> Config {
        Config {
            process,
            architecture: Architecture {
                inputs: 2,
                widths: vec![32, 64, 96, 128],
                blocks: 1,
                embedding: 64,
                frequencies: 8,
            },
            crop: 64,
            batch: 16,
            steps: 650,
            learning_rate: 1e-3,
            warmup: 50,
            weight_decay: 0.0,
            clip: 1.0,
            ema: 0.99,
            t_min: 0.01,
            seed: 2024,
            log_every: 50,
        }
    }

    /// A tiny configuration that trains in seconds: the smoke test's.
    pub fn smoke(process: Process) -> Config {
        Config {
            architecture: Architecture {
                inputs: 2,
                widths: vec![8, 16],
                blocks: 1,
                embedding: 16,
                frequencies: 4,
            },
            crop: 32,
            batch: 8,
            steps: 40,
            warmup: 5,
            learning_rate: 3e-3,
            // A short run keeps almost none of its history in the average.
            ema: 0.5,
            log_every: 10,
            ..Config::book(process)
        }
    }

    /// The learning rate at step `i` (0-based): linear warm-up, then a cosine to zero.
    pub fn learning_rate_at(&self, i: usize) -> f64 {
        if i < self.warmup {
            return self.learning_rate * (i + 1) as f64 / self.warmup as f64;
        }
        let done = (i - self.warmup) as f64 / (self.steps - self.warmup).max(1) as f64;
        self.learning_rate * 0.5 * (1.0 + (std::f64::consts::PI * done).cos())
    }
}

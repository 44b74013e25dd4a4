//! The book's trained denoiser: a small U-Net, trained in Rust on the book's photos, held against
//! the Gaussian model of "Running diffusion backwards".
//!
//! | module | concept |
//! |---|---|
//! | [`budget`] | how many crops, chains and samples a listing draws: the book's or the notebook's |
//! | [`activation`] | SiLU, candle's bit for bit forward, with a one-pass backward |
//! | [`conv`] | the 3 × 3 convolution, candle's `conv2d` bit for bit forward, with a fast backward |
//! | [`params`] | parameters by name: seeded for training, or read from weights |
//! | [`unet`] | the network: a U-Net conditioned on the noise level |
//! | [`precondition`] | what the network is given and asked for: the Wiener estimate and its error |
//! | [`quality`] | squared errors on held-out crops: network, Wiener filter, noisy input |
//! | [`sample`] | the network's reverse process, many chains at once |
//! | [`network`] | the U-Net and its preconditioning as one denoiser, on batches |
//! | [`config`] | a training run: process, architecture, optimiser |
//! | [`data`] | the split into training and held-out photos; random crops |
//! | [`train`] | the training loop and its log |
//! | [`weights`] | the shipped weights and their manifest; what makes them stale |
pub mod activation;
pub mod budget;
pub mod config;
pub mod conv;
pub mod data;
pub mod network;
pub mod params;
pub mod precondition;
pub mod quality;
pub mod sample;
pub mod train;
pub mod unet;
pub mod weights;

pub use config::{Config, Process};
pub use network::Network;

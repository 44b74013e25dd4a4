//! The spectral core of the book *Diffusion is spectral autoregression*.
//!
//! Everything here is pure computation on in-memory arrays: no files, no threads, no plotting.
//! That keeps it small, easy to test against analytic results, and able to compile to
//! WebAssembly for interactive figures. Loading photos and recordings, running in parallel
//! and drawing figures live in the `bookkit` crate around it.
//!
//! | module | concept |
//! |---|---|
//! | [`fft`] | 2D discrete Fourier transform of real images, `fftshift` |
//! | [`spectrum`] | magnitude, phase, power, and the radially averaged power spectral density (RAPSD) |
//! | [`fit`] | log-domain means, log-uniform resampling, power-law fits and bootstrap intervals |
//! | [`noise`] | seeded Gaussian noise and synthetic power-law random fields |
//! | [`schedule`] | diffusion schedules and the maximal detectable frequency |
//! | [`tide`] | the rising tide: clean, noise and noisy spectra of a set at one noise level |
//! | [`audio`] | 1D power spectra and their log-domain mean, short-time Fourier transform, mel filterbank |
//! | [`conversion`] | recordings to the book's format: channels averaged, sample rate converted without aliasing |
//! | [`grey`] | a field in [−1, 1] shown as grey levels, clipped: one mapping for every picture |
//! | [`curve`] | a measured curve's shape: fractional-octave smoothing, peak, how well a power law fits |
//! | [`resample`] | photos to the book's format: Lanczos-3 resize to a short side, centre crop (bit-identical to `image`) |
//! | [`special`] | the digamma function, for the expected log of averaged noise power |
//! | [`gaussian_model`] | the photos as a stationary Gaussian field: one variance per frequency |
//! | [`noise_spectrum`] | the forward process's noise per frequency: white, EqualSNR, FlippedSNR |
//! | [`denoise`] | the `Denoiser` trait and the optimal linear denoiser (Wiener filter) |
//! | [`sampler`] | running diffusion backwards: the probability-flow ODE and ancestral samplers |
//! | [`commitment`] | how much of the final sample each frequency has decided at time t |

pub mod audio;
pub mod commitment;
pub mod conversion;
pub mod curve;
pub mod denoise;
pub mod fft;
pub mod fit;
pub mod gaussian_model;
pub mod grey;
pub mod noise;
pub mod noise_spectrum;
pub mod resample;
pub mod sampler;
pub mod schedule;
pub mod special;
pub mod spectrum;
pub mod tide;

/// Every image-like array in the book: rows × columns of `f64`.
pub type Field = ndarray::Array2<f64>;

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
//! | [`audio`] | 1D power spectra, short-time Fourier transform, mel filterbank |
//! | [`special`] | the digamma function, for the expected log of averaged noise power |

pub mod audio;
pub mod fft;
pub mod fit;
pub mod noise;
pub mod schedule;
pub mod special;
pub mod spectrum;

/// Every image-like array in the book: rows × columns of `f64`.
pub type Field = ndarray::Array2<f64>;

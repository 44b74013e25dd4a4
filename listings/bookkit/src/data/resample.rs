//! The book's preparation of a photo (Lanczos-3 resize to short side `n`, centre crop), as the
//! loader calls it.
//!
//! The code and its bit-for-bit tests against `image`'s resampler live in the spectral core
//! ([`spectral::resample`]): it is pure arithmetic, and the in-page figures compiled to
//! WebAssembly (`listings/live`) must prepare a reader's photo with exactly the same code. This
//! module keeps the path `bookkit::data::resample` the loader and the performance appendix use.

pub use spectral::resample::{append_unit_channel, geometry, square_crop};

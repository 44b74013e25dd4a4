//! The kit around the book's spectral core: loading photos and recordings, drawing figures,
//! writing outputs. The core itself (`spectral`) does no I/O; everything with files, threads or
//! pixels lives here. The `spectra` application (`listings/spectra-cli`) is built on this kit,
//! not part of it, so listings and notebooks compile none of its dependencies.
//!
//! | module | concept |
//! |---|---|
//! | [`inputs`] | files and folders a reader names, walked alike for every medium; `BadFile` |
//! | [`data`] | photos in the book's format (resize, centre-crop, [−1, 1]) |
//! | [`audio`] | recordings in the book's format (mono, 22,050 Hz, [−1, 1]); spectra of a set of clips |
//! | [`plot`] | log-log charts in the post's style, a canvas for composite figures |
//! | [`render`] | figures drawn once, painted as SVG or as pixels at any scale |
//! | [`colormap`] | viridis, magma and RdBu for spectra shown as images |
//! | [`heatmap`] | heat maps over time × log frequency, with measured markers and curves |
//! | [`figure`] | output folder, atomic PNG/GIF/value writing |
//! | [`notebook`] | inline figures in the evcxr notebooks |
//! | [`tide_frame`] | one frame of a rising-tide animation (chart, picture, noise level) |
//! | [`values`] | the numbers the prose shows: saved by each listing, checked by its test |
pub mod audio;
pub mod colormap;
pub mod data;
pub mod figure;
pub mod heatmap;
pub mod inputs;
pub mod notebook;
pub mod plot;
pub mod render;
pub mod tide_frame;
pub mod values;

// Re-exported so listings use exactly the versions the kit was built with.
pub use image;
pub use plotters;

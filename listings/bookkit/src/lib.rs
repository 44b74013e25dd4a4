//! The kit around the book's spectral core: loading photos and recordings, drawing figures,
//! writing outputs. The core itself (`spectral`) does no I/O; everything with files, threads or
//! pixels lives here.
//!
//! | module | concept |
//! |---|---|
//! | [`data`] | photos in the book's format (resize, centre-crop, [−1, 1]) |
//! | [`audio`] | recordings in the book's format (mono, 22,050 Hz, [−1, 1]); spectra of a set of clips |
//! | [`plot`] | log-log charts in the post's style, a canvas for composite figures |
//! | [`colormap`] | viridis, magma and RdBu for spectra shown as images |
//! | [`figure`] | output folder, atomic PNG/GIF/value writing |
//! | [`notebook`] | inline figures in the evcxr notebooks |
//! | [`cli`] | the `spectra` command-line tool (arguments, measurements, output) |
//! | [`fetch`] | downloading the post's data sets (`spectra fetch`), the project's only network use |
pub mod audio;
pub mod cli;
pub mod colormap;
pub mod data;
pub mod fetch;
pub mod figure;
pub mod notebook;
pub mod plot;

// Re-exported so listings use exactly the versions the kit was built with.
pub use image;
pub use plotters;

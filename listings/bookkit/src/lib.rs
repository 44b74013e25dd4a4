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
//! | [`chart`] | a chart's series, scales, ranges, labels and legend position, in the post's style |
//! | [`axes`] | ticks and their labels, and where a chart's frame goes in its rectangle |
//! | [`legend`] | a chart's legend, placed where it hides the least data |
//! | [`plot`] | charts painted (data, axes, legend); the charts' front door |
//! | [`heatmap`] | heat maps over time × log frequency, with measured markers and curves; colour bars |
//! | [`colormap`] | viridis, magma and RdBu for spectra shown as images |
//! | [`render`] | a figure composed once in CSS px, painted as SVG or pixels; animations |
//! | [`painter`] | the drawing vocabulary: rectangles, strokes, text styles, the `Painter` trait |
//! | [`svg`] | figures and animations painted as SVG |
//! | [`raster`] | figures painted as pixels at any scale |
//! | [`text`] | fonts, text widths, sub- and superscripts, text drawn into pixels |
//! | [`figure`] | output folder, atomic SVG/PNG/value writing, desktop and phone layouts |
//! | [`notebook`] | inline figures in the evcxr notebooks |
//! | [`tide_frame`] | one frame of a rising-tide animation (chart, picture, noise level) |
//! | [`values`] | the numbers the prose shows: saved by each listing, checked by its test |
pub mod audio;
pub mod axes;
pub mod chart;
pub mod colormap;
pub mod data;
pub mod figure;
pub mod heatmap;
pub mod inputs;
pub mod legend;
pub mod notebook;
pub mod painter;
pub mod plot;
pub mod raster;
pub mod render;
pub mod svg;
pub mod text;
pub mod tide_frame;
pub mod values;

// Re-exported so listings use exactly the version the kit was built with.
pub use image;

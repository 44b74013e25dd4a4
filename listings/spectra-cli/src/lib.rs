//! `spectra`, the book's measurements as a command-line application: the RAPSD, power-law fits,
//! f_max and spectra of sound on readers' own photos and recordings, and downloads of the post's
//! data sets.
//!
//! It is an application built on the book's libraries, not part of them: the figure listings
//! and the notebooks use `bookkit` and `spectral` and never compile its argument parser,
//! progress bars or TLS stack.
//!
//! | module | concept |
//! |---|---|
//! | [`cli`] | arguments, measurements and output of each command |
//! | [`embedded`] | the book's model and reference curves, built into the binary so it stands alone |
//! | [`fetch`] | downloading the post's data sets (`spectra fetch`), the project's only network use |
pub mod cli;
pub mod embedded;
pub mod fetch;

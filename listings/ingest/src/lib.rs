//! A reader's file, from bytes to the book's format: a photo decoded and prepared (resized,
//! centre-cropped, one channel in [−1, 1]), a WAV recording decoded and converted (mono,
//! 22,050 Hz), or a one-line reason why the bytes cannot be used, never a panic and never an
//! allocation that a file's header sized beyond the [`limits`].
//!
//! Three programs read readers' files: the kit (`bookkit`, for the listings and for `spectra`),
//! and the page's live figures (`listings/live`, compiled to WebAssembly). They all decode here,
//! so a truncated JPEG, a header claiming a billion pixels or a WAV claiming a sample rate of
//! 1 Hz gets the same answer from each, and each case is tested once, here.
//!
//! Why a crate of its own rather than a module of `spectral` or `bookkit`:
//!
//! - not `bookkit`: the kit reads files, runs threads and draws with `plotters`, none of which
//!   the page can compile (or afford in a module it embeds);
//! - not `spectral`: the core is numerical, arrays in and arrays out, tested against analytic
//!   results. What is here is a policy for untrusted bytes (file formats, magic numbers, JPEG
//!   markers, WAV headers, memory limits, messages for readers) with its own dependencies
//!   (`image`, `hound`); mixing it into the core would make every user of the FFT compile image
//!   decoders, and blur what the core's WebAssembly check proves.
//!
//! Like the core, it does no file I/O and starts no threads: it works on bytes already in memory,
//! so it compiles to `wasm32-unknown-unknown`. Reading the files (and refusing one too large to
//! read) is the kit's job; the page gets its bytes from the browser.
//!
//! | module | concept |
//! |---|---|
//! | [`limits`] | who reads ([`Reader`]: `spectra` or the page), and the limits every file must keep |
//! | [`text`] | telling a text file (a note, an HTML error page) from binary data |
//! | [`photo`] | image bytes to pixels: format sniffing, truncation, claimed size, bounded decoding |
//! | [`prepare`] | pixels to the book's format: channel, resize and centre crop, [−1, 1] |
//! | [`wav`] | WAV bytes to samples, the claimed length and rate checked before reading |
//! | `fixtures` | bad files made in memory, for tests (feature `fixtures`) |
//! | [`recording`] | samples to the book's format: finite, mono, 22,050 Hz, long enough |

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod limits;
pub mod photo;
pub mod prepare;
pub mod recording;
pub mod text;
pub mod wav;

pub use limits::{COMMAND_LINE, PAGE, Reader};

// Re-exported so callers name exactly the decoder types this crate returns.
pub use image;

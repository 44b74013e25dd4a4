//! The book's live figures: the spectral core, compiled to WebAssembly, behind the interactive
//! widgets of the chapters "Noisy image spectra" (the rising tide on any photo, at any t) and
//! "What about sound?" (the mel-RAPSD of any WAV recording). Beside x_t the tide widget shows x̂₀,
//! the Wiener estimate of the chapter "Running diffusion backwards", from the book's model of the
//! photos ([`model`]), fitted at build time.
//!
//! Why WebAssembly rather than JavaScript: the widgets must show the numbers the book prints,
//! and the only way to be sure of that is to run the same code. This crate adds no computation of
//! its own; it decodes bytes ([`photo`], [`sound`]), calls `spectral`, and hands arrays to the
//! page's script (`theme/live.js`), which only draws them.
//!
//! Built by `cargo xtask book` (xtask/src/live.rs): `cargo build --release --target
//! wasm32-unknown-unknown -p live`, then `wasm-bindgen --target no-modules`, and the module's
//! bytes are embedded base64-encoded in a classic script, because a page opened from disk
//! (file://) may neither `fetch()` a .wasm file nor import an ES module.

pub mod model;
pub mod photo;
pub mod sound;
pub mod tide;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `window.liveFigures.panicked` (theme/live.js): keeps a panic's message for the reader.
    #[wasm_bindgen(js_namespace = liveFigures, js_name = panicked)]
    fn report_panic(message: &str);
}

/// Runs when the page instantiates the module. A panic aborts the WebAssembly instance, and the
/// trap that follows tells the page only "unreachable"; the hook hands the page the panic's own
/// message first, so the widget can say what went wrong before the page restarts the module.
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| report_panic(&info.to_string())));
}

/// The rising-tide widget's state: one prepared photo and one noise draw.
#[wasm_bindgen]
pub struct LiveTide {
    tide: tide::Tide,
    frame: Option<tide::Frame>,
}

#[wasm_bindgen]
impl LiveTide {
    /// Prepares a JPEG or PNG (the book's format: 320 × 320, green, [−1, 1]) and draws the noise
    /// for `seed`. Fails with a sentence for the reader.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8], seed: u32) -> Result<LiveTide, JsError> {
        let x0 = photo::prepare_green(bytes).map_err(|m| JsError::new(&m))?;
        Ok(LiveTide {
            tide: tide::Tide::new(x0, u64::from(seed)),
            frame: None,
        })
    }

    pub fn set_seed(&mut self, seed: u32) {
        self.tide.set_seed(u64::from(seed));
    }

    /// Hands over the book's Gaussian model of the photos (`LIVE_ASSETS.model`: [`model::encode`]'s
    /// bytes for a `rows × cols` model), which [`LiveTide::estimate_pixels`] needs.
    pub fn set_model(&mut self, rows: usize, cols: usize, bytes: &[u8]) -> Result<(), JsError> {
        let model = model::decode(rows, cols, bytes).map_err(|m| JsError::new(&m))?;
        self.tide.set_model(model).map_err(|m| JsError::new(&m))
    }

    /// x̂₀, the Wiener estimate of the photo from the current frame's x_t, as grey RGBA with the
    /// mapping of [`LiveTide::pixels`] ([−1, 1] → [0, 255]). Apart from [`LiveTide::update`]: it
    /// costs about two FFTs more, and the page postpones it when a step would overrun a frame.
    pub fn estimate_pixels(&self) -> Result<Vec<u8>, JsError> {
        let x_hat = self
            .tide
            .estimate(self.current())
            .map_err(|m| JsError::new(&m))?;
        Ok(tide::grey_rgba(&x_hat))
    }

    /// Computes the frame at t = step / steps; the getters below read it.
    pub fn update(&mut self, step: u32, steps: u32) {
        self.frame = Some(self.tide.frame(tide::Tide::time(step, steps)));
    }

    pub fn size(&self) -> usize {
        self.tide.x0().ncols()
    }

    /// The photo as prepared, grey RGBA (for the thumbnail of a reader's own file).
    pub fn clean_pixels(&self) -> Vec<u8> {
        tide::grey_rgba(self.tide.x0())
    }

    pub fn t(&self) -> f64 {
        self.current().t
    }
    pub fn pixels(&self) -> Vec<u8> {
        tide::grey_rgba(&self.current().x_t)
    }
    pub fn frequency(&self) -> Vec<f64> {
        self.current().frequency.clone()
    }
    pub fn clean(&self) -> Vec<f64> {
        self.current().clean.clone()
    }
    pub fn noise(&self) -> Vec<f64> {
        self.current().noise.clone()
    }
    pub fn noisy(&self) -> Vec<f64> {
        self.current().noisy.clone()
    }
    pub fn f_max(&self) -> f64 {
        self.current().f_max
    }
    /// f_max written exactly as `spectra fmax` prints it (Rust's shortest round-trip form).
    pub fn f_max_text(&self) -> String {
        format!("{}", self.current().f_max)
    }
}

impl LiveTide {
    fn current(&self) -> &tide::Frame {
        self.frame
            .as_ref()
            .expect("the page calls update() before reading a frame")
    }
}

/// The sound widget's result for one recording.
#[wasm_bindgen]
pub struct LiveSound {
    curve: sound::SoundCurve,
}

#[wasm_bindgen]
impl LiveSound {
    /// Measures a WAV file's middle 2 s. Fails with a sentence for the reader.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<LiveSound, JsError> {
        sound::analyse_wav(bytes)
            .map(|curve| LiveSound { curve })
            .map_err(|m| JsError::new(&m))
    }
    pub fn frequency(&self) -> Vec<f64> {
        self.curve.frequency.clone()
    }
    pub fn power(&self) -> Vec<f64> {
        self.curve.power.clone()
    }
    /// The fitted exponent α̂ and constant C of P(f) ≈ C·f^(−α̂).
    pub fn alpha(&self) -> f64 {
        self.curve.law.alpha
    }
    pub fn c(&self) -> f64 {
        self.curve.law.c
    }
    pub fn seconds(&self) -> f64 {
        self.curve.seconds
    }
    pub fn sample_rate(&self) -> u32 {
        self.curve.sample_rate
    }
    pub fn channels(&self) -> usize {
        self.curve.channels
    }
    pub fn mel_bands(&self) -> usize {
        self.curve.log_mel.nrows()
    }
    pub fn mel_frames(&self) -> usize {
        self.curve.log_mel.ncols()
    }
    /// The log-mel spectrogram (dB) row-major, band 0 (lowest) first.
    pub fn log_mel(&self) -> Vec<f64> {
        self.curve.log_mel.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use bookkit::colormap::MAGMA;
    use bookkit::plot::{BLACK, BLUE, GREEN, RED, RGBColor};

    fn script() -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../theme/live.js"),
        )
        .unwrap()
    }

    /// The page paints the log-mel spectrogram itself: its colormap must be the static figures'
    /// magma (F16), anchor for anchor.
    #[test]
    fn the_page_paints_spectrograms_in_the_static_figures_magma() {
        let script = script();
        let start = script
            .find("const MAGMA = [")
            .expect("live.js defines MAGMA");
        let end = start + script[start..].find("];").unwrap();
        let bytes: Vec<u8> = script[start..end]
            .split("0x")
            .skip(1)
            .map(|h| u8::from_str_radix(&h[..2], 16).unwrap())
            .collect();
        let anchors: Vec<&[u8]> = bytes.chunks(3).collect();
        assert!(anchors.len() >= 2 && anchors.iter().all(|a| a.len() == 3));
        let last = (anchors.len() - 1) as f64;
        for (i, a) in anchors.iter().enumerate() {
            assert_eq!(&MAGMA.at(i as f64 / last).0[..], *a, "anchor {i}");
        }
        // Between anchors bookkit interpolates linearly too: at a quarter of the first span.
        let quarter = MAGMA.at(0.25 / last).0;
        for c in 0..3 {
            let want = f64::from(anchors[0][c]) * 0.75 + f64::from(anchors[1][c]) * 0.25;
            assert_eq!(f64::from(quarter[c]), want.round());
        }
    }

    /// The page draws its charts in JavaScript: its colours must stay the static charts'.
    #[test]
    fn the_page_draws_with_the_static_charts_colours() {
        let script = script();
        let hex = |c: RGBColor| format!("'#{:02x}{:02x}{:02x}'", c.0, c.1, c.2);
        for (name, colour) in [
            ("red", RED),
            ("blue", BLUE),
            ("green", GREEN),
            ("black", BLACK),
        ] {
            let want = format!("{name}: {}", hex(colour));
            assert!(script.contains(&want), "theme/live.js lacks `{want}`");
        }
    }
}

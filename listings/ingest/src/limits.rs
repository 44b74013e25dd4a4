//! What a file may be, in one place: how large a file, an image or a recording may be, which
//! sample rates and channel counts are taken, and who reads it ([`Reader`]).
//!
//! Every limit is checked against what a file's header *claims*, before the memory it sizes is
//! allocated. A few kilobytes of PNG can claim ten billion pixels, and a 2 MB WAV whose header
//! says 1 Hz would be resampled to 22,050 times as many samples: tens of gigabytes. Running out of
//! memory aborts the process (no error, no `catch_unwind`) and freezes a browser tab, so the
//! loaders refuse such files with a sentence instead. The limits are generous for real photos and
//! recordings; each says what it protects.
//!
//! What the limits bound, for one file: decoded pixels at most [`Reader::decoder_alloc`] bytes
//! (plus 12 bytes a pixel when a non-8-bit image is converted to float RGB); samples at most
//! [`MAX_SAMPLES`] as stored and again at 22,050 Hz, 8 bytes each (512 MiB); the file's own bytes
//! at most [`Reader::max_file_bytes`].

use image::ImageFormat;
use spectral::audio::SAMPLE_RATE;
use spectral::conversion::resampled_len;

/// Who reads a file: the name its messages use, the image formats it decodes, and its limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reader {
    /// What messages call the reader ("a format spectra cannot read").
    pub name: &'static str,
    /// The image formats it decodes; any other is refused by name.
    pub image_formats: &'static [ImageFormat],
    /// The largest file read whole into memory, in bytes.
    pub max_file_bytes: u64,
    /// The largest image, in pixels ([`MAX_PIXELS`] for both readers).
    pub max_pixels: u64,
    /// The most samples of a recording ([`MAX_SAMPLES`] for both readers).
    pub max_samples: u64,
}

/// The kit: the figure listings and `spectra`, on a reader's machine. Files up to 1 GiB (an
/// uncompressed 100-megapixel TIFF is 300 MB).
pub const COMMAND_LINE: Reader = Reader {
    name: "spectra",
    image_formats: &[
        ImageFormat::Jpeg,
        ImageFormat::Png,
        ImageFormat::Gif,
        ImageFormat::WebP,
        ImageFormat::Bmp,
        ImageFormat::Tiff,
    ],
    max_file_bytes: 1 << 30,
    max_pixels: MAX_PIXELS,
    max_samples: MAX_SAMPLES,
};

/// The live figures in the book's pages: JPEG and PNG photos, WAV recordings, files up to 50 MB
/// (the bytes arrive in the page's memory, and are copied once more into the module's).
pub const PAGE: Reader = Reader {
    name: "the page",
    image_formats: &[ImageFormat::Jpeg, ImageFormat::Png],
    max_file_bytes: 50 << 20,
    max_pixels: MAX_PIXELS,
    max_samples: MAX_SAMPLES,
};

/// Largest image, in pixels (width × height): 100 megapixels, more than almost any camera's
/// photo. A header claiming more is refused before decoding (a damaged file or a "decompression
/// bomb", a small file that decodes to gigabytes).
pub const MAX_PIXELS: u64 = 100_000_000;

/// Smallest side accepted, in pixels (before any resizing): below it a spectrum has fewer than
/// eight frequencies, too few to say anything about, and the file is more likely an icon.
pub const MIN_SIDE: u32 = 16;

/// The most samples a recording may hold, all channels together, and again after its conversion
/// to 22,050 Hz mono: 2^26, about 12.7 minutes of CD-quality stereo, 512 MiB as `f64`. The book
/// measures 2 s excerpts; a longer file is more likely a whole album than a recording to measure.
pub const MAX_SAMPLES: u64 = 1 << 26;

/// The lowest sample rate accepted: half the telephone rate. Below it a recording holds almost
/// nothing of what the book measures (the mel bands reach 11 kHz), and a header claiming 1 Hz is
/// far more likely damaged than real.
pub const MIN_SAMPLE_RATE: u32 = 4_000;

/// The highest sample rate accepted: the fastest rate audio interfaces record at. It also bounds
/// the resampler's work per sample (its filter grows with the ratio of the rates).
pub const MAX_SAMPLE_RATE: u32 = 768_000;

/// The most channels accepted: more than any recording setup the book's readers use (third-order
/// ambisonics has 16).
pub const MAX_CHANNELS: usize = 64;

impl Reader {
    /// Refuses a file of `bytes` bytes if it is empty or larger than this reader takes in.
    pub fn check_file_size(&self, bytes: u64) -> Result<(), String> {
        match bytes {
            0 => Err("empty file (0 bytes)".into()),
            n if n > self.max_file_bytes => Err(format!(
                "file too large ({} MiB; {} reads files up to {} MiB)",
                n >> 20,
                self.name,
                self.max_file_bytes >> 20
            )),
            _ => Ok(()),
        }
    }

    /// "JPEG, PNG": the image formats this reader decodes, as readers know them.
    pub fn readable_images(&self) -> String {
        let names: Vec<&str> = self.image_formats.iter().map(|f| format_name(*f)).collect();
        names.join(", ")
    }
}

/// A short English name of an image format, as readers know it.
pub fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::Gif => "GIF",
        ImageFormat::WebP => "WebP",
        ImageFormat::Bmp => "BMP",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Avif => "AVIF",
        _ => format
            .extensions_str()
            .first()
            .copied()
            .unwrap_or("unknown"),
    }
}

impl Reader {
    /// The image decoder's memory limit: the largest accepted image at 8 bytes a pixel (16-bit
    /// RGBA), plus room for the decoder's own buffers.
    pub fn decoder_alloc(&self) -> u64 {
        self.max_pixels.saturating_mul(8).saturating_add(64 << 20)
    }

    /// Refuses an image whose header claims more than `max_pixels`, or a side under
    /// [`MIN_SIDE`].
    pub fn check_image_size(&self, w: u32, h: u32) -> Result<(), String> {
        let pixels = u64::from(w) * u64::from(h);
        if pixels > self.max_pixels {
            return Err(format!(
                "the header claims {w}×{h} pixels ({:.0} megapixels), more than the limit of {} \
                 megapixels: refused before decoding (a damaged file or a decompression bomb)",
                pixels as f64 / 1e6,
                self.max_pixels / 1_000_000
            ));
        }
        if w < MIN_SIDE || h < MIN_SIDE {
            return Err(format!(
                "only {w}×{h} pixels: at least {MIN_SIDE} on each side are needed"
            ));
        }
        Ok(())
    }

    /// Refuses a recording whose header (or decoder) gives a sample rate outside
    /// [[`MIN_SAMPLE_RATE`], [`MAX_SAMPLE_RATE`]], no channels or more than [`MAX_CHANNELS`], or
    /// more than `max_samples` samples (`samples` counts all channels together), as stored or
    /// once converted to 22,050 Hz mono.
    pub fn check_recording(
        &self,
        sample_rate: u32,
        channels: usize,
        samples: u64,
    ) -> Result<(), String> {
        if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&sample_rate) {
            return Err(format!(
                "a sample rate of {sample_rate} Hz, outside the {MIN_SAMPLE_RATE} to \
                 {MAX_SAMPLE_RATE} Hz that recordings use (a damaged header?)"
            ));
        }
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(format!(
                "{channels} channels: recordings with 1 to {MAX_CHANNELS} channels are read \
                 (a damaged header?)"
            ));
        }
        let frames = samples / channels as u64;
        let converted = resampled_len(frames, sample_rate, SAMPLE_RATE);
        if samples > self.max_samples || converted > self.max_samples {
            return Err(format!(
                "too long: {:.1} min of {channels}-channel audio at {sample_rate} Hz, more than \
                 the {} samples a recording may hold (all channels together, and again at \
                 {SAMPLE_RATE} Hz); cut a shorter excerpt first",
                frames as f64 / f64::from(sample_rate) / 60.0,
                self.max_samples
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_rates_outside_the_range_are_refused_and_the_ends_are_taken() {
        for rate in [MIN_SAMPLE_RATE, 8_000, 44_100, MAX_SAMPLE_RATE] {
            assert_eq!(
                COMMAND_LINE.check_recording(rate, 2, 100_000),
                Ok(()),
                "{rate} Hz"
            );
        }
        for rate in [0, 1, MIN_SAMPLE_RATE - 1, MAX_SAMPLE_RATE + 1, u32::MAX] {
            let e = COMMAND_LINE.check_recording(rate, 1, 100_000).unwrap_err();
            assert!(
                e.starts_with(&format!(
                    "a sample rate of {rate} Hz, outside the 4000 to 768000"
                )),
                "{e}"
            );
        }
    }

    #[test]
    fn lengths_are_bounded_as_stored_and_once_converted() {
        // 2^26 stereo samples at 44.1 kHz: 2^25 frames, 2^24 at 22,050 Hz. Just in.
        assert_eq!(COMMAND_LINE.check_recording(44_100, 2, MAX_SAMPLES), Ok(()));
        let e = COMMAND_LINE
            .check_recording(44_100, 2, MAX_SAMPLES + 2)
            .unwrap_err();
        assert!(
            e.starts_with("too long: 12.7 min of 2-channel audio at 44100 Hz"),
            "{e}"
        );
        // Mono at 8 kHz: 2^26 samples stored become 2.76 · 2^26 at 22,050 Hz, which is the
        // allocation the limit protects. The most that converts to at most 2^26:
        let most = MAX_SAMPLES * 8_000 / 22_050;
        assert_eq!(COMMAND_LINE.check_recording(8_000, 1, most), Ok(()));
        assert!(
            COMMAND_LINE
                .check_recording(8_000, 1, most + 1)
                .unwrap_err()
                .starts_with("too long")
        );
        // Overflow-proof: a header's largest claims are refused, not wrapped around.
        assert!(
            COMMAND_LINE
                .check_recording(MIN_SAMPLE_RATE, 1, u64::MAX)
                .is_err()
        );
    }

    #[test]
    fn channel_counts_are_bounded() {
        assert_eq!(
            COMMAND_LINE.check_recording(22_050, MAX_CHANNELS, 64_000),
            Ok(())
        );
        for channels in [0, MAX_CHANNELS + 1, 65_535] {
            let e = COMMAND_LINE
                .check_recording(22_050, channels, 64_000)
                .unwrap_err();
            assert!(e.starts_with(&format!("{channels} channels")), "{e}");
        }
    }

    #[test]
    fn images_are_bounded_by_pixels_and_sides() {
        assert_eq!(COMMAND_LINE.check_image_size(10_000, 10_000), Ok(()));
        assert_eq!(COMMAND_LINE.check_image_size(16, 16), Ok(()));
        // A long thin image is fine: only the crop's pixels are resized.
        assert_eq!(COMMAND_LINE.check_image_size(12_000, 40), Ok(()));
        let e = COMMAND_LINE.check_image_size(10_001, 10_000).unwrap_err();
        assert!(e.contains("10001×10000 pixels (100 megapixels)"), "{e}");
        let e = COMMAND_LINE
            .check_image_size(u32::MAX, u32::MAX)
            .unwrap_err();
        assert!(e.contains("more than the limit of 100 megapixels"), "{e}");
        let e = COMMAND_LINE.check_image_size(15, 400).unwrap_err();
        assert_eq!(e, "only 15×400 pixels: at least 16 on each side are needed");
    }

    #[test]
    fn file_sizes_are_bounded_per_reader() {
        assert_eq!(PAGE.check_file_size(50 << 20), Ok(()));
        let e = PAGE.check_file_size((50 << 20) + 1).unwrap_err();
        assert_eq!(
            e,
            "file too large (50 MiB; the page reads files up to 50 MiB)"
        );
        assert_eq!(COMMAND_LINE.check_file_size(50 << 20), Ok(()));
        assert_eq!(
            COMMAND_LINE.check_file_size(0).unwrap_err(),
            "empty file (0 bytes)"
        );
        assert_eq!(PAGE.readable_images(), "JPEG, PNG");
    }
}

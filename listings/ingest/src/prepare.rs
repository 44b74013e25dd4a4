//! Decoded pixels to the book's format, the way Imagenette-320 was prepared: resize so the short
//! side is 320 px, centre-crop to 320 × 320, scale to [−1, 1], one channel at a time.
//!
//! The resizing is the core's [`spectral::resample`] (bit-identical to `image`'s Lanczos-3); what
//! is here picks the pixels it reads. 8-bit RGB (by far the usual case) is read straight from the
//! decoder's buffer, converting only the pixels the crop needs; anything else (grey, alpha,
//! 16-bit, CMYK…) goes through `image`'s conversion to float RGB first. The kit and the page both
//! prepare photos with [`Pixels`], so an embedded photo has the same numbers in both.

use std::ops::Range;

use image::{DynamicImage, Rgb32FImage, RgbImage};
use spectral::Field;
use spectral::resample::{append_unit_channel, square_crop};

/// Side of the square images every chapter works with, as in Imagenette-320.
pub const BOOK_SIZE: u32 = 320;

/// One colour channel of a photo, or its luma.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Red,
    Green,
    Blue,
    /// ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B (what Pillow's "L" mode computes).
    Gray,
}

impl Channel {
    /// Every channel, in the order of [`Channel::NAMES`].
    pub const ALL: [Channel; 4] = [Channel::Red, Channel::Green, Channel::Blue, Channel::Gray];
    /// The names command lines and captions use.
    pub const NAMES: [&'static str; 4] = ["red", "green", "blue", "gray"];

    pub fn name(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|c| *c == self).unwrap_or(0)]
    }
}

impl std::str::FromStr for Channel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
            .ok_or_else(|| format!("unknown channel `{s}` (one of {})", Self::NAMES.join(", ")))
    }
}

/// How to bring a photo to the book's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preprocess {
    /// Resize so the short side is `n` pixels (Lanczos-3), then centre-crop to `n × n`.
    SquareCrop(u32),
    /// Use the pixels as they are (still scaled to [−1, 1]).
    AsIs,
}

impl Default for Preprocess {
    fn default() -> Self {
        Preprocess::SquareCrop(BOOK_SIZE)
    }
}

/// A decoded image as three interleaved channels, ready to be prepared.
pub enum Pixels {
    Rgb8(RgbImage),
    Rgb32F(Rgb32FImage),
}

impl Pixels {
    pub fn new(img: DynamicImage) -> Pixels {
        match img {
            DynamicImage::ImageRgb8(rgb) => Pixels::Rgb8(rgb),
            other => Pixels::Rgb32F(other.to_rgb32f()),
        }
    }

    /// (width, height).
    pub fn size(&self) -> (usize, usize) {
        let (w, h) = match self {
            Pixels::Rgb8(i) => i.dimensions(),
            Pixels::Rgb32F(i) => i.dimensions(),
        };
        (w as usize, h as usize)
    }

    /// Width and height after preparation.
    pub fn prepared_size(&self, preprocess: Preprocess) -> (usize, usize) {
        match preprocess {
            Preprocess::AsIs => self.size(),
            Preprocess::SquareCrop(n) => (n as usize, n as usize),
        }
    }

    /// Channel `c` of the rectangle (rows, cols), in [0, 1], row-major. 8-bit values become
    /// `v as f32 / 255`, exactly what `to_rgb32f` computes.
    fn read(&self, c: usize, rows: Range<usize>, cols: Range<usize>) -> Vec<f32> {
        let w = self.size().0;
        let mut out = Vec::with_capacity(rows.len() * cols.len());
        for y in rows {
            let at = (y * w + cols.start) * 3..(y * w + cols.end) * 3;
            match self {
                Pixels::Rgb8(i) => append_unit_channel(&i.as_raw()[at], c, &mut out),
                Pixels::Rgb32F(i) => out.extend(i.as_raw()[at].chunks_exact(3).map(|p| p[c])),
            }
        }
        out
    }

    /// Channel `c` (0 red, 1 green, 2 blue) prepared, in [0, 1], row-major.
    pub fn plane(&self, preprocess: Preprocess, c: usize) -> Vec<f32> {
        let (w, h) = self.size();
        match preprocess {
            Preprocess::AsIs => self.read(c, 0..h, 0..w),
            Preprocess::SquareCrop(n) => {
                square_crop(w, h, n as usize, |rows, cols| self.read(c, rows, cols))
            }
        }
    }

    /// Channel `c` (0 red, 1 green, 2 blue) prepared and scaled to [−1, 1].
    pub fn field(&self, preprocess: Preprocess, c: usize) -> Field {
        let values = self
            .plane(preprocess, c)
            .into_iter()
            .map(|v| 2.0 * f64::from(v) - 1.0)
            .collect();
        let (w, h) = self.prepared_size(preprocess);
        Field::from_shape_vec((h, w), values).expect("one value per pixel")
    }

    /// One channel prepared, in [−1, 1]; luma is mixed from the three prepared colour fields.
    pub fn channel(&self, preprocess: Preprocess, channel: Channel) -> Field {
        match channel {
            Channel::Red => self.field(preprocess, 0),
            Channel::Green => self.field(preprocess, 1),
            Channel::Blue => self.field(preprocess, 2),
            // The operations of `bookkit::data::Photo::channel`, in its order: identical numbers.
            Channel::Gray => {
                0.299 * &self.field(preprocess, 0)
                    + 0.587 * &self.field(preprocess, 1)
                    + 0.114 * &self.field(preprocess, 2)
            }
        }
    }
}

/// Resize-and-crop to the book's square format (or not), as float RGB in [0, 1].
pub fn prepare(img: DynamicImage, preprocess: Preprocess) -> Rgb32FImage {
    let pixels = Pixels::new(img);
    let (w, h) = pixels.prepared_size(preprocess);
    let planes = [0, 1, 2].map(|c| pixels.plane(preprocess, c));
    let mut rgb = Rgb32FImage::new(w as u32, h as u32);
    for (k, p) in rgb.pixels_mut().enumerate() {
        p.0 = [planes[0][k], planes[1][k], planes[2][k]];
    }
    rgb
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn square_crop_resizes_the_short_side_and_centres() {
        // 640 × 400 with a bright vertical stripe at the centre: after resizing to short side 320
        // (512 × 320) and cropping 96 px off each side, the stripe is still centred.
        let img = RgbImage::from_fn(640, 400, |x, _| {
            if (310..330).contains(&x) {
                Rgb([255; 3])
            } else {
                Rgb([0; 3])
            }
        });
        let out = prepare(DynamicImage::ImageRgb8(img), Preprocess::SquareCrop(320));
        assert_eq!(out.dimensions(), (320, 320));
        assert!(out.get_pixel(160, 100)[0] > 0.9 && out.get_pixel(20, 100)[0] < 0.01);
    }

    #[test]
    fn channels_are_named_and_parsed_both_ways() {
        for c in Channel::ALL {
            assert_eq!(c.name().parse::<Channel>(), Ok(c));
        }
        assert!(
            "purple"
                .parse::<Channel>()
                .unwrap_err()
                .contains("red, green, blue, gray")
        );
    }

    #[test]
    fn the_8_bit_fast_path_and_the_float_path_agree() {
        let rgb = RgbImage::from_fn(50, 37, |x, y| Rgb([(x * 5) as u8, (y * 7) as u8, 200]));
        let fast = Pixels::new(DynamicImage::ImageRgb8(rgb.clone()));
        let slow = Pixels::Rgb32F(DynamicImage::ImageRgb8(rgb).to_rgb32f());
        for preprocess in [Preprocess::AsIs, Preprocess::SquareCrop(24)] {
            for c in Channel::ALL {
                assert_eq!(fast.channel(preprocess, c), slow.channel(preprocess, c));
            }
        }
    }
}

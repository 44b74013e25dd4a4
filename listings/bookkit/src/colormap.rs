//! Colormaps for spectra shown as images: matplotlib's viridis (magnitude), magma
//! (spectrograms) and RdBu (phase), rebuilt by linear interpolation between anchor colours
//! sampled evenly along each map.

use image::Rgb;

/// A colormap as evenly spaced anchor colours, interpolated linearly in RGB.
#[derive(Clone, Copy, Debug)]
pub struct Colormap(&'static [[u8; 3]]);

pub const VIRIDIS: Colormap = Colormap(&[
    [0x44, 0x01, 0x54],
    [0x48, 0x28, 0x78],
    [0x3e, 0x49, 0x89],
    [0x31, 0x68, 0x8e],
    [0x26, 0x82, 0x8e],
    [0x1f, 0x9e, 0x89],
    [0x35, 0xb7, 0x79],
    [0x6e, 0xce, 0x58],
    [0xb5, 0xde, 0x2b],
    [0xfd, 0xe7, 0x25],
]);

pub const MAGMA: Colormap = Colormap(&[
    [0x00, 0x00, 0x04],
    [0x18, 0x0f, 0x3d],
    [0x44, 0x0f, 0x76],
    [0x72, 0x1f, 0x81],
    [0x9e, 0x2f, 0x7f],
    [0xcd, 0x40, 0x71],
    [0xf1, 0x60, 0x5d],
    [0xfd, 0x96, 0x68],
    [0xfe, 0xca, 0x8d],
    [0xfc, 0xfd, 0xbf],
]);

/// Diverging red–white–blue: red at the low end, blue at the high end.
pub const RDBU: Colormap = Colormap(&[
    [0x67, 0x00, 0x1f],
    [0xb2, 0x18, 0x2b],
    [0xd6, 0x60, 0x4d],
    [0xf4, 0xa5, 0x82],
    [0xfd, 0xdb, 0xc7],
    [0xf7, 0xf7, 0xf7],
    [0xd1, 0xe5, 0xf0],
    [0x92, 0xc5, 0xde],
    [0x43, 0x93, 0xc3],
    [0x21, 0x66, 0xac],
    [0x05, 0x30, 0x61],
]);

impl Colormap {
    /// Colour at `t` ∈ [0, 1] (clamped).
    pub fn at(&self, t: f64) -> Rgb<u8> {
        let anchors = self.0;
        let x = t.clamp(0.0, 1.0) * (anchors.len() - 1) as f64;
        let i = (x.floor() as usize).min(anchors.len() - 2);
        let w = x - i as f64;
        let mix = |c: usize| {
            (f64::from(anchors[i][c]) * (1.0 - w) + f64::from(anchors[i + 1][c]) * w).round() as u8
        };
        Rgb([mix(0), mix(1), mix(2)])
    }

    /// Maps every value of a field linearly from `[lo, hi]` onto the colormap, as an image with
    /// row 0 at the top (matplotlib's `imshow` default).
    pub fn paint(&self, field: &spectral::Field, lo: f64, hi: f64) -> image::RgbImage {
        let (rows, cols) = field.dim();
        image::RgbImage::from_fn(cols as u32, rows as u32, |x, y| {
            self.at((field[[y as usize, x as usize]] - lo) / (hi - lo))
        })
    }
}

/// Smallest and largest finite value of a field.
pub fn finite_range(field: &spectral::Field) -> (f64, f64) {
    field
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_and_middle() {
        assert_eq!(VIRIDIS.at(0.0), Rgb([0x44, 0x01, 0x54]));
        assert_eq!(VIRIDIS.at(1.0), Rgb([0xfd, 0xe7, 0x25]));
        assert_eq!(RDBU.at(0.5), Rgb([0xf7, 0xf7, 0xf7]));
        assert_eq!(MAGMA.at(-3.0), MAGMA.at(0.0));
    }
}

//! Showing a field as a picture: values in [−1, 1] (the book's pixel scale) as grey levels,
//! −1 black and 1 white, anything outside clipped (noisy photos and estimates leave the range).
//!
//! One mapping for every picture of a field: the static figures (`bookkit::data::Photo::to_rgb8`,
//! X4, X5) and the page's widgets, so a grey level means the same value everywhere.

/// The 8-bit grey level of a value: [−1, 1] → 0 … 255, rounded, clipped outside.
pub fn level(v: f64) -> u8 {
    posterised(v, 256)
}

/// The grey level of a value when only `levels` evenly spaced greys are drawn (a posterised
/// picture, whose flat areas show where a field is smooth): [−1, 1] → level 0 … `levels − 1`,
/// then that level's 8-bit grey. With 256 levels this is [`level`].
pub fn posterised(v: f64, levels: u32) -> u8 {
    assert!((2..=256).contains(&levels), "between 2 and 256 grey levels");
    let top = f64::from(levels - 1);
    let step = (v.clamp(-1.0, 1.0) + 1.0) / 2.0 * top;
    (step.round() * (255.0 / top)).round() as u8
}

/// A field as opaque grey RGBA pixels, row by row (what a canvas takes).
pub fn rgba(field: &crate::Field) -> Vec<u8> {
    field
        .iter()
        .flat_map(|v| {
            let g = level(*v);
            [g, g, g, 255]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ends_and_the_middle_and_clipping() {
        assert_eq!(level(-1.0), 0);
        assert_eq!(level(1.0), 255);
        assert_eq!(level(0.0), 128); // 127.5 rounds away from zero
        assert_eq!(level(-7.0), 0);
        assert_eq!(level(3.0), 255);
        assert_eq!(level(f64::NAN), 0); // NaN clamps to NaN, and NaN as u8 is 0
        assert_eq!(
            rgba(&crate::Field::from_shape_vec((1, 3), vec![-2.0, 0.0, 1.0]).unwrap()),
            vec![0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]
        );
    }

    /// The formulas the figures used before sharing this one, `(v + 1) · 127.5` and
    /// `(v + 1) · 0.5 · 255`: the same real number rounded once (halving is exact), so the same
    /// level for every value. Checked on every 8-bit level and the values between them.
    #[test]
    fn every_earlier_formula_gives_the_same_levels() {
        for k in -300..=300 {
            let v = f64::from(k) / 256.0;
            let c = v.clamp(-1.0, 1.0);
            assert_eq!(level(v), ((c + 1.0) * 127.5).round() as u8, "{v}");
            assert_eq!(level(v), (((c + 1.0) * 0.5) * 255.0).round() as u8, "{v}");
        }
    }

    #[test]
    fn posterised_levels_are_evenly_spaced_greys() {
        let greys: Vec<u8> = (0..=8)
            .map(|k| posterised(f64::from(k) / 4.0 - 1.0, 5))
            .collect();
        // Five levels: 0, 64, 128, 191, 255 (255 · k / 4 rounded), halfway values rounding up.
        assert_eq!(greys, [0, 64, 64, 128, 128, 191, 191, 255, 255]);
    }
}

//! The drawing vocabulary every figure is described in: rectangles, strokes and text styles in
//! CSS pixels, and the [`Painter`] that turns them into SVG ([`crate::svg`]) or pixels
//! ([`crate::raster`]).

/// A colour, 8 bits per channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RGBColor(pub u8, pub u8, pub u8);

/// A rectangle in CSS pixels: top-left corner, width, height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x <= self.right() && y >= self.y && y <= self.bottom()
    }
    /// The rectangle grown by `d` on every side (shrunk for a negative `d`).
    pub fn grown(&self, d: f64) -> Rect {
        Rect::new(self.x - d, self.y - d, self.w + 2.0 * d, self.h + 2.0 * d)
    }
}

/// Horizontal anchor of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HAlign {
    Left,
    Center,
    Right,
}

/// Vertical anchor of a text: its top, its middle, or its baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VAlign {
    Top,
    Middle,
    Baseline,
}

/// How a text is set. Its string may hold sub- and superscripts (`f_{max}`, `f^{−α}`, see
/// [`crate::text::runs`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextStyle {
    pub size: f64,
    pub color: RGBColor,
    pub h: HAlign,
    pub v: VAlign,
    /// Turned a quarter turn counter-clockwise (reads bottom to top), anchored as if unturned.
    pub vertical: bool,
    pub family: &'static str,
}

impl TextStyle {
    /// Black sans-serif text of `size` CSS px, anchored at its top-left corner.
    pub fn new(size: f64) -> TextStyle {
        TextStyle {
            size,
            color: RGBColor(0, 0, 0),
            h: HAlign::Left,
            v: VAlign::Top,
            vertical: false,
            family: crate::text::FONT,
        }
    }
    pub fn color(mut self, color: RGBColor) -> TextStyle {
        self.color = color;
        self
    }
    pub fn anchor(mut self, h: HAlign, v: VAlign) -> TextStyle {
        self.h = h;
        self.v = v;
        self
    }
    pub fn vertical(mut self) -> TextStyle {
        self.vertical = true;
        self
    }
    pub fn family(mut self, family: &'static str) -> TextStyle {
        self.family = family;
        self
    }
}

/// How a line is stroked.
#[derive(Clone, Debug, PartialEq)]
pub struct Stroke {
    pub color: RGBColor,
    /// Width in CSS px.
    pub width: f64,
    /// Dash pattern (on, off, on, off, …) in CSS px; empty for a solid line.
    pub dash: Vec<f64>,
    pub opacity: f64,
}

impl Stroke {
    pub fn solid(color: RGBColor, width: f64) -> Stroke {
        Stroke {
            color,
            width,
            dash: Vec::new(),
            opacity: 1.0,
        }
    }
    pub fn dashed(mut self, pattern: &[f64]) -> Stroke {
        self.dash = pattern.to_vec();
        self
    }
    pub fn opacity(mut self, opacity: f64) -> Stroke {
        self.opacity = opacity;
        self
    }
}

/// What a figure can be drawn with. Coordinates are CSS px; each painter scales them itself.
pub trait Painter {
    /// A polyline, clipped to `clip` if given.
    fn polyline(&mut self, points: &[(f64, f64)], stroke: &Stroke, clip: Option<Rect>);
    /// A filled disc (a data marker), clipped to `clip` if given.
    fn disc(&mut self, centre: (f64, f64), radius: f64, color: RGBColor, clip: Option<Rect>);
    /// A filled rectangle.
    fn fill_rect(&mut self, rect: Rect, color: RGBColor, opacity: f64);
    /// The region between two curves sharing increasing x values (`(x, low, high)` triples),
    /// clipped to `clip`.
    fn band(&mut self, points: &[(f64, f64, f64)], color: RGBColor, opacity: f64, clip: Rect);
    fn text(&mut self, text: &str, at: (f64, f64), style: &TextStyle);
    /// A picture stretched over `rect`; `pixelated` keeps its pixels square (spectra maps).
    fn image(&mut self, picture: &image::RgbImage, rect: Rect, pixelated: bool);
}

/// The outline of a rectangle as a closed polyline.
pub fn rect_outline(r: Rect) -> Vec<(f64, f64)> {
    vec![
        (r.x, r.y),
        (r.right(), r.y),
        (r.right(), r.bottom()),
        (r.x, r.bottom()),
        (r.x, r.y),
    ]
}

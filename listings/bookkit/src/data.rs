//! Loading the book's photos: any folder of JPEG or PNG files, prepared the way Imagenette-320
//! was: resize so the short side is 320 px, centre-crop to 320 × 320, scale pixels to [−1, 1].
//!
//! The [−1, 1] scaling is what image diffusion models use, and it sets the absolute level of every
//! spectrum in the book (the noise curves are compared with it).
//!
//! Readers' own files come from anywhere, so reading is defensive ([`decode`]): every file that
//! cannot be used is refused with a [`BadFile`], one line naming the file and the problem, and
//! never a panic. Folders are walked by [`walk`].

mod decode;
mod walk;

pub use decode::{
    BadFile, MAX_ALLOC, MAX_FILE_BYTES, MAX_PIXELS, MIN_SIDE, io_problem, read_image,
};
pub use walk::{IMAGE_EXTENSIONS, has_extension, walk_files, walk_images};

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use image::imageops::{self, FilterType};
use image::{DynamicImage, Rgb32FImage, RgbImage};
use rayon::prelude::*;
use spectral::Field;

/// Side of the square images every chapter works with, as in Imagenette-320.
pub const BOOK_SIZE: u32 = 320;

/// One colour channel of a photo, or its luma.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Channel {
    Red,
    Green,
    Blue,
    /// ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B (what Pillow's "L" mode computes).
    Gray,
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

/// A photo in the book's format: three channels in [−1, 1], rows × columns.
#[derive(Clone, Debug)]
pub struct Photo {
    /// File name without folders, for captions and logs.
    pub name: String,
    pub red: Field,
    pub green: Field,
    pub blue: Field,
}

impl Photo {
    /// Builds a photo from an RGB float image with values in [0, 1].
    pub fn from_rgb32f(name: &str, img: &Rgb32FImage) -> Photo {
        let (w, h) = img.dimensions();
        let plane = |c: usize| {
            Field::from_shape_fn((h as usize, w as usize), |(i, j)| {
                2.0 * f64::from(img.get_pixel(j as u32, i as u32)[c]) - 1.0
            })
        };
        Photo {
            name: name.to_string(),
            red: plane(0),
            green: plane(1),
            blue: plane(2),
        }
    }

    /// One channel as a field in [−1, 1].
    pub fn channel(&self, channel: Channel) -> Field {
        match channel {
            Channel::Red => self.red.clone(),
            Channel::Green => self.green.clone(),
            Channel::Blue => self.blue.clone(),
            Channel::Gray => 0.299 * &self.red + 0.587 * &self.green + 0.114 * &self.blue,
        }
    }

    /// (rows, columns).
    pub fn dim(&self) -> (usize, usize) {
        self.green.dim()
    }

    /// Back to 8-bit RGB for display, clipping to [−1, 1] (noisy photos leave that range).
    pub fn to_rgb8(&self) -> RgbImage {
        let (rows, cols) = self.dim();
        let to_u8 = |v: f64| (((v.clamp(-1.0, 1.0) + 1.0) * 0.5) * 255.0).round() as u8;
        RgbImage::from_fn(cols as u32, rows as u32, |x, y| {
            let (i, j) = (y as usize, x as usize);
            image::Rgb([
                to_u8(self.red[[i, j]]),
                to_u8(self.green[[i, j]]),
                to_u8(self.blue[[i, j]]),
            ])
        })
    }

    /// The same photo with `f(channel)` applied to every channel (e.g. adding noise).
    pub fn map_channels(&self, mut f: impl FnMut(&Field) -> Field) -> Photo {
        Photo {
            name: self.name.clone(),
            red: f(&self.red),
            green: f(&self.green),
            blue: f(&self.blue),
        }
    }
}

/// Loads one image file and prepares it.
pub fn load_photo(path: &Path, preprocess: Preprocess) -> Result<Photo> {
    Ok(try_load_photo(path, preprocess)?)
}

/// Loads one image file and prepares it, or says in one line why the file cannot be used.
pub fn try_load_photo(path: &Path, preprocess: Preprocess) -> Result<Photo, BadFile> {
    let img = read_image(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Photo::from_rgb32f(&name, &prepare(img, preprocess)))
}

/// One channel of one image file, prepared: exactly `try_load_photo(path, preprocess)?
/// .channel(channel)`, without building the two planes that are not wanted (a third of the
/// conversion work, which matters when a reader measures thousands of photos).
pub fn load_channel(
    path: &Path,
    preprocess: Preprocess,
    channel: Channel,
) -> Result<Field, BadFile> {
    let rgb = prepare(read_image(path)?, preprocess);
    let (w, h) = rgb.dimensions();
    let scaled = |v: f32| 2.0 * f64::from(v) - 1.0;
    let values: Vec<f64> = rgb
        .pixels()
        .map(|p| {
            let [r, g, b] = p.0.map(scaled);
            match channel {
                Channel::Red => r,
                Channel::Green => g,
                Channel::Blue => b,
                // The same operations in the same order as `Photo::channel`: identical numbers.
                Channel::Gray => 0.299 * r + 0.587 * g + 0.114 * b,
            }
        })
        .collect();
    Ok(Field::from_shape_vec((h as usize, w as usize), values).expect("one value per pixel"))
}

/// Resize-and-crop to the book's square format (or not), as float RGB in [0, 1].
pub fn prepare(img: DynamicImage, preprocess: Preprocess) -> Rgb32FImage {
    let rgb = img.to_rgb32f();
    match preprocess {
        Preprocess::AsIs => rgb,
        Preprocess::SquareCrop(n) => {
            let (w, h) = rgb.dimensions();
            let scale = f64::from(n) / f64::from(w.min(h));
            let (nw, nh) = (
                (f64::from(w) * scale).round() as u32,
                (f64::from(h) * scale).round() as u32,
            );
            let (nw, nh) = (nw.max(n), nh.max(n));
            let resized = if (nw, nh) == (w, h) {
                rgb
            } else {
                imageops::resize(&rgb, nw, nh, FilterType::Lanczos3)
            };
            imageops::crop_imm(&resized, (nw - n) / 2, (nh - n) / 2, n, n).to_image()
        }
    }
}

/// Every image file under the given files and folders (folders walked recursively), sorted by
/// path so results never depend on directory order. Fails on the first input that cannot be used
/// (missing, unreadable, a folder without images); see [`walk_images`] to go on past them.
pub fn image_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = walk_images(inputs)
        .into_iter()
        .collect::<Result<Vec<_>, BadFile>>()?;
    files.sort();
    if files.is_empty() {
        bail!("no image files found in {}", display_list(inputs));
    }
    Ok(files)
}

fn display_list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads every image under `inputs` in parallel; the result keeps the sorted file order.
pub fn load_photos(inputs: &[PathBuf], preprocess: Preprocess) -> Result<Vec<Photo>> {
    image_files(inputs)?
        .par_iter()
        .map(|p| load_photo(p, preprocess))
        .collect()
}

/// The repository's top folder (where `data/` and `src/` live), as this crate was built from it.
/// A binary copied elsewhere still gets the path (not a panic); it may just not exist any more.
pub fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// `data/images`: the book's embedded photos.
pub fn default_images_dir() -> PathBuf {
    workspace_root().join("data/images")
}

/// All embedded photos in the book's format.
pub fn default_photos() -> Result<Vec<Photo>> {
    load_photos(&[default_images_dir()], Preprocess::default())
}

/// One channel of every photo, e.g. the green planes the book's spectra use.
pub fn channels(photos: &[Photo], channel: Channel) -> Vec<Field> {
    photos.iter().map(|p| p.channel(channel)).collect()
}

/// The four embedded photos the post-style figures F1–F3 show (and F2, F10 pick from).
pub const FEATURED: [&str; 4] = [
    "coffee-cup.jpg",
    "plasma-rowing-boats.jpg",
    "lomiri-wall-clock.jpg",
    "lomiri-bridge-beach.jpg",
];

/// The featured photos, in the order of [`FEATURED`].
pub fn featured_photos() -> Result<Vec<Photo>> {
    let dir = default_images_dir();
    FEATURED
        .iter()
        .map(|name| load_photo(&dir.join(name), Preprocess::default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

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
    fn pixels_are_scaled_to_minus_one_one_and_gray_is_bt601() {
        let img = RgbImage::from_fn(2, 2, |x, _| {
            if x == 0 {
                Rgb([0, 0, 0])
            } else {
                Rgb([255, 255, 255])
            }
        });
        let photo = Photo::from_rgb32f("t", &DynamicImage::ImageRgb8(img).to_rgb32f());
        assert_eq!(photo.green[[0, 0]], -1.0);
        assert_eq!(photo.green[[0, 1]], 1.0);
        let red_only = Photo {
            name: "r".into(),
            red: Field::ones((1, 1)),
            green: -Field::ones((1, 1)),
            blue: -Field::ones((1, 1)),
        };
        let gray = red_only.channel(Channel::Gray)[[0, 0]];
        assert!((gray - (0.299 - 0.587 - 0.114)).abs() < 1e-12);
        assert_eq!(photo.to_rgb8().get_pixel(1, 0), &Rgb([255, 255, 255]));
    }

    #[test]
    fn one_channel_alone_is_that_channel_of_the_whole_photo() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.png");
        let mut s = 7u32;
        RgbImage::from_fn(48, 40, |_, _| {
            s = s.wrapping_mul(1664525).wrapping_add(1013904223);
            Rgb([(s >> 24) as u8, (s >> 16) as u8, (s >> 8) as u8])
        })
        .save(&path)
        .unwrap();
        for preprocess in [Preprocess::AsIs, Preprocess::SquareCrop(32)] {
            let photo = load_photo(&path, preprocess).unwrap();
            for c in [Channel::Red, Channel::Green, Channel::Blue, Channel::Gray] {
                assert_eq!(
                    load_channel(&path, preprocess, c).unwrap(),
                    photo.channel(c)
                );
            }
        }
    }

    #[test]
    fn folders_are_walked_recursively_in_sorted_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for p in ["b.png", "sub/a.JPG", "notes.txt"] {
            std::fs::write(dir.path().join(p), b"x").unwrap();
        }
        let files = image_files(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            vec![PathBuf::from("b.png"), PathBuf::from("sub/a.JPG")]
        );
        let empty = tempfile::tempdir().unwrap();
        let err = image_files(&[empty.path().to_path_buf()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("no image files"), "{err}");
    }
}

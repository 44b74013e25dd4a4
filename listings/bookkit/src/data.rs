//! Loading the book's photos: any folder of JPEG or PNG files, prepared the way Imagenette-320
//! was: resize so the short side is 320 px, centre-crop to 320 × 320, scale pixels to [−1, 1].
//!
//! The [−1, 1] scaling is what image diffusion models use, and it sets the absolute level of every
//! spectrum in the book (the noise curves are compared with it).
//!
//! Readers' own files come from anywhere, so reading is defensive ([`read_image`], which decodes
//! with [`ingest::photo`] under [`ingest::limits`], as the page's live figures do): every file
//! that cannot be used is refused with a [`BadFile`], one line naming the file and the problem,
//! and never a panic. The preparation itself ([`Channel`], [`Preprocess`], the resize and crop)
//! is [`ingest::prepare`]'s. Folders are walked by [`crate::inputs`], the same way as for
//! recordings.

mod decode;
pub mod resample;

pub use decode::{read_bytes, read_image};
pub use ingest::limits::{MAX_PIXELS, MIN_SIDE};
pub use ingest::prepare::{BOOK_SIZE, Channel, Preprocess, prepare};
// The photos' fit lives in the core; the listings have always found it here.
pub use spectral::fit::{BOOTSTRAP_RESAMPLES, PHOTO_BOOTSTRAP_SEED, photo_fit};
// The input layer's names, where the image code has always found them.
pub use crate::inputs::{BadFile, IMAGE_EXTENSIONS, has_extension, io_problem, walk_files};

use std::path::{Path, PathBuf};

use anyhow::Result;
use image::{Rgb32FImage, RgbImage};
use ingest::prepare::Pixels;
use rayon::prelude::*;
use spectral::Field;

use crate::inputs::IMAGES;

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
        let level = spectral::grey::level;
        RgbImage::from_fn(cols as u32, rows as u32, |x, y| {
            let (i, j) = (y as usize, x as usize);
            image::Rgb([
                level(self.red[[i, j]]),
                level(self.green[[i, j]]),
                level(self.blue[[i, j]]),
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
    let img = Pixels::new(read_image(path)?);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Photo {
        name,
        red: img.field(preprocess, 0),
        green: img.field(preprocess, 1),
        blue: img.field(preprocess, 2),
    })
}

/// One channel of one image file, prepared: exactly `try_load_photo(path, preprocess)?
/// .channel(channel)`, without preparing the channels that are not wanted (two thirds of the
/// resizing, which matters when a reader measures thousands of photos).
pub fn load_channel(
    path: &Path,
    preprocess: Preprocess,
    channel: Channel,
) -> Result<Field, BadFile> {
    Ok(Pixels::new(read_image(path)?).channel(preprocess, channel))
}

/// One channel of one image file prepared at each side of `sizes` (`SquareCrop(n)`), decoding
/// the file once: the same fields as `load_channel(path, SquareCrop(n), channel)` for each `n`.
/// `None` when the file's short side is below the largest size: preparing it would upsample, and
/// an upsampled photo has no content at the frequencies it adds.
pub fn load_channel_at_sizes(
    path: &Path,
    sizes: &[u32],
    channel: Channel,
) -> Result<Option<Vec<Field>>, BadFile> {
    let img = Pixels::new(read_image(path)?);
    let (w, h) = img.size();
    let largest = sizes.iter().copied().max().unwrap_or(0) as usize;
    if w.min(h) < largest {
        return Ok(None);
    }
    Ok(Some(
        sizes
            .iter()
            .map(|&n| img.channel(Preprocess::SquareCrop(n), channel))
            .collect(),
    ))
}

/// The green channel of every embedded photo whose short side reaches the largest of `sizes`,
/// prepared at each size: the photos' names, and `fields[i][j]`, photo `j` at `sizes[i]`. The
/// same photos at every size, none upsampled.
pub fn book_greens_at_sizes(sizes: &[u32]) -> Result<(Vec<String>, Vec<Vec<Field>>)> {
    let files = image_files(&[default_images_dir()])?;
    let loaded: Vec<Option<Vec<Field>>> = files
        .par_iter()
        .map(|p| load_channel_at_sizes(p, sizes, Channel::Green))
        .collect::<Result<_, BadFile>>()?;
    let mut names = Vec::new();
    let mut fields: Vec<Vec<Field>> = vec![Vec::new(); sizes.len()];
    for (path, prepared) in files.iter().zip(loaded) {
        let Some(prepared) = prepared else { continue };
        names.push(
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into()),
        );
        for (at_size, field) in fields.iter_mut().zip(prepared) {
            at_size.push(field);
        }
    }
    Ok((names, fields))
}

/// Every image file under the given files and folders (folders walked recursively), sorted by
/// path so results never depend on directory order. Fails on the first input that cannot be used
/// (missing, unreadable, a folder without images); see [`IMAGES`]`.walk` to go on past them.
pub fn image_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    IMAGES.files(inputs)
}

/// Loads every image under `inputs` in parallel; the result keeps the sorted file order.
pub fn load_photos(inputs: &[PathBuf], preprocess: Preprocess) -> Result<Vec<Photo>> {
    image_files(inputs)?
        .par_iter()
        .map(|p| load_photo(p, preprocess))
        .collect()
}

/// Environment variable naming the repository's top folder for a program built elsewhere (a
/// listing run against a moved copy of the repository; the tests use it to put the repository
/// out of reach of an installed `spectra`).
pub const ROOT_VAR: &str = "BOOK_ROOT";

/// The repository's top folder (where `data/` and `src/` live): `$BOOK_ROOT`, else the folder this
/// crate was built in. A binary copied elsewhere still gets the path (not a panic); it may just
/// not exist any more.
pub fn workspace_root() -> PathBuf {
    if let Some(root) = std::env::var_os(ROOT_VAR) {
        return PathBuf::from(root);
    }
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

/// The green channel of every embedded photo, in the book's format: the set every image
/// spectrum of the book averages (the post measured the green channel too).
pub fn book_greens() -> Result<Vec<Field>> {
    Ok(channels(&default_photos()?, Channel::Green))
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
    use image::{DynamicImage, Rgb, RgbImage};

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

    /// The book's preparation as first written, with `image`'s generic resampler on the whole
    /// photo: the reference the fast loader must reproduce bit for bit.
    fn reference_photo(path: &Path) -> Photo {
        let rgb = image::open(path).unwrap().to_rgb32f();
        let (w, h) = rgb.dimensions();
        let ((nw, nh), (left, top)) = resample::geometry(w as usize, h as usize, 320);
        let resized = if (nw, nh) == (w as usize, h as usize) {
            rgb
        } else {
            image::imageops::resize(
                &rgb,
                nw as u32,
                nh as u32,
                image::imageops::FilterType::Lanczos3,
            )
        };
        let cropped = image::imageops::crop_imm(&resized, left as u32, top as u32, 320, 320);
        Photo::from_rgb32f("reference", &cropped.to_image())
    }

    fn assert_same_bits(a: &Field, b: &Field, what: &str) {
        assert_eq!(a.dim(), b.dim(), "{what}");
        if let Some((k, (x, y))) = a
            .iter()
            .zip(b.iter())
            .enumerate()
            .find(|(_, (x, y))| x.to_bits() != y.to_bits())
        {
            panic!("{what}: pixel {k} differs: {x} vs {y}");
        }
    }

    #[test]
    fn every_embedded_photo_loads_exactly_as_image_resize_then_crop() {
        // Landscape, portrait, grey-scale and smaller-than-320 photos are all among them.
        for path in image_files(&[default_images_dir()]).unwrap() {
            let (got, want) = (
                load_photo(&path, Preprocess::default()).unwrap(),
                reference_photo(&path),
            );
            let what = path.display().to_string();
            assert_same_bits(&got.red, &want.red, &what);
            assert_same_bits(&got.green, &want.green, &what);
            assert_same_bits(&got.blue, &want.blue, &what);
            let green = load_channel(&path, Preprocess::default(), Channel::Green).unwrap();
            assert_same_bits(&green, &want.green, &what);
        }
    }

    #[test]
    fn grey_and_sixteen_bit_files_load_exactly_as_image_resize_then_crop() {
        let dir = tempfile::tempdir().unwrap();
        let (grey, deep) = (dir.path().join("grey.png"), dir.path().join("deep.png"));
        image::GrayImage::from_fn(700, 450, |x, y| {
            image::Luma([((x * 3 + y * 7) % 256) as u8])
        })
        .save(&grey)
        .unwrap();
        image::ImageBuffer::<image::Rgb<u16>, Vec<u16>>::from_fn(350, 500, |x, y| {
            image::Rgb([(x * 181) as u16, (y * 131) as u16, ((x * y) % 65536) as u16])
        })
        .save(&deep)
        .unwrap();
        for path in [grey, deep] {
            let want = reference_photo(&path);
            for (c, plane) in [(Channel::Red, &want.red), (Channel::Blue, &want.blue)] {
                let got = load_channel(&path, Preprocess::default(), c).unwrap();
                assert_same_bits(&got, plane, &path.display().to_string());
            }
        }
    }

    #[test]
    fn several_sizes_from_one_decoding_are_the_sizes_loaded_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.png");
        RgbImage::from_fn(90, 64, |x, y| {
            Rgb([
                (x * 3 % 256) as u8,
                ((x * y) % 256) as u8,
                (y * 5 % 256) as u8,
            ])
        })
        .save(&path)
        .unwrap();
        let sizes = [16, 64, 32];
        let got = load_channel_at_sizes(&path, &sizes, Channel::Gray)
            .unwrap()
            .unwrap();
        for (n, field) in sizes.iter().zip(&got) {
            let want = load_channel(&path, Preprocess::SquareCrop(*n), Channel::Gray).unwrap();
            assert_same_bits(field, &want, &format!("size {n}"));
        }
        // A short side of 64 cannot give 65 without upsampling.
        assert!(
            load_channel_at_sizes(&path, &[16, 65], Channel::Green)
                .unwrap()
                .is_none()
        );
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

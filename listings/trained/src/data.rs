//! The photos a network learns from and the photos it is measured on.
//!
//! `data/models/split.toml` names the held-out photos; every other photo in `data/images` is a
//! training photo. Every quality number and figure of the chapter is measured on held-out photos
//! only, and the Gaussian model the network is compared with (and built on) is fitted to the
//! training photos only.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bookkit::data::{Channel, Preprocess, image_files, load_channel};
use rand::RngExt;
use serde::Deserialize;
use spectral::Field;
use spectral::gaussian_model::{GaussianModel, tiles};

/// The folder of the shipped weights, their manifest, training logs and the split.
pub fn models_dir() -> PathBuf {
    bookkit::data::workspace_root().join("data/models")
}

#[derive(Deserialize)]
struct SplitFile {
    held_out: Vec<String>,
}

/// The photos, split.
pub struct Split {
    /// File names (in `data/images`) of the training photos, sorted.
    pub training: Vec<String>,
    /// File names of the held-out photos, sorted.
    pub held_out: Vec<String>,
}

impl Split {
    /// Reads `split.toml` from `models` and lists `images`: fails on a held-out name that is
    /// not a photo there, or one named twice.
    pub fn read(models: &Path, images: &Path) -> Result<Split> {
        let path = models.join("split.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let file: SplitFile = toml::from_str(&text)
            .with_context(|| format!("{}: not a split file", path.display()))?;
        let all: Vec<String> = image_files(&[images.to_path_buf()])?
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let mut held_out = file.held_out;
        held_out.sort();
        for (i, name) in held_out.iter().enumerate() {
            if !all.contains(name) {
                bail!(
                    "{}: {name} is not a photo in {}",
                    path.display(),
                    images.display()
                );
            }
            if i > 0 && held_out[i - 1] == *name {
                bail!("{}: {name} is named twice", path.display());
            }
        }
        let training = all.into_iter().filter(|n| !held_out.contains(n)).collect();
        Ok(Split { training, held_out })
    }

    /// The book's split of its embedded photos.
    pub fn book() -> Result<Split> {
        Split::read(&models_dir(), &bookkit::data::default_images_dir())
    }
}

/// The green channels (the Gaussian model's channel) of the named photos in `images`, in the
/// book's format.
pub fn greens(images: &Path, names: &[String]) -> Result<Vec<Field>> {
    let dir = images;
    names
        .iter()
        .map(|n| {
            load_channel(&dir.join(n), Preprocess::default(), Channel::Green)
                .with_context(|| format!("loading {n}"))
        })
        .collect()
}

/// The Gaussian model of `size` × `size` crops: fitted to every non-overlapping tile of the
/// photos, as in "Running diffusion backwards".
pub fn tile_model(photos: &[Field], size: usize) -> Result<GaussianModel> {
    let all: Vec<Field> = photos.iter().flat_map(|p| tiles(p, size)).collect();
    Ok(GaussianModel::fit(&all)?)
}

/// Every non-overlapping `size` × `size` tile of the held-out photos, `per_photo` of them from
/// each (evenly spaced through its tiles, in reading order): the crops every measurement of the
/// chapter is made on.
pub fn held_out_crops(size: usize, per_photo: usize) -> Result<Vec<Field>> {
    let split = Split::book()?;
    let photos = greens(&bookkit::data::default_images_dir(), &split.held_out)?;
    Ok(photos
        .iter()
        .flat_map(|p| {
            let all = tiles(p, size);
            let step = (all.len() / per_photo.max(1)).max(1);
            all.into_iter().step_by(step).take(per_photo)
        })
        .collect())
}

// ANCHOR: crop
/// A random `size` × `size` crop of a random photo, flipped left to right half of the time.
pub fn random_crop<R: rand::Rng + ?Sized>(photos: &[Field], size: usize, rng: &mut R) -> Field {
    let photo = &photos[rng.random_range(0..photos.len())];
    let (rows, cols) = photo.dim();
    let (i, j) = (
        rng.random_range(0..=rows - size),
        rng.random_range(0..=cols - size),
    );
    let crop = photo.slice(ndarray::s![i..i + size, j..j + size]);
    if rng.random::<bool>() {
        crop.slice(ndarray::s![.., ..;-1]).to_owned()
    } else {
        crop.to_owned()
    }
}
// ANCHOR_END: crop

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_follows_its_stated_rule() {
        // "In file-name order, every fifth photo, starting with the fifth."
        let images = bookkit::data::default_images_dir();
        let mut all: Vec<String> = std::fs::read_dir(&images)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".jpg"))
            .collect();
        all.sort();
        let rule: Vec<String> = all.iter().skip(4).step_by(5).cloned().collect();
        let split = Split::book().unwrap();
        assert_eq!(split.held_out, rule);
        assert_eq!(split.training.len() + split.held_out.len(), all.len());
        assert!(split.training.iter().all(|n| !split.held_out.contains(n)));
    }

    #[test]
    fn a_bad_split_file_is_an_error_naming_the_photo() {
        let dir = tempfile::tempdir().unwrap();
        let images = bookkit::data::default_images_dir();
        std::fs::write(dir.path().join("split.toml"), "held_out = [\"nope.jpg\"]\n").unwrap();
        let e = Split::read(dir.path(), &images).err().unwrap().to_string();
        assert!(e.contains("nope.jpg"), "{e}");
        std::fs::write(
            dir.path().join("split.toml"),
            "held_out = [\"cameraman.jpg\", \"cameraman.jpg\"]\n",
        )
        .unwrap();
        let e = Split::read(dir.path(), &images).err().unwrap().to_string();
        assert!(e.contains("twice"), "{e}");
    }

    #[test]
    fn crops_lie_inside_their_photo_and_flip() {
        let photo = Field::from_shape_fn((10, 12), |(i, j)| (i * 100 + j) as f64);
        let mut rng = spectral::noise::seeded_rng(1);
        let mut flipped = false;
        for _ in 0..50 {
            let c = random_crop(std::slice::from_ref(&photo), 4, &mut rng);
            let (r, col) = ((c[[0, 0]] / 100.0) as usize, c[[0, 0]] as usize % 100);
            // Rows are consecutive; columns run forwards or (flipped) backwards.
            assert_eq!(c[[3, 0]] - c[[0, 0]], 300.0);
            let step = c[[0, 1]] - c[[0, 0]];
            assert!(step == 1.0 || step == -1.0);
            flipped |= step < 0.0;
            assert!(r + 4 <= 10 && col < 12);
        }
        assert!(flipped);
    }
}

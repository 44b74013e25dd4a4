//! A photo's bytes (JPEG or PNG, as the reader dropped them or as embedded in the page) to the
//! book's format: short side 320, centre crop, green channel, values in [−1, 1].
//!
//! Nothing of its own: the bytes are decoded by [`ingest::photo`] and prepared by
//! [`ingest::prepare`], the code `bookkit::data` loads every photo of the book with, under the
//! same [`ingest::limits`]. Only the reader differs ([`ingest::PAGE`]: JPEG and PNG, files up to
//! 50 MB), so a truncated JPEG, an icon or a decompression bomb gets the same sentence in the
//! page as from `spectra`, never a panic.

use ingest::PAGE;
use ingest::prepare::{BOOK_SIZE, Channel, Pixels, Preprocess};
use spectral::Field;

/// The green channel of a JPEG or PNG, prepared as the book prepares photos, or the reason the
/// bytes cannot be used, in a sentence for the reader.
pub fn prepare_green(bytes: &[u8]) -> Result<Field, String> {
    let image = ingest::photo::decode(bytes, None, &PAGE)?;
    Ok(Pixels::new(image).channel(Preprocess::SquareCrop(BOOK_SIZE), Channel::Green))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::data::{default_images_dir, load_channel, read_image};
    use ingest::fixtures::{png, png_claiming};
    use ingest::image::{Rgba, RgbaImage};

    #[test]
    fn embedded_photos_are_prepared_bit_for_bit_as_the_book_prepares_them() {
        for name in bookkit::data::FEATURED {
            let path = default_images_dir().join(name);
            let ours = prepare_green(&std::fs::read(&path).unwrap()).unwrap();
            let book = load_channel(&path, Preprocess::default(), Channel::Green).unwrap();
            assert_eq!(ours.dim(), (320, 320));
            assert!(
                ours.iter()
                    .zip(&book)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{name}: the page's preparation differs from the book's"
            );
        }
    }

    #[test]
    fn a_png_with_alpha_takes_the_conversion_path_and_still_matches() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alpha.png");
        let img = RgbaImage::from_fn(500, 340, |x, y| {
            Rgba([(x % 256) as u8, ((x * y) % 251) as u8, (y % 256) as u8, 200])
        });
        img.save(&path).unwrap();
        let ours = prepare_green(&std::fs::read(&path).unwrap()).unwrap();
        let book = load_channel(&path, Preprocess::default(), Channel::Green).unwrap();
        assert!(
            ours.iter()
                .zip(&book)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }

    /// The page refuses what the book refuses, with the book's words: every bad photo is written
    /// to a file for the kit's loader and handed to the page as bytes.
    #[test]
    fn bad_photos_get_the_kits_sentence_in_the_page() {
        let coffee = std::fs::read(default_images_dir().join("coffee-cup.jpg")).unwrap();
        let cases: [(&str, Vec<u8>, &str); 5] = [
            (
                "notes.txt",
                b"hello, this is not a photo\n".to_vec(),
                "a text file, not an image",
            ),
            (
                "dot.png",
                png(1, 1),
                "only 1×1 pixels: at least 16 on each side",
            ),
            (
                "cut.jpg",
                coffee[..coffee.len() / 3].to_vec(),
                "truncated JPEG: the file ends before its end-of-image marker",
            ),
            (
                "bomb.png",
                png_claiming(100_000, 100_000),
                "the header claims 100000×100000 pixels (10000 megapixels), more than the limit \
                 of 100 megapixels",
            ),
            ("empty.png", vec![], "empty file (0 bytes)"),
        ];
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, words) in cases {
            let page = prepare_green(&bytes).unwrap_err();
            assert!(page.starts_with(words), "{name}: the page says {page}");
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let book = read_image(&path).unwrap_err().problem;
            // The kit also knows the file's name, so it may point out a misleading extension.
            assert!(
                book.starts_with(&page),
                "{name}: the book says {book}, the page {page}"
            );
        }
        // What only the page refuses: formats its decoder is not built with.
        let gif = prepare_green(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap_err();
        assert_eq!(gif, "GIF image, a format the page cannot read (JPEG, PNG)");
    }
}

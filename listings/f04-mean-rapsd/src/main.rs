//! F4: the log-domain mean of the RAPSDs of every embedded photo (green channel), log-log,
//! DC dropped: the "typical" spectrum of a natural image.
//!
//! Chapter: "Image spectra". Run: `cargo run -p f04-mean-rapsd`.
//! Pieces: photos from `bookkit::data`, `log_mean_rapsd` from `spectral::spectrum`, the chart
//! from `bookkit::plot`.

use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::{save_png, save_value};
use bookkit::plot::{Chart, RED, Series, Style};
use spectral::spectrum::log_mean_rapsd;

fn main() -> anyhow::Result<()> {
    // ANCHOR: mean
    let photos = default_photos()?;
    let greens = channels(&photos, Channel::Green);
    let mean = log_mean_rapsd(&greens).without_dc();
    // ANCHOR_END: mean
    save_value("image-count", &photos.len().to_string())?;
    println!("frequency  power");
    for r in [0, 2, 9, 31, 95, 157] {
        println!("{:9.6}  {:.3e}", mean.frequency[r], mean.power[r]);
    }
    let chart = Chart::loglog().with(Series::new(
        &mean.frequency,
        &mean.power,
        RED,
        Style::LineDots,
    ));
    save_png(&chart.render(720, 400)?, "f04-mean-rapsd.png")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::data::{default_images_dir, image_files};
    use bookkit::figure::saved_value;

    #[test]
    fn the_mean_covers_every_embedded_photo_and_falls_like_a_power_law() {
        let files = image_files(&[default_images_dir()]).unwrap();
        let photos = default_photos().unwrap();
        assert_eq!(photos.len(), files.len());
        if let Some(shown) = saved_value("image-count") {
            assert_eq!(shown, files.len().to_string());
        }
        let mean = log_mean_rapsd(&channels(&photos, Channel::Green)).without_dc();
        // "Almost perfectly straight": falls by more than four decades and every tenfold step in
        // frequency lowers the power (no bump anywhere on a decade scale).
        let at = |f: f64| {
            mean.power[mean
                .frequency
                .iter()
                .position(|x| (*x - f).abs() < 1e-9)
                .unwrap()]
        };
        assert!(at(0.003125) / at(0.49375) > 1e4);
        assert!(at(0.003125) > at(0.03125) && at(0.03125) > at(0.3125));
    }
}

//! F7: the log-domain mean RAPSD of the photos (red), of standard Gaussian noise (blue) and of the
//! noisy photos, photo + noise (green): the hinge. Also measures how wide the bend of the hinge
//! is: where the green curve stops following the red one and starts following the blue one.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f07-noisy-rapsd`.
//! Pieces: photos from `bookkit::data`; `noise_like`, `add_noise` and `seeded_rng` from
//! `spectral::noise`; `log_mean_rapsd` from `spectral::spectrum`; the chart from `bookkit::plot`.

use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::{save_png, save_value};
use bookkit::plot::{BLUE, Chart, GREEN, RED, Series, Style};
use spectral::Field;
use spectral::noise::{add_noise, noise_like, seeded_rng};
use spectral::spectrum::{Rapsd, log_mean_rapsd};

/// The seed of F6: the same noise fields.
const NOISE_SEED: u64 = 6;
/// How close (as a ratio) the noisy curve must be to one of its two parts to "follow" it.
const FOLLOWS: f64 = 1.1;

struct Spectra {
    images: Rapsd,
    noise: Rapsd,
    noisy: Rapsd,
}

fn spectra(greens: &[Field]) -> Spectra {
    // ANCHOR: noisy
    let noise = noise_like(greens, &mut seeded_rng(NOISE_SEED));
    let noisy = add_noise(greens, &noise, 1.0);
    let images = log_mean_rapsd(greens).without_dc();
    let noise = log_mean_rapsd(&noise).without_dc();
    let noisy = log_mean_rapsd(&noisy).without_dc();
    // ANCHOR_END: noisy
    Spectra {
        images,
        noise,
        noisy,
    }
}

/// The bend of the hinge: the highest frequency up to which the noisy curve stays within
/// `FOLLOWS` of the photos' curve, and the lowest from which it stays within `FOLLOWS` of the
/// noise's.
fn bend(s: &Spectra) -> (f64, f64) {
    let f = &s.images.frequency;
    let near = |a: f64, b: f64| (a / b).max(b / a) <= FOLLOWS;
    let image_end = (0..f.len())
        .take_while(|&i| near(s.noisy.power[i], s.images.power[i]))
        .last()
        .map_or(0.0, |i| f[i]);
    let noise_start = (0..f.len())
        .rev()
        .take_while(|&i| near(s.noisy.power[i], s.noise.power[i]))
        .last()
        .map_or(f[f.len() - 1], |i| f[i]);
    (image_end, noise_start)
}

/// The largest relative excess of the noisy curve over the sum of the other two. The log-domain
/// mean of a sum is at least the sum of the log-domain means (the geometric mean is
/// superadditive), most visibly where the two terms are comparable.
fn excess_over_sum(s: &Spectra) -> f64 {
    (0..s.noisy.power.len())
        .map(|i| s.noisy.power[i] / (s.images.power[i] + s.noise.power[i]) - 1.0)
        .fold(f64::NEG_INFINITY, f64::max)
}

fn main() -> anyhow::Result<()> {
    let greens = channels(&default_photos()?, Channel::Green);
    let s = spectra(&greens);
    let f = &s.images.frequency;

    println!("frequency   images     noise      noisy  images + noise");
    for r in [1, 4, 8, 16, 24, 32, 48, 64, 96, 159] {
        let i = r - 1;
        let (a, b, c) = (s.images.power[i], s.noise.power[i], s.noisy.power[i]);
        println!("{:9.5}  {a:9.3e}  {b:9.3e}  {c:9.3e}  {:9.3e}", f[i], a + b);
    }
    let (image_end, noise_start) = bend(&s);
    println!(
        "noisy follows the photos (within {:.0}%) up to f = {image_end:.4}, the noise from f = {noise_start:.4}",
        100.0 * (FOLLOWS - 1.0)
    );
    save_value("hinge-image-end", &format!("{image_end:.3}"))?;
    save_value("hinge-noise-start", &format!("{noise_start:.3}"))?;
    save_value("hinge-width", &format!("{:.0}", noise_start / image_end))?;
    let excess = excess_over_sum(&s);
    println!(
        "noisy exceeds images + noise by at most {:.0}%",
        100.0 * excess
    );
    save_value("hinge-excess", &format!("{:.0}", 100.0 * excess))?;

    let chart = Chart::loglog()
        .with(Series::new(f, &s.images.power, RED, Style::LineDots).label("images"))
        .with(Series::new(f, &s.noise.power, BLUE, Style::LineDots).label("noise"))
        .with(Series::new(f, &s.noisy.power, GREEN, Style::LineDots).label("noisy images"));
    save_png(&chart.render(720, 400)?, "f07-noisy-rapsd.png")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::figure::saved_value;
    use spectral::spectrum::rapsd;

    #[test]
    fn photo_plus_noise_has_the_power_of_photo_plus_one_on_average() {
        // The expectation behind the hinge, on the real photos: averaged over the 30 photos (each
        // with its own noise), R[x + ε] − R[x] has mean 1 at every radius, within sampling error.
        let greens = channels(&default_photos().unwrap(), Channel::Green);
        let noise = noise_like(&greens, &mut seeded_rng(NOISE_SEED));
        let noisy = add_noise(&greens, &noise, 1.0);
        let diffs: Vec<Vec<f64>> = greens
            .iter()
            .zip(&noisy)
            .map(|(x, y)| {
                let (a, b) = (rapsd(x).power, rapsd(y).power);
                b.iter().zip(&a).map(|(b, a)| b - a).collect()
            })
            .collect();
        let n = diffs.len() as f64;
        let mut big = 0;
        for r in 1..diffs[0].len() {
            let mean = diffs.iter().map(|d| d[r]).sum::<f64>() / n;
            let var = diffs.iter().map(|d| (d[r] - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let z = (mean - 1.0) / (var / n).sqrt();
            // 159 radii: allow the odd 3σ excursion, never a 5σ one.
            assert!(z.abs() < 5.0, "r = {r}: mean {mean}, z = {z}");
            big += usize::from(z.abs() > 3.0);
        }
        assert!(big <= 3, "{big} radii beyond 3σ");
    }

    #[test]
    fn the_noisy_curve_is_a_hinge_between_its_two_parts() {
        let s = spectra(&channels(&default_photos().unwrap(), Channel::Green));
        let (image_end, noise_start) = bend(&s);
        // The bend is soft: it spans more than a factor 2 in frequency, around the crossing.
        assert!(0.005 < image_end && image_end < 0.05 && noise_start > 2.0 * image_end);
        assert!(noise_start < 0.3, "{noise_start}");
        // Everywhere, the noisy curve lies above both of its parts (up to the log-mean's noise)
        // and below their sum times a little.
        for i in 0..s.noisy.power.len() {
            let (a, b, c) = (s.images.power[i], s.noise.power[i], s.noisy.power[i]);
            assert!(
                c > 0.9 * a.max(b) && c < 1.2 * (a + b),
                "i = {i}: {a} {b} {c}"
            );
        }
        // The excess over the sum is positive and largest near the crossing (about 0.05).
        let excess = excess_over_sum(&s);
        assert!(excess > 0.0 && excess < 0.2, "{excess}");
        let worst = (0..s.noisy.power.len())
            .max_by(|&i, &j| {
                let r = |k: usize| s.noisy.power[k] / (s.images.power[k] + s.noise.power[k]);
                r(i).total_cmp(&r(j))
            })
            .unwrap();
        assert!((0.02..0.1).contains(&s.images.frequency[worst]));
        if let Some(shown) = saved_value("hinge-excess") {
            assert_eq!(shown, format!("{:.0}", 100.0 * excess));
        }
        if let Some(shown) = saved_value("hinge-image-end") {
            assert_eq!(shown, format!("{image_end:.3}"));
        }
        if let Some(shown) = saved_value("hinge-noise-start") {
            assert_eq!(shown, format!("{noise_start:.3}"));
        }
    }
}

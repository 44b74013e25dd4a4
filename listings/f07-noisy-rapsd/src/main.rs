//! F7: the log-domain mean RAPSD of the photos (red), of standard Gaussian noise (blue) and of the
//! noisy photos, photo + noise (green): the hinge. Also measures how wide the bend of the hinge
//! is: where the green curve stops following the red one and starts following the blue one.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f07-noisy-rapsd`.
//! Pieces: photos from `bookkit::data`; the book's noise draw (`unit_noise`) and the three
//! spectra (`tide`) from `spectral::tide`; the chart (`tide_chart`) from `bookkit::tide_frame`;
//! values from `bookkit::values`.

use anyhow::Result;
use bookkit::data::book_greens;
use bookkit::figure::save_svg;
use bookkit::tide_frame::tide_chart;
use bookkit::values::{Values, save_values};
use spectral::tide::{Tide, tide, unit_noise};

/// How close (as a ratio) the noisy curve must be to one of its two parts to "follow" it.
const FOLLOWS: f64 = 1.1;
/// The radii whose three levels the listing prints.
const SHOWN_RADII: [usize; 10] = [1, 4, 8, 16, 24, 32, 48, 64, 96, 159];

struct Analysis {
    tide: Tide,
    /// Up to where the noisy curve follows the photos', and from where the noise's.
    image_end: f64,
    noise_start: f64,
    /// The largest relative excess of the noisy curve over the sum of its parts.
    excess: f64,
}

fn compute() -> Result<Analysis> {
    let greens = book_greens()?;
    // ANCHOR: noisy
    let noise = unit_noise(&greens);
    let tide = tide(&greens, &noise, 1.0);
    let (images, noise, noisy) = (&tide.images, &tide.noise, &tide.noisy);
    // ANCHOR_END: noisy
    println!("frequency   images     noise      noisy  images + noise");
    for i in SHOWN_RADII.map(|r| r - 1) {
        let (a, b, c) = (images.power[i], noise.power[i], noisy.power[i]);
        println!(
            "{:9.5}  {a:9.3e}  {b:9.3e}  {c:9.3e}  {:9.3e}",
            images.frequency[i],
            a + b
        );
    }
    let (image_end, noise_start) = bend(&tide);
    println!(
        "noisy follows the photos (within {:.0}%) up to f = {image_end:.4}, the noise from f = {noise_start:.4}",
        100.0 * (FOLLOWS - 1.0)
    );
    let excess = excess_over_sum(&tide);
    println!(
        "noisy exceeds images + noise by at most {:.0}%",
        100.0 * excess
    );
    Ok(Analysis {
        tide,
        image_end,
        noise_start,
        excess,
    })
}

/// The bend of the hinge: the highest frequency up to which the noisy curve stays within
/// `FOLLOWS` of the photos' curve, and the lowest from which it stays within `FOLLOWS` of the
/// noise's.
fn bend(s: &Tide) -> (f64, f64) {
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
fn excess_over_sum(s: &Tide) -> f64 {
    (0..s.noisy.power.len())
        .map(|i| s.noisy.power[i] / (s.images.power[i] + s.noise.power[i]) - 1.0)
        .fold(f64::NEG_INFINITY, f64::max)
}

fn values(a: &Analysis) -> Values {
    vec![
        ("hinge-image-end", format!("{:.3}", a.image_end)),
        ("hinge-noise-start", format!("{:.3}", a.noise_start)),
        ("hinge-width", format!("{:.0}", a.noise_start / a.image_end)),
        ("hinge-excess", format!("{:.0}", 100.0 * a.excess)),
        ("hinge-tolerance", format!("{:.0}", 100.0 * (FOLLOWS - 1.0))),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    save_svg(&tide_chart(&a.tide).svg(720, 400), "f07-noisy-rapsd.svg")?;
    Ok(())
}

fn main() -> Result<()> {
    let analysis = compute()?;
    save_values(&values(&analysis))?;
    draw(&analysis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::noise::add_noise;
    use spectral::spectrum::rapsd;

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn photo_plus_noise_has_the_power_of_photo_plus_one_on_average() {
        // The expectation behind the hinge, on the real photos: averaged over the 30 photos (each
        // with its own noise), R[x + ε] − R[x] has mean 1 at every radius, within sampling error.
        let greens = book_greens().unwrap();
        let noise = unit_noise(&greens);
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
        let a = compute().unwrap();
        let (s, image_end, noise_start) = (&a.tide, a.image_end, a.noise_start);
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
        let excess = a.excess;
        assert!(excess > 0.0 && excess < 0.2, "{excess}");
        let worst = (0..s.noisy.power.len())
            .max_by(|&i, &j| {
                let r = |k: usize| s.noisy.power[k] / (s.images.power[k] + s.noise.power[k]);
                r(i).total_cmp(&r(j))
            })
            .unwrap();
        assert!((0.02..0.1).contains(&s.images.frequency[worst]));
    }
}

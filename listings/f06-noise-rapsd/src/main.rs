//! F6: the log-domain mean RAPSD of the embedded photos (red, as in F4) and of as many standard
//! Gaussian noise fields of the same 320 × 320 shape (blue), log-log, DC dropped. Also measures
//! where the two curves cross, and compares that with the crossing the power-law fit predicts.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f06-noise-rapsd`.
//! Pieces: photos from `bookkit::data`; `noise_like` and `seeded_rng` from `spectral::noise`;
//! `log_mean_rapsd` from `spectral::spectrum`; `fit_power_law` from `spectral::fit`;
//! `crossing_frequency` from `spectral::schedule`; the chart from `bookkit::plot`.

use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::{save_png, save_value};
use bookkit::plot::{BLUE, Chart, RED, Series, Style};
use spectral::Field;
use spectral::fit::fit_power_law;
use spectral::noise::{noise_like, seeded_rng};
use spectral::schedule::crossing_frequency;
use spectral::spectrum::{Rapsd, log_mean_rapsd};

/// The seed of the noise fields. F7, F8 and F10 use the same one: one draw of noise throughout.
const NOISE_SEED: u64 = 6;

/// The two mean spectra of the figure, DC dropped.
struct Spectra {
    images: Rapsd,
    noise: Rapsd,
}

fn spectra(greens: &[Field]) -> Spectra {
    // ANCHOR: noise
    let noise = noise_like(greens, &mut seeded_rng(NOISE_SEED));
    let images = log_mean_rapsd(greens).without_dc();
    let noise = log_mean_rapsd(&noise).without_dc();
    // ANCHOR_END: noise
    Spectra { images, noise }
}

/// Where the photos' mean spectrum sinks below the noise's: measured on the two curves, and
/// predicted by the power law fitted to the photos (where C·f^(−α) = 1, the noise's level).
fn crossings(s: &Spectra) -> (f64, f64) {
    let f = &s.images.frequency;
    let measured = crossing_frequency(f, &s.images.power, &s.noise.power)
        .expect("the photos start above the noise");
    let predicted = fit_power_law(f, &s.images.power).frequency_at(1.0);
    (measured, predicted)
}

fn main() -> anyhow::Result<()> {
    let greens = channels(&default_photos()?, Channel::Green);
    let s = spectra(&greens);
    let f = &s.images.frequency;

    println!(
        "{} noise fields of {}×{}",
        greens.len(),
        greens[0].nrows(),
        greens[0].ncols()
    );
    println!("radius  frequency  noise (log-mean)");
    for r in [1, 2, 3, 4, 5, 6, 10, 40, 159] {
        println!("{r:6}  {:9.6}  {:.3}", f[r - 1], s.noise.power[r - 1]);
    }
    let n = s.noise.power.len() as f64;
    let level = s.noise.power.iter().map(|p| p.ln()).sum::<f64>() / n;
    println!(
        "geometric mean of the noise curve over all radii: {:.3}",
        level.exp()
    );

    let (measured, predicted) = crossings(&s);
    println!("photos meet the noise at f = {measured:.4} (fit predicts {predicted:.4})");
    save_value("noise-crossing", &format!("{measured:.3}"))?;
    save_value("noise-crossing-fit", &format!("{predicted:.3}"))?;
    save_value("noise-crossing-period", &format!("{:.0}", 1.0 / measured))?;
    save_value("noise-r1", &format!("{:.2}", s.noise.power[0]))?;

    let chart = Chart::loglog()
        .with(Series::new(f, &s.images.power, RED, Style::LineDots).label("images"))
        .with(Series::new(f, &s.noise.power, BLUE, Style::LineDots).label("noise"));
    save_png(&chart.render(720, 400)?, "f06-noise-rapsd.png")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::figure::saved_value;
    use spectral::fit::log_mean;
    use spectral::noise::expected_log_mean_noise_rapsd;
    use spectral::spectrum::{RadialBins, rapsd};

    #[test]
    fn the_noise_is_flat_at_one_and_crosses_the_photos_where_the_fit_says() {
        let greens = channels(&default_photos().unwrap(), Channel::Green);
        let s = spectra(&greens);
        // Flat at 1 (σ² of standard noise) up to the log-mean's dip (X2): each point lies within
        // 4.5 standard errors of its expected level, in the log domain. The log of a ring's power
        // over k independent bins has variance ψ′(k) ≈ 1/k + 1/(2k²) + 1/(6k³), here averaged
        // over one field per photo.
        let expected = expected_log_mean_noise_rapsd(320, 320, 1.0);
        let k = RadialBins::new(320, 320).independent_counts();
        let m = greens.len() as f64;
        for (r, p) in s.noise.power.iter().enumerate().map(|(i, p)| (i + 1, p)) {
            let k = k[r] as f64;
            let se = ((1.0 / k + 1.0 / (2.0 * k * k) + 1.0 / (6.0 * k * k * k)) / m).sqrt();
            assert!(
                (p / expected[r]).ln().abs() < 4.5 * se,
                "r = {r}: {p} vs {}",
                expected[r]
            );
        }
        // Noise of the same shape: one field per photo, each 320 × 320.
        assert_eq!(
            noise_like(&greens, &mut seeded_rng(NOISE_SEED)).len(),
            greens.len()
        );

        // Recompute the crossing independently: the last radius where the photos' curve is above
        // the noise's, from per-field RAPSDs averaged with `log_mean`.
        let per = |fields: &[Field]| {
            let curves: Vec<Vec<f64>> =
                fields.iter().map(|x| rapsd(x).without_dc().power).collect();
            log_mean(&curves)
        };
        let (img, noise) = (
            per(&greens),
            per(&noise_like(&greens, &mut seeded_rng(NOISE_SEED))),
        );
        let last = (0..img.len()).rev().find(|&i| img[i] > noise[i]).unwrap();
        let (lo, hi) = (s.images.frequency[last], s.images.frequency[last + 1]);
        let (measured, predicted) = crossings(&s);
        assert!(lo <= measured && measured <= hi, "{lo} {measured} {hi}");
        // The measured crossing matches the fit's prediction within 10%, and sits where the post's
        // did (about 0.06 on Imagenette): between 0.03 and 0.1 cycles per pixel.
        assert!(
            (measured / predicted - 1.0).abs() < 0.1,
            "{measured} vs {predicted}"
        );
        assert!((0.03..0.1).contains(&measured));
        if let Some(shown) = saved_value("noise-crossing") {
            assert_eq!(shown, format!("{measured:.3}"));
        }
        if let Some(shown) = saved_value("noise-crossing-fit") {
            assert_eq!(shown, format!("{predicted:.3}"));
        }
    }
}

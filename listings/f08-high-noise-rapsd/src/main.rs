//! F8: as F7, with noise of variance 16 (σ = 4): the log-domain mean RAPSD of the photos (red),
//! of the noise (blue) and of the noisy photos (green). The noise's flat line rises by a factor of
//! 16 and the hinge moves to lower frequencies; measures the new crossing and compares it with the
//! power-law fit's prediction.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p f08-high-noise-rapsd`.
//! Pieces: photos from `bookkit::data`; `noise_like`, `add_noise` and `seeded_rng` from
//! `spectral::noise`; `log_mean_rapsd` from `spectral::spectrum`; `fit_power_law` from
//! `spectral::fit`; `crossing_frequency` from `spectral::schedule`; the chart from `bookkit::plot`.

use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::{save_png, save_value};
use bookkit::plot::{BLUE, Chart, GREEN, RED, Series, Style};
use spectral::Field;
use spectral::fit::fit_power_law;
use spectral::noise::{add_noise, noise_like, seeded_rng};
use spectral::schedule::crossing_frequency;
use spectral::spectrum::{Rapsd, log_mean_rapsd};

/// The seed of F6: the same noise fields, now four times as strong.
const NOISE_SEED: u64 = 6;
/// Noise standard deviation: variance 16, as in the post.
const SIGMA: f64 = 4.0;

struct Spectra {
    images: Rapsd,
    noise: Rapsd,
    noisy: Rapsd,
}

fn spectra(greens: &[Field]) -> Spectra {
    // ANCHOR: loud
    let unit = noise_like(greens, &mut seeded_rng(NOISE_SEED));
    let loud: Vec<Field> = unit.iter().map(|e| e * SIGMA).collect();
    let noisy = add_noise(greens, &unit, SIGMA);
    // ANCHOR_END: loud
    Spectra {
        images: log_mean_rapsd(greens).without_dc(),
        noise: log_mean_rapsd(&loud).without_dc(),
        noisy: log_mean_rapsd(&noisy).without_dc(),
    }
}

/// Where the photos sink below the noise: measured, and predicted by the fit (C·f^(−α) = σ²).
fn crossings(s: &Spectra) -> (f64, f64) {
    let f = &s.images.frequency;
    let measured = crossing_frequency(f, &s.images.power, &s.noise.power)
        .expect("the photos start above the noise");
    let predicted = fit_power_law(f, &s.images.power).frequency_at(SIGMA * SIGMA);
    (measured, predicted)
}

fn main() -> anyhow::Result<()> {
    let greens = channels(&default_photos()?, Channel::Green);
    let s = spectra(&greens);
    let f = &s.images.frequency;

    println!("frequency   images     noise      noisy");
    for r in [1, 2, 4, 6, 8, 12, 16, 32, 159] {
        let i = r - 1;
        let (a, b, c) = (s.images.power[i], s.noise.power[i], s.noisy.power[i]);
        println!("{:9.5}  {a:9.3e}  {b:9.3e}  {c:9.3e}", f[i]);
    }
    let (measured, predicted) = crossings(&s);
    println!("photos meet the noise at f = {measured:.4} (fit predicts {predicted:.4})");
    save_value("high-noise-crossing", &format!("{measured:.3}"))?;
    save_value("high-noise-crossing-fit", &format!("{predicted:.3}"))?;
    save_value(
        "high-noise-crossing-period",
        &format!("{:.0}", 1.0 / measured),
    )?;

    let chart = Chart::loglog()
        .with(Series::new(f, &s.images.power, RED, Style::LineDots).label("images"))
        .with(Series::new(f, &s.noise.power, BLUE, Style::LineDots).label("noise"))
        .with(Series::new(f, &s.noisy.power, GREEN, Style::LineDots).label("noisy images"));
    save_png(&chart.render(720, 400)?, "f08-high-noise-rapsd.png")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::figure::saved_value;

    #[test]
    fn sixteen_times_the_noise_moves_the_crossing_down_as_the_power_law_predicts() {
        let greens = channels(&default_photos().unwrap(), Channel::Green);
        let s = spectra(&greens);
        // The noise curve is the unit noise's times exactly 16 (R[c·x] = c²·R[x]).
        let unit = log_mean_rapsd(&noise_like(&greens, &mut seeded_rng(NOISE_SEED))).without_dc();
        for (a, b) in s.noise.power.iter().zip(&unit.power) {
            assert!((a / (16.0 * b) - 1.0).abs() < 1e-9);
        }
        let (measured, predicted) = crossings(&s);
        // "Sixteen times more noise power divides the crossing frequency by 16^(1/α), about 3."
        let alpha = fit_power_law(&s.images.frequency, &s.images.power).alpha;
        assert!((2.9..3.3).contains(&16f64.powf(1.0 / alpha)));
        assert!(
            (measured / predicted - 1.0).abs() < 0.15,
            "{measured} vs {predicted}"
        );
        // Under a power law with exponent α, 16 times the noise divides the crossing frequency by
        // 16^(1/α): about 3 for α near 2.5. The post measured about 0.019 on Imagenette.
        assert!((0.01..0.03).contains(&measured), "{measured}");
        if let Some(shown) = saved_value("high-noise-crossing") {
            assert_eq!(shown, format!("{measured:.3}"));
        }
        if let Some(shown) = saved_value("high-noise-crossing-fit") {
            assert_eq!(shown, format!("{predicted:.3}"));
        }
    }
}

//! X2 (beyond the post): the dip of the noise spectrum at the lowest frequencies. For the first
//! 24 radii, the log-domain mean RAPSD of standard Gaussian noise (320 × 320) over the 30 fields
//! of F6 and over many more fields, the plain (arithmetic) mean over the many fields, and the
//! expected log-domain level exp(ψ(k) − ln k) for a ring of k independent bins.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p x02-noise-dip`.
//! Pieces: `gaussian_field`, `noise_like`, `seeded_rng` and `expected_log_mean_noise_rapsd` from
//! `spectral::noise`; `RadialBins` and `RapsdPlan` (the RAPSD for many fields of one shape) from
//! `spectral::spectrum`; `log_mean` from `spectral::fit`; the chart from `bookkit::plot`.

use bookkit::figure::{save_png, save_value};
use bookkit::plot::{BLACK, BLUE, Chart, GREY, ORANGE, Series, SeriesLabelPosition, Style};
use spectral::fit::log_mean;
use spectral::noise::{expected_log_mean_noise_rapsd, gaussian_field, seeded_rng};
use spectral::spectrum::{RadialBins, RapsdPlan};

const SIZE: usize = 320;
/// The fields of F6: as many as photos, from F6's seed.
const FEW: usize = 30;
const FEW_SEED: u64 = 6;
/// Enough fields to see the expected level: the log-mean at radius 1 then has a standard error
/// of about √(ψ′(4)/1000) ≈ 1.7%.
const MANY: usize = 1000;
const MANY_SEED: u64 = 2;
/// Radii shown.
const SHOWN: usize = 24;

/// The RAPSDs (DC included) of `count` standard noise fields drawn from one seed.
fn noise_curves(count: usize, seed: u64) -> Vec<Vec<f64>> {
    let plan = RapsdPlan::new(SIZE, SIZE);
    let mut rng = seeded_rng(seed);
    (0..count)
        .map(|_| plan.power(&gaussian_field(SIZE, SIZE, 1.0, &mut rng)))
        .collect()
}

/// The plain mean of the curves, radius by radius.
fn plain_mean(curves: &[Vec<f64>]) -> Vec<f64> {
    let n = curves.len() as f64;
    (0..curves[0].len())
        .map(|r| curves.iter().map(|c| c[r]).sum::<f64>() / n)
        .collect()
}

fn main() -> anyhow::Result<()> {
    // ANCHOR: dip
    let k = RadialBins::new(SIZE, SIZE).independent_counts();
    let expected = expected_log_mean_noise_rapsd(SIZE, SIZE, 1.0);
    let many = noise_curves(MANY, MANY_SEED);
    let (geometric, plain) = (log_mean(&many), plain_mean(&many));
    // ANCHOR_END: dip
    let few = log_mean(&noise_curves(FEW, FEW_SEED));

    println!("radius    k   expected   {FEW} fields   {MANY} fields   plain mean");
    for r in 1..=8 {
        println!(
            "{r:6} {:4}     {:.3}      {:.3}        {:.3}        {:.3}",
            k[r], expected[r], few[r], geometric[r], plain[r]
        );
    }
    save_value("dip-fields", &MANY.to_string())?;
    save_value("dip-r1-expected", &format!("{:.3}", expected[1]))?;
    save_value("dip-r1-measured", &format!("{:.3}", geometric[1]))?;
    save_value("dip-r1-plain", &format!("{:.3}", plain[1]))?;
    save_value("dip-r2-expected", &format!("{:.3}", expected[2]))?;
    save_value("dip-r10-expected", &format!("{:.3}", expected[10]))?;

    let r: Vec<f64> = (1..=SHOWN).map(|r| r as f64).collect();
    let part = |v: &[f64]| v[1..=SHOWN].to_vec();
    let chart = Chart::linear("radius r (frequency r/320)", "mean noise power")
        .x_range(0.0, SHOWN as f64 + 1.0)
        .y_range(0.6, 1.1)
        .legend_at(SeriesLabelPosition::LowerRight)
        .with(
            Series::new(&r, &part(&plain), GREY, Style::LineDots)
                .label(&format!("plain mean, {MANY} fields")),
        )
        .with(
            Series::new(&r, &part(&few), BLUE, Style::LineDots)
                .label(&format!("log-domain mean, {FEW} fields (F6)")),
        )
        .with(
            Series::new(&r, &part(&geometric), ORANGE, Style::LineDots)
                .label(&format!("log-domain mean, {MANY} fields")),
        )
        .with(
            Series::new(&r, &part(&expected), BLACK, Style::Dotted)
                .label("expected: exp(ψ(k) − ln k)"),
        );
    save_png(&chart.render(720, 420)?, "x02-noise-dip.png")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::figure::saved_value;
    use spectral::special::log_mean_level_of_exponential_average;

    #[test]
    fn the_dip_at_radius_one_is_exp_of_digamma_four_minus_ln_four() {
        // Ring 1 of a 320 × 320 field holds 8 bins in 4 conjugate pairs.
        assert_eq!(RadialBins::new(SIZE, SIZE).counts()[1], 8);
        // Ring sizes are not monotone: the chapter's example, 16 pairs on ring 4, 14 on ring 5.
        let k = RadialBins::new(SIZE, SIZE).independent_counts();
        assert_eq!((k[4], k[5]), (16, 14));
        let theory = log_mean_level_of_exponential_average(4.0);
        assert!((theory - 0.8777).abs() < 5e-4);
        let expected = expected_log_mean_noise_rapsd(SIZE, SIZE, 1.0);
        assert_eq!(expected[1], theory);

        // The many fields' log-mean, within 4.5 standard errors (of the mean of the logs).
        let many = noise_curves(MANY, MANY_SEED);
        let logs: Vec<f64> = many.iter().map(|c| c[1].ln()).collect();
        let n = logs.len() as f64;
        let mean = logs.iter().sum::<f64>() / n;
        let se = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt();
        assert!(
            (mean - theory.ln()).abs() < 4.5 * se,
            "{} vs {theory}",
            mean.exp()
        );
        // The plain mean has no dip: 1 within its own error (each ring value has variance 1/4).
        let plain = plain_mean(&many)[1];
        assert!((plain - 1.0).abs() < 4.5 * (0.25 / n).sqrt(), "{plain}");
        if let Some(shown) = saved_value("dip-r1-measured") {
            assert_eq!(shown, format!("{:.3}", log_mean(&many)[1]));
        }
        if let Some(shown) = saved_value("dip-r1-expected") {
            assert_eq!(shown, format!("{theory:.3}"));
        }
    }
}

//! X2 (beyond the post): the dip of the noise spectrum at the lowest frequencies. For the first
//! 24 radii, the log-domain mean RAPSD of standard Gaussian noise (320 × 320) over the fields of
//! F6 (one per photo) and over many more fields, the plain (arithmetic) mean over the many
//! fields, and the expected log-domain level exp(ψ(k) − ln k) for a ring of k independent bins.
//!
//! Chapter: "Noisy image spectra". Run: `cargo run -p x02-noise-dip`.
//! Pieces: `gaussian_field`, `noise_like`, `seeded_rng` and `expected_log_mean_noise_rapsd` from
//! `spectral::noise`; `RadialBins` and `RapsdPlan` (the RAPSD for many fields of one shape) from
//! `spectral::spectrum`; `log_mean` from `spectral::fit`; F6's noise (`unit_noise`) from
//! `spectral::tide`; the chart from `bookkit::plot`; values from `bookkit::values`.

use anyhow::Result;
use bookkit::data::book_greens;
use bookkit::figure::save_svg;
use bookkit::plot::{BLACK, BLUE, Chart, GREY, ORANGE, Series, SeriesLabelPosition, Style};
use bookkit::values::{Values, save_values};
use spectral::fit::log_mean;
use spectral::noise::{expected_log_mean_noise_rapsd, gaussian_field, seeded_rng};
use spectral::spectrum::{RadialBins, RapsdPlan};
use spectral::tide::unit_noise;

const SIZE: usize = 320;
/// Enough fields to see the expected level: the log-mean at radius 1 then has a standard error
/// of about √(ψ′(4)/1000) ≈ 1.7%.
const MANY: usize = 1000;
const MANY_SEED: u64 = 2;
/// Radii shown.
const SHOWN: usize = 24;
/// Two radii at which the chapter quotes the expected level.
const NEAR: usize = 2;
const FAR: usize = 10;

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

/// The dip measured three ways, and the expected level.
struct Analysis {
    expected: Vec<f64>,
    /// The log-mean over the photos' noise fields (F6's), and over many fields; the plain mean.
    few: Vec<f64>,
    /// How many fields F6 draws (one per photo).
    few_fields: usize,
    geometric: Vec<f64>,
    plain: Vec<f64>,
}

fn compute() -> Result<Analysis> {
    // ANCHOR: dip
    let k = RadialBins::new(SIZE, SIZE).independent_counts();
    let expected = expected_log_mean_noise_rapsd(SIZE, SIZE, 1.0);
    let many = noise_curves(MANY, MANY_SEED);
    let (geometric, plain) = (log_mean(&many), plain_mean(&many));
    // ANCHOR_END: dip
    let plan = RapsdPlan::new(SIZE, SIZE);
    let f6: Vec<Vec<f64>> = unit_noise(&book_greens()?)
        .iter()
        .map(|e| plan.power(e))
        .collect();
    let few = log_mean(&f6);
    println!(
        "radius    k   expected   {} fields   {MANY} fields   plain mean",
        f6.len()
    );
    for r in 1..=8 {
        println!(
            "{r:6} {:4}     {:.3}      {:.3}        {:.3}        {:.3}",
            k[r], expected[r], few[r], geometric[r], plain[r]
        );
    }
    Ok(Analysis {
        few_fields: f6.len(),
        expected,
        few,
        geometric,
        plain,
    })
}

fn values(a: &Analysis) -> Values {
    let bins = RadialBins::new(SIZE, SIZE);
    let pairs = bins.independent_counts();
    // The first ring that holds more independent values than the next: the expected curve is
    // not monotone.
    let shrink = (1..pairs.len() - 1)
        .find(|&r| pairs[r + 1] < pairs[r])
        .expect("ring sizes are not monotone");
    vec![
        ("dip-fields", MANY.to_string()),
        ("dip-few-fields", a.few_fields.to_string()),
        ("dip-r1-expected", format!("{:.3}", a.expected[1])),
        ("dip-r1-measured", format!("{:.3}", a.geometric[1])),
        ("dip-r1-plain", format!("{:.3}", a.plain[1])),
        ("dip-r2-expected", format!("{:.3}", a.expected[NEAR])),
        ("dip-r10-expected", format!("{:.3}", a.expected[FAR])),
        ("dip-near-radius", NEAR.to_string()),
        ("dip-far-radius", FAR.to_string()),
        ("dip-radii", SHOWN.to_string()),
        ("dip-ring1-bins", bins.counts()[1].to_string()),
        ("dip-ring1-pairs", pairs[1].to_string()),
        ("dip-ring-a", shrink.to_string()),
        ("dip-ring-a-pairs", pairs[shrink].to_string()),
        ("dip-ring-b", (shrink + 1).to_string()),
        ("dip-ring-b-pairs", pairs[shrink + 1].to_string()),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    let r: Vec<f64> = (1..=SHOWN).map(|r| r as f64).collect();
    let part = |v: &[f64]| v[1..=SHOWN].to_vec();
    let chart = Chart::linear("radius r (frequency r/320)", "mean noise power")
        .x_range(0.0, SHOWN as f64 + 1.0)
        .y_range(0.6, 1.1)
        .legend_at(SeriesLabelPosition::LowerRight)
        .with(
            Series::new(&r, &part(&a.plain), GREY, Style::LineDots)
                .label(&format!("plain mean, {MANY} fields")),
        )
        .with(
            Series::new(&r, &part(&a.few), BLUE, Style::LineDots)
                .label("log-domain mean, one field per photo (F6)"),
        )
        .with(
            Series::new(&r, &part(&a.geometric), ORANGE, Style::LineDots)
                .label(&format!("log-domain mean, {MANY} fields")),
        )
        .with(
            Series::new(&r, &part(&a.expected), BLACK, Style::Dotted)
                .label("expected: exp(ψ(k) − ln k)"),
        );
    save_svg(&chart.svg(720, 420), "x02-noise-dip.svg")?;
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
    use spectral::special::log_mean_level_of_exponential_average;

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

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
    }
}

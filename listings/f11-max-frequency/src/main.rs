//! F11: the maximal detectable frequency f_max(t) for rectified flow (σ(t) = t, α(t) = 1 − t)
//! with SNR threshold τ = 1, from the photos' empirical mean spectrum (solid), and in closed form
//! from the fitted power law (dotted). Writes the table of both at t = 0.1, 0.2, …, 0.9, with a
//! third column measured on actual noisy photos made by the forward process.
//!
//! Chapter: "Which frequencies are modelled at which noise levels?".
//! Run: `cargo run -p f11-max-frequency`.
//! Pieces: photos from `bookkit::data`; `log_mean_rapsd` from `spectral::spectrum`;
//! `fit_power_law` from `spectral::fit`; `RectifiedFlow`, `f_max`, `f_max_closed_form`,
//! `f_max_table`, `forward`, `max_detectable_frequency` and `time_at_threshold` from
//! `spectral::schedule`; the book's noise draw (`unit_noise`) from `spectral::tide`; the chart
//! from `bookkit::plot`; the values and the table from `bookkit::values`.

use anyhow::Result;
use bookkit::data::book_greens;
use bookkit::figure::save_svg;
use bookkit::plot::{BLACK, BLUE, Chart, Series, Style};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::fit::{PowerLaw, fit_power_law};
use spectral::schedule::{
    FmaxRow, RectifiedFlow, Schedule, f_max, f_max_closed_form, f_max_table, forward,
    max_detectable_frequency, time_at_threshold, time_grid,
};
use spectral::spectrum::{Rapsd, log_mean_rapsd};
use spectral::tide::unit_noise;

/// The SNR threshold: a frequency counts as detectable while its signal power exceeds τ times
/// the noise power.
const TAU: f64 = 1.0;
/// Steps of the fine time grid of F11's curves (one more time than steps).
const GRID_STEPS: usize = 500;

/// Times at which the table reports f_max.
fn table_times() -> Vec<f64> {
    (1..=9).map(|i| i as f64 / 10.0).collect()
}

// ANCHOR: fmax
/// f_max(t) on a fine grid of times, from the spectrum and from the fitted law.
fn curves(mean: &Rapsd, law: &PowerLaw, steps: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (f, p) = (&mean.frequency, &mean.power);
    let f_top = f[f.len() - 1];
    let t = time_grid(steps);
    let empirical = t
        .iter()
        .map(|&t| f_max(&RectifiedFlow, f, p, t, TAU))
        .collect();
    let closed = t
        .iter()
        .map(|&t| f_max_closed_form(&RectifiedFlow, law, t, TAU, f_top))
        .collect();
    (t, empirical, closed)
}
// ANCHOR_END: fmax

// ANCHOR: measured
/// f_max measured on noisy photos instead of computed from the clean spectrum: noise the photos
/// with the forward process, and find the highest frequency where their mean spectrum still
/// stands (1 + τ) times above that of the noise alone, α²R + σ² ≥ (1 + τ)σ², i.e. α²R ≥ τσ².
fn measured_f_max(greens: &[Field], eps: &[Field], t: f64) -> f64 {
    let noisy: Vec<Field> = greens
        .iter()
        .zip(eps)
        .map(|(x0, e)| forward(&RectifiedFlow, x0, e, t))
        .collect();
    let noise: Vec<Field> = eps.iter().map(|e| e * RectifiedFlow.sigma(t)).collect();
    let (noisy, noise) = (
        log_mean_rapsd(&noisy).without_dc(),
        log_mean_rapsd(&noise).without_dc(),
    );
    let ratio: Vec<f64> = noisy
        .power
        .iter()
        .zip(&noise.power)
        .map(|(a, b)| a / b)
        .collect();
    max_detectable_frequency(&noisy.frequency, &ratio, 1.0 + TAU)
}
// ANCHOR_END: measured

/// The time up to which every frequency is detectable, and the time from which none is: when
/// the detection threshold reaches the power of the highest frequency, and the largest power.
fn plateau_and_end(mean: &Rapsd) -> (f64, f64) {
    let top = mean.power[mean.power.len() - 1];
    let largest = mean.power.iter().copied().fold(0.0, f64::max);
    let at = |level| time_at_threshold(&RectifiedFlow, level, TAU);
    (at(top), at(largest))
}

/// The time up to which the closed form stays at the highest frequency: when the threshold
/// reaches the fitted law's power there (the measured spectrum's plateau ends sooner where the
/// spectrum bends below the law).
fn closed_plateau(mean: &Rapsd, law: &PowerLaw) -> f64 {
    let f_top = mean.frequency[mean.frequency.len() - 1];
    time_at_threshold(&RectifiedFlow, law.eval(f_top), TAU)
}

/// The largest relative excess of the noisy-photo f_max over the clean-spectrum one, up to
/// t = 0.8 (at 0.9, f_max is two bins and one bin is 50%).
fn noisy_excess(rows: &[FmaxRow], measured: &[f64]) -> f64 {
    rows.iter()
        .zip(measured)
        .filter(|(r, _)| r.t <= 0.8 + 1e-9)
        .map(|(r, m)| m / r.empirical - 1.0)
        .fold(0.0, f64::max)
}

/// How much a threshold `factor` times stricter lowers f_max under the power law: the law must
/// rise by `factor`, so f drops by factor^(1/α).
fn tau_factor(law: &PowerLaw, factor: f64) -> f64 {
    factor.powf(1.0 / law.alpha)
}

fn markdown_table(rows: &[FmaxRow], measured: &[f64]) -> String {
    let mut out = String::from(
        "| t | σ/α | f_max, spectrum | f_max, power law | difference | f_max, noisy photos |\n\
         |---|---|---|---|---|---|\n",
    );
    for (row, m) in rows.iter().zip(measured) {
        out += &format!(
            "| {:.1} | {:.3} | {:.4} | {:.4} | {:+.0}% | {m:.4} |\n",
            row.t,
            RectifiedFlow.noise_to_signal(row.t),
            row.empirical,
            row.closed_form,
            // Adding 0.0 turns a rounded −0 into +0.
            (100.0 * (row.closed_form / row.empirical - 1.0)).round() + 0.0,
        );
    }
    out
}

/// Everything the chapter reports about f_max.
struct Analysis {
    mean: Rapsd,
    law: PowerLaw,
    /// f_max on a fine time grid: times, from the spectrum, from the fitted law.
    curves: (Vec<f64>, Vec<f64>, Vec<f64>),
    /// The table at t = 0.1 … 0.9, and the same f_max measured on noisy photos.
    rows: Vec<FmaxRow>,
    measured: Vec<f64>,
    /// Up to when every frequency is detectable, and from when none is.
    plateau: f64,
    end: f64,
}

fn compute() -> Result<Analysis> {
    let greens = book_greens()?;
    // ANCHOR: setup
    let mean = log_mean_rapsd(&greens).without_dc();
    let law = fit_power_law(&mean.frequency, &mean.power);
    // ANCHOR_END: setup
    let curves = curves(&mean, &law, GRID_STEPS);
    let (f, p) = (&mean.frequency, &mean.power);
    let rows = f_max_table(&RectifiedFlow, f, p, &law, &table_times(), TAU);
    let eps = unit_noise(&greens);
    let measured: Vec<f64> = rows
        .iter()
        .map(|r| measured_f_max(&greens, &eps, r.t))
        .collect();
    print!("{}", markdown_table(&rows, &measured));
    let (plateau, end) = plateau_and_end(&mean);
    println!("every frequency is detectable up to t = {plateau:.3}; none is from t = {end:.3}");
    Ok(Analysis {
        mean,
        law,
        curves,
        rows,
        measured,
        plateau,
        end,
    })
}

fn values(a: &Analysis) -> Values {
    let rows = &a.rows;
    // How far apart the two columns are: in percent up to t = 0.8, in frequency bins at t = 0.9,
    // where f_max is down to a couple of bins.
    let percent = |r: &FmaxRow| 100.0 * (r.closed_form / r.empirical - 1.0).abs();
    let worst = rows[..8].iter().map(percent).fold(0.0, f64::max);
    let bin = a.mean.frequency[0];
    let t09_bins = (rows[8].closed_form - rows[8].empirical).abs() / bin;
    vec![
        (
            "fmax-table",
            markdown_table(rows, &a.measured).trim_end().to_string(),
        ),
        ("fmax-plateau-t", format!("{:.3}", a.plateau)),
        ("fmax-end-t", format!("{:.3}", a.end)),
        ("fmax-worst-diff", format!("{worst:.0}")),
        ("fmax-t09-bins", format!("{t09_bins:.1}")),
        ("fmax-half", format!("{:.3}", rows[4].empirical)),
        (
            "fmax-half-period",
            format!("{:.0}", 1.0 / rows[4].empirical),
        ),
        ("fmax-t09-count", format!("{:.0}", rows[8].empirical / bin)),
        (
            "fmax-closed-plateau-t",
            format!("{:.3}", closed_plateau(&a.mean, &a.law)),
        ),
        (
            "fmax-noisy-worst",
            format!("{:.0}", 100.0 * noisy_excess(rows, &a.measured)),
        ),
        // A stricter threshold, τ = 10, divides f_max by 10^(1/α̂) under the power law.
        ("tau10-factor", format!("{:.2}", tau_factor(&a.law, 10.0))),
        ("fmax-grid-times", (GRID_STEPS + 1).to_string()),
    ]
}

fn draw(a: &Analysis) -> Result<()> {
    let (t, empirical, closed) = &a.curves;
    let chart = Chart::linear("time step t", "f_max (cycles/pixel)")
        .x_range(0.0, 1.0)
        .y_range(0.0, 0.52)
        .with(Series::new(t, empirical, BLUE, Style::Line).label("from the mean spectrum"))
        .with(Series::new(t, closed, BLACK, Style::Dotted).label("from the power-law fit"));
    save_svg(&chart.svg(640, 460), "f11-max-frequency.svg")?;
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
    use spectral::schedule::crossing_frequency;

    fn setup() -> (Vec<Field>, Rapsd, PowerLaw) {
        let greens = book_greens().unwrap();
        let mean = log_mean_rapsd(&greens).without_dc();
        let law = fit_power_law(&mean.frequency, &mean.power);
        (greens, mean, law)
    }

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn f_max_falls_from_the_highest_frequency_to_zero_and_matches_the_closed_form() {
        let (_, mean, law) = setup();
        let (t, empirical, closed) = curves(&mean, &law, GRID_STEPS);
        let top = mean.frequency[mean.frequency.len() - 1];
        let bin = mean.frequency[0];
        assert!(empirical.windows(2).all(|w| w[1] <= w[0]), "non-increasing");
        // Near t = 0 everything is detectable, near t = 1 nothing.
        assert_eq!(empirical[0], top);
        assert_eq!(
            f_max(&RectifiedFlow, &mean.frequency, &mean.power, 0.01, TAU),
            top
        );
        assert_eq!(
            f_max(&RectifiedFlow, &mean.frequency, &mean.power, 0.99, TAU),
            0.0
        );
        assert_eq!(*empirical.last().unwrap(), 0.0);
        // The closed form agrees with the spectrum within 15%, or one frequency bin, on
        // t ∈ [0.1, 0.9]. The empirical f_max lives on the grid of bins: it is the bin just below
        // where the spectrum crosses the threshold. So compare the closed form with that crossing
        // (interpolated between the bins, `crossing_frequency`) within 15%, and check that f_max
        // is within one bin below the crossing.
        for ((&t, &e), &c) in t.iter().zip(&empirical).zip(&closed) {
            if !(0.1..=0.9).contains(&t) {
                continue;
            }
            let level = vec![RectifiedFlow.detection_threshold(t, TAU); mean.power.len()];
            let crossing = crossing_frequency(&mean.frequency, &mean.power, &level).unwrap();
            assert!(
                e <= crossing && crossing < e + bin,
                "t = {t}: {e} vs {crossing}"
            );
            assert!(
                (c / crossing - 1.0).abs() < 0.15,
                "t = {t}: {c} vs {crossing}"
            );
        }
        // The plateau and the end are where the grid says they are.
        let (plateau, end) = plateau_and_end(&mean);
        for (t, e) in t.iter().zip(&empirical) {
            assert_eq!(*e == top, *t < plateau, "t = {t}");
            assert_eq!(*e == 0.0, *t >= end, "t = {t}");
        }
        assert!((0.02..0.1).contains(&plateau) && (0.9..1.0).contains(&end));
        // In closed form for rectified flow: (t/(1 − t))² = P gives t = √P / (1 + √P).
        let closed = |p: f64| p.sqrt() / (1.0 + p.sqrt());
        let top = mean.power[mean.power.len() - 1];
        let largest = mean.power.iter().copied().fold(0.0, f64::max);
        assert!((plateau - closed(top)).abs() < 1e-12 && (end - closed(largest)).abs() < 1e-12);
        // The closed form leaves the top bin later, since the law lies above the measured top.
        let f_top = mean.frequency[mean.frequency.len() - 1];
        let later = closed_plateau(&mean, &law);
        assert!((later - closed(law.eval(f_top))).abs() < 1e-12 && later > plateau);
    }

    #[test]
    fn a_ten_times_stricter_threshold_divides_f_max_by_the_predicted_factor() {
        let (_, mean, law) = setup();
        let factor = tau_factor(&law, 10.0);
        assert!((2.2..2.8).contains(&factor), "{factor}");
        for t in [0.2, 0.3, 0.4, 0.5] {
            let loose = f_max(&RectifiedFlow, &mean.frequency, &mean.power, t, 1.0);
            let strict = f_max(&RectifiedFlow, &mean.frequency, &mean.power, t, 10.0);
            assert!(
                (loose / strict / factor - 1.0).abs() < 0.25,
                "t = {t}: {loose} {strict}"
            );
        }
    }

    #[test]
    fn the_table_in_the_book_is_the_one_the_library_computes() {
        let (greens, mean, law) = setup();
        let rows = f_max_table(
            &RectifiedFlow,
            &mean.frequency,
            &mean.power,
            &law,
            &table_times(),
            TAU,
        );
        // At the table's times the two columns agree within 15% or one frequency bin as they
        // stand, without the interpolation of the test above.
        let bin = mean.frequency[0];
        for row in &rows {
            let (e, c) = (row.empirical, row.closed_form);
            assert!((c - e).abs() <= (0.15 * e).max(bin), "{row:?}");
        }
        // An independent recomputation of the empirical column: scan the bins from the top down.
        for row in &rows {
            let threshold = (row.t / (1.0 - row.t)).powi(2);
            let last = (0..mean.power.len())
                .rev()
                .find(|&i| mean.power[i] > threshold);
            assert_eq!(row.empirical, last.map_or(0.0, |i| mean.frequency[i]));
        }
        // The noisy photos show the same f_max: never lower than the clean spectrum's, and at
        // most 15% higher up to t = 0.8 (one bin at t = 0.9). The threshold is visible in them.
        let eps = unit_noise(&greens);
        let measured: Vec<f64> = rows
            .iter()
            .map(|r| measured_f_max(&greens, &eps, r.t))
            .collect();
        for (row, m) in rows.iter().zip(&measured) {
            assert!(*m >= row.empirical, "{row:?} {m}");
            assert!(
                *m <= (1.15 * row.empirical).max(row.empirical + bin),
                "{row:?} {m}"
            );
        }
    }
}

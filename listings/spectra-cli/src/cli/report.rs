//! What the measuring commands print: the RAPSD table, the power-law fit, the f_max table, as
//! text or as one JSON object. Numbers are printed in the shortest form that reads back to the
//! same `f64`.

use std::fmt::Write as _;

use anyhow::{Result, bail};
use serde::Serialize;
use spectral::fit::{SetFit, fit_set};
use spectral::schedule::{Schedule, f_max, time_grid};

use super::{ScheduleName, Spectra, size_text};

/// A file set aside, as the JSON outputs list it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Skipped {
    pub file: String,
    pub problem: String,
}

/// The files a run set aside, for its JSON output.
pub fn skipped(spectra: &Spectra) -> Vec<Skipped> {
    spectra
        .skipped
        .iter()
        .map(|b| Skipped {
            file: b.path.display().to_string(),
            problem: b.problem.clone(),
        })
        .collect()
}

fn json_line(value: &impl Serialize) -> String {
    let mut s = serde_json::to_string(value).expect("finite numbers and strings serialise");
    s.push('\n');
    s
}

/// The `rapsd` command's CSV: `frequency,power`, the log-mean power at every radius from DC.
pub fn rapsd_csv(spectra: &Spectra) -> String {
    let mean = spectra.log_mean();
    let mut out = String::from("frequency,power\n");
    for (f, p) in mean.frequency.iter().zip(&mean.power) {
        writeln!(out, "{f},{p:e}").expect("writing to a String cannot fail");
    }
    out
}

/// A log-mean curve as CSV (`<x_name>,power`) or as JSON (`{<x_name>: [...], power: [...],
/// <count_name>: n, skipped: [...]}`): the audio commands' output.
pub fn curve_output(spectra: &Spectra, x_name: &str, count_name: &str, json: bool) -> String {
    let mean = spectra.log_mean();
    if json {
        let skipped: Vec<String> = spectra.skipped.iter().map(|b| b.to_string()).collect();
        return json_line(&serde_json::json!({
            x_name: mean.frequency,
            "power": mean.power,
            count_name: spectra.curves.len(),
            "skipped": skipped,
        }));
    }
    let mut out = format!("{x_name},power\n");
    for (f, p) in mean.frequency.iter().zip(&mean.power) {
        writeln!(out, "{f},{p:e}").expect("writing to a String cannot fail");
    }
    out
}

/// The `rapsd` command's JSON: the same curve as two arrays.
pub fn rapsd_json(spectra: &Spectra) -> String {
    let mean = spectra.log_mean();
    json_line(&serde_json::json!({
        "frequency": mean.frequency,
        "power": mean.power,
        "images": spectra.curves.len(),
        "skipped": skipped(spectra),
    }))
}

/// What `fit` reports: the power law of the log-mean RAPSD and a bootstrap 95% interval for α.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FitReport {
    pub alpha: f64,
    #[serde(rename = "C")]
    pub c: f64,
    pub alpha_low: f64,
    pub alpha_high: f64,
    pub images: usize,
    /// Files set aside (also reported on stderr).
    pub skipped: Vec<Skipped>,
}

impl FitReport {
    /// `key=value` lines, numbers in their shortest exact form.
    pub fn to_lines(&self) -> String {
        format!(
            "alpha={}\nC={:e}\nalpha_low={}\nalpha_high={}\nimages={}\n",
            self.alpha, self.c, self.alpha_low, self.alpha_high, self.images
        )
    }

    /// One JSON object on one line.
    pub fn to_json(&self) -> String {
        json_line(self)
    }
}

/// Fails when the curves have too few frequencies for a line (a tiny `--size`).
pub fn check_fittable(spectra: &Spectra) -> Result<()> {
    let beyond_dc = spectra.frequency.len().saturating_sub(1);
    if beyond_dc < 2 {
        bail!(
            "{}: too small to fit a power law: a line needs 2 frequencies besides DC, and the \
             RAPSD of a {} image has {beyond_dc} (at least 5 × 5 pixels are needed)",
            spectra.files[0].display(),
            size_text(spectra.shape),
        );
    }
    Ok(())
}

/// Fits the log-mean curve exactly as the book's chapters do (DC dropped, `fit_set`: the fit of
/// F5 and F17), and bootstraps α over the files with `resamples` draws from `seeded_rng(seed)`. The spectra must
/// have been settled with [`powerless`] as the rejection test.
pub fn fit(spectra: &Spectra, resamples: usize, seed: u64) -> Result<FitReport> {
    check_fittable(spectra)?;
    let frequency = &spectra.frequency[1..];
    let curves: Vec<&[f64]> = spectra.curves.iter().map(|c| &c[1..]).collect();
    let SetFit { law, interval, .. } = fit_set(frequency, &curves, resamples, seed);
    Ok(FitReport {
        alpha: law.alpha,
        c: law.c,
        alpha_low: interval.low,
        alpha_high: interval.high,
        images: spectra.curves.len(),
        skipped: skipped(spectra),
    })
}

/// RAPSD values at or below this are rounding error, not detail. Photos reach the spectrum as
/// `f32` pixels in [−1, 1] (resized in `f32`), and `f32` rounding alone leaves a floor near 1e-15
/// (a flat photo measures 1e-16 to 1e-15 beyond DC). Any real photo lies far above: the
/// quantisation noise of 16-bit pixels is (2/65535)²/12 ≈ 8e-11, of 8-bit ones 5e-6.
pub const NO_POWER: f64 = 1e-14;

/// The first frequency besides DC where a RAPSD (DC first) holds no power to speak of, if any.
/// Fitting a line to the logarithm of rounding errors would give a meaningless exponent.
pub fn powerless_frequency(frequency: &[f64], curve: &[f64]) -> Option<f64> {
    frequency
        .iter()
        .zip(curve)
        .skip(1)
        .find(|(_, p)| !(p.is_finite() && **p > NO_POWER))
        .map(|(f, _)| *f)
}

/// The rejection test of the fitting commands: a photo without power somewhere cannot be fitted.
pub fn powerless(frequency: &[f64], curve: &[f64]) -> Option<String> {
    powerless_frequency(frequency, curve).map(|f| {
        format!(
            "no power at frequency {f} (a flat image?): a power law needs power at every \
             frequency"
        )
    })
}

/// The `fmax` command's CSV: `t,f_max` at `steps + 1` evenly spaced times, from the log-mean RAPSD.
pub fn fmax_csv(spectra: &Spectra, schedule: &dyn Schedule, tau: f64, steps: usize) -> String {
    let mut out = String::from("t,f_max\n");
    for (t, f) in fmax_rows(spectra, schedule, tau, steps) {
        writeln!(out, "{t},{f}").expect("writing to a String cannot fail");
    }
    out
}

/// The `fmax` command's JSON: the same table as two arrays, with the settings that made it.
pub fn fmax_json(spectra: &Spectra, name: ScheduleName, tau: f64, steps: usize) -> String {
    let (t, f): (Vec<f64>, Vec<f64>) = fmax_rows(spectra, name.schedule().as_ref(), tau, steps)
        .into_iter()
        .unzip();
    json_line(&serde_json::json!({
        "schedule": name.name(),
        "tau": tau,
        "t": t,
        "f_max": f,
        "images": spectra.curves.len(),
        "skipped": skipped(spectra),
    }))
}

fn fmax_rows(
    spectra: &Spectra,
    schedule: &dyn Schedule,
    tau: f64,
    steps: usize,
) -> Vec<(f64, f64)> {
    let mean = spectra.log_mean();
    time_grid(steps)
        .into_iter()
        .map(|t| (t, f_max(schedule, &mean.frequency, &mean.power, t, tau)))
        .collect()
}

//! X15 (beyond the post): the diffusion loss as a weighting over spatial frequencies. For the
//! Gaussian model of the photos the best denoiser's squared error at frequency k and time t is the
//! Wiener posterior variance (1 − G(k, t))·P(k). A training loss weights the noise levels, so at
//! its optimum it weights the frequencies too: W(k) = ∫ p(t)·w(t)·(1 − G(k, t))·P(k) dt. Top: how
//! five common losses spread over the octaves of frequency; bottom: W(k)/P(k), their weight per
//! unit of each frequency's own power. Beside them, the contrast sensitivity of human vision
//! (Mannos & Sakrison, 1974) for a photo shown at one pixel per CSS reference pixel.
//!
//! Chapter: "Unstable equilibrium".
//! Run: `cargo run -p x15-frequency-weighting`.
//! Pieces: photos from `bookkit::data`; `GaussianModel` and `ring_mean` from
//! `spectral::gaussian_model`; `Wiener` (its `posterior_variance`) from `spectral::denoise`;
//! `NoiseSpectrum` from `spectral::noise_spectrum`; `RectifiedFlow` from `spectral::schedule`;
//! `RadialBins` from `spectral::spectrum`; charts from `bookkit::plot`; values from
//! `bookkit::values`.

use std::collections::BTreeMap;
use std::f64::consts::{LN_2, PI};

use anyhow::Result;
use bookkit::data::book_greens;
use bookkit::figure::save_svg;
use bookkit::plot::{
    BLACK, BLUE, Chart, Figure, GREEN, ORANGE, PURPLE, RGBColor, Rect, Scale, Series,
    SeriesLabelPosition, Style,
};
use bookkit::values::{Values, save_values, thousands};
use spectral::Field;
use spectral::denoise::Wiener;
use spectral::gaussian_model::{GaussianModel, ring_mean};
use spectral::noise_spectrum::NoiseSpectrum;
use spectral::schedule::{RectifiedFlow, Schedule};
use spectral::spectrum::RadialBins;

/// The quadrature grid over u = ln(σ/α): from −SPAN to SPAN in steps of STEP. Every loss below
/// has decayed by many orders of magnitude at both ends for the photos' range of powers.
const SPAN: f64 = 22.0;
const STEP: f64 = 0.02;

/// DDPM (Ho et al., 2020): T steps, β rising linearly from β₁ to β_T.
const DDPM_STEPS: usize = 1000;
const DDPM_BETA: (f64, f64) = (1e-4, 0.02);
/// SD3's logit-normal time density (Esser et al., 2024): logit(t) ~ N(m, s²).
const LOGIT_NORMAL: (f64, f64) = (0.0, 1.0);
/// EDM (Karras et al., 2022): ln σ ~ N(P_mean, P_std²), weight (σ² + σ_d²)/(σ·σ_d)².
const EDM_LOG_SIGMA: (f64, f64) = (-1.2, 1.2);
const EDM_SIGMA_DATA: f64 = 0.5;

/// The viewing condition: a photo pixel drawn as one CSS reference pixel, 1/96 inch seen from
/// 28 inches (the CSS specification's nominal arm's length).
const DPI: f64 = 96.0;
const VIEWING_INCHES: f64 = 28.0;

fn sigmoid(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

fn normal_density(x: f64, mean: f64, sd: f64) -> f64 {
    let z = (x - mean) / sd;
    (-0.5 * z * z).exp() / (sd * (2.0 * PI).sqrt())
}

// ANCHOR: weightings
/// A training loss as a measure over noise levels. Every Gaussian process with the same
/// noise-to-signal ratio q = σ/α leaves the same posterior for x₀, so each loss is written over
/// u = ln q: its `nodes` are (u, weight) pairs, the weight holding both the density of u and the
/// loss's factor on the squared error of x₀. Rectified flow's time is t = sigmoid(u), since
/// q = t/(1 − t).
struct Weighting {
    name: &'static str,
    nodes: Vec<(f64, f64)>,
}

/// A weighting from a density over u (trapezoid rule on the shared grid).
fn on_grid(name: &'static str, density: impl Fn(f64) -> f64) -> Weighting {
    let n = (2.0 * SPAN / STEP).round() as usize;
    let nodes = (0..=n)
        .map(|i| {
            let u = -SPAN + i as f64 * STEP;
            let end = if i == 0 || i == n { 0.5 } else { 1.0 };
            (u, density(u) * STEP * end)
        })
        .collect();
    Weighting { name, nodes }
}

fn weightings() -> Vec<Weighting> {
    // Rectified flow, x_t = (1 − t)·x₀ + t·ε, t uniform: dt = t(1 − t) du.
    let uniform_t = |u: f64| sigmoid(u) * (1.0 - sigmoid(u));
    // Its velocity target ε − x₀ is off by (x₀ − x̂₀)/t: weight 1/t².
    let velocity = |u: f64| 1.0 / sigmoid(u).powi(2);
    let (m, s) = LOGIT_NORMAL;
    let (p_mean, p_std) = EDM_LOG_SIGMA;
    let edm = |u: f64| {
        let (sigma2, data2) = ((2.0 * u).exp(), EDM_SIGMA_DATA * EDM_SIGMA_DATA);
        (sigma2 + data2) / (sigma2 * data2) * normal_density(u, p_mean, p_std)
    };
    vec![
        on_grid("x₀ error, uniform t (rectified flow)", uniform_t),
        on_grid("velocity, uniform t (rectified flow)", move |u| {
            uniform_t(u) * velocity(u)
        }),
        on_grid("velocity, logit-normal t (SD3)", move |u| {
            normal_density(u, m, s) * velocity(u)
        }),
        ddpm(),
        on_grid("EDM weighting, log-normal σ", edm),
    ]
}

/// DDPM's simple loss: the noise ε predicted, its squared error averaged over the T steps. The
/// ε error is the x₀ error times α²/σ², the step's SNR.
fn ddpm() -> Weighting {
    let (first, last) = DDPM_BETA;
    let mut alpha_bar = 1.0;
    let nodes = (0..DDPM_STEPS)
        .map(|i| {
            let beta = first + (last - first) * i as f64 / (DDPM_STEPS - 1) as f64;
            alpha_bar *= 1.0 - beta;
            let snr = alpha_bar / (1.0 - alpha_bar);
            (-0.5 * snr.ln(), snr / DDPM_STEPS as f64)
        })
        .collect();
    Weighting {
        name: "noise ε, uniform step (DDPM)",
        nodes,
    }
}
// ANCHOR_END: weightings

// ANCHOR: implied
/// W(k) = Σ weight·(1 − G(k, t))·P(k) over each loss's nodes: what every frequency bin contributes
/// to the loss at its optimum. The posterior variance at each distinct noise level is computed
/// once and shared by the losses that use it.
fn implied_weights(model: &GaussianModel, losses: &[Weighting]) -> Vec<Field> {
    let (rows, cols) = model.dim();
    let wiener = Wiener::new(RectifiedFlow, model, &NoiseSpectrum::white(rows, cols));
    let mut by_level: BTreeMap<u64, Vec<(usize, f64)>> = BTreeMap::new();
    for (i, loss) in losses.iter().enumerate() {
        for &(u, weight) in &loss.nodes {
            by_level.entry(u.to_bits()).or_default().push((i, weight));
        }
    }
    let mut implied = vec![Field::zeros(model.dim()); losses.len()];
    for (u, uses) in by_level {
        let variance = open_variance(&wiener, sigmoid(f64::from_bits(u)));
        for (i, weight) in uses {
            implied[i].scaled_add(weight, &variance);
        }
    }
    implied
}
// ANCHOR_END: implied

/// The Wiener filter's squared error per bin, (1 − G)·P, written as G·σ²/α² (the same, since
/// 1 − G = G/SNR). At low noise G is within a hair of 1 and `posterior_variance`'s 1 − G keeps
/// few correct digits, which the weights of the noise and velocity losses, growing without bound
/// there, would magnify; this form keeps them.
fn open_variance(wiener: &Wiener<RectifiedFlow>, t: f64) -> Field {
    let ratio = (RectifiedFlow.sigma(t) / RectifiedFlow.alpha(t)).powi(2);
    wiener.signal_fractions(t) * ratio
}

/// Mannos & Sakrison's contrast sensitivity at `f` cycles per degree (peak value about 1).
fn contrast_sensitivity(f: f64) -> f64 {
    2.6 * (0.0192 + 0.114 * f) * (-(0.114 * f).powf(1.1)).exp()
}

/// Where the contrast sensitivity peaks, in cycles per degree (a dense search: the formula's
/// derivative has no closed-form root).
fn peak_cpd() -> f64 {
    let grid = (1..=300_000).map(|i| f64::from(i) * 1e-4);
    grid.max_by(|a, b| contrast_sensitivity(*a).total_cmp(&contrast_sensitivity(*b)))
        .expect("a grid")
}

/// The band where the sensitivity is at least half its peak, in cycles per degree.
fn half_band_cpd() -> (f64, f64) {
    let half = contrast_sensitivity(peak_cpd()) / 2.0;
    let inside: Vec<f64> = (1..=600_000)
        .map(|i| f64::from(i) * 1e-4)
        .filter(|f| contrast_sensitivity(*f) >= half)
        .collect();
    (inside[0], inside[inside.len() - 1])
}

/// Pixels per degree of visual angle under the viewing condition.
fn pixels_per_degree() -> f64 {
    1.0 / (1.0 / (DPI * VIEWING_INCHES)).atan().to_degrees()
}

/// One loss's weighting per frequency ring.
struct Curve {
    /// Share of the loss in each ring (sums to one over the rings shown).
    per_ring: Vec<f64>,
    /// Share of the loss per octave of frequency (a density over log₂ f).
    per_octave: Vec<f64>,
    /// W(k)/P(k), averaged over each ring.
    per_power: Vec<f64>,
}

impl Curve {
    /// From the mean of W over each ring (DC first) and the rings' bin counts. Per octave, each
    /// ring counts with the area of its annulus, 2πr bins, rather than the bins rounding happens
    /// to give it: the rounded counts jump from ring to ring, and the density should not.
    fn of(mean: &[f64], counts: &[usize]) -> Curve {
        let rings = 1..mean.len();
        let exact: Vec<f64> = rings.clone().map(|r| mean[r] * counts[r] as f64).collect();
        let smooth: Vec<f64> = rings.map(|r| mean[r] * 2.0 * PI * r as f64).collect();
        let (sum_exact, sum_smooth) = (exact.iter().sum::<f64>(), smooth.iter().sum::<f64>());
        Curve {
            per_ring: exact.iter().map(|t| t / sum_exact).collect(),
            // Ring r spans 1/r of a unit of ln f: an octave holds r·ln 2 rings.
            per_octave: smooth
                .iter()
                .enumerate()
                .map(|(i, t)| t / sum_smooth * (i + 1) as f64 * LN_2)
                .collect(),
            per_power: Vec::new(),
        }
    }
}

pub struct Analysis {
    /// Ring frequencies in cycles per pixel, DC dropped.
    frequency: Vec<f64>,
    names: Vec<&'static str>,
    curves: Vec<Curve>,
    /// The contrast sensitivity at each ring frequency.
    sensitivity: Vec<f64>,
    ppd: f64,
}

fn compute() -> Result<Analysis> {
    let greens = book_greens()?;
    // ANCHOR: model
    let model = GaussianModel::fit(&greens)?;
    let losses = weightings();
    let implied = implied_weights(&model, &losses);
    // ANCHOR_END: model
    let (rows, cols) = model.dim();
    let bins = RadialBins::new(rows, cols);
    let curves = implied
        .iter()
        .map(|w| Curve {
            per_power: ring_mean(&bins, &(w / &model.power))[1..].to_vec(),
            ..Curve::of(&ring_mean(&bins, w), bins.counts())
        })
        .collect();
    let frequency = bins.frequencies()[1..].to_vec();
    let ppd = pixels_per_degree();
    let sensitivity = frequency
        .iter()
        .map(|f| contrast_sensitivity(f * ppd))
        .collect();
    let a = Analysis {
        frequency,
        names: losses.iter().map(|l| l.name).collect(),
        curves,
        sensitivity,
        ppd,
    };
    print!("{}", table(&a));
    Ok(a)
}

/// The ring at which a curve peaks.
fn peak(values: &[f64]) -> usize {
    (0..values.len())
        .max_by(|&i, &j| values[i].total_cmp(&values[j]))
        .expect("a curve has points")
}

fn table(a: &Analysis) -> String {
    let (lo, hi) = half_band_cpd();
    let mut out = format!(
        "viewing: {:.1} pixels per degree; contrast sensitivity peaks at {:.3} cycles/pixel and is \
         above half its peak from {:.3} to {:.3}\n\
         | loss | share per octave peaks at (cycles/pixel) | share in that band |\n|---|---|---|\n",
        a.ppd,
        peak_cpd() / a.ppd,
        lo / a.ppd,
        hi / a.ppd
    );
    for (name, c) in a.names.iter().zip(&a.curves) {
        out += &format!(
            "| {name} | {:.3} | {:.0}% |\n",
            a.frequency[peak(&c.per_octave)],
            100.0 * in_band(a, c)
        );
    }
    out
}

/// The names under which the chapter quotes each loss's numbers, in the order of `weightings`:
/// where its share per octave peaks, and its share in the band of keen vision.
const PEAK_NAMES: [&str; 5] = [
    "x15-peak-x0",
    "x15-peak-v",
    "x15-peak-vlogit",
    "x15-peak-eps",
    "x15-peak-edm",
];
const IN_BAND_NAMES: [&str; 5] = [
    "x15-in-band-x0",
    "x15-in-band-v",
    "x15-in-band-vlogit",
    "x15-in-band-eps",
    "x15-in-band-edm",
];

/// The share of a loss that falls in the band where vision is at least half as sensitive as
/// at its peak.
fn in_band(a: &Analysis, c: &Curve) -> f64 {
    let (lo, hi) = half_band_cpd();
    a.frequency
        .iter()
        .zip(&c.per_ring)
        .filter(|(f, _)| (lo..=hi).contains(&(**f * a.ppd)))
        .map(|(_, s)| s)
        .sum()
}

fn values(a: &Analysis) -> Values {
    let (lo, hi) = half_band_cpd();
    let mut v: Values = vec![
        ("x15-ddpm-steps", thousands(DDPM_STEPS as u64)),
        ("x15-inches", format!("{VIEWING_INCHES:.0}")),
        ("x15-dpi", format!("{DPI:.0}")),
        ("x15-ppd", format!("{:.1}", a.ppd)),
        ("x15-csf-peak-cpd", format!("{:.1}", peak_cpd())),
        ("x15-csf-peak", format!("{:.2}", peak_cpd() / a.ppd)),
        ("x15-band-low", format!("{:.3}", lo / a.ppd)),
        ("x15-band-high", format!("{:.2}", hi / a.ppd)),
    ];
    let x0_peak = a.frequency[peak(&a.curves[0].per_octave)];
    v.push(("x15-peak-x0-period", format!("{:.0}", 1.0 / x0_peak)));
    for ((peak_name, band_name), c) in PEAK_NAMES.iter().zip(IN_BAND_NAMES).zip(&a.curves) {
        v.push((
            peak_name,
            format!("{:.3}", a.frequency[peak(&c.per_octave)]),
        ));
        v.push((band_name, format!("{:.0}", 100.0 * in_band(a, c))));
    }
    v
}

const COLORS: [(RGBColor, Style); 5] = [
    (BLUE, Style::Line),
    (ORANGE, Style::Line),
    (ORANGE, Style::Dashed),
    (PURPLE, Style::Line),
    (GREEN, Style::Dotted),
];

fn draw(a: &Analysis) -> Result<()> {
    let f = &a.frequency;
    let range = (f[0] * 0.9, 0.55);
    let peak_of = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    let csf: Vec<f64> = {
        let top = peak_of(&a.sensitivity);
        a.sensitivity.iter().map(|s| s / top).collect()
    };
    let mut top = Chart::linear("", "share per octave (peak = 1)")
        .scales(Scale::Log, Scale::Linear)
        .x_range(range.0, range.1)
        .y_range(0.0, 1.05);
    // The legend goes where the lower chart is empty: low weights at high frequencies.
    let mut bottom = Chart::loglog()
        .labels("frequency (cycles/pixel)", "per unit of power (peak = 1)")
        .x_range(range.0, range.1)
        .y_range(1e-4, 1.5)
        .legend_at(SeriesLabelPosition::LowerRight);
    for ((name, c), (color, style)) in a.names.iter().zip(&a.curves).zip(COLORS) {
        let norm = |v: &[f64]| -> Vec<f64> {
            let p = peak_of(v);
            v.iter().map(|x| x / p).collect()
        };
        top = top.with(Series::new(f, &norm(&c.per_octave), color, style));
        bottom = bottom.with(Series::new(f, &norm(&c.per_power), color, style).label(name));
    }
    let csf_label = "contrast sensitivity (Mannos & Sakrison)";
    top = top.with(Series::new(f, &csf, BLACK, Style::Dashed).width(2.5));
    bottom = bottom.with(
        Series::new(f, &csf, BLACK, Style::Dashed)
            .width(2.5)
            .label(csf_label),
    );
    let mut fig = Figure::new(720.0, 700.0);
    fig.chart(Rect::new(0.0, 0.0, 720.0, 360.0), &top);
    fig.chart(Rect::new(0.0, 360.0, 720.0, 340.0), &bottom);
    save_svg(&fig.svg(), "x15-frequency-weighting.svg")?;
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
    use spectral::noise::seeded_rng;
    use std::sync::OnceLock;

    fn analysis() -> &'static Analysis {
        static A: OnceLock<Analysis> = OnceLock::new();
        A.get_or_init(|| compute().unwrap())
    }

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(analysis()));
    }

    /// Powers across the photos' range, one per bin of a small model (the Wiener filter works
    /// bin by bin, so a model is just a list of powers).
    const POWERS: [f64; 6] = [1e-4, 1e-2, 0.5, 1.0, 30.0, 3e3];

    fn toy_model() -> GaussianModel {
        GaussianModel {
            power: Field::from_shape_vec((1, POWERS.len()), POWERS.to_vec()).unwrap(),
        }
    }

    /// The listing's sums for the toy model, one row per loss.
    fn toy_weights() -> Vec<Vec<f64>> {
        implied_weights(&toy_model(), &weightings())
            .iter()
            .map(|w| w.iter().copied().collect())
            .collect()
    }

    fn close(got: f64, want: f64, rel: f64) -> bool {
        (got - want).abs() <= rel * want.abs()
    }

    #[test]
    fn uniform_time_losses_match_their_closed_forms() {
        let w = toy_weights();
        for (i, &p) in POWERS.iter().enumerate() {
            // Velocity, t ~ U(0, 1): ∫ P/((1 − t)²P + t²) dt = (π/2)·√P.
            let velocity = PI / 2.0 * p.sqrt();
            // x₀ error, t ~ U(0, 1): ∫ P t²/((1 − t)²P + t²) dt, by partial fractions.
            let a = p + 1.0;
            let x0 = p / a * (1.0 - p / a * (p.ln() + (1.0 - p) * PI / (2.0 * p.sqrt())));
            assert!(
                close(w[1][i], velocity, 1e-6),
                "P = {p}: {} vs {velocity}",
                w[1][i]
            );
            assert!(close(w[0][i], x0, 1e-6), "P = {p}: {} vs {x0}", w[0][i]);
        }
    }

    #[test]
    fn the_logit_normal_loss_matches_sd3s_density_integrated_in_time() {
        // SD3's density written in t, π(t) = φ(logit t)/(t(1 − t)), times the velocity factor
        // 1/t² and the posterior variance P t²/((1 − t)²P + t²), by the midpoint rule in t.
        let w = toy_weights();
        let n = 2_000_000;
        for (i, &p) in POWERS.iter().enumerate() {
            let mut sum = 0.0;
            for k in 0..n {
                let t = (k as f64 + 0.5) / n as f64;
                let logit = (t / (1.0 - t)).ln();
                let density = normal_density(logit, 0.0, 1.0) / (t * (1.0 - t));
                let variance = p * t * t / ((1.0 - t).powi(2) * p + t * t);
                sum += density * variance / (t * t);
            }
            let want = sum / n as f64;
            assert!(close(w[2][i], want, 1e-5), "P = {p}: {} vs {want}", w[2][i]);
        }
    }

    #[test]
    fn the_ddpm_loss_is_the_mean_noise_error_over_its_steps() {
        // The Wiener filter's ε error per bin is G = α²P/(α²P + σ²): averaged over DDPM's steps
        // with α² = ᾱ and σ² = 1 − ᾱ, computed here from the cumulative product directly.
        let w = toy_weights();
        let (first, last) = DDPM_BETA;
        for (i, &p) in POWERS.iter().enumerate() {
            let mut alpha_bar = 1.0;
            let mut sum = 0.0;
            for step in 1..=DDPM_STEPS {
                let beta = first + (last - first) * (step - 1) as f64 / (DDPM_STEPS - 1) as f64;
                alpha_bar *= 1.0 - beta;
                sum += alpha_bar * p / (alpha_bar * p + 1.0 - alpha_bar);
            }
            let want = sum / DDPM_STEPS as f64;
            assert!(close(w[3][i], want, 1e-9), "P = {p}: {} vs {want}", w[3][i]);
        }
    }

    #[test]
    fn the_edm_loss_matches_its_average_over_random_noise_levels() {
        // EDM as trained: ln σ drawn from N(P_mean, P_std²), loss weight λ(σ) times the x₀
        // posterior variance of x = x₀ + σε, P σ²/(P + σ²). Monte Carlo, so within its error.
        let w = toy_weights();
        let (p_mean, p_std) = EDM_LOG_SIGMA;
        let draws: Vec<f64> = spectral::noise::gaussian_field(1, 400_000, 1.0, &mut seeded_rng(3))
            .into_iter()
            .collect();
        for (i, &p) in POWERS.iter().enumerate() {
            let terms: Vec<f64> = draws
                .iter()
                .map(|z| {
                    let s2 = (2.0 * (p_mean + p_std * z)).exp();
                    let d2 = EDM_SIGMA_DATA * EDM_SIGMA_DATA;
                    (s2 + d2) / (s2 * d2) * p * s2 / (p + s2)
                })
                .collect();
            let n = terms.len() as f64;
            let mean = terms.iter().sum::<f64>() / n;
            let sd = (terms.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / n).sqrt();
            let z = (w[4][i] - mean) / (sd / n.sqrt());
            assert!(
                z.abs() < 4.5,
                "P = {p}: {} vs {mean} ± {}",
                w[4][i],
                sd / n.sqrt()
            );
        }
    }

    #[test]
    fn every_loss_puts_more_weight_on_stronger_frequencies_per_bin() {
        // W(k) grows with P(k) for every loss: a stronger frequency leaves more error open at
        // every noise level. (The shares per octave differ because rings hold more bins at high
        // frequency.)
        for row in toy_weights() {
            assert!(row.windows(2).all(|w| w[0] < w[1]), "{row:?}");
        }
    }

    /// A curve relative to its own peak.
    fn relative(v: &[f64]) -> Vec<f64> {
        let top = v.iter().copied().fold(0.0, f64::max);
        v.iter().map(|x| x / top).collect()
    }

    #[test]
    fn the_chapter_reads_the_figure_right() {
        let a = analysis();
        let csf = peak_cpd() / a.ppd;
        let at_csf = a.frequency.iter().position(|f| *f >= csf).unwrap();
        let peaks: Vec<f64> = a
            .curves
            .iter()
            .map(|c| a.frequency[peak(&c.per_octave)])
            .collect();
        // The x₀ error peaks more than an octave below the sensitivity's peak; the velocity
        // loss (uniform), DDPM's and EDM's more than an octave above it.
        assert!(peaks[0] < csf / 2.0, "{peaks:?} {csf}");
        for i in [1, 3, 4] {
            assert!(peaks[i] > 2.0 * csf, "{peaks:?} {csf}");
        }
        // Only SD3's density is near its plateau at the sensitivity's peak.
        let there: Vec<f64> = a
            .curves
            .iter()
            .map(|c| relative(&c.per_octave)[at_csf])
            .collect();
        assert!(there[2] > 0.85, "{there:?}");
        for i in [0, 1, 3, 4] {
            assert!(there[i] < 0.8, "{there:?}");
        }
        // DDPM's and EDM's shares nearly coincide.
        let (ddpm, edm) = (
            relative(&a.curves[3].per_octave),
            relative(&a.curves[4].per_octave),
        );
        let gap = ddpm
            .iter()
            .zip(&edm)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(gap < 0.1, "{gap}");
        // Per unit of power, every loss charges the finest frequencies more than the coarsest and
        // more than those at the sensitivity's peak.
        for c in &a.curves {
            let (first, last) = (c.per_power[0], c.per_power[c.per_power.len() - 1]);
            assert!(last > first && last > c.per_power[at_csf], "{first} {last}");
        }
    }

    #[test]
    fn the_open_variance_is_the_librarys_posterior_variance() {
        // Where 1 − G is not tiny the two forms agree to rounding; at low noise the library's
        // loses digits (the reason for the other form), so only mid and high noise are compared.
        let model = toy_model();
        let wiener = Wiener::new(
            RectifiedFlow,
            &model,
            &NoiseSpectrum::white(1, POWERS.len()),
        );
        for t in [0.3, 0.5, 0.8, 0.99] {
            let (ours, library) = (open_variance(&wiener, t), wiener.posterior_variance(t));
            for (a, b) in ours.iter().zip(&library) {
                assert!(close(*a, *b, 1e-9), "t = {t}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn the_contrast_sensitivity_peaks_where_the_formula_says() {
        // dA/df = 0 where 1.1·x^0.1·(0.0192 + x) = 1 with x = 0.114 f: about 7.89 cycles/degree.
        let f = peak_cpd();
        let x = 0.114 * f;
        assert!((1.1 * x.powf(0.1) * (0.0192 + x) - 1.0).abs() < 1e-3, "{f}");
        // The CSS reference pixel: about 0.0213° of visual angle.
        assert!((1.0 / pixels_per_degree() - 0.0213).abs() < 1e-4);
    }
}

//! X16, X17 and X18 (beyond the post): the same photos at four resolutions, and why a larger image
//! needs a noise schedule shifted towards more noise. X16: their mean spectra in cycles per pixel
//! and in cycles per image, against the noise at t = 1/2. X17: f_max(t) in cycles per image at each
//! resolution, unshifted and with Stable Diffusion 3's timestep shift. X18: the same for the
//! G = 1/2 contour of the Gaussian model of each resolution.
//!
//! Chapter: "Resolution and the schedule".
//! Run: `cargo run -p x16-resolution`.
//! Pieces: the photos at several sizes from `bookkit::data` (`book_greens_at_sizes`);
//! `log_mean_rapsd` from `spectral::spectrum`; `fit_power_law` and `least_squares_line` from
//! `spectral::fit`; `RectifiedFlow`, `ShiftedFlow`, `LogSnrShift`, `f_max` and
//! `time_at_threshold` from `spectral::schedule`; `GaussianModel` from `spectral::gaussian_model`
//! with `ring_mean`, and `signal_fraction` from `spectral::denoise`; charts from `bookkit::plot`,
//! side by side on the desktop and stacked on a phone by `bookkit::figure`.

use std::ops::RangeInclusive;

use anyhow::Result;
use bookkit::colormap::VIRIDIS;
use bookkit::data::book_greens_at_sizes;
use bookkit::figure::{chart_row, save_responsive};
use bookkit::plot::{Chart, GREY, RGBColor, Scale, Series, Style};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::denoise::signal_fraction;
use spectral::fit::{PowerLaw, fit_power_law, least_squares_line};
use spectral::gaussian_model::{GaussianModel, ring_mean};
use spectral::schedule::{
    LogSnrShift, RectifiedFlow, Schedule, ShiftedFlow, f_max, time_at_threshold, time_grid,
};
use spectral::spectrum::{RadialBins, Rapsd, log_mean_rapsd};

/// The sides the photos are prepared at, in pixels. The first is the base resolution, the one the
/// unshifted schedule is meant for.
const SIZES: [u32; 4] = [64, 128, 256, 512];
/// The SNR threshold of f_max, as in the post.
const TAU: f64 = 1.0;
/// The coarse content timed in the table: the lowest 8 cycles per image.
const KEPT: usize = 8;
/// Steps of the time grids of the curves.
const STEPS: usize = 500;

/// The frequencies, in cycles per image, that every resolution has: 1 to 31, the base's rings.
fn common_rings() -> RangeInclusive<usize> {
    1..=(SIZES[0] as usize / 2 - 1)
}

/// Ratio of a side to the base side.
fn ratio(side: u32) -> f64 {
    f64::from(side) / f64::from(SIZES[0])
}

/// The photos at one resolution.
struct Resolution {
    side: u32,
    /// Log-domain mean RAPSD of the photos, DC dropped: `power[k - 1]` at k cycles per image.
    mean: Rapsd,
    /// Its power law in cycles per pixel.
    law: PowerLaw,
    /// The Gaussian model's ring-mean G = 1/2 time under rectified flow, rings 1 … side/2 − 1.
    half: Vec<f64>,
}

impl Resolution {
    /// Frequencies of `mean` in cycles per image.
    fn per_image(&self) -> Vec<f64> {
        self.mean
            .frequency
            .iter()
            .map(|f| f * f64::from(self.side))
            .collect()
    }
}

/// The three clocks compared: the unshifted schedule, the log-SNR shift by the growth the
/// photos' power law predicts, and SD3's timestep shift with s the ratio of the sides.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Clock {
    Unshifted,
    PowerLaw(f64),
    Usual,
}

impl Clock {
    // ANCHOR: clocks
    /// The schedule a resolution of side `side` runs on.
    fn schedule(self, side: u32) -> Box<dyn Schedule> {
        let r = ratio(side);
        match self {
            Clock::Unshifted => Box::new(RectifiedFlow),
            // The law predicts SNR ∝ d^γ at a fixed frequency per image: take γ·ln(d/d₀) off.
            Clock::PowerLaw(gamma) => Box::new(LogSnrShift {
                base: RectifiedFlow,
                delta: -gamma * r.ln(),
            }),
            // SD3: s = √(m/n) for pixel counts m and n, the ratio of the sides.
            Clock::Usual => Box::new(ShiftedFlow { s: r }),
        }
    }
    // ANCHOR_END: clocks
}

// ANCHOR: prepare
/// The photos at every size, their spectra and power laws, and their Gaussian models.
fn resolutions(greens: &[Vec<Field>]) -> Result<Vec<Resolution>> {
    SIZES
        .iter()
        .zip(greens)
        .map(|(&side, fields)| {
            let mean = log_mean_rapsd(fields).without_dc();
            let law = fit_power_law(&mean.frequency, &mean.power);
            let half = half_times(&GaussianModel::fit(fields)?);
            Ok(Resolution {
                side,
                mean,
                law,
                half,
            })
        })
        .collect()
}
// ANCHOR_END: prepare

// ANCHOR: growth
/// How the photos' power at one frequency grows with the side d, as d^slope: the least-squares
/// slope of ln R against ln d. `bin(side, j)` picks the bin of the j-th frequency compared; each
/// frequency is centred on its mean over the sizes, so that only the growth with d is left.
fn growth(res: &[Resolution], bin: impl Fn(u32, usize) -> usize) -> f64 {
    let centre = |v: Vec<f64>| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.into_iter().map(move |x| x - m)
    };
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for j in common_rings() {
        x.extend(centre(res.iter().map(|r| f64::from(r.side).ln()).collect()));
        y.extend(centre(
            res.iter()
                .map(|r| r.mean.power[bin(r.side, j) - 1].ln())
                .collect(),
        ));
    }
    least_squares_line(&x, &y).0
}

/// γ: the growth at a fixed frequency per image, j cycles per image (ring j at every size).
fn per_image_growth(res: &[Resolution]) -> f64 {
    growth(res, |_, j| j)
}

/// β: the growth at a fixed frequency per pixel, j/64 cycles per pixel (ring j·d/64 at side d).
fn per_pixel_growth(res: &[Resolution]) -> f64 {
    growth(res, |side, j| j * side as usize / SIZES[0] as usize)
}

/// The exponent of the photos' power law: the mean of the four sizes' fitted exponents.
fn mean_exponent(res: &[Resolution]) -> f64 {
    res.iter().map(|r| r.law.alpha).sum::<f64>() / res.len() as f64
}
// ANCHOR_END: growth

// ANCHOR: drown
/// The time at which each frequency 1 … 31 cycles per image drowns (its power meets the
/// threshold τσ²/α²) at one resolution, on a clock.
fn drowning_times(r: &Resolution, clock: Clock) -> Vec<f64> {
    let schedule = clock.schedule(r.side);
    common_rings()
        .map(|k| time_at_threshold(schedule.as_ref(), r.mean.power[k - 1], TAU))
        .collect()
}

/// How far apart the resolutions' curves stay: for each frequency the spread (latest minus
/// earliest) of its time over the resolutions; returns the largest spread over the frequencies,
/// and the frequency (cycles per image) where it is.
fn collapse_gap(times: &[Vec<f64>]) -> (f64, usize) {
    let spread = |j: usize| {
        let at = times.iter().map(|t| t[j]);
        at.clone().fold(f64::MIN, f64::max) - at.fold(f64::MAX, f64::min)
    };
    common_rings()
        .map(|k| (spread(k - 1), k))
        .fold((0.0, 0), |a, b| if b.0 > a.0 { b } else { a })
}
// ANCHOR_END: drown

/// The time from which f_max is below `k` cycles per image: every frequency from `k` up has
/// drowned, which happens when the threshold reaches the largest power among them.
fn time_below(r: &Resolution, clock: Clock, k: usize) -> f64 {
    let level = r.mean.power[k - 1..].iter().copied().fold(0.0, f64::max);
    time_at_threshold(clock.schedule(r.side).as_ref(), level, TAU)
}

/// f_max(t) in cycles per image at one resolution on a clock, on the grid `t`.
fn f_max_per_image(r: &Resolution, clock: Clock, t: &[f64]) -> Vec<f64> {
    let schedule = clock.schedule(r.side);
    let (f, p) = (&r.mean.frequency, &r.mean.power);
    t.iter()
        .map(|&t| f_max(schedule.as_ref(), f, p, t, TAU) * f64::from(r.side))
        .collect()
}

// ANCHOR: half
/// For every ring 1 … L/2 − 1 of a Gaussian model, the time at which its ring-mean G falls
/// through 1/2 under rectified flow: G = SNR/(1 + SNR) per bin (the library's `signal_fraction`,
/// white noise) averaged over each ring on a grid of times, the crossing interpolated linearly
/// between the two grid times around it.
fn half_times(model: &GaussianModel) -> Vec<f64> {
    let (rows, cols) = model.dim();
    let bins = RadialBins::new(rows, cols);
    let t = time_grid(HALF_STEPS);
    let g: Vec<Vec<f64>> = t
        .iter()
        .map(|&t| {
            let (a, s) = (RectifiedFlow.alpha(t), RectifiedFlow.sigma(t));
            ring_mean(&bins, &model.power.mapv(|p| signal_fraction(a, s, p, 1.0)))
        })
        .collect();
    (1..g[0].len())
        .map(|ring| {
            let i = (1..t.len())
                .find(|&i| g[i][ring] < 0.5)
                .unwrap_or(t.len() - 1);
            let (g0, g1) = (g[i - 1][ring], g[i][ring]);
            t[i - 1] + (t[i] - t[i - 1]) * (g0 - 0.5) / (g0 - g1)
        })
        .collect()
}

/// A rectified-flow time moved onto another clock: the time at which that clock reaches the same
/// SNR, so the same G (the Gaussian model's G depends on the schedule only through the SNR).
fn on_clock(t: f64, clock: Clock, side: u32) -> f64 {
    let level = RectifiedFlow.detection_threshold(t, 1.0);
    time_at_threshold(clock.schedule(side).as_ref(), level, 1.0)
}
// ANCHOR_END: half

/// Steps of the time grid the G = 1/2 crossings are interpolated on.
const HALF_STEPS: usize = 200;

/// The G = 1/2 times of rings 1 … 31 at one resolution, on a clock.
fn half_on_clock(r: &Resolution, clock: Clock) -> Vec<f64> {
    common_rings()
        .map(|k| on_clock(r.half[k - 1], clock, r.side))
        .collect()
}

/// One clock's verdict: how far apart the resolutions stay, for f_max and for G = 1/2.
struct Collapse {
    /// The collapse gap in t, and the frequency (cycles per image) where it is largest.
    gap: (f64, usize),
    gauss_gap: (f64, usize),
    /// Per resolution, when f_max falls below `KEPT` cycles per image.
    kept: Vec<f64>,
}

struct Analysis {
    photos: usize,
    left_out: usize,
    res: Vec<Resolution>,
    gamma: f64,
    /// The power law's exponent α (mean over sizes) and β, the growth per pixel.
    laws: (f64, f64),
    clocks: Vec<Collapse>,
}

fn collapse(res: &[Resolution], clock: Clock) -> Collapse {
    let times: Vec<Vec<f64>> = res.iter().map(|r| drowning_times(r, clock)).collect();
    let half: Vec<Vec<f64>> = res.iter().map(|r| half_on_clock(r, clock)).collect();
    Collapse {
        gap: collapse_gap(&times),
        gauss_gap: collapse_gap(&half),
        kept: res.iter().map(|r| time_below(r, clock, KEPT)).collect(),
    }
}

fn compute() -> Result<Analysis> {
    // ANCHOR: load
    let (names, greens) = book_greens_at_sizes(&SIZES)?;
    let res = resolutions(&greens)?;
    // ANCHOR_END: load
    let all = bookkit::data::image_files(&[bookkit::data::default_images_dir()])?.len();
    let gamma = per_image_growth(&res);
    let laws = (mean_exponent(&res), per_pixel_growth(&res));
    let clocks = [
        Clock::Unshifted,
        Clock::PowerLaw(laws.0 + laws.1),
        Clock::Usual,
    ]
    .into_iter()
    .map(|c| collapse(&res, c))
    .collect();
    let a = Analysis {
        photos: names.len(),
        left_out: all - names.len(),
        res,
        gamma,
        laws,
        clocks,
    };
    print!("{}", table(&a));
    Ok(a)
}

/// f_max at t = 1/2 in cycles per image, on the unshifted schedule.
fn fmax_half(r: &Resolution) -> f64 {
    f_max(&RectifiedFlow, &r.mean.frequency, &r.mean.power, 0.5, TAU) * f64::from(r.side)
}

fn table(a: &Analysis) -> String {
    let mut out = String::from(
        "| side (px) | α | f_max(0.5), cycles/image | t₈ | t₈, power-law shift | t₈, SD3 shift |\n\
         |---|---|---|---|---|---|\n",
    );
    for (i, r) in a.res.iter().enumerate() {
        out += &format!(
            "| {} | {:.3} | {:.0} | {:.3} | {:.3} | {:.3} |\n",
            r.side,
            r.law.alpha,
            fmax_half(r),
            a.clocks[0].kept[i],
            a.clocks[1].kept[i],
            a.clocks[2].kept[i],
        );
    }
    out
}

/// The sizes as the prose lists them: "64, 128, 256 and 512".
fn sizes_in_words() -> String {
    let text: Vec<String> = SIZES.iter().map(u32::to_string).collect();
    let (last, rest) = text.split_last().expect("sizes");
    format!("{} and {last}", rest.join(", "))
}

fn values(a: &Analysis) -> Values {
    let (alpha, beta) = a.laws;
    let c = &a.clocks;
    vec![
        ("res-photos", a.photos.to_string()),
        ("res-sizes", sizes_in_words()),
        ("res-smallest", SIZES[0].to_string()),
        ("res-largest", SIZES[SIZES.len() - 1].to_string()),
        ("res-kept", KEPT.to_string()),
        ("res-common", (SIZES[0] / 2 - 1).to_string()),
        ("res-left-out", a.left_out.to_string()),
        ("res-table", table(a).trim_end().to_string()),
        ("res-gamma", format!("{:.2}", a.gamma)),
        ("res-alpha", format!("{alpha:.2}")),
        ("res-beta", format!("{beta:.2}")),
        ("res-gamma-law", format!("{:.2}", alpha + beta)),
        ("res-gap-none", format!("{:.3}", c[0].gap.0)),
        ("res-gap-law", format!("{:.3}", c[1].gap.0)),
        ("res-gap-usual", format!("{:.3}", c[2].gap.0)),
        ("res-gap-usual-at", c[2].gap.1.to_string()),
        ("res-gauss-gap-none", format!("{:.3}", c[0].gauss_gap.0)),
        ("res-gauss-gap-law", format!("{:.3}", c[1].gauss_gap.0)),
        ("res-gauss-gap-usual", format!("{:.3}", c[2].gauss_gap.0)),
        ("res-gauss-gap-usual-at", c[2].gauss_gap.1.to_string()),
        ("res-fmax-half-64", format!("{:.0}", fmax_half(&a.res[0]))),
        ("res-fmax-half-512", format!("{:.0}", fmax_half(&a.res[3]))),
        // The log-SNR shift at 512 against 64: the usual 2·ln 8 and the power law's γ·ln 8.
        (
            "res-shift-usual",
            format!("{:.2}", 2.0 * ratio(SIZES[3]).ln()),
        ),
        (
            "res-shift-law",
            format!("{:.2}", (alpha + beta) * ratio(SIZES[3]).ln()),
        ),
        // On the shifted clock, when the 512-pixel photos are down to the base's frequencies.
        (
            "res-extra-t",
            format!(
                "{:.3}",
                time_below(&a.res[3], Clock::Usual, common_rings().end() + 1)
            ),
        ),
    ]
}

/// One colour per resolution, from viridis (ordered, and apart for colour-blind readers), with a
/// line style each as well.
fn look(i: usize) -> (RGBColor, Style) {
    let c = VIRIDIS.at([0.0, 0.33, 0.62, 0.85][i]).0;
    let style = [Style::Line, Style::Dashed, Style::Line, Style::Dashed][i];
    (RGBColor(c[0], c[1], c[2]), style)
}

fn label(r: &Resolution) -> String {
    format!("{0} × {0}", r.side)
}

fn draw_spectra(a: &Analysis) -> Result<()> {
    let mut per_pixel = Chart::loglog();
    let mut per_image = Chart::loglog().labels("frequency (cycles/image)", "");
    for (i, r) in a.res.iter().enumerate() {
        let (color, style) = look(i);
        per_pixel = per_pixel
            .with(Series::new(&r.mean.frequency, &r.mean.power, color, style).label(&label(r)));
        per_image = per_image.with(Series::new(&r.per_image(), &r.mean.power, color, style));
    }
    let top = f64::from(SIZES[3]) / 2.0;
    per_image = per_image
        .with(Series::new(&[1.0, top], &[1.0, 1.0], GREY, Style::Dotted).label("noise at t = 0.5"));
    let charts = [per_pixel, per_image];
    save_responsive("x16-resolution-spectra.svg", |column| {
        chart_row(column, &charts, 400.0)
    })
}

/// Two charts of a curve per size against the time step: with one schedule for every size
/// (left, or above on a phone) and with SD3's shift (right, or below). Only the first names its
/// y axis and the sizes; `mark`, if given, is a dotted level labelled on the second.
fn curve_pair(
    a: &Analysis,
    y_label: &str,
    mark: Option<f64>,
    curve: impl Fn(&Resolution, Clock) -> (Vec<f64>, Vec<f64>),
) -> [Chart; 2] {
    let panels = [
        (Clock::Unshifted, "one schedule for every size"),
        (Clock::Usual, "SD3's shift, s = side / 64"),
    ];
    panels.map(|(clock, title)| {
        let first = clock == Clock::Unshifted;
        let mut chart = Chart::linear("time step t", if first { y_label } else { "" })
            .title(title)
            .scales(Scale::Linear, Scale::Log)
            .x_range(0.0, 1.0)
            .y_range(0.8, 300.0);
        for (i, r) in a.res.iter().enumerate() {
            let (color, style) = look(i);
            let (x, y) = curve(r, clock);
            let series = Series::new(&x, &y, color, style);
            chart = chart.with(if first {
                series.label(&label(r))
            } else {
                series
            });
        }
        if let Some(k) = mark {
            let line = Series::new(&[0.0, 1.0], &[k, k], GREY, Style::Dotted);
            let text = format!("{k} cycles/image");
            chart = chart.with(if first { line } else { line.label(&text) });
        }
        chart
    })
}

fn draw(a: &Analysis) -> Result<()> {
    draw_spectra(a)?;
    let t = time_grid(STEPS);
    let fmax = curve_pair(
        a,
        "f_{max} (cycles/image)",
        Some(KEPT as f64),
        |r, clock| (t.clone(), f_max_per_image(r, clock, &t)),
    );
    save_responsive("x17-resolution-fmax.svg", |column| {
        chart_row(column, &fmax, 420.0)
    })?;
    let contour = curve_pair(
        a,
        "frequency at G = 1/2 (cycles/image)",
        None,
        |r, clock| {
            let x = r.half.iter().map(|&t| on_clock(t, clock, r.side)).collect();
            let y = (1..=r.half.len()).map(|k| k as f64).collect();
            (x, y)
        },
    );
    save_responsive("x18-resolution-contour.svg", |column| {
        chart_row(column, &contour, 420.0)
    })
}

fn main() -> Result<()> {
    let analysis = compute()?;
    save_values(&values(&analysis))?;
    draw(&analysis)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::noise::{gaussian_field, seeded_rng};
    use spectral::schedule::timestep_shift;
    use spectral::spectrum::rapsd;
    use std::sync::OnceLock;

    fn analysis() -> &'static Analysis {
        static A: OnceLock<Analysis> = OnceLock::new();
        A.get_or_init(|| compute().unwrap())
    }

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(analysis()));
    }

    /// Photos at the four sizes whose spectrum is exactly R_d(k) = c·d^γ·k^(−α): a power law in
    /// cycles per image whose level grows as d^γ, so per pixel it is c·d^(γ−α)·f^(−α).
    fn exact_family(gamma: f64, alpha: f64) -> Vec<Resolution> {
        SIZES
            .iter()
            .map(|&side| {
                let d = f64::from(side);
                let rings: Vec<f64> = (1..side / 2).map(f64::from).collect();
                let power = rings
                    .iter()
                    .map(|k| 0.05 * d.powf(gamma) * k.powf(-alpha))
                    .collect();
                let mean = Rapsd {
                    frequency: rings.iter().map(|k| k / d).collect(),
                    power,
                };
                let law = fit_power_law(&mean.frequency, &mean.power);
                Resolution {
                    side,
                    mean,
                    law,
                    half: Vec::new(),
                }
            })
            .collect()
    }

    #[test]
    fn a_wave_across_the_image_gains_power_with_the_pixel_count_and_noise_does_not() {
        // The same content, 5 cycles across the image, sampled at 64 and at 512 pixels: its ring
        // holds (512/64)² = 64 times the power. Standard noise has power 1 at both sizes.
        let wave = |d: usize| {
            Field::from_shape_fn((d, d), |(i, j)| {
                let (x, y) = (j as f64 / d as f64, i as f64 / d as f64);
                (std::f64::consts::TAU * (5.0 * x + 2.0 * y)).cos()
            })
        };
        let ring = ((5.0f64).hypot(2.0)).round() as usize;
        let (small, large) = (rapsd(&wave(64)), rapsd(&wave(512)));
        let gain = large.power[ring] / small.power[ring];
        assert!((gain - 64.0).abs() < 1e-9, "{gain}");
        // (Mean over the rings and over 64 draws at 64 pixels, one draw at 512: 2¹⁸ pixels each.)
        for (d, draws) in [(64, 64), (512, 1)] {
            let mut rng = seeded_rng(d as u64);
            let level = (0..draws)
                .map(|_| {
                    let p = rapsd(&gaussian_field(d, d, 1.0, &mut rng)).power;
                    p[1..].iter().sum::<f64>() / (p.len() - 1) as f64
                })
                .sum::<f64>()
                / draws as f64;
            assert!((level - 1.0).abs() < 0.02, "{d}: {level}");
        }
    }

    #[test]
    fn the_growths_recover_the_exponents_of_an_exact_family() {
        for (gamma, alpha) in [(2.0, 2.4), (1.5, 2.0), (2.3, 3.1)] {
            let res = exact_family(gamma, alpha);
            assert!((per_image_growth(&res) - gamma).abs() < 1e-9);
            assert!((per_pixel_growth(&res) - (gamma - alpha)).abs() < 1e-9);
            assert!((mean_exponent(&res) - alpha).abs() < 1e-9);
        }
    }

    #[test]
    fn the_right_shift_collapses_an_exact_family_and_no_other_does() {
        // SNR ∝ d² at every frequency per image: SD3's shift (s = d/64) and the log-SNR shift by
        // 2·ln(d/64) leave no gap at all; none, or a shift by the wrong exponent, does.
        let res = exact_family(2.0, 2.4);
        let gap = |clock| {
            let times: Vec<Vec<f64>> = res.iter().map(|r| drowning_times(r, clock)).collect();
            collapse_gap(&times).0
        };
        assert!(gap(Clock::Usual) < 1e-9 && gap(Clock::PowerLaw(2.0)) < 1e-9);
        assert!(gap(Clock::Unshifted) > 0.3 && gap(Clock::PowerLaw(1.8)) > 0.01);
    }

    #[test]
    fn drowning_times_are_the_rectified_flow_formula_on_each_clock() {
        // Unshifted: (t/(1 − t))² = P, t = √P/(1 + √P); SD3's clock reaches it at the time the
        // shift by 1/s maps t to.
        for r in &analysis().res {
            let (plain, shifted) = (
                drowning_times(r, Clock::Unshifted),
                drowning_times(r, Clock::Usual),
            );
            for k in common_rings() {
                let q = r.mean.power[k - 1].sqrt();
                let t = q / (1.0 + q);
                assert!((plain[k - 1] - t).abs() < 1e-12);
                let back = timestep_shift(t, 1.0 / ratio(r.side));
                assert!((shifted[k - 1] - back).abs() < 1e-9, "{} {k}", r.side);
            }
        }
    }

    #[test]
    fn the_half_times_agree_with_the_librarys_bisection() {
        // The grid-interpolated crossings against `commitment::half_times` (bisection on the
        // closed form), at the base size.
        let (_, greens) = book_greens_at_sizes(&SIZES[..1]).unwrap();
        let model = GaussianModel::fit(&greens[0]).unwrap();
        let (rows, cols) = model.dim();
        let noise = spectral::noise_spectrum::NoiseSpectrum::white(rows, cols);
        let want = spectral::commitment::half_times(&RectifiedFlow, &model, &noise);
        let got = half_times(&model);
        assert_eq!(got.len(), want.len() - 1);
        for (ring, (g, w)) in got.iter().zip(&want[1..]).enumerate() {
            assert!((g - w).abs() < 2e-3, "ring {}: {g} vs {w}", ring + 1);
        }
    }

    #[test]
    fn exactly_the_photos_with_a_short_side_of_512_or_more_are_used() {
        // The sizes as data/images/SOURCES.md lists them ("451×300 (kept)"), read independently
        // of the decoder.
        let sources =
            std::fs::read_to_string(bookkit::data::default_images_dir().join("SOURCES.md"))
                .unwrap();
        let mut large = 0;
        for line in sources.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let size = cells[2].split_whitespace().next().unwrap();
            let (w, h) = size.split_once('×').unwrap();
            let short: u32 = w.parse::<u32>().unwrap().min(h.parse().unwrap());
            large += usize::from(short >= SIZES[3]);
        }
        let a = analysis();
        assert_eq!(a.photos, large);
        assert_eq!(a.photos + a.left_out, 30);
    }

    #[test]
    fn on_one_schedule_larger_images_keep_their_content_longer_and_the_shift_undoes_it() {
        let a = analysis();
        let kept = &a.clocks[0].kept;
        assert!(kept.windows(2).all(|w| w[1] > w[0] + 0.1), "{kept:?}");
        // The spectra per image grow as d² (the usual exponent) within 0.1.
        assert!((a.gamma - 2.0).abs() < 0.1, "{}", a.gamma);
        let [none, law, usual] = [0, 1, 2].map(|i| a.clocks[i].gap.0);
        assert!(
            none > 0.4 && usual < 0.02 && law < none / 4.0,
            "{none} {law} {usual}"
        );
        let [none, usual] = [0, 2].map(|i| a.clocks[i].gauss_gap.0);
        assert!(none > 0.4 && usual < 0.03, "{none} {usual}");
        // Every size keeps everything at t = 0 and nothing at t = 1.
        for r in &a.res {
            let f = f_max_per_image(r, Clock::Usual, &[0.0, 1.0]);
            assert_eq!(f, vec![f64::from(r.side / 2 - 1), 0.0]);
        }
    }
}

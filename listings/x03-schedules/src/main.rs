//! X3 (beyond the post): f_max for three common schedules, from the photos' mean spectrum with
//! τ = 1. Left, f_max(t) for rectified flow, the variance-preserving cosine schedule and EDM's σ
//! grid, on F11's axes. Right, the same against the noise-to-signal ratio σ/α on log-log axes:
//! one curve for all schedules (the spectrum read sideways), with each schedule's t = 0.1, …, 0.9
//! marked on it. Also tabulates when each schedule starts and stops drowning frequencies.
//!
//! Chapter: "Which frequencies are modelled at which noise levels?".
//! Run: `cargo run -p x03-schedules`.
//! Pieces: photos from `bookkit::data`; `log_mean_rapsd` from `spectral::spectrum`;
//! `fit_power_law` from `spectral::fit`; the schedules, `f_max`, `max_detectable_frequency` and
//! `time_at_threshold` from `spectral::schedule`; charts, `Canvas` and `geomspace` from
//! `bookkit::plot`; values (and the milestone table) from `bookkit::values`.

use anyhow::Result;
use bookkit::data::book_greens;
use bookkit::figure::save_svg;
use bookkit::plot::{
    BLACK, BLUE, Chart, Figure, ORANGE, PURPLE, RGBColor, Rect, Series, SeriesLabelPosition, Style,
    geomspace,
};
use bookkit::values::{Values, save_values};
use spectral::fit::fit_power_law;
use spectral::schedule::{
    Edm, RectifiedFlow, Schedule, VpCosine, f_max, max_detectable_frequency, time_at_threshold,
    time_grid,
};
use spectral::spectrum::{Rapsd, log_mean_rapsd};

const TAU: f64 = 1.0;
/// The frequency the table follows through time: waves 20 pixels long.
const MIDDLE: f64 = 0.05;

/// The three schedules, their colours, and the names of the values the chapter quotes for each
/// (when it starts drowning frequencies, when f_max falls below `MIDDLE`, when nothing is left).
fn schedules() -> [(Box<dyn Schedule>, RGBColor, [&'static str; 3]); 3] {
    [
        (
            Box::new(RectifiedFlow),
            BLUE,
            ["x03-rf-start", "x03-rf-middle", "x03-rf-end"],
        ),
        (
            Box::new(VpCosine::default()),
            ORANGE,
            ["x03-vp-start", "x03-vp-middle", "x03-vp-end"],
        ),
        (
            Box::new(Edm::default()),
            PURPLE,
            ["x03-edm-start", "x03-edm-middle", "x03-edm-end"],
        ),
    ]
}

// ANCHOR: times
/// When f_max drops below `f0`: once the threshold exceeds the power of every bin at f ≥ f0.
fn time_below(schedule: &dyn Schedule, mean: &Rapsd, f0: f64) -> f64 {
    let level = mean
        .frequency
        .iter()
        .zip(&mean.power)
        .filter(|(f, _)| **f >= f0)
        .map(|(_, p)| *p)
        .fold(0.0, f64::max);
    time_at_threshold(schedule, level, TAU)
}

/// (every frequency detectable until, f_max below `MIDDLE` from, nothing detectable from).
fn milestones(schedule: &dyn Schedule, mean: &Rapsd) -> (f64, f64, f64) {
    let (first, last) = (mean.frequency[0], mean.frequency[mean.frequency.len() - 1]);
    (
        time_below(schedule, mean, last),
        time_below(schedule, mean, MIDDLE),
        time_below(schedule, mean, first),
    )
}
// ANCHOR_END: times

/// One schedule's f_max through time and its milestones.
struct Walk {
    schedule: Box<dyn Schedule>,
    color: RGBColor,
    names: [&'static str; 3],
    /// f_max on the fine time grid, and at t = 0.1 … 0.9 against σ/α.
    curve: Vec<f64>,
    marks: (Vec<f64>, Vec<f64>),
    milestones: (f64, f64, f64),
}

struct Analysis {
    t: Vec<f64>,
    walks: Vec<Walk>,
    /// f_max against σ/α, from the spectrum and from the fitted law.
    ratios: Vec<f64>,
    by_ratio: Vec<f64>,
    fitted: Vec<f64>,
    /// σ/α at which EDM's strongest frequency drowns.
    vanish: f64,
}

fn compute() -> Result<Analysis> {
    let mean = log_mean_rapsd(&book_greens()?).without_dc();
    let (f, p) = (&mean.frequency, &mean.power);
    // ANCHOR: ratio
    let ratios = geomspace(3e-3, 300.0, 400);
    let by_ratio: Vec<f64> = ratios
        .iter()
        .map(|q| max_detectable_frequency(f, p, TAU * q * q))
        .collect();
    // ANCHOR_END: ratio
    let law = fit_power_law(f, p);
    // The fitted law, clipped to the frequencies an image of 320 pixels has.
    let fitted: Vec<f64> = ratios
        .iter()
        .map(|q| law.frequency_at(TAU * q * q))
        .map(|x| {
            if x < f[0] {
                f64::NAN
            } else {
                x.min(f[f.len() - 1])
            }
        })
        .collect();
    let t = time_grid(500);
    let marks: Vec<f64> = (1..=9).map(|i| i as f64 / 10.0).collect();
    let walks: Vec<Walk> = schedules()
        .into_iter()
        .map(|(schedule, color, names)| {
            let s = schedule.as_ref();
            let curve = t.iter().map(|&t| f_max(s, f, p, t, TAU)).collect();
            let marks = marks
                .iter()
                .map(|&t| (s.noise_to_signal(t), f_max(s, f, p, t, TAU)))
                .unzip();
            let milestones = milestones(s, &mean);
            Walk {
                schedule,
                color,
                names,
                curve,
                marks,
                milestones,
            }
        })
        .collect();
    // With α = 1 (EDM) the last frequency drowns where σ² reaches the largest power.
    let vanish = p.iter().copied().fold(0.0, f64::max).sqrt();
    print!("{}", table(&walks));
    println!("the strongest frequency drowns at σ/α = {vanish:.1}");
    Ok(Analysis {
        t,
        walks,
        ratios,
        by_ratio,
        fitted,
        vanish,
    })
}

fn table(walks: &[Walk]) -> String {
    let mut table = format!(
        "| schedule | every frequency detectable until t = | f_max below {MIDDLE} from t = | nothing detectable from t = |\n|---|---|---|---|\n",
    );
    for w in walks {
        let (start, middle, end) = w.milestones;
        table += &format!(
            "| {} | {start:.3} | {middle:.3} | {end:.3} |\n",
            w.schedule.name()
        );
    }
    table
}

fn values(a: &Analysis) -> Values {
    let mut values = vec![
        ("x03-table", table(&a.walks).trim_end().to_string()),
        ("x03-sigma-vanish", format!("{:.0}", a.vanish)),
        ("x03-middle", MIDDLE.to_string()),
        ("x03-middle-period", format!("{:.0}", 1.0 / MIDDLE)),
        ("x03-edm-sigma-min", Edm::default().sigma_min.to_string()),
        ("x03-edm-sigma-max", Edm::default().sigma_max.to_string()),
    ];
    for w in &a.walks {
        let (start, middle, end) = w.milestones;
        let [n_start, n_middle, n_end] = w.names;
        values.push((n_start, format!("{start:.2}")));
        values.push((n_middle, format!("{middle:.2}")));
        values.push((n_end, format!("{end:.2}")));
    }
    values
}

fn draw(a: &Analysis) -> Result<()> {
    // Side by side in the book's column; both charts show f_max, so only the left one names it.
    let mut left = Chart::linear("time step t", "f_max (cycles/pixel)")
        .x_range(0.0, 1.0)
        .y_range(0.0, 0.52);
    let mut right = Chart::loglog()
        .labels("noise-to-signal ratio σ/α", "")
        .x_range(3e-3, 300.0)
        .y_range(2.5e-3, 0.6)
        .legend_at(SeriesLabelPosition::LowerLeft)
        .with(Series::new(&a.ratios, &a.by_ratio, BLACK, Style::Line).label("any schedule"))
        .with(Series::new(&a.ratios, &a.fitted, BLACK, Style::Dotted).label("power-law fit"));
    for w in &a.walks {
        let name = w.schedule.name();
        left = left.with(Series::new(&a.t, &w.curve, w.color, Style::Line).label(name));
        let (q, m) = &w.marks;
        right = right
            .with(Series::new(q, m, w.color, Style::Dots).label(&format!("{name}, t = 0.1 … 0.9")));
    }
    let mut fig = Figure::new(720.0, 420.0);
    fig.chart(Rect::new(0.0, 0.0, 355.0, 420.0), &left);
    fig.chart(Rect::new(360.0, 0.0, 360.0, 420.0), &right);
    save_svg(&fig.svg(), "x03-schedules.svg")?;
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

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn every_schedule_walks_the_same_curve_and_the_milestones_are_where_f_max_says() {
        let mean = log_mean_rapsd(&book_greens().unwrap()).without_dc();
        let (f, p) = (&mean.frequency, &mean.power);
        let top = f[f.len() - 1];
        for (schedule, _, names) in schedules() {
            let (s, key) = (schedule.as_ref(), names[0]);
            // f_max depends on t only through σ/α.
            for t in time_grid(50) {
                let q = s.noise_to_signal(t);
                if q.is_finite() {
                    assert_eq!(
                        f_max(s, f, p, t, TAU),
                        max_detectable_frequency(f, p, TAU * q * q)
                    );
                }
            }
            // Just before and after each milestone, f_max is on the right side of it.
            let (start, middle, end) = milestones(s, &mean);
            let eps = 1e-6;
            assert!(start < middle && middle < end, "{key}");
            if start > 0.0 {
                assert_eq!(f_max(s, f, p, start - eps, TAU), top, "{key}");
            }
            assert!(f_max(s, f, p, start + eps, TAU) < top, "{key}");
            assert!(f_max(s, f, p, middle - eps, TAU) >= MIDDLE, "{key}");
            assert!(f_max(s, f, p, middle + eps, TAU) < MIDDLE, "{key}");
            assert!(f_max(s, f, p, end - eps, TAU) > 0.0, "{key}");
            assert_eq!(f_max(s, f, p, end + eps, TAU), 0.0, "{key}");
        }
        // EDM (α = 1) loses its last frequency at σ = √(largest power).
        let edm = Edm::default();
        let (_, _, end) = milestones(&edm, &mean);
        let largest = p.iter().copied().fold(0.0, f64::max);
        assert!((edm.sigma(end) / largest.sqrt() - 1.0).abs() < 1e-6);
        // Rectified flow's milestones follow from (t/(1 − t))² = level in closed form.
        let (start, _, _) = milestones(&RectifiedFlow, &mean);
        let q = p[p.len() - 1].sqrt();
        assert!((start - q / (1.0 + q)).abs() < 1e-9);
    }
}

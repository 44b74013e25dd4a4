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
//! `bookkit::plot`.

use bookkit::data::{Channel, channels, default_photos};
use bookkit::figure::{save_png, save_text, save_value};
use bookkit::plot::{
    BLACK, BLUE, Canvas, Chart, ORANGE, PURPLE, RGBColor, Series, SeriesLabelPosition, Style,
    geomspace,
};
use spectral::fit::fit_power_law;
use spectral::schedule::{
    Edm, RectifiedFlow, Schedule, VpCosine, f_max, max_detectable_frequency, time_at_threshold,
    time_grid,
};
use spectral::spectrum::{Rapsd, log_mean_rapsd};

const TAU: f64 = 1.0;
/// The frequency the table follows through time: waves 20 pixels long.
const MIDDLE: f64 = 0.05;

fn schedules() -> [(&'static str, Box<dyn Schedule>, RGBColor); 3] {
    [
        ("rf", Box::new(RectifiedFlow), BLUE),
        ("vp", Box::new(VpCosine::default()), ORANGE),
        ("edm", Box::new(Edm::default()), PURPLE),
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

fn main() -> anyhow::Result<()> {
    let greens = channels(&default_photos()?, Channel::Green);
    let mean = log_mean_rapsd(&greens).without_dc();
    let (f, p) = (&mean.frequency, &mean.power);

    let mut table = String::from(
        "| schedule | every frequency detectable until t = | f_max below 0.05 from t = | nothing detectable from t = |\n|---|---|---|---|\n",
    );
    let t = time_grid(500);
    let marks: Vec<f64> = (1..=9).map(|i| i as f64 / 10.0).collect();
    let mut left = Chart::linear("time step t", "maximal detectable frequency")
        .x_range(0.0, 1.0)
        .y_range(0.0, 0.52);
    let mut right = Chart::loglog()
        .labels("noise-to-signal ratio σ/α", "maximal detectable frequency")
        .x_range(3e-3, 300.0)
        .y_range(2.5e-3, 0.6)
        .legend_at(SeriesLabelPosition::LowerLeft);
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
    right = right
        .with(Series::new(&ratios, &by_ratio, BLACK, Style::Line).label("any schedule"))
        .with(Series::new(&ratios, &fitted, BLACK, Style::Dotted).label("power-law fit"));
    for (key, schedule, color) in schedules() {
        let curve: Vec<f64> = t
            .iter()
            .map(|&t| f_max(schedule.as_ref(), f, p, t, TAU))
            .collect();
        left = left.with(Series::new(&t, &curve, color, Style::Line).label(schedule.name()));
        let (q, m): (Vec<f64>, Vec<f64>) = marks
            .iter()
            .map(|&t| {
                (
                    schedule.noise_to_signal(t),
                    f_max(schedule.as_ref(), f, p, t, TAU),
                )
            })
            .unzip();
        right = right.with(
            Series::new(&q, &m, color, Style::Dots)
                .label(&format!("{}, t = 0.1 … 0.9", schedule.name())),
        );
        let (start, middle, end) = milestones(schedule.as_ref(), &mean);
        table += &format!(
            "| {} | {start:.3} | {middle:.3} | {end:.3} |\n",
            schedule.name()
        );
        save_value(&format!("x03-{key}-start"), &format!("{start:.2}"))?;
        save_value(&format!("x03-{key}-middle"), &format!("{middle:.2}"))?;
        save_value(&format!("x03-{key}-end"), &format!("{end:.2}"))?;
    }
    print!("{table}");
    // With α = 1 (EDM) the last frequency drowns where σ² reaches the largest power.
    let vanish = p.iter().copied().fold(0.0, f64::max).sqrt();
    println!("the strongest frequency drowns at σ/α = {vanish:.1}");
    save_value("x03-sigma-vanish", &format!("{vanish:.0}"))?;
    save_text("x03-schedules-table.md", &table)?;

    let mut canvas = Canvas::new(1240, 460);
    canvas.draw_chart(&left, 0, 0, 600, 460)?;
    canvas.draw_chart(&right, 620, 0, 620, 460)?;
    save_png(&canvas.into_image(), "x03-schedules.png")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookkit::figure::saved_value;

    #[test]
    fn every_schedule_walks_the_same_curve_and_the_milestones_are_where_f_max_says() {
        let greens = channels(&default_photos().unwrap(), Channel::Green);
        let mean = log_mean_rapsd(&greens).without_dc();
        let (f, p) = (&mean.frequency, &mean.power);
        let top = f[f.len() - 1];
        for (key, schedule, _) in schedules() {
            let s = schedule.as_ref();
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
            if let Some(shown) = saved_value(&format!("x03-{key}-end")) {
                assert_eq!(shown, format!("{end:.2}"));
            }
        }
        // EDM (α = 1) loses its last frequency at σ = √(largest power).
        let edm = Edm::default();
        let (_, _, end) = milestones(&edm, &mean);
        let largest = p.iter().copied().fold(0.0, f64::max);
        assert!((edm.sigma(end) / largest.sqrt() - 1.0).abs() < 1e-6);
        if let Some(shown) = saved_value("x03-sigma-vanish") {
            assert_eq!(shown, format!("{:.0}", largest.sqrt()));
        }
        // Rectified flow's milestones follow from (t/(1 − t))² = level in closed form.
        let (start, _, _) = milestones(&RectifiedFlow, &mean);
        let q = p[p.len() - 1].sqrt();
        assert!((start - q / (1.0 + q)).abs() < 1e-9);
    }
}

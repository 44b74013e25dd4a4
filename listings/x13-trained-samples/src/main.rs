//! X13 (beyond the post): what the trained network generates. Samples of its stochastic reverse
//! process beside samples of the Gaussian model (the Wiener filter's exact sampler) and held-out
//! crops, and the three sets' mean spectra with their fitted power laws.
//!
//! Chapter: "A trained denoiser".
//! Run: `cargo run -p x13-trained-samples`.
//! Pieces: the shipped network from `trained::weights`; its chains from `trained::sample`;
//! `GaussianModel::sample` from `spectral::gaussian_model`; `rapsd` from `spectral::spectrum`;
//! `fit_set` from `spectral::fit`; charts and pictures from `bookkit::plot`, laid out for the
//! desktop column and a phone by `bookkit::figure`.

use anyhow::Result;
use bookkit::figure::{Column, PHONE_CHART_HEIGHT, save_responsive};
use bookkit::image::{Rgb, RgbImage};
use bookkit::plot::{
    BLACK, BLUE, Chart, Figure, HAlign, ORANGE, Rect, Series, Style, TextStyle, VAlign,
};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::fit::{SetFit, fit_set};
use spectral::noise::seeded_rng;
use spectral::spectrum::rapsd;
use trained::budget::Budget;
use trained::config::Process;
use trained::data::held_out_crops;
use trained::sample::{Sampler, run};
use trained::weights::shipped;

const SIZE: usize = 64;
/// Samples per set (in the notebook an eighth, but never fewer than are shown).
const SAMPLES: usize = 12;
const STEPS: usize = 32;
const SHOWN: usize = 6;
const SEED: u64 = 23;
const RESAMPLES: usize = 2000;

/// One set of 64 × 64 images and the power law of its spectra.
struct Set {
    name: &'static str,
    images: Vec<Field>,
    frequency: Vec<f64>,
    fit: SetFit,
}

struct Analysis {
    sets: [Set; 3],
}

fn set(name: &'static str, images: Vec<Field>, seed: u64) -> Set {
    let curves: Vec<_> = images.iter().map(|f| rapsd(f).without_dc()).collect();
    let frequency = curves[0].frequency.clone();
    let powers: Vec<&[f64]> = curves.iter().map(|c| c.power.as_slice()).collect();
    let fit = fit_set(&frequency, &powers, RESAMPLES, seed);
    Set {
        name,
        images,
        frequency,
        fit,
    }
}

// ANCHOR: samples
fn compute() -> Result<Analysis> {
    let network = shipped(Process::White)?;
    let model = network.pre.model();
    let noise = Process::White.noise(&model);
    let samples = Budget::from_env()?.count(SAMPLES).max(SHOWN);
    let mut rng = seeded_rng(SEED);
    let generated = run(
        &network,
        &noise,
        Sampler::Ancestral,
        samples,
        STEPS,
        &mut rng,
        |_, _, _| {},
    )?;
    let gaussian: Vec<Field> = (0..samples).map(|_| model.sample(&mut rng)).collect();
    let held_out = held_out_crops(SIZE, samples / 6)?;
    Ok(Analysis {
        sets: [
            set("held-out crops", held_out, SEED + 1),
            set("trained network", generated, SEED + 2),
            set("Gaussian model", gaussian, SEED + 3),
        ],
    })
}
// ANCHOR_END: samples

fn values(a: &Analysis) -> Values {
    let [held, net, gauss] = &a.sets;
    let alpha = |s: &Set| format!("{:.2}", s.fit.law.alpha);
    let interval = |s: &Set| format!("[{:.2}, {:.2}]", s.fit.interval.low, s.fit.interval.high);
    vec![
        ("ts-samples", net.images.len().to_string()),
        ("ts-steps", STEPS.to_string()),
        ("ts-alpha-held-out", alpha(held)),
        ("ts-interval-held-out", interval(held)),
        ("ts-alpha-network", alpha(net)),
        ("ts-interval-network", interval(net)),
        ("ts-alpha-gaussian", alpha(gauss)),
        ("ts-interval-gaussian", interval(gauss)),
    ]
}

/// A field as grey pixels, by the book's one mapping of [−1, 1] to grey levels.
fn grey(field: &Field) -> RgbImage {
    let (rows, cols) = field.dim();
    RgbImage::from_fn(cols as u32, rows as u32, |x, y| {
        let g = spectral::grey::level(field[[y as usize, x as usize]]);
        Rgb([g, g, g])
    })
}

fn draw(a: &Analysis) -> Result<()> {
    let pictures: Vec<Vec<RgbImage>> = a
        .sets
        .iter()
        .map(|s| s.images.iter().take(SHOWN).map(grey).collect())
        .collect();
    let colors = [BLACK, ORANGE, BLUE];
    let mut chart = Chart::loglog().labels("frequency (cycles/pixel)", "power");
    for (s, color) in a.sets.iter().zip(colors) {
        chart = chart.with(
            Series::new(&s.frequency, &s.fit.mean, color, Style::LineDots)
                .label(&format!("{}: α̂ = {:.2}", s.name, s.fit.law.alpha)),
        );
    }
    save_responsive("x13-trained-samples.svg", |column| {
        // Each set a row of pictures under its name, then the spectra. On the desktop the
        // pictures are 96 CSS px (1.5 screen pixels per image pixel, 3 on HiDPI screens); on a
        // phone the row fills the column.
        let w = column.width();
        let (gap, head, chart_h) = match column {
            Column::Desktop => (6.0, 22.0, 340.0),
            Column::Phone => (4.0, 20.0, PHONE_CHART_HEIGHT + 40.0),
        };
        let cell = match column {
            Column::Desktop => 96.0,
            Column::Phone => (w - 8.0 - (SHOWN - 1) as f64 * gap) / SHOWN as f64,
        };
        let row_w = SHOWN as f64 * cell + (SHOWN - 1) as f64 * gap;
        let left = (w - row_w) / 2.0;
        let row_h = head + cell + gap;
        let pictures_h = pictures.len() as f64 * row_h;
        let mut fig = Figure::new(w, pictures_h + 8.0 + chart_h);
        let name = TextStyle::new(14.0).anchor(HAlign::Left, VAlign::Top);
        for (row, (s, images)) in a.sets.iter().zip(&pictures).enumerate() {
            let y = row as f64 * row_h;
            fig.text(s.name, (left, y + 2.0), name);
            for (k, img) in images.iter().enumerate() {
                let x = left + k as f64 * (cell + gap);
                fig.pixels(Rect::new(x, y + head, cell, cell), img);
            }
        }
        fig.chart(Rect::new(0.0, pictures_h + 8.0, w, chart_h), &chart);
        fig
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
    use std::sync::OnceLock;

    fn analysis() -> &'static Analysis {
        static A: OnceLock<Analysis> = OnceLock::new();
        A.get_or_init(|| compute().unwrap())
    }

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(analysis()));
    }

    #[test]
    fn the_gaussian_models_samples_have_its_spectrum() {
        // Independent of the network: the Gaussian model's exact samples must have the model's
        // power law within their bootstrap interval of the model's own exponent.
        let a = analysis();
        let network = shipped(Process::White).unwrap();
        let model_rapsd = network.pre.model().rapsd().without_dc();
        let law = spectral::fit::fit_power_law(&model_rapsd.frequency, &model_rapsd.power);
        let g = &a.sets[2].fit;
        assert!(g.interval.low - 0.1 <= law.alpha && law.alpha <= g.interval.high + 0.1);
    }
}

//! One slider step of the tide widget, natively: the same work the page does per step in
//! WebAssembly (forward process, RAPSD of x_t, grey pixels), timed, for the benchmark's
//! Chromium-versus-native row (`tests/browser/live-bench.mjs` runs this and the page).
//!
//! Also times the tide widget's x̂₀ apart (the Wiener estimate and its pixels, with the book's
//! model of the photos), which the page adds to a step only while the two fit in a 60 Hz frame.
//!
//! Run: `cargo run --release -p live --example bench_step [-- <steps>]`. Prints one JSON line:
//! `{"native_updates_per_s": …, "steps": …, "native_estimates_per_s": …}`.

use std::hint::black_box;
use std::time::Instant;

use live::tide::{Tide, grey_rgba};
use spectral::gaussian_model::GaussianModel;

fn main() -> anyhow::Result<()> {
    let steps: u32 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(300);
    let path = bookkit::data::default_images_dir().join(bookkit::data::FEATURED[0]);
    let x0 = live::photo::prepare_green(&std::fs::read(&path)?).map_err(anyhow::Error::msg)?;
    let mut tide = Tide::new(x0, 0);
    // Warm-up, then the same sweep over t as the page's benchmark.
    for i in 0..20 {
        black_box(grey_rgba(&tide.frame(Tide::time(i % 101, 100)).x_t));
    }
    let start = Instant::now();
    for i in 0..steps {
        let frame = tide.frame(Tide::time(i % 101, 100));
        black_box(grey_rgba(&frame.x_t));
        black_box(frame);
    }
    let per_s = f64::from(steps) / start.elapsed().as_secs_f64();

    let model = GaussianModel::fit(&bookkit::data::book_greens()?)?;
    tide.set_model(
        live::model::decode(320, 320, &live::model::encode(&model)).map_err(anyhow::Error::msg)?,
    )
    .map_err(anyhow::Error::msg)?;
    let frames: Vec<_> = (0..=10)
        .map(|i| tide.frame(Tide::time(i * 10, 100)))
        .collect();
    let estimates = steps / 3;
    let start = Instant::now();
    for i in 0..estimates {
        let x_hat = tide
            .estimate(&frames[i as usize % frames.len()])
            .map_err(anyhow::Error::msg)?;
        black_box(grey_rgba(&x_hat));
    }
    let estimates_per_s = f64::from(estimates) / start.elapsed().as_secs_f64();
    println!(
        "{{\"native_updates_per_s\": {per_s:.1}, \"steps\": {steps}, \
         \"native_estimates_per_s\": {estimates_per_s:.1}}}"
    );
    Ok(())
}

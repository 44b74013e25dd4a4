//! What `cargo xtask bench` reports about the trained denoiser, measured in one process: training
//! speed (crops per second over full steps of the book's configuration, after a warm-up step), the
//! time of one denoise of a whole 320 × 320 photo, and how close a training step comes to the
//! machine's matrix-multiply rate: the U-Net's floating-point work per step over its time, against
//! candle's own 2048 × 2048 × 2048 f32 matrix product on the same cores, in the same run.
//! Prints one JSON line.

use std::time::Instant;

use anyhow::Result;
use candle_core::{Device, Tensor};
use spectral::noise::{gaussian_field, seeded_rng};
use trained::config::{Config, Process};
use trained::data::{Split, greens, models_dir, tile_model};
use trained::train::Trainer;
use trained::weights::{load_for_shape, weights_file};

const STEPS: usize = 6;
const MATMUL: usize = 2048;

/// Seconds per call of `f`, the best of `reps` after one untimed call.
fn best_of(reps: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    f()?;
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let started = Instant::now();
        f()?;
        best = best.min(started.elapsed().as_secs_f64());
    }
    Ok(best)
}

fn main() -> Result<()> {
    let config = Config::book(Process::White);
    let images = bookkit::data::default_images_dir();
    let split = Split::book()?;
    let training = greens(&images, &split.training)?;
    let model = tile_model(&training, config.crop)?;

    // Training: whole steps, data preparation included, as `cargo xtask train` runs them.
    let mut trainer = Trainer::new(&config, &model)?;
    let mut rng = seeded_rng(1);
    let example = trainer.examples(&training, config.batch, &mut rng)?;
    trainer.step(&example)?;
    let started = Instant::now();
    for _ in 0..STEPS {
        let example = trainer.examples(&training, config.batch, &mut rng)?;
        trainer.step(&example)?;
    }
    let step_seconds = started.elapsed().as_secs_f64() / STEPS as f64;
    // Forward pass and backward pass (about twice the forward's work) per crop.
    let flops_per_step =
        3.0 * trainer.network.unet.flops(config.crop, config.crop) * config.batch as f64;

    // Inference: one channel of a 320 × 320 photo through the shipped network.
    let bytes = std::fs::read(models_dir().join(weights_file(Process::White)))?;
    let network = load_for_shape(&bytes, &config, 320, 320)?;
    let x_t = gaussian_field(320, 320, 1.0, &mut seeded_rng(2));
    let denoise_seconds = best_of(3, || {
        network
            .denoise_batch(std::slice::from_ref(&x_t), &[0.5])
            .map(drop)
    })?;

    // The cores' matrix-multiply rate, by the same library.
    let a = Tensor::randn(0f32, 1.0, (MATMUL, MATMUL), &Device::Cpu)?;
    let b = Tensor::randn(0f32, 1.0, (MATMUL, MATMUL), &Device::Cpu)?;
    let matmul_seconds = best_of(3, || a.matmul(&b).map(drop).map_err(Into::into))?;
    let matmul_flops = 2.0 * (MATMUL as f64).powi(3);

    let training_gflops = flops_per_step / step_seconds / 1e9;
    let matmul_gflops = matmul_flops / matmul_seconds / 1e9;
    println!(
        "{{\"crops_per_s\": {:.2}, \"steps_per_s\": {:.3}, \"denoise_320_ms\": {:.1}, \
         \"training_gflops\": {:.2}, \"matmul_gflops\": {:.2}, \"fraction\": {:.3}, \
         \"threads\": {}}}",
        config.batch as f64 / step_seconds,
        1.0 / step_seconds,
        denoise_seconds * 1e3,
        training_gflops,
        matmul_gflops,
        training_gflops / matmul_gflops,
        rayon::current_num_threads()
    );
    Ok(())
}

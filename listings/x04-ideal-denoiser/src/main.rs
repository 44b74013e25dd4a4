//! X4 (beyond the post): what the ideal linear denoiser can know at time t. One photo noised by
//! rectified flow at t = 0.2 … 0.9 (top row, x_t) and the Wiener filter's estimate of the clean
//! photo from it (bottom row, x̂₀), each column labelled with the post's f_max(t), τ = 1,
//! computed from the Gaussian model's RAPSD.
//!
//! Chapter: "Running diffusion backwards".
//! Run: `cargo run -p x04-ideal-denoiser`.
//! Pieces: photos from `bookkit::data`; `GaussianModel` from `spectral::gaussian_model`;
//! `wiener_denoise` from `spectral::denoise`; `RectifiedFlow`, `forward` and `f_max` from
//! `spectral::schedule`; seeded noise from `spectral::noise`; `Canvas` from `bookkit::plot`;
//! `bookkit::values` for the numbers the chapter quotes.

use bookkit::data::{Channel, FEATURED, channels, default_photos};
use bookkit::figure::save_png;
use bookkit::image::{Rgb, RgbImage};
use bookkit::plot::{BLACK, Canvas, FONT};
use bookkit::values::{Values, save_values};
use spectral::Field;
use spectral::denoise::wiener_denoise;
use spectral::gaussian_model::GaussianModel;
use spectral::noise::{gaussian_field, seeded_rng};
use spectral::schedule::{RectifiedFlow, f_max, forward};

/// The seed of the noise added to the photo.
const SEED: u64 = 15;
/// The times shown, one column each.
const TIMES: [f64; 6] = [0.2, 0.4, 0.5, 0.6, 0.8, 0.9];
/// Side of the centre crop shown (the computation uses the whole photo).
const CROP: usize = 200;

/// One column of the figure: the noisy photo, the estimate and f_max at one time.
struct Column {
    t: f64,
    noisy: Field,
    estimate: Field,
    f_max: f64,
}

struct Analysis {
    photos: usize,
    name: String,
    clean: Field,
    columns: Vec<Column>,
}

// ANCHOR: denoise
/// The model of all photos, then for each time: noise one photo, denoise it, and find the
/// post's f_max(t) on the model's RAPSD.
fn compute() -> anyhow::Result<Analysis> {
    let photos = default_photos()?;
    let greens = channels(&photos, Channel::Green);
    let model = GaussianModel::fit(&greens)?;
    let spectrum = model.rapsd().without_dc();
    let index = photos
        .iter()
        .position(|p| p.name == FEATURED[0])
        .ok_or_else(|| anyhow::anyhow!("{} is not among the photos", FEATURED[0]))?;
    let clean = greens[index].clone();
    let (rows, cols) = clean.dim();
    let eps = gaussian_field(rows, cols, 1.0, &mut seeded_rng(SEED));
    let mut columns = Vec::new();
    for t in TIMES {
        let noisy = forward(&RectifiedFlow, &clean, &eps, t);
        let estimate = wiener_denoise(&noisy, &model, &RectifiedFlow, t)?;
        let f_max = f_max(&RectifiedFlow, &spectrum.frequency, &spectrum.power, t, 1.0);
        columns.push(Column {
            t,
            noisy,
            estimate,
            f_max,
        });
    }
    Ok(Analysis {
        photos: greens.len(),
        name: photos[index].name.clone(),
        clean,
        columns,
    })
}
// ANCHOR_END: denoise

/// The estimate's error relative to the clean photo's power, ‖x̂₀ − x₀‖² / ‖x₀‖² (mean removed
/// from neither: the model has zero mean, so the photo's mean is part of what it must guess).
fn relative_error(estimate: &Field, clean: &Field) -> f64 {
    (estimate - clean).mapv(|v| v * v).sum() / clean.mapv(|v| v * v).sum()
}

fn column_at(a: &Analysis, t: f64) -> &Column {
    a.columns
        .iter()
        .find(|c| (c.t - t).abs() < 1e-9)
        .expect("a time the figure shows")
}

fn values(a: &Analysis) -> Values {
    vec![
        ("rev-photos", a.photos.to_string()),
        ("rev-x04-photo", a.name.clone()),
        (
            "rev-x04-error-02",
            format!(
                "{:.2}",
                relative_error(&column_at(a, 0.2).estimate, &a.clean)
            ),
        ),
        (
            "rev-x04-error-09",
            format!(
                "{:.2}",
                relative_error(&column_at(a, 0.9).estimate, &a.clean)
            ),
        ),
        ("rev-x04-fmax-06", format!("{:.3}", column_at(a, 0.6).f_max)),
        // The shortest wave still above the noise at t = 0.6, in pixels.
        (
            "rev-x04-period-06",
            format!("{:.0}", 1.0 / column_at(a, 0.6).f_max),
        ),
        ("rev-x04-fmax-02", format!("{:.3}", column_at(a, 0.2).f_max)),
        ("rev-x04-fmax-09", format!("{:.3}", column_at(a, 0.9).f_max)),
    ]
}

/// The centre `CROP × CROP` of a field as grey pixels, [−1, 1] → [0, 255], clipped.
fn grey(field: &Field) -> RgbImage {
    let (rows, cols) = field.dim();
    let (i0, j0) = ((rows - CROP) / 2, (cols - CROP) / 2);
    RgbImage::from_fn(CROP as u32, CROP as u32, |x, y| {
        let v = field[[i0 + y as usize, j0 + x as usize]];
        let g = spectral::grey::level(v);
        Rgb([g, g, g])
    })
}

fn draw(a: &Analysis) -> anyhow::Result<()> {
    let (left, top, gap, fs) = (70u32, 34u32, 10u32, 17u32);
    let pitch = CROP as u32 + gap;
    let width = left + pitch * a.columns.len() as u32;
    let height = top + 2 * pitch + 30;
    let mut canvas = Canvas::new(width, height);
    for (i, c) in a.columns.iter().enumerate() {
        let x = left + i as u32 * pitch;
        let cx = (x + CROP as u32 / 2) as i32;
        canvas.centred_text(&format!("t = {:.1}", c.t), cx, 6, fs + 2, FONT, BLACK)?;
        canvas.paste(&grey(&c.noisy), x.into(), top.into());
        canvas.paste(&grey(&c.estimate), x.into(), (top + pitch).into());
        let label = format!("f_max = {:.3}", c.f_max);
        canvas.centred_text(&label, cx, (top + 2 * pitch) as i32, fs, FONT, BLACK)?;
    }
    let mid = |row: u32| (top + row * pitch + CROP as u32 / 2) as i32;
    canvas.vertical_text("noisy x_t", 22, mid(0), fs + 2)?;
    canvas.vertical_text("Wiener x̂₀", 22, mid(1), fs + 2)?;
    save_png(&canvas.into_image(), "x04-ideal-denoiser.png")?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let a = compute()?;
    save_values(&values(&a))?;
    draw(&a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_shows_these_values() {
        bookkit::values::check(env!("CARGO_MANIFEST_DIR"), &values(&compute().unwrap()));
    }

    #[test]
    fn the_estimate_loses_more_of_the_photo_as_noise_grows() {
        // The Wiener filter's expected error, summed over frequencies, is Σ P(1 − G): it grows
        // with t because G falls. On one photo the ordering must hold at every step shown.
        let a = compute().unwrap();
        let errors: Vec<f64> = a
            .columns
            .iter()
            .map(|c| relative_error(&c.estimate, &a.clean))
            .collect();
        assert!(errors.windows(2).all(|w| w[0] < w[1]), "{errors:?}");
        // And the estimate is always better than no estimate at all (x̂₀ = 0, error 1).
        assert!(errors.iter().all(|e| *e < 1.0), "{errors:?}");
        // f_max falls with t (F11's property, on the model's spectrum).
        assert!(a.columns.windows(2).all(|w| w[1].f_max <= w[0].f_max));
    }
}

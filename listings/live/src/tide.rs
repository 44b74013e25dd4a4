//! The rising tide of the chapter "Noisy image spectra", one photo at a time, at any t.
//!
//! The forward process is rectified flow, x_t = (1 − t)·x₀ + t·ε, as in `spectra fmax`'s default
//! schedule. Everything that does not depend on t (the photo's RAPSD, the noise draw and its
//! RAPSD) is computed once; a slider step costs one [`forward`], one RAPSD and the pixels.
//!
//! The chart is drawn in the frame of x_t itself: the clean part's power α(t)²·P(f) (red), the
//! noise's σ(t)²·N(f) (blue) and the measured RAPSD of x_t (green). The red and blue curves cross
//! where α²P = σ², which is exactly the post's detection threshold P > σ²/α² (τ = 1): the f_max
//! marker sits on that crossing, and t = 1 (α = 0) needs no special case.
//!
//! The reverse process (chapter "Running diffusion backwards"): beside x_t the widget shows x̂₀,
//! the Wiener estimate of the clean photo, [`Tide::estimate`]. It is the book's own
//! `spectral::denoise::wiener_denoise` with the book's `GaussianModel` of the photos, fitted at
//! build time and shipped to the page ([`crate::model`]), so the page holds no denoiser of its
//! own. It is computed apart from [`Tide::frame`] because it costs about two FFTs more, which the
//! page postpones until the slider rests on a machine where a step and x̂₀ overrun a 60 Hz frame.

use spectral::Field;
use spectral::denoise::wiener_denoise;
use spectral::fit::log_mean;
use spectral::gaussian_model::GaussianModel;
use spectral::noise::{gaussian_field, seeded_rng};
use spectral::schedule::{RectifiedFlow, Schedule, f_max, forward};
use spectral::spectrum::RapsdPlan;

/// The post's signal-to-noise threshold: a frequency is detectable while α²P > τσ².
pub const TAU: f64 = 1.0;

/// One photo, its RAPSD, and one seeded noise draw.
pub struct Tide {
    x0: Field,
    plan: RapsdPlan,
    /// r / L for every radius, DC first.
    frequency: Vec<f64>,
    /// The photo's RAPSD as `spectra fmax` measures it: the log-domain mean of one curve.
    clean: Vec<f64>,
    seed: u64,
    eps: Field,
    /// RAPSD of the unit noise ε.
    noise: Vec<f64>,
    /// The book's Gaussian model of the photos, for x̂₀ (`None` until the page hands it over).
    model: Option<GaussianModel>,
}

/// Everything the widget shows at one t.
pub struct Frame {
    pub t: f64,
    /// Frequencies without DC (the log axis cannot show 0).
    pub frequency: Vec<f64>,
    /// α²·P(f): the clean part of x_t.
    pub clean: Vec<f64>,
    /// σ²·N(f): the noise part of x_t.
    pub noise: Vec<f64>,
    /// RAPSD(x_t), measured.
    pub noisy: Vec<f64>,
    /// The highest frequency still above the noise, as `spectra fmax` computes it.
    pub f_max: f64,
    /// x_t itself.
    pub x_t: Field,
}

impl Tide {
    /// `x0`: a photo in the book's format (any shape; the book's is 320 × 320).
    pub fn new(x0: Field, seed: u64) -> Tide {
        let (rows, cols) = x0.dim();
        let plan = RapsdPlan::new(rows, cols);
        let frequency = plan.frequencies();
        // `spectra fmax` thresholds the log-domain mean of its photos' curves: for one photo that
        // is exp(ln P), taken here too so the two agree to the last bit.
        let clean = log_mean(&[plan.power(&x0)]);
        let eps = gaussian_field(rows, cols, 1.0, &mut seeded_rng(seed));
        let noise = plan.power(&eps);
        Tide {
            x0,
            plan,
            frequency,
            clean,
            seed,
            eps,
            noise,
            model: None,
        }
    }

    /// The Gaussian model the estimate x̂₀ uses: the book's, as [`crate::model::decode`] gives it.
    pub fn set_model(&mut self, model: GaussianModel) {
        self.model = Some(model);
    }

    /// x̂₀ = E[x₀ | x_t], the Wiener estimate of the photo from the frame's x_t: the book's
    /// `wiener_denoise` under rectified flow, as in figure X4. Needs a model of the photo's shape
    /// (the book's 320 × 320, which [`crate::photo::prepare_green`] always gives).
    pub fn estimate(&self, frame: &Frame) -> Result<Field, String> {
        let model = self
            .model
            .as_ref()
            .ok_or("the page has no model of the photos")?;
        wiener_denoise(&frame.x_t, model, &RectifiedFlow, frame.t)
            .map_err(|e| format!("no estimate of x₀: {e}"))
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Draws new noise (the book's seeded generator: the same seed gives the same field in the
    /// page as natively).
    pub fn set_seed(&mut self, seed: u64) {
        if seed != self.seed {
            let (rows, cols) = self.x0.dim();
            self.eps = gaussian_field(rows, cols, 1.0, &mut seeded_rng(seed));
            self.noise = self.plan.power(&self.eps);
            self.seed = seed;
        }
    }

    pub fn x0(&self) -> &Field {
        &self.x0
    }

    /// t = `step / steps`, computed as `spectra fmax --steps N` computes its grid.
    pub fn time(step: u32, steps: u32) -> f64 {
        f64::from(step.min(steps)) / f64::from(steps.max(1))
    }

    /// f_max(t) with the rectified-flow schedule and τ = 1, from the photo's curve.
    pub fn f_max(&self, t: f64) -> f64 {
        f_max(&RectifiedFlow, &self.frequency, &self.clean, t, TAU)
    }

    /// The frame at time t: one forward step, one RAPSD.
    pub fn frame(&self, t: f64) -> Frame {
        let schedule = RectifiedFlow;
        let (a2, s2) = (schedule.alpha(t).powi(2), schedule.sigma(t).powi(2));
        let x_t = forward(&schedule, &self.x0, &self.eps, t);
        let noisy = self.plan.power(&x_t);
        Frame {
            t,
            frequency: self.frequency[1..].to_vec(),
            clean: self.clean[1..].iter().map(|p| a2 * p).collect(),
            noise: self.noise[1..].iter().map(|p| s2 * p).collect(),
            noisy: noisy[1..].to_vec(),
            f_max: self.f_max(t),
            x_t,
        }
    }
}

/// A field in [−1, 1] as opaque grey RGBA pixels, clipped as the book's figures clip noisy photos
/// (the one mapping, `spectral::grey`).
pub fn grey_rgba(field: &Field) -> Vec<u8> {
    spectral::grey::rgba(field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spectral::spectrum::rapsd;

    fn photo() -> Field {
        let path = bookkit::data::default_images_dir().join("coffee-cup.jpg");
        crate::photo::prepare_green(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn the_frame_is_the_forward_process_measured_with_the_readable_rapsd() {
        let x0 = photo();
        let tide = Tide::new(x0.clone(), 7);
        let t = 0.37;
        let frame = tide.frame(t);
        let eps = gaussian_field(320, 320, 1.0, &mut seeded_rng(7));
        let x_t = &x0 * 0.63 + &eps * 0.37;
        let want = rapsd(&x_t).without_dc();
        assert_eq!(frame.frequency, want.frequency);
        for (g, w) in frame.noisy.iter().zip(&want.power) {
            assert!((g - w).abs() <= 1e-9 * w.abs(), "{g} vs {w}");
        }
        // The clean and noise parts add up to the measured curve, up to the cross term.
        let sum: f64 = frame
            .clean
            .iter()
            .zip(&frame.noise)
            .map(|(a, b)| a + b)
            .sum();
        let measured: f64 = frame.noisy.iter().sum();
        assert!((sum / measured - 1.0).abs() < 0.05, "{sum} vs {measured}");
    }

    #[test]
    fn f_max_is_where_the_clean_part_last_exceeds_the_noise_level() {
        let tide = Tide::new(photo(), 1);
        for step in [10, 50, 90] {
            let t = Tide::time(step, 100);
            let frame = tide.frame(t);
            let s2 = t * t;
            // Independent reading of the definition: the highest frequency (DC excluded) where the
            // clean photo's power, scaled by α², exceeds σ².
            let want = frame
                .frequency
                .iter()
                .zip(&frame.clean)
                .filter(|(_, p)| **p > s2)
                .map(|(f, _)| *f)
                .fold(0.0, f64::max);
            assert_eq!(frame.f_max, want, "t = {t}");
        }
        assert_eq!(tide.f_max(1.0), 0.0);
        assert!(tide.f_max(0.0) > 0.49);
    }

    #[test]
    fn the_same_seed_gives_the_same_noise() {
        let mut a = Tide::new(photo(), 3);
        let b = Tide::new(photo(), 4);
        a.set_seed(4);
        assert_eq!(a.frame(0.5).x_t, b.frame(0.5).x_t);
    }

    /// The page's x̂₀ (the photo prepared from its bytes, the page's noise, the model decoded from
    /// the shipped bytes) is the book's: `wiener_denoise` on the photo as `bookkit::data` loads it,
    /// noised by `forward` with the book's seeded noise, with the same model, bit for bit.
    #[test]
    fn the_estimate_is_the_books_wiener_denoise_bit_for_bit() {
        use bookkit::data::{Channel, Preprocess, load_channel};
        let fitted = GaussianModel::fit(&bookkit::data::book_greens().unwrap()).unwrap();
        let shipped = crate::model::decode(320, 320, &crate::model::encode(&fitted)).unwrap();
        let mut tide = Tide::new(photo(), 5);
        tide.set_model(shipped.clone());
        let path = bookkit::data::default_images_dir().join("coffee-cup.jpg");
        let x0 = load_channel(&path, Preprocess::default(), Channel::Green).unwrap();
        let eps = gaussian_field(320, 320, 1.0, &mut seeded_rng(5));
        for step in [0, 30, 63, 100] {
            let t = Tide::time(step, 100);
            let ours = tide.estimate(&tide.frame(t)).unwrap();
            let x_t = forward(&RectifiedFlow, &x0, &eps, t);
            let book = wiener_denoise(&x_t, &shipped, &RectifiedFlow, t).unwrap();
            assert!(
                ours.iter()
                    .zip(&book)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "t = {t}: the page's estimate differs from the book's"
            );
        }
        // Ground truth at the ends: no noise leaves the photo (every gain P/P = 1), pure noise
        // leaves nothing (α = 0).
        let at_0 = tide.estimate(&tide.frame(0.0)).unwrap();
        assert!(at_0.iter().zip(&x0).all(|(a, b)| (a - b).abs() < 1e-12));
        assert!(
            tide.estimate(&tide.frame(1.0))
                .unwrap()
                .iter()
                .all(|v| *v == 0.0)
        );
    }

    #[test]
    fn without_a_model_there_is_no_estimate() {
        let tide = Tide::new(photo(), 1);
        assert!(tide.estimate(&tide.frame(0.5)).is_err());
    }

    #[test]
    fn pixels_are_clipped_grey() {
        let f = Field::from_shape_vec((1, 3), vec![-2.0, 0.0, 1.0]).unwrap();
        assert_eq!(
            grey_rgba(&f),
            vec![0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]
        );
    }
}

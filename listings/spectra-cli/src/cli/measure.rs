//! Measuring many files: each decoded and reduced to its spectrum in parallel, on all cores.
//! Photos and recordings go through the same steps: the kit's input layer ([`bookkit::inputs`])
//! finds them and names the ones it cannot use, a worker measures each, and every measurement
//! carries its own frequency axis (cycles per pixel for a RAPSD, Hz for a 1D spectrum).
//!
//! Memory stays bounded however many files there are: a worker decodes one file, measures it
//! and drops its pixels or samples before taking the next, so at most one file per core is in
//! memory, and all that is kept of a file is its curve (160 numbers for a 320 × 320 photo: 1,000
//! photos keep 1.3 MB). The FFT plan and radial bins are made once per shape and shared by the
//! workers, not made once per photo, and so is the frequency axis the measurements share.
//!
//! Results are collected in file order, so the output, the warnings and the first error never
//! depend on which core finished first.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Result, bail};
use rayon::prelude::*;
use spectral::audio::CLIP_SAMPLES;
use spectral::fit::log_mean;
use spectral::spectrum::{Rapsd, RapsdPlan, rapsd};

use super::{Input, Warn, progress, size_text};
use bookkit::audio::load_excerpt;
use bookkit::data::{BOOK_SIZE, Channel, Preprocess, load_channel};
use bookkit::inputs::{BadFile, IMAGES, RECORDINGS};

/// The spectrum of every usable file, in file order, all of one shape and frequency axis.
#[derive(Clone, Debug)]
pub struct Spectra {
    /// The files measured, in the order of the curves.
    pub files: Vec<PathBuf>,
    /// (rows, columns) of what was measured: every prepared photo or log-mel image, or 1 × the
    /// samples of a recording's excerpt.
    pub shape: (usize, usize),
    /// The measurements' frequencies, DC first: r / L for a RAPSD, Hz for a 1D spectrum.
    pub frequency: Vec<f64>,
    /// One curve per file, DC included.
    pub curves: Vec<Vec<f64>>,
    /// The inputs that could not be used, in input order.
    pub skipped: Vec<BadFile>,
}

impl Spectra {
    /// The log-domain mean curve over the files, DC included.
    pub fn log_mean(&self) -> Rapsd {
        Rapsd {
            frequency: self.frequency.clone(),
            power: log_mean(&self.curves),
        }
    }
}

/// One file's measurement.
#[derive(Clone, Debug)]
pub struct Measurement {
    pub path: PathBuf,
    pub shape: (usize, usize),
    /// The frequency of each point of `curve`, shared by every measurement of one axis.
    pub frequency: Arc<[f64]>,
    pub curve: Vec<f64>,
}

/// Every input's outcome, in input order, before deciding what to do about the bad ones.
#[derive(Debug)]
pub struct Measured {
    pub results: Vec<Result<Measurement, BadFile>>,
    /// `--strict`: any bad file is an error.
    pub strict: bool,
}

/// A test a usable measurement must also pass for one command (a fit needs power at every
/// frequency); it returns the problem, if any, given the frequencies and the curve.
pub type Reject<'a> = &'a dyn Fn(&[f64], &[f64]) -> Option<String>;

/// Finds, loads and measures every photo the input names, in parallel.
pub fn measure(input: &Input) -> Measured {
    let (preprocess, channel) = (input.preprocess(), input.channel);
    measure_each(IMAGES.walk(&input.paths), input.strict, |path, plan| {
        measure_photo(path, preprocess, channel, plan)
    })
}

/// Finds, loads and measures every recording the paths name, in parallel: the RAPSD of the
/// log-mel spectrogram of its middle 2 s, as the sound chapter measures its clips (every clip
/// then gives an image of one shape, and curves that average point by point).
pub fn measure_recordings(paths: &[PathBuf], strict: bool) -> Measured {
    measure_each(RECORDINGS.walk(paths), strict, |path, plans| {
        let image = load_excerpt(path, CLIP_SAMPLES)?.log_mel();
        let rapsd = rapsd(&image);
        Ok(plans.measurement(path, image.dim(), rapsd.frequency, rapsd.power))
    })
}

/// Finds, loads and measures the 1D power spectrum of every recording's middle 2 s, in parallel
/// (DC included, at the frequencies of [`spectral::audio::fft_frequencies`], in Hz).
pub fn measure_recording_spectra(paths: &[PathBuf], strict: bool) -> Measured {
    measure_each(RECORDINGS.walk(paths), strict, |path, plans| {
        let spectrum = load_excerpt(path, CLIP_SAMPLES)?.power_spectrum();
        let shape = (1, CLIP_SAMPLES);
        Ok(plans.measurement(path, shape, spectrum.frequency_hz, spectrum.power))
    })
}

/// Runs `measure_file` on every file of `entries` in parallel, keeping input order. With
/// `strict`, files after the first bad one (in file order) are not decoded at all: the run will
/// fail anyway.
fn measure_each<F>(
    entries: Vec<Result<PathBuf, BadFile>>,
    strict: bool,
    measure_file: F,
) -> Measured
where
    F: Fn(&Path, &Plans) -> Result<Measurement, BadFile> + Sync,
{
    let bar = progress::files(entries.len() as u64, "measuring");
    let first_bad = AtomicUsize::new(usize::MAX);
    let plans = Plans::default();
    let results: Vec<Option<Result<Measurement, BadFile>>> = entries
        .par_iter()
        .enumerate()
        .map(|(i, entry)| {
            if strict && i > first_bad.load(Ordering::Relaxed) {
                return None;
            }
            let result = match entry {
                Ok(path) => guarded(path, &plans, &measure_file),
                Err(bad) => Err(bad.clone()),
            };
            if result.is_err() {
                first_bad.fetch_min(i, Ordering::Relaxed);
            }
            bar.inc(1);
            Some(result)
        })
        .collect();
    bar.finish_and_clear();
    Measured {
        results: results.into_iter().flatten().collect(),
        strict,
    }
}

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside the measurement of one file, where a panic becomes that file's
/// problem (see [`guarded`]): the binary's panic hook then stays quiet.
pub fn panic_is_handled() -> bool {
    MEASURING.with(Cell::get)
}

/// Measures one file, turning a panic into a problem with that file. Decoders are written for
/// valid files; a damaged one that trips a bug in one should cost the reader that file, not the
/// run.
fn guarded<F>(path: &Path, plans: &Plans, measure_file: &F) -> Result<Measurement, BadFile>
where
    F: Fn(&Path, &Plans) -> Result<Measurement, BadFile>,
{
    MEASURING.with(|m| m.set(true));
    // A plan is shared only once it is whole, and measuring only reads it, so a panic leaves
    // nothing half-made behind.
    let outcome = catch_unwind(AssertUnwindSafe(|| measure_file(path, plans)));
    MEASURING.with(|m| m.set(false));
    outcome.unwrap_or_else(|payload| {
        Err(BadFile::new(
            path,
            format!(
                "cannot be decoded: the decoder failed on it ({})",
                panic_text(payload.as_ref())
            ),
        ))
    })
}

/// What a panic said: its message when it was given one (`panic!("…")` with or without
/// arguments), else nothing. For the one line `spectra` prints about it.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// What the workers share: the RAPSD plan (FFT plan and radial bins) of the latest shape
/// measured, one plan for a whole run of book-sized photos, and the latest frequency axis, one
/// copy for a whole run of recordings (22,051 numbers each). (A plan per worker made with rayon's
/// `map_init` is in fact one per piece of work rayon splits off: 16 to 29 in a run over 512
/// photos on two cores, at 1.5 ms each.) One shape at a time: with `--no-resize`, photos of many
/// shapes would otherwise each keep their bins (16 bytes a pixel) for the whole run.
#[derive(Default)]
struct Plans {
    rapsd: Mutex<Option<Arc<RapsdPlan>>>,
    axis: Mutex<Option<Arc<[f64]>>>,
}

impl Plans {
    fn for_shape(&self, (rows, cols): (usize, usize)) -> Arc<RapsdPlan> {
        let latest = || self.rapsd.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(plan) = latest().as_ref().filter(|p| p.shape() == (rows, cols)) {
            return Arc::clone(plan);
        }
        // Made outside the lock: the other workers go on measuring meanwhile.
        let plan = Arc::new(RapsdPlan::new(rows, cols));
        *latest() = Some(Arc::clone(&plan));
        plan
    }

    /// `frequency` as a shared axis: the latest one if equal, so measurements of one axis keep
    /// one copy of it between them.
    fn axis(&self, frequency: Vec<f64>) -> Arc<[f64]> {
        let mut latest = self.axis.lock().unwrap_or_else(PoisonError::into_inner);
        match latest.as_ref().filter(|axis| axis[..] == frequency[..]) {
            Some(axis) => Arc::clone(axis),
            None => Arc::clone(latest.insert(frequency.into())),
        }
    }

    /// A measurement whose frequency axis is shared with the others of the run.
    fn measurement(
        &self,
        path: &Path,
        shape: (usize, usize),
        frequency: Vec<f64>,
        curve: Vec<f64>,
    ) -> Measurement {
        Measurement {
            path: path.to_path_buf(),
            shape,
            frequency: self.axis(frequency),
            curve,
        }
    }
}

fn measure_photo(
    path: &Path,
    preprocess: Preprocess,
    channel: Channel,
    plans: &Plans,
) -> Result<Measurement, BadFile> {
    let field = load_channel(path, preprocess, channel)?;
    let shape = field.dim();
    let plan = plans.for_shape(shape);
    Ok(plans.measurement(path, shape, plan.frequencies(), plan.power(&field)))
}

impl Measured {
    /// Decides what the bad files mean: with `--strict` the first is the error; without, each is
    /// passed to `warn` and the run goes on, unless no file at all was usable. `reject` sets aside
    /// usable files a command cannot use.
    pub fn settle(self, reject: Option<Reject<'_>>, warn: Warn<'_>) -> Result<Spectra> {
        let Measured {
            mut results,
            strict,
        } = self;
        let (shape, frequency) = match results.iter().find_map(|r| r.as_ref().ok()) {
            Some(first) => (first.shape, first.frequency.to_vec()),
            None => ((0, 0), Vec::new()),
        };
        check_one_shape(&results)?;
        if let Some(reject) = reject {
            apply(reject, &frequency, &mut results);
        }
        let (good, skipped): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
        let good: Vec<Measurement> = good.into_iter().flatten().collect();
        let skipped: Vec<BadFile> = skipped.into_iter().filter_map(Result::err).collect();
        if let Some(first) = skipped.first()
            && (strict || (good.is_empty() && skipped.len() == 1))
        {
            return Err(first.clone().into());
        }
        skipped.iter().for_each(&mut *warn);
        if good.is_empty() {
            bail!(
                "none of the {} files could be used (each is named above)",
                skipped.len()
            );
        }
        let (files, curves) = good.into_iter().map(|m| (m.path, m.curve)).unzip();
        Ok(Spectra {
            files,
            shape,
            frequency,
            curves,
            skipped,
        })
    }
}

/// Turns the usable results that `reject` refuses into bad files, in place (order is kept).
fn apply(reject: Reject<'_>, frequency: &[f64], results: &mut [Result<Measurement, BadFile>]) {
    for result in results.iter_mut() {
        if let Ok(m) = result
            && let Some(problem) = reject(frequency, &m.curve)
        {
            *result = Err(BadFile::new(&m.path, problem));
        }
    }
}

/// With `--no-resize`, photos of different shapes are refused: their RAPSDs have different
/// lengths and frequencies, so they cannot be averaged point by point. (This is about the option,
/// not a bad file, so it stops the run.)
fn check_one_shape(results: &[Result<Measurement, BadFile>]) -> Result<()> {
    let mut good = results.iter().filter_map(|r| r.as_ref().ok());
    let Some(first) = good.next() else {
        return Ok(());
    };
    if let Some(other) = good.find(|m| m.shape != first.shape) {
        bail!(
            "{}: {} pixels, but {} has {}; without resizing only images of one shape can be \
             averaged (drop --no-resize to crop them all to {BOOK_SIZE}×{BOOK_SIZE})",
            other.path.display(),
            size_text(other.shape),
            first.path.display(),
            size_text(first.shape),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_plan_serves_every_photo_of_a_shape() {
        let plans = Plans::default();
        let first = plans.for_shape((32, 32));
        assert!(Arc::ptr_eq(&first, &plans.for_shape((32, 32))));
        assert_eq!(plans.for_shape((16, 24)).shape(), (16, 24));
        // One shape at a time: the first plan was let go, and is made again.
        let again = plans.for_shape((32, 32));
        assert!(!Arc::ptr_eq(&first, &again));
        assert_eq!(again.shape(), (32, 32));
    }

    #[test]
    fn measurements_of_one_axis_share_one_copy_of_it() {
        let plans = Plans::default();
        let a = plans.axis(vec![0.0, 0.5, 1.0]);
        let b = plans.axis(vec![0.0, 0.5, 1.0]);
        assert!(Arc::ptr_eq(&a, &b));
        let c = plans.axis(vec![0.0, 0.25]);
        assert_eq!(*c, [0.0, 0.25]);
        assert!(!Arc::ptr_eq(&a, &plans.axis(vec![0.0, 0.5, 1.0])));
    }

    #[test]
    fn a_panic_while_measuring_a_file_becomes_its_problem() {
        let path = Path::new("damaged.jpg");
        let boom = |_: &Path, _: &Plans| -> Result<Measurement, BadFile> {
            assert!(panic_is_handled());
            panic!("index out of bounds")
        };
        let bad = guarded(path, &Plans::default(), &boom).unwrap_err();
        assert_eq!(bad.path, path);
        assert_eq!(
            bad.problem,
            "cannot be decoded: the decoder failed on it (index out of bounds)"
        );
        assert!(!panic_is_handled());
    }
}

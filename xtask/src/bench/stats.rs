//! Summaries of the timed rounds: medians and ranges, and ratios taken within each round (the
//! pipelines of one round ran back to back, under the same load, so a ratio within a round is
//! fairer than a ratio of medians).

use serde::Serialize;

use super::measure::Run;
use super::pipeline::Pipeline;

/// Median and range.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

pub fn spread(mut v: Vec<f64>) -> Spread {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Spread {
        median,
        min: v[0],
        max: v[n - 1],
    }
}

/// Summaries of the timed rounds.
pub struct Summary<'a> {
    pub runs: &'a [Run],
    pub reps: usize,
}

impl Summary<'_> {
    fn of(&self, p: Pipeline) -> impl Iterator<Item = &Run> {
        self.runs.iter().filter(move |r| r.pipeline == p)
    }

    pub fn rate(&self, p: Pipeline) -> Spread {
        spread(self.of(p).map(|r| r.images as f64 / r.seconds).collect())
    }

    pub fn seconds(&self, p: Pipeline) -> Spread {
        spread(self.of(p).map(|r| r.seconds).collect())
    }

    /// CPU milliseconds per image, when every run reported its CPU time.
    pub fn cpu_ms(&self, p: Pipeline) -> Option<Spread> {
        let v: Option<Vec<f64>> = self
            .of(p)
            .map(|r| r.cpu_seconds.map(|c| 1e3 * c / r.images as f64))
            .collect();
        v.map(spread)
    }

    /// `f(time of each pipeline)` evaluated within each round, then summarised over the rounds;
    /// wall time, or CPU time with `cpu`.
    pub fn per_round(&self, cpu: bool, f: RoundStat<'_>) -> Spread {
        spread(
            (1..=self.reps)
                .map(|round| {
                    let time = |p: Pipeline| {
                        self.runs
                            .iter()
                            .find(|r| r.round == round && r.pipeline == p)
                            .and_then(|r| if cpu { r.cpu_seconds } else { Some(r.seconds) })
                            .unwrap_or(f64::NAN)
                    };
                    f(&time)
                })
                .collect(),
        )
    }
}

/// Each pipeline's time within one round.
pub type Times<'a> = &'a dyn Fn(Pipeline) -> f64;
/// A statistic of one round's times.
pub type RoundStat<'a> = &'a dyn Fn(Times<'_>) -> f64;

/// What fraction of `whole`'s time `part` takes.
pub fn share(part: Pipeline, whole: Pipeline) -> impl Fn(Times<'_>) -> f64 {
    move |t| t(part) / t(whole)
}

/// How many times faster `fast` is than `slow` (ratio of images per second = inverse time ratio).
pub fn speedup(fast: Pipeline, slow: Pipeline) -> impl Fn(Times<'_>) -> f64 {
    move |t| t(slow) / t(fast)
}

/// What the spectral work adds to the decode-and-resize floor, as a fraction of the floor.
pub fn added(full: Pipeline, floor: Pipeline) -> impl Fn(Times<'_>) -> f64 {
    move |t| (t(full) - t(floor)) / t(floor)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    #[test]
    fn spread_takes_the_median_and_the_range() {
        let s = spread(vec![3.0, 1.0, 2.0]);
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        assert_eq!(spread(vec![4.0, 1.0, 2.0, 3.0]).median, 2.5);
    }

    /// Round k: Rust 1 s, pysteps 10k s, decode 0.8 s, JPEG 0.5 s; CPU time twice the wall time.
    pub fn fake_runs() -> Vec<Run> {
        let mut runs = Vec::new();
        for round in 1..=3 {
            for p in Pipeline::ALL {
                let seconds = match p {
                    Pipeline::Pysteps => 10.0 * round as f64,
                    Pipeline::Decode => 0.8,
                    Pipeline::Jpeg => 0.5,
                    _ => 1.0,
                };
                runs.push(Run {
                    pipeline: p,
                    round,
                    seconds,
                    wall_seconds: seconds,
                    cpu_seconds: Some(2.0 * seconds),
                    images: 500,
                    alpha: p.fits().then_some(2.5),
                });
            }
        }
        runs
    }

    #[test]
    fn ratios_are_taken_within_rounds() {
        let runs = fake_runs();
        let sum = Summary {
            runs: &runs,
            reps: 3,
        };
        let v = sum.per_round(false, &speedup(Pipeline::Rust, Pipeline::Pysteps));
        assert_eq!((v.median, v.min, v.max), (20.0, 10.0, 30.0));
        let share = sum.per_round(true, &added(Pipeline::Rust, Pipeline::Decode));
        assert!((share.median - 0.25).abs() < 1e-12);
        assert_eq!(sum.rate(Pipeline::Rust).median, 500.0);
        assert_eq!(sum.cpu_ms(Pipeline::Rust).unwrap().median, 4.0);
        // Pillow decodes in 1 s what Rust decodes in 0.5 s: Rust's decoder is 2× as fast.
        let decoders = sum.per_round(true, &speedup(Pipeline::Jpeg, Pipeline::PillowJpeg));
        assert_eq!(decoders.median, 2.0);
    }
}

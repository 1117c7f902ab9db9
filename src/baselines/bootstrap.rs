//! Percentile-bootstrap confidence intervals for any [`Estimator`].

use super::Estimator;
use crate::{Error, Result};
use ndarray::{ArrayView2, Axis};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// A two-sided confidence interval for MI, in nats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
    /// Nominal coverage, in (0, 1).
    pub level: f64,
}

/// Percentile-bootstrap interval of `est` on paired samples `x`, `y`.
///
/// Draws `resamples` sets of n row indices with replacement and estimates MI on each; the
/// interval is the `(1 − level)/2` and `(1 + level)/2` empirical quantiles of those estimates,
/// with linear interpolation between order statistics (quantile p of m sorted values sits at
/// position p·(m − 1), "type 7"). Each resample gets its own ChaCha8 seed, drawn in order from
/// a master `ChaCha8Rng::seed_from_u64(seed)`, so the result depends only on `seed`, not on
/// the number of rayon threads. Errors: `level` outside (0, 1), `resamples < 2`, invalid
/// input (see [`crate::data::validate`]; n ≥ 2 here) and any error of `est` on a resample.
pub fn bootstrap_interval(
    est: &dyn Estimator,
    x: ArrayView2<f64>,
    y: ArrayView2<f64>,
    resamples: usize,
    level: f64,
    seed: u64,
) -> Result<Interval> {
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::BadArgument {
            name: "level",
            value: level.to_string(),
            why: "the coverage level must be strictly between 0 and 1".to_string(),
        });
    }
    if resamples < 2 {
        return Err(Error::BadArgument {
            name: "resamples",
            value: resamples.to_string(),
            why: "a bootstrap interval needs at least 2 resamples".to_string(),
        });
    }
    crate::data::validate(x, y, 2, "a bootstrap interval")?;
    let n = x.nrows();
    let mut master = ChaCha8Rng::seed_from_u64(seed);
    let seeds: Vec<u64> = (0..resamples).map(|_| master.next_u64()).collect();
    let mut estimates = seeds
        .into_par_iter()
        .map(|s| {
            let mut rng = ChaCha8Rng::seed_from_u64(s);
            let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            est.estimate(x.select(Axis(0), &rows).view(), y.select(Axis(0), &rows).view())
        })
        .collect::<Result<Vec<f64>>>()?;
    estimates.sort_unstable_by(f64::total_cmp);
    Ok(Interval { lo: quantile(&estimates, (1.0 - level) / 2.0), hi: quantile(&estimates, (1.0 + level) / 2.0), level })
}

/// Linearly interpolated quantile `p ∈ [0, 1]` of non-empty ascending `sorted`.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = p * (sorted.len() - 1) as f64;
    let (below, frac) = (h.floor() as usize, h.fract());
    match sorted.get(below + 1) {
        Some(&next) => sorted[below] + frac * (next - sorted[below]),
        None => sorted[below],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baselines::ksg::tests::{TRUE_MI_075, bivariate_normal};
    use crate::baselines::{Gaussian, Ksg};

    #[test]
    fn gaussian_interval_covers_truth() {
        let (x, y) = bivariate_normal(5000, 0.75, 1);
        let iv = bootstrap_interval(&Gaussian, x.view(), y.view(), 200, 0.9, 11).unwrap();
        assert!(iv.lo < iv.hi, "{iv:?}");
        assert!(iv.lo <= TRUE_MI_075 && TRUE_MI_075 <= iv.hi, "{iv:?} misses {TRUE_MI_075}");
        assert_eq!(iv.level, 0.9);
    }

    #[test]
    fn deterministic_across_runs_and_thread_counts() {
        let (x, y) = bivariate_normal(300, 0.5, 2);
        let run = |threads, seed| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| bootstrap_interval(&Ksg::default(), x.view(), y.view(), 20, 0.8, seed)).unwrap()
        };
        let one = run(1, 5);
        assert_eq!(one, run(4, 5));
        assert_eq!(one, run(1, 5));
        assert_ne!(one, run(1, 6));
    }

    #[test]
    fn quantile_interpolates_linearly() {
        let v = [0.0, 1.0, 2.0, 10.0];
        assert_eq!(quantile(&v, 0.0), 0.0);
        assert_eq!(quantile(&v, 0.5), 1.5);
        assert_eq!(quantile(&v, 1.0), 10.0);
    }

    #[test]
    fn bad_arguments_are_errors() {
        let (x, y) = bivariate_normal(50, 0.5, 3);
        let call =
            |resamples, level| bootstrap_interval(&Gaussian, x.view(), y.view(), resamples, level, 0).unwrap_err();
        for level in [1.5, 0.0, 1.0, f64::NAN] {
            assert!(matches!(call(10, level), Error::BadArgument { name: "level", .. }));
        }
        assert!(matches!(call(1, 0.9), Error::BadArgument { name: "resamples", .. }));
        let short = y.slice(ndarray::s![..40, ..]);
        let e = bootstrap_interval(&Gaussian, x.view(), short, 10, 0.9, 0).unwrap_err();
        assert!(matches!(e, Error::RowMismatch { x_rows: 50, y_rows: 40 }));
        // The estimator's own errors come through.
        let e = bootstrap_interval(&Ksg { k: 0 }, x.view(), y.view(), 10, 0.9, 0).unwrap_err();
        assert!(matches!(e, Error::BadArgument { name: "k", .. }));
    }
}

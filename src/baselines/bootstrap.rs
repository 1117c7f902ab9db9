//! Subsampling (m-out-of-n bootstrap without replacement) confidence intervals for any
//! [`Estimator`].
//!
//! The classical bootstrap resamples rows with replacement, so about a third of each resample's
//! rows are exact copies of others. A nearest-neighbour estimator such as KSG reads a copy as a
//! neighbour at distance zero in X, in Y and jointly, and its resample estimates rise far above the
//! estimate of the data (on the bundled example: estimate 0.88, percentile interval [1.08, 1.25]).
//! Subsamples of half the rows, drawn without replacement, hold no copies.

use super::Estimator;
use crate::{Error, Result};
use ndarray::{ArrayView2, Axis};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
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

/// Subsampling interval of `est` on paired samples `x`, `y` (n rows), in nats.
///
/// Draws `resamples` subsets of m = max(⌈n / 2⌉, the estimator's fewest rows) distinct rows
/// (so n must exceed that fewest) and estimates MI on each (θ*). With θ the
/// estimate on all rows, θ* − θ spreads like an estimate's error with variance σ²(1/m − 1/n) (drawn
/// from the data without replacement), so √(m / (n − m)) (θ* − θ) stands in for θ − truth, of
/// variance σ²/n (delete-d jackknife, or half-sampling, with d = n − m). The interval is
/// `[θ − s c_hi, θ − s c_lo]` with s = √(m / (n − m)) (1 when m = n / 2), clamped at 0, where
/// `c_lo`, `c_hi` are the `(1 − level)/2` and `(1 + level)/2` empirical quantiles of θ* − θ (linear interpolation between
/// order statistics, "type 7"). Subsamples have more bias than the full data, so the interval also
/// leans against the estimator's bias. Each subsample gets its own ChaCha8 seed, drawn in order
/// from `ChaCha8Rng::seed_from_u64(seed)`, so the result depends only on `seed`, not on the number
/// of rayon threads. Errors: `level` outside (0, 1), `resamples < 2`, invalid input (see
/// [`crate::input::validate`]; n above the estimator's fewest rows here), and any error of `est` on
/// all rows or on a subsample, named as such.
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
            why: "an interval needs at least 2 subsamples".to_string(),
        });
    }
    crate::input::validate(x, y, 2, "a subsampling interval")?;
    let full = est.estimate(x, y)?;
    let (n, fewest) = (x.nrows(), est.min_rows());
    if n <= fewest {
        let what = format!("a subsampling interval of {}", est.name());
        return Err(Error::TooFewRows { n, min: fewest.saturating_add(1), what });
    }
    let m = n.div_ceil(2).max(fewest);
    let mut master = ChaCha8Rng::seed_from_u64(seed);
    let seeds: Vec<u64> = (0..resamples).map(|_| master.next_u64()).collect();
    let mut deviations = seeds
        .into_par_iter()
        .map(|s| {
            let rows = sample(&mut ChaCha8Rng::seed_from_u64(s), n, m).into_vec();
            est.estimate(x.select(Axis(0), &rows).view(), y.select(Axis(0), &rows).view()).map(|v| v - full)
        })
        .collect::<Result<Vec<f64>>>()
        .map_err(|e| Error::BadArgument {
            name: "subsample",
            value: format!("{m} of the {n} rows"),
            why: e.to_string(),
        })?;
    deviations.sort_unstable_by(f64::total_cmp);
    let scale = (m as f64 / (n - m) as f64).sqrt();
    let (c_lo, c_hi) = (quantile(&deviations, (1.0 - level) / 2.0), quantile(&deviations, (1.0 + level) / 2.0));
    Ok(Interval { lo: (full - scale * c_hi).max(0.0), hi: (full - scale * c_lo).max(0.0), level })
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
    fn ksg_interval_holds_its_own_estimate_and_the_truth() {
        // With replacement, KSG's resamples read copied rows as zero-distance neighbours and the
        // whole interval sat above the estimate; subsamples have no copies.
        let (x, y) = bivariate_normal(1000, 0.75, 4);
        let ksg = Ksg::default();
        let mi = ksg.estimate(x.view(), y.view()).unwrap();
        let iv = bootstrap_interval(&ksg, x.view(), y.view(), 100, 0.9, 3).unwrap();
        assert!(iv.lo < mi && mi < iv.hi, "{iv:?} around {mi}");
        assert!(iv.lo <= TRUE_MI_075 && TRUE_MI_075 <= iv.hi, "{iv:?} misses {TRUE_MI_075}");
        assert!(iv.hi - iv.lo < 0.15, "{iv:?}");
    }

    #[test]
    fn ksg_interval_covers_the_truth_where_ksg_is_nearly_unbiased() {
        // 200 bivariate normals (ρ = 0.75, n = 300), where KSG's bias is small against its spread.
        // (On the meta-dataset's test grids KSG's error is mostly bias, which no resampling
        // interval covers: see the note in models/README.md.)
        let ksg = Ksg::default();
        let covered = (0..200)
            .filter(|&seed| {
                let (x, y) = bivariate_normal(300, 0.75, 100 + seed);
                let iv = bootstrap_interval(&ksg, x.view(), y.view(), 50, 0.9, seed).unwrap();
                iv.lo <= TRUE_MI_075 && TRUE_MI_075 <= iv.hi
            })
            .count();
        println!("KSG 90% subsampling interval: {covered} of 200 cover the truth");
        assert!((160..=195).contains(&covered), "{covered} of 200");
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
        // Subsamples are at least as large as the estimator needs, and smaller than the data.
        let (x10, y10) = bivariate_normal(10, 0.5, 4);
        let iv = bootstrap_interval(&Ksg::default(), x10.view(), y10.view(), 10, 0.9, 0).unwrap();
        assert!(iv.lo <= iv.hi, "{iv:?}");
        let e = bootstrap_interval(&Ksg { k: 49 }, x.view(), y.view(), 10, 0.9, 0).unwrap_err();
        assert!(matches!(e, Error::TooFewRows { n: 50, min: 51, .. }), "{e}");
    }
}

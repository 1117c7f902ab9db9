//! What the whole of a large dataset says about its MI, for the large-n head
//! ([`crate::runtime::head`]). The set model sees a dataset above its `max_n` rows only as chunks of
//! `max_n`, whose average keeps the bias and the spread of a `max_n`-row estimate however many rows
//! there are; these features are computed once on all rows (up to [`MAX_ROWS`] of them): the
//! [`summary`] features of the rank-Gaussian data, and in low dimensions KSG on the same data, whose
//! error keeps falling with n. They depend only on the data and the seed, and, like the model's
//! input, not on monotone transforms of a column.

use crate::baselines::{Estimator, Ksg};
use crate::preprocess::rank_gauss_untied;
use crate::summary::{SUMMARY_LEN, summary};
use ndarray::{ArrayView2, Axis, s};
use rand::Rng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;

/// Most rows the features read; a larger dataset gives a seeded subsample of this many (the
/// Gaussian estimate's sampling error at 10⁵ rows is far below the head's).
pub const MAX_ROWS: usize = 100_000;

/// Largest `dx + dy` given a KSG feature; above, it is 0 and flagged absent.
pub const KSG_MAX_DIMS: usize = 8;

/// Most rows KSG reads in `dims = dx + dy` ≤ [`KSG_MAX_DIMS`] dimensions, the first of the
/// (already random) subsample: 20,000 up to 4 dimensions, 10,000 in 5 to 8, where its k-d trees
/// prune less (about 80 ms at 10,000 rows in 8 dimensions on 2 cores).
fn ksg_rows(dims: usize) -> usize {
    if dims <= 4 { 20_000 } else { 10_000 }
}

/// Neighbours of the KSG feature.
const KSG_K: usize = 5;

/// Number of whole-data features.
pub const LEN: usize = SUMMARY_LEN + 3;

/// Index of the `ln(1 + k)` feature (the KSG estimate) in [`features`].
pub const KSG: usize = SUMMARY_LEN;

/// Index of the feature that is 1 when there is a KSG estimate, else 0.
pub const HAS_KSG: usize = SUMMARY_LEN + 1;

/// The whole-data features of `x` (n × dx) and `y` (n × dy), checked and without constant columns:
/// the [`summary`] of the rank-Gaussian rows (ties broken at random), then `ln(1 + k)`, 1 and
/// `ln(m) / 10`, where `k` is the KSG estimate (k = 5) on `m` of the rank-Gaussian rows
/// (`[0, 0, 0]` when `dx + dy` is above [`KSG_MAX_DIMS`]). The rows are read in an order drawn from `rng`, which also picks the rows
/// left out beyond [`MAX_ROWS`] and breaks ties.
pub fn features(x: ArrayView2<f64>, y: ArrayView2<f64>, rng: &mut ChaCha8Rng) -> [f32; LEN] {
    let n = x.nrows();
    // A random subsample, in random order, so that KSG's rows below are random too.
    let rows = sample(rng, n, n.min(MAX_ROWS)).into_vec();
    // Ties broken at random, as in the chunks the set model reads: with ties left in, KSG counts
    // duplicated points and reads far more MI than discrete data have.
    let (x, y) = (
        rank_gauss_untied(x.select(Axis(0), &rows).view(), rng.next_u64()),
        rank_gauss_untied(y.select(Axis(0), &rows).view(), rng.next_u64()),
    );
    let mut out = [0.0; LEN];
    out[..SUMMARY_LEN].copy_from_slice(&summary(x.view(), y.view()));
    let d = x.ncols() + y.ncols();
    if d <= KSG_MAX_DIMS {
        let m = rows.len().min(ksg_rows(d));
        let first = s![..m, ..];
        // The rows are finite and more than k: KSG cannot fail here.
        let k = Ksg { k: KSG_K }.estimate(x.slice(first), y.slice(first)).unwrap_or(0.0);
        out[KSG..].copy_from_slice(&[k.ln_1p() as f32, 1.0, (m as f64).ln() as f32 / 10.0]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand::{RngExt, SeedableRng};

    fn seeded(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    fn correlated(n: usize, d: usize, rho: f64, seed: u64) -> (Array2<f64>, Array2<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut normal = || {
            let (u, v): (f64, f64) = (rng.random_range(1e-12..1.0), rng.random());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        };
        let x = Array2::from_shape_fn((n, d), |_| normal());
        let noise = Array2::from_shape_fn((n, d), |_| normal());
        let y = &x * rho + noise * (1.0 - rho * rho).sqrt();
        (x, y)
    }

    #[test]
    fn ksg_reads_low_dimensions_only_and_is_near_the_truth() {
        let (x, y) = correlated(3_000, 1, 0.8, 1);
        let f = features(x.view(), y.view(), &mut seeded(7));
        let truth = -0.5 * (1.0f64 - 0.64).ln();
        let ksg = (f[SUMMARY_LEN] as f64).exp_m1();
        assert!((ksg - truth).abs() < 0.05, "KSG {ksg} for truth {truth}");
        assert_eq!(f[SUMMARY_LEN + 1], 1.0);
        assert!((f[SUMMARY_LEN + 2] - (3_000f32).ln() / 10.0).abs() < 1e-6);
        let (x, y) = correlated(600, 5, 0.5, 2);
        assert_eq!(features(x.view(), y.view(), &mut seeded(7))[SUMMARY_LEN..], [0.0; 3], "dx + dy = 10 has no KSG");
    }

    #[test]
    fn features_ignore_monotone_transforms_and_row_order_within_max_rows() {
        let (x, y) = correlated(1_000, 2, 0.6, 3);
        let f = features(x.view(), y.view(), &mut seeded(9));
        assert_eq!(features(x.mapv(f64::exp).view(), (&y * 1e300).view(), &mut seeded(9)), f);
        // A large dataset reads a subsample: a different seed, different rows, close features.
        let (x, y) = correlated(MAX_ROWS + 5_000, 1, 0.6, 4);
        let (a, b) = (features(x.view(), y.view(), &mut seeded(1)), features(x.view(), y.view(), &mut seeded(2)));
        assert_ne!(a, b);
        assert!(a.iter().zip(&b).all(|(p, q)| (p - q).abs() < 0.02), "{a:?} vs {b:?}");
    }
}

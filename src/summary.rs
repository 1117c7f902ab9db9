//! Per-dataset summary statistics that a model may read beside the rows: the Gaussian (CCA) MI of
//! the rank-Gaussian data, the same estimate with the rows of Y shuffled (what it reads when X and
//! Y are independent: its finite-sample floor), the sample size, and the Gaussian MI of the two
//! squared radii. A set model sees the rows one token at a time and resolves strong linear
//! dependence in many dimensions poorly; the Gaussian estimate carries it, and its floor says how
//! far to trust it (far from none when n is near dx + dy). The radii tell a shared scale (a
//! Student-t's common χ², heavy joint tails: MI the Gaussian estimate does not see) from a Gaussian
//! copula, where the radii are far less dependent.

use crate::baselines::gaussian::GaussianFit;
use crate::baselines::{Estimator, Gaussian};
use crate::preprocess::{rank_gauss, total_order};
use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;

/// Number of summary features per dataset.
pub const SUMMARY_LEN: usize = 7;

/// Index of the `ln(1 + g)` feature (the Gaussian estimate) in a [`summary`].
pub const GAUSSIAN: usize = 2;

/// Index of the `ln(n) / 6` feature (the rows read) in a [`summary`].
pub const ROWS: usize = 4;

/// Index of the `min((dx + dy) / n, 4)` feature (dimensions per row) in a [`summary`].
pub const DIMS_PER_ROW: usize = 5;

/// Largest Gaussian estimate passed on, in nats (the estimate of a near-singular sample can reach
/// 13.8 nats per dimension).
const MAX_GAUSSIAN_NATS: f64 = 100.0;

/// Seed of the row shuffle behind the floor, fixed so that a dataset's summary is deterministic.
const SHUFFLE_SEED: u64 = 0x6d69_7374;

/// The summary features of one (already rank-Gaussian) dataset:
/// `[c / 10, ln(1 + c), ln(1 + g), ln(1 + g₀), ln(n) / 6, min((dx + dy) / n, 4), ln(1 + r)]`,
/// where `g` is the [`Gaussian`] estimate in nats, `g₀` the same estimate after a seeded shuffle of
/// Y's rows (taken in sorted row order, so the features do not depend on the order of the rows;
/// the fit's within-block parts are shared, only the cross block is redone), `c = max(g − g₀, 0)`
/// and `r` the Gaussian estimate between the rank-Gaussian squared radii `|x|²` and `|y|²` of the
/// rows. Each estimate clamped to `[0, 100]` (0 when the estimator rejects the data, e.g. n < 3).
pub fn summary(x: ArrayView2<f64>, y: ArrayView2<f64>) -> [f32; SUMMARY_LEN] {
    let n = x.nrows().max(1) as f64;
    let d = (x.ncols() + y.ncols()) as f64;
    let nats = |g: f64| if g.is_finite() { g.clamp(0.0, MAX_GAUSSIAN_NATS) } else { 0.0 };
    // The shuffle permutes the rows in a canonical (sorted) order, so that the floor, like g, does
    // not depend on the order of the rows.
    let sorted = rows_in_order(x, y);
    let mut shuffled = sorted.clone();
    shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(SHUFFLE_SEED));
    let fit = GaussianFit::new(x, y).ok();
    let g = fit.as_ref().map_or(0.0, |fit| nats(fit.mi()));
    let floor = fit.as_ref().map_or(0.0, |fit| nats(fit.mi_repaired(&sorted, &shuffled)));
    let c = (g - floor).max(0.0);
    let (rx, ry) = (squared_radii(x), squared_radii(y));
    let r = Gaussian.estimate(rx.view(), ry.view()).map_or(0.0, nats);
    [c / 10.0, c.ln_1p(), g.ln_1p(), floor.ln_1p(), n.ln() / 6.0, (d / n).min(4.0), r.ln_1p()].map(|v| v as f32)
}

/// The rows in lexicographic order of their cells (X's, then Y's; [`f64::total_cmp`]), equal rows
/// by index. Sorted first by the first cell alone, which decides almost every comparison (rank-Gaussian
/// data with ties broken has none in a column), then each run of equal first cells in full.
fn rows_in_order(x: ArrayView2<f64>, y: ArrayView2<f64>) -> Vec<usize> {
    let cells = |r: usize| x.row(r).into_iter().chain(y.row(r));
    let lexicographic = |&a: &usize, &b: &usize| {
        cells(a).zip(cells(b)).map(|(p, q)| p.total_cmp(q)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
    };
    let first = |r: usize| x.row(r).first().map_or(0, |&v| total_order(v));
    let mut rows: Vec<usize> = (0..x.nrows()).collect();
    rows.sort_unstable_by_key(|&r| (first(r), r));
    rows.chunk_by_mut(|&a, &b| first(a) == first(b)).for_each(|run| run.sort_by(lexicographic));
    rows
}

/// The rank-Gaussian squared norms of the rows of `a`, one column.
fn squared_radii(a: ArrayView2<f64>) -> Array2<f64> {
    let radii: Vec<f64> = a.rows().into_iter().map(|row| row.dot(&row)).collect();
    let column = Array2::from_shape_vec((radii.len(), 1), radii).expect("one value per row");
    rank_gauss(column.view())
}

/// The [`summary`] features of each `(x, y)` of `datasets`, flat: `[b, SUMMARY_LEN]`, the
/// `summary` input of a model.
pub fn summaries<'a>(datasets: impl Iterator<Item = (ArrayView2<'a, f64>, ArrayView2<'a, f64>)>) -> Vec<f32> {
    datasets.flat_map(|(x, y)| summary(x, y)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, Axis};
    use rand::RngExt;
    use rand_distr::StandardNormal;

    #[test]
    fn summary_carries_the_gaussian_estimate_its_floor_and_the_size() {
        // Y = X exactly in one dimension with n = 400: the estimator's 1e-6 ridge leaves
        // 1 − ρ² ≈ 2e-6, so g = ½ ln(5e5) = 6.56 nats; shuffled, the same column gives about 0,
        // as does an unrelated column.
        let x = Array2::from_shape_fn((400, 1), |(r, _)| ((r * 37 % 400) as f64 - 200.0) / 100.0);
        let noise = Array2::from_shape_fn((400, 1), |(r, _)| ((r * 101 % 397) as f64 - 198.0) / 100.0);
        let same = summary(x.view(), x.view());
        assert!((same[2] - 6.56f32.ln_1p()).abs() < 0.001, "{same:?}");
        assert!(same[3] < 0.02, "{same:?}");
        assert!((same[0] - 0.656).abs() < 0.003 && (same[1] - (10.0 * same[0]).ln_1p()).abs() < 1e-5, "{same:?}");
        assert!((same[4] - 400f32.ln() / 6.0).abs() < 1e-6);
        assert!((same[5] - 2.0 / 400.0).abs() < 1e-6);
        let apart = summary(x.view(), noise.view());
        assert!(apart[0] < 0.01 && apart[2] < 0.1 && apart[3] < 0.1, "{apart:?}");
    }

    #[test]
    fn the_floor_takes_up_what_independent_rows_read_when_n_is_near_the_dimension() {
        // 20 + 20 independent columns and 100 rows: g reads over 2 nats of pure noise, and the
        // shuffled floor reads about as much, so the corrected estimate stays small.
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut draw = || Array2::from_shape_fn((100, 20), |_| rng.sample::<f64, _>(StandardNormal));
        let (x, y) = (draw(), draw());
        let s = summary(x.view(), y.view());
        let (g, floor, c) = (s[2].exp_m1(), s[3].exp_m1(), 10.0 * s[0]);
        assert!(g > 2.0 && floor > 2.0, "g = {g}, floor = {floor}");
        assert!(c < 0.25 * g, "corrected {c} of g = {g}, floor {floor}");
    }

    #[test]
    fn the_radial_feature_sees_a_shared_scale_that_the_gaussian_estimate_misses() {
        // Three independent Gaussian coordinates on each side, divided by one shared
        // sqrt(χ²₁) per row (a Student-t with identity dispersion, ν = 1: MI 0.43 nats for
        // m = k = 2 per the spec, more here), against the same without the shared scale.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (n, m) = (500, 3);
        let z = Array2::from_shape_fn((n, 2 * m), |_| rng.sample::<f64, _>(StandardNormal));
        let scale: Vec<f64> = (0..n).map(|_| rng.sample::<f64, _>(StandardNormal).abs()).collect();
        let t = Array2::from_shape_fn((n, 2 * m), |(r, c)| z[[r, c]] / scale[r]);
        let features = |a: &Array2<f64>| {
            let a = rank_gauss(a.view());
            summary(a.slice(ndarray::s![.., ..m]), a.slice(ndarray::s![.., m..]))
        };
        let (student, normal) = (features(&t), features(&z));
        let radial = |s: &[f32; SUMMARY_LEN]| s[6].exp_m1();
        assert!(radial(&student) > 0.2, "{student:?}");
        assert!(radial(&normal) < 0.02, "{normal:?}");
        // The Gaussian estimate is blind to it: both read next to nothing.
        assert!(student[2].exp_m1() < 0.05 && normal[2].exp_m1() < 0.05, "{student:?} {normal:?}");
    }

    #[test]
    fn summary_does_not_depend_on_the_row_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let x = Array2::from_shape_fn((80, 3), |_| rng.sample::<f64, _>(StandardNormal));
        let y = Array2::from_shape_fn((80, 2), |(r, c)| x[[r, c]] + rng.sample::<f64, _>(StandardNormal));
        let order: Vec<usize> = (0..80).map(|r| (r * 37 + 11) % 80).collect();
        let permuted = summary(x.select(Axis(0), &order).view(), y.select(Axis(0), &order).view());
        let s = summary(x.view(), y.view());
        assert!(s[3] > 0.0, "{s:?}");
        assert_eq!(s, permuted);
    }

    #[test]
    fn rows_sort_lexicographically_when_first_cells_tie() {
        // First cells from 3 values (and -0 beside 0), later cells tie too, some rows identical.
        let x = Array2::from_shape_fn((60, 2), |(r, c)| if c == 0 { [0.0, -0.0, 1.0][r % 3] } else { (r % 4) as f64 });
        let y = Array2::from_shape_fn((60, 1), |(r, _)| (r % 5 / 2) as f64);
        let cells = |r: usize| [x[[r, 0]], x[[r, 1]], y[[r, 0]]];
        let mut expected: Vec<usize> = (0..60).collect();
        expected.sort_by(|&a, &b| {
            cells(a).iter().zip(cells(b)).map(|(p, q)| p.total_cmp(&q)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
        });
        assert_eq!(rows_in_order(x.view(), y.view()), expected);
    }

    #[test]
    fn summaries_are_flat_per_dataset() {
        let x = Array2::from_shape_fn((50, 2), |(r, c)| ((r * (7 + c) % 50) as f64) / 10.0);
        let y = Array2::from_shape_fn((50, 3), |(r, c)| ((r * (11 + 2 * c) % 47) as f64) / 10.0);
        let flat = summaries([(x.view(), y.view()), (y.view(), x.view())].into_iter());
        assert_eq!(flat, [summary(x.view(), y.view()), summary(y.view(), x.view())].concat());
    }

    #[test]
    fn summary_of_too_few_rows_is_finite() {
        let x = Array2::from_elem((2, 3), 1.0);
        let s = summary(x.view(), x.view());
        assert_eq!((s[0], s[6]), (0.0, 0.0));
        assert!(s.iter().all(|v| v.is_finite()), "{s:?}");
    }
}

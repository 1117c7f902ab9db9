//! Per-dataset summary statistics that a model may read beside the rows: the Gaussian (CCA) MI of
//! the rank-Gaussian data, the same estimate with the rows of Y shuffled (what it reads when X and
//! Y are independent: its finite-sample floor), the sample size, and the Gaussian MI of the two
//! squared radii, raw and with Y's linear prediction from X taken out. A set model sees the rows
//! one token at a time and resolves strong linear dependence in many dimensions poorly; the
//! Gaussian estimate carries it, and its floor says how far to trust it (far from none when n is
//! near dx + dy). The radii tell a shared scale (a Student-t's common χ², heavy joint tails: MI the
//! Gaussian estimate does not see) from a Gaussian copula, where the radii are far less dependent;
//! with the linear part taken out, a Gaussian copula's radii are independent however strongly X
//! and Y correlate, so the second form is a test of the copula's Gaussianity.

use crate::baselines::gaussian::GaussianFit;
use crate::baselines::{Estimator, Gaussian};
use crate::preprocess::rank_gauss;
use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;

/// Number of summary features per dataset.
pub const SUMMARY_LEN: usize = 8;

/// Summary features of the models trained before the residual radial feature (compact-v8, the
/// shipped main model): the first seven.
pub const RADIAL_LEN: usize = 7;

/// Summary features of the models trained before the radial feature: a model reads the first
/// `k` features, and the exported graph's `summary` input says `k`.
pub const PRE_RADIAL_LEN: usize = 6;

/// Index of the `min((dx + dy) / n, 4)` feature (dimensions per row) in a [`summary`].
pub const DIMS_PER_ROW: usize = 5;

/// Largest Gaussian estimate passed on, in nats (the estimate of a near-singular sample can reach
/// 13.8 nats per dimension).
const MAX_GAUSSIAN_NATS: f64 = 100.0;

/// Seed of the row shuffle behind the floor, fixed so that a dataset's summary is deterministic.
const SHUFFLE_SEED: u64 = 0x6d69_7374;

/// The summary features of one (already rank-Gaussian) dataset:
/// `[c / 10, ln(1 + c), ln(1 + g), ln(1 + g₀), ln(n) / 6, min((dx + dy) / n, 4), ln(1 + r),
/// ln(1 + 2n·r⊥) / 6]`,
/// where `g` is the [`Gaussian`] estimate in nats, `g₀` the same estimate after a seeded shuffle of
/// Y's rows (taken in sorted row order, so the features do not depend on the order of the rows;
/// the fit's within-block parts are shared, only the cross block is redone), `c = max(g − g₀, 0)`,
/// `r` the Gaussian estimate between the rank-Gaussian squared radii `|x|²` and `|y|²` of the
/// rows, and `r⊥` the same between the radii of X and of Y's residual given X, both whitened
/// (`GaussianFit::radii_apart`); `2n·r⊥` is about χ²₁ for a Gaussian copula (the radii are then
/// independent), so the feature is the log of a test statistic of the copula's Gaussianity. Each
/// estimate clamped to `[0, 100]` (0 when the estimator rejects the data, e.g. n < 3).
pub fn summary(x: ArrayView2<f64>, y: ArrayView2<f64>) -> [f32; SUMMARY_LEN] {
    leading(x, y, SUMMARY_LEN).try_into().expect("every feature was computed")
}

/// The first `len` features of [`summary`], without computing the ones past them (a model reading
/// fewer features does not pay for the radii).
fn leading(x: ArrayView2<f64>, y: ArrayView2<f64>, len: usize) -> Vec<f32> {
    let n = x.nrows().max(1) as f64;
    let d = (x.ncols() + y.ncols()) as f64;
    let nats = |g: f64| if g.is_finite() { g.clamp(0.0, MAX_GAUSSIAN_NATS) } else { 0.0 };
    // The shuffle permutes the rows in a canonical (sorted) order, so that the floor, like g, does
    // not depend on the order of the rows.
    let cells = |r: usize| x.row(r).into_iter().chain(y.row(r));
    let mut sorted: Vec<usize> = (0..x.nrows()).collect();
    sorted.sort_by(|&a, &b| {
        cells(a).zip(cells(b)).map(|(p, q)| p.total_cmp(q)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
    });
    let mut shuffled = sorted.clone();
    shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(SHUFFLE_SEED));
    let fit = GaussianFit::new(x, y).ok();
    let g = fit.as_ref().map_or(0.0, |fit| nats(fit.mi()));
    let floor = fit.as_ref().map_or(0.0, |fit| nats(fit.mi_repaired(&sorted, &shuffled)));
    let c = (g - floor).max(0.0);
    let mut features = vec![c / 10.0, c.ln_1p(), g.ln_1p(), floor.ln_1p(), n.ln() / 6.0, (d / n).min(4.0)];
    if len > PRE_RADIAL_LEN {
        let (rx, ry) = (squared_radii(x), squared_radii(y));
        features.push(Gaussian.estimate(rx.view(), ry.view()).map_or(0.0, nats).ln_1p());
    }
    if len > RADIAL_LEN {
        let apart = fit.as_ref().map_or(0.0, |fit| nats(residual_radial(fit)));
        features.push((2.0 * n * apart).ln_1p() / 6.0);
    }
    features.truncate(len);
    features.into_iter().map(|v| v as f32).collect()
}

/// The Gaussian estimate between the rank-Gaussian radii of X and of Y's residual given X
/// (`GaussianFit::radii_apart`): near 0 for any Gaussian copula, however correlated.
fn residual_radial(fit: &GaussianFit) -> f64 {
    let (rx, re) = fit.radii_apart();
    Gaussian.estimate(ranked_column(rx).view(), ranked_column(re).view()).unwrap_or(0.0)
}

/// The rank-Gaussian squared norms of the rows of `a`, one column.
fn squared_radii(a: ArrayView2<f64>) -> Array2<f64> {
    ranked_column(a.rows().into_iter().map(|row| row.dot(&row)).collect())
}

/// `values` as one rank-Gaussian column.
fn ranked_column(values: Vec<f64>) -> Array2<f64> {
    let column = Array2::from_shape_vec((values.len(), 1), values).expect("one value per row");
    rank_gauss(column.view())
}

/// The first `len` (at most [`SUMMARY_LEN`]) [`summary`] features of each `(x, y)` of `datasets`,
/// flat: `[b, len]`, the `summary` input of a model that reads `len` features.
pub fn summaries<'a>(
    datasets: impl Iterator<Item = (ArrayView2<'a, f64>, ArrayView2<'a, f64>)>,
    len: usize,
) -> Vec<f32> {
    datasets.flat_map(|(x, y)| leading(x, y, len)).collect()
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
    fn the_residual_radial_feature_tests_the_copula_not_the_correlation() {
        // A strongly correlated Gaussian (equicorrelation 0.45 over 8 + 8 coordinates) has
        // dependent raw radii but independent residual radii; a Student-t (ν = 4) with identity
        // dispersion, MI in the shared scale only, has both.
        use crate::synth::BaseDist;
        use nalgebra::DMatrix;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (n, m) = (400, 8);
        let gaussian =
            BaseDist::Gaussian { sigma: DMatrix::from_fn(2 * m, 2 * m, |i, j| if i == j { 1.0 } else { 0.45 }), m };
        let student = BaseDist::StudentT { sigma: DMatrix::identity(2 * m, 2 * m), m, nu: 4.0 };
        let features = |dist: &BaseDist, rng: &mut ChaCha8Rng| {
            let (x, y) = dist.sample(n, rng);
            summary(rank_gauss(x.view()).view(), rank_gauss(y.view()).view())
        };
        let (g, t) = (features(&gaussian, &mut rng), features(&student, &mut rng));
        // 2n·r⊥ back from the feature: about χ²₁ under a Gaussian copula.
        let statistic = |s: &[f32; SUMMARY_LEN]| (6.0 * s[7]).exp_m1();
        assert!(statistic(&g) < 10.0, "Gaussian: {g:?}");
        assert!(statistic(&t) > 50.0, "Student-t: {t:?}");
        // The raw radii of the same Gaussian read a dependence that is only the correlation.
        assert!(2.0 * n as f32 * g[6].exp_m1() > 20.0, "Gaussian: {g:?}");
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
    fn summaries_are_flat_per_dataset() {
        let x = Array2::from_shape_fn((50, 2), |(r, c)| ((r * (7 + c) % 50) as f64) / 10.0);
        let y = Array2::from_shape_fn((50, 3), |(r, c)| ((r * (11 + 2 * c) % 47) as f64) / 10.0);
        let flat = summaries([(x.view(), y.view()), (y.view(), x.view())].into_iter(), SUMMARY_LEN);
        assert_eq!(flat, [summary(x.view(), y.view()), summary(y.view(), x.view())].concat());
        let (a, b) = (summary(x.view(), y.view()), summary(y.view(), x.view()));
        // Fewer features are the leading ones (computed without the rest).
        for k in [1, PRE_RADIAL_LEN, RADIAL_LEN] {
            let short = summaries([(x.view(), y.view()), (y.view(), x.view())].into_iter(), k);
            assert_eq!(short, [&a[..k], &b[..k]].concat());
        }
    }

    #[test]
    fn summary_of_too_few_rows_is_finite() {
        let x = Array2::from_elem((2, 3), 1.0);
        let s = summary(x.view(), x.view());
        assert_eq!((s[0], s[6], s[7]), (0.0, 0.0, 0.0));
        assert!(s.iter().all(|v| v.is_finite()), "{s:?}");
    }
}

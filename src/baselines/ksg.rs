//! The Kraskov–Stögbauer–Grassberger k-nearest-neighbour MI estimator (algorithm 1).

use super::neighbours::{Neighbours, PARALLEL_MIN_ROWS};
use super::{Estimator, ksg_tree, standardize};
use crate::input::{drop_constant_columns, is_discrete};
use crate::preprocess::fnv1a;
use crate::special::digamma;
use crate::{Error, Result};
use ndarray::ArrayView2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// KSG estimator (Kraskov et al. 2004, algorithm 1) with max-norm distances, in nats.
///
/// Constant columns are left out (with none left in X or Y the estimate is 0), and each other column
/// is z-scored (population std, computed overflow-free: see `standardize`), so the estimate does not
/// depend on the scale or offset of any column.
/// For every point i, `eps_i` is the distance to its k-th nearest neighbour in the joint space,
/// where the joint distance is the larger of the X and Y Chebyshev distances; `n_x(i)` and
/// `n_y(i)` count the other points strictly closer than `eps_i` in X and in Y alone. The
/// estimate is `ψ(k) + ψ(n) − mean_i[ψ(n_x + 1) + ψ(n_y + 1)]`, clipped at 0.
///
/// Rounded measurements (columns with ties that are not discrete, [`crate::input::is_discrete`])
/// are dequantised first: seeded noise as wide as the rounding step spreads their ties.
///
/// Exact ties: when `eps_i = 0` (point i has at least k exact duplicates in the joint space,
/// e.g. discrete or repeated data), the strict counts would all be 0 and the estimate would
/// blow up regardless of the data. For such points only, the rule of Gao et al. (2017,
/// "Estimating mutual information for discrete-continuous mixtures") is used: k is replaced by
/// the number of joint duplicates and `n_x`, `n_y` count the points at distance 0. So constant
/// data gives 0 and X = Y uniform on m values gives about ln m.
///
/// The neighbour search uses k-d trees (max-norm, about O(n log n)) for `dx + dy ≤ 8` and enough
/// rows (1,500 up to 4 dimensions, 3,000 to 7,000 in 5 to 8), and brute force otherwise
/// (O(n² (dx + dy)) time, O(n) scratch per thread), parallel over query points either way; both
/// find the same neighbours and counts, so the result is the same to the bit, whatever the method
/// and the number of threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ksg {
    /// Number of neighbours; at least 1 and at most n − 1.
    pub k: usize,
}

impl Default for Ksg {
    /// `k = 5`.
    fn default() -> Self {
        Self { k: 5 }
    }
}

impl Estimator for Ksg {
    fn estimate(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64> {
        let k = self.k;
        if k == 0 {
            return Err(Error::BadArgument {
                name: "k",
                value: k.to_string(),
                why: "KSG needs at least one neighbour".to_string(),
            });
        }
        let min_rows = k.checked_add(1).ok_or_else(|| Error::BadArgument {
            name: "k",
            value: k.to_string(),
            why: "KSG needs more than k rows, and no n exceeds this k".to_string(),
        })?;
        crate::input::validate(x, y, min_rows, &format!("KSG with k = {k}"))?;
        let (Some(x), Some(y)) = (drop_constant_columns(x), drop_constant_columns(y)) else {
            return Ok(0.0);
        };
        let (n, dx, dy) = (x.nrows(), x.ncols(), y.ncols());
        let (xs, ys) = (standardized_columns(x.view()), standardized_columns(y.view()));
        let by_tree = (dx + dy <= ksg_tree::MAX_DIMS && n >= ksg_tree::min_rows(dx + dy))
            .then(|| ksg_tree::neighbours(&xs, &ys, n, dx, dy, k))
            .flatten();
        let neighbours = by_tree.unwrap_or_else(|| brute_force(&xs, &ys, n, k));
        // Collected in index order, then summed sequentially, so the total does not depend on how
        // rayon splits the work.
        let mean = neighbours.iter().map(|nb| nb.term(k)).sum::<f64>() / n as f64;
        Ok((digamma(k as f64) + digamma(n as f64) - mean).max(0.0))
    }

    fn name(&self) -> String {
        format!("KSG (k = {})", self.k)
    }

    /// `k + 1`.
    fn min_rows(&self) -> usize {
        self.k.saturating_add(1)
    }
}

/// [`Neighbours`] of every point by brute force, parallel over the points from
/// [`PARALLEL_MIN_ROWS`] on.
fn brute_force(xs: &[f64], ys: &[f64], n: usize, k: usize) -> Vec<Neighbours> {
    let scratch = || Scratch { dist_x: vec![0.0; n], dist_y: vec![0.0; n], nearest: vec![0.0; k] };
    if n < PARALLEL_MIN_ROWS {
        let mut s = scratch();
        return (0..n).map(|i| point_neighbours(xs, ys, n, k, i, &mut s)).collect();
    }
    (0..n).into_par_iter().map_init(scratch, |s, i| point_neighbours(xs, ys, n, k, i, s)).collect()
}

/// Per-thread buffers: marginal distances to every sample and the k smallest joint distances.
struct Scratch {
    dist_x: Vec<f64>,
    dist_y: Vec<f64>,
    nearest: Vec<f64>,
}

/// The [`Neighbours`] of query point `i`, by brute force.
fn point_neighbours(xs: &[f64], ys: &[f64], n: usize, k: usize, i: usize, s: &mut Scratch) -> Neighbours {
    chebyshev_to_all(xs, n, i, &mut s.dist_x);
    chebyshev_to_all(ys, n, i, &mut s.dist_y);
    // Exclude the query itself from the neighbour search and from the counts.
    s.dist_x[i] = f64::INFINITY;
    s.dist_y[i] = f64::INFINITY;
    let pairs = || s.dist_x.iter().zip(&s.dist_y);

    // k smallest joint distances by insertion into a sorted buffer; eps is the largest kept.
    let nearest = &mut s.nearest;
    nearest.fill(f64::INFINITY);
    let mut eps = f64::INFINITY;
    for (&a, &b) in pairs() {
        let d = if a > b { a } else { b };
        if d < eps {
            let mut p = k - 1;
            while p > 0 && nearest[p - 1] > d {
                nearest[p] = nearest[p - 1];
                p -= 1;
            }
            nearest[p] = d;
            eps = nearest[k - 1];
        }
    }

    if eps > 0.0 {
        let (mut n_x, mut n_y) = (0usize, 0usize);
        for (&a, &b) in pairs() {
            n_x += usize::from(a < eps);
            n_y += usize::from(b < eps);
        }
        Neighbours::Within { n_x, n_y }
    } else {
        // At least k exact joint duplicates: count ties instead (Gao et al. 2017).
        let (mut k_tie, mut n_x, mut n_y) = (0usize, 0usize, 0usize);
        for (&a, &b) in pairs() {
            k_tie += usize::from(a == 0.0 && b == 0.0);
            n_x += usize::from(a == 0.0);
            n_y += usize::from(b == 0.0);
        }
        Neighbours::Tied { k_tie, n_x, n_y }
    }
}

/// Max-norm distances from row `i` to every row of the column-major `cols` (n rows each).
fn chebyshev_to_all(cols: &[f64], n: usize, i: usize, out: &mut [f64]) {
    out.fill(0.0);
    for col in cols.chunks_exact(n) {
        let v = col[i];
        for (o, u) in out.iter_mut().zip(col) {
            let d = (u - v).abs();
            // A plain comparison (not f64::max) lets this loop vectorize; there are no NaNs.
            *o = if d > *o { d } else { *o };
        }
    }
}

/// Every column [`standardize`]d, in one contiguous column-major buffer, which makes the
/// per-dimension distance loops vectorize.
fn standardized_columns(m: ArrayView2<f64>) -> Vec<f64> {
    let n = m.nrows();
    let mut out: Vec<f64> = m.t().iter().copied().collect();
    out.chunks_exact_mut(n).for_each(|column| {
        standardize(column);
        dequantise(column);
    });
    out
}

/// Spreads the ties of a column of rounded measurements: each value gets seeded uniform noise as
/// wide as the column's smallest gap between distinct values (its rounding step), so that tied
/// points no longer coincide. With ties left in, KSG counts the duplicated points as neighbours at
/// distance 0 and reads far more MI than the measurements carry (iris's sepal length and width:
/// 0.54 nats against 0.27 dequantised). Columns without ties are left as they are, and so are
/// discrete ones ([`crate::input::is_discrete`]), whose exact ties the rule of Gao et al. counts. The
/// seed comes from the column's values, so the result does not depend on the column's place (X or
/// Y, first or last).
pub(super) fn dequantise(column: &mut [f64]) {
    let mut sorted = column.to_vec();
    sorted.sort_by(f64::total_cmp);
    let levels = 1 + sorted.windows(2).filter(|w| w[0] != w[1]).count();
    if levels == column.len() || is_discrete(levels, column.len()) {
        return;
    }
    let step = sorted.windows(2).map(|w| w[1] - w[0]).filter(|&gap| gap > 0.0).fold(f64::INFINITY, f64::min);
    if !step.is_finite() {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(fnv1a(column.iter().map(|v| v.to_bits())));
    column.iter_mut().for_each(|v| *v += step * (rng.random::<f64>() - 0.5));
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::baselines::Gaussian;
    use ndarray::{Array2, Axis, concatenate};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    /// True MI of a bivariate normal with ρ = 0.75: −½ ln(1 − ρ²).
    pub(in crate::baselines) const TRUE_MI_075: f64 = 0.413_339_286_592_233_96;

    /// `n` draws of a bivariate normal with correlation `rho`, as (X, Y) columns.
    pub(in crate::baselines) fn bivariate_normal(n: usize, rho: f64, seed: u64) -> (Array2<f64>, Array2<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = Array2::zeros((n, 1));
        let mut y = Array2::zeros((n, 1));
        for i in 0..n {
            let (a, e): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
            x[[i, 0]] = a;
            y[[i, 0]] = rho * a + (1.0 - rho * rho).sqrt() * e;
        }
        (x, y)
    }

    #[test]
    fn true_mi_constant_matches_formula() {
        assert!((TRUE_MI_075 + 0.5 * (1.0f64 - 0.75 * 0.75).ln()).abs() < 1e-15);
    }

    #[test]
    fn recovers_bivariate_normal_mi() {
        let (x, y) = bivariate_normal(5000, 0.75, 1);
        let mi = Ksg::default().estimate(x.view(), y.view()).unwrap();
        assert!((mi - TRUE_MI_075).abs() < 0.03, "KSG gave {mi}, expected {TRUE_MI_075}");
    }

    #[test]
    fn independent_data_is_near_zero() {
        let (x, y) = bivariate_normal(2000, 0.0, 2);
        let mi = Ksg::default().estimate(x.view(), y.view()).unwrap();
        assert!((0.0..0.05).contains(&mi), "KSG gave {mi} on independent data");
    }

    #[test]
    fn bit_identical_across_thread_counts_and_runs() {
        let (x, y) = bivariate_normal(1500, 0.5, 3);
        let (x, y) = (concatenate![Axis(1), x, y], concatenate![Axis(1), y, x.mapv(f64::sin)]);
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| Ksg { k: 3 }.estimate(x.view(), y.view()).unwrap()).to_bits()
        };
        let one = run(1);
        assert_eq!(one, run(4));
        assert_eq!(one, run(4));
        assert_eq!(one, run(1));
    }

    #[test]
    fn duplicates_and_constant_columns_stay_finite() {
        let (x, y) = bivariate_normal(200, 0.75, 4);
        // Every row three times, plus a constant column in X.
        let x = concatenate![Axis(0), x, x, x];
        let y = concatenate![Axis(0), y, y, y];
        let x = concatenate![Axis(1), x, Array2::from_elem((600, 1), 0.1)];
        let mi = Ksg::default().estimate(x.view(), y.view()).unwrap();
        assert!(mi.is_finite() && mi > 0.0, "KSG gave {mi}");
        // All-constant input: every distance is 0; no information.
        let c = Array2::from_elem((20, 2), 3.0);
        let mi = Ksg::default().estimate(c.view(), c.view()).unwrap();
        assert_eq!(mi, 0.0);
        // X = Y uniform on 4 values: about ln 4; independent discrete X, Y: about 0.
        let d = Array2::from_shape_fn((400, 1), |(r, _)| (r % 4) as f64);
        let mi = Ksg::default().estimate(d.view(), d.view()).unwrap();
        assert!((mi - 4f64.ln()).abs() < 0.02, "KSG gave {mi} for X = Y on 4 values");
        let e = Array2::from_shape_fn((400, 1), |(r, _)| (r / 100) as f64);
        let mi = Ksg::default().estimate(d.view(), e.view()).unwrap();
        assert!(mi < 0.02, "KSG gave {mi} for independent discrete X, Y");
    }

    #[test]
    fn scale_and_offset_of_columns_do_not_matter_across_the_double_range() {
        let (x, y) = bivariate_normal(300, 0.6, 10);
        let x = concatenate![Axis(1), x, y.mapv(f64::sin)];
        let base = Ksg::default().estimate(x.view(), y.view()).unwrap();
        assert!(base > 0.1, "{base}");
        for scale in [1e-300, 1e-200, 1e-10, 1e10, 1e160, 1e300] {
            let (sx, sy) = (x.mapv(|v| v * scale + 3.0 * scale), y.mapv(|v| -v * scale));
            let mi = Ksg::default().estimate(sx.view(), sy.view()).unwrap();
            let g = (Gaussian.estimate(sx.view(), sy.view()).unwrap(), Gaussian.estimate(x.view(), y.view()).unwrap());
            assert!((mi - base).abs() < 1e-9, "KSG {mi} at scale {scale:e}, {base} at 1");
            assert!((g.0 - g.1).abs() < 1e-9, "Gaussian {} at scale {scale:e}, {} at 1", g.0, g.1);
        }
    }

    #[test]
    fn constant_columns_change_nothing_and_alone_give_zero() {
        let (x, y) = bivariate_normal(300, 0.6, 11);
        let padded = concatenate![Axis(1), Array2::from_elem((300, 1), 2.5), x];
        for est in [&Ksg::default() as &dyn Estimator, &Gaussian] {
            let mi = est.estimate(x.view(), y.view()).unwrap();
            assert_eq!(est.estimate(padded.view(), y.view()).unwrap(), mi, "{}", est.name());
            let constant = Array2::from_elem((300, 2), 1.0);
            assert_eq!(est.estimate(constant.view(), y.view()).unwrap(), 0.0, "{}", est.name());
            assert_eq!(est.estimate(constant.view(), constant.view()).unwrap(), 0.0, "{}", est.name());
        }
    }

    #[test]
    fn bad_arguments_are_errors() {
        let (x, y) = bivariate_normal(10, 0.5, 5);
        let huge = Ksg { k: usize::MAX }.estimate(x.view(), y.view()).unwrap_err();
        assert!(matches!(huge, Error::BadArgument { name: "k", .. }), "{huge}");
        let zero = Ksg { k: 0 }.estimate(x.view(), y.view());
        assert!(matches!(zero, Err(Error::BadArgument { name: "k", .. })));
        let short = y.slice(ndarray::s![..9, ..]);
        let mismatch = Ksg::default().estimate(x.view(), short);
        assert!(matches!(mismatch, Err(Error::RowMismatch { x_rows: 10, y_rows: 9 })));
        let few = Ksg { k: 10 }.estimate(x.view(), y.view());
        assert!(matches!(few, Err(Error::TooFewRows { n: 10, min: 11, .. })));
    }

    /// The trees find the same neighbours and counts as brute force, for every pair of dims they
    /// serve: continuous data, data rounded so that marginal distances tie with eps, and discrete
    /// data where most points have k exact duplicates (the tie rule).
    #[test]
    fn trees_and_brute_force_agree_exactly() {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let shapes = [(1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (1, 5), (3, 2), (2, 4), (6, 1), (3, 4), (4, 4)];
        for (case, &(dx, dy)) in shapes.iter().enumerate() {
            // The discrete case keeps few values per point: coarser in more dimensions.
            let discrete = (3.0 / (dx + dy) as f64).min(1.0);
            for (k, round) in [(5, None), (3, Some(10.0)), (4, Some(discrete))] {
                let n = 600 + 37 * case;
                let x = Array2::from_shape_fn((n, dx), |_| rng.sample::<f64, _>(StandardNormal));
                let y = Array2::from_shape_fn((n, dy), |(r, c)| {
                    x[[r, 0]] * 0.6 + rng.sample::<f64, _>(StandardNormal) + c as f64
                });
                let (x, y) = match round {
                    Some(scale) => (x.mapv(|v| (v * scale).round()), y.mapv(|v| (v * scale).round())),
                    None => (x, y),
                };
                let (xs, ys) = (standardized_columns(x.view()), standardized_columns(y.view()));
                let tree = ksg_tree::neighbours(&xs, &ys, n, dx, dy, k).expect("a tree for these dims");
                let brute = brute_force(&xs, &ys, n, k);
                let tied = brute.iter().filter(|nb| matches!(nb, Neighbours::Tied { .. })).count();
                assert_eq!(tree, brute, "dx = {dx}, dy = {dy}, k = {k}, rounding {round:?} ({tied} tied points)");
                if round == Some(discrete) {
                    assert!(tied > n / 4, "the discrete case exercises the tie rule: {tied} of {n}");
                }
            }
        }
        assert!(ksg_tree::neighbours(&[0.0; 20], &[0.0; 25], 5, 4, 5, 1).is_none(), "9 dims: brute force");
    }
}

//! The Gaussian-copula MI estimator (GCMI) of Ince et al. (2017, "A statistical framework for
//! neuroimaging data analysis based on mutual information estimated via a Gaussian copula", Human
//! Brain Mapping 38:1541): every column replaced by its normal scores, then the bias-corrected MI of
//! the Gaussian with their sample covariance. A cheap baseline that, unlike the Gaussian (CCA)
//! estimator, sees through any monotone transform of a column, and is exact up to sampling error
//! whenever the dependence is a Gaussian copula.

use super::Estimator;
use crate::input::drop_constant_columns;
use crate::preprocess::{rank_gauss_untied_sorted, sorted_rows};
use crate::special::digamma;
use crate::{Error, Result};
use nalgebra::{Cholesky, DMatrix};
use ndarray::{Array2, ArrayView2, Axis, concatenate};
use std::cmp::Ordering;

/// The estimator's name in error messages.
const WHAT: &str = "the Gaussian-copula estimator";
/// Fewest rows [`Gcmi::min_rows`] reports: `dx + dy + 2` with one column on each side.
const MIN_ROWS: usize = 4;
/// Seed of the random order in which tied values are ranked.
const TIE_SEED: u64 = 0x6763_6d69;
/// Smallest pivot² of a Cholesky factor taken at face value. The normal scores have variance near
/// 1, so a pivot² this small is the rounding noise of an exactly singular covariance.
const MIN_PIVOT2: f64 = 1e-12;
/// Ridge added to the covariance's diagonal when its columns are collinear.
const RIDGE: f64 = 1e-10;

/// Gaussian-copula MI (Ince et al. 2017) in nats, with their finite-sample bias correction.
///
/// Constant columns are left out (with none left in X or Y the estimate is 0). Each other column
/// becomes its normal scores `Φ⁻¹((rank − ½) / n)`, ties broken in a seeded random order (a stream
/// of its own per column, so tied columns of X and Y get independent orders), and the estimate is
/// the same to the bit after any strictly increasing transform of any column. The estimate is
/// `H(X) + H(Y) − H(X, Y)` of the Gaussian with the scores' sample covariance (divided by n − 1),
/// each entropy bias-corrected as in Ince's `mi_gg` (`biascorrect=True`): with
/// `ψ_i = ψ((n − i) / 2) / 2`, a block of `k` columns loses `k (ln 2 − ln(n − 1)) / 2 + Σ_{i≤k} ψ_i`.
/// Log-determinants come from Cholesky factors; when the columns are collinear (a factor fails or
/// has a pivot² ≤ 1e-12, e.g. a column equal to another) all of them are taken of the covariance
/// plus a 1e-10 ridge instead, which keeps the estimate finite (a copy counts as a near-perfect
/// dependence: about 11 nats).
///
/// The bias-corrected value can dip below 0 on independent data; like KSG, the estimate is clipped
/// at 0. Swapping X and Y gives the same bits. Needs `n ≥ dx + dy + 2` rows (counting the columns
/// left after dropping constant ones), so that the covariance can be of full rank; cost
/// `O(n (dx + dy) (log n + dx + dy))`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gcmi;

impl Estimator for Gcmi {
    fn estimate(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64> {
        crate::input::validate(x, y, MIN_ROWS, WHAT)?;
        let (Some(x), Some(y)) = (drop_constant_columns(x), drop_constant_columns(y)) else {
            return Ok(0.0);
        };
        let (n, dx, dy) = (x.nrows(), x.ncols(), y.ncols());
        if n <= dx + dy + 1 {
            return Err(Error::TooFewRows { n, min: dx + dy + 2, what: WHAT.into() });
        }
        // Two things depend on the order of the blocks in the joint matrix: ties are broken by one
        // random stream per column of it (so tied columns of X and of Y never share a random order,
        // which would be a dependence of its own), and its covariance's Cholesky factor rounds
        // differently in another order. So that swapping X and Y gives the same bits, the blocks go
        // in an order set by what their scores depend on: widths first, then rank orders.
        let (sx, sy) = (sorted_rows(x.view()), sorted_rows(y.view()));
        let order = dx.cmp(&dy).then_with(|| rank_order(x.view(), &sx).cmp(rank_order(y.view(), &sy)));
        let (a, b, mut sorted, sorted_b) = if order == Ordering::Greater { (y, x, sy, sx) } else { (x, y, sx, sy) };
        sorted.extend(sorted_b);
        let scores = rank_gauss_untied_sorted(concatenate![Axis(1), a, b].view(), &sorted, TIE_SEED);
        Ok(bias_corrected_mi(scores, a.ncols()).max(0.0))
    }

    fn name(&self) -> String {
        "Gaussian copula (GCMI)".to_string()
    }

    /// 4; [`Gcmi::estimate`] also refuses `n ≤ dx + dy + 1`.
    fn min_rows(&self) -> usize {
        MIN_ROWS
    }
}

/// All that the normal scores of the columns of `m` depend on, given the random streams that break
/// their ties: each column's rows in increasing order of value (`sorted`), each with whether its
/// value equals (to the bit) that of the row before.
fn rank_order<'a>(m: ArrayView2<'a, f64>, sorted: &'a [Vec<usize>]) -> impl Iterator<Item = (usize, bool)> + 'a {
    (0..m.ncols()).zip(sorted).flat_map(move |(c, rows)| {
        let bits = move |i: usize| m[[rows[i], c]].to_bits();
        rows.iter().enumerate().map(move |(i, &row)| (row, i > 0 && bits(i) == bits(i - 1)))
    })
}

/// Ince's `mi_gg` with `biascorrect=True`, in nats (not clipped): the MI between the first `dx`
/// columns of `z` (n × d, n > d + 1) and the others, from the log-determinants of their sample
/// covariance, less its [`gaussian_bias`].
fn bias_corrected_mi(mut z: Array2<f64>, dx: usize) -> f64 {
    let (n, d) = z.dim();
    z -= &z.mean_axis(Axis(0)).expect("n > d + 1 rows");
    let cov = z.t().dot(&z) / (n - 1) as f64;
    let [ln_det_x, ln_det_y, ln_det_xy] = block_ln_dets(&DMatrix::from_fn(d, d, |i, j| cov[[i, j]]), dx);
    0.5 * (ln_det_x + ln_det_y - ln_det_xy) - gaussian_bias(n, dx, d - dx)
}

/// The expected excess of the Gaussian MI estimate `½ ln(det Σx det Σy / det Σ)` of `n` rows of
/// `dx + dy < n − 1` independent Gaussian columns over their MI, in nats: what Ince's entropy
/// corrections (`biascorrect=True`) take off the estimate. With `ψ_i = ψ((n − i) / 2) / 2` each block
/// of `k` columns loses `k (ln 2 − ln(n − 1)) / 2 + Σ_{i≤k} ψ_i`; the first terms cancel in the MI,
/// leaving `Σ_{i≤dx} ψ_i + Σ_{i≤dy} ψ_i − Σ_{i≤dx+dy} ψ_i`, about `dx dy / 2n`.
pub fn gaussian_bias(n: usize, dx: usize, dy: usize) -> f64 {
    let psi = |k: usize| (1..=k).map(|i| digamma((n - i) as f64 / 2.0) / 2.0).sum::<f64>();
    psi(dx) + psi(dy) - psi(dx + dy)
}

/// `ln det` of the leading `dx × dx` block of the covariance `cov`, of its trailing block and of
/// the whole, from Cholesky factors; all three of `cov + 1e-10 I` when one of them fails or has a
/// pivot² ≤ 1e-12 (collinear columns).
fn block_ln_dets(cov: &DMatrix<f64>, dx: usize) -> [f64; 3] {
    let d = cov.nrows();
    let blocks = |m: &DMatrix<f64>| {
        [m.view((0, 0), (dx, dx)).into_owned(), m.view((dx, dx), (d - dx, d - dx)).into_owned(), m.clone()]
    };
    if let [Some(x), Some(y), Some(xy)] = blocks(cov).map(ln_det) {
        return [x, y, xy];
    }
    let ridged = cov + DMatrix::identity(d, d) * RIDGE;
    // The ridge keeps every pivot² near 1e-10 or above; the substitute stands in for one that rounding
    // would still make ≤ 0, so the factor always exists.
    blocks(&ridged).map(|m| {
        Cholesky::new_with_substitute(m, RIDGE).expect("a positive substitute pivot always factors").ln_determinant()
    })
}

/// `ln det m` of a covariance from its Cholesky factor, `None` when the factor fails or has a
/// pivot² ≤ [`MIN_PIVOT2`].
fn ln_det(m: DMatrix<f64>) -> Option<f64> {
    let factor = m.cholesky()?;
    factor.l_dirty().diagonal().iter().all(|p| p * p > MIN_PIVOT2).then(|| factor.ln_determinant())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baselines::ksg::tests::bivariate_normal;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    /// `n` rows of X and Y (d columns each), all standard normal, with `corr(X_c, Y_c) = rho` and
    /// every other pair independent: MI `−(d/2) ln(1 − ρ²)`.
    fn correlated(n: usize, d: usize, rho: f64, seed: u64) -> (Array2<f64>, Array2<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x = Array2::from_shape_simple_fn((n, d), || rng.sample::<f64, _>(StandardNormal));
        let noise = Array2::from_shape_simple_fn((n, d), || rng.sample::<f64, _>(StandardNormal));
        let y = &x * rho + noise * (1.0 - rho * rho).sqrt();
        (x, y)
    }

    fn gcmi(x: &Array2<f64>, y: &Array2<f64>) -> f64 {
        Gcmi.estimate(x.view(), y.view()).unwrap()
    }

    #[test]
    fn recovers_bivariate_normal_mi() {
        let (x, y) = bivariate_normal(20_000, 0.6, 1);
        let (mi, truth) = (gcmi(&x, &y), -0.5 * (1.0f64 - 0.36).ln());
        assert!((mi - truth).abs() < 0.01, "GCMI gave {mi}, expected {truth}");
    }

    #[test]
    fn monotone_transforms_change_nothing() {
        let (x, y) = correlated(2_000, 2, 0.5, 2);
        assert_eq!(gcmi(&x.mapv(f64::exp), &y.mapv(|v| v.powi(3))), gcmi(&x, &y));
    }

    #[test]
    fn swapping_x_and_y_gives_the_same_bits() {
        let (x, y) = correlated(1_000, 3, 0.4, 3);
        let narrow = y.slice(ndarray::s![.., ..2]).to_owned();
        // Rounded to a coarse grid: many ties in every column (+ 0 turns -0 into 0, which exp would tie).
        let (rx, ry) = (x.mapv(|v| (v * 2.0).round() + 0.0), y.mapv(|v| (v * 2.0).round() + 0.0));
        for (x, y) in [(&x, &y), (&x, &narrow), (&rx, &ry), (&rx, &ry.slice(ndarray::s![.., ..1]).to_owned())] {
            assert_eq!(gcmi(x, y), gcmi(y, x));
        }
        assert_eq!(gcmi(&rx, &rx), gcmi(&rx, &rx.mapv(f64::exp)), "ties and rank order are all that count");
    }

    #[test]
    fn recovers_four_correlated_pairs() {
        let (x, y) = correlated(5_000, 4, 0.3, 4);
        let (mi, truth) = (gcmi(&x, &y), 4.0 * -0.5 * (1.0f64 - 0.09).ln());
        assert!((mi - truth).abs() < 0.03, "GCMI gave {mi}, expected {truth}");
    }

    #[test]
    fn the_bias_is_about_dx_dy_over_2n_and_symmetric() {
        for (n, dx, dy) in [(1_000, 1, 1), (1_000, 16, 16), (5_000, 3, 8)] {
            let (bias, approx) = (gaussian_bias(n, dx, dy), (dx * dy) as f64 / (2 * n) as f64);
            assert!((bias / approx - 1.0).abs() < 0.05, "bias {bias}, dx dy / 2n = {approx}");
            assert_eq!(bias, gaussian_bias(n, dy, dx));
        }
    }

    #[test]
    fn bias_correction_centres_independent_data_on_zero() {
        let mean = (0..50)
            .map(|seed| gcmi(&correlated(100, 3, 0.0, seed).0, &correlated(100, 3, 0.0, 100 + seed).0))
            .sum::<f64>()
            / 50.0;
        assert!(mean < 0.02, "mean estimate {mean} on independent data");
    }

    #[test]
    fn independent_tied_columns_get_independent_tie_orders() {
        // Independent 0/1 columns: tie orders drawn from one stream for both would correlate them.
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut bits = || Array2::from_shape_simple_fn((2_000, 1), || f64::from(rng.random::<bool>()));
        let (x, y) = (bits(), bits());
        let mi = gcmi(&x, &y);
        assert!(mi < 0.005, "GCMI gave {mi} on independent binary data");
    }

    #[test]
    fn collinear_and_constant_columns() {
        let (x, y) = bivariate_normal(5_000, 0.6, 6);
        let single = gcmi(&x, &y);
        let doubled = concatenate![Axis(1), x, x];
        let mi = gcmi(&doubled, &y);
        assert!((mi - single).abs() < 1e-3, "a copied column gave {mi}, one column {single}");
        let copy = gcmi(&x, &x);
        assert!(copy.is_finite() && copy > 10.0, "a copy gave {copy}");
        let constant = Array2::from_elem((5_000, 1), 3.0);
        assert_eq!(gcmi(&concatenate![Axis(1), x, constant], &y), single);
        assert_eq!(gcmi(&constant, &y), 0.0);
    }

    #[test]
    fn too_few_rows_is_an_error() {
        let (x, y) = bivariate_normal(3, 0.5, 7);
        let e = Gcmi.estimate(x.view(), y.view());
        assert!(matches!(e, Err(Error::TooFewRows { n: 3, min: 4, .. })), "{e:?}");
        let (x, y) = correlated(5, 2, 0.5, 8);
        let e = Gcmi.estimate(x.view(), y.view());
        assert!(matches!(e, Err(Error::TooFewRows { n: 5, min: 6, .. })), "{e:?}");
        // Constant columns do not count.
        let (x, y) = correlated(5, 1, 0.5, 9);
        let x = concatenate![Axis(1), x, Array2::from_elem((5, 2), 1.0)];
        assert!(Gcmi.estimate(x.view(), y.view()).is_ok());
    }
}

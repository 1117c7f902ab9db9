//! The Gaussian (canonical-correlation) MI estimator and MI of a Gaussian from its covariance.

use super::{Estimator, standardize};
use crate::Result;
use crate::input::drop_constant_columns;
use nalgebra::DMatrix;
use ndarray::ArrayView2;

/// Smallest number of rows the Gaussian estimator accepts.
const MIN_ROWS: usize = 3;
/// Ridge always mixed into the correlation matrix.
const BASE_RIDGE: f64 = 1e-6;
/// Largest squared canonical correlation used, so each term stays finite (≤ 13.82 nats).
const MAX_RHO2: f64 = 1.0 - 1e-12;

/// MI of the Gaussian with the same correlation structure as the data, in nats.
///
/// Computes the sample correlation matrix R of `[X, Y]` (population moments; a constant column
/// gets a zero row and column), shrinks it to `(1 − λ) R + λ I` and returns
/// `−½ Σ ln(1 − ρ_i²)` over its canonical correlations ρ_i (see
/// [`gaussian_mi_from_covariance`]). The shrinkage rule, with `d = dx + dy`, is
/// `λ = max(1e-6, 1 − n / (2d))`: a 1e-6 ridge always, growing linearly to ½ as n falls
/// from 2d to d and beyond, so the estimate stays finite and tame when n ≤ d (where R is
/// singular). Needs n ≥ 3. Exact for Gaussian data up to sampling error; it sees only linear
/// dependence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gaussian;

impl Estimator for Gaussian {
    /// Constant columns are left out (they carry no information, and would count in the
    /// shrinkage's d); with none left in X or Y the estimate is 0.
    fn estimate(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64> {
        crate::input::validate(x, y, MIN_ROWS, "the Gaussian estimator")?;
        match (drop_constant_columns(x), drop_constant_columns(y)) {
            (Some(x), Some(y)) => Ok(GaussianFit::new(x.view(), y.view())?.mi()),
            _ => Ok(0.0),
        }
    }

    fn name(&self) -> String {
        "Gaussian (CCA)".to_string()
    }

    fn min_rows(&self) -> usize {
        MIN_ROWS
    }
}

/// The [`Gaussian`] estimator's fit of one dataset, split so that the estimate of any re-pairing of
/// its rows (a shuffle of Y against X) reuses the standardized columns and the whitened
/// within-block correlations, which a re-pairing leaves unchanged: only the cross block is new.
pub(crate) struct GaussianFit {
    /// X's columns standardized (population moments; a constant column is zero), n × dx.
    zx: DMatrix<f64>,
    /// Y's columns standardized, n × dy.
    zy: DMatrix<f64>,
    /// Shrinkage λ towards the identity.
    lambda: f64,
    /// Inverse square root of X's shrunk correlation block.
    wx: DMatrix<f64>,
    /// Inverse square root of Y's shrunk correlation block.
    wy: DMatrix<f64>,
}

impl GaussianFit {
    /// Standardizes the columns and whitens the shrunk within-block correlations of `(x, y)`; bad
    /// input (mismatched rows, NaN, fewer than 3 rows) is an error.
    pub(crate) fn new(x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Self> {
        crate::input::validate(x, y, MIN_ROWS, "the Gaussian estimator")?;
        let (zx, zy) = (standardized(x), standardized(y));
        let (n, d) = (x.nrows() as f64, (x.ncols() + y.ncols()) as f64);
        let lambda = BASE_RIDGE.max(1.0 - n / (2.0 * d));
        let shrunk = |z: &DMatrix<f64>| {
            let corr = z.tr_mul(z) / n;
            inverse_sqrt_psd(corr * (1.0 - lambda) + DMatrix::identity(z.ncols(), z.ncols()) * lambda)
        };
        Ok(Self { wx: shrunk(&zx), wy: shrunk(&zy), zx, zy, lambda })
    }

    /// MI in nats of the rows as paired in the data.
    pub(crate) fn mi(&self) -> f64 {
        self.mi_of_cross(self.zx.tr_mul(&self.zy))
    }

    /// MI in nats with row `x_rows[i]` of X paired with row `y_rows[i]` of Y; both list every row
    /// once, so the within-block correlations are those of the data.
    pub(crate) fn mi_repaired(&self, x_rows: &[usize], y_rows: &[usize]) -> f64 {
        self.mi_of_cross(self.zx.select_rows(x_rows).tr_mul(&self.zy.select_rows(y_rows)))
    }

    /// MI from the cross-block sum of products `Zxᵀ Zy` of some pairing of the rows.
    fn mi_of_cross(&self, cross_products: DMatrix<f64>) -> f64 {
        let cross = cross_products / self.zx.nrows() as f64 * (1.0 - self.lambda);
        canonical_mi(&self.wx, &cross, &self.wy)
    }
}

/// The columns of `a` (finite) as a matrix, each [`standardize`]d.
fn standardized(a: ArrayView2<f64>) -> DMatrix<f64> {
    let mut z = DMatrix::from_fn(a.nrows(), a.ncols(), |r, c| a[[r, c]]);
    // Column-major storage: each chunk of `nrows` values is one column.
    z.as_mut_slice().chunks_exact_mut(a.nrows().max(1)).for_each(standardize);
    z
}

/// MI in nats between the first `dx` and the remaining coordinates of a Gaussian with
/// covariance `cov`, via canonical correlations.
///
/// Whitens each diagonal block with its symmetric inverse square root (eigen-directions with
/// eigenvalue ≤ 1e-12 × the block's largest are treated as degenerate and dropped), takes the
/// singular values ρ_i of the whitened cross-covariance (SVD) and returns
/// `−½ Σ ln(1 − ρ_i²)` with ρ_i² clamped to ≤ 1 − 1e-12. The result is ≥ 0, or NaN if `cov`
/// has a non-finite entry. Reads the two diagonal blocks (symmetrized) and the upper-right
/// block `cov[0..dx, dx..]`.
///
/// # Panics
/// If `cov` is not square or `dx` is not in `1..cov.nrows()`.
pub fn gaussian_mi_from_covariance(cov: &DMatrix<f64>, dx: usize) -> f64 {
    let d = cov.nrows();
    assert!(cov.is_square(), "covariance must be square, got {}×{}", d, cov.ncols());
    assert!(0 < dx && dx < d, "dx = {dx} must be in 1..{d}");
    if cov.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let dy = d - dx;
    let wx = inverse_sqrt_psd(cov.view((0, 0), (dx, dx)).into_owned());
    let wy = inverse_sqrt_psd(cov.view((dx, dx), (dy, dy)).into_owned());
    canonical_mi(&wx, &cov.view((0, dx), (dx, dy)).into_owned(), &wy)
}

/// `−½ Σ ln(1 − ρ_i²)` over the singular values ρ_i of the whitened cross block `wx · cross · wy`,
/// each ρ_i² clamped to ≤ 1 − 1e-12.
fn canonical_mi(wx: &DMatrix<f64>, cross: &DMatrix<f64>, wy: &DMatrix<f64>) -> f64 {
    (wx * cross * wy).singular_values().iter().map(|s| -0.5 * (-(s * s).min(MAX_RHO2)).ln_1p()).sum()
}

/// Symmetric (pseudo-)inverse square root of a symmetric PSD block.
fn inverse_sqrt_psd(block: DMatrix<f64>) -> DMatrix<f64> {
    let sym = (&block + block.transpose()) * 0.5;
    let eig = sym.symmetric_eigen();
    let tol = eig.eigenvalues.max() * 1e-12;
    let inv_sqrt = eig.eigenvalues.map(|l| if l > tol && l > 0.0 { l.sqrt().recip() } else { 0.0 });
    &eig.eigenvectors * DMatrix::from_diagonal(&inv_sqrt) * eig.eigenvectors.transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::baselines::ksg::tests::{TRUE_MI_075, bivariate_normal};
    use ndarray::{Array2, Axis, concatenate};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    /// A random covariance A Aᵀ + 0.1 I of size d.
    fn random_covariance(d: usize, seed: u64) -> DMatrix<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let a = DMatrix::from_fn(d, d, |_, _| rng.sample::<f64, _>(StandardNormal));
        &a * a.transpose() + DMatrix::identity(d, d) * 0.1
    }

    #[test]
    fn bivariate_covariance_matches_closed_form() {
        let (sx, sy, rho) = (2.0f64, 0.3f64, 0.75);
        let cov = DMatrix::from_row_slice(2, 2, &[sx * sx, rho * sx * sy, rho * sx * sy, sy * sy]);
        let mi = gaussian_mi_from_covariance(&cov, 1);
        assert!((mi - TRUE_MI_075).abs() < 1e-12, "got {mi}");
    }

    #[test]
    fn random_covariance_agrees_with_log_dets() {
        for seed in 0..5 {
            let cov = random_covariance(8, seed);
            let mi = gaussian_mi_from_covariance(&cov, 5);
            let ln_det = |m: DMatrix<f64>| m.determinant().ln();
            let by_dets = 0.5
                * (ln_det(cov.view((0, 0), (5, 5)).into_owned()) + ln_det(cov.view((5, 5), (3, 3)).into_owned())
                    - ln_det(cov.clone()));
            assert!(mi >= 0.0, "negative MI {mi}");
            assert!((mi - by_dets).abs() < 1e-9 * (1.0 + by_dets), "{mi} vs {by_dets}");
        }
    }

    #[test]
    fn singular_and_nonfinite_covariances() {
        // Y is an exact copy of X: capped, not infinite.
        let cov = DMatrix::from_element(2, 2, 1.0);
        let mi = gaussian_mi_from_covariance(&cov, 1);
        assert!((mi - 0.5 * 1e12f64.ln()).abs() < 1e-3, "got {mi}");
        // A zero-variance coordinate contributes nothing.
        let mut cov = random_covariance(4, 9);
        cov.row_mut(1).fill(0.0);
        cov.column_mut(1).fill(0.0);
        assert!(gaussian_mi_from_covariance(&cov, 2).is_finite());
        cov[(0, 0)] = f64::NAN;
        assert!(gaussian_mi_from_covariance(&cov, 2).is_nan());
    }

    #[test]
    fn recovers_bivariate_normal_mi() {
        let (x, y) = bivariate_normal(5000, 0.75, 1);
        let mi = Gaussian.estimate(x.view(), y.view()).unwrap();
        assert!((mi - TRUE_MI_075).abs() < 0.02, "Gaussian gave {mi}, expected {TRUE_MI_075}");
    }

    #[test]
    fn degenerate_inputs_stay_finite() {
        let (x, y) = bivariate_normal(50, 0.75, 6);
        let x = concatenate![Axis(1), x, Array2::from_elem((50, 1), 7.0)];
        let mi = Gaussian.estimate(x.view(), y.view()).unwrap();
        assert!(mi.is_finite() && mi > 0.0, "got {mi}");
        // n = 3 rows with d = 6 columns: the sample correlation is singular.
        let x = Array2::from_shape_fn((3, 3), |(r, c)| ((r * 3 + c) as f64).sin());
        let y = x.mapv(|v| v * 2.0 + 1.0);
        let mi = Gaussian.estimate(x.view(), y.view()).unwrap();
        assert!(mi.is_finite() && mi >= 0.0, "got {mi}");
    }

    #[test]
    fn huge_values_give_the_estimate_of_the_same_data_scaled_down() {
        let (x, y) = bivariate_normal(200, 0.75, 8);
        let mi = Gaussian.estimate(x.view(), y.view()).unwrap();
        let huge = Gaussian.estimate((&x * 1e306).view(), (&y * 1e306).view()).unwrap();
        assert!((huge - mi).abs() < 1e-9, "{huge} at 1e306 vs {mi}");
    }

    #[test]
    fn a_repaired_fit_is_the_estimate_of_the_repaired_copy() {
        let (x, y) = bivariate_normal(300, 0.75, 9);
        let x = concatenate![Axis(1), x, y.mapv(f64::sin)];
        let x_rows: Vec<usize> = (0..300).rev().collect();
        let y_rows: Vec<usize> = (0..300).map(|i| (i * 7) % 300).collect();
        let fit = GaussianFit::new(x.view(), y.view()).unwrap();
        let copy = Gaussian.estimate(x.select(Axis(0), &x_rows).view(), y.select(Axis(0), &y_rows).view()).unwrap();
        assert!((fit.mi_repaired(&x_rows, &y_rows) - copy).abs() < 1e-12, "repaired fit vs copy {copy}");
        assert_eq!(fit.mi(), Gaussian.estimate(x.view(), y.view()).unwrap());
        assert!(copy < 0.05 && fit.mi() > 0.4, "shuffled {copy}, paired {}", fit.mi());
    }

    #[test]
    fn too_few_rows_is_an_error() {
        let (x, y) = bivariate_normal(2, 0.5, 7);
        let e = Gaussian.estimate(x.view(), y.view());
        assert!(matches!(e, Err(Error::TooFewRows { n: 2, min: 3, .. })));
    }
}

//! The classical estimators through the same ABI, to compare with the learned one in one place.

use super::matrix::{MistMatrix, view};
use super::panic::boundary;
use super::pointer::check_out;
use super::status::{FfiError, MistStatus};
use crate::baselines::{Estimator, Gaussian, Gcmi, Ksg};
use ndarray::ArrayView2;

/// Reads `x` and `y`, checks `out`, runs `estimator` and writes its result (nats) on success.
///
/// # Safety
/// As the exports below.
unsafe fn run_baseline(
    x: *const MistMatrix,
    y: *const MistMatrix,
    out_mi: *mut f64,
    estimate: impl FnOnce(ArrayView2<f64>, ArrayView2<f64>) -> crate::Result<f64>,
) -> Result<(), FfiError> {
    // SAFETY: the caller's promises, checked for NULL and alignment.
    let (x, y) = unsafe { (view(x, "x")?, view(y, "y")?) };
    check_out(out_mi, "out_mi")?;
    for (which, matrix, cols) in [("dx", "X", x.ncols()), ("dy", "Y", y.ncols())] {
        if cols == 0 {
            return Err(FfiError::new(
                MistStatus::BadDimension,
                format!("{which} = 0: {matrix} needs at least one column"),
            ));
        }
    }
    let mi = estimate(x, y)?;
    // SAFETY: checked above.
    unsafe { out_mi.write(mi) };
    Ok(())
}

/// The Kraskov–Stögbauer–Grassberger k-nearest-neighbour estimate of I(X;Y) in nats (algorithm 1,
/// max-norm, columns z-scored; clipped at 0). Needs `k` ≥ 1 and n > k. Exact ties (discrete data)
/// are counted as in Gao et al. (2017). Cost about O(n log n) with k-d trees when dx + dy ≤ 8 and
/// n is large enough (1,500 rows up to dx + dy = 4, 3,000 to 7,000 in 5 to 8; 100,000 rows,
/// dx = dy = 2: under 2 s on two cores), O(n²) otherwise; runs on all CPUs.
///
/// Errors: MIST_STATUS_NULL_POINTER, MIST_STATUS_INVALID_ARGUMENT (`k` = 0 or SIZE_MAX, layout),
/// MIST_STATUS_BAD_DIMENSION, MIST_STATUS_LENGTH_MISMATCH, MIST_STATUS_TOO_FEW_ROWS,
/// MIST_STATUS_NON_FINITE. `*out_mi` is written only on success.
///
/// # Safety
/// `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_ksg(
    x: *const MistMatrix,
    y: *const MistMatrix,
    k: usize,
    out_mi: *mut f64,
) -> MistStatus {
    // SAFETY: forwarded caller's promises.
    boundary(|| unsafe { run_baseline(x, y, out_mi, |x, y| Ksg { k }.estimate(x, y)) })
}

/// The Gaussian (canonical-correlation) estimate of I(X;Y) in nats: exact for jointly Gaussian data
/// up to sampling error, blind to non-linear dependence. Needs n ≥ 3.
///
/// Errors: as `mist_ksg` (without `k`). `*out_mi` is written only on success.
///
/// # Safety
/// `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_gaussian(x: *const MistMatrix, y: *const MistMatrix, out_mi: *mut f64) -> MistStatus {
    // SAFETY: forwarded caller's promises.
    boundary(|| unsafe { run_baseline(x, y, out_mi, |x, y| Gaussian.estimate(x, y)) })
}

/// The Gaussian-copula estimate of I(X;Y) in nats (GCMI, Ince et al. 2017): each column replaced by
/// its normal scores (ties broken in a fixed random order), then the Gaussian MI of their sample
/// covariance with the finite-sample bias correction, clipped at 0. Exact up to sampling error for
/// any Gaussian copula, invariant to monotone transforms of each column, and cheap: one sort per
/// column and a (dx + dy)² covariance. Needs n ≥ dx + dy + 2 (constant columns not counted) and
/// n ≥ 4.
///
/// Errors: as `mist_gaussian`. `*out_mi` is written only on success.
///
/// # Safety
/// `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_gcmi(x: *const MistMatrix, y: *const MistMatrix, out_mi: *mut f64) -> MistStatus {
    // SAFETY: forwarded caller's promises.
    boundary(|| unsafe { run_baseline(x, y, out_mi, |x, y| Gcmi.estimate(x, y)) })
}

//! The classical estimators through the same ABI, to compare with the learned one in one place.

use super::matrix::{MistMatrix, view};
use super::panic::boundary;
use super::pointer::check_out;
use super::status::{FfiError, MistStatus};
use crate::baselines::discrete::{Ross, Table, TableMethod};
use crate::baselines::{Estimator, Gaussian, Gcmi, Ksg};
use ndarray::ArrayView2;
use std::ffi::c_int;

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

/// The estimates of a contingency table's MI that `mist_discrete` computes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MistTableMethod {
    /// The plug-in estimate: the MI of the observed cell frequencies.
    Plugin = 0,
    /// The plug-in estimate with the Miller–Madow correction of each entropy.
    MillerMadow = 1,
    /// The James–Stein shrinkage estimate (Hausser & Strimmer 2009), as `infotheo`'s `shrink`.
    Shrink = 2,
    /// The NSB estimate (Nemenman, Shafee & Bialek 2002): the lowest error of the four on tables
    /// with few rows per cell.
    Nsb = 3,
}

/// The MI in nats of two discrete samples from their contingency table: each row of `x` (and of `y`)
/// is one category, rows with equal values in every column (to the bit) being the same category, so
/// values are codes of any kind and several columns form one joint category. `method` is a
/// MistTableMethod (MIST_TABLE_METHOD_NSB for tables with few rows per cell). Clipped at 0;
/// symmetric in `x` and `y`. Needs n ≥ 2.
///
/// Errors: as `mist_gaussian`, and MIST_STATUS_INVALID_ARGUMENT for a `method` outside
/// MistTableMethod. `*out_mi` is written only on success.
///
/// # Safety
/// `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_discrete(
    x: *const MistMatrix,
    y: *const MistMatrix,
    method: c_int,
    out_mi: *mut f64,
) -> MistStatus {
    boundary(|| {
        let method = match method {
            0 => TableMethod::Plugin,
            1 => TableMethod::MillerMadow,
            2 => TableMethod::Shrink,
            3 => TableMethod::Nsb,
            other => {
                return Err(FfiError::invalid(format!(
                    "method = {other} is not a MistTableMethod (0 = plug-in, 1 = Miller-Madow, 2 = shrinkage, 3 = NSB)"
                )));
            }
        };
        // SAFETY: forwarded caller's promises.
        unsafe { run_baseline(x, y, out_mi, |x, y| Table { method }.estimate(x, y)) }
    })
}

/// Ross's (2014) nearest-neighbour MI in nats between a discrete `x` (each row one category, as in
/// `mist_discrete`) and a continuous `y`, with `k` neighbours (scikit-learn's
/// `mutual_info_classif` uses 3): the estimator for a class against measurements. Distances are
/// max-norm over `y`'s standardised columns; rows of a category seen once are left out. Clipped at
/// 0. Needs `k` ≥ 1 and n > k; cost O(n² dy).
///
/// Errors: as `mist_ksg`. `*out_mi` is written only on success.
///
/// # Safety
/// `x` and `y` must be NULL or valid MistMatrix views; `out_mi` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_ross(
    x: *const MistMatrix,
    y: *const MistMatrix,
    k: usize,
    out_mi: *mut f64,
) -> MistStatus {
    // SAFETY: forwarded caller's promises.
    boundary(|| unsafe { run_baseline(x, y, out_mi, |x, y| Ross { k }.estimate(x, y)) })
}

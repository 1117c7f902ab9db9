//! `mist_estimate_auto`: the estimator that fits each column's kind (`crate::auto`), and which one
//! answered, so that callers with factors, strings and measurements side by side need no rule of
//! their own.

use super::estimator::MistEstimator;
use super::matrix::{MistMatrix, view};
use super::method::answered;
use super::panic::boundary;
use super::pointer::{check_out, try_ref};
use super::status::{FfiError, MistStatus};
use crate::auto::Kind;
use crate::method::Method;
use std::ffi::c_int;

/// What the caller says of a column (`mist_estimate_auto`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MistKind {
    /// Let the data say: discrete when it takes 2 to 10 distinct values, each repeated on average
    /// (see DEGENERATE, DISCRETE AND ROUNDED DATA at the top).
    Detect = 0,
    /// Continuous, or a rounded measurement.
    Continuous = 1,
    /// Categories or counts: equal values are one category.
    Discrete = 2,
}

/// Estimates I(X;Y) in nats with the estimator that fits the kinds of the columns, and says which
/// answered: every varying column continuous, the learned model of `est` (as `mist_estimate`);
/// every one discrete, `mist_discrete` with NSB; one side discrete and the other continuous,
/// `mist_ross` with k = 3 (the discrete side as its `x`); a side of both kinds, `mist_ksg` with
/// k = 5. `x_kinds` (NULL: all MIST_KIND_DETECT) holds one MistKind per column of `x`, `y_kinds`
/// likewise. On success `*out_mi` holds the estimate and `*out_method` a MistMethod.
///
/// Errors: those of the estimator that answers; MIST_STATUS_INVALID_ARGUMENT for a kind outside
/// MistKind. Nothing is written on failure.
///
/// # Safety
/// `est` must be NULL or a live handle; `x` and `y` NULL or valid MistMatrix views; `x_kinds` and
/// `y_kinds` NULL or readable for `x->cols` and `y->cols` ints; the outputs NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_estimate_auto(
    est: *const MistEstimator,
    x: *const MistMatrix,
    y: *const MistMatrix,
    x_kinds: *const c_int,
    y_kinds: *const c_int,
    out_mi: *mut f64,
    out_method: *mut c_int,
) -> MistStatus {
    boundary(|| {
        // SAFETY: the caller's promises, checked for NULL and alignment.
        let (est, x, y) = unsafe { (try_ref(est, "est")?, view(x, "x")?, view(y, "y")?) };
        check_out(out_mi, "out_mi")?;
        check_out(out_method, "out_method")?;
        // SAFETY: NULL or `cols` readable ints (caller).
        let (kx, ky) = unsafe { (kinds(x_kinds, x.ncols(), "x_kinds")?, kinds(y_kinds, y.ncols(), "y_kinds")?) };
        let method = Method::Auto.resolve(x, y, kx.as_deref(), ky.as_deref());
        let mi = match method.baseline() {
            None => est.0.estimate(x, y)?,
            Some((estimator, false)) => estimator.estimate(x, y)?,
            Some((estimator, true)) => estimator.estimate(y, x)?,
        };
        // SAFETY: checked above.
        unsafe {
            out_mi.write(mi);
            out_method.write(answered(method) as c_int);
        }
        Ok(())
    })
}

/// The kinds at `kinds` (`cols` ints, each a MistKind), or `None` for NULL.
///
/// # Safety
/// `kinds` must be NULL or readable for `cols` ints.
pub(super) unsafe fn kinds(kinds: *const c_int, cols: usize, name: &str) -> Result<Option<Vec<Kind>>, FfiError> {
    if kinds.is_null() || cols == 0 {
        return Ok(None);
    }
    if !kinds.is_aligned() {
        return Err(FfiError::invalid(format!("{name} = {kinds:p} is not aligned for an int")));
    }
    // SAFETY: non-NULL, aligned, `cols` readable ints (caller).
    let values = unsafe { std::slice::from_raw_parts(kinds, cols) };
    values
        .iter()
        .enumerate()
        .map(|(c, &v)| match v {
            0 => Ok(Kind::Detect),
            1 => Ok(Kind::Continuous),
            2 => Ok(Kind::Discrete),
            other => Err(FfiError::invalid(format!(
                "{name}[{c}] = {other} is not a MistKind (0 = detect, 1 = continuous, 2 = discrete)"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

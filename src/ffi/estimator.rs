//! The estimator handle: create, estimate, quantiles, batch, limits, free.

use super::matrix::{MistMatrix, view};
use super::options::{MistOptions, read};
use super::panic::{boundary, boundary_or};
use super::pointer::{check_array, check_out, try_ref, try_slice, write_array};
use super::status::{FfiError, MistStatus};
use ndarray::ArrayView2;

/// An estimator handle: the learned model with a pool of ONNX Runtime sessions. Opaque; made by
/// `mist_create`, released by `mist_free`, usable from many threads at once.
pub struct MistEstimator(pub(crate) crate::runtime::MistEstimator);

/// Creates an estimator handle in `*out`.
///
/// `options` may be NULL: the default model embedded in libmist, on the CPU, with ONNX Runtime found
/// by the search order and one session per CPU. The handle is thread-safe: use it from any number of
/// threads at once, then release it with `mist_free`.
///
/// Errors: MIST_STATUS_NULL_POINTER (`out`), MIST_STATUS_INVALID_ARGUMENT (an option's value),
/// MIST_STATUS_MODEL_LOAD, MIST_STATUS_MODEL_UNSUPPORTED, MIST_STATUS_RUNTIME_LOAD,
/// MIST_STATUS_DEVICE_UNAVAILABLE. `*out` is written only on success.
///
/// # Safety
/// `options` must be NULL or point to a MistOptions; `out` must be NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_create(options: *const MistOptions, out: *mut *mut MistEstimator) -> MistStatus {
    boundary(|| {
        check_out(out, "out")?;
        // SAFETY: the caller's promise about `options`.
        let options = unsafe { read(options) }?;
        let estimator = MistEstimator(crate::runtime::MistEstimator::new(options)?);
        // SAFETY: checked non-NULL and aligned above.
        unsafe { out.write(Box::into_raw(Box::new(estimator))) };
        Ok(())
    })
}

/// Releases a handle from `mist_create`. NULL is a no-op. No call on the handle may be running or
/// follow.
///
/// # Safety
/// `est` must be NULL or a handle from `mist_create` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_free(est: *mut MistEstimator) {
    boundary_or((), || {
        if !est.is_null() {
            // SAFETY: a handle from `mist_create` (Box::into_raw), freed once (caller).
            drop(unsafe { Box::from_raw(est) });
        }
    });
}

/// Estimates I(X;Y) in nats from n paired samples: `x` is n × dx, `y` is n × dy (rows are samples).
///
/// Datasets with more rows than the model's maximum (`mist_max_n`) are split into chunks by a
/// seeded shuffle (options.seed); the chunks run as one batch and the model's large-n head answers
/// from them and from all the rows (see MODEL at the top).
/// Constant columns are left out (all constant in X or Y: MI 0); see DEGENERATE AND DISCRETE DATA
/// at the top for ties.
///
/// Errors: MIST_STATUS_NULL_POINTER, MIST_STATUS_INVALID_ARGUMENT (layout), MIST_STATUS_BAD_DIMENSION,
/// MIST_STATUS_LENGTH_MISMATCH, MIST_STATUS_TOO_FEW_ROWS, MIST_STATUS_NON_FINITE,
/// MIST_STATUS_DISCRETE_DATA, MIST_STATUS_INFERENCE. `*out_mi` is written only on success.
///
/// # Safety
/// `est` must be NULL or a live handle; `x` and `y` NULL or valid MistMatrix views; `out_mi` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_estimate(
    est: *const MistEstimator,
    x: *const MistMatrix,
    y: *const MistMatrix,
    out_mi: *mut f64,
) -> MistStatus {
    boundary(|| {
        // SAFETY: the caller's promises, checked for NULL and alignment.
        let (est, x, y) = unsafe { (try_ref(est, "est")?, view(x, "x")?, view(y, "y")?) };
        check_out(out_mi, "out_mi")?;
        let mi = est.0.estimate(x, y)?;
        // SAFETY: checked above.
        unsafe { out_mi.write(mi) };
        Ok(())
    })
}

/// Quantiles of I(X;Y) in nats: `out[i]` is the `taus[i]`-quantile of MI given the data, for
/// `n_taus` levels in the open interval (0, 1), e.g. {0.05, 0.5, 0.95} for the median and a 90%
/// interval. The values are monotone in tau (so `out` is sorted ascending when `taus` is).
///
/// Errors: those of `mist_estimate`, and MIST_STATUS_INVALID_ARGUMENT for `n_taus` = 0 or a level
/// outside (0, 1). `out` (n_taus doubles) is written only on success.
///
/// # Safety
/// As `mist_estimate`; `taus` must hold `n_taus` doubles and `out` room for `n_taus` doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_quantiles(
    est: *const MistEstimator,
    x: *const MistMatrix,
    y: *const MistMatrix,
    taus: *const f64,
    n_taus: usize,
    out: *mut f64,
) -> MistStatus {
    boundary(|| {
        // SAFETY: the caller's promises, checked for NULL and alignment.
        let (est, x, y) = unsafe { (try_ref(est, "est")?, view(x, "x")?, view(y, "y")?) };
        // SAFETY: the caller's promises about `taus` and `out`.
        let levels = unsafe { levels(taus, n_taus, out, "out") }?;
        let q = est.0.quantiles(x, y, levels)?;
        // SAFETY: `out` has room for `n_taus` doubles (caller), checked by `levels`.
        unsafe { write_array(out, &q) };
        Ok(())
    })
}

/// The point estimate and the quantiles at `taus` from one run of the model, for the cost of one
/// `mist_estimate`: `*out_mi` is what `mist_estimate` gives and `out_q` (n_taus doubles) what
/// `mist_quantiles` gives for the same data, bit for bit.
///
/// Errors: those of `mist_quantiles`. `*out_mi` and `out_q` are written only on success.
///
/// # Safety
/// As `mist_quantiles`; `out_mi` must be NULL or writable, `out_q` room for `n_taus` doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_estimate_with_quantiles(
    est: *const MistEstimator,
    x: *const MistMatrix,
    y: *const MistMatrix,
    taus: *const f64,
    n_taus: usize,
    out_mi: *mut f64,
    out_q: *mut f64,
) -> MistStatus {
    boundary(|| {
        // SAFETY: the caller's promises, checked for NULL and alignment.
        let (est, x, y) = unsafe { (try_ref(est, "est")?, view(x, "x")?, view(y, "y")?) };
        check_out(out_mi, "out_mi")?;
        // SAFETY: the caller's promises about `taus` and `out_q`.
        let levels = unsafe { levels(taus, n_taus, out_q, "out_q") }?;
        let (mi, q) = est.0.estimate_with_quantiles(x, y, levels)?;
        // SAFETY: checked above (`out_mi`) and by `levels` (`out_q`, `n_taus` doubles).
        unsafe {
            out_mi.write(mi);
            write_array(out_q, &q);
        }
        Ok(())
    })
}

/// The `n_taus` levels at `taus`, after checking that there is at least one and that `out` (named
/// `out_name` in messages) is non-NULL and aligned for as many doubles.
///
/// # Safety
/// `taus` must be NULL or hold `n_taus` doubles.
unsafe fn levels<'a>(taus: *const f64, n_taus: usize, out: *mut f64, out_name: &str) -> Result<&'a [f64], FfiError> {
    if taus.is_null() {
        return Err(FfiError::null("taus"));
    }
    if out.is_null() {
        return Err(FfiError::null(out_name));
    }
    if n_taus == 0 {
        return Err(FfiError::invalid("n_taus = 0: ask for at least one quantile level"));
    }
    check_array(out.cast_const(), n_taus, out_name)?;
    // SAFETY: `taus` holds `n_taus` doubles (caller); checked non-NULL and aligned.
    unsafe { try_slice(taus, n_taus, "taus") }
}

/// Point estimates (nats) of `count` datasets in one call: dataset i is `xs[i]`, `ys[i]`, its
/// estimate goes to `out_mi[i]`. Datasets whose (chunk) row counts are equal share inference runs.
/// Each result equals `mist_estimate` on that dataset alone up to float rounding (about 1e-7
/// relative: ONNX Runtime's kernels depend on the batch size); the same batch gives the same bits.
///
/// Errors: those of `mist_estimate`; the message of a bad dataset starts with `dataset i:` (or names
/// `xs[i]`). `out_mi` is written only on success, for all datasets at once; `count` = 0 succeeds
/// and writes nothing.
///
/// # Safety
/// `xs` and `ys` must point to `count` MistMatrix each, `out_mi` to room for `count` doubles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_estimate_batch(
    est: *const MistEstimator,
    xs: *const MistMatrix,
    ys: *const MistMatrix,
    count: usize,
    out_mi: *mut f64,
) -> MistStatus {
    boundary(|| {
        // SAFETY: the caller's promise, checked for NULL and alignment.
        let est = unsafe { try_ref(est, "est") }?;
        for (ptr, name) in [(xs, "xs"), (ys, "ys")] {
            if ptr.is_null() {
                return Err(FfiError::null(name));
            }
            check_array(ptr, count, name)?;
        }
        if out_mi.is_null() {
            return Err(FfiError::null("out_mi"));
        }
        check_array(out_mi.cast_const(), count, "out_mi")?;
        let mut datasets: Vec<(ArrayView2<f64>, ArrayView2<f64>)> = Vec::with_capacity(count);
        for i in 0..count {
            // SAFETY: `xs` and `ys` hold `count` matrices (caller), checked non-NULL and aligned.
            let pair = unsafe { (view(xs.add(i), &format!("xs[{i}]"))?, view(ys.add(i), &format!("ys[{i}]"))?) };
            datasets.push(pair);
        }
        let estimates = est.0.estimate_batch(&datasets)?;
        // SAFETY: `out_mi` has room for `count` doubles (caller), checked above.
        unsafe { write_array(out_mi, &estimates) };
        Ok(())
    })
}

/// Reads a model limit; 0 for a NULL handle.
fn limit(est: *const MistEstimator, get: impl FnOnce(&crate::runtime::MistEstimator) -> usize) -> usize {
    boundary_or(0, || {
        // SAFETY: NULL or a live handle (caller of the export).
        unsafe { est.as_ref() }.map_or(0, |e| get(&e.0))
    })
}

/// The largest dx the handle's model accepts; 0 when `est` is NULL.
///
/// # Safety
/// `est` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_max_dx(est: *const MistEstimator) -> usize {
    limit(est, |e| e.info().max_dx)
}

/// The largest dy the handle's model accepts; 0 when `est` is NULL.
///
/// # Safety
/// `est` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_max_dy(est: *const MistEstimator) -> usize {
    limit(est, |e| e.info().max_dy)
}

/// The fewest rows the handle's model accepts (smaller n gives MIST_STATUS_TOO_FEW_ROWS); 0 when
/// `est` is NULL.
///
/// # Safety
/// `est` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_min_n(est: *const MistEstimator) -> usize {
    limit(est, |e| e.info().min_n)
}

/// The most rows the handle's model takes in one piece; larger datasets are split into chunks.
/// 0 when `est` is NULL.
///
/// # Safety
/// `est` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_max_n(est: *const MistEstimator) -> usize {
    limit(est, |e| e.info().max_n)
}

//! `mist_pairs`: MI of many column pairs of one table in one call (`crate::pairs`), for MI matrices
//! and screening.

use super::auto::kinds;
use super::estimator::MistEstimator;
use super::matrix::{MistMatrix, view};
use super::method::{answered, asked};
use super::panic::boundary;
use super::pointer::{check_array, try_ref, try_slice, write_array};
use super::status::{FfiError, MistStatus};
use crate::pairs::pairs;
use std::ffi::c_int;

/// MI (nats) of `count` pairs of columns of `data` (rows are samples): pair p is columns
/// `pairs[2p]` and `pairs[2p + 1]`, counted from 0, and its estimate goes to `out_mi[p]`, by
/// `method` (a MistMethod; `k`: the neighbours of KSG and Ross, 0 for 5 and 3). MIST_METHOD_AUTO
/// picks per pair from the two columns' `kinds` (NULL: detect each; else one MistKind per column).
/// `out_method` (NULL: not wanted) receives the MistMethod that answered each pair. `out_q05` and
/// `out_q95`, both NULL or both given, receive the model's 5% and 95% quantiles where the model
/// answered and NaN where another estimator did. Each answer equals the single call on that
/// pair's two columns (the model's up to float rounding, as `mist_estimate_batch`); the model's
/// pairs run as batches, the others side by side, on the handle's threads.
///
/// Errors: those of the estimator, the message starting `dataset p:` for pair p;
/// MIST_STATUS_INVALID_ARGUMENT for a column index out of range, a `method` outside MistMethod, a
/// kind outside MistKind, or one of `out_q05` and `out_q95` without the other. The outputs are
/// written only on success; `count` = 0 succeeds and writes nothing.
///
/// # Safety
/// `est` must be NULL or a live handle; `data` NULL or a valid MistMatrix view; `kinds` NULL or
/// readable for `data->cols` ints; `pairs` readable for `2 * count` size_t; each output NULL (where
/// allowed) or writable for `count` values.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mist_pairs(
    est: *const MistEstimator,
    data: *const MistMatrix,
    kinds_of: *const c_int,
    pairs_at: *const usize,
    count: usize,
    method: c_int,
    k: usize,
    out_mi: *mut f64,
    out_q05: *mut f64,
    out_q95: *mut f64,
    out_method: *mut c_int,
) -> MistStatus {
    boundary(|| {
        // SAFETY: the caller's promises, checked for NULL and alignment.
        let (est, data) = unsafe { (try_ref(est, "est")?, view(data, "data")?) };
        let method = asked(method, k)?;
        // SAFETY: NULL or `cols` readable ints (caller).
        let kinds = unsafe { kinds(kinds_of, data.ncols(), "kinds")? };
        if out_mi.is_null() {
            return Err(FfiError::null("out_mi"));
        }
        check_array(out_mi.cast_const(), count, "out_mi")?;
        let interval = match (out_q05.is_null(), out_q95.is_null()) {
            (true, true) => false,
            (false, false) => true,
            _ => return Err(FfiError::invalid("give both out_q05 and out_q95, or neither")),
        };
        if interval {
            check_array(out_q05.cast_const(), count, "out_q05")?;
            check_array(out_q95.cast_const(), count, "out_q95")?;
        }
        if !out_method.is_null() {
            check_array(out_method.cast_const(), count, "out_method")?;
        }
        let len = count.checked_mul(2).ok_or_else(|| FfiError::invalid(format!("count = {count} is too large")))?;
        // SAFETY: `2 * count` readable size_t (caller), checked non-NULL and aligned.
        let flat = unsafe { try_slice(pairs_at, len, "pairs")? };
        let list: Vec<(usize, usize)> = flat.chunks_exact(2).map(|p| (p[0], p[1])).collect();
        let answers = pairs(Some(&est.0), data, kinds.as_deref(), &list, method, interval)?;
        let column = |f: fn(&crate::pairs::PairAnswer) -> f64| answers.iter().map(f).collect::<Vec<f64>>();
        // SAFETY: every output has room for `count` values (caller), checked above.
        unsafe {
            write_array(out_mi, &column(|a| a.mi));
            if interval {
                write_array(out_q05, &column(|a| a.interval.0));
                write_array(out_q95, &column(|a| a.interval.1));
            }
            if !out_method.is_null() {
                let methods: Vec<c_int> = answers.iter().map(|a| answered(a.method) as c_int).collect();
                write_array(out_method, &methods);
            }
        }
        Ok(())
    })
}

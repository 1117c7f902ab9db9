//! `mist_test`: the permutation test of independence (`crate::permutation`) for any estimator.

use super::auto::kinds;
use super::estimator::MistEstimator;
use super::matrix::{MistMatrix, view};
use super::method::{answered, asked};
use super::panic::boundary;
use super::pointer::{check_out, try_ref};
use super::status::MistStatus;
use crate::permutation::Test;
use std::ffi::c_int;

/// A permutation test's answer (`mist_test`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MistTestResult {
    /// The estimate of I(X;Y) on the data, nats.
    pub estimate: f64,
    /// The p-value `(1 + #{permutations whose estimate ≥ estimate}) / (1 + permutations)`: never
    /// below `1 / (1 + permutations)`.
    pub p_value: f64,
    /// The number of permutations, B.
    pub permutations: usize,
    /// The MistMethod that answered (under MIST_METHOD_AUTO, the one picked for the data).
    pub method: c_int,
}

/// Tests X and Y for independence: the estimate of I(X;Y) by `method` (a MistMethod; `k`: the
/// neighbours of KSG and Ross, 0 for 5 and 3) on the data, and on `permutations` row permutations
/// of Y drawn from `seed`; writes the estimate, the p-value and B to `*out`. The p-value is exact for
/// any estimator and n (under independence every pairing of rows is as likely as the observed one).
/// MIST_METHOD_AUTO picks its estimator once, on the data (`x_kinds`, `y_kinds` as for
/// `mist_estimate_auto`), and every permutation runs that one. The same arguments and handle seed
/// give the same answer. Permutations run as batches on the handle's threads: the cost is about
/// `permutations + 1` estimates, in blocks of at most 32 MiB of permuted Y.
///
/// Errors: those of the estimator on the data; MIST_STATUS_INVALID_ARGUMENT for `permutations` = 0
/// or above 10,000,000,
/// a `method` outside MistMethod or a kind outside MistKind. Nothing is written on failure.
///
/// # Safety
/// `est` must be NULL or a live handle; `x` and `y` NULL or valid MistMatrix views; `x_kinds` and
/// `y_kinds` NULL or readable for `x->cols` and `y->cols` ints; `out` NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mist_test(
    est: *const MistEstimator,
    x: *const MistMatrix,
    y: *const MistMatrix,
    x_kinds: *const c_int,
    y_kinds: *const c_int,
    method: c_int,
    k: usize,
    permutations: usize,
    seed: u64,
    out: *mut MistTestResult,
) -> MistStatus {
    boundary(|| {
        // SAFETY: the caller's promises, checked for NULL and alignment.
        let (est, x, y) = unsafe { (try_ref(est, "est")?, view(x, "x")?, view(y, "y")?) };
        check_out(out, "out")?;
        // SAFETY: NULL or `cols` readable ints (caller).
        let (kx, ky) = unsafe { (kinds(x_kinds, x.ncols(), "x_kinds")?, kinds(y_kinds, y.ncols(), "y_kinds")?) };
        let test = Test { method: asked(method, k)?, permutations, seed };
        let r = test.run(Some(&est.0), x, y, kx.as_deref(), ky.as_deref())?;
        let result = MistTestResult {
            estimate: r.estimate,
            p_value: r.p_value,
            permutations: r.permutations,
            method: answered(r.method) as c_int,
        };
        // SAFETY: checked above.
        unsafe { out.write(result) };
        Ok(())
    })
}

//! What the C ABI test binaries share: an owned estimator handle with the calls as methods that
//! check the C contract (a message on failure, outputs untouched), creation helpers, and test data.
//! Each binary uses part of it.
#![allow(dead_code)]

use mist::ffi::*;
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::ffi::CStr;
use std::ptr::{null, null_mut};

/// An owned estimator handle from `mist_create`, freed on drop; shared between threads as
/// `include/mist.h` allows.
#[derive(Debug)]
pub struct Handle(pub *mut MistEstimator);

// SAFETY: the header declares a handle usable from any number of threads at once; only `mist_free`
// (in `drop`, with `&mut self`) must not overlap other calls.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: a live handle from `mist_create`, freed once.
        unsafe { mist_free(self.0) };
    }
}

/// I(X;Y) of a bivariate normal with correlation 0.75: −½ ln(1 − 0.75²).
pub const TRUE_MI_RHO_075: f64 = 0.413_339_286_757_486_7;
/// A value no successful call writes; outputs must keep it after a failure.
pub const UNTOUCHED: f64 = -12345.0;

impl Handle {
    pub fn estimate(&self, x: &MistMatrix, y: &MistMatrix) -> Result<f64, (MistStatus, String)> {
        let mut out = UNTOUCHED;
        check(unsafe { mist_estimate(self.0, x, y, &mut out) }, &[out])?;
        Ok(out)
    }

    pub fn quantiles(&self, x: &MistMatrix, y: &MistMatrix, taus: &[f64]) -> Result<Vec<f64>, (MistStatus, String)> {
        let mut out = vec![UNTOUCHED; taus.len()];
        check(unsafe { mist_quantiles(self.0, x, y, taus.as_ptr(), taus.len(), out.as_mut_ptr()) }, &out)?;
        Ok(out)
    }

    pub fn both(&self, x: &MistMatrix, y: &MistMatrix, taus: &[f64]) -> Result<(f64, Vec<f64>), (MistStatus, String)> {
        let (mut mi, mut q) = (UNTOUCHED, vec![UNTOUCHED; taus.len()]);
        let status =
            unsafe { mist_estimate_with_quantiles(self.0, x, y, taus.as_ptr(), taus.len(), &mut mi, q.as_mut_ptr()) };
        check(status, &[&[mi], &q[..]].concat())?;
        Ok((mi, q))
    }

    pub fn batch(&self, xs: &[MistMatrix], ys: &[MistMatrix]) -> Result<Vec<f64>, (MistStatus, String)> {
        let mut out = vec![UNTOUCHED; xs.len()];
        check(unsafe { mist_estimate_batch(self.0, xs.as_ptr(), ys.as_ptr(), xs.len(), out.as_mut_ptr()) }, &out)?;
        Ok(out)
    }
}

/// `Ok` on success; otherwise the status and message, after checking that a message exists and
/// that the outputs were left alone.
pub fn check(status: MistStatus, outputs: &[f64]) -> Result<(), (MistStatus, String)> {
    if status == MistStatus::Ok {
        assert_eq!(last_error(), "", "a success leaves no message");
        return Ok(());
    }
    let message = last_error();
    assert!(!message.is_empty(), "{status:?} without a message");
    assert!(outputs.iter().all(|&v| v == UNTOUCHED), "outputs written on failure ({status:?}): {outputs:?}");
    Err((status, message))
}

pub fn last_error() -> String {
    unsafe { CStr::from_ptr(mist_last_error()) }.to_str().unwrap().to_string()
}

pub fn create(options: Option<&MistOptions>) -> Result<Handle, (MistStatus, String)> {
    let mut out: *mut MistEstimator = null_mut();
    let status = unsafe { mist_create(options.map_or(null(), |o| o as *const _), &mut out) };
    if status == MistStatus::Ok {
        assert!(!out.is_null());
        return Ok(Handle(out));
    }
    assert!(out.is_null(), "out written on failure");
    Err((status, last_error()))
}

pub fn default_handle() -> Handle {
    create(None).unwrap_or_else(|e| panic!("mist_create(NULL) failed: {e:?} (run scripts/setup-onnxruntime)"))
}

pub fn options() -> MistOptions {
    let mut o = std::mem::MaybeUninit::<MistOptions>::uninit();
    unsafe {
        mist_options_default(o.as_mut_ptr(), size_of::<MistOptions>());
        o.assume_init()
    }
}

/// Asserts a failure with `status` whose message contains every needle.
pub fn fails<T: std::fmt::Debug>(result: Result<T, (MistStatus, String)>, status: MistStatus, needles: &[&str]) {
    let (got, message) = result.expect_err("expected a failure");
    assert_eq!(got, status, "message: {message}");
    for needle in needles {
        assert!(message.contains(needle), "{message:?} does not contain {needle:?}");
    }
}

/// Row-major storage of an n × d matrix and a view of it.
pub struct Data {
    pub values: Vec<f64>,
    pub rows: usize,
    pub cols: usize,
    pub layout: MistLayout,
}

impl Data {
    pub fn row_major(a: &Array2<f64>) -> Data {
        Data { values: a.iter().copied().collect(), rows: a.nrows(), cols: a.ncols(), layout: MistLayout::RowMajor }
    }

    pub fn col_major(a: &Array2<f64>) -> Data {
        Data { values: a.t().iter().copied().collect(), rows: a.nrows(), cols: a.ncols(), layout: MistLayout::ColMajor }
    }

    pub fn m(&self) -> MistMatrix {
        MistMatrix { data: self.values.as_ptr(), rows: self.rows, cols: self.cols, layout: self.layout }
    }
}

/// n samples of a bivariate normal with correlation `rho` (X and Y one column each).
pub fn bivariate_normal(n: usize, rho: f64, seed: u64) -> (Array2<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draw = || -> f64 { StandardNormal.sample(&mut rng) };
    let x = Array2::from_shape_fn((n, 1), |_| draw());
    let y = Array2::from_shape_fn((n, 1), |(i, _)| rho * x[[i, 0]] + (1.0 - rho * rho).sqrt() * draw());
    (x, y)
}

/// n samples with `dx` X columns and `dy` Y columns, Y depending on X's first column.
pub fn dataset(n: usize, dx: usize, dy: usize, seed: u64) -> (Array2<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draw = || -> f64 { StandardNormal.sample(&mut rng) };
    let x = Array2::from_shape_fn((n, dx), |_| draw());
    let y = Array2::from_shape_fn((n, dy), |(i, j)| x[[i, 0]] * (0.5 + 0.1 * j as f64) + draw());
    (x, y)
}

pub fn rm(a: &Array2<f64>) -> Data {
    Data::row_major(a)
}

pub const TAUS: [f64; 3] = [0.05, 0.5, 0.95];

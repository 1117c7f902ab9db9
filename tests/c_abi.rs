//! The C ABI, called directly from Rust as a C program would: results, layouts, every bad input,
//! loading failures, threads, chunking, batching, the baselines, the version and the header.
//!
//! ONNX Runtime is found by the search order (the build tree's vendor copy; run
//! scripts/setup-onnxruntime first). The case "ONNX Runtime missing" needs a fresh process and lives
//! in tests/c_abi_no_runtime.rs.

mod common;

use common::Handle;
use mist::baselines::{Estimator, Gaussian, Ksg};
use mist::ffi::*;
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::ffi::{CStr, CString, c_int};
use std::ptr::{null, null_mut};
use std::time::Instant;

/// I(X;Y) of a bivariate normal with correlation 0.75: −½ ln(1 − 0.75²).
const TRUE_MI_RHO_075: f64 = 0.413_339_286_757_486_7;
/// A value no successful call writes; outputs must keep it after a failure.
const UNTOUCHED: f64 = -12345.0;

impl Handle {
    fn estimate(&self, x: &MistMatrix, y: &MistMatrix) -> Result<f64, (MistStatus, String)> {
        let mut out = UNTOUCHED;
        check(unsafe { mist_estimate(self.0, x, y, &mut out) }, &[out])?;
        Ok(out)
    }

    fn quantiles(&self, x: &MistMatrix, y: &MistMatrix, taus: &[f64]) -> Result<Vec<f64>, (MistStatus, String)> {
        let mut out = vec![UNTOUCHED; taus.len()];
        check(unsafe { mist_quantiles(self.0, x, y, taus.as_ptr(), taus.len(), out.as_mut_ptr()) }, &out)?;
        Ok(out)
    }

    fn both(&self, x: &MistMatrix, y: &MistMatrix, taus: &[f64]) -> Result<(f64, Vec<f64>), (MistStatus, String)> {
        let (mut mi, mut q) = (UNTOUCHED, vec![UNTOUCHED; taus.len()]);
        let status =
            unsafe { mist_estimate_with_quantiles(self.0, x, y, taus.as_ptr(), taus.len(), &mut mi, q.as_mut_ptr()) };
        check(status, &[&[mi], &q[..]].concat())?;
        Ok((mi, q))
    }

    fn batch(&self, xs: &[MistMatrix], ys: &[MistMatrix]) -> Result<Vec<f64>, (MistStatus, String)> {
        let mut out = vec![UNTOUCHED; xs.len()];
        check(unsafe { mist_estimate_batch(self.0, xs.as_ptr(), ys.as_ptr(), xs.len(), out.as_mut_ptr()) }, &out)?;
        Ok(out)
    }
}

/// `Ok` on success; otherwise the status and message, after checking that a message exists and
/// that the outputs were left alone.
fn check(status: MistStatus, outputs: &[f64]) -> Result<(), (MistStatus, String)> {
    if status == MistStatus::Ok {
        assert_eq!(last_error(), "", "a success leaves no message");
        return Ok(());
    }
    let message = last_error();
    assert!(!message.is_empty(), "{status:?} without a message");
    assert!(outputs.iter().all(|&v| v == UNTOUCHED), "outputs written on failure ({status:?}): {outputs:?}");
    Err((status, message))
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(mist_last_error()) }.to_str().unwrap().to_string()
}

fn create(options: Option<&MistOptions>) -> Result<Handle, (MistStatus, String)> {
    let mut out: *mut MistEstimator = null_mut();
    let status = unsafe { mist_create(options.map_or(null(), |o| o as *const _), &mut out) };
    if status == MistStatus::Ok {
        assert!(!out.is_null());
        return Ok(Handle(out));
    }
    assert!(out.is_null(), "out written on failure");
    Err((status, last_error()))
}

fn default_handle() -> Handle {
    create(None).unwrap_or_else(|e| panic!("mist_create(NULL) failed: {e:?} (run scripts/setup-onnxruntime)"))
}

fn options() -> MistOptions {
    let mut o = std::mem::MaybeUninit::<MistOptions>::uninit();
    unsafe {
        mist_options_default(o.as_mut_ptr());
        o.assume_init()
    }
}

/// Asserts a failure with `status` whose message contains every needle.
fn fails<T: std::fmt::Debug>(result: Result<T, (MistStatus, String)>, status: MistStatus, needles: &[&str]) {
    let (got, message) = result.expect_err("expected a failure");
    assert_eq!(got, status, "message: {message}");
    for needle in needles {
        assert!(message.contains(needle), "{message:?} does not contain {needle:?}");
    }
}

/// Row-major storage of an n × d matrix and a view of it.
struct Data {
    values: Vec<f64>,
    rows: usize,
    cols: usize,
    layout: MistLayout,
}

impl Data {
    fn row_major(a: &Array2<f64>) -> Data {
        Data { values: a.iter().copied().collect(), rows: a.nrows(), cols: a.ncols(), layout: MistLayout::RowMajor }
    }

    fn col_major(a: &Array2<f64>) -> Data {
        Data { values: a.t().iter().copied().collect(), rows: a.nrows(), cols: a.ncols(), layout: MistLayout::ColMajor }
    }

    fn m(&self) -> MistMatrix {
        MistMatrix { data: self.values.as_ptr(), rows: self.rows, cols: self.cols, layout: self.layout }
    }
}

/// n samples of a bivariate normal with correlation `rho` (X and Y one column each).
fn bivariate_normal(n: usize, rho: f64, seed: u64) -> (Array2<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draw = || -> f64 { StandardNormal.sample(&mut rng) };
    let x = Array2::from_shape_fn((n, 1), |_| draw());
    let y = Array2::from_shape_fn((n, 1), |(i, _)| rho * x[[i, 0]] + (1.0 - rho * rho).sqrt() * draw());
    (x, y)
}

/// n samples with `dx` X columns and `dy` Y columns, Y depending on X's first column.
fn dataset(n: usize, dx: usize, dy: usize, seed: u64) -> (Array2<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draw = || -> f64 { StandardNormal.sample(&mut rng) };
    let x = Array2::from_shape_fn((n, dx), |_| draw());
    let y = Array2::from_shape_fn((n, dy), |(i, j)| x[[i, 0]] * (0.5 + 0.1 * j as f64) + draw());
    (x, y)
}

fn rm(a: &Array2<f64>) -> Data {
    Data::row_major(a)
}

const TAUS: [f64; 3] = [0.05, 0.5, 0.95];

#[test]
fn default_model_on_bivariate_normal() {
    let est = default_handle();
    let (x, y) = bivariate_normal(2000, 0.75, 7);
    let (x, y) = (rm(&x), rm(&y));
    let mi = est.estimate(&x.m(), &y.m()).unwrap();
    let q = est.quantiles(&x.m(), &y.m(), &TAUS).unwrap();
    println!("rho = 0.75, n = 2000: estimate {mi:.4} nats, quantiles {q:.4?} (truth {TRUE_MI_RHO_075:.4})");
    assert!(mi.is_finite() && mi >= 0.0, "{mi}");
    assert!(q.iter().all(|v| v.is_finite() && *v >= 0.0), "{q:?}");
    assert!(q.windows(2).all(|w| w[0] <= w[1]), "quantiles not sorted: {q:?}");
    // Unsorted levels: each value belongs to its level, monotone in tau.
    let shuffled = est.quantiles(&x.m(), &y.m(), &[0.95, 0.05, 0.5]).unwrap();
    assert_eq!(shuffled, vec![q[2], q[0], q[1]]);
    // One call for both gives the same bits, here and on a dataset that is split into chunks.
    assert_eq!(est.both(&x.m(), &y.m(), &TAUS).unwrap(), (mi, q));
    let (big_x, big_y) = bivariate_normal(1_700, 0.5, 8);
    let (big_x, big_y) = (rm(&big_x), rm(&big_y));
    let (point, levels) =
        (est.estimate(&big_x.m(), &big_y.m()).unwrap(), est.quantiles(&big_x.m(), &big_y.m(), &TAUS).unwrap());
    assert_eq!(est.both(&big_x.m(), &big_y.m(), &TAUS).unwrap(), (point, levels));
    fails(est.both(&x.m(), &y.m(), &[]), MistStatus::InvalidArgument, &["n_taus = 0"]);
    fails(est.both(&x.m(), &y.m(), &[0.5, 1.0]), MistStatus::InvalidArgument, &["taus[1] = 1"]);
}

/// The accuracy the shipped model must reach (acceptance of the runtime issue), on 20 draws of a
/// bivariate normal with 2,000 rows, which its large-n head answers: every estimate within 0.1 nats,
/// and the 90% interval covering the truth in most draws. (Its intervals are a little narrow on plain
/// Gaussians: they cover 17 of these 20 draws; see the model card's known limits.)
#[test]
fn default_model_is_accurate_on_bivariate_normal() {
    let est = default_handle();
    let mut covered = 0;
    for seed in 0..20 {
        let (x, y) = bivariate_normal(2000, 0.75, 7 + seed);
        let (x, y) = (rm(&x), rm(&y));
        let (mi, q) = est.both(&x.m(), &y.m(), &TAUS).unwrap();
        println!("seed {seed}: estimate {mi:.4}, 90% interval [{:.4}, {:.4}], truth {TRUE_MI_RHO_075:.4}", q[0], q[2]);
        assert!((mi - TRUE_MI_RHO_075).abs() < 0.1, "estimate {mi} is not within 0.1 of {TRUE_MI_RHO_075}");
        covered += usize::from(q[0] <= TRUE_MI_RHO_075 && TRUE_MI_RHO_075 <= q[2]);
    }
    assert!(covered >= 13, "the 90% interval covers the truth in {covered} of 20 draws");
}

#[test]
fn row_and_column_major_give_identical_results() {
    let est = default_handle();
    let (x, y) = dataset(700, 3, 2, 11); // 700 > max_n: chunked too
    let (xr, yr, xc, yc) = (Data::row_major(&x), Data::row_major(&y), Data::col_major(&x), Data::col_major(&y));
    let bits = |v: f64| v.to_bits();
    let a = est.estimate(&xr.m(), &yr.m()).unwrap();
    for (xm, ym) in [(xc.m(), yc.m()), (xr.m(), yc.m()), (xc.m(), yr.m())] {
        assert_eq!(bits(est.estimate(&xm, &ym).unwrap()), bits(a));
        assert_eq!(est.quantiles(&xm, &ym, &TAUS).unwrap(), est.quantiles(&xr.m(), &yr.m(), &TAUS).unwrap());
        let (mut k1, mut k2, mut g1, mut g2) = (0.0, 0.0, 0.0, 0.0);
        unsafe {
            assert_eq!(mist_ksg(&xm, &ym, 5, &mut k1), MistStatus::Ok);
            assert_eq!(mist_ksg(&xr.m(), &yr.m(), 5, &mut k2), MistStatus::Ok);
            assert_eq!(mist_gaussian(&xm, &ym, &mut g1), MistStatus::Ok);
            assert_eq!(mist_gaussian(&xr.m(), &yr.m(), &mut g2), MistStatus::Ok);
        }
        assert_eq!((bits(k1), bits(g1)), (bits(k2), bits(g2)));
    }
}

#[test]
fn null_pointers_are_named() {
    let est = default_handle();
    let (x, y) = dataset(100, 1, 1, 3);
    let (x, y) = (rm(&x), rm(&y));
    let (xm, ym) = (x.m(), y.m());
    let mut out = UNTOUCHED;
    let mut q = [UNTOUCHED; 3];
    let null_est: *const MistEstimator = null();
    let null_m: *const MistMatrix = null();
    let (e, o, qp) = (est.0, &raw mut out, q.as_mut_ptr());
    type Call<'a> = Box<dyn Fn() -> MistStatus + 'a>;
    let cases: Vec<(&str, Call)> = vec![
        ("est", Box::new(|| unsafe { mist_estimate(null_est, &xm, &ym, o) })),
        ("x", Box::new(|| unsafe { mist_estimate(e, null_m, &ym, o) })),
        ("y", Box::new(|| unsafe { mist_estimate(e, &xm, null_m, o) })),
        ("out_mi", Box::new(|| unsafe { mist_estimate(e, &xm, &ym, null_mut()) })),
        ("est", Box::new(|| unsafe { mist_quantiles(null_est, &xm, &ym, TAUS.as_ptr(), 3, qp) })),
        ("x", Box::new(|| unsafe { mist_quantiles(e, null_m, &ym, TAUS.as_ptr(), 3, qp) })),
        ("y", Box::new(|| unsafe { mist_quantiles(e, &xm, null_m, TAUS.as_ptr(), 3, qp) })),
        ("taus", Box::new(|| unsafe { mist_quantiles(e, &xm, &ym, null(), 3, qp) })),
        ("out", Box::new(|| unsafe { mist_quantiles(e, &xm, &ym, TAUS.as_ptr(), 3, null_mut()) })),
        ("est", Box::new(|| unsafe { mist_estimate_with_quantiles(null_est, &xm, &ym, TAUS.as_ptr(), 3, o, qp) })),
        ("x", Box::new(|| unsafe { mist_estimate_with_quantiles(e, null_m, &ym, TAUS.as_ptr(), 3, o, qp) })),
        ("y", Box::new(|| unsafe { mist_estimate_with_quantiles(e, &xm, null_m, TAUS.as_ptr(), 3, o, qp) })),
        ("taus", Box::new(|| unsafe { mist_estimate_with_quantiles(e, &xm, &ym, null(), 3, o, qp) })),
        ("out_mi", Box::new(|| unsafe { mist_estimate_with_quantiles(e, &xm, &ym, TAUS.as_ptr(), 3, null_mut(), qp) })),
        ("out_q", Box::new(|| unsafe { mist_estimate_with_quantiles(e, &xm, &ym, TAUS.as_ptr(), 3, o, null_mut()) })),
        ("est", Box::new(|| unsafe { mist_estimate_batch(null_est, &xm, &ym, 1, o) })),
        ("xs", Box::new(|| unsafe { mist_estimate_batch(e, null_m, &ym, 1, o) })),
        ("ys", Box::new(|| unsafe { mist_estimate_batch(e, &xm, null_m, 1, o) })),
        ("out_mi", Box::new(|| unsafe { mist_estimate_batch(e, &xm, &ym, 1, null_mut()) })),
        ("out", Box::new(|| unsafe { mist_create(null(), null_mut()) })),
        ("x", Box::new(|| unsafe { mist_ksg(null_m, &ym, 5, o) })),
        ("y", Box::new(|| unsafe { mist_ksg(&xm, null_m, 5, o) })),
        ("out_mi", Box::new(|| unsafe { mist_ksg(&xm, &ym, 5, null_mut()) })),
        ("x", Box::new(|| unsafe { mist_gaussian(null_m, &ym, o) })),
        ("y", Box::new(|| unsafe { mist_gaussian(&xm, null_m, o) })),
        ("out_mi", Box::new(|| unsafe { mist_gaussian(&xm, &ym, null_mut()) })),
    ];
    for (i, (name, call)) in cases.into_iter().enumerate() {
        assert_eq!(call(), MistStatus::NullPointer, "case {i} ({name})");
        assert_eq!(last_error(), format!("{name} is NULL"), "case {i}");
    }
    assert_eq!((out, q), (UNTOUCHED, [UNTOUCHED; 3]));
    // NULL data with a non-empty shape, and in a batch element.
    let no_data = MistMatrix { data: null(), rows: 100, cols: 1, layout: MistLayout::RowMajor };
    fails(est.estimate(&no_data, &ym), MistStatus::NullPointer, &["x.data is NULL but x is 100 × 1"]);
    fails(est.batch(&[xm, xm], &[ym, no_data]), MistStatus::NullPointer, &["ys[1].data is NULL"]);
    // The functions without a status accept NULL.
    unsafe {
        mist_free(null_mut());
        mist_options_default(null_mut());
        assert_eq!((mist_max_dx(null()), mist_max_dy(null()), mist_min_n(null()), mist_max_n(null())), (0, 0, 0, 0));
    }
}

#[test]
fn bad_inputs_get_their_status_and_a_message_naming_them() {
    let est = default_handle();
    let (max_dx, max_dy, min_n) = unsafe { (mist_max_dx(est.0), mist_max_dy(est.0), mist_min_n(est.0)) };
    println!("model limits: max_dx = {max_dx}, max_dy = {max_dy}, min_n = {min_n}, max_n = {}", unsafe {
        mist_max_n(est.0)
    });
    let (x, y) = dataset(100, 2, 1, 5);
    let (xd, yd) = (rm(&x), rm(&y));
    let mut nan = x.clone();
    nan[[3, 1]] = f64::NAN;
    let mut inf = y.clone();
    inf[[7, 0]] = f64::NEG_INFINITY;
    fails(est.estimate(&rm(&nan).m(), &yd.m()), MistStatus::NonFinite, &["X[3, 1] = NaN is not finite"]);
    fails(est.estimate(&xd.m(), &rm(&inf).m()), MistStatus::NonFinite, &["Y[7, 0] = -inf is not finite"]);
    fails(est.quantiles(&rm(&nan).m(), &yd.m(), &TAUS), MistStatus::NonFinite, &["X[3, 1]"]);
    // Column-major data reports the same (row, column).
    fails(est.estimate(&Data::col_major(&nan).m(), &yd.m()), MistStatus::NonFinite, &["X[3, 1] = NaN"]);

    let (sx, sy) = dataset(min_n - 1, 2, 1, 5);
    let msg = format!("n = {} rows is below the minimum of {min_n}", min_n - 1);
    fails(est.estimate(&rm(&sx).m(), &rm(&sy).m()), MistStatus::TooFewRows, &[&msg]);
    let (ok_x, ok_y) = dataset(min_n, 2, 1, 5);
    assert!(est.estimate(&rm(&ok_x).m(), &rm(&ok_y).m()).is_ok(), "n = min_n is accepted");

    let zero = MistMatrix { data: xd.values.as_ptr(), rows: 100, cols: 0, layout: MistLayout::RowMajor };
    fails(est.estimate(&zero, &yd.m()), MistStatus::BadDimension, &["dx = 0"]);
    fails(est.estimate(&xd.m(), &zero), MistStatus::BadDimension, &["dy = 0"]);
    let (wide, _) = dataset(100, max_dx + 8, 1, 5);
    let msg = format!("dx = {} is above the model's maximum of {max_dx}", max_dx + 8);
    fails(est.estimate(&rm(&wide).m(), &yd.m()), MistStatus::BadDimension, &[&msg]);
    let (_, tall) = dataset(100, 1, max_dy + 1, 5);
    let msg = format!("dy = {} is above the model's maximum of {max_dy}", max_dy + 1);
    fails(est.estimate(&xd.m(), &rm(&tall).m()), MistStatus::BadDimension, &[&msg]);

    let (short_y, _) = dataset(99, 1, 1, 5);
    fails(est.estimate(&xd.m(), &rm(&short_y).m()), MistStatus::LengthMismatch, &["X has 100 rows but Y has 99"]);

    fails(
        est.quantiles(&xd.m(), &yd.m(), &[0.1, 0.5, 1.5]),
        MistStatus::InvalidArgument,
        &["taus[2] = 1.5 is outside (0, 1)"],
    );
    fails(est.quantiles(&xd.m(), &yd.m(), &[0.0]), MistStatus::InvalidArgument, &["taus[0] = 0 is outside (0, 1)"]);
    fails(est.quantiles(&xd.m(), &yd.m(), &[f64::NAN]), MistStatus::InvalidArgument, &["taus[0] = NaN"]);
    fails(est.quantiles(&xd.m(), &yd.m(), &[]), MistStatus::InvalidArgument, &["n_taus = 0"]);

    let mut bad_layout = xd.m();
    unsafe { (&raw mut bad_layout.layout).cast::<c_int>().write(5) };
    fails(est.estimate(&bad_layout, &yd.m()), MistStatus::InvalidArgument, &["x.layout = 5 is not a MistLayout"]);
    let misaligned = MistMatrix {
        data: unsafe { xd.values.as_ptr().cast::<u8>().add(1).cast::<f64>() },
        rows: 10,
        cols: 1,
        layout: MistLayout::RowMajor,
    };
    fails(est.estimate(&misaligned, &yd.m()), MistStatus::InvalidArgument, &["x.data", "not aligned"]);

    // In a batch, the message names the dataset.
    fails(est.batch(&[xd.m(), rm(&nan).m()], &[yd.m(), yd.m()]), MistStatus::NonFinite, &["dataset 1: X[3, 1] = NaN"]);

    // The baselines report the same kinds of failure.
    let mut out = UNTOUCHED;
    let status = unsafe { mist_ksg(&xd.m(), &yd.m(), 0, &mut out) };
    assert_eq!((status, out), (MistStatus::InvalidArgument, UNTOUCHED));
    assert!(last_error().contains("k = 0"), "{}", last_error());
    assert_eq!(unsafe { mist_ksg(&rm(&nan).m(), &yd.m(), 5, &mut out) }, MistStatus::NonFinite);
    assert_eq!(unsafe { mist_gaussian(&xd.m(), &rm(&short_y).m(), &mut out) }, MistStatus::LengthMismatch);
    assert_eq!(unsafe { mist_gaussian(&zero, &yd.m(), &mut out) }, MistStatus::BadDimension);
    assert_eq!(unsafe { mist_ksg(&rm(&sx).m(), &rm(&sy).m(), 20, &mut out) }, MistStatus::TooFewRows);
    assert_eq!(out, UNTOUCHED);
}

/// Minimal protobuf writer for hand-made ONNX files.
mod proto {
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    pub fn int(field: u64, v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        varint(field << 3, &mut out);
        varint(v, &mut out);
        out
    }

    pub fn bytes(field: u64, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        varint((field << 3) | 2, &mut out);
        varint(content.len() as u64, &mut out);
        out.extend_from_slice(content);
        out
    }

    /// A float tensor value info `name` of shape [dim].
    fn value_info(name: &str, dim: u64) -> Vec<u8> {
        let shape = bytes(2, &bytes(1, &int(1, dim)));
        let tensor = [int(1, 1), shape].concat();
        [bytes(1, name.as_bytes()), bytes(2, &bytes(1, &tensor))].concat()
    }

    /// A valid ONNX model `input → Identity → output` with the given metadata.
    pub fn identity_model(input: &str, output: &str, metadata: &[(&str, &str)]) -> Vec<u8> {
        let node = [bytes(1, input.as_bytes()), bytes(2, output.as_bytes()), bytes(4, b"Identity")].concat();
        let graph =
            [bytes(1, &node), bytes(2, b"g"), bytes(11, &value_info(input, 1)), bytes(12, &value_info(output, 1))]
                .concat();
        let mut model = [int(1, 8), bytes(2, b"test"), bytes(7, &graph), bytes(8, &int(2, 18))].concat();
        for (k, v) in metadata {
            model.extend(bytes(14, &[bytes(1, k.as_bytes()), bytes(2, v.as_bytes())].concat()));
        }
        model
    }
}

#[test]
fn model_loading_failures_return_a_status_and_a_message() {
    let _loaded = default_handle(); // ONNX Runtime is loaded; only the model is at fault below
    let dir = tempfile::tempdir().unwrap();
    let with_model = |path: &std::path::Path| {
        let path = CString::new(path.to_str().unwrap()).unwrap();
        let mut o = options();
        o.model_path = path.as_ptr();
        create(Some(&o)).map(|_| ())
    };
    let missing = dir.path().join("missing.onnx");
    fails(with_model(&missing), MistStatus::ModelLoad, &["cannot read model file", "missing.onnx"]);
    fails(with_model(dir.path()), MistStatus::ModelLoad, &["cannot read model file"]);
    // An endless file is refused before anything is read.
    fails(with_model(std::path::Path::new("/dev/zero")), MistStatus::ModelLoad, &["/dev/zero", "not a regular file"]);

    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    fails(
        with_model(&write("garbage.onnx", &garbage)),
        MistStatus::ModelLoad,
        &["garbage.onnx is not a valid ONNX model"],
    );
    fails(with_model(&write("empty.onnx", b"")), MistStatus::ModelLoad, &["empty.onnx"]);
    let truncated = &mist::runtime::DEFAULT_MODEL[..mist::runtime::DEFAULT_MODEL.len() / 2];
    fails(with_model(&write("truncated.onnx", truncated)), MistStatus::ModelLoad, &["truncated.onnx"]);

    // The embedded model with mist.format patched from "1" to "2" (same length: still valid protobuf).
    let key = b"\x0a\x0bmist.format\x12\x011";
    let mut patched = mist::runtime::DEFAULT_MODEL.to_vec();
    let at = patched.windows(key.len()).position(|w| w == key).expect("mist.format = 1 in the default model");
    patched[at + key.len() - 1] = b'2';
    let path = write("format2.onnx", &patched);
    fails(with_model(&path), MistStatus::ModelUnsupported, &["format2.onnx has mist.format = \"2\"", "only format 1"]);

    // Valid ONNX models that are not MIST models.
    let plain = proto::identity_model("x", "mi", &[]);
    fails(with_model(&write("plain.onnx", &plain)), MistStatus::ModelUnsupported, &["has no mist.format metadata"]);
    let meta = [
        ("mist.format", "1"),
        ("mist.max_dx", "32"),
        ("mist.max_dy", "32"),
        ("mist.min_n", "10"),
        ("mist.max_n", "500"),
        ("mist.preprocess", "rank_gauss"),
        ("mist.heads", "point,quantile"),
    ];
    let hollow = proto::identity_model("x", "mi", &meta);
    fails(with_model(&write("hollow.onnx", &hollow)), MistStatus::ModelUnsupported, &["has no input \"y\""]);
    let mut zscore = meta;
    zscore[5].1 = "zscore";
    let zscore = proto::identity_model("x", "mi", &zscore);
    fails(with_model(&write("zscore.onnx", &zscore)), MistStatus::ModelUnsupported, &["mist.preprocess = \"zscore\""]);
    let mut bad_limit = meta;
    bad_limit[1].1 = "lots";
    let bad_limit = proto::identity_model("x", "mi", &bad_limit);
    fails(with_model(&write("limit.onnx", &bad_limit)), MistStatus::ModelUnsupported, &["mist.max_dx = \"lots\""]);

    // The real model from a file works, and gives what the embedded copy gives.
    let path = write("copy.onnx", mist::runtime::DEFAULT_MODEL);
    let cpath = CString::new(path.to_str().unwrap()).unwrap();
    let mut o = options();
    o.model_path = cpath.as_ptr();
    let from_file = create(Some(&o)).unwrap();
    let (x, y) = dataset(300, 2, 2, 1);
    let (x, y) = (rm(&x), rm(&y));
    assert_eq!(from_file.estimate(&x.m(), &y.m()).unwrap(), _loaded.estimate(&x.m(), &y.m()).unwrap());

    // Bad option values.
    let mut o = options();
    unsafe { (&raw mut o.device).cast::<c_int>().write(9) };
    fails(create(Some(&o)), MistStatus::InvalidArgument, &["options->device = 9 is not a MistDevice"]);
    let mut o = options();
    o.device = MistDevice::Cuda;
    o.device_id = -1;
    fails(create(Some(&o)), MistStatus::InvalidArgument, &["device_id = -1"]);
    let mut o = options();
    o.model_path = c"".as_ptr();
    fails(create(Some(&o)), MistStatus::InvalidArgument, &["options->model_path is an empty string"]);
}

#[test]
fn a_second_onnxruntime_path_is_refused_once_loaded() {
    let _loaded = default_handle();
    let mut o = options();
    o.onnxruntime_path = c"/nonexistent/libonnxruntime.so".as_ptr();
    fails(create(Some(&o)), MistStatus::RuntimeLoad, &["/nonexistent/libonnxruntime.so", "already loaded"]);
    // Naming the loaded library again is fine.
    let loaded = mist::runtime::ort_lib::loaded().expect("loaded").path.clone();
    let loaded = CString::new(loaded.to_str().unwrap()).unwrap();
    o.onnxruntime_path = loaded.as_ptr();
    assert!(create(Some(&o)).is_ok());
}

#[test]
fn cuda_without_cuda_is_device_unavailable_unless_falling_back() {
    let mut o = options();
    o.device = MistDevice::Cuda;
    match create(Some(&o)) {
        Err((status, message)) => {
            assert_eq!(status, MistStatus::DeviceUnavailable, "{message}");
            assert!(message.contains("CUDA"), "{message}");
            println!("CUDA requested: {message}");
        }
        #[cfg(not(feature = "cuda"))]
        Ok(_) => panic!("CUDA cannot work without the cuda feature"),
        #[cfg(feature = "cuda")]
        Ok(_) => println!("CUDA is available here"),
    }
    o.cuda_fallback_to_cpu = true;
    let est = create(Some(&o)).expect("falls back to the CPU");
    let (x, y) = dataset(200, 1, 1, 2);
    let (x, y) = (rm(&x), rm(&y));
    assert_eq!(est.estimate(&x.m(), &y.m()).unwrap(), default_handle().estimate(&x.m(), &y.m()).unwrap());
}

#[test]
fn one_handle_many_threads_gives_the_single_threaded_results() {
    const THREADS: usize = 8;
    const CALLS: usize = 200;
    let mut o = options();
    o.threads = 4;
    let shared = create(Some(&o)).unwrap();
    let single = {
        let mut o = options();
        o.threads = 1;
        create(Some(&o)).unwrap()
    };
    let data: Vec<(Data, Data)> = (0..8)
        .map(|i| {
            let (x, y) = dataset(150 + 40 * i, 1 + i % 3, 1 + i % 2, 100 + i as u64);
            (rm(&x), rm(&y))
        })
        .collect();
    // Reference: one thread, a handle with one session.
    let reference: Vec<(u64, Vec<u64>)> = data
        .iter()
        .map(|(x, y)| {
            let mi = single.estimate(&x.m(), &y.m()).unwrap().to_bits();
            let q = single.quantiles(&x.m(), &y.m(), &TAUS).unwrap().iter().map(|v| v.to_bits()).collect();
            (mi, q)
        })
        .collect();
    let start = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let (shared, data, reference) = (&shared, &data, &reference);
            scope.spawn(move || {
                for call in 0..CALLS {
                    let i = (t + call) % data.len();
                    let (x, y) = &data[i];
                    if call % 2 == 0 {
                        let mi = shared.estimate(&x.m(), &y.m()).unwrap();
                        assert_eq!(mi.to_bits(), reference[i].0, "thread {t}, call {call}, dataset {i}");
                    } else {
                        let q: Vec<u64> =
                            shared.quantiles(&x.m(), &y.m(), &TAUS).unwrap().iter().map(|v| v.to_bits()).collect();
                        assert_eq!(q, reference[i].1, "thread {t}, call {call}, dataset {i}");
                    }
                    assert_eq!(last_error(), "");
                }
            });
        }
    });
    let elapsed = start.elapsed();
    println!(
        "{THREADS} threads × {CALLS} calls on one handle (4 sessions): {:.2} s, {:.2} ms per call",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e3 / (THREADS * CALLS) as f64
    );
}

#[test]
fn the_handles_own_threads_do_not_change_the_bits() {
    // A call alone on a handle with one run of at least 200 rows runs on the handle's own session
    // with min(threads, 4) intra-op threads; with threads = 1 on one thread. Same bits, for point
    // estimates and quantiles, one chunk and several (n = 2,000: 4 chunks in one run).
    let with = |threads| {
        let mut o = options();
        o.threads = threads;
        create(Some(&o)).unwrap()
    };
    let (one, four) = (with(1), with(4));
    for (i, (n, dx, dy)) in
        [(200, 1, 1), (350, 3, 2), (500, 16, 16), (500, 32, 1), (2000, 2, 2)].into_iter().enumerate()
    {
        let (x, y) = dataset(n, dx, dy, 300 + i as u64);
        let (x, y) = (rm(&x), rm(&y));
        let mi = |h: &Handle| h.estimate(&x.m(), &y.m()).unwrap().to_bits();
        let q = |h: &Handle| h.quantiles(&x.m(), &y.m(), &TAUS).unwrap();
        assert_eq!((mi(&four), q(&four)), (mi(&one), q(&one)), "n = {n}, dx = {dx}, dy = {dy}");
    }
}

#[test]
fn constant_columns_carry_no_information() {
    let est = default_handle();
    let zero = |name: &str, a: &Array2<f64>, b: &Array2<f64>| {
        let (a, b) = (rm(a), rm(b));
        assert_eq!(est.estimate(&a.m(), &b.m()).unwrap(), 0.0, "{name}");
        assert_eq!(est.quantiles(&a.m(), &b.m(), &TAUS).unwrap(), vec![0.0; 3], "{name}");
    };
    let constant = Array2::from_elem((500, 2), 1.25);
    zero("constant X and Y", &constant, &constant);
    for n in [50, 500, 2000] {
        let (_, y) = dataset(n, 2, 2, 3);
        zero(&format!("constant X, n = {n}"), &Array2::from_elem((n, 2), -4.0), &y);
        zero(&format!("constant Y, n = {n}"), &y, &Array2::from_elem((n, 1), 0.0));
    }
    // In a batch, a dataset without a varying column is 0 beside the others.
    let (x, y) = bivariate_normal(300, 0.6, 5);
    let (cd, xd, yd) = (rm(&constant), rm(&x), rm(&y));
    let both = est.batch(&[cd.m(), xd.m()], &[cd.m(), yd.m()]).unwrap();
    assert_eq!(both[0], 0.0);
    assert!((both[1] - est.estimate(&xd.m(), &yd.m()).unwrap()).abs() < 1e-6, "{both:?}");
    // A constant column added to X changes nothing, bit for bit.
    let padded = ndarray::concatenate![ndarray::Axis(1), x, Array2::from_elem((300, 1), 7.0)];
    let (x, y, padded) = (rm(&x), rm(&y), rm(&padded));
    assert_eq!(est.estimate(&padded.m(), &y.m()).unwrap(), est.estimate(&x.m(), &y.m()).unwrap());
    assert_eq!(est.quantiles(&padded.m(), &y.m(), &TAUS).unwrap(), est.quantiles(&x.m(), &y.m(), &TAUS).unwrap());
}

#[test]
fn discrete_columns_are_refused_and_a_few_ties_are_not() {
    let est = default_handle();
    // Binary X and Y with P(X = Y) = 0.9 (true MI 0.368 nats): refused, naming the column.
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let x = Array2::from_shape_fn((500, 1), |_| f64::from(rand::RngExt::random_bool(&mut rng, 0.5)));
    let y = x.mapv(|v| if rand::RngExt::random_bool(&mut rng, 0.1) { 1.0 - v } else { v });
    let (xd, yd) = (rm(&x), rm(&y));
    fails(
        est.estimate(&xd.m(), &yd.m()),
        MistStatus::DiscreteData,
        &["X[:, 0] looks discrete", "2 distinct values in 500 rows"],
    );
    fails(est.quantiles(&xd.m(), &yd.m(), &TAUS), MistStatus::DiscreteData, &["X[:, 0]"]);
    fails(est.batch(&[xd.m()], &[yd.m()]), MistStatus::DiscreteData, &["dataset 0: X[:, 0]"]);
    // The baselines accept it: KSG counts ties exactly.
    let mut out = UNTOUCHED;
    assert_eq!(unsafe { mist_ksg(&xd.m(), &yd.m(), 5, &mut out) }, MistStatus::Ok);
    assert!((out - 0.368).abs() < 0.06, "KSG {out}");
    // Data rounded to two decimals has a few ties, broken at random: an answer near the unrounded one.
    let (x, y) = bivariate_normal(500, 0.75, 6);
    let rounded = (rm(&x.mapv(|v| (v * 100.0).round() / 100.0)), rm(&y.mapv(|v| (v * 100.0).round() / 100.0)));
    let mi = est.estimate(&rounded.0.m(), &rounded.1.m()).unwrap();
    let exact = est.estimate(&rm(&x).m(), &rm(&y).m()).unwrap();
    assert!((mi - exact).abs() < 0.05, "rounded {mi} vs {exact}");
    // The line between the two (mist::input::is_discrete): 10 distinct values are refused, 11 are
    // rounded measurements.
    for (levels, refused) in [(10, true), (11, false)] {
        let x = Array2::from_shape_fn((500, 1), |(r, _)| ((r * 7) % levels) as f64);
        let y = Array2::from_shape_fn((500, 1), |(r, _)| (r as f64).sin());
        let got = est.estimate(&rm(&x).m(), &rm(&y).m());
        assert_eq!(got.is_err(), refused, "{levels} levels: {got:?}");
    }
}

#[test]
fn baselines_do_not_depend_on_the_scale_of_the_data() {
    let (x, y) = bivariate_normal(400, 0.6, 8);
    let run = |scale: f64| {
        let (xd, yd) = (rm(&x.mapv(|v| v * scale)), rm(&y.mapv(|v| v * scale + scale)));
        let (mut ksg, mut gaussian) = (UNTOUCHED, UNTOUCHED);
        assert_eq!(unsafe { mist_ksg(&xd.m(), &yd.m(), 5, &mut ksg) }, MistStatus::Ok);
        assert_eq!(unsafe { mist_gaussian(&xd.m(), &yd.m(), &mut gaussian) }, MistStatus::Ok);
        (ksg, gaussian)
    };
    let (ksg, gaussian) = run(1.0);
    assert!(ksg > 0.1, "{ksg}");
    for scale in [1e-300, 1e-200, 1e160, 1e300] {
        let (k, g) = run(scale);
        assert!(
            (k - ksg).abs() < 1e-9 && (g - gaussian).abs() < 1e-9,
            "scale {scale:e}: {k}, {g} vs {ksg}, {gaussian}"
        );
    }
    let mut out = UNTOUCHED;
    let (xd, yd) = (rm(&x), rm(&y));
    assert_eq!(unsafe { mist_ksg(&xd.m(), &yd.m(), usize::MAX, &mut out) }, MistStatus::InvalidArgument);
    assert!(last_error().contains("k = 18446744073709551615"), "{}", last_error());
    assert_eq!(out, UNTOUCHED);
}

#[test]
fn large_n_is_answered_by_the_head_deterministically_per_seed() {
    let est = default_handle();
    let max_n = unsafe { mist_max_n(est.0) };
    let n = 5000;
    assert!(n > max_n, "the test needs n above the model's max_n = {max_n}");
    let (x, y) = bivariate_normal(n, 0.75, 21);
    let (xd, yd) = (rm(&x), rm(&y));
    let mi = est.estimate(&xd.m(), &yd.m()).unwrap();
    let q = est.quantiles(&xd.m(), &yd.m(), &TAUS).unwrap();
    println!("n = {n} (max_n = {max_n}): estimate {mi:.4}, quantiles {q:.4?}, truth {TRUE_MI_RHO_075:.4}");
    assert!((mi - TRUE_MI_RHO_075).abs() < 0.05, "estimate {mi} vs truth {TRUE_MI_RHO_075}");
    assert!(q.windows(2).all(|w| w[0] <= w[1]), "quantiles {q:?} are not monotone");
    assert_eq!(est.estimate(&xd.m(), &yd.m()).unwrap().to_bits(), mi.to_bits(), "deterministic");
    // The head does not average the chunks: its answer differs from the mean of their estimates
    // (chunks as documented: seeded shuffle, each chunk run on its own).
    let parts = mist::chunking::chunks(n, max_n, 0);
    assert_eq!(parts.len(), n.div_ceil(max_n));
    let chunk_mean = parts
        .iter()
        .map(|rows| {
            let (cx, cy) = (x.select(ndarray::Axis(0), rows), y.select(ndarray::Axis(0), rows));
            est.estimate(&rm(&cx).m(), &rm(&cy).m()).unwrap()
        })
        .sum::<f64>()
        / parts.len() as f64;
    println!("mean of the chunk estimates: {chunk_mean:.4}");
    assert!((mi - chunk_mean).abs() > 1e-6, "{mi} is the chunk mean");
    // Another seed gives other chunks and another subsample order: a close, different answer.
    let mut o = options();
    o.seed = 1;
    let seeded = create(Some(&o)).unwrap();
    let other = seeded.estimate(&xd.m(), &yd.m()).unwrap();
    println!("seed 1: {other:.4}");
    assert!(other != mi && (other - mi).abs() < 0.05, "seed 1: {other} vs seed 0: {mi}");
}

/// The recipes of the evaluation's large-n grid (4 families × 9, at their dims and true MI): an
/// estimate from 5,000 rows, split into chunks, is at least as accurate as one from 500 rows.
///
/// The grid draws each recipe once with 5,000 rows and ten times with 500 (disjoint rows past the
/// first 5,000), whose mean squared error is the recipe's accuracy at n = 500 (ten draws: the
/// model's error is mostly bias, so one draw would make the comparison noisy). "At least as
/// accurate" allows two standard errors of the paired mean difference. This checks accuracy, not
/// the method (`large_n_is_split_into_chunks_and_averaged` checks that).
#[test]
fn estimates_at_n_5000_are_as_accurate_as_at_500() {
    let est = default_handle();
    let squared_error = |g: &mist_synth::grids::GridItem| {
        let s = g.sample();
        (est.estimate(&rm(&s.x).m(), &rm(&s.y).m()).unwrap() - s.mi).powi(2)
    };
    let grid = mist_synth::grids::large_n();
    let (mut small, mut large) = (Vec::new(), Vec::new());
    for g in grid.iter().filter(|g| g.n == 5000) {
        let draws: Vec<f64> =
            grid.iter().filter(|r| r.n == 500 && (r.family, r.seed) == (g.family, g.seed)).map(squared_error).collect();
        assert_eq!(draws.len(), mist_synth::grids::REFERENCE_DRAWS);
        small.push(draws.iter().sum::<f64>() / draws.len() as f64);
        large.push(squared_error(g));
    }
    let k = small.len() as f64;
    let diff: Vec<f64> = large.iter().zip(&small).map(|(l, s)| l - s).collect();
    let mean = diff.iter().sum::<f64>() / k;
    let se = (diff.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (k - 1.0) / k).sqrt();
    let mse = |e: &[f64]| e.iter().sum::<f64>() / k;
    println!(
        "large-n recipes: MSE {:.4} nats² at n = 500 (10 draws each), {:.4} nats² at n = 5,000; paired difference {mean:.4} ± {se:.4}",
        mse(&small),
        mse(&large)
    );
    assert_eq!(small.len(), 36);
    assert!(mean <= 2.0 * se, "MSE at n = 5,000 exceeds that at n = 500 by {mean} nats² (standard error {se})");
}

#[test]
fn the_batch_call_equals_individual_calls() {
    let est = default_handle();
    let shapes = [(300, 1, 1), (300, 2, 3), (450, 1, 1), (1200, 2, 1), (300, 5, 5), (37, 1, 2), (1200, 1, 1)];
    let data: Vec<(Data, Data)> = shapes
        .iter()
        .enumerate()
        .map(|(i, &(n, dx, dy))| {
            let (x, y) = dataset(n, dx, dy, 40 + i as u64);
            if i % 2 == 0 { (rm(&x), rm(&y)) } else { (Data::col_major(&x), Data::col_major(&y)) }
        })
        .collect();
    let xs: Vec<MistMatrix> = data.iter().map(|(x, _)| x.m()).collect();
    let ys: Vec<MistMatrix> = data.iter().map(|(_, y)| y.m()).collect();
    let batch = est.batch(&xs, &ys).unwrap();
    let single: Vec<f64> = data.iter().map(|(x, y)| est.estimate(&x.m(), &y.m()).unwrap()).collect();
    println!("batch {batch:.4?}");
    // Equal up to f32 rounding (ONNX Runtime's kernels depend on the batch size) ...
    for (i, (b, s)) in batch.iter().zip(&single).enumerate() {
        assert!((b - s).abs() <= 1e-6 * s.max(1.0), "dataset {i}: batch {b} vs single {s}");
    }
    // ... and the same batch always gives the same bits.
    let again = est.batch(&xs, &ys).unwrap();
    assert_eq!(
        again.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        batch.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(est.batch(&[], &[]).unwrap(), Vec::<f64>::new());
}

#[test]
fn version_and_status_names() {
    let version = unsafe { CStr::from_ptr(mist_version()) }.to_str().unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/mist.h")).unwrap();
    assert!(header.contains(&format!("#define MIST_VERSION \"{version}\"")));
    let name = |s: c_int| unsafe { CStr::from_ptr(mist_status_name(s)) }.to_str().unwrap().to_string();
    for status in MistStatus::ALL {
        let n = name(status as c_int);
        assert!(
            header.contains(&format!("{n} = {},", status as c_int)),
            "{n} = {} is not in the header",
            status as c_int
        );
    }
    assert_eq!(name(0), "MIST_STATUS_OK");
    assert_eq!(name(99), "MIST_STATUS_PANIC");
    assert_eq!(name(7), "MIST_STATUS_DISCRETE_DATA");
    assert_eq!(name(8), "MIST_STATUS_UNKNOWN");
    assert_eq!(name(-1), "MIST_STATUS_UNKNOWN");
}

#[test]
fn last_error_copy_follows_its_contract() {
    let mut out = UNTOUCHED;
    let status = unsafe { mist_estimate(null(), null(), null(), &mut out) };
    assert_eq!(status, MistStatus::NullPointer);
    let message = last_error();
    let mut needed = 0usize;
    assert_eq!(unsafe { mist_last_error_copy(null_mut(), 0, &mut needed) }, MistStatus::BufferTooSmall);
    assert_eq!(needed, message.len() + 1);
    let mut small = [1 as std::ffi::c_char; 4];
    assert_eq!(unsafe { mist_last_error_copy(small.as_mut_ptr(), 4, null_mut()) }, MistStatus::BufferTooSmall);
    assert_eq!(small, [1; 4], "nothing written on failure");
    let mut buf = vec![1 as std::ffi::c_char; needed];
    assert_eq!(unsafe { mist_last_error_copy(buf.as_mut_ptr(), buf.len(), &mut needed) }, MistStatus::Ok);
    assert_eq!(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap(), message);
    assert_eq!(last_error(), message, "copying does not change the last error");
    // Per thread: another thread has no error.
    std::thread::spawn(|| assert_eq!(last_error(), "")).join().unwrap();
}

#[test]
fn baselines_agree_with_the_rust_estimators() {
    let (x, y) = dataset(400, 2, 1, 77);
    let (xd, yd) = (rm(&x), rm(&y));
    let (mut ksg, mut gauss) = (UNTOUCHED, UNTOUCHED);
    unsafe {
        assert_eq!(mist_ksg(&xd.m(), &yd.m(), 4, &mut ksg), MistStatus::Ok);
        assert_eq!(mist_gaussian(&xd.m(), &yd.m(), &mut gauss), MistStatus::Ok);
    }
    assert_eq!(ksg, Ksg { k: 4 }.estimate(x.view(), y.view()).unwrap());
    assert_eq!(gauss, Gaussian.estimate(x.view(), y.view()).unwrap());
    println!("KSG (k = 4) {ksg:.4}, Gaussian {gauss:.4}");
}

#[test]
fn options_default_values() {
    let o = options();
    assert!(o.model_path.is_null() && o.onnxruntime_path.is_null());
    assert_eq!((o.device, o.device_id, o.cuda_fallback_to_cpu, o.threads, o.seed), (MistDevice::Cpu, 0, false, 0, 0));
}

/// The committed header is exactly what cbindgen generates from src/ffi now (build.rs writes it
/// to OUT_DIR).
#[test]
fn header_is_up_to_date() {
    let generated_path = concat!(env!("OUT_DIR"), "/mist.h");
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/mist.h");
    let generated = std::fs::read_to_string(generated_path)
        .unwrap_or_else(|e| panic!("{generated_path}: {e} (did cbindgen fail? see the build warnings)"));
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    if generated != committed {
        let line = generated.lines().zip(committed.lines()).position(|(a, b)| a != b);
        panic!(
            "include/mist.h differs from the generated header (first difference at line {}); update it with \
             `MIST_UPDATE_HEADER=1 cargo build --release -p mist` or `cp {generated_path} include/mist.h`",
            line.map_or_else(|| "end".to_string(), |l| (l + 1).to_string())
        );
    }
}

/// Each export is declared once, and every one of them is in the header.
#[test]
fn header_declares_each_function_once() {
    let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/mist.h")).unwrap();
    let exports = [
        "mist_options_default",
        "mist_create",
        "mist_free",
        "mist_estimate",
        "mist_quantiles",
        "mist_estimate_with_quantiles",
        "mist_estimate_batch",
        "mist_ksg",
        "mist_gaussian",
        "mist_gcmi",
        "mist_max_dx",
        "mist_max_dy",
        "mist_min_n",
        "mist_max_n",
        "mist_version",
        "mist_status_name",
        "mist_last_error",
        "mist_last_error_copy",
    ];
    let declared: Vec<&str> = header
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with('/') && l.contains("mist_"))
        .filter_map(|l| l.split('(').next()?.rsplit([' ', '*']).next())
        .collect();
    let mut sorted = declared.clone();
    sorted.sort_unstable();
    let mut expected = exports.to_vec();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "declarations: {declared:?}");
}

/// The header is valid C99 and C++ (when a C compiler is installed).
#[test]
fn header_compiles_as_c_and_cpp() {
    let header = concat!(env!("CARGO_MANIFEST_DIR"), "/include/mist.h");
    for (compiler, args) in [("cc", &["-std=c99", "-x", "c"][..]), ("c++", &["-x", "c++"][..])] {
        let Ok(output) = std::process::Command::new(compiler)
            .args(["-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only"])
            .args(args)
            .arg(header)
            .output()
        else {
            println!("{compiler} not found: header not compiled");
            continue;
        };
        assert!(output.status.success(), "{compiler}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

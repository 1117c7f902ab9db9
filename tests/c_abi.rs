//! The C ABI's rules, called directly from Rust as a C program would: row- and column-major views,
//! NULL pointers and every bad input with its status and message, outputs untouched on failure,
//! threads, batches, the version and status names, and the last error.
//!
//! ONNX Runtime is found by the search order (the build tree's vendor copy; run
//! scripts/setup-onnxruntime first). Creating handles is tests/c_create.rs, the model's answers
//! tests/c_model.rs, the header tests/c_header.rs; the case "ONNX Runtime missing" needs a fresh
//! process and lives in tests/c_abi_no_runtime.rs.

mod common;

use common::*;
use mist::ffi::*;
use std::ffi::{CStr, c_int};
use std::ptr::{null, null_mut};
use std::time::Instant;

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
        mist_options_default(null_mut(), size_of::<MistOptions>());
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

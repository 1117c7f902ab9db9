//! `mist_test` and `mist_pairs` through the C ABI: the permutation test's p-value, determinism and
//! refusals for every method; column pairs equal to single calls, with intervals where the model
//! answers.

mod common;

use common::*;
use mist::ffi::*;
use ndarray::{Array2, Axis, concatenate, s};
use std::ptr::{null, null_mut};

const UNSET: MistTestResult = MistTestResult { estimate: UNTOUCHED, p_value: UNTOUCHED, permutations: 0, method: -1 };

fn test(
    h: &Handle,
    x: &Array2<f64>,
    y: &Array2<f64>,
    method: MistMethod,
    permutations: usize,
    seed: u64,
) -> Result<MistTestResult, (MistStatus, String)> {
    let (x, y) = (rm(x), rm(y));
    let mut out = UNSET;
    let status =
        unsafe { mist_test(h.0, &x.m(), &y.m(), null(), null(), method as i32, 0, permutations, seed, &mut out) };
    check(status, &[out.estimate, out.p_value])?;
    Ok(out)
}

#[test]
fn dependent_data_get_the_smallest_p_value_and_independent_data_do_not() {
    let h = default_handle();
    let (x, y) = bivariate_normal(200, 0.6, 1);
    for method in [MistMethod::Model, MistMethod::Ksg, MistMethod::Gaussian, MistMethod::Gcmi, MistMethod::Auto] {
        let r = test(&h, &x, &y, method, 99, 7).unwrap();
        assert_eq!(r.p_value, 0.01, "{method:?}: {r:?}");
        assert_eq!(r.permutations, 99);
        let answered = if method == MistMethod::Auto { MistMethod::Model } else { method };
        assert_eq!(r.method, answered as i32);
    }
    // Independent: X against a shifted copy of another draw.
    let (_, other) = bivariate_normal(200, 0.0, 2);
    let r = test(&h, &x, &other, MistMethod::Model, 99, 7).unwrap();
    assert!(r.p_value > 0.05, "{r:?}");
}

#[test]
fn a_seed_gives_the_same_answer_and_the_estimate_is_the_single_call() {
    let h = default_handle();
    let (x, y) = bivariate_normal(150, 0.1, 3);
    let a = test(&h, &x, &y, MistMethod::Model, 199, 11).unwrap();
    let b = test(&h, &x, &y, MistMethod::Model, 199, 11).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.estimate, h.estimate(&rm(&x).m(), &rm(&y).m()).unwrap());
    // Another seed draws other permutations: the p-value moves by a few counts, not more.
    let c = test(&h, &x, &y, MistMethod::Model, 199, 12).unwrap();
    assert_eq!(c.estimate, a.estimate);
    assert!((c.p_value - a.p_value).abs() < 0.15, "{a:?} {c:?}");
}

#[test]
fn discrete_columns_are_tested_with_their_own_estimators() {
    let h = default_handle();
    let n = 300;
    let class = Array2::from_shape_fn((n, 1), |(i, _)| (i % 3) as f64);
    let (noise, _) = bivariate_normal(n, 0.0, 4);
    let measure = &class + &noise;
    let r = test(&h, &class, &measure, MistMethod::Auto, 49, 1).unwrap();
    assert_eq!((r.method, r.p_value), (MistMethod::Ross as i32, 0.02));
    let labels = Array2::from_shape_fn((n, 1), |(i, _)| ((i / 3) % 4) as f64);
    let r = test(&h, &class, &labels, MistMethod::Auto, 49, 1).unwrap();
    assert_eq!(r.method, MistMethod::Nsb as i32);
    // The model refuses discrete columns in the test as in a single call.
    fails(test(&h, &class, &labels, MistMethod::Model, 49, 1), MistStatus::DiscreteData, &["X[:, 0]"]);
}

#[test]
fn bad_arguments_are_refused_and_nothing_is_written() {
    let h = default_handle();
    let (x, y) = bivariate_normal(100, 0.5, 5);
    fails(test(&h, &x, &y, MistMethod::Model, 0, 1), MistStatus::InvalidArgument, &["permutations", "0"]);
    fails(test(&h, &x, &y, MistMethod::Ksg, usize::MAX, 1), MistStatus::InvalidArgument, &["1 to 10000000"]);
    let (xm, ym) = (rm(&x), rm(&y));
    let mut out = UNSET;
    let status = unsafe { mist_test(h.0, &xm.m(), &ym.m(), null(), null(), 10, 0, 10, 1, &mut out) };
    fails(check(status, &[out.estimate]), MistStatus::InvalidArgument, &["method = 10"]);
    let status = unsafe { mist_test(h.0, &xm.m(), &ym.m(), null(), null(), 0, 0, 10, 1, null_mut()) };
    fails(check(status, &[]), MistStatus::NullPointer, &["out"]);
    let mut nan = x.clone();
    nan[[4, 0]] = f64::NAN;
    fails(test(&h, &nan, &y, MistMethod::Ksg, 10, 1), MistStatus::NonFinite, &["X[4, 0]"]);
}

/// One pair's answer from `mist_pairs`: (mi, q05, q95, method).
type PairRow = (f64, f64, f64, i32);

/// `mist_pairs` on `data`, one row per pair.
fn pairs(
    h: &Handle,
    data: &Array2<f64>,
    list: &[(usize, usize)],
    method: MistMethod,
    interval: bool,
) -> Result<Vec<PairRow>, (MistStatus, String)> {
    let d = Data::col_major(data);
    let flat: Vec<usize> = list.iter().flat_map(|&(i, j)| [i, j]).collect();
    let count = list.len();
    let (mut mi, mut lo, mut hi, mut m) =
        (vec![UNTOUCHED; count], vec![UNTOUCHED; count], vec![UNTOUCHED; count], vec![-1; count]);
    let (plo, phi) = if interval { (lo.as_mut_ptr(), hi.as_mut_ptr()) } else { (null_mut(), null_mut()) };
    let status = unsafe {
        mist_pairs(
            h.0,
            &d.m(),
            null(),
            flat.as_ptr(),
            count,
            method as i32,
            0,
            mi.as_mut_ptr(),
            plo,
            phi,
            m.as_mut_ptr(),
        )
    };
    check(status, &mi)?;
    Ok((0..count).map(|p| (mi[p], lo[p], hi[p], m[p])).collect())
}

#[test]
fn pairs_equal_single_calls_with_intervals_where_the_model_answers() {
    let h = default_handle();
    let (a, b) = dataset(300, 3, 2, 6);
    let class = Array2::from_shape_fn((300, 1), |(i, _)| (i % 2) as f64);
    let data = concatenate![Axis(1), a, b, class];
    let list: Vec<(usize, usize)> = (0..6).flat_map(|i| (i + 1..6).map(move |j| (i, j))).collect();
    let answers = pairs(&h, &data, &list, MistMethod::Auto, true).unwrap();
    let col = |c: usize| rm(&data.slice(s![.., c..c + 1]).to_owned());
    for (&(i, j), &(mi, lo, hi, m)) in list.iter().zip(&answers) {
        if j == 5 {
            assert_eq!(m, MistMethod::Ross as i32);
            assert!(lo.is_nan() && hi.is_nan());
            let mut single = UNTOUCHED;
            let status = unsafe { mist_ross(&col(j).m(), &col(i).m(), 3, &mut single) };
            check(status, &[single]).unwrap();
            assert_eq!(mi, single);
        } else {
            assert_eq!(m, MistMethod::Model as i32);
            let (single, q) = h.both(&col(i).m(), &col(j).m(), &[0.05, 0.95]).unwrap();
            assert!((mi - single).abs() <= 1e-5 * single.abs().max(1.0), "({i}, {j}): {mi} against {single}");
            assert!((lo - q[0]).abs() <= 1e-5 && (hi - q[1]).abs() <= 1e-5, "({i}, {j})");
            assert!(lo <= mi && mi <= hi);
        }
    }
    // KSG for every pair: the single call's bits.
    let ksg = pairs(&h, &data, &list[..3], MistMethod::Ksg, false).unwrap();
    for (&(i, j), &(mi, ..)) in list.iter().zip(&ksg) {
        let mut single = UNTOUCHED;
        check(unsafe { mist_ksg(&col(i).m(), &col(j).m(), 5, &mut single) }, &[single]).unwrap();
        assert_eq!(mi, single);
    }
}

#[test]
fn pairs_refuse_columns_out_of_range_and_half_an_interval() {
    let h = default_handle();
    let (a, _) = dataset(100, 3, 1, 7);
    fails(
        pairs(&h, &a, &[(0, 1), (2, 3)], MistMethod::Model, false),
        MistStatus::InvalidArgument,
        &["pair 1 = (2, 3)", "3 columns"],
    );
    let d = Data::col_major(&a);
    let flat = [0usize, 1];
    let (mut mi, mut lo) = (UNTOUCHED, UNTOUCHED);
    let status =
        unsafe { mist_pairs(h.0, &d.m(), null(), flat.as_ptr(), 1, 0, 0, &mut mi, &mut lo, null_mut(), null_mut()) };
    fails(check(status, &[mi, lo]), MistStatus::InvalidArgument, &["out_q05", "out_q95"]);
    // No pairs: success, nothing written.
    assert!(pairs(&h, &a, &[], MistMethod::Model, true).unwrap().is_empty());
}

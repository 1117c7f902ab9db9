//! The permutation test and column pairs (MI matrices): wall time of what a researcher runs, with
//! the time of one single estimate of the same data beside it (the ratio is what the batching
//! saves); prints Markdown tables.
//!
//! 1. A 199-permutation test (`mist::permutation::Test`) at n = 200 with d = 1 and 4, for the
//!    model, KSG (k = 5) and the Gaussian estimator.
//! 2. An MI matrix of 100 columns × 500 rows (4,950 pairs, `mist::pairs::pairs`), with the model,
//!    with and without its 90% intervals, against 4,950 single calls; and of 20 columns (190 pairs)
//!    with KSG.
//!
//! Run with `cargo bench --bench analysis` (about a minute on two cores).

mod common;
mod timing;

use common::correlated;
use mist::method::Method;
use mist::pairs::pairs;
use mist::permutation::Test;
use mist::runtime::{EstimatorOptions, MistEstimator};
use ndarray::{Array2, s};
use std::hint::black_box;
use timing::{median_ms, seconds};

/// A table of `cols` columns, n rows: column c and column c + cols / 2 correlated ρ = 0.5.
fn table(n: usize, cols: usize) -> Array2<f64> {
    let (x, y) = correlated(n, cols / 2, 11);
    ndarray::concatenate![ndarray::Axis(1), x, y]
}

fn main() {
    let model = MistEstimator::new(EstimatorOptions::default()).expect("the embedded model loads");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{} CPUs, load average {}.\n",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );

    println!("## Permutation test, B = 199, n = 200 (median of 5 runs)\n");
    println!("| method | d | test s | one estimate ms | test / estimate |");
    println!("|---|---:|---:|---:|---:|");
    for (name, method) in
        [("model", Method::Model), ("KSG (k = 5)", Method::Ksg { k: 5 }), ("Gaussian", Method::Gaussian)]
    {
        for d in [1, 4] {
            let (x, y) = correlated(200, d, 3);
            let test = Test { method, permutations: 199, seed: 1 };
            let run = || {
                black_box(test.run(Some(&model), x.view(), y.view(), None, None).expect("valid bench data"));
            };
            let mut times: Vec<f64> = (0..5).map(|_| seconds(run)).collect();
            times.sort_by(f64::total_cmp);
            let test_s = times[2];
            let one = median_ms(|| {
                black_box(method.estimate_many(Some(&model), &[(x.view(), y.view())], &[]).expect("valid bench data"));
            });
            println!("| {name} | {d} | {test_s:.3} | {one:.3} | {:.0} |", test_s * 1000.0 / one);
        }
    }

    println!("\n## MI matrix: every pair of columns, n = 500\n");
    println!("| method | columns | pairs | one call s | pairs/s | single calls s | single / one call |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, method, cols, interval) in [
        ("model", Method::Model, 100, false),
        ("model, 90% intervals", Method::Model, 100, true),
        ("KSG (k = 5)", Method::Ksg { k: 5 }, 20, false),
    ] {
        let data = table(500, cols);
        let list: Vec<(usize, usize)> = (0..cols).flat_map(|i| (i + 1..cols).map(move |j| (i, j))).collect();
        let one = seconds(|| {
            black_box(pairs(Some(&model), data.view(), None, &list, method, interval).expect("valid bench data"));
        });
        let taus: &[f64] = if interval { &[0.05, 0.95] } else { &[] };
        let singles = seconds(|| {
            for &(i, j) in &list {
                let (a, b) = (data.slice(s![.., i..i + 1]), data.slice(s![.., j..j + 1]));
                black_box(method.estimate_many(Some(&model), &[(a, b)], taus).expect("valid bench data"));
            }
        });
        println!(
            "| {name} | {cols} | {} | {one:.2} | {:.0} | {singles:.2} | {:.1} |",
            list.len(),
            list.len() as f64 / one,
            singles / one
        );
    }
}

//! Coverage of the subsampling interval (`mist::baselines::bootstrap_interval`, 50 subsamples,
//! nominal 90%) for the discrete estimators, on data with exact MI: contingency tables drawn from a
//! known joint table, and a 3-class label against Y | C = c ~ N(c, 1) (truth by numerical
//! integration). Prints one table: estimator, setting, datasets, mean estimate, truth, coverage.
//!
//! `cargo run --release --example discrete_coverage`

use mist::baselines::discrete::{Ross, Table, TableMethod};
use mist::baselines::{Estimator, bootstrap_interval};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// `n` rows of (X, Y) drawn from the joint table `p` (`k × k`, row-major): X the row, Y the column.
fn table(p: &[f64], k: usize, n: usize, rng: &mut ChaCha8Rng) -> (Array2<f64>, Array2<f64>) {
    let mut cells = vec![0usize; n];
    for c in &mut cells {
        let (mut u, mut i) = (rng.random::<f64>(), 0);
        while i + 1 < p.len() && u >= p[i] {
            u -= p[i];
            i += 1;
        }
        *c = i;
    }
    (
        Array2::from_shape_fn((n, 1), |(r, _)| (cells[r] / k) as f64),
        Array2::from_shape_fn((n, 1), |(r, _)| (cells[r] % k) as f64),
    )
}

/// The MI of the joint table `p` (`k × k`), nats.
fn table_mi(p: &[f64], k: usize) -> f64 {
    let row = |a: usize| p[a * k..(a + 1) * k].iter().sum::<f64>();
    let col = |b: usize| (0..k).map(|a| p[a * k + b]).sum::<f64>();
    (0..k * k).filter(|&i| p[i] > 0.0).map(|i| p[i] * (p[i] / (row(i / k) * col(i % k))).ln()).sum()
}

/// A `k × k` table with `keep` on the diagonal (shared equally) and the rest spread evenly.
fn diagonal(k: usize, keep: f64) -> Vec<f64> {
    (0..k * k).map(|i| if i / k == i % k { keep / k as f64 } else { (1.0 - keep) / (k * k - k) as f64 }).collect()
}

/// MI of C (3 equally likely classes) and Y | C = c ~ N(c, 1), by the midpoint rule.
fn class_mi() -> f64 {
    let (step, mut h) = (1e-3, 0.0);
    let mut y = -10.0;
    while y < 12.0 {
        let m = y + step / 2.0;
        let p: f64 = (0..3).map(|c| (-(m - c as f64).powi(2) / 2.0).exp()).sum::<f64>()
            / (3.0 * (2.0 * std::f64::consts::PI).sqrt());
        h -= p * p.ln() * step;
        y += step;
    }
    h - 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln()
}

fn main() {
    let datasets = 200;
    println!("| estimator | data | datasets | mean estimate | truth | 90% interval coverage |");
    println!("|---|---|---:|---:|---:|---:|");
    let mut rng = ChaCha8Rng::seed_from_u64(33);
    for (k, keep, n) in [(3, 0.6, 200), (3, 0.6, 1_000), (5, 0.4, 500), (3, 1.0 / 3.0, 300)] {
        let p = diagonal(k, keep);
        let truth = table_mi(&p, k);
        let draws: Vec<_> = (0..datasets).map(|_| table(&p, k, n, &mut rng)).collect();
        for method in [TableMethod::Nsb, TableMethod::Shrink, TableMethod::MillerMadow, TableMethod::Plugin] {
            let est = Table { method };
            report(&est, &format!("{k} × {k} table, n = {n}"), truth, &draws);
        }
    }
    let truth = class_mi();
    let draws: Vec<_> = (0..datasets)
        .map(|_| {
            let c: Vec<usize> = (0..300).map(|_| rng.random_range(0..3)).collect();
            let x = Array2::from_shape_fn((300, 1), |(r, _)| c[r] as f64);
            let y = Array2::from_shape_fn((300, 1), |(r, _)| {
                let e: f64 = StandardNormal.sample(&mut rng);
                c[r] as f64 + e
            });
            (x, y)
        })
        .collect();
    report(&Ross { k: 3 }, "3 classes, Y | c ~ N(c, 1), n = 300", truth, &draws);
}

/// Prints the row of `est` on `draws`, whose MI is `truth`.
fn report(est: &dyn Estimator, data: &str, truth: f64, draws: &[(Array2<f64>, Array2<f64>)]) {
    let (mut sum, mut covered) = (0.0, 0);
    for (i, (x, y)) in draws.iter().enumerate() {
        sum += est.estimate(x.view(), y.view()).expect("valid data");
        let iv = bootstrap_interval(est, x.view(), y.view(), 50, 0.9, i as u64).expect("valid data");
        covered += usize::from(iv.lo <= truth && truth <= iv.hi);
    }
    let count = draws.len();
    println!(
        "| {} | {data} | {count} | {:.4} | {truth:.4} | {:.1}% |",
        est.name(),
        sum / count as f64,
        100.0 * covered as f64 / count as f64
    );
}

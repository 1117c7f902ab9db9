//! Time per estimate of the KSG (k = 5) and Gaussian baselines, and KSG at large n (where its
//! k-d tree search serves dx + dy ≤ 4); prints Markdown tables.
//!
//! Run with `cargo bench --bench baselines` (about 15 s on two cores).

mod common;

use common::{RHO, correlated};
use mist::baselines::{Estimator, Gaussian, Ksg};
use ndarray::Array2;
use std::time::Instant;

/// Median wall time in ms of `reps` estimates.
fn median_ms(est: &dyn Estimator, x: &Array2<f64>, y: &Array2<f64>, reps: usize) -> f64 {
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            let mi = est.estimate(x.view(), y.view()).expect("valid bench data");
            let ms = start.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(mi);
            ms
        })
        .collect();
    times.sort_unstable_by(f64::total_cmp);
    times[reps / 2]
}

fn main() {
    println!(
        "Baselines: median wall time per estimate in ms ({} rayon threads), ratio = KSG / \
         Gaussian. Data: dx = dy = d, corr(X_c, Y_c) = {RHO}, true MI = −(d/2)·ln(1 − ρ²) nats \
         (0.144 nats per coordinate pair).\n",
        rayon::current_num_threads()
    );
    println!("| n | d | KSG ms | Gaussian ms | ratio |");
    println!("|---:|---:|---:|---:|---:|");
    for n in [100, 500, 5000] {
        for d in [1, 2, 16] {
            let (x, y) = correlated(n, d, 7);
            let reps = if n >= 5000 { 3 } else { 11 };
            let ksg = median_ms(&Ksg::default(), &x, &y, reps);
            let gauss = median_ms(&Gaussian, &x, &y, reps);
            println!("| {n} | {d} | {ksg:.3} | {gauss:.3} | {:.0} |", ksg / gauss);
        }
    }

    println!("\n## KSG at scale (k = 5; dx = dy = d)\n");
    println!("| n | d | search | KSG ms | estimate (nats) | truth (nats) |");
    println!("|---:|---:|---|---:|---:|---:|");
    for n in [10_000, 100_000] {
        for d in [1, 2] {
            let (x, y) = correlated(n, d, 8);
            let reps = if n >= 100_000 { 1 } else { 3 };
            let ms = median_ms(&Ksg::default(), &x, &y, reps);
            let mi = Ksg::default().estimate(x.view(), y.view()).expect("valid bench data");
            let truth = -(d as f64 / 2.0) * (1.0 - RHO * RHO).ln();
            println!("| {n} | {d} | k-d tree | {ms:.0} | {mi:.4} | {truth:.4} |");
        }
    }
}

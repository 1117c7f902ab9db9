//! Time per estimate of the KSG (k = 5) and Gaussian baselines, and KSG at large n (where its
//! k-d tree search serves dx + dy ≤ 8); prints Markdown tables.
//!
//! Run with `cargo bench --bench baselines` (about 15 s on two cores).

mod common;
mod timing;

use common::{RHO, correlated};
use mist::baselines::{Estimator, Gaussian, Ksg};
use ndarray::Array2;
use timing::median_ms;

/// Median wall time in ms of repeated estimates ([`median_ms`]).
fn median_estimate_ms(est: &dyn Estimator, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    median_ms(|| {
        std::hint::black_box(est.estimate(x.view(), y.view()).expect("valid bench data"));
    })
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
            let ksg = median_estimate_ms(&Ksg::default(), &x, &y);
            let gauss = median_estimate_ms(&Gaussian, &x, &y);
            println!("| {n} | {d} | {ksg:.3} | {gauss:.3} | {:.0} |", ksg / gauss);
        }
    }

    println!("\n## KSG at scale (k = 5; dx = dy = d)\n");
    println!("| n | d | search | KSG ms | estimate (nats) | truth (nats) |");
    println!("|---:|---:|---|---:|---:|---:|");
    for (n, d) in [(10_000, 1), (10_000, 2), (10_000, 4), (100_000, 1), (100_000, 2)] {
        let (x, y) = correlated(n, d, 8);
        let ms = median_estimate_ms(&Ksg::default(), &x, &y);
        let mi = Ksg::default().estimate(x.view(), y.view()).expect("valid bench data");
        let truth = -(d as f64 / 2.0) * (1.0 - RHO * RHO).ln();
        println!("| {n} | {d} | k-d tree | {ms:.0} | {mi:.4} | {truth:.4} |");
    }
}

//! Time per estimate of the KSG (k = 5) and Gaussian baselines, KSG at large n (where its k-d
//! tree search serves dx + dy ≤ 8), and the contingency-table estimators, NSB against the plug-in
//! (NSB integrates over a grid of priors: its cost grows with the distinct cell counts); prints
//! Markdown tables.
//!
//! Run with `cargo bench --bench baselines` (about 15 s on two cores).

mod common;
mod timing;

use common::{RHO, correlated};
use mist::baselines::discrete::{Table, TableMethod};
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

    println!("\n## Contingency tables: X a class of k levels, Y = X or another level with probability 0.3\n");
    println!("| n | levels a side | plug-in ms | NSB ms | NSB / plug-in |");
    println!("|---:|---:|---:|---:|---:|");
    for (n, levels) in [(1_000, 5), (10_000, 20), (100_000, 20), (100_000, 100_000)] {
        let x = Array2::from_shape_fn((n, 1), |(r, _)| (r % levels) as f64);
        // A fixed, deterministic scramble: y equals x on 7 rows of 10.
        let y =
            Array2::from_shape_fn(
                (n, 1),
                |(r, _)| if r % 10 < 7 { (r % levels) as f64 } else { ((r * 7_919) % levels) as f64 },
            );
        let plugin = median_estimate_ms(&Table { method: TableMethod::Plugin }, &x, &y);
        let nsb = median_estimate_ms(&Table { method: TableMethod::Nsb }, &x, &y);
        println!("| {n} | {levels} | {plugin:.2} | {nsb:.2} | {:.1} |", nsb / plugin);
    }
}

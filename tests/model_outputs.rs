//! The embedded model's outputs, pinned bit for bit: estimates, quantiles, batches and chunked
//! large datasets on fixed seeded data, written with Rust's shortest round-trip formatting (two values
//! print alike only if their bits are equal). A refactor of preprocessing, summary features,
//! chunking or the ONNX contract that changes any output fails here; a deliberate change (a new
//! model) updates the snapshot with `cargo insta review`.

use mist::runtime::{EstimatorOptions, MistEstimator};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::fmt::Write;

/// X with `dx` standard normal columns; Y's columns mix X's first column with noise (`rho`), the
/// last one through `exp` so that the data are not Gaussian. Values are rounded to `round` decimals
/// (ties) when given.
fn dataset(n: usize, dx: usize, dy: usize, rho: f64, seed: u64, round: Option<i32>) -> (Array2<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draw = || -> f64 { StandardNormal.sample(&mut rng) };
    let x = Array2::from_shape_fn((n, dx), |_| draw());
    let mut y = Array2::from_shape_fn((n, dy), |(r, c)| {
        let v = rho * x[[r, 0]] + (1.0 - rho * rho).sqrt() * draw();
        if c + 1 == dy && dy > 1 { v.exp() } else { v }
    });
    if let Some(decimals) = round {
        let scale = 10f64.powi(decimals);
        y.mapv_inplace(|v| (v * scale).round() / scale);
    }
    (x, y)
}

/// The cases: every n regime (below the summary gate, small, at `max_n`, chunked), 1-D to 8-D, a
/// few ties (broken at random), a constant column.
fn cases() -> Vec<(String, Array2<f64>, Array2<f64>)> {
    let mut out = Vec::new();
    for (n, dx, dy, rho, seed) in [
        (10, 1, 1, 0.9, 1),
        (20, 4, 4, 0.6, 2),
        (64, 2, 3, 0.75, 3),
        (200, 1, 1, 0.3, 4),
        (500, 8, 8, 0.8, 5),
        (1_234, 2, 2, 0.5, 6),
        (4_100, 3, 1, 0.7, 7),
    ] {
        let (x, y) = dataset(n, dx, dy, rho, seed, None);
        out.push((format!("n={n} dx={dx} dy={dy} rho={rho}"), x, y));
    }
    let (x, y) = dataset(300, 2, 1, 0.6, 8, Some(2));
    out.push(("n=300 dx=2 dy=1 rho=0.6, y rounded to 0.01 (ties)".into(), x, y));
    let (x, mut y) = dataset(150, 1, 3, 0.8, 9, None);
    y.column_mut(1).fill(2.5);
    out.push(("n=150 dx=1 dy=3 rho=0.8, a constant y column".into(), x, y));
    out
}

#[test]
fn default_model_outputs_are_pinned() {
    let estimator = MistEstimator::new(EstimatorOptions { threads: 2, seed: 11, ..Default::default() }).unwrap();
    let cases = cases();
    let taus = [0.05, 0.25, 0.5, 0.75, 0.95];
    let mut report = String::new();
    for (name, x, y) in &cases {
        let point = estimator.estimate(x.view(), y.view()).unwrap();
        let quantiles = estimator.quantiles(x.view(), y.view(), &taus).unwrap();
        let (both, both_q) = estimator.estimate_with_quantiles(x.view(), y.view(), &taus).unwrap();
        assert_eq!((point, &quantiles), (both, &both_q), "{name}: one run and two runs disagree");
        writeln!(report, "{name}\n  {point:?} nats, quantiles {quantiles:?}").unwrap();
    }
    let views: Vec<_> = cases.iter().map(|(_, x, y)| (x.view(), y.view())).collect();
    let batch = estimator.estimate_batch(&views).unwrap();
    writeln!(report, "batch of all cases: {batch:?}").unwrap();
    insta::assert_snapshot!(report);
}

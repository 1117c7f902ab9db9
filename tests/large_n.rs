//! The embedded model on large datasets, where its large-n head answers (docs/onnx-contract.md):
//! correlated Gaussians with 10⁵ rows, whose MI is known exactly, constant columns and two threads.

use mist::runtime::{EstimatorOptions, MistEstimator};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// X ~ N(0, I₂) and Y = ρ X + √(1 − ρ²) ε coordinate by coordinate, so I(X; Y) = −ln(1 − ρ²) nats;
/// ρ is chosen for `mi`.
fn gaussians(n: usize, mi: f64, seed: u64) -> (Array2<f64>, Array2<f64>) {
    let rho = (1.0 - (-mi).exp()).sqrt();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut draw = || -> f64 { StandardNormal.sample(&mut rng) };
    let x = Array2::from_shape_fn((n, 2), |_| draw());
    let y = Array2::from_shape_fn((n, 2), |(r, c)| rho * x[[r, c]] + (1.0 - rho * rho).sqrt() * draw());
    (x, y)
}

#[test]
fn correlated_gaussians_with_1e5_rows_are_within_0_03_nats() {
    let estimator = MistEstimator::new(EstimatorOptions::default()).expect("the embedded model loads");
    assert!(estimator.info().head_train.is_some(), "the embedded model has a large-n head");
    let mut report = Vec::new();
    for (i, mi) in [0.05, 0.1, 0.29, 0.5, 1.0, 1.5, 2.0].into_iter().enumerate() {
        let (x, y) = gaussians(100_000, mi, i as u64);
        let (estimate, q) = estimator.estimate_with_quantiles(x.view(), y.view(), &[0.05, 0.95]).unwrap();
        report.push(format!("truth {mi}: estimate {estimate:.4}, 90% interval [{:.4}, {:.4}] nats", q[0], q[1]));
        assert!((estimate - mi).abs() <= 0.03, "{}", report.join("\n"));
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn the_head_leaves_out_constant_columns_and_gives_the_same_bits_from_two_threads() {
    let estimator = MistEstimator::new(EstimatorOptions::default()).expect("the embedded model loads");
    let (x, y) = gaussians(3_000, 0.5, 9);
    let alone = estimator.estimate_with_quantiles(x.view(), y.view(), &[0.05, 0.95]).unwrap();
    // A constant column in X changes nothing; a Y with no varying column has MI 0.
    let mut with_constant = Array2::from_elem((3_000, 3), 7.0);
    with_constant.slice_mut(ndarray::s![.., ..2]).assign(&x);
    assert_eq!(estimator.estimate_with_quantiles(with_constant.view(), y.view(), &[0.05, 0.95]).unwrap(), alone);
    let flat = Array2::from_elem((3_000, 2), 1.0);
    assert_eq!(estimator.estimate(x.view(), flat.view()).unwrap(), 0.0);
    // Two threads at once: each gets the bits of the call alone.
    std::thread::scope(|s| {
        let calls: Vec<_> =
            (0..2).map(|_| s.spawn(|| estimator.estimate_with_quantiles(x.view(), y.view(), &[0.05, 0.95]))).collect();
        for call in calls {
            assert_eq!(call.join().unwrap().unwrap(), alone);
        }
    });
}

//! Data shared by the benchmarks.

use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
/// Correlation between X column c and Y column c.
pub const RHO: f64 = 0.5;

/// n rows of X, Y (d columns each) with Y_c = ρ X_c + √(1 − ρ²) noise.
pub fn correlated(n: usize, d: usize, seed: u64) -> (Array2<f64>, Array2<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_simple_fn((n, d), || rng.sample(StandardNormal));
    let noise = Array2::from_shape_simple_fn((n, d), || rng.sample::<f64, _>(StandardNormal));
    let y = &x * RHO + noise * (1.0 - RHO * RHO).sqrt();
    (x, y)
}

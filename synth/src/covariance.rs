//! Correlation structures of the Gaussian and Student-t families, and Gaussian MI by log-dets.

use nalgebra::DMatrix;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::fmt;

/// How the (dx + dy) × (dx + dy) correlation matrix of `Z = (X, Y)` is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Structure {
    /// `Σ = (1 − c) I + c 11ᵀ`, `c ~ U(0, 0.5)`.
    Dense,
    /// `K ~ U{1..min(dx, dy)}` pairs with `corr(X_i, Y_i) = s²/(1 + s²)`, `s ~ U(0.1, 5)`.
    Sparse,
    /// Sparse with exactly two interacting pairs (needs `min(dx, dy) ≥ 2`).
    TwoPair,
    /// Latent-variable model (shared, block and pairwise latents), rescaled to a correlation.
    Lvm,
    /// `W Wᵀ + I` with `W` of random rank, rescaled to a correlation.
    Random,
}

impl Structure {
    /// Every structure, in a fixed order.
    pub const ALL: [Structure; 5] =
        [Structure::Dense, Structure::Sparse, Structure::TwoPair, Structure::Lvm, Structure::Random];

    /// Smallest `min(dx, dy)` the structure can be built for.
    pub fn min_dim(self) -> usize {
        match self {
            Structure::TwoPair => 2,
            _ => 1,
        }
    }

    /// Draws a correlation matrix for `m = dx`, `k = dy`, with a short description of its parameters.
    pub fn draw(self, m: usize, k: usize, rng: &mut ChaCha8Rng) -> (DMatrix<f64>, String) {
        let d = m + k;
        match self {
            Structure::Dense => {
                let c = rng.random_range(0.0..0.5);
                let sigma = DMatrix::from_fn(d, d, |i, j| if i == j { 1.0 } else { c });
                (sigma, format!("c = {c:.3}"))
            }
            Structure::Sparse | Structure::TwoPair => {
                let pairs = if self == Structure::TwoPair { 2 } else { rng.random_range(1..=m.min(k)) };
                let s: f64 = rng.random_range(0.1..5.0);
                let rho = s * s / (1.0 + s * s);
                let mut sigma = DMatrix::identity(d, d);
                for i in 0..pairs {
                    sigma[(i, m + i)] = rho;
                    sigma[(m + i, i)] = rho;
                }
                (sigma, format!("K = {pairs}, s = {s:.3}"))
            }
            Structure::Lvm => lvm(m, k, rng),
            Structure::Random => {
                let rank = rng.random_range(1..=d);
                let scale: f64 = rng.random_range(0.2..1.5) / (rank as f64).sqrt();
                let w = DMatrix::from_fn(d, rank, |_, _| scale * rng.sample::<f64, _>(StandardNormal));
                let cov = &w * w.transpose() + DMatrix::identity(d, d);
                (to_correlation(&cov), format!("rank = {rank}, scale = {scale:.3}"))
            }
        }
    }
}

impl fmt::Display for Structure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Structure::Dense => "dense",
            Structure::Sparse => "sparse",
            Structure::TwoPair => "2pair",
            Structure::Lvm => "lvm",
            Structure::Random => "random",
        })
    }
}

/// The latent-variable covariance of `docs/meta-dataset.md`, rescaled to a correlation matrix.
fn lvm(m: usize, k: usize, rng: &mut ChaCha8Rng) -> (DMatrix<f64>, String) {
    let d = m + k;
    let pairs = rng.random_range(1..=m.min(k));
    let alpha: f64 = rng.random_range(0.0..1.0);
    let beta: f64 = rng.random_range(0.0..1.5);
    let lambda: f64 = rng.random_range(0.1..3.0);
    let eta: f64 = rng.random_range(0.1..5.0);
    let epsilon = 1.0;
    let in_x = |i: usize| i < m;
    // Index of the coordinate inside its own block.
    let local = |i: usize| if i < m { i } else { i - m };
    let cov = DMatrix::from_fn(d, d, |i, j| {
        let mut c = alpha * alpha;
        if in_x(i) == in_x(j) {
            c += beta * beta;
        }
        if i == j {
            c += epsilon * epsilon;
            if local(i) >= pairs {
                c += eta * eta;
            }
        }
        if local(i) == local(j) && local(i) < pairs {
            c += lambda * lambda;
        }
        c
    });
    let desc = format!("K = {pairs}, α = {alpha:.3}, β = {beta:.3}, λ = {lambda:.3}, η = {eta:.3}");
    (to_correlation(&cov), desc)
}

/// Rescales a covariance matrix to unit diagonal.
fn to_correlation(cov: &DMatrix<f64>) -> DMatrix<f64> {
    let s: Vec<f64> = cov.diagonal().iter().map(|v| v.sqrt()).collect();
    DMatrix::from_fn(cov.nrows(), cov.ncols(), |i, j| cov[(i, j)] / (s[i] * s[j]))
}

/// Log-determinant of a symmetric positive-definite matrix via Cholesky.
///
/// Panics if `a` is not positive definite: every structure above produces SPD matrices.
fn ln_det(a: DMatrix<f64>) -> f64 {
    let chol = a.cholesky().expect("covariance must be positive definite");
    2.0 * chol.l_dirty().diagonal().iter().map(|v| v.ln()).sum::<f64>()
}

/// `I(X; Y) = ½ [ln det Σxx + ln det Σyy − ln det Σ]` in nats for a Gaussian with covariance `sigma`,
/// whose first `m` coordinates are X.
pub fn gaussian_mi(sigma: &DMatrix<f64>, m: usize) -> f64 {
    let d = sigma.nrows();
    let sxx = sigma.view((0, 0), (m, m)).into_owned();
    let syy = sigma.view((m, m), (d - m, d - m)).into_owned();
    0.5 * (ln_det(sxx) + ln_det(syy) - ln_det(sigma.clone()))
}

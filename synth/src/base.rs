//! Base joint distributions of `(X, Y)` with closed-form MI: Gaussian, Student-t, additive noise.

use super::covariance::{Structure, gaussian_mi};
use nalgebra::DMatrix;
use ndarray::{Array2, s};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{ChiSquared, Distribution, StandardNormal};
use statrs::function::gamma::{digamma, ln_gamma};

/// MI of a multivariate Student-t minus that of the Gaussian with the same dispersion, in nats.
///
/// `ν` degrees of freedom, `m = dx`, `k = dy`; the formula of `docs/meta-dataset.md`.
pub fn student_t_correction(nu: f64, m: usize, k: usize) -> f64 {
    let (m, k) = (m as f64, k as f64);
    let h = |a: f64| a / 2.0;
    ln_gamma(h(nu)) + ln_gamma(h(nu + m + k)) - ln_gamma(h(nu + m)) - ln_gamma(h(nu + k))
        + h(nu + m) * digamma(h(nu + m))
        + h(nu + k) * digamma(h(nu + k))
        - h(nu + m + k) * digamma(h(nu + m + k))
        - h(nu) * digamma(h(nu))
}

/// MI in nats of one coordinate of `Y = X + U(−ε, ε)` with `X ~ U(0, 1)`.
pub fn additive_noise_mi(eps: f64) -> f64 {
    if eps <= 0.5 { eps - (2.0 * eps).ln() } else { 1.0 / (4.0 * eps) }
}

/// One drawn base distribution, ready to sample rows from.
#[derive(Debug, Clone)]
pub enum BaseDist {
    /// `Z ~ N(0, Σ)`; the first `m` coordinates are X.
    Gaussian { sigma: DMatrix<f64>, m: usize },
    /// `Z = G / sqrt(χ²_ν / ν)` with `G ~ N(0, Σ)`.
    StudentT { sigma: DMatrix<f64>, m: usize, nu: f64 },
    /// `X_j ~ U(0, 1)`, `Y_j = X_j + U(−ε_j, ε_j)`.
    AdditiveNoise { eps: Vec<f64> },
}

impl BaseDist {
    /// Draws a Gaussian with the given correlation structure.
    pub fn gaussian(structure: Structure, m: usize, k: usize, rng: &mut ChaCha8Rng) -> (Self, String) {
        let (sigma, desc) = structure.draw(m, k, rng);
        (BaseDist::Gaussian { sigma, m }, desc)
    }

    /// Draws a Student-t with the given dispersion structure and `ν ~ U(1, 10)`.
    pub fn student_t(structure: Structure, m: usize, k: usize, rng: &mut ChaCha8Rng) -> (Self, String) {
        let (sigma, desc) = structure.draw(m, k, rng);
        let nu = rng.random_range(1.0..10.0);
        (BaseDist::StudentT { sigma, m, nu }, format!("{desc}, ν = {nu:.3}"))
    }

    /// Draws additive uniform noise on `d` coordinates with `ε_j ~ U(0.1, 2)`.
    pub fn additive_noise(d: usize, rng: &mut ChaCha8Rng) -> (Self, String) {
        let eps: Vec<f64> = (0..d).map(|_| rng.random_range(0.1..2.0)).collect();
        let desc = format!("ε = [{}]", eps.iter().map(|e| format!("{e:.3}")).collect::<Vec<_>>().join(", "));
        (BaseDist::AdditiveNoise { eps }, desc)
    }

    /// `(dx, dy)` of the distribution.
    pub fn dims(&self) -> (usize, usize) {
        match self {
            BaseDist::Gaussian { sigma, m } | BaseDist::StudentT { sigma, m, .. } => (*m, sigma.nrows() - m),
            BaseDist::AdditiveNoise { eps } => (eps.len(), eps.len()),
        }
    }

    /// The exact `I(X; Y)` in nats.
    pub fn mi(&self) -> f64 {
        match self {
            BaseDist::Gaussian { sigma, m } => gaussian_mi(sigma, *m),
            BaseDist::StudentT { sigma, m, nu } => {
                gaussian_mi(sigma, *m) + student_t_correction(*nu, *m, sigma.nrows() - m)
            }
            BaseDist::AdditiveNoise { eps } => eps.iter().map(|&e| additive_noise_mi(e)).sum(),
        }
    }

    /// Samples `n` rows, returning `(X, Y)`.
    pub fn sample(&self, n: usize, rng: &mut ChaCha8Rng) -> (Array2<f64>, Array2<f64>) {
        let (dx, dy) = self.dims();
        let mut z = Array2::<f64>::zeros((n, dx + dy));
        match self {
            BaseDist::Gaussian { sigma, .. } | BaseDist::StudentT { sigma, .. } => {
                let chol = sigma.clone().cholesky().expect("dispersion must be positive definite");
                let l = chol.l();
                let chi = match self {
                    BaseDist::StudentT { nu, .. } => Some((*nu, ChiSquared::new(*nu).expect("ν > 0"))),
                    _ => None,
                };
                let d = dx + dy;
                let mut g = vec![0.0; d];
                for mut row in z.rows_mut() {
                    g.iter_mut().for_each(|v| *v = rng.sample(StandardNormal));
                    let scale = chi.as_ref().map_or(1.0, |(nu, c)| 1.0 / (c.sample(rng) / nu).sqrt());
                    for i in 0..d {
                        row[i] = scale * (0..=i).map(|j| l[(i, j)] * g[j]).sum::<f64>();
                    }
                }
            }
            BaseDist::AdditiveNoise { eps } => {
                for mut row in z.rows_mut() {
                    for (j, &e) in eps.iter().enumerate() {
                        let x: f64 = rng.random_range(0.0..1.0);
                        row[j] = x;
                        row[dx + j] = x + rng.random_range(-e..e);
                    }
                }
            }
        }
        (z.slice(s![.., ..dx]).to_owned(), z.slice(s![.., dx..]).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn student_t_correction_matches_sanity_values() {
        assert!((student_t_correction(1.0, 1, 1) - 0.2242).abs() < 1e-4);
        assert!((student_t_correction(1.0, 2, 2) - 0.4319).abs() < 1e-4);
        // The correction vanishes as ν grows (the Gaussian limit).
        assert!(student_t_correction(1e6, 3, 2).abs() < 1e-4);
    }

    #[test]
    fn additive_noise_matches_sanity_values() {
        assert!((additive_noise_mi(0.1) - 1.7094).abs() < 1e-4);
        assert!((additive_noise_mi(0.75) - 0.3333).abs() < 1e-4);
        // Both branches agree at ε = ½.
        assert!((additive_noise_mi(0.5) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn gaussian_sample_covariance_matches_sigma() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for s in Structure::ALL {
            let (dist, _) = BaseDist::gaussian(s, 3, 2, &mut rng);
            let BaseDist::Gaussian { sigma, .. } = &dist else { unreachable!() };
            let n = 200_000;
            let (x, y) = dist.sample(n, &mut rng);
            let z = ndarray::concatenate(ndarray::Axis(1), &[x.view(), y.view()]).unwrap();
            let cov = z.t().dot(&z) / n as f64;
            let worst =
                (0..5).flat_map(|i| (0..5).map(move |j| (i, j))).map(|(i, j)| (cov[(i, j)] - sigma[(i, j)]).abs());
            let worst = worst.fold(0.0, f64::max);
            assert!(worst < 0.015, "{s}: sample covariance off by {worst}");
        }
    }

    #[test]
    fn student_t_marginal_tails_match_nu() {
        use statrs::distribution::{ContinuousCDF, StudentsT};
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for nu in [1.5, 3.0, 8.0] {
            let dist = BaseDist::StudentT { sigma: DMatrix::identity(2, 2), m: 1, nu };
            let n = 200_000;
            let (x, _) = dist.sample(n, &mut rng);
            let t = StudentsT::new(0.0, 1.0, nu).unwrap();
            for p in [0.9, 0.99, 0.999] {
                let q = t.inverse_cdf(p);
                let frac = x.iter().filter(|&&v| v > q).count() as f64 / n as f64;
                let se = ((1.0 - p) * p / n as f64).sqrt();
                assert!((frac - (1.0 - p)).abs() < 5.0 * se, "ν = {nu}, p = {p}: tail {frac}");
                // A Gaussian would have a much thinner tail at the t quantile.
                if nu < 3.5 && p == 0.999 {
                    assert!(frac > 5.0 * (0.5 * statrs::function::erf::erfc(q / 2f64.sqrt())));
                }
            }
        }
    }
}

//! The everyday families: what a statistician tries in the first hour, each with its exact MI.
//!
//! - [`Everyday::Independent`]: X and Y independent, every column with its own marginal (normal,
//!   Student-t with ν = 2, log-normal, exponential, uniform): MI = 0.
//! - [`Everyday::DenseGaussian`] and [`Everyday::DenseStudent`]: weak dependence spread over many
//!   coordinates, dx = dy = d, coordinate pair i correlated ρ (one ρ per dataset, log-uniform in
//!   [0.05, 0.5], a random sign per pair), as a Gaussian or a Student-t copula (ν uniform in
//!   [2, 8]: its shared scale adds dependence no correlation shows); half the datasets get a
//!   monotone map on each column.
//! - [`Everyday::Rounded`]: measurements rounded to a grid, d = 1 to 4 per side, coordinate pair i
//!   correlated ρᵢ uniform in [0, 0.9] (normal, or Student-t with ν in [3, 10] in half the
//!   datasets), each column rounded to `step` times its standard deviation at a random offset.
//!   The truth is the MI of the continuous data before rounding.

use super::base::{BaseDist, student_t_correction};
use super::covariance::gaussian_mi;
use nalgebra::DMatrix;
use ndarray::Array2;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, StandardNormal, StudentT};
use std::fmt;

/// Largest dx and dy of the everyday families.
pub const MAX_EVERYDAY_DIM: usize = 16;

/// Largest d of the rounded family.
pub const MAX_ROUNDED_DIM: usize = 4;

/// Rounding steps of the rounded family, in thousandths of a standard deviation.
pub const ROUNDING_STEPS: [u16; 5] = [20, 50, 100, 250, 500];

/// One everyday family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Everyday {
    /// Independent X and Y with assorted marginals.
    Independent,
    /// Weak dense dependence through a Gaussian copula.
    DenseGaussian,
    /// Weak dense dependence through a Student-t copula.
    DenseStudent,
    /// Correlated measurements rounded to `step_milli / 1000` standard deviations.
    Rounded {
        /// The rounding step in thousandths of a standard deviation.
        step_milli: u16,
    },
}

impl Everyday {
    /// The rounding step in standard deviations (`None` for the unrounded families).
    pub fn step(self) -> Option<f64> {
        match self {
            Everyday::Rounded { step_milli } => Some(f64::from(step_milli) / 1000.0),
            _ => None,
        }
    }

    /// Whether the family needs dx = dy (the coordinate-pair families).
    pub fn needs_equal_dims(self) -> bool {
        !matches!(self, Everyday::Independent)
    }

    /// Largest dx and dy.
    pub fn max_dim(self) -> usize {
        if self.step().is_some() { MAX_ROUNDED_DIM } else { MAX_EVERYDAY_DIM }
    }
}

impl fmt::Display for Everyday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Everyday::Independent => f.write_str("independent"),
            Everyday::DenseGaussian => f.write_str("weak-dense gaussian"),
            Everyday::DenseStudent => f.write_str("weak-dense student"),
            Everyday::Rounded { step_milli } => write!(f, "rounded {}sd", f64::from(*step_milli) / 1000.0),
        }
    }
}

/// Draws `n` rows of `family` with `dx` and `dy` columns; returns `(x, y, mi, parameters)`.
pub fn draw(
    family: Everyday,
    n: usize,
    dx: usize,
    dy: usize,
    rng: &mut ChaCha8Rng,
) -> (Array2<f64>, Array2<f64>, f64, String) {
    match family {
        Everyday::Independent => {
            let (x, kx) = independent_columns(n, dx, rng);
            let (y, ky) = independent_columns(n, dy, rng);
            (x, y, 0.0, format!("marginals X [{kx}], Y [{ky}]"))
        }
        Everyday::DenseGaussian | Everyday::DenseStudent => {
            let rho = (rng.random_range(0.05f64.ln()..0.5f64.ln())).exp();
            let rhos: Vec<f64> = (0..dx).map(|_| if rng.random_bool(0.5) { rho } else { -rho }).collect();
            let student = (family == Everyday::DenseStudent).then(|| rng.random_range(2.0..8.0));
            let (dist, mi) = paired(&rhos, student);
            let (mut x, mut y) = dist.sample(n, rng);
            let mapped = rng.random_bool(0.5);
            if mapped {
                monotone_maps(&mut x, rng);
                monotone_maps(&mut y, rng);
            }
            let nu = student.map_or(String::new(), |nu| format!(", ν = {nu:.2}"));
            (x, y, mi, format!("ρ = {rho:.3}{nu}, monotone maps: {mapped}"))
        }
        Everyday::Rounded { .. } => {
            let rhos: Vec<f64> = (0..dx).map(|_| rng.random_range(0.0..0.9)).collect();
            let student = rng.random_bool(0.5).then(|| rng.random_range(3.0..10.0));
            let (dist, mi) = paired(&rhos, student);
            let (mut x, mut y) = dist.sample(n, rng);
            // A Student-t's standard deviation is √(ν / (ν − 2)) times its scale.
            let sd = student.map_or(1.0, |nu| (nu / (nu - 2.0)).sqrt());
            let step = family.step().expect("rounded") * sd;
            round(&mut x, step, rng);
            round(&mut y, step, rng);
            let rhos: Vec<String> = rhos.iter().map(|r| format!("{r:.2}")).collect();
            let nu = student.map_or(String::new(), |nu| format!(", ν = {nu:.2}"));
            (x, y, mi, format!("ρ = [{}]{nu}", rhos.join(", ")))
        }
    }
}

/// The Gaussian (or, with `Some(ν)`, Student-t) distribution of `d = rhos.len()` coordinate pairs,
/// pair i correlated `rhos[i]`, and its MI.
fn paired(rhos: &[f64], student: Option<f64>) -> (BaseDist, f64) {
    let d = rhos.len();
    let mut sigma = DMatrix::identity(2 * d, 2 * d);
    for (i, &r) in rhos.iter().enumerate() {
        sigma[(i, d + i)] = r;
        sigma[(d + i, i)] = r;
    }
    let gaussian = gaussian_mi(&sigma, d);
    match student {
        None => (BaseDist::Gaussian { sigma, m: d }, gaussian),
        Some(nu) => (BaseDist::StudentT { sigma, m: d, nu }, gaussian + student_t_correction(nu, d, d)),
    }
}

/// `n × d` independent columns, each of a marginal drawn from five, and their names.
fn independent_columns(n: usize, d: usize, rng: &mut ChaCha8Rng) -> (Array2<f64>, String) {
    let mut out = Array2::zeros((n, d));
    let mut names = Vec::with_capacity(d);
    let t2 = StudentT::new(2.0).expect("ν = 2 is valid");
    for mut column in out.columns_mut() {
        let kind = rng.random_range(0..5);
        names.push(["normal", "t2", "lognormal", "exponential", "uniform"][kind]);
        for v in column.iter_mut() {
            *v = match kind {
                0 => rng.sample(StandardNormal),
                1 => t2.sample(rng),
                2 => rng.sample::<f64, _>(StandardNormal).exp(),
                3 => rng.sample(Exp1),
                _ => rng.random_range(0.0..1.0),
            };
        }
    }
    (out, names.join(", "))
}

/// Applies a monotone map drawn per column (exp, cube, logistic or none): MI is unchanged.
fn monotone_maps(m: &mut Array2<f64>, rng: &mut ChaCha8Rng) {
    for mut column in m.columns_mut() {
        let f: fn(f64) -> f64 = match rng.random_range(0..4) {
            0 => f64::exp,
            1 => |t| t * t * t,
            2 => |t| 1.0 / (1.0 + (-t).exp()),
            _ => |t| t,
        };
        column.mapv_inplace(f);
    }
}

/// Rounds every column to multiples of `step` shifted by a random offset per column.
fn round(m: &mut Array2<f64>, step: f64, rng: &mut ChaCha8Rng) {
    for mut column in m.columns_mut() {
        let offset = rng.random_range(0.0..1.0);
        column.mapv_inplace(|v| ((v / step + offset).round() - offset) * step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn dense_mi_is_the_sum_over_pairs_and_rounding_keeps_a_grid() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (x, y, mi, _) = draw(Everyday::DenseGaussian, 100, 4, 4, &mut rng);
        assert_eq!((x.dim(), y.dim()), ((100, 4), (100, 4)));
        assert!(
            mi > 4.0 * -0.5 * (1.0f64 - 0.05 * 0.05).ln() - 1e-12 && mi < 4.0 * -0.5 * (1.0f64 - 0.25).ln() + 1e-12
        );
        let (x, _, mi, _) = draw(Everyday::Rounded { step_milli: 500 }, 2_000, 1, 1, &mut rng);
        assert!(mi >= 0.0 && mi < -0.5 * (1.0f64 - 0.81).ln() + 1e-12);
        let mut levels: Vec<f64> = x.column(0).to_vec();
        levels.sort_by(f64::total_cmp);
        levels.dedup();
        assert!(levels.len() < 60, "{} levels at half a standard deviation", levels.len());
        let (_, _, mi, _) = draw(Everyday::Independent, 10, 3, 2, &mut rng);
        assert_eq!(mi, 0.0);
    }

    #[test]
    fn the_student_copula_carries_more_than_its_correlations() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let (_, with_t) = paired(&[0.1; 8], Some(3.0));
        let (_, gaussian) = paired(&[0.1; 8], None);
        // The shared scale of 16 coordinates with ν = 3 carries far more than ρ = 0.1 does.
        assert!(with_t > 5.0 * gaussian, "{with_t} vs {gaussian}");
        let (x, _, _, desc) = draw(Everyday::DenseStudent, 50, 8, 8, &mut rng);
        assert_eq!(x.ncols(), 8);
        assert!(desc.contains("ν ="));
    }
}

//! Per-dataset summary statistics that a model may read beside the rows: the Gaussian (CCA) MI of
//! the rank-Gaussian data and the sample size. A set model sees the rows one token at a time and
//! resolves strong linear dependence in many dimensions poorly; the Gaussian estimate carries it.

use crate::baselines::{Estimator, Gaussian};
use ndarray::ArrayView2;

/// Number of summary features per dataset.
pub const SUMMARY_LEN: usize = 4;

/// Largest Gaussian estimate passed on, in nats (the estimate of a near-singular sample can reach
/// 13.8 nats per dimension).
const MAX_GAUSSIAN_NATS: f64 = 100.0;

/// The summary features of one (already rank-Gaussian) dataset:
/// `[g / 10, ln(1 + g), ln(n) / 6, min((dx + dy) / n, 4)]`, where `g` is the [`Gaussian`] estimate
/// in nats, clamped to `[0, 100]` (0 when the estimator rejects the data, e.g. n < 3).
pub fn summary(x: ArrayView2<f64>, y: ArrayView2<f64>) -> [f32; SUMMARY_LEN] {
    let n = x.nrows().max(1) as f64;
    let d = (x.ncols() + y.ncols()) as f64;
    let g = Gaussian.estimate(x, y).ok().filter(|g| g.is_finite()).unwrap_or(0.0).clamp(0.0, MAX_GAUSSIAN_NATS);
    [(g / 10.0) as f32, g.ln_1p() as f32, (n.ln() / 6.0) as f32, (d / n).min(4.0) as f32]
}

/// The [`summary`] of each `(x, y)` of `datasets`, flat: `[b, SUMMARY_LEN]`, the model's `summary`
/// input.
pub fn summaries<'a>(datasets: impl Iterator<Item = (ArrayView2<'a, f64>, ArrayView2<'a, f64>)>) -> Vec<f32> {
    datasets.flat_map(|(x, y)| summary(x, y)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn summary_carries_the_gaussian_estimate_and_the_size() {
        // Y = X exactly in one dimension with n = 400: the estimator's 1e-6 ridge leaves
        // 1 − ρ² ≈ 2e-6, so g = ½ ln(5e5) = 6.56 nats; an unrelated column gives about 0.
        let x = Array2::from_shape_fn((400, 1), |(r, _)| ((r * 37 % 400) as f64 - 200.0) / 100.0);
        let noise = Array2::from_shape_fn((400, 1), |(r, _)| ((r * 101 % 397) as f64 - 198.0) / 100.0);
        let same = summary(x.view(), x.view());
        assert!((same[0] - 0.656).abs() < 0.001, "{same:?}");
        assert!((same[1] - 6.56f32.ln_1p()).abs() < 0.001, "{same:?}");
        assert!((same[2] - 400f32.ln() / 6.0).abs() < 1e-6);
        assert!((same[3] - 2.0 / 400.0).abs() < 1e-6);
        let apart = summary(x.view(), noise.view());
        assert!(apart[0] < 0.01 && apart[1] < 0.1, "{apart:?}");
    }

    #[test]
    fn summaries_are_flat_per_dataset() {
        let x = Array2::from_shape_fn((50, 2), |(r, c)| ((r * (7 + c) % 50) as f64) / 10.0);
        let y = Array2::from_shape_fn((50, 3), |(r, c)| ((r * (11 + 2 * c) % 47) as f64) / 10.0);
        let flat = summaries([(x.view(), y.view()), (y.view(), x.view())].into_iter());
        assert_eq!(flat, [summary(x.view(), y.view()), summary(y.view(), x.view())].concat());
    }

    #[test]
    fn summary_of_too_few_rows_is_finite() {
        let x = Array2::from_elem((2, 3), 1.0);
        let s = summary(x.view(), x.view());
        assert_eq!(s[0], 0.0);
        assert!(s.iter().all(|v| v.is_finite()), "{s:?}");
    }
}

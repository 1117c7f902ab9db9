//! MI estimators for discrete data: two discrete sides (contingency tables) and a discrete side
//! against a continuous one. Each row of a side is one category: equal values in every column of
//! that side (to the bit) are the same category, whatever the values are (codes, counts, labels
//! mapped to numbers). Several discrete columns thus form one joint category.
//!
//! - Both sides discrete: the plug-in estimate of the table's MI, the same with the Miller–Madow
//!   correction, its jackknife bias correction, and the James–Stein shrinkage estimate of Hausser &
//!   Strimmer (2009, "Entropy inference and the James–Stein estimator", JMLR 10:1469), as `infotheo`'s
//!   `shrink`. On tables with few rows per cell, where the plug-in estimate reads independent data
//!   as dependent, the jackknife has the lowest error: shrinkage pulls every table towards the
//!   uniform one and so reads strong dependence as weak (the comparison is in docs/c-abi.md).
//! - One side discrete, the other continuous: the nearest-neighbour estimator of Ross (2014, "Mutual
//!   information between discrete and continuous data sets", PLoS ONE 9:e87357), as scikit-learn's
//!   `mutual_info_classif` computes it, with the max-norm of the standardised continuous columns.

use super::ksg::dequantise;
use super::{Estimator, standardize};
use crate::preprocess::total_order;
use crate::special::digamma;
use crate::{Error, Result};
use ndarray::{ArrayView2, Axis};
use std::collections::HashMap;

/// Which estimate of a contingency table's MI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableMethod {
    /// The plug-in (maximum-likelihood) estimate: the MI of the observed frequencies.
    Plugin,
    /// The plug-in estimate with each entropy's Miller–Madow correction `(m − 1) / 2n`, `m` its
    /// non-empty cells.
    MillerMadow,
    /// The James–Stein shrinkage estimate (Hausser & Strimmer 2009): the MI of the cell frequencies
    /// shrunk towards the uniform table over the observed levels of each side.
    Shrink,
    /// The plug-in estimate with its jackknife bias correction (Quenouille; Efron & Stein 1981):
    /// `n Î − (n − 1) ⟨Î₋ᵢ⟩`, `Î₋ᵢ` the plug-in estimate without row i.
    Jackknife,
}

/// MI of two discrete sides from their contingency table, in nats (clipped at 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// The estimate.
    pub method: TableMethod,
}

impl Estimator for Table {
    fn estimate(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64> {
        crate::input::validate(x, y, 2, &self.name())?;
        let ((cx, kx), (cy, ky)) = (categories(x), categories(y));
        let n = x.nrows() as f64;
        let mut joint = vec![0usize; kx * ky];
        cx.iter().zip(&cy).for_each(|(&a, &b)| joint[a * ky + b] += 1);
        let count = |len: usize, of: &[usize]| {
            of.iter().fold(vec![0usize; len], |mut c, &i| {
                c[i] += 1;
                c
            })
        };
        let (nx, ny) = (count(kx, &cx), count(ky, &cy));
        let freqs = |counts: &[usize]| -> Vec<f64> { counts.iter().map(|&c| c as f64 / n).collect() };
        let mi = match self.method {
            TableMethod::Plugin => table_mi(&freqs(&joint), &freqs(&nx), &freqs(&ny)),
            TableMethod::MillerMadow => {
                let cells = joint.iter().filter(|&&c| c > 0).count();
                // H + (m − 1) / 2n for each of H(X), H(Y), H(X, Y): the marginals' levels are all observed.
                table_mi(&freqs(&joint), &freqs(&nx), &freqs(&ny)) + ((kx - 1) + (ky - 1)) as f64 / (2.0 * n)
                    - (cells - 1) as f64 / (2.0 * n)
            }
            TableMethod::Shrink => {
                let lambda = shrinkage(&joint);
                // The shrunk table's margins: λ / k + (1 − λ) × the observed margin.
                let margin = |counts: &[usize]| -> Vec<f64> {
                    let k = counts.len() as f64;
                    counts.iter().map(|&c| lambda / k + (1.0 - lambda) * c as f64 / n).collect()
                };
                let cells = (kx * ky) as f64;
                let shrunk: Vec<f64> = joint.iter().map(|&c| lambda / cells + (1.0 - lambda) * c as f64 / n).collect();
                table_mi(&shrunk, &margin(&nx), &margin(&ny))
            }
            TableMethod::Jackknife => jackknife(&joint, &nx, &ny),
        };
        Ok(mi.max(0.0))
    }

    fn name(&self) -> String {
        match self.method {
            TableMethod::Plugin => "plug-in (discrete)",
            TableMethod::MillerMadow => "Miller-Madow (discrete)",
            TableMethod::Shrink => "James-Stein shrinkage (discrete)",
            TableMethod::Jackknife => "jackknife (discrete)",
        }
        .to_string()
    }

    fn min_rows(&self) -> usize {
        2
    }
}

/// Each row's category (equal values in every column, to the bit, are one category), numbered in
/// order of first appearance, and the number of categories.
pub fn categories(m: ArrayView2<f64>) -> (Vec<usize>, usize) {
    let mut seen: HashMap<Vec<u64>, usize> = HashMap::new();
    let codes = m
        .axis_iter(Axis(0))
        .map(|row| {
            let key: Vec<u64> = row.iter().map(|&v| total_order(v + 0.0)).collect();
            let next = seen.len();
            *seen.entry(key).or_insert(next)
        })
        .collect();
    (codes, seen.len())
}

/// `H(X) + H(Y) − H(X, Y)` in nats of the joint frequencies `joint` and its margins `px`, `py`.
/// Each sum runs over its terms in increasing order, so that the transposed table gives the same bits.
fn table_mi(joint: &[f64], px: &[f64], py: &[f64]) -> f64 {
    let entropy = |probs: &[f64]| sorted_sum(probs.iter().filter(|&&q| q > 0.0).map(|&q| -q * q.ln()));
    entropy(px) + entropy(py) - entropy(joint)
}

/// The sum of `terms` added in increasing order: the same bits whatever order they come in.
fn sorted_sum(terms: impl Iterator<Item = f64>) -> f64 {
    let mut terms: Vec<f64> = terms.collect();
    terms.sort_by(f64::total_cmp);
    terms.iter().sum()
}

/// The jackknifed plug-in MI of the table `joint` (row-major, `nx.len() × ny.len()`) with margins
/// `nx`, `ny`. Written with `S = Σ c ln c` over a table's counts, `H = ln n − S / n`, so leaving out
/// one row of a cell changes three terms of S: all n leave-one-out estimates take one pass over the
/// non-empty cells, each standing for its count of rows.
fn jackknife(joint: &[usize], nx: &[usize], ny: &[usize]) -> f64 {
    let c_ln_c = |c: usize| if c > 1 { c as f64 * (c as f64).ln() } else { 0.0 };
    let s = |counts: &[usize]| sorted_sum(counts.iter().map(|&c| c_ln_c(c)));
    let mi = |sx: f64, sy: f64, sxy: f64, n: f64| n.ln() - (sx + sy - sxy) / n;
    let (sx, sy, sxy) = (s(nx), s(ny), s(joint));
    let n: usize = joint.iter().sum();
    let n = n as f64;
    let without_one = |c: usize| c_ln_c(c - 1) - c_ln_c(c);
    let ky = ny.len();
    let left_out = sorted_sum(joint.iter().enumerate().filter(|&(_, &c)| c > 0).map(|(cell, &c)| {
        let (a, b) = (nx[cell / ky], ny[cell % ky]);
        c as f64 * mi(sx + without_one(a), sy + without_one(b), sxy + without_one(c), n - 1.0)
    }));
    n * mi(sx, sy, sxy, n) - (n - 1.0) * left_out / n
}

/// The James–Stein shrinkage intensity of `counts` towards the uniform `t = 1 / K` over its `K`
/// cells (Hausser & Strimmer 2009, eq. 8): `λ = (1 − Σ u²) / ((n − 1) Σ (t − u)²)` clamped to
/// [0, 1], `u` the observed frequencies; the shrunk frequencies are `λ t + (1 − λ) u`.
fn shrinkage(counts: &[usize]) -> f64 {
    let n: usize = counts.iter().sum();
    let (nf, target) = (n as f64, 1.0 / counts.len() as f64);
    let u = || counts.iter().map(move |&c| c as f64 / nf);
    let spread = sorted_sum(u().map(|q| (target - q).powi(2)));
    if n < 2 || spread == 0.0 {
        return 1.0;
    }
    ((1.0 - sorted_sum(u().map(|q| q * q))) / ((nf - 1.0) * spread)).clamp(0.0, 1.0)
}

/// Ross's (2014) nearest-neighbour MI in nats (clipped at 0) between a discrete `x` (its rows'
/// categories) and a continuous `y`, with `k` neighbours (scikit-learn uses 3).
///
/// Y's columns are standardised, and the ties of a rounded measurement spread by seeded noise as wide
/// as its rounding step, as KSG does (with ties left in, rows at distance 0 inflate `m`: iris's
/// species against petal length, measured to 0.1 cm, read far less than the same data jittered).
/// For each row, `d` is the max-norm distance (over those columns) to its `k`-th nearest
/// neighbour of the same category (`min(k, N_c − 1)` when the category has fewer rows), and `m` the
/// number of rows of any category closer than `d` (itself included; at `d = 0`, those at distance
/// 0). Rows whose category occurs once are left out, and the estimate is
/// `ψ(N) + ⟨ψ(k)⟩ − ⟨ψ(N_c)⟩ − ⟨ψ(m)⟩` over the `N` rows kept. Cost `O(n² dy)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ross {
    /// Neighbours, at least 1.
    pub k: usize,
}

impl Estimator for Ross {
    fn estimate(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64> {
        if self.k == 0 {
            return Err(Error::BadArgument {
                name: "k",
                value: "0".into(),
                why: "Ross's estimator needs at least 1 neighbour".into(),
            });
        }
        crate::input::validate(x, y, 2, &self.name())?;
        let (codes, count) = categories(x);
        let mut sizes = vec![0usize; count];
        codes.iter().for_each(|&c| sizes[c] += 1);
        let kept: Vec<usize> = (0..codes.len()).filter(|&i| sizes[codes[i]] > 1).collect();
        if kept.is_empty() {
            return Ok(0.0);
        }
        let dy = y.ncols();
        let mut columns: Vec<Vec<f64>> = (0..dy).map(|c| kept.iter().map(|&i| y[[i, c]]).collect()).collect();
        columns.iter_mut().for_each(|c| {
            standardize(c);
            dequantise(c);
        });
        let n = kept.len();
        let distance = |a: usize, b: usize| columns.iter().fold(0.0f64, |m, c| m.max((c[a] - c[b]).abs()));
        let label = |a: usize| codes[kept[a]];
        let total: f64 = (0..n)
            .map(|i| {
                let size = sizes[label(i)];
                let k = self.k.min(size - 1);
                let mut same: Vec<f64> =
                    (0..n).filter(|&j| j != i && label(j) == label(i)).map(|j| distance(i, j)).collect();
                let (_, &mut d, _) = same.select_nth_unstable_by(k - 1, f64::total_cmp);
                let m = (0..n).filter(|&j| if d > 0.0 { distance(i, j) < d } else { distance(i, j) == 0.0 }).count();
                digamma(k as f64) - digamma(size as f64) - digamma(m as f64)
            })
            .sum();
        Ok((digamma(n as f64) + total / n as f64).max(0.0))
    }

    fn name(&self) -> String {
        format!("Ross (k = {})", self.k)
    }

    fn min_rows(&self) -> usize {
        self.k.saturating_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, StandardNormal};

    /// `n` draws of a pair of categories from the joint table `p` (row-major `kx × ky`).
    fn draw_table(p: &[f64], ky: usize, n: usize, seed: u64) -> (Array2<f64>, Array2<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut x, mut y) = (Array2::zeros((n, 1)), Array2::zeros((n, 1)));
        for r in 0..n {
            let (mut u, mut cell) = (rng.random::<f64>(), 0);
            while cell + 1 < p.len() && u >= p[cell] {
                u -= p[cell];
                cell += 1;
            }
            x[[r, 0]] = (cell / ky) as f64;
            y[[r, 0]] = (cell % ky) as f64 * 10.0 + 3.0;
        }
        (x, y)
    }

    fn exact(p: &[f64], kx: usize, ky: usize) -> f64 {
        let px: Vec<f64> = (0..kx).map(|a| p[a * ky..(a + 1) * ky].iter().sum()).collect();
        let py: Vec<f64> = (0..ky).map(|b| (0..kx).map(|a| p[a * ky + b]).sum()).collect();
        table_mi(p, &px, &py)
    }

    #[test]
    fn every_table_estimate_converges_to_the_truth() {
        let p = [0.3, 0.05, 0.05, 0.05, 0.3, 0.05, 0.05, 0.05, 0.1];
        let truth = exact(&p, 3, 3);
        let (x, y) = draw_table(&p, 3, 10_000, 1);
        for method in [TableMethod::Plugin, TableMethod::MillerMadow, TableMethod::Shrink, TableMethod::Jackknife] {
            let mi = Table { method }.estimate(x.view(), y.view()).unwrap();
            assert!((mi - truth).abs() < 0.01, "{method:?}: {mi} for {truth}");
            assert_eq!(mi, Table { method }.estimate(y.view(), x.view()).unwrap(), "{method:?} is symmetric");
        }
    }

    #[test]
    fn jackknife_and_shrinkage_beat_the_plug_in_on_undersampled_tables() {
        // 10 × 10 cells, 200 rows: 2 per cell. Independent, weakly and strongly dependent tables;
        // shrinkage towards the uniform table is only checked on the first two.
        let independent = vec![0.01; 100];
        let mut weak = vec![0.008; 100];
        (0..10).for_each(|i| weak[i * 11] += 0.02);
        let mut strong = vec![0.002; 100];
        (0..10).for_each(|i| strong[i * 11] += 0.08);
        for (p, weak_dependence) in [(independent, true), (weak, true), (strong, false)] {
            let truth = exact(&p, 10, 10);
            let mse = |method| {
                (0..40)
                    .map(|seed| {
                        let (x, y) = draw_table(&p, 10, 200, seed);
                        (Table { method }.estimate(x.view(), y.view()).unwrap() - truth).powi(2)
                    })
                    .sum::<f64>()
                    / 40.0
            };
            let (plugin, jackknife) = (mse(TableMethod::Plugin), mse(TableMethod::Jackknife));
            assert!(jackknife < plugin, "truth {truth}: jackknife MSE {jackknife}, plug-in {plugin}");
            let shrink = mse(TableMethod::Shrink);
            assert!(shrink < plugin || !weak_dependence, "truth {truth}: shrinkage MSE {shrink}, plug-in {plugin}");
        }
    }

    #[test]
    fn the_jackknife_is_the_mean_of_its_leave_one_out_estimates_corrected() {
        let (x, y) = draw_table(&[0.2, 0.1, 0.05, 0.15, 0.3, 0.2], 3, 30, 7);
        let plugin = |x: ArrayView2<f64>, y: ArrayView2<f64>| Table { method: TableMethod::Plugin }.estimate(x, y).unwrap();
        // Rows left out one at a time, estimates unclipped: the plug-in is positive on these rows.
        let left_out: f64 = (0..30)
            .map(|r| {
                let keep: Vec<usize> = (0..30).filter(|&i| i != r).collect();
                plugin(x.select(Axis(0), &keep).view(), y.select(Axis(0), &keep).view())
            })
            .sum::<f64>()
            / 30.0;
        let direct = 30.0 * plugin(x.view(), y.view()) - 29.0 * left_out;
        let fast = Table { method: TableMethod::Jackknife }.estimate(x.view(), y.view()).unwrap();
        assert!((fast - direct.max(0.0)).abs() < 1e-12, "{fast} against {direct}");
    }

    #[test]
    fn columns_form_one_joint_category_and_codes_do_not_matter() {
        let (x, y) = draw_table(&[0.4, 0.1, 0.1, 0.4], 2, 500, 3);
        let plugin = Table { method: TableMethod::Plugin };
        let twice = ndarray::concatenate![Axis(1), x, x.mapv(|v| v * 7.0 - 1.0)];
        assert_eq!(plugin.estimate(twice.view(), y.view()).unwrap(), plugin.estimate(x.view(), y.view()).unwrap());
        let (codes, count) = categories(twice.view());
        assert_eq!((count, codes.len()), (2, 500));
    }

    /// MI between a class C (equiprobable, `means.len()` classes) and Y | C = c ~ N(means[c], 1), by
    /// numerical integration of H(Y) − H(Y | C).
    fn class_gaussian_truth(means: &[f64]) -> f64 {
        let density = |y: f64| {
            means.iter().map(|m| (-(y - m).powi(2) / 2.0).exp()).sum::<f64>()
                / (means.len() as f64 * (2.0 * std::f64::consts::PI).sqrt())
        };
        let (lo, hi, steps) = (-12.0, 12.0 + means.iter().fold(0.0f64, |a, &b| a.max(b)), 200_000);
        let h = (hi - lo) / steps as f64;
        let entropy: f64 = (0..steps)
            .map(|i| {
                let p = density(lo + (i as f64 + 0.5) * h);
                if p > 0.0 { -p * p.ln() * h } else { 0.0 }
            })
            .sum();
        entropy - 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E).ln()
    }

    #[test]
    fn ross_recovers_class_conditional_gaussians() {
        let means = [0.0, 1.0, 2.5];
        let truth = class_gaussian_truth(&means);
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let n = 2_000;
        let mut x = Array2::zeros((n, 1));
        let mut y = Array2::zeros((n, 1));
        for r in 0..n {
            let c = rng.random_range(0..means.len());
            x[[r, 0]] = c as f64;
            let noise: f64 = StandardNormal.sample(&mut rng);
            y[[r, 0]] = means[c] + noise;
        }
        let mi = Ross { k: 3 }.estimate(x.view(), y.view()).unwrap();
        assert!((mi - truth).abs() < 0.03, "Ross {mi} for {truth}");
        // Independent labels read near 0.
        let shuffled = Array2::from_shape_fn((n, 1), |(r, _)| (r % 3) as f64);
        assert!(Ross { k: 3 }.estimate(shuffled.view(), y.view()).unwrap() < 0.02);
    }
}

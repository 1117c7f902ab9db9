//! MI estimators for discrete data: two discrete sides (contingency tables) and a discrete side
//! against a continuous one. Each row of a side is one category: equal values in every column of
//! that side (to the bit) are the same category, whatever the values are (codes, counts, labels
//! mapped to numbers). Several discrete columns thus form one joint category.
//!
//! - Both sides discrete: the plug-in estimate of the table's MI, the same with the Miller–Madow
//!   correction, the James–Stein shrinkage estimate of Hausser & Strimmer (2009, "Entropy
//!   inference and the James–Stein estimator", JMLR 10:1469), as `infotheo`'s `shrink`, and the
//!   NSB estimate (Nemenman, Shafee & Bialek 2002). On tables with few rows per cell, where the
//!   plug-in estimate reads independent data as dependent, NSB has the lowest error: shrinkage
//!   pulls every table towards the uniform one and so reads strong dependence as weak (the
//!   comparison is in docs/c-abi.md).
//! - One side discrete, the other continuous: the nearest-neighbour estimator of Ross (2014, "Mutual
//!   information between discrete and continuous data sets", PLoS ONE 9:e87357), as scikit-learn's
//!   `mutual_info_classif` computes it, with the max-norm of the standardised continuous columns.

use super::ksg::dequantise;
use super::{Estimator, standardize};
use crate::preprocess::total_order;
use crate::special::{digamma, ln_gamma, trigamma};
use crate::{Error, Result};
use ndarray::{ArrayView2, Axis};
use std::collections::{BTreeMap, HashMap};

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
    /// The NSB estimate (Nemenman, Shafee & Bialek 2002): `H(X) + H(Y) − H(X, Y)`, each entropy
    /// the posterior mean under NSB's mixture of Dirichlet priors over the observed levels of the
    /// side, or every pair of them ([`nsb_entropy`]).
    Nsb,
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
        let t = Counts::of(x, y);
        let n = x.nrows() as f64;
        let freqs = |counts: &[usize]| -> Vec<f64> { counts.iter().map(|&c| c as f64 / n).collect() };
        let plugin = || entropy(&freqs(&t.x)) + entropy(&freqs(&t.y)) - entropy(&freqs(&t.joint));
        let mi = match self.method {
            TableMethod::Plugin => plugin(),
            // H + (m − 1) / 2n for each of H(X), H(Y), H(X, Y): the margins' levels are all observed.
            TableMethod::MillerMadow => {
                plugin() + ((t.x.len() - 1) + (t.y.len() - 1)) as f64 / (2.0 * n)
                    - (t.joint.len() - 1) as f64 / (2.0 * n)
            }
            TableMethod::Shrink => {
                let lambda = shrinkage(&t.joint, t.empty());
                // A count `c` of one of `k` cells, shrunk: λ / k + (1 − λ) c / n.
                let shrunk = |c: usize, k: f64| lambda / k + (1.0 - lambda) * c as f64 / n;
                let margin =
                    |counts: &[usize]| -> Vec<f64> { counts.iter().map(|&c| shrunk(c, counts.len() as f64)).collect() };
                // Every empty cell holds λ / K: one term for all of them.
                let h = |q: f64| if q > 0.0 { -q * q.ln() } else { 0.0 };
                let cell = |c: usize| shrunk(c, t.cells);
                let joint = t.joint.iter().map(|&c| h(cell(c))).chain(std::iter::once(t.empty() * h(cell(0))));
                entropy(&margin(&t.x)) + entropy(&margin(&t.y)) - sorted_sum(joint)
            }
            TableMethod::Nsb => nsb_entropy(&t.x, 0.0) + nsb_entropy(&t.y, 0.0) - nsb_entropy(&t.joint, t.empty()),
        };
        Ok(mi.max(0.0))
    }

    fn name(&self) -> String {
        match self.method {
            TableMethod::Plugin => "plug-in (discrete)",
            TableMethod::MillerMadow => "Miller-Madow (discrete)",
            TableMethod::Shrink => "James-Stein shrinkage (discrete)",
            TableMethod::Nsb => "NSB (discrete)",
        }
        .to_string()
    }

    fn min_rows(&self) -> usize {
        2
    }
}

/// A contingency table: the counts of its non-empty cells (in no particular order), of each side's
/// levels, and its number of cells, every pair of observed levels. Only non-empty cells are held:
/// two identifiers of 10⁵ levels have 10¹⁰ cells and 10⁵ rows.
struct Counts {
    joint: Vec<usize>,
    x: Vec<usize>,
    y: Vec<usize>,
    cells: f64,
}

impl Counts {
    fn of(x: ArrayView2<f64>, y: ArrayView2<f64>) -> Counts {
        let ((cx, kx), (cy, ky)) = (categories(x), categories(y));
        let mut cells: HashMap<(usize, usize), usize> = HashMap::new();
        cx.iter().zip(&cy).for_each(|(&a, &b)| *cells.entry((a, b)).or_insert(0) += 1);
        let count = |len: usize, of: &[usize]| {
            of.iter().fold(vec![0usize; len], |mut c, &i| {
                c[i] += 1;
                c
            })
        };
        Counts {
            joint: cells.into_values().collect(),
            x: count(kx, &cx),
            y: count(ky, &cy),
            cells: kx as f64 * ky as f64,
        }
    }

    /// The number of empty cells.
    fn empty(&self) -> f64 {
        self.cells - self.joint.len() as f64
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

/// The entropy in nats of the frequencies `probs` (zeros left out), its terms added in increasing
/// order, so that a table and its transpose give the same bits.
fn entropy(probs: &[f64]) -> f64 {
    sorted_sum(probs.iter().filter(|&&q| q > 0.0).map(|&q| -q * q.ln()))
}

/// The sum of `terms` added in increasing order: the same bits whatever order they come in.
fn sorted_sum(terms: impl Iterator<Item = f64>) -> f64 {
    let mut terms: Vec<f64> = terms.collect();
    terms.sort_by(f64::total_cmp);
    terms.iter().sum()
}

/// The NSB entropy estimate in nats of a distribution over `K` categories from the counts of its
/// non-empty ones, `counts`, and its number of empty ones, `empty` (Nemenman, Shafee & Bialek
/// 2002, "Entropy and inference, revisited"). Under a symmetric Dirichlet prior of concentration
/// β, the posterior mean of H is `ψ(N + Kβ + 1) − Σ (nᵢ + β) / (N + Kβ) ψ(nᵢ + β + 1)` over all K
/// cells; NSB averages it over β, weighted by β's posterior under the prior `dξ/dβ = K ψ′(Kβ + 1) −
/// ψ′(β + 1)` (ξ(β), the prior mean of H, so that the prior on H is nearly flat). The integral runs
/// over ln β: a coarse grid over [10⁻⁴ / K, 10⁵], then a fine one where the coarse posterior is
/// within e⁻³⁰ of its largest value. Cells are grouped by count, so that a grid point costs
/// O(distinct counts).
pub fn nsb_entropy(counts: &[usize], empty: f64) -> f64 {
    let k = counts.len() as f64 + empty;
    if k < 2.0 {
        return 0.0;
    }
    let mut groups: BTreeMap<usize, f64> = BTreeMap::new();
    counts.iter().for_each(|&c| *groups.entry(c).or_insert(0.0) += 1.0);
    if empty > 0.0 {
        *groups.entry(0).or_insert(0.0) += empty;
    }
    let n = counts.iter().sum::<usize>() as f64;
    let log_posterior = |ln_beta: f64| -> f64 {
        let b = ln_beta.exp();
        let prior = k * trigamma(k * b + 1.0) - trigamma(b + 1.0);
        if prior.is_nan() || prior <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let cells: f64 = groups.iter().map(|(&c, &m)| m * (ln_gamma(c as f64 + b) - ln_gamma(b))).sum();
        prior.ln() + cells + ln_gamma(k * b) - ln_gamma(n + k * b) + ln_beta
    };
    let mean_entropy = |ln_beta: f64| -> f64 {
        let b = ln_beta.exp();
        let cells: f64 = groups.iter().map(|(&c, &m)| m * (c as f64 + b) * digamma(c as f64 + b + 1.0)).sum();
        digamma(n + k * b + 1.0) - cells / (n + k * b)
    };
    let grid = |lo: f64, hi: f64, points: usize| -> Vec<(f64, f64)> {
        (0..points).map(|i| lo + (hi - lo) * i as f64 / (points - 1) as f64).map(|l| (l, log_posterior(l))).collect()
    };
    let peak = |g: &[(f64, f64)]| g.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let coarse = grid((1e-4 / k).ln(), 1e5f64.ln(), 121);
    let (top, step) = (peak(&coarse), coarse[1].0 - coarse[0].0);
    let inside: Vec<f64> = coarse.iter().filter(|p| p.1 > top - 30.0).map(|p| p.0).collect();
    let (Some(&lo), Some(&hi)) = (inside.first(), inside.last()) else {
        return f64::NAN;
    };
    let fine = grid(lo - step, hi + step, 201);
    let top = peak(&fine);
    let (mut weight, mut sum) = (0.0, 0.0);
    for (l, lp) in fine {
        let w = (lp - top).exp();
        if w > 0.0 {
            weight += w;
            sum += w * mean_entropy(l);
        }
    }
    sum / weight
}

/// The James–Stein shrinkage intensity of a table towards the uniform `t = 1 / K` over its `K`
/// cells, from the counts of its non-empty cells and its number of empty ones (Hausser & Strimmer
/// 2009, eq. 8): `λ = (1 − Σ u²) / ((n − 1) Σ (t − u)²)` clamped to [0, 1], `u` the observed
/// frequencies; the shrunk frequencies are `λ t + (1 − λ) u`.
fn shrinkage(counts: &[usize], empty: f64) -> f64 {
    let n: usize = counts.iter().sum();
    let (nf, target) = (n as f64, 1.0 / (counts.len() as f64 + empty));
    let u = || counts.iter().map(move |&c| c as f64 / nf);
    let spread = sorted_sum(u().map(|q| (target - q).powi(2)).chain(std::iter::once(empty * target * target)));
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
        entropy(&px) + entropy(&py) - entropy(p)
    }

    #[test]
    fn every_table_estimate_converges_to_the_truth() {
        let p = [0.3, 0.05, 0.05, 0.05, 0.3, 0.05, 0.05, 0.05, 0.1];
        let truth = exact(&p, 3, 3);
        let (x, y) = draw_table(&p, 3, 10_000, 1);
        for method in [TableMethod::Plugin, TableMethod::MillerMadow, TableMethod::Shrink, TableMethod::Nsb] {
            let mi = Table { method }.estimate(x.view(), y.view()).unwrap();
            assert!((mi - truth).abs() < 0.01, "{method:?}: {mi} for {truth}");
            assert_eq!(mi, Table { method }.estimate(y.view(), x.view()).unwrap(), "{method:?} is symmetric");
        }
    }

    #[test]
    fn nsb_and_shrinkage_beat_the_plug_in_on_undersampled_tables() {
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
            let (plugin, nsb) = (mse(TableMethod::Plugin), mse(TableMethod::Nsb));
            assert!(nsb < plugin, "truth {truth}: NSB MSE {nsb}, plug-in {plugin}");
            let shrink = mse(TableMethod::Shrink);
            assert!(shrink < plugin || !weak_dependence, "truth {truth}: shrinkage MSE {shrink}, plug-in {plugin}");
        }
    }

    #[test]
    fn nsb_entropy_meets_its_limits() {
        // One category: 0. Many rows of a uniform distribution: ln K. Few rows over many cells:
        // more than the plug-in's ln n (NSB's point: unseen cells still hold mass).
        assert_eq!(nsb_entropy(&[7], 0.0), 0.0);
        let uniform = nsb_entropy(&[10_000; 8], 0.0);
        assert!((uniform - 8f64.ln()).abs() < 1e-3, "{uniform}");
        let sparse = nsb_entropy(&[1; 20], 980.0);
        assert!(sparse > 20f64.ln() + 0.5 && sparse < 1000f64.ln(), "{sparse}");
        // The empty cells count as cells: the same as listing them.
        assert!((nsb_entropy(&[3, 1, 0, 0], 0.0) - nsb_entropy(&[3, 1], 2.0)).abs() < 1e-12);
        // Extremes of rows and cells give a number between 0 and ln K.
        for (counts, empty) in [
            (vec![1, 1], 1e12),
            (vec![1_000_000], 1.0),
            (vec![1; 100_000], 1e10 - 1e5),
            (vec![500_000, 1, 1], 0.0),
            (vec![2, 3], 0.0),
        ] {
            let h = nsb_entropy(&counts, empty);
            let k = counts.len() as f64 + empty;
            assert!(h.is_finite() && h >= 0.0 && h <= k.ln() + 1e-9, "{h} for {} cells", k);
        }
    }

    #[test]
    fn tables_of_many_levels_hold_only_their_non_empty_cells() {
        // Two identifiers of 20,000 levels: 4 × 10⁸ cells, 20,000 rows. Every estimate is a
        // number, and no table of 4 × 10⁸ counts is made (3.2 GB).
        let n = 20_000;
        let ids = Array2::from_shape_fn((n, 1), |(r, _)| r as f64);
        let other = Array2::from_shape_fn((n, 1), |(r, _)| ((r * 7_919) % n) as f64);
        for method in [TableMethod::Plugin, TableMethod::MillerMadow, TableMethod::Shrink, TableMethod::Nsb] {
            let mi = Table { method }.estimate(ids.view(), other.view()).unwrap();
            assert!(mi.is_finite() && mi >= 0.0, "{method:?}: {mi}");
        }
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

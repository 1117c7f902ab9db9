//! Metric functions of `docs/evaluation.md`: MSE and bias per n-bin and per family, interval calibration.
//!
//! Everything is in nats (errors) and nats² (MSE). Estimates are `Option<f64>`: `None` is a failed
//! estimate (an error or a non-finite value); it is counted in [`ErrorStats::failures`] and left out
//! of the averages, never silently turned into a number.

use serde::{Deserialize, Serialize};

/// The n-bins of `docs/evaluation.md`: `[10, 100)`, `[100, 300)`, `[300, 500]`.
pub const N_BINS: [NBin; 3] = [
    NBin { lo: 10, hi: 100, hi_inclusive: false },
    NBin { lo: 100, hi: 300, hi_inclusive: false },
    NBin { lo: 300, hi: 500, hi_inclusive: true },
];

/// A range of dataset sizes n.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NBin {
    /// Smallest n in the bin.
    pub lo: usize,
    /// Largest n (inclusive or not, see `hi_inclusive`).
    pub hi: usize,
    /// Whether `hi` itself is in the bin.
    pub hi_inclusive: bool,
}

impl NBin {
    /// Whether `n` falls in the bin.
    pub fn contains(&self, n: usize) -> bool {
        n >= self.lo && (n < self.hi || (self.hi_inclusive && n == self.hi))
    }

    /// The bin as written in `docs/evaluation.md`, e.g. `[10,100)`.
    pub fn label(&self) -> String {
        format!("[{},{}{}", self.lo, self.hi, if self.hi_inclusive { "]" } else { ")" })
    }
}

/// Index into [`N_BINS`] of the bin holding `n`, if any.
pub fn n_bin(n: usize) -> Option<usize> {
    N_BINS.iter().position(|b| b.contains(n))
}

/// Edges of the rows-per-dimension bins, `n / (dx + dy)`: `< 1`, `[1, 2)`, `[2, 4)`, `≥ 4` (where
/// the sample is too small for the dimension, the Gaussian estimator shrinks its correlations
/// (`n < 2d`), and beyond).
pub const ROWS_PER_DIM_EDGES: [usize; 3] = [1, 2, 4];

/// Index of the rows-per-dimension bin (see [`ROWS_PER_DIM_EDGES`]) of a dataset with `n` rows and
/// `d = dx + dy` columns.
pub fn rows_per_dim_bin(n: usize, d: usize) -> usize {
    ROWS_PER_DIM_EDGES.iter().filter(|&&edge| n >= edge * d).count()
}

/// Label of rows-per-dimension bin `bin`, e.g. `[1,2)`.
pub fn rows_per_dim_label(bin: usize) -> String {
    let edges = ROWS_PER_DIM_EDGES;
    match bin {
        0 => format!("<{}", edges[0]),
        b if b >= edges.len() => format!("≥{}", edges[edges.len() - 1]),
        b => format!("[{},{})", edges[b - 1], edges[b]),
    }
}

/// Squared error and bias of a set of estimates against the true MI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorStats {
    /// Datasets with a finite estimate (the ones averaged over).
    pub count: usize,
    /// Datasets whose estimate failed or was not finite (left out of `mse` and `bias`).
    pub failures: usize,
    /// Mean squared error, nats²; `None` when `count` is 0.
    pub mse: Option<f64>,
    /// Mean of (estimate − truth), nats; `None` when `count` is 0.
    pub bias: Option<f64>,
}

/// [`ErrorStats`] of `(estimate, truth)` pairs; non-finite estimates count as failures.
pub fn error_stats(pairs: impl IntoIterator<Item = (Option<f64>, f64)>) -> ErrorStats {
    let (mut count, mut failures, mut sq, mut sum) = (0usize, 0usize, 0.0f64, 0.0f64);
    for (estimate, truth) in pairs {
        match estimate.filter(|e| e.is_finite()) {
            Some(e) => {
                let d = e - truth;
                count += 1;
                sq += d * d;
                sum += d;
            }
            None => failures += 1,
        }
    }
    let mean = |s: f64| (count > 0).then(|| s / count as f64);
    ErrorStats { count, failures, mse: mean(sq), bias: mean(sum) }
}

/// Errors of one estimator on a test grid: per n-bin, overall and per family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinnedErrors {
    /// One entry per [`N_BINS`] bin, in order.
    pub bins: Vec<ErrorStats>,
    /// All datasets together (including any outside the bins).
    pub overall: ErrorStats,
    /// Per family, in order of first appearance.
    pub per_family: Vec<FamilyErrors>,
}

/// Errors on the datasets of one family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyErrors {
    /// The family's name, e.g. `student sparse-asinh`.
    pub family: String,
    /// Its errors.
    pub stats: ErrorStats,
}

/// One dataset's view for [`binned_errors`]: its n, family and (estimate, truth).
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    /// Rows of the dataset.
    pub n: usize,
    /// Family name.
    pub family: &'a str,
    /// The estimate (`None`: failed).
    pub estimate: Option<f64>,
    /// The true MI.
    pub truth: f64,
}

/// MSE and bias per n-bin, overall and per family.
pub fn binned_errors(items: &[Scored<'_>]) -> BinnedErrors {
    let pairs = |keep: &dyn Fn(&Scored<'_>) -> bool| {
        items.iter().filter(|s| keep(s)).map(|s| (s.estimate, s.truth)).collect::<Vec<_>>()
    };
    let bins = N_BINS.iter().map(|b| error_stats(pairs(&|s| b.contains(s.n)))).collect();
    let mut families: Vec<&str> = Vec::new();
    for s in items {
        if !families.contains(&s.family) {
            families.push(s.family);
        }
    }
    let per_family = families
        .into_iter()
        .map(|f| FamilyErrors { family: f.to_string(), stats: error_stats(pairs(&|s| s.family == f)) })
        .collect();
    BinnedErrors { bins, overall: error_stats(pairs(&|_| true)), per_family }
}

/// Calibration of a quantile head on a set of datasets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Quantile levels τ, ascending.
    pub taus: Vec<f64>,
    /// For each τ, the fraction of datasets whose true MI is ≤ the predicted τ-quantile.
    pub fractions: Vec<f64>,
    /// Mean over τ of |τ − fraction|.
    pub error: f64,
    /// Fraction of datasets with the true MI inside `[q(lo), q(hi)]` of the central interval.
    pub coverage: f64,
    /// Nominal level of that interval (0.9 for `[q0.05, q0.95]`).
    pub coverage_level: f64,
    /// Datasets used.
    pub count: usize,
    /// Datasets left out because a predicted quantile was not finite.
    pub failures: usize,
}

/// Calibration of predicted quantiles against the truth.
///
/// `quantiles[i][j]` is the predicted `taus[j]`-quantile for dataset i, `truth[i]` its true MI.
/// The central interval is `[q(τ_lo), q(τ_hi)]` for the levels in `taus` closest to
/// `(1 − level)/2` and `(1 + level)/2`. Datasets with a non-finite quantile are left out (counted
/// in `failures`). Returns `None` when no dataset is left.
pub fn calibration(taus: &[f64], quantiles: &[Vec<f64>], truth: &[f64], level: f64) -> Option<Calibration> {
    assert_eq!(quantiles.len(), truth.len(), "one row of quantiles per dataset");
    let closest = |p: f64| {
        (0..taus.len()).min_by(|&a, &b| (taus[a] - p).abs().total_cmp(&(taus[b] - p).abs())).expect("taus not empty")
    };
    let (lo, hi) = (closest((1.0 - level) / 2.0), closest((1.0 + level) / 2.0));
    let rows: Vec<(&Vec<f64>, f64)> = quantiles
        .iter()
        .zip(truth)
        .filter(|(q, _)| q.len() == taus.len() && q.iter().all(|v| v.is_finite()))
        .map(|(q, &t)| (q, t))
        .collect();
    let count = rows.len();
    if count == 0 {
        return None;
    }
    let fractions: Vec<f64> =
        (0..taus.len()).map(|j| rows.iter().filter(|(q, t)| *t <= q[j]).count() as f64 / count as f64).collect();
    let error = taus.iter().zip(&fractions).map(|(t, f)| (t - f).abs()).sum::<f64>() / taus.len() as f64;
    let intervals: Vec<(f64, f64)> = rows.iter().map(|(q, _)| (q[lo], q[hi])).collect();
    let truths: Vec<f64> = rows.iter().map(|(_, t)| *t).collect();
    let coverage = interval_coverage(&intervals, &truths).coverage.expect("count > 0");
    Some(Calibration {
        taus: taus.to_vec(),
        fractions,
        error,
        coverage,
        coverage_level: level,
        count,
        failures: quantiles.len() - count,
    })
}

/// How often intervals contain the truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Fraction of intervals with `lo ≤ truth ≤ hi`; `None` when `count` is 0.
    pub coverage: Option<f64>,
    /// Mean width `hi − lo`, nats.
    pub mean_width: Option<f64>,
    /// Intervals used.
    pub count: usize,
}

/// Coverage of `[lo, hi]` intervals; pairs with a non-finite end are skipped.
pub fn interval_coverage(intervals: &[(f64, f64)], truth: &[f64]) -> Coverage {
    assert_eq!(intervals.len(), truth.len(), "one interval per dataset");
    let used: Vec<_> = intervals.iter().zip(truth).filter(|((lo, hi), _)| lo.is_finite() && hi.is_finite()).collect();
    let count = used.len();
    let mean = |s: f64| (count > 0).then(|| s / count as f64);
    Coverage {
        coverage: mean(used.iter().filter(|&&(&(lo, hi), &t)| lo <= t && t <= hi).count() as f64),
        mean_width: mean(used.iter().map(|((lo, hi), _)| hi - lo).sum()),
        count,
    }
}

/// Median of a non-empty slice (mean of the two middle values for an even length).
pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "median of nothing");
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_follow_the_spec() {
        assert_eq!(n_bin(10), Some(0));
        assert_eq!(n_bin(99), Some(0));
        assert_eq!(n_bin(100), Some(1));
        assert_eq!(n_bin(299), Some(1));
        assert_eq!(n_bin(300), Some(2));
        assert_eq!(n_bin(500), Some(2));
        assert_eq!(n_bin(501), None);
        assert_eq!(n_bin(9), None);
        let labels: Vec<String> = N_BINS.iter().map(NBin::label).collect();
        assert_eq!(labels, ["[10,100)", "[100,300)", "[300,500]"]);
        // The IMD/OoMD grid: 4 values of n in the first bin, 8 in each of the others.
        let counts: Vec<usize> = (0..3)
            .map(|b| mist_synth::grids::n_values().into_iter().filter(|&n| n_bin(n) == Some(b)).count())
            .collect();
        assert_eq!(counts, [4, 8, 8]);
    }

    #[test]
    fn rows_per_dim_bins_by_hand() {
        let bins: Vec<usize> = [(9, 10), (10, 10), (19, 10), (20, 10), (39, 10), (40, 10), (500, 2)]
            .iter()
            .map(|&(n, d)| rows_per_dim_bin(n, d))
            .collect();
        assert_eq!(bins, [0, 1, 1, 2, 2, 3, 3]);
        let labels: Vec<String> = (0..=ROWS_PER_DIM_EDGES.len()).map(rows_per_dim_label).collect();
        assert_eq!(labels, ["<1", "[1,2)", "[2,4)", "≥4"]);
    }

    #[test]
    fn mse_and_bias_by_hand() {
        let s = error_stats([(Some(1.0), 0.0), (Some(-1.0), 1.0), (None, 3.0), (Some(f64::NAN), 1.0)]);
        assert_eq!(s.count, 2);
        assert_eq!(s.failures, 2);
        assert_eq!(s.mse, Some((1.0 + 4.0) / 2.0));
        assert_eq!(s.bias, Some((1.0 - 2.0) / 2.0));
        let empty = error_stats([]);
        assert_eq!((empty.mse, empty.bias, empty.count), (None, None, 0));
    }

    #[test]
    fn binned_errors_by_hand() {
        let item = |n, family, estimate: f64, truth| Scored { n, family, estimate: Some(estimate), truth };
        let items = [
            item(10, "a", 2.0, 1.0),   // bin 0, error +1
            item(50, "b", 0.0, 2.0),   // bin 0, error −2
            item(100, "a", 3.0, 3.0),  // bin 1, error 0
            item(500, "b", 5.0, 2.0),  // bin 2, error +3
            item(1000, "a", 1.0, 1.5), // no bin, error −0.5
        ];
        let e = binned_errors(&items);
        assert_eq!(e.bins[0].mse, Some(2.5));
        assert_eq!(e.bins[0].bias, Some(-0.5));
        assert_eq!(e.bins[1].mse, Some(0.0));
        assert_eq!(e.bins[2].mse, Some(9.0));
        assert_eq!(e.bins[2].bias, Some(3.0));
        assert_eq!(e.overall.count, 5);
        assert_eq!(e.overall.mse, Some((1.0 + 4.0 + 0.0 + 9.0 + 0.25) / 5.0));
        let fam: Vec<(&str, Option<f64>)> = e.per_family.iter().map(|f| (f.family.as_str(), f.stats.mse)).collect();
        assert_eq!(fam, [("a", Some((1.0 + 0.0 + 0.25) / 3.0)), ("b", Some((4.0 + 9.0) / 2.0))]);
    }

    fn taus() -> Vec<f64> {
        (1..=19).map(|i| i as f64 / 20.0).collect()
    }

    /// Quantiles at `taus` of the uniform distribution on `[centre − width/2, centre + width/2]`.
    fn uniform_quantiles(centre: f64, width: f64) -> Vec<f64> {
        taus().iter().map(|&t| centre + (t - 0.5) * width).collect()
    }

    #[test]
    fn calibrated_predictor_has_small_error_and_nominal_coverage() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let m = 20_000;
        // Truth ~ U(centre ± 1/2) with the centre known: the predicted quantiles are exact.
        let (mut q, mut truth) = (Vec::new(), Vec::new());
        for i in 0..m {
            let centre = (i % 17) as f64 * 0.3;
            q.push(uniform_quantiles(centre, 1.0));
            truth.push(centre - 0.5 + rng.random::<f64>());
        }
        let c = calibration(&taus(), &q, &truth, 0.9).unwrap();
        assert!(c.error < 0.01, "{c:?}");
        assert!((c.coverage - 0.9).abs() < 0.01, "{c:?}");
        assert_eq!((c.count, c.failures), (m, 0));
        // Overconfident: the same centres with a third of the spread (true coverage 0.3).
        let narrow: Vec<Vec<f64>> = (0..m).map(|i| uniform_quantiles((i % 17) as f64 * 0.3, 1.0 / 3.0)).collect();
        let c = calibration(&taus(), &narrow, &truth, 0.9).unwrap();
        assert!((c.coverage - 0.3).abs() < 0.02, "{c:?}");
        assert!(c.error > 0.1, "{c:?}");
        // Biased low: every quantile 0.5 below the truth's, so the truth is above them all.
        let low: Vec<Vec<f64>> = (0..m).map(|i| uniform_quantiles((i % 17) as f64 * 0.3 - 1.0, 1.0)).collect();
        let c = calibration(&taus(), &low, &truth, 0.9).unwrap();
        assert!(c.fractions.iter().all(|&f| f == 0.0), "{c:?}");
        assert_eq!(c.coverage, 0.0);
        assert!((c.error - 0.5).abs() < 1e-12, "{c:?}");
    }

    #[test]
    fn calibration_by_hand() {
        let taus = [0.05, 0.5, 0.95];
        let q = vec![vec![0.0, 1.0, 2.0], vec![0.0, 1.0, 2.0], vec![f64::NAN, 1.0, 2.0]];
        // Truth 1.5: above q0.5, inside the interval; truth 3: above everything.
        let c = calibration(&taus, &q, &[1.5, 3.0, 0.0], 0.9).unwrap();
        assert_eq!(c.fractions, [0.0, 0.0, 0.5]);
        assert!((c.error - (0.05 + 0.5 + 0.45) / 3.0).abs() < 1e-12);
        assert_eq!(c.coverage, 0.5);
        assert_eq!((c.count, c.failures), (2, 1));
        assert!(calibration(&taus, &q[2..], &[0.0], 0.9).is_none());
    }

    #[test]
    fn coverage_by_hand() {
        let c = interval_coverage(&[(0.0, 1.0), (2.0, 4.0), (f64::NAN, 1.0)], &[1.0, 1.0, 0.5]);
        assert_eq!(c.coverage, Some(0.5));
        assert_eq!(c.mean_width, Some(1.5));
        assert_eq!(c.count, 2);
    }

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}

//! Paired comparison of two `evaluation.json` files of the same grids: per grid, each dataset's
//! squared error under the candidate minus under the base, averaged with its standard error. The
//! same recipes under two models differ far less than two sets of recipes do, so pairing is what
//! lets a no-regression line tell a change from noise (`docs/evaluation.md`, "Comparing two
//! models").

use super::everyday::Mean;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The fields of an `evaluation.json` a comparison reads (files of older versions parse too).
#[derive(Debug, Deserialize)]
pub struct EvalFile {
    /// Name of the evaluated model.
    pub model_name: String,
    /// Every dataset's record.
    pub datasets: Vec<Record>,
}

/// The fields of one dataset's record a comparison reads.
#[derive(Debug, Deserialize)]
pub struct Record {
    /// The grid (`imd`, `oomd`, ...).
    pub grid: String,
    /// Index in the full grid.
    pub index: usize,
    /// True MI, nats.
    pub truth: f64,
    /// The model's point estimate.
    pub model: Option<f64>,
    /// The model's quantiles at [`super::TAUS`].
    pub quantiles: Vec<Option<f64>>,
}

impl Record {
    /// Whether the model's 90% interval `[q0.05, q0.95]` holds the truth (`None` without one).
    fn covered(&self) -> Option<bool> {
        let (lo, hi) = (self.quantiles.first().copied()??, self.quantiles.last().copied()??);
        Some(lo <= self.truth && self.truth <= hi)
    }
}

/// One grid's comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct GridComparison {
    /// The grid.
    pub grid: String,
    /// Datasets answered by both models.
    pub pairs: usize,
    /// MSE of the base, nats².
    pub base_mse: f64,
    /// MSE of the candidate, nats².
    pub new_mse: f64,
    /// Mean of the paired differences of squared error (candidate − base), nats².
    pub diff: f64,
    /// Standard error of `diff`.
    pub diff_se: f64,
    /// 90% coverage of the base and of the candidate.
    pub coverage: (f64, f64),
}

/// The comparison of `new` against `base`, grid by grid (datasets paired by grid and index; those
/// either model did not answer are left out).
pub fn compare(base: &EvalFile, new: &EvalFile) -> Vec<GridComparison> {
    let base_by_key: BTreeMap<(&str, usize), &Record> =
        base.datasets.iter().map(|r| ((r.grid.as_str(), r.index), r)).collect();
    let mut grids: BTreeMap<&str, Vec<(&Record, &Record)>> = BTreeMap::new();
    for r in &new.datasets {
        if let Some(b) = base_by_key.get(&(r.grid.as_str(), r.index)) {
            grids.entry(r.grid.as_str()).or_default().push((b, r));
        }
    }
    grids
        .into_iter()
        .filter_map(|(grid, pairs)| {
            let errors: Vec<(f64, f64)> = pairs
                .iter()
                .filter_map(|(b, r)| Some(((b.model? - b.truth).powi(2), (r.model? - r.truth).powi(2))))
                .collect();
            if errors.len() < 2 {
                return None;
            }
            let m = errors.len() as f64;
            let diffs: Vec<f64> = errors.iter().map(|(b, r)| r - b).collect();
            let diff = Mean::of(&diffs)?;
            let coverage = |second: bool| {
                let covered: Vec<bool> =
                    pairs.iter().filter_map(|p| if second { p.1.covered() } else { p.0.covered() }).collect();
                covered.iter().filter(|&&c| c).count() as f64 / covered.len().max(1) as f64
            };
            Some(GridComparison {
                grid: grid.to_string(),
                pairs: errors.len(),
                base_mse: errors.iter().map(|e| e.0).sum::<f64>() / m,
                new_mse: errors.iter().map(|e| e.1).sum::<f64>() / m,
                diff: diff.mean,
                diff_se: diff.se,
                coverage: (coverage(false), coverage(true)),
            })
        })
        .collect()
}

/// A markdown table of `rows`; `verdict` is "worse" where the candidate's MSE exceeds the base's by
/// more than two standard errors of the paired difference, "better" where it is below by as much.
pub fn markdown(base: &str, new: &str, rows: &[GridComparison]) -> String {
    let mut md = format!(
        "Candidate `{new}` against base `{base}`: squared errors paired by dataset (nats²), \
         difference = candidate − base ± one standard error.\n\n\
         | grid | datasets | MSE base | MSE candidate | difference | verdict | 90% coverage base / candidate |\n\
         |---|---:|---:|---:|---:|---|---|\n"
    );
    for r in rows {
        let verdict = if r.diff > 2.0 * r.diff_se {
            "worse"
        } else if r.diff < -2.0 * r.diff_se {
            "better"
        } else {
            "within noise"
        };
        md += &format!(
            "| {} | {} | {:.5} | {:.5} | {:+.5} ± {:.5} | {verdict} | {:.1}% / {:.1}% |\n",
            r.grid,
            r.pairs,
            r.base_mse,
            r.new_mse,
            r.diff,
            r.diff_se,
            100.0 * r.coverage.0,
            100.0 * r.coverage.1
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(grid: &str, index: usize, truth: f64, model: f64) -> Record {
        Record {
            grid: grid.into(),
            index,
            truth,
            model: Some(model),
            quantiles: vec![Some(model - 0.1), Some(model + 0.1)],
        }
    }

    #[test]
    fn pairs_by_grid_and_index_and_reports_the_paired_difference() {
        let base = EvalFile {
            model_name: "a".into(),
            datasets: vec![record("imd", 0, 1.0, 1.2), record("imd", 1, 1.0, 0.9), record("imd", 2, 0.0, 0.5)],
        };
        // Index 2 is missing from the candidate; index 7 from the base.
        let new = EvalFile {
            model_name: "b".into(),
            datasets: vec![record("imd", 1, 1.0, 1.0), record("imd", 0, 1.0, 1.1), record("imd", 7, 0.0, 0.0)],
        };
        let rows = compare(&base, &new);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.pairs, 2);
        assert!((r.base_mse - (0.04 + 0.01) / 2.0).abs() < 1e-12);
        assert!((r.new_mse - 0.01 / 2.0).abs() < 1e-12);
        // Differences −0.03 and −0.01: mean −0.02, SE 0.01.
        assert!((r.diff + 0.02).abs() < 1e-12 && (r.diff_se - 0.01).abs() < 1e-12, "{r:?}");
        assert_eq!(r.coverage, (0.5, 1.0));
        assert!(markdown("a", "b", &rows).contains("| imd | 2 |"));
    }
}

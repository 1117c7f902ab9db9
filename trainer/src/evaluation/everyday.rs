//! The everyday grid's report (`docs/evaluation.md`, "Everyday data"): what a statistician tries
//! first, read the way the acceptance lines of the everyday-data work are written: mean estimates on
//! independent data per (n, d), errors and interval coverage on weak dense dependence, answers and
//! accuracy on rounded measurements, and the step from one chunk to two at the model's `max_n`.

use super::{DatasetRecord, EstimatorId, GridName};
use mist_synth::{Base, Everyday, Family};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Estimators compared on the everyday grid, in report order.
pub const ESTIMATORS: [EstimatorId; 4] =
    [EstimatorId::Model, EstimatorId::Ksg, EstimatorId::Gaussian, EstimatorId::Gcmi];

/// Largest rounding step of the rounded-measurement line, in standard deviations.
pub const ROUNDED_STEP: f64 = 0.25;

/// Fewest rows of the rounded-measurement line.
pub const ROUNDED_MIN_N: usize = 150;

/// Rows of the set model's chunk boundary: one chunk at `BOUNDARY`, two at `BOUNDARY + 1`.
pub const BOUNDARY: usize = 500;

/// A mean with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mean {
    /// The mean.
    pub mean: f64,
    /// Its standard error (sample standard deviation / √count).
    pub se: f64,
    /// Values averaged.
    pub count: usize,
}

impl Mean {
    /// The mean of `values` (`None` when empty).
    pub fn of(values: &[f64]) -> Option<Mean> {
        let count = values.len();
        if count == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / count as f64;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count.max(2) - 1) as f64;
        Some(Mean { mean, se: (var / count as f64).sqrt(), count })
    }
}

/// One (family, n, d) cell: each estimator's mean estimate and mean absolute error, and the
/// model's interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Family name.
    pub family: String,
    /// Rows.
    pub n: usize,
    /// dx (= dy).
    pub d: usize,
    /// Datasets in the cell.
    pub datasets: usize,
    /// Datasets the model refused.
    pub refused: usize,
    /// Mean true MI, nats.
    pub truth: f64,
    /// Mean estimate per estimator of [`ESTIMATORS`], nats.
    pub mean: Vec<Option<Mean>>,
    /// Mean absolute error per estimator of [`ESTIMATORS`], nats.
    pub mae: Vec<Option<f64>>,
    /// Share of the model's 90% intervals that cover the truth.
    pub coverage: Option<f64>,
    /// Share of the model's answers with q0.05 ≤ 0.01 nats.
    pub q05_near_zero: Option<f64>,
    /// The model's answers with the point estimate above q0.95 or below q0.05.
    pub outside_interval: usize,
}

/// One acceptance line, measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// What the line asks.
    pub line: String,
    /// What was measured.
    pub measured: String,
    /// Whether it holds.
    pub holds: bool,
}

/// The everyday grid's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EverydayReport {
    /// Every (family, n, d) cell.
    pub cells: Vec<Cell>,
    /// The acceptance lines.
    pub lines: Vec<Line>,
}

/// The family of a record of the everyday grid.
fn family_of(r: &DatasetRecord) -> Option<Family> {
    r.family.parse().ok()
}

fn everyday_kind(r: &DatasetRecord) -> Option<Everyday> {
    match family_of(r)?.base {
        Base::Everyday(kind) => Some(kind),
        _ => None,
    }
}

/// The model's 90% interval of a record, when it answered.
fn interval(r: &DatasetRecord) -> Option<(f64, f64)> {
    r.model.and(r.model_interval())
}

fn cell(family: &str, n: usize, d: usize, records: &[&DatasetRecord]) -> Cell {
    let estimates = |e: EstimatorId| -> Vec<(f64, f64)> {
        records.iter().filter_map(|r| Some((r.estimate(e)?, r.truth))).collect()
    };
    let mean = ESTIMATORS.iter().map(|&e| Mean::of(&estimates(e).iter().map(|p| p.0).collect::<Vec<_>>())).collect();
    let mae = ESTIMATORS
        .iter()
        .map(|&e| {
            let pairs = estimates(e);
            (!pairs.is_empty()).then(|| pairs.iter().map(|(v, t)| (v - t).abs()).sum::<f64>() / pairs.len() as f64)
        })
        .collect();
    let intervals: Vec<(&DatasetRecord, (f64, f64))> =
        records.iter().filter_map(|r| Some((*r, interval(r)?))).collect();
    let share = |hit: &dyn Fn(&DatasetRecord, (f64, f64)) -> bool| {
        (!intervals.is_empty())
            .then(|| intervals.iter().filter(|(r, iv)| hit(r, *iv)).count() as f64 / intervals.len() as f64)
    };
    Cell {
        family: family.to_string(),
        n,
        d,
        datasets: records.len(),
        refused: records.iter().filter(|r| r.model.is_none()).count(),
        truth: records.iter().map(|r| r.truth).sum::<f64>() / records.len().max(1) as f64,
        mean,
        mae,
        coverage: share(&|r, (lo, hi)| lo <= r.truth && r.truth <= hi),
        q05_near_zero: share(&|_, (lo, _)| lo <= 0.01),
        outside_interval: intervals.iter().filter(|(r, (lo, hi))| r.model.is_some_and(|m| m > *hi || m < *lo)).count(),
    }
}

/// Mean absolute error of `e` over `records` (those where it answered).
fn mae(records: &[&DatasetRecord], e: EstimatorId) -> Option<f64> {
    let errors: Vec<f64> = records.iter().filter_map(|r| Some((r.estimate(e)? - r.truth).abs())).collect();
    (!errors.is_empty()).then(|| errors.iter().sum::<f64>() / errors.len() as f64)
}

/// The report of the everyday grid's `records`; `seed_of` gives a record's recipe seed (paired
/// across n).
pub fn report(records: &[&DatasetRecord], seed_of: &dyn Fn(&DatasetRecord) -> u64) -> EverydayReport {
    let mut groups: BTreeMap<(String, usize, usize), Vec<&DatasetRecord>> = BTreeMap::new();
    for r in records.iter().filter(|r| r.grid == GridName::Everyday) {
        groups.entry((r.family.clone(), r.dx, r.n)).or_default().push(r);
    }
    let cells: Vec<Cell> = groups.iter().map(|((family, d, n), rs)| cell(family, *n, *d, rs)).collect();
    let of = |pred: &dyn Fn(&DatasetRecord) -> bool| -> Vec<&DatasetRecord> {
        records.iter().copied().filter(|r| pred(r)).collect()
    };
    let mut lines = Vec::new();

    // Independence, n = 100 to 1,000.
    let independent = |r: &DatasetRecord| everyday_kind(r) == Some(Everyday::Independent);
    let ind_cells: Vec<&Cell> =
        cells.iter().filter(|c| c.family == "independent" && (100..=1000).contains(&c.n)).collect();
    let worst = ind_cells
        .iter()
        .filter_map(|c| c.mean[0].map(|m| (m.mean, c.n, c.d)))
        .fold(None, |w: Option<(f64, usize, usize)>, c| Some(w.map_or(c, |w| if c.0 > w.0 { c } else { w })));
    if let Some((m, n, d)) = worst {
        lines.push(Line {
            line: "independence, n 100–1,000: mean estimate ≤ 0.02 nats in every (n, d) cell".into(),
            measured: format!("largest cell mean {m:.4} (n = {n}, d = {d}) over {} cells", ind_cells.len()),
            holds: m <= 0.02,
        });
    }
    let ind = of(&|r| independent(r) && (100..=1000).contains(&r.n));
    let answered: Vec<(f64, f64)> = ind.iter().filter_map(|r| interval(r)).collect();
    if !answered.is_empty() {
        let share = answered.iter().filter(|(lo, _)| *lo <= 0.01).count() as f64 / answered.len() as f64;
        lines.push(Line {
            line: "independence, n 100–1,000: at least 95% of datasets have q0.05 ≤ 0.01".into(),
            measured: format!("{:.1}% of {}", 100.0 * share, answered.len()),
            holds: share >= 0.95,
        });
    }
    let all_answers: Vec<&DatasetRecord> = records.iter().copied().filter(|r| interval(r).is_some()).collect();
    let above = all_answers.iter().filter(|r| r.model.zip(interval(r)).is_some_and(|(m, (_, hi))| m > hi)).count();
    lines.push(Line {
        line: "no answer has point > q0.95 (whole grid)".into(),
        measured: format!("{above} of {}", all_answers.len()),
        holds: above == 0,
    });

    // Weak dense dependence.
    let dense_g = of(&|r| everyday_kind(r) == Some(Everyday::DenseGaussian) && r.n >= 1000);
    if let (Some(m), Some(g), Some(k)) =
        (mae(&dense_g, EstimatorId::Model), mae(&dense_g, EstimatorId::Gcmi), mae(&dense_g, EstimatorId::Ksg))
    {
        lines.push(Line {
            line: "weak dense, Gaussian copula, n ≥ 1,000: MAE ≤ 1.5 × GCMI's and ≤ KSG's".into(),
            measured: format!(
                "model {m:.4}, GCMI {g:.4} (× 1.5 = {:.4}), KSG {k:.4} nats; {} datasets",
                1.5 * g,
                dense_g.len()
            ),
            holds: m <= 1.5 * g && m <= k,
        });
    }
    let dense_t = of(&|r| everyday_kind(r) == Some(Everyday::DenseStudent));
    if let (Some(m), Some(g)) = (mae(&dense_t, EstimatorId::Model), mae(&dense_t, EstimatorId::Gaussian)) {
        lines.push(Line {
            line: "weak dense, Student-t copula: MAE below the Gaussian estimator's".into(),
            measured: format!("model {m:.4}, Gaussian {g:.4} nats; {} datasets", dense_t.len()),
            holds: m < g,
        });
    }
    let dense = of(&|r| matches!(everyday_kind(r), Some(Everyday::DenseGaussian | Everyday::DenseStudent)));
    let intervals: Vec<bool> =
        dense.iter().filter_map(|r| interval(r).map(|(lo, hi)| lo <= r.truth && r.truth <= hi)).collect();
    if !intervals.is_empty() {
        let coverage = intervals.iter().filter(|&&c| c).count() as f64 / intervals.len() as f64;
        lines.push(Line {
            line: "weak dense: 90% coverage in [0.85, 0.95] over the family".into(),
            measured: format!("{:.1}% of {}", 100.0 * coverage, intervals.len()),
            holds: (0.85..=0.95).contains(&coverage),
        });
    }

    // Rounded measurements.
    let rounded = of(&|r| {
        matches!(everyday_kind(r), Some(k @ Everyday::Rounded { .. }) if k.step().is_some_and(|s| s <= ROUNDED_STEP + 1e-9))
            && r.n >= ROUNDED_MIN_N
    });
    if !rounded.is_empty() {
        let refused = rounded.iter().filter(|r| r.model.is_none()).count();
        let close = rounded
            .iter()
            .filter(|r| r.model.is_some_and(|m| (m - r.truth).abs() <= (0.15 * r.truth).max(0.1)))
            .count();
        let share = close as f64 / rounded.len() as f64;
        lines.push(Line {
            line: "rounded (step ≤ 0.25 sd, n ≥ 150): answered in every case".into(),
            measured: format!("{refused} refused of {}", rounded.len()),
            holds: refused == 0,
        });
        lines.push(Line {
            line: "rounded (step ≤ 0.25 sd, n ≥ 150): within max(0.1 nats, 15%) of the truth in ≥ 90%".into(),
            measured: format!("{:.1}% of {}", 100.0 * share, rounded.len()),
            holds: share >= 0.9,
        });
    }

    // No jump at the chunk boundary: per family, the paired difference of estimates at 501 and 500.
    let mut families: Vec<String> =
        records.iter().filter(|r| everyday_kind(r).is_some()).map(|r| r.family.clone()).collect();
    families.sort();
    families.dedup();
    let mut jumps = Vec::new();
    for family in &families {
        let at = |n: usize| -> BTreeMap<(usize, u64), f64> {
            records
                .iter()
                .filter(|r| &r.family == family && r.n == n)
                .filter_map(|r| Some(((r.dx, seed_of(r)), r.model?)))
                .collect()
        };
        let (below, above) = (at(BOUNDARY), at(BOUNDARY + 1));
        let diffs: Vec<f64> = above.iter().filter_map(|(k, v)| Some(v - below.get(k)?)).collect();
        if let Some(d) = Mean::of(&diffs) {
            jumps.push((family.clone(), d));
        }
    }
    if !jumps.is_empty() {
        let held = jumps.iter().filter(|(_, d)| d.mean.abs() <= 2.0 * d.se).count();
        let listing: Vec<String> = jumps.iter().map(|(f, d)| format!("{f} {:+.4} ± {:.4}", d.mean, d.se)).collect();
        lines.push(Line {
            line: format!(
                "no jump at the chunk boundary: per family, estimate at n = {} minus n = {} (paired) within 2 standard errors of 0",
                BOUNDARY + 1,
                BOUNDARY
            ),
            measured: format!("{held} of {} families: {}", jumps.len(), listing.join("; ")),
            holds: held == jumps.len(),
        });
    }
    EverydayReport { cells, lines }
}

//! The evaluation protocol of `docs/evaluation.md`: the fixed test grids, the learned model against KSG and
//! the Gaussian baseline on the same samples, interval calibration, timing, and the report (JSON,
//! Markdown, SVG plots). Units: nats (MI, bias) and nats² (MSE).
//!
//! The learned model comes in as a closure, so the same code evaluates the burn model (through
//! [`crate::inference::predict`]) and any other runtime:
//!
//! ```ignore
//! let model_fn = |samples: &[MetaSample], taus: &[f32]| predict(&model, samples, taus, 500, 32_000, &device);
//! let report = evaluate("MIST", &model_fn, &EvalOptions::default());
//! report.write(Path::new("runs/eval"))?;
//! ```

pub mod compare;
pub mod everyday;
pub mod metrics;
pub mod plots;
pub mod report;

pub use metrics::{BinnedErrors, Calibration, Coverage, ErrorStats, N_BINS};
pub use report::{EvalReport, ReferenceRow, reference_table};

use crate::inference::Prediction;
use metrics::{Scored, binned_errors, calibration, error_stats, interval_coverage};
use mist::baselines::{Estimator, Gaussian, Gcmi, Ksg, bootstrap_interval};
use mist_synth::grids::{self, GridItem};
use mist_synth::{Base, Family, MetaSample, Split, Structure, Transform, sample_family};
use rand::SeedableRng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// The learned model: datasets and ascending τ levels in, one [`Prediction`] per dataset out (point
/// estimate and the quantiles at those levels, sorted), in nats.
pub type ModelFn<'a> = dyn Fn(&[MetaSample], &[f32]) -> Vec<Prediction> + 'a;

/// Nominal level of the central intervals (model `[q0.05, q0.95]`, KSG subsampling interval).
pub const INTERVAL_LEVEL: f64 = 0.9;

/// Datasets in the validation grid.
pub const VALIDATION_DATASETS: usize = 1000;

/// Datasets handed to the model per call on the grids (the closure batches inside a call).
const MODEL_CALL: usize = 256;

/// The quantile levels asked of the model: 0.05, 0.10, …, 0.95.
pub const TAUS: [f64; 19] =
    [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];

/// Index of τ = 0.5 in [`TAUS`].
const MEDIAN: usize = 9;

/// The test grids of `docs/evaluation.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridName {
    /// In-meta-distribution grid (1,080 datasets).
    Imd,
    /// Out-of-meta-distribution grid (1,260 datasets).
    Oomd,
    /// n ∈ {500, 1,000, 2,000, 5,000} (144 datasets).
    LargeN,
    /// dx = dy ∈ {1, …, 32} at n ∈ {100, 500} (432 datasets).
    Dims,
    /// Every IMD and OoMD family at dx = dy ∈ {1, 2, 4}, n ∈ {500, …, 10,000} (1,755 datasets).
    LowD,
    /// [`VALIDATION_DATASETS`] held-out draws of the training meta-distribution (tuning data, not a
    /// test grid).
    Validation,
    /// What a statistician tries first: independent data, dense Gaussians and Student-t, rounded
    /// measurements, n ∈ {50, …, 10,000} (`synth::grids::everyday`).
    Everyday,
}

impl GridName {
    /// Every grid, in report order.
    pub const ALL: [GridName; 7] = [
        GridName::Imd,
        GridName::Oomd,
        GridName::LargeN,
        GridName::Dims,
        GridName::LowD,
        GridName::Validation,
        GridName::Everyday,
    ];

    /// The grid's datasets, in the grid's fixed order.
    pub fn items(self) -> Vec<GridItem> {
        match self {
            GridName::Imd => grids::imd(),
            GridName::Oomd => grids::oomd(),
            GridName::LargeN => grids::large_n(),
            GridName::Dims => grids::dimension_sweep(),
            GridName::LowD => grids::low_d(),
            GridName::Validation => grids::validation(VALIDATION_DATASETS),
            GridName::Everyday => grids::everyday(),
        }
    }

    /// Name used on the command line and in file names: `imd`, `oomd`, `large_n`, `dims`, `low_d`,
    /// `validation`.
    pub fn as_str(self) -> &'static str {
        match self {
            GridName::Imd => "imd",
            GridName::Oomd => "oomd",
            GridName::LargeN => "large_n",
            GridName::Dims => "dims",
            GridName::LowD => "low_d",
            GridName::Validation => "validation",
            GridName::Everyday => "everyday",
        }
    }

    /// Human title, e.g. `IMD`.
    pub fn title(self) -> &'static str {
        match self {
            GridName::Imd => "IMD",
            GridName::Oomd => "OoMD",
            GridName::LargeN => "Large n",
            GridName::Dims => "Dimension sweep",
            GridName::LowD => "Low dimensions, large n",
            GridName::Validation => "Validation (training meta-distribution)",
            GridName::Everyday => "Everyday data",
        }
    }

    /// Whether the grid is one of the two test grids of `docs/evaluation.md` (IMD, OoMD).
    pub fn is_test_grid(self) -> bool {
        matches!(self, GridName::Imd | GridName::Oomd)
    }

    /// Whether the grid is reported like the test grids: n-bins, per family, calibration, coverage
    /// and the KSG subsampling interval (IMD, OoMD and validation).
    pub fn is_binned(self) -> bool {
        self.is_test_grid() || self == GridName::Validation
    }
}

impl fmt::Display for GridName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GridName {
    type Err = String;

    /// Parses `imd`, `oomd`, `large_n` (or `large-n`), `dims` (or `dim`, `dimension_sweep`),
    /// `low_d` (or `low-d`), `validation` (or `val`).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "imd" => Ok(GridName::Imd),
            "oomd" => Ok(GridName::Oomd),
            "large_n" | "largen" => Ok(GridName::LargeN),
            "dims" | "dim" | "dimension_sweep" => Ok(GridName::Dims),
            "low_d" | "lowd" => Ok(GridName::LowD),
            "validation" | "val" => Ok(GridName::Validation),
            "everyday" => Ok(GridName::Everyday),
            _ => Err(format!("unknown grid {s:?} (expected imd, oomd, large_n, dims, low_d, validation or everyday)")),
        }
    }
}

/// What [`evaluate`] runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalOptions {
    /// Grids to evaluate, in this order.
    pub grids: Vec<GridName>,
    /// Subsamples of the KSG interval on IMD and OoMD (`docs/evaluation.md`: 50); 0 skips it.
    pub bootstrap_resamples: usize,
    /// At most this many datasets per grid, spread evenly over it (for smoke runs); `None`: all.
    pub limit: Option<usize>,
    /// Whether to time the estimators (n ∈ {100, 500, 5,000}, dx = dy ∈ {2, 16}).
    pub timing: bool,
    /// Timed repetitions per (estimator, n, d), after one untimed warm-up; the median is reported.
    pub timing_reps: usize,
    /// Progress lines on stderr.
    pub progress: bool,
}

impl Default for EvalOptions {
    /// The full protocol: every grid, B = 50, no limit, timing with 5 reps, progress on.
    fn default() -> Self {
        Self {
            grids: GridName::ALL.to_vec(),
            bootstrap_resamples: 50,
            limit: None,
            timing: true,
            timing_reps: 5,
            progress: true,
        }
    }
}

/// Everything measured on one dataset of a grid. Estimates are `None` when they failed or were
/// not finite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    /// The grid.
    pub grid: GridName,
    /// Index in the full grid (also the KSG subsampling seed).
    pub index: usize,
    /// Family name.
    pub family: String,
    /// Rows.
    pub n: usize,
    /// Columns of X.
    pub dx: usize,
    /// Columns of Y.
    pub dy: usize,
    /// True MI, nats.
    pub truth: f64,
    /// Model point estimate (MSE head).
    pub model: Option<f64>,
    /// Model quantiles at [`TAUS`] (non-finite values kept out of JSON as `null`).
    pub quantiles: Vec<Option<f64>>,
    /// KSG (k = 5).
    pub ksg: Option<f64>,
    /// Gaussian / CCA.
    pub gaussian: Option<f64>,
    /// Gaussian copula (GCMI).
    #[serde(default)]
    pub gcmi: Option<f64>,
    /// 90% subsampling interval of KSG, `[lo, hi]` (IMD and OoMD only).
    pub ksg_interval: Option<[f64; 2]>,
}

impl DatasetRecord {
    /// The model's median (τ = 0.5 quantile).
    pub fn median(&self) -> Option<f64> {
        self.quantiles.get(MEDIAN).copied().flatten()
    }

    /// The model's central 90% interval `[q0.05, q0.95]`.
    pub fn model_interval(&self) -> Option<(f64, f64)> {
        Some((self.quantiles.first().copied().flatten()?, self.quantiles.last().copied().flatten()?))
    }

    /// The estimate of `which`.
    pub fn estimate(&self, which: EstimatorId) -> Option<f64> {
        match which {
            EstimatorId::Model => self.model,
            EstimatorId::ModelMedian => self.median(),
            EstimatorId::Ksg => self.ksg,
            EstimatorId::Gaussian => self.gaussian,
            EstimatorId::Gcmi => self.gcmi,
        }
    }
}

/// The estimators compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EstimatorId {
    /// The model's point (MSE) head.
    Model,
    /// The model's τ = 0.5 quantile.
    ModelMedian,
    /// KSG, k = 5.
    Ksg,
    /// Gaussian / CCA.
    Gaussian,
    /// Gaussian copula (GCMI).
    Gcmi,
}

impl EstimatorId {
    /// In report order.
    pub const ALL: [EstimatorId; 5] =
        [EstimatorId::Model, EstimatorId::ModelMedian, EstimatorId::Ksg, EstimatorId::Gaussian, EstimatorId::Gcmi];

    /// Display name, with the model's name for the model's rows.
    pub fn label(self, model_name: &str) -> String {
        match self {
            EstimatorId::Model => model_name.to_string(),
            EstimatorId::ModelMedian => format!("{model_name} median (τ = 0.5)"),
            EstimatorId::Ksg => Ksg::default().name(),
            EstimatorId::Gaussian => Gaussian.name(),
            EstimatorId::Gcmi => Gcmi.name(),
        }
    }
}

/// One estimator's errors on IMD, OoMD or validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimatorErrors {
    /// Which estimator.
    pub estimator: EstimatorId,
    /// Per n-bin, overall, per family.
    pub errors: BinnedErrors,
}

/// IMD, OoMD or validation results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestGridReport {
    /// The grid.
    pub grid: GridName,
    /// Datasets evaluated.
    pub datasets: usize,
    /// Errors of each estimator, in [`EstimatorId::ALL`] order.
    pub estimators: Vec<EstimatorErrors>,
    /// Calibration of the model's quantile head (`None` if no dataset had finite quantiles).
    pub calibration: Option<Calibration>,
    /// Coverage of the model's `[q0.05, q0.95]`, per n-bin.
    pub model_coverage_by_bin: Vec<Coverage>,
    /// Coverage of the KSG 90% subsampling interval (`None` when it was skipped).
    pub ksg_bootstrap: Option<Coverage>,
    /// Coverage of the KSG bootstrap per n-bin.
    pub ksg_bootstrap_by_bin: Vec<Coverage>,
}

/// Errors on one cell (n, and d for the dimension sweep) of the large-n grid or dimension sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellReport {
    /// Rows.
    pub n: usize,
    /// dx = dy (dimension sweep only).
    pub d: Option<usize>,
    /// Datasets in the cell.
    pub datasets: usize,
    /// Errors of each estimator, in [`EstimatorId::ALL`] order.
    pub estimators: Vec<(EstimatorId, ErrorStats)>,
    /// Coverage of the model's `[q0.05, q0.95]`.
    pub model_coverage: Coverage,
    /// Large-n grid past n = 500: the model's MSE here against n = 500, paired by recipe.
    #[serde(default)]
    pub vs_reference: Option<PairedDifference>,
}

/// The low-dimension grid: errors and the model's interval per (d, n), and the model against KSG
/// per (family, d, n).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LowDReport {
    /// Per (d, n), every estimator and the model's 90% interval (coverage, mean width).
    pub cells: Vec<CellReport>,
    /// Per (family, d, n), the model against KSG.
    pub families: Vec<FamilyCell>,
}

/// The MSE of the model (point head) and of KSG on one family at one (d, n), nats².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyCell {
    /// Family name.
    pub family: String,
    /// dx = dy.
    pub d: usize,
    /// Rows.
    pub n: usize,
    /// Datasets in the cell.
    pub datasets: usize,
    /// The model's MSE.
    pub model: Option<f64>,
    /// KSG's MSE.
    pub ksg: Option<f64>,
}

/// The model's (MSE head's) squared error at one n of the large-n grid minus its mean squared error
/// over the same recipe's 500-row draws, averaged over recipes, in nats²: below zero, n rows are the
/// more accurate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDifference {
    /// Recipes (family, seed) with estimates at both n.
    pub recipes: usize,
    /// Mean paired difference, nats².
    pub mean: f64,
    /// Standard error of the mean, nats².
    pub standard_error: f64,
}

/// The [`PairedDifference`] of the large-n `records` at `n` against n = 500 (`None` at 500 or with
/// fewer than two recipes); a recipe is its grid item's family and seed, failed estimates drop out.
fn paired_difference(records: &[&DatasetRecord], items: &[GridItem], n: usize) -> Option<PairedDifference> {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let squared_errors = |at: usize| {
        let mut by_recipe: BTreeMap<(String, u64), Vec<f64>> = BTreeMap::new();
        for r in records.iter().filter(|r| r.n == at) {
            if let Some(e) = r.model.filter(|e| e.is_finite()) {
                by_recipe.entry((r.family.clone(), items[r.index].seed)).or_default().push((e - r.truth).powi(2));
            }
        }
        by_recipe
    };
    if n == grids::LARGE_N_REFERENCE {
        return None;
    }
    let reference = squared_errors(grids::LARGE_N_REFERENCE);
    let diffs: Vec<f64> = squared_errors(n)
        .iter()
        .filter_map(|(recipe, errors)| Some(mean(errors) - mean(reference.get(recipe)?)))
        .collect();
    let k = diffs.len() as f64;
    (diffs.len() >= 2).then(|| {
        let m = mean(&diffs);
        let variance = diffs.iter().map(|d| (d - m).powi(2)).sum::<f64>() / (k - 1.0);
        PairedDifference { recipes: diffs.len(), mean: m, standard_error: (variance / k).sqrt() }
    })
}

/// Median wall time of one estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimingRow {
    /// Rows.
    pub n: usize,
    /// dx = dy.
    pub d: usize,
    /// Estimator (the model: one dataset per call, point and quantiles together).
    pub estimator: EstimatorId,
    /// Median seconds per estimate over `reps` timed runs.
    pub median_seconds: f64,
    /// Timed runs.
    pub reps: usize,
}

/// Runs the protocol of `docs/evaluation.md` on `model` and the baselines; see [`EvalOptions`].
///
/// Every dataset of a grid is drawn once; the model, KSG (k = 5), the Gaussian baseline and (on
/// IMD and OoMD) the KSG bootstrap (seed = the dataset's index in its grid) all run on those same
/// samples. Baselines run in parallel over datasets with rayon. A baseline error or non-finite
/// value is recorded as a failure (`None`), not a panic.
///
/// Panics if `model` returns the wrong number of predictions or of quantiles.
pub fn evaluate(model_name: &str, model: &ModelFn<'_>, options: &EvalOptions) -> EvalReport {
    let start = Instant::now();
    let log = |msg: String| {
        if options.progress {
            eprintln!("[evaluate {:>7.1}s] {msg}", start.elapsed().as_secs_f64());
        }
    };
    let taus32 = TAUS.map(|t| t as f32);
    let mut records = Vec::new();
    let mut stage_seconds = Vec::new();
    for &grid in &options.grids {
        let t0 = Instant::now();
        records.extend(run_grid(grid, model, &taus32, options, &log));
        stage_seconds.push((grid.as_str().to_string(), t0.elapsed().as_secs_f64()));
    }
    let timing = options.timing.then(|| {
        let t0 = Instant::now();
        let rows = time_estimators(model, &taus32, options.timing_reps.max(1), &log);
        stage_seconds.push(("timing".to_string(), t0.elapsed().as_secs_f64()));
        rows
    });

    let test_grids = options
        .grids
        .iter()
        .filter(|g| g.is_binned())
        .map(|&g| test_grid_report(g, &records, &TAUS, options.bootstrap_resamples > 0))
        .collect();
    let cells = |grid: GridName, by_d: bool| {
        options.grids.contains(&grid).then(|| cell_reports(records.iter().filter(|r| r.grid == grid), by_d))
    };
    let large_n = cells(GridName::LargeN, false).map(|mut cells| {
        let (items, large) = (GridName::LargeN.items(), records.iter().filter(|r| r.grid == GridName::LargeN));
        let large: Vec<&DatasetRecord> = large.collect();
        for c in &mut cells {
            c.vs_reference = paired_difference(&large, &items, c.n);
        }
        cells
    });
    let dimension_sweep = cells(GridName::Dims, true);
    let low_d = cells(GridName::LowD, true)
        .map(|cells| LowDReport { cells, families: family_cells(records.iter().filter(|r| r.grid == GridName::LowD)) });
    let everyday = options.grids.contains(&GridName::Everyday).then(|| {
        let items = GridName::Everyday.items();
        let grid: Vec<&DatasetRecord> = records.iter().filter(|r| r.grid == GridName::Everyday).collect();
        everyday::report(&grid, &|r| items[r.index].seed)
    });
    log(format!("done, {} datasets", records.len()));
    EvalReport {
        model_name: model_name.to_string(),
        units: "nats".to_string(),
        options: options.clone(),
        taus: TAUS.to_vec(),
        interval_level: INTERVAL_LEVEL,
        threads: rayon::current_num_threads(),
        stage_seconds,
        total_seconds: start.elapsed().as_secs_f64(),
        test_grids,
        large_n,
        dimension_sweep,
        low_d,
        everyday,
        timing,
        reference: reference_table(),
        datasets: records,
    }
}

/// Indices of at most `limit` items of `len`, ascending (all of them without a limit).
///
/// A fixed pseudo-random subset rather than a regular stride: the grids are ordered n × family ×
/// repeat, and a stride tends to hit the same few families at every n.
fn spread(len: usize, limit: Option<usize>) -> Vec<usize> {
    match limit {
        Some(k) if k < len => {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x5eed_e7a1);
            let mut picked = rand::seq::index::sample(&mut rng, len, k).into_vec();
            picked.sort_unstable();
            picked
        }
        _ => (0..len).collect(),
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// KSG, Gaussian, GCMI and the KSG bootstrap interval on one dataset (`None`: failed or skipped).
type Baselines = (Option<f64>, Option<f64>, Option<f64>, Option<[f64; 2]>);

/// Draws a grid once and runs every estimator on it.
fn run_grid(
    grid: GridName,
    model: &ModelFn<'_>,
    taus: &[f32],
    options: &EvalOptions,
    log: &(dyn Fn(String) + Sync),
) -> Vec<DatasetRecord> {
    let all = grid.items();
    let picked = spread(all.len(), options.limit);
    log(format!("{grid}: sampling {} of {} datasets", picked.len(), all.len()));
    let samples: Vec<MetaSample> = picked.par_iter().map(|&i| all[i].sample()).collect();
    log(format!("{grid}: model"));
    let predictions = predict_all(model, &samples, taus);
    let bootstrap = (grid.is_binned() && options.bootstrap_resamples > 0).then_some(options.bootstrap_resamples);
    let baselines = run_baselines(grid, &samples, &picked, bootstrap, log);
    samples
        .iter()
        .zip(&picked)
        .zip(predictions)
        .zip(baselines)
        .map(|(((s, &index), p), (ksg, gaussian, gcmi, ksg_interval))| {
            let item = &all[index];
            DatasetRecord {
                grid,
                index,
                family: s.family.to_string(),
                n: item.n,
                dx: item.dx,
                dy: item.dy,
                truth: s.mi,
                model: finite(p.mi),
                quantiles: p.quantiles.iter().map(|&q| finite(q)).collect(),
                ksg,
                gaussian,
                gcmi,
                ksg_interval,
            }
        })
        .collect()
}

/// The model's predictions for `samples`, [`MODEL_CALL`] datasets per call.
///
/// Panics if the model returns the wrong number of predictions or of quantiles.
fn predict_all(model: &ModelFn<'_>, samples: &[MetaSample], taus: &[f32]) -> Vec<Prediction> {
    let mut predictions = Vec::with_capacity(samples.len());
    for chunk in samples.chunks(MODEL_CALL) {
        let out = model(chunk, taus);
        assert_eq!(out.len(), chunk.len(), "the model must return one prediction per dataset");
        for p in &out {
            assert_eq!(p.quantiles.len(), taus.len(), "the model must return one quantile per τ level");
        }
        predictions.extend(out);
    }
    predictions
}

/// KSG, the Gaussian estimate and, with `bootstrap` subsamples, KSG's subsampling interval (seeded
/// by the dataset's index in its grid, `picked`) on each of `samples`, in parallel.
fn run_baselines(
    grid: GridName,
    samples: &[MetaSample],
    picked: &[usize],
    bootstrap: Option<usize>,
    log: &(dyn Fn(String) + Sync),
) -> Vec<Baselines> {
    let interval = bootstrap.map_or(String::new(), |b| format!(", KSG subsampling interval B = {b}"));
    log(format!("{grid}: baselines (KSG, Gaussian, GCMI{interval})"));
    let done = AtomicUsize::new(0);
    let total = samples.len();
    let ksg = Ksg::default();
    samples
        .par_iter()
        .zip(picked.par_iter())
        .map(|(s, &index)| {
            let (x, y) = (s.x.view(), s.y.view());
            let k = ksg.estimate(x, y).ok().and_then(finite);
            let g = Gaussian.estimate(x, y).ok().and_then(finite);
            let c = Gcmi.estimate(x, y).ok().and_then(finite);
            let iv = bootstrap
                .and_then(|b| bootstrap_interval(&ksg, x, y, b, INTERVAL_LEVEL, index as u64).ok())
                .filter(|iv| iv.lo.is_finite() && iv.hi.is_finite())
                .map(|iv| [iv.lo, iv.hi]);
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            if d.is_multiple_of((total / 10).max(1)) {
                log(format!("{grid}: baselines {d}/{total}"));
            }
            (k, g, c, iv)
        })
        .collect()
}

fn scored(records: &[&DatasetRecord], which: EstimatorId) -> BinnedErrors {
    let items: Vec<Scored<'_>> = records
        .iter()
        .map(|r| Scored { n: r.n, family: &r.family, estimate: r.estimate(which), truth: r.truth })
        .collect();
    binned_errors(&items)
}

/// Calibration of the model's quantiles (at `taus`) on `records`; `None` if none has finite quantiles.
fn model_calibration<'a>(records: impl IntoIterator<Item = &'a DatasetRecord>, taus: &[f64]) -> Option<Calibration> {
    let (quantiles, truth): (Vec<Vec<f64>>, Vec<f64>) =
        records.into_iter().map(|r| (r.quantiles.iter().map(|q| q.unwrap_or(f64::NAN)).collect(), r.truth)).unzip();
    calibration(taus, &quantiles, &truth, INTERVAL_LEVEL)
}

fn model_coverage<'a>(records: impl IntoIterator<Item = &'a DatasetRecord>) -> Coverage {
    let (iv, truth): (Vec<(f64, f64)>, Vec<f64>) =
        records.into_iter().map(|r| (r.model_interval().unwrap_or((f64::NAN, f64::NAN)), r.truth)).unzip();
    interval_coverage(&iv, &truth)
}

fn ksg_coverage<'a>(records: impl IntoIterator<Item = &'a DatasetRecord>) -> Coverage {
    let (iv, truth): (Vec<(f64, f64)>, Vec<f64>) = records
        .into_iter()
        .map(|r| (r.ksg_interval.map_or((f64::NAN, f64::NAN), |[lo, hi]| (lo, hi)), r.truth))
        .unzip();
    interval_coverage(&iv, &truth)
}

fn test_grid_report(grid: GridName, records: &[DatasetRecord], taus: &[f64], bootstrap: bool) -> TestGridReport {
    let rs: Vec<&DatasetRecord> = records.iter().filter(|r| r.grid == grid).collect();
    let in_bin = |b: usize| rs.iter().copied().filter(move |r| N_BINS[b].contains(r.n));
    TestGridReport {
        grid,
        datasets: rs.len(),
        estimators: EstimatorId::ALL
            .iter()
            .map(|&e| EstimatorErrors { estimator: e, errors: scored(&rs, e) })
            .collect(),
        calibration: model_calibration(rs.iter().copied(), taus),
        model_coverage_by_bin: (0..N_BINS.len()).map(|b| model_coverage(in_bin(b))).collect(),
        ksg_bootstrap: bootstrap.then(|| ksg_coverage(rs.iter().copied())),
        ksg_bootstrap_by_bin: if bootstrap {
            (0..N_BINS.len()).map(|b| ksg_coverage(in_bin(b))).collect()
        } else {
            vec![]
        },
    }
}

/// Errors per n (and per d when `by_d`), cells in order of first appearance sorted by (d, n).
fn cell_reports<'a>(records: impl Iterator<Item = &'a DatasetRecord>, by_d: bool) -> Vec<CellReport> {
    let records: Vec<&DatasetRecord> = records.collect();
    let mut keys: Vec<(Option<usize>, usize)> = Vec::new();
    for r in &records {
        let key = (by_d.then_some(r.dx), r.n);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.sort();
    keys.into_iter()
        .map(|(d, n)| {
            let cell: Vec<&DatasetRecord> =
                records.iter().copied().filter(|r| r.n == n && (d.is_none() || d == Some(r.dx))).collect();
            CellReport {
                n,
                d,
                datasets: cell.len(),
                estimators: EstimatorId::ALL
                    .iter()
                    .map(|&e| (e, error_stats(cell.iter().map(|r| (r.estimate(e), r.truth)))))
                    .collect(),
                model_coverage: model_coverage(cell.iter().copied()),
                vs_reference: None,
            }
        })
        .collect()
}

/// The model's and KSG's MSE per (family, d, n), in order of first appearance sorted by (d, family, n).
fn family_cells<'a>(records: impl Iterator<Item = &'a DatasetRecord>) -> Vec<FamilyCell> {
    let mut cells: BTreeMap<(usize, String, usize), Vec<&DatasetRecord>> = BTreeMap::new();
    for r in records {
        cells.entry((r.dx, r.family.clone(), r.n)).or_default().push(r);
    }
    cells
        .into_iter()
        .map(|((d, family, n), rs)| {
            let mse = |e: EstimatorId| error_stats(rs.iter().map(|r| (r.estimate(e), r.truth))).mse;
            FamilyCell { family, d, n, datasets: rs.len(), model: mse(EstimatorId::Model), ksg: mse(EstimatorId::Ksg) }
        })
        .collect()
}

/// The timing grid of `docs/evaluation.md`.
pub const TIMING_N: [usize; 3] = [100, 500, 5000];
/// dx = dy of the timing grid.
pub const TIMING_D: [usize; 2] = [2, 16];

/// Median time per estimate of each estimator, one dataset per call, same run.
fn time_estimators(model: &ModelFn<'_>, taus: &[f32], reps: usize, log: &(dyn Fn(String) + Sync)) -> Vec<TimingRow> {
    let family = Family::structured(Base::Normal, Structure::Dense, Transform::Base);
    let mut rows = Vec::new();
    for (di, &d) in TIMING_D.iter().enumerate() {
        for (ni, &n) in TIMING_N.iter().enumerate() {
            log(format!("timing n = {n}, d = {d}"));
            let sample = sample_family(family, n, d, d, Split::LargeN, 0x7153_0000 | (di as u64) << 8 | ni as u64);
            let one = std::slice::from_ref(&sample);
            let (x, y) = (sample.x.view(), sample.y.view());
            let mut time = |estimator: EstimatorId, f: &dyn Fn()| {
                f();
                let secs: Vec<f64> = (0..reps)
                    .map(|_| {
                        let t = Instant::now();
                        f();
                        t.elapsed().as_secs_f64()
                    })
                    .collect();
                rows.push(TimingRow { n, d, estimator, median_seconds: metrics::median(&secs), reps });
            };
            time(EstimatorId::Model, &|| {
                std::hint::black_box(model(one, taus));
            });
            time(EstimatorId::Ksg, &|| {
                let _ = std::hint::black_box(Ksg::default().estimate(x, y));
            });
            time(EstimatorId::Gaussian, &|| {
                let _ = std::hint::black_box(Gaussian.estimate(x, y));
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_a_fixed_ascending_subset() {
        let s = spread(1080, Some(40));
        assert_eq!(s.len(), 40);
        assert!(s.windows(2).all(|w| w[0] < w[1]) && s[39] < 1080);
        assert_eq!(s, spread(1080, Some(40)));
        // It reaches every IMD family (index / 9 % 6) and every n-bin (index / 54 → n).
        let families: std::collections::BTreeSet<usize> = s.iter().map(|i| i / 9 % 6).collect();
        assert_eq!(families.len(), 6);
        let ns = grids::n_values();
        let bins: std::collections::BTreeSet<_> = s.iter().map(|i| metrics::n_bin(ns[i / 54])).collect();
        assert_eq!(bins.len(), 3);
        assert_eq!(spread(4, Some(10)), [0, 1, 2, 3]);
        assert_eq!(spread(3, None), [0, 1, 2]);
    }

    #[test]
    fn grid_names_round_trip() {
        for g in GridName::ALL {
            assert_eq!(g.as_str().parse::<GridName>(), Ok(g));
            assert_eq!(serde_json::to_string(&g).unwrap(), format!("\"{}\"", g.as_str()));
        }
        assert_eq!("large-n".parse::<GridName>(), Ok(GridName::LargeN));
        assert!("nope".parse::<GridName>().is_err());
    }

    #[test]
    fn taus_are_the_spec_levels() {
        for (i, &t) in TAUS.iter().enumerate() {
            assert_eq!(t, (i + 1) as f64 / 20.0);
            assert_eq!(t as f32, (i + 1) as f32 / 20.0, "the levels the model is asked for");
        }
        assert_eq!(TAUS[MEDIAN], 0.5);
    }
}

//! The evaluation report: its data (serialised to `evaluation.json`) and its Markdown rendering.

use super::everyday::{self, EverydayReport};
use super::metrics::{
    Coverage, ErrorStats, N_BINS, ROWS_PER_DIM_EDGES, error_stats, rows_per_dim_bin, rows_per_dim_label,
};
use super::{
    CellReport, DatasetRecord, EstimatorId, EvalOptions, FamilyCell, GridName, LowDReport, TestGridReport, TimingRow,
    plots,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Ranges of the true MI (nats) that calibration is also reported by, each with its upper edge:
/// near-independence first, where a quantile head bounded below by zero is hardest to calibrate.
const TRUTH_BINS: [(f64, &str); 5] =
    [(0.1, "< 0.1"), (0.5, "[0.1, 0.5)"), (2.0, "[0.5, 2)"), (5.0, "[2, 5)"), (f64::INFINITY, "≥ 5")];

/// One row of the original study's reference table (`docs/evaluation.md`): MSE in nats² per n-bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceRow {
    /// The released model, as the study names it.
    pub model: String,
    /// Which of our estimators it is compared with.
    pub compare_with: EstimatorId,
    /// IMD MSE per n-bin.
    pub imd: [f64; 3],
    /// OoMD MSE per n-bin.
    pub oomd: [f64; 3],
}

/// The original study's figures (its own grid and generator), from `docs/evaluation.md`.
pub fn reference_table() -> Vec<ReferenceRow> {
    vec![
        ReferenceRow {
            model: "MIST (MSE head)".to_string(),
            compare_with: EstimatorId::Model,
            imd: [3.1, 0.34, 0.28],
            oomd: [8.0, 7.3, 8.8],
        },
        ReferenceRow {
            model: "MIST-QR (median)".to_string(),
            compare_with: EstimatorId::ModelMedian,
            imd: [3.1, 0.31, 0.12],
            oomd: [9.5, 9.9, 10.0],
        },
    ]
}

/// Everything [`super::evaluate`] measured. Serialises to `evaluation.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Name of the evaluated model.
    pub model_name: String,
    /// Always `nats` (MSE in nats²).
    pub units: String,
    /// The options of the run.
    pub options: EvalOptions,
    /// Quantile levels asked of the model.
    pub taus: Vec<f64>,
    /// Nominal level of the central intervals.
    pub interval_level: f64,
    /// Rayon threads.
    pub threads: usize,
    /// Wall seconds per stage (each grid, timing).
    pub stage_seconds: Vec<(String, f64)>,
    /// Wall seconds in all.
    pub total_seconds: f64,
    /// IMD, OoMD and validation (those evaluated), each with n-bins, per family and calibration.
    pub test_grids: Vec<TestGridReport>,
    /// Large-n grid per n (if evaluated).
    pub large_n: Option<Vec<CellReport>>,
    /// Dimension sweep per (d, n) (if evaluated).
    pub dimension_sweep: Option<Vec<CellReport>>,
    /// Low-dimension grid (if evaluated).
    #[serde(default)]
    pub low_d: Option<LowDReport>,
    /// Everyday grid (if evaluated).
    #[serde(default)]
    pub everyday: Option<EverydayReport>,
    /// Time per estimate (if timed).
    pub timing: Option<Vec<TimingRow>>,
    /// The original study's reference table.
    pub reference: Vec<ReferenceRow>,
    /// Every dataset's record.
    pub datasets: Vec<DatasetRecord>,
}

impl EvalReport {
    /// Writes `evaluation.json`, `evaluation.md` and the SVG plots into `dir` (created if needed).
    ///
    /// Plots: `mse_vs_n_<grid>.svg` for IMD, OoMD and validation (when that grid ran),
    /// `calibration.svg` and `estimate_vs_truth.svg` (the latter of IMD and OoMD only).
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(dir.join("evaluation.json"), json + "\n")?;
        std::fs::write(dir.join("evaluation.md"), self.markdown())?;
        plots::write_all(self, dir)
    }

    /// Whether IMD or OoMD ran (the grids of the reference table and the estimate-vs-truth plot).
    pub fn has_test_grid(&self) -> bool {
        self.test_grids.iter().any(|g| g.grid.is_test_grid())
    }

    /// The report for `grid`, if it ran.
    pub fn test_grid(&self, grid: GridName) -> Option<&TestGridReport> {
        self.test_grids.iter().find(|g| g.grid == grid)
    }

    /// The MSE of `estimator` in bin `bin` of `grid`.
    pub fn bin_mse(&self, grid: GridName, estimator: EstimatorId, bin: usize) -> Option<f64> {
        let g = self.test_grid(grid)?;
        g.estimators.iter().find(|e| e.estimator == estimator)?.errors.bins.get(bin)?.mse
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# Evaluation of {}\n", self.model_name);
        let _ = writeln!(
            md,
            "Protocol: `docs/evaluation.md`. MI and bias in **nats**, MSE in **nats²**. \
             Grids: {}; {} datasets; KSG subsampling interval B = {}{}; {} rayon threads; {:.0} s in all ({}).\n",
            self.options.grids.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", "),
            self.datasets.len(),
            self.options.bootstrap_resamples,
            self.options.limit.map_or(String::new(), |l| format!("; **smoke run: at most {l} datasets per grid**")),
            self.threads,
            self.total_seconds,
            self.stage_seconds.iter().map(|(s, t)| format!("{s} {t:.0} s")).collect::<Vec<_>>().join(", "),
        );

        self.reference_section(&mut md);
        for g in &self.test_grids {
            self.test_grid_section(&mut md, g);
        }
        self.calibration_section(&mut md);
        if let Some(cells) = &self.large_n {
            let _ = writeln!(md, "## Large n (past the training range)\n");
            let _ = writeln!(
                md,
                "MSE in nats² per n (training covers n ≤ 500; rows past the model's max_n are split into \
             chunks, whose estimates are averaged or, in the runtime with a large-n head, read by the head). Paired: the same recipes (family, dims, seed, true MI) at every n; \
             at n = 500 each recipe is drawn {} times (disjoint rows), so that the reference is not one noisy draw.\n",
                mist_synth::grids::REFERENCE_DRAWS
            );
            self.cell_table(&mut md, cells, false);
            self.paired_table(&mut md, cells);
        }
        if let Some(cells) = &self.dimension_sweep {
            let _ = writeln!(md, "## Dimension sweep\n");
            let _ = writeln!(md, "MSE in nats² per dx = dy and n.\n");
            self.cell_table(&mut md, cells, true);
        }
        if let Some(low) = &self.low_d {
            self.low_d_section(&mut md, low);
        }
        if let Some(everyday) = &self.everyday {
            self.everyday_section(&mut md, everyday);
        }
        if let Some(rows) = &self.timing {
            self.timing_section(&mut md, rows);
        }
        let _ = writeln!(
            md,
            "Per-dataset records (truth, every estimate, the model's quantiles, KSG subsampling intervals) are in \
             `evaluation.json`. Plots: {}.",
            plots::file_names(self).join(", ")
        );
        md
    }

    fn reference_section(&self, md: &mut String) {
        if !self.has_test_grid() {
            return;
        }
        let _ = writeln!(md, "## MSE per n-bin against the original study\n");
        let _ = writeln!(
            md,
            "The study's figures are on its own grid and generator; ours are on this project's fixed grids. \
             **Bold**: this run beats the study's figure for the matching head.\n"
        );
        let mut header = "| estimator |".to_string();
        for grid in ["IMD", "OoMD"] {
            for b in N_BINS {
                let _ = write!(header, " {grid} {} MSE (nats²) |", b.label());
            }
        }
        let _ = writeln!(md, "{header}\n|---|{}", "---|".repeat(6));
        for r in &self.reference {
            // As printed in docs/evaluation.md: 3.1, 0.34, 8.0, 10.0.
            let cells: Vec<String> = r
                .imd
                .iter()
                .chain(&r.oomd)
                .map(|v| if v.fract() == 0.0 { format!("{v:.1}") } else { format!("{v}") })
                .collect();
            let _ = writeln!(md, "| {} (study) | {} |", r.model, cells.join(" | "));
        }
        let mut wins = Vec::new();
        for e in EstimatorId::ALL {
            let reference = self.reference.iter().find(|r| r.compare_with == e);
            let mut cells = Vec::new();
            let (mut beaten, mut compared) = (0, 0);
            for (gi, grid) in [GridName::Imd, GridName::Oomd].into_iter().enumerate() {
                for b in 0..N_BINS.len() {
                    let mse = self.bin_mse(grid, e, b);
                    let refv = reference.map(|r| if gi == 0 { r.imd[b] } else { r.oomd[b] });
                    let text = opt(mse);
                    match (mse, refv) {
                        (Some(m), Some(rv)) => {
                            compared += 1;
                            if m < rv {
                                beaten += 1;
                                cells.push(format!("**{text}**"));
                            } else {
                                cells.push(text);
                            }
                        }
                        _ => cells.push(text),
                    }
                }
            }
            let _ = writeln!(md, "| {} (this run) | {} |", e.label(&self.model_name), cells.join(" | "));
            if let Some(r) = reference {
                wins.push(format!("{} beats {} in {beaten} of {compared} cells", e.label(&self.model_name), r.model));
            }
        }
        let _ = writeln!(md, "\n{}.\n", wins.join("; "));
    }

    fn test_grid_section(&self, md: &mut String, g: &TestGridReport) {
        let label = |e: EstimatorId| e.label(&self.model_name);
        let _ = writeln!(md, "## {} grid ({} datasets)\n", g.grid.title(), g.datasets);
        let bins: Vec<String> = N_BINS.iter().map(|b| format!("{} n", b.label())).collect();
        let _ = writeln!(md, "### MSE (nats²)\n");
        let _ = writeln!(md, "| estimator | {} | overall | failures |", bins.join(" | "));
        let _ = writeln!(md, "|---|{}", "---|".repeat(bins.len() + 2));
        for e in &g.estimators {
            let cells: Vec<String> = e.errors.bins.iter().map(|s| opt(s.mse)).collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                label(e.estimator),
                cells.join(" | "),
                opt(e.errors.overall.mse),
                e.errors.overall.failures
            );
        }
        let _ = writeln!(md, "\n### Mean bias, estimate − truth (nats)\n");
        let _ = writeln!(md, "| estimator | {} | overall |", bins.join(" | "));
        let _ = writeln!(md, "|---|{}", "---|".repeat(bins.len() + 1));
        for e in &g.estimators {
            let cells: Vec<String> = e.errors.bins.iter().map(|s| opt(s.bias)).collect();
            let _ = writeln!(md, "| {} | {} | {} |", label(e.estimator), cells.join(" | "), opt(e.errors.overall.bias));
        }
        self.rows_per_dim_table(md, g);
        let _ = writeln!(md, "\n### MSE per family (nats²)\n");
        let names: Vec<String> = g.estimators.iter().map(|e| label(e.estimator)).collect();
        let _ = writeln!(md, "| family | datasets | {} |", names.join(" | "));
        let _ = writeln!(md, "|---|---|{}", "---|".repeat(names.len()));
        if let Some(first) = g.estimators.first() {
            for (fi, fam) in first.errors.per_family.iter().enumerate() {
                let count = fam.stats.count + fam.stats.failures;
                let cells: Vec<String> = g.estimators.iter().map(|e| opt(e.errors.per_family[fi].stats.mse)).collect();
                let _ = writeln!(md, "| {} | {count} | {} |", fam.family, cells.join(" | "));
            }
        }
        let _ = writeln!(md);
    }

    /// MSE and the model's 90% coverage per rows-per-dimension bin, `n / (dx + dy)`.
    fn rows_per_dim_table(&self, md: &mut String, g: &TestGridReport) {
        let bins: Vec<usize> = (0..=ROWS_PER_DIM_EDGES.len()).collect();
        let records: Vec<&DatasetRecord> = self.datasets.iter().filter(|r| r.grid == g.grid).collect();
        let in_bin = |b: usize| records.iter().copied().filter(move |r| rows_per_dim_bin(r.n, r.dx + r.dy) == b);
        let _ = writeln!(md, "\n### MSE by rows per dimension, n / (dx + dy) (nats²)\n");
        let labels: Vec<String> = bins.iter().map(|&b| rows_per_dim_label(b)).collect();
        let _ = writeln!(md, "| estimator | {} |", labels.join(" | "));
        let _ = writeln!(md, "|---|{}", "---|".repeat(bins.len()));
        let counts: Vec<String> = bins.iter().map(|&b| in_bin(b).count().to_string()).collect();
        let _ = writeln!(md, "| datasets | {} |", counts.join(" | "));
        for e in &g.estimators {
            let cells: Vec<String> = bins
                .iter()
                .map(|&b| opt(error_stats(in_bin(b).map(|r| (r.estimate(e.estimator), r.truth))).mse))
                .collect();
            let _ = writeln!(md, "| {} | {} |", e.estimator.label(&self.model_name), cells.join(" | "));
        }
        let coverage: Vec<String> = bins.iter().map(|&b| pct(super::model_coverage(in_bin(b)).coverage)).collect();
        let _ = writeln!(md, "| {} 90% coverage | {} |", self.model_name, coverage.join(" | "));
    }

    fn calibration_section(&self, md: &mut String) {
        if self.test_grids.is_empty() {
            return;
        }
        let _ = writeln!(md, "## Interval calibration\n");
        let _ = writeln!(
            md,
            "Fraction of datasets whose **true** MI is ≤ the predicted τ-quantile (ideal: τ); calibration error = \
             mean |τ − fraction|.\n"
        );
        let grids: Vec<&TestGridReport> = self.test_grids.iter().collect();
        let _ = writeln!(
            md,
            "| τ | {} |",
            grids.iter().map(|g| format!("{} fraction", g.grid.title())).collect::<Vec<_>>().join(" | ")
        );
        let _ = writeln!(md, "|---|{}", "---|".repeat(grids.len()));
        for (j, tau) in self.taus.iter().enumerate() {
            let cells: Vec<String> = grids
                .iter()
                .map(|g| g.calibration.as_ref().map_or("–".to_string(), |c| format!("{:.3}", c.fractions[j])))
                .collect();
            let _ = writeln!(md, "| {tau:.2} | {} |", cells.join(" | "));
        }
        let _ = writeln!(
            md,
            "\n| grid | calibration error | {} [q0.05, q0.95] coverage | mean width (nats) | KSG 90% subsampling coverage (B = {}) | KSG mean width (nats) |",
            self.model_name, self.options.bootstrap_resamples
        );
        let _ = writeln!(md, "|---|---|---|---|---|---|");
        for g in &grids {
            let all = super::model_coverage(self.datasets.iter().filter(|r| r.grid == g.grid));
            let error = g.calibration.as_ref().map_or("–".to_string(), |c| format!("{:.3}", c.error));
            let ksg = g.ksg_bootstrap.as_ref();
            let _ = writeln!(
                md,
                "| {} | {error} | {} | {} | {} | {} |",
                g.grid.title(),
                pct(all.coverage),
                opt(all.mean_width),
                ksg.map_or("–".to_string(), |c| pct(c.coverage)),
                ksg.map_or("–".to_string(), |c| opt(c.mean_width)),
            );
        }
        // A family name's first word: normal, student, …
        let base = |r: &DatasetRecord| (0, r.family.split(' ').next().unwrap_or_default().to_string());
        self.calibration_by_table(md, &grids, ("By base family", "base"), base);
        let truth = |r: &DatasetRecord| {
            let bin = TRUTH_BINS.iter().position(|&(below, _)| r.truth < below).unwrap_or(TRUTH_BINS.len() - 1);
            (bin, TRUTH_BINS[bin].1.to_string())
        };
        self.calibration_by_table(md, &grids, ("By true MI (nats)", "true MI (nats)"), truth);
        let _ = writeln!(md, "\nCoverage of the 90% intervals per n-bin (nominal 90%):\n");
        let bins: Vec<String> = N_BINS.iter().map(|b| format!("{} n", b.label())).collect();
        let _ = writeln!(md, "| grid | interval | {} |", bins.join(" | "));
        let _ = writeln!(md, "|---|---|{}", "---|".repeat(bins.len()));
        for g in &grids {
            let row = |cov: &[Coverage]| cov.iter().map(|c| pct(c.coverage)).collect::<Vec<_>>().join(" | ");
            let _ = writeln!(
                md,
                "| {} | {} [q0.05, q0.95] | {} |",
                g.grid.title(),
                self.model_name,
                row(&g.model_coverage_by_bin)
            );
            if !g.ksg_bootstrap_by_bin.is_empty() {
                let _ = writeln!(md, "| {} | KSG subsampling | {} |", g.grid.title(), row(&g.ksg_bootstrap_by_bin));
            }
        }
        let _ = writeln!(md);
    }

    /// The model's calibration per group of datasets, groups in key order: a quantile head can be
    /// calibrated over a whole grid while leaning one way on each group.
    fn calibration_by_table(
        &self,
        md: &mut String,
        grids: &[&TestGridReport],
        (heading, column): (&str, &str),
        group: impl Fn(&DatasetRecord) -> (usize, String),
    ) {
        let median = self.taus.iter().position(|t| (t - 0.5).abs() < 1e-9);
        let _ = writeln!(md, "\n{heading}:\n");
        let _ =
            writeln!(md, "| grid | {column} | datasets | calibration error | truth ≤ q0.5 | [q0.05, q0.95] coverage |");
        let _ = writeln!(md, "|---|---|---|---|---|---|");
        for g in grids {
            let mut groups: BTreeMap<(usize, String), Vec<&DatasetRecord>> = BTreeMap::new();
            for r in self.datasets.iter().filter(|r| r.grid == g.grid) {
                groups.entry(group(r)).or_default().push(r);
            }
            for ((_, name), of_group) in groups {
                let c = super::model_calibration(of_group.iter().copied(), &self.taus);
                let at_median = c.as_ref().zip(median).map(|(c, j)| c.fractions[j]);
                let _ = writeln!(
                    md,
                    "| {} | {name} | {} | {} | {} | {} |",
                    g.grid.title(),
                    of_group.len(),
                    c.as_ref().map_or("–".to_string(), |c| format!("{:.3}", c.error)),
                    at_median.map_or("–".to_string(), |f| format!("{f:.3}")),
                    pct(c.map(|c| c.coverage)),
                );
            }
        }
    }

    fn cell_table(&self, md: &mut String, cells: &[CellReport], by_d: bool) {
        let names: Vec<String> =
            super::EstimatorId::ALL.iter().map(|e| format!("{} (nats²)", e.label(&self.model_name))).collect();
        let lead = if by_d { "| d | n |" } else { "| n |" };
        let _ = writeln!(
            md,
            "{lead} datasets | {} | {} 90% coverage | mean 90% width (nats) |",
            names.join(" | "),
            self.model_name
        );
        let _ = writeln!(md, "|{}---|{}---|---|", "---|".repeat(if by_d { 2 } else { 1 }), "---|".repeat(names.len()));
        for c in cells {
            let mse: Vec<String> = c.estimators.iter().map(|(_, s): &(EstimatorId, ErrorStats)| opt(s.mse)).collect();
            let lead = match c.d {
                Some(d) if by_d => format!("| {d} | {} |", c.n),
                _ => format!("| {} |", c.n),
            };
            let (coverage, width) = (pct(c.model_coverage.coverage), opt(c.model_coverage.mean_width));
            let _ = writeln!(md, "{lead} {} | {} | {coverage} | {width} |", c.datasets, mse.join(" | "));
        }
        let _ = writeln!(md);
    }

    fn low_d_section(&self, md: &mut String, low: &LowDReport) {
        let _ = writeln!(md, "## Low dimensions, large n\n");
        let _ = writeln!(
            md,
            "Every IMD and OoMD family at dx = dy = d, {} recipes per (family, d), the same recipes (true MI) at every \
             n. MSE in nats² per (d, n), and the model's central 90% interval.\n",
            mist_synth::grids::REPEATS
        );
        self.cell_table(md, &low.cells, true);
        let wins = |n: usize| {
            let at: Vec<&FamilyCell> = low.families.iter().filter(|c| c.n == n).collect();
            let won = at.iter().filter(|c| matches!((c.model, c.ksg), (Some(m), Some(k)) if m <= k)).count();
            format!("{won} of {} at n = {n}", at.len())
        };
        let _ = writeln!(
            md,
            "{} against KSG per family: MSE (nats²) `model / KSG`, **bold** where the model's is at most KSG's. \
             (family, d) cells where it is: {}.\n",
            self.model_name,
            mist_synth::grids::LOW_D_N.map(wins).join(", ")
        );
        let ns = mist_synth::grids::LOW_D_N;
        let header: Vec<String> = ns.iter().map(|n| format!("n = {n}")).collect();
        let _ = writeln!(md, "| d | family | {} |\n|---|---|{}", header.join(" | "), "---|".repeat(ns.len()));
        let mut rows: Vec<(usize, &str)> = low.families.iter().map(|c| (c.d, c.family.as_str())).collect();
        rows.dedup();
        for (d, family) in rows {
            let cells: Vec<String> = ns
                .iter()
                .map(|&n| match low.families.iter().find(|c| (c.d, c.family.as_str(), c.n) == (d, family, n)) {
                    Some(FamilyCell { model: Some(m), ksg: Some(k), .. }) if m <= k => {
                        format!("**{} / {}**", num(*m), num(*k))
                    }
                    Some(c) => format!("{} / {}", opt(c.model), opt(c.ksg)),
                    None => "—".to_string(),
                })
                .collect();
            let _ = writeln!(md, "| {d} | {family} | {} |", cells.join(" | "));
        }
        let _ = writeln!(md);
    }

    fn everyday_section(&self, md: &mut String, report: &EverydayReport) {
        let _ = writeln!(md, "## Everyday data\n");
        let _ = writeln!(
            md,
            "Independence with assorted marginals, weak dense dependence (Gaussian and Student-t copulas), rounded \
             measurements (truth: the MI before rounding) and four of the study's families, dx = dy = d; the same \
             recipes at every n. Acceptance lines:\n"
        );
        let _ = writeln!(md, "| line | measured | holds |\n|---|---|---|");
        for l in &report.lines {
            let _ = writeln!(md, "| {} | {} | {} |", l.line, l.measured, if l.holds { "yes" } else { "**no**" });
        }
        let names: Vec<String> = everyday::ESTIMATORS.iter().map(|e| e.label(&self.model_name)).collect();
        let _ = writeln!(
            md,
            "\nPer (family, d, n): mean true MI, each estimator's mean estimate (± standard error) and mean absolute \
             error, all in nats: `mean ± se / MAE`. Estimators: {}. Then the model's 90% coverage, the share of \
             its q0.05 at most 0.01, and its refusals.\n",
            names.join(", ")
        );
        let header: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let _ = writeln!(
            md,
            "| family | d | n | datasets | truth | {} | coverage | q0.05 ≤ 0.01 | refused |\n|---|---|---|---|---|{}---|---|---|",
            header.join(" | "),
            "---|".repeat(header.len())
        );
        for c in &report.cells {
            let estimates: Vec<String> = c
                .mean
                .iter()
                .zip(&c.mae)
                .map(|(m, e)| match (m, e) {
                    (Some(m), Some(e)) => format!("{} ± {} / {}", num(m.mean), num(m.se), num(*e)),
                    _ => "—".to_string(),
                })
                .collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                c.family,
                c.d,
                c.n,
                c.datasets,
                num(c.truth),
                estimates.join(" | "),
                pct(c.coverage),
                pct(c.q05_near_zero),
                c.refused
            );
        }
        let _ = writeln!(md);
    }

    fn paired_table(&self, md: &mut String, cells: &[CellReport]) {
        let _ = writeln!(
            md,
            "{}'s squared error at n minus its mean squared error over the recipe's 500-row draws, averaged over \
             recipes (± one standard error); below zero, the larger sample is the more accurate.\n",
            self.model_name
        );
        let _ = writeln!(md, "| n | recipes | MSE(n) − MSE(500) (nats²) |\n|---|---|---|");
        for c in cells {
            if let Some(p) = &c.vs_reference {
                let _ = writeln!(md, "| {} | {} | {:.4} ± {:.4} |", c.n, p.recipes, p.mean, p.standard_error);
            }
        }
        let _ = writeln!(md);
    }

    fn timing_section(&self, md: &mut String, rows: &[TimingRow]) {
        let _ = writeln!(md, "## Time per estimate\n");
        let _ = writeln!(
            md,
            "Median wall time of one whole estimate (preprocessing included; the model gets one dataset per call and \
             returns its point estimate and quantiles), same run, {} threads, after one warm-up.\n",
            self.threads
        );
        let ests = [EstimatorId::Model, EstimatorId::Ksg, EstimatorId::Gaussian];
        let _ = writeln!(
            md,
            "| n | dx = dy | {} |",
            ests.iter().map(|e| format!("{} (ms)", e.label(&self.model_name))).collect::<Vec<_>>().join(" | ")
        );
        let _ = writeln!(md, "|---|---|{}", "---|".repeat(ests.len()));
        let mut keys: Vec<(usize, usize)> = Vec::new();
        for r in rows {
            if !keys.contains(&(r.n, r.d)) {
                keys.push((r.n, r.d));
            }
        }
        keys.sort_by_key(|&(n, d)| (d, n));
        for (n, d) in keys {
            let cells: Vec<String> = ests
                .iter()
                .map(|&e| {
                    rows.iter()
                        .find(|r| r.n == n && r.d == d && r.estimator == e)
                        .map_or("–".to_string(), |r| ms(r.median_seconds))
                })
                .collect();
            let _ = writeln!(md, "| {n} | {d} | {} |", cells.join(" | "));
        }
        let _ = writeln!(md);
    }
}

/// A number with about three significant digits.
pub(crate) fn num(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        format!("{v}")
    } else if a == 0.0 {
        "0".to_string()
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else if a >= 0.001 {
        format!("{v:.3}")
    } else {
        format!("{v:.2e}")
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or("–".to_string(), num)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |c| format!("{:.1}%", 100.0 * c))
}

fn ms(seconds: f64) -> String {
    num(seconds * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(123.4), "123");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(4.5678), "4.57");
        assert_eq!(num(0.3456), "0.346");
        assert_eq!(num(0.00012), "1.20e-4");
        assert_eq!(pct(Some(0.9)), "90.0%");
        assert_eq!(opt(None), "–");
    }
}

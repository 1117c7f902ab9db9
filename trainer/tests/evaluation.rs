//! End-to-end checks of the evaluation driver with stand-in "models" (no training, no burn model).

use mist_synth::MetaSample;
use mist_trainer::evaluation::{EstimatorId, EvalOptions, EvalReport, GridName, N_BINS, evaluate};
use mist_trainer::inference::Prediction;

/// A "model" that knows the truth: point estimate and every quantile equal the true MI.
fn oracle(samples: &[MetaSample], taus: &[f32]) -> Vec<Prediction> {
    samples.iter().map(|s| Prediction { mi: s.mi, quantiles: vec![s.mi; taus.len()] }).collect()
}

/// A "model" off by +1 nat with a narrow quantile band around its wrong answer.
fn off_by_one(samples: &[MetaSample], taus: &[f32]) -> Vec<Prediction> {
    samples
        .iter()
        .map(|s| Prediction {
            mi: s.mi + 1.0,
            quantiles: taus.iter().map(|&t| s.mi + 1.0 + 0.1 * (f64::from(t) - 0.5)).collect(),
        })
        .collect()
}

/// A "model" whose error shrinks with n and grows with the truth: `(1 + MI) · 500 / n` nats too high.
fn sharper_with_n(samples: &[MetaSample], taus: &[f32]) -> Vec<Prediction> {
    samples
        .iter()
        .map(|s| {
            let mi = s.mi + (1.0 + s.mi) * 500.0 / s.x.nrows() as f64;
            Prediction { mi, quantiles: vec![mi; taus.len()] }
        })
        .collect()
}

fn quick(grids: Vec<GridName>, limit: usize, bootstrap: usize, timing: bool) -> EvalOptions {
    EvalOptions { grids, bootstrap_resamples: bootstrap, limit: Some(limit), timing, timing_reps: 1, progress: false }
}

#[test]
fn evaluation_smoke_run_with_an_oracle_writes_every_file() {
    let options = quick(GridName::ALL.to_vec(), 12, 20, true);
    let report = evaluate("oracle", &oracle, &options);

    // 12 datasets from each grid, spread over it.
    assert_eq!(report.datasets.len(), 12 * GridName::ALL.len());
    for g in GridName::ALL {
        let rs: Vec<_> = report.datasets.iter().filter(|r| r.grid == g).collect();
        assert_eq!(rs.len(), 12, "{g}");
        assert!(rs.windows(2).all(|w| w[0].index < w[1].index), "{g}: indices ascend");
        let distinct_n = rs.iter().map(|r| r.n).collect::<std::collections::BTreeSet<_>>().len();
        assert!(distinct_n >= 2, "{g}: the subset covers several n");
        for r in &rs {
            assert!(r.ksg.is_some_and(f64::is_finite) && r.gaussian.is_some_and(f64::is_finite), "{r:?}");
            assert_eq!(r.ksg_interval.is_some(), g.is_binned(), "bootstrap on IMD/OoMD/validation only: {r:?}");
        }
    }

    // The oracle's MSE is exactly 0 everywhere; the baselines' are finite and positive.
    assert_eq!(report.test_grids.len(), 3);
    for g in &report.test_grids {
        assert_eq!(g.datasets, 12);
        // GCMI refuses datasets with n ≤ dx + dy + 1 (a failure, never a number).
        let gcmi_fits = report.datasets.iter().filter(|r| r.grid == g.grid && r.n > r.dx + r.dy + 1).count();
        for e in &g.estimators {
            let overall = &e.errors.overall;
            let answered = if e.estimator == EstimatorId::Gcmi { gcmi_fits } else { 12 };
            assert_eq!(overall.count, answered, "{:?}", e.estimator);
            assert_eq!(overall.failures, 12 - answered);
            let mse = overall.mse.unwrap();
            match e.estimator {
                EstimatorId::Model | EstimatorId::ModelMedian => {
                    assert_eq!(mse, 0.0);
                    assert!(e.errors.bins.iter().all(|b| b.mse.is_none_or(|m| m == 0.0)));
                    assert!(e.errors.per_family.iter().all(|f| f.stats.mse == Some(0.0)));
                }
                EstimatorId::Ksg | EstimatorId::Gaussian | EstimatorId::Gcmi => {
                    assert!(mse.is_finite() && mse > 0.0, "{e:?}")
                }
            }
        }
        assert_eq!(g.estimators[0].errors.bins.len(), N_BINS.len());
        // Quantiles equal to the truth: every fraction is 1, so the error is mean |τ − 1| = 0.5.
        let cal = g.calibration.as_ref().unwrap();
        assert!(cal.fractions.iter().all(|&f| f == 1.0));
        assert!((cal.error - 0.5).abs() < 1e-12);
        assert_eq!(cal.coverage, 1.0);
        let ksg = g.ksg_bootstrap.as_ref().unwrap();
        assert_eq!(ksg.count, 12);
        assert!(ksg.coverage.is_some_and(|c| (0.0..=1.0).contains(&c)));
    }
    let large = report.large_n.as_ref().unwrap();
    assert!(large.iter().all(|c| [500, 1000, 2000, 5000].contains(&c.n) && c.d.is_none()));
    assert!(large.iter().all(|c| c.estimators[0].1.mse == Some(0.0)));
    let dims = report.dimension_sweep.as_ref().unwrap();
    assert!(dims.iter().all(|c| c.d.is_some() && [100, 500].contains(&c.n)));
    let low = report.low_d.as_ref().unwrap();
    assert!(low.cells.iter().all(|c| c.d.is_some_and(|d| [1, 2, 4].contains(&d)) && c.n >= 500));
    assert_eq!(low.cells.iter().map(|c| c.datasets).sum::<usize>(), 12);
    assert_eq!(low.families.iter().map(|c| c.datasets).sum::<usize>(), 12);
    assert!(low.families.iter().all(|c| c.model == Some(0.0) && c.ksg.is_some_and(|k| k.is_finite())), "{low:?}");
    let timing = report.timing.as_ref().unwrap();
    assert_eq!(timing.len(), 3 * 2 * 3);
    assert!(timing.iter().all(|t| t.median_seconds > 0.0 && t.median_seconds.is_finite()));

    // Files.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eval");
    report.write(&out).unwrap();
    let json = std::fs::read_to_string(out.join("evaluation.json")).unwrap();
    let back: EvalReport = serde_json::from_str(&json).unwrap();
    assert!(back == report, "evaluation.json reads back to the same report");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["units"], "nats");
    let md = std::fs::read_to_string(out.join("evaluation.md")).unwrap();
    for needle in [
        "nats²",
        "(nats)",
        "MIST-QR (median) (study)",
        "| 3.1 | 0.34 | 0.28 | 8.0 | 7.3 | 8.8 |",
        "[300,500]",
        "## Low dimensions, large n",
        "cells where it is:",
    ] {
        assert!(md.contains(needle), "evaluation.md lacks {needle:?}:\n{md}");
    }
    for (name, label) in [
        ("mse_vs_n_imd.svg", "MSE (nats²)"),
        ("mse_vs_n_oomd.svg", "MSE (nats²)"),
        ("calibration.svg", "τ (quantile level)"),
        ("estimate_vs_truth.svg", "true MI (nats)"),
    ] {
        let svg = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{name}");
        assert!(svg.contains("<text") && svg.contains(label), "{name} lacks its axis label {label:?}");
    }
}

#[test]
fn evaluation_errors_and_calibration_of_a_biased_model() {
    let report = evaluate("biased", &off_by_one, &quick(vec![GridName::Oomd], 30, 0, false));
    let g = report.test_grid(GridName::Oomd).unwrap();
    for e in &g.estimators[..2] {
        for b in e.errors.bins.iter().filter(|b| b.count > 0) {
            assert!((b.mse.unwrap() - 1.0).abs() < 1e-9 && (b.bias.unwrap() - 1.0).abs() < 1e-9, "{b:?}");
        }
    }
    let cal = g.calibration.as_ref().unwrap();
    assert!(cal.fractions.iter().all(|&f| f == 1.0), "truth is below every quantile: {cal:?}");
    assert_eq!(cal.coverage, 0.0);
    assert!((cal.error - 0.5).abs() < 1e-12);
    assert!(g.ksg_bootstrap.is_none() && report.timing.is_none() && report.large_n.is_none());
    assert_eq!(report.bin_mse(GridName::Oomd, EstimatorId::Model, 2).map(|m| (m - 1.0).abs() < 1e-9), Some(true));
    // Every base family (OoMD has three) is off the same way: error ½, truth below every median.
    let md = report.markdown();
    let section = md.split("By base family:").nth(1).expect("a by-base table").split("\n\n").nth(1).unwrap();
    let by_base: Vec<&str> = section.lines().filter(|l| l.starts_with("| OoMD | ")).collect();
    let bases: Vec<&str> = by_base.iter().map(|l| l.split(" | ").nth(1).unwrap()).collect();
    assert_eq!(bases, ["additive-noise", "normal", "student"], "by-base rows:\n{md}");
    assert!(by_base.iter().all(|l| l.ends_with("| 0.500 | 1.000 | 0.0% |")), "{by_base:?}");
    // So is every range of the true MI; the ranges come in increasing order and hold every dataset.
    let section = md.split("By true MI (nats):").nth(1).expect("a by-truth table").split("\n\n").nth(1).unwrap();
    let by_truth: Vec<Vec<&str>> =
        section.lines().filter(|l| l.starts_with("| OoMD | ")).map(|l| l.split(" | ").collect()).collect();
    let order = ["< 0.1", "[0.1, 0.5)", "[0.5, 2)", "[2, 5)", "≥ 5"];
    let ranges: Vec<usize> = by_truth.iter().map(|r| order.iter().position(|&o| o == r[1]).unwrap()).collect();
    assert!(ranges.len() > 1 && ranges.is_sorted(), "by-truth rows:\n{md}");
    assert_eq!(by_truth.iter().map(|r| r[2].parse::<usize>().unwrap()).sum::<usize>(), 30);
    assert!(by_truth.iter().all(|r| r[3..] == ["0.500", "1.000", "0.0% |"]), "{by_truth:?}");
}

#[test]
fn large_n_compares_each_n_with_the_same_recipes_at_500() {
    let report = evaluate("sharper", &sharper_with_n, &quick(vec![GridName::LargeN], 100_000, 0, false));
    let cells = report.large_n.as_ref().unwrap();
    let sizes: Vec<(usize, usize)> = cells.iter().map(|c| (c.n, c.datasets)).collect();
    assert_eq!(sizes, [(500, 360), (1000, 36), (2000, 36), (5000, 36)]);
    assert!(cells[0].vs_reference.is_none());
    // Every 500-row draw of a recipe is off by 1 + MI, the n-row estimate by (1 + MI) · 500 / n.
    let truths: Vec<f64> = report.datasets.iter().filter(|r| r.n == 5000).map(|r| r.truth).collect();
    for c in &cells[1..] {
        let p = c.vs_reference.as_ref().unwrap();
        let shrink = (500.0 / c.n as f64).powi(2) - 1.0;
        let expected = truths.iter().map(|t| (1.0 + t).powi(2) * shrink).sum::<f64>() / 36.0;
        assert_eq!(p.recipes, 36);
        assert!((p.mean - expected).abs() < 1e-9, "n = {}: {} vs {expected}", c.n, p.mean);
        assert!(p.standard_error > 0.0 && p.mean + 2.0 * p.standard_error < 0.0, "{p:?}");
    }
    let md = report.markdown();
    assert!(md.contains("| n | recipes | MSE(n) − MSE(500) (nats²) |"), "{md}");
    assert!(md.contains("drawn 10 times"), "{md}");
}

#[test]
fn evaluation_same_options_give_the_same_records() {
    let options = quick(vec![GridName::Imd], 5, 8, false);
    let a = evaluate("oracle", &oracle, &options);
    let b = evaluate("oracle", &oracle, &options);
    assert!(a.datasets == b.datasets, "records differ between two identical runs");
    assert!(a.datasets.iter().all(|r| r.ksg_interval.is_some()));
}

#[test]
#[should_panic(expected = "one prediction per dataset")]
fn evaluation_catches_a_model_that_drops_datasets() {
    let short = |samples: &[MetaSample], taus: &[f32]| oracle(&samples[1..], taus);
    evaluate("short", &short, &quick(vec![GridName::Imd], 3, 0, false));
}

//! The learned estimator's speed next to the classical baselines; prints Markdown tables.
//!
//! 1. Time per estimate (median wall time) of the model (the embedded default model through the
//!    safe Rust API, `mist::runtime::MistEstimator`), with its floating-point operations and the
//!    rate they run at (the whole estimate's time: preprocessing and summary included), the same on
//!    a handle with `threads = 1` (every call on one thread; the default handle lends a lone call
//!    with a large enough run more: docs/c-abi.md, "Threading"), KSG (k = 5) and Gaussian, for
//!    n ∈ {100, 500, 5000} and dx = dy = d ∈ {2, 16}, with the ratios; beside them the time of the
//!    model's summary features (`mist::summary::summary`, part of the model's time) of one chunk
//!    (the first `max_n` rows) and its ratio to the Gaussian estimate of the same chunk.
//! 2. The point estimate, the quantiles, and both from one call (`estimate_with_quantiles`, what
//!    `mist_estimate_with_quantiles` runs), with the one call's cost relative to a point estimate.
//! 3. Batch throughput: 1,000 datasets of n = 100 in one `estimate_batch` call (what
//!    `mist_estimate_batch` runs) against 1,000 single `estimate` calls.
//! 4. Scaling: a fixed number of estimates on one handle (options.threads = 2) from 1 and from 2
//!    calling threads (after a warm-up from two, so both rows run one thread per call).
//!
//! Run with `cargo bench --bench runtime` (about a minute on two cores). ONNX Runtime comes from
//! the search order of `include/mist.h` (`MIST_ORT_LIB`, or `vendor/onnxruntime/lib/` filled by
//! `scripts/setup-onnxruntime`).

mod common;
mod timing;

use common::{RHO, correlated};
use mist::baselines::{Estimator, Gaussian, Ksg};
use mist::runtime::{EstimatorOptions, MistEstimator};
use mist::summary::summary;
use ndarray::{Array2, s};
use std::hint::black_box;
use std::time::Instant;
use timing::{median_ms, seconds};

/// Floating-point operations of the shipped main model for one dataset of `n` rows and `taus`
/// quantile levels: 2 per multiply-add of its matrix products (element-wise ops, softmax and layer
/// norms, about 1% more, left out). Architecture of `MistModelConfig::compact` in
/// `trainer/src/model.rs`: 32 + 32 padded input columns, width 64, feed-forward 4 × 64, 2 ISAB
/// blocks of 16 inducing points, 1 PMA seed, 7 summary features, τ features 9 → 32. A dataset above
/// `max_n` rows runs as ⌈n / max_n⌉ chunks of its largest chunk's length.
fn model_flops(n: usize, max_n: usize, taus: usize) -> f64 {
    let (d_in, w, ff, inducing, seeds, summary, tau_in, tau_embed) = (64.0, 64.0, 256.0, 16.0, 1.0, 7.0, 9.0, 32.0);
    // Multiply-adds of a MAB with q queries over k keys: projections, scores, context, feed-forward.
    let mab = |q: f64, k: f64| w * w * (2.0 * q + 2.0 * k) + 2.0 * q * k * w + 2.0 * q * w * ff;
    let chunks = n.div_ceil(max_n);
    let rows = n.div_ceil(chunks) as f64;
    let encoder = rows * (d_in * w + w * w) + d_in * w;
    let isab = 2.0 * (mab(inducing, rows) + mab(rows, inducing));
    let pooling = mab(seeds, rows);
    let heads = summary * w
        + (seeds * w * w + w)
        + seeds * w * w
        + taus as f64 * (tau_in * tau_embed + tau_embed * w + w * w + w);
    2.0 * chunks as f64 * (encoder + isab + pooling + heads)
}

/// Median wall time in ms of repeated estimates.
fn median_estimate_ms(est: &dyn Estimator, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    median_ms(|| {
        black_box(est.estimate(x.view(), y.view()).expect("valid bench data"));
    })
}

fn main() {
    let started = Instant::now();
    let model = MistEstimator::new(EstimatorOptions::default()).expect("the embedded model loads");
    let one_thread = MistEstimator::new(EstimatorOptions { threads: 1, ..EstimatorOptions::default() })
        .expect("the embedded model loads");
    let info = model.info().clone();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "Learned model (embedded default: max dx = {}, max dy = {}, n in {}..={} per chunk) vs KSG (k = 5) and \
         Gaussian. {} CPUs, load average {}; KSG uses {} rayon threads. Data: dx = dy = d, corr(X_c, Y_c) = {RHO}.\n",
        info.max_dx,
        info.max_dy,
        info.min_n,
        info.max_n,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        rayon::current_num_threads(),
    );

    println!("## Time per estimate (median ms)\n");
    println!(
        "| n | d | model ms | model MFLOP | model GFLOP/s | model ms, threads = 1 | KSG ms | Gaussian ms | KSG / model \
         | model / Gaussian | summary ms, one chunk | summary / Gaussian, one chunk |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in [100, 500, 5000] {
        for d in [2, 16] {
            let (x, y) = correlated(n, d, 7);
            // The model first: KSG's rayon threads would share the cores for a while after it.
            let fits = d <= info.max_dx && d <= info.max_dy;
            let mist = if fits { median_estimate_ms(&model, &x, &y) } else { f64::NAN };
            let mist_one = if fits { median_estimate_ms(&one_thread, &x, &y) } else { f64::NAN };
            let ksg = median_estimate_ms(&Ksg::default(), &x, &y);
            let gauss = median_estimate_ms(&Gaussian, &x, &y);
            let rows = n.min(info.max_n);
            let (xc, yc) = (x.slice(s![..rows, ..]), y.slice(s![..rows, ..]));
            let chunk_gauss = median_estimate_ms(&Gaussian, &xc.to_owned(), &yc.to_owned());
            let summary_ms = median_ms(|| {
                black_box(summary(xc, yc));
            });
            let summary_cells = format!("{summary_ms:.3} | {:.1}", summary_ms / chunk_gauss);
            if !fits {
                println!("| {n} | {d} | — (d > max) | — | — | — | {ksg:.3} | {gauss:.3} | — | — | {summary_cells} |");
                continue;
            }
            // A point estimate feeds the quantile head one level (τ = ½).
            let flops = model_flops(n, info.max_n, 1);
            println!(
                "| {n} | {d} | {mist:.3} | {:.1} | {:.1} | {mist_one:.3} | {ksg:.3} | {gauss:.3} | {:.1} | {:.1} | \
                 {summary_cells} |",
                flops / 1e6,
                flops / (mist * 1e-3) / 1e9,
                ksg / mist,
                mist / gauss
            );
        }
    }

    println!("\n## Point estimate and quantiles (0.05, 0.5, 0.95): two calls or one (median ms)\n");
    println!("| n | d | point | quantiles | point + quantiles, one call | one call / point |");
    println!("|---:|---:|---:|---:|---:|---:|");
    let taus = [0.05, 0.5, 0.95];
    for (n, d) in [(100, 2), (500, 16), (5000, 2)] {
        let (x, y) = correlated(n, d, 9);
        let (x, y) = (x.view(), y.view());
        let point = median_ms(|| {
            black_box(model.estimate(x, y).expect("valid bench data"));
        });
        let quantiles = median_ms(|| {
            black_box(model.quantiles(x, y, &taus).expect("valid bench data"));
        });
        let both = median_ms(|| {
            black_box(model.estimate_with_quantiles(x, y, &taus).expect("valid bench data"));
        });
        println!("| {n} | {d} | {point:.3} | {quantiles:.3} | {both:.3} | {:.2} |", both / point);
    }

    println!("\n## Batch throughput: 1,000 datasets, n = 100, d = 2\n");
    let data: Vec<(Array2<f64>, Array2<f64>)> = (0..1000).map(|i| correlated(100, 2, 1000 + i)).collect();
    let views: Vec<_> = data.iter().map(|(x, y)| (x.view(), y.view())).collect();
    let batch_s = {
        let mut times: Vec<f64> = (0..3)
            .map(|_| {
                seconds(|| {
                    black_box(model.estimate_batch(&views).expect("valid bench data"));
                })
            })
            .collect();
        times.sort_unstable_by(f64::total_cmp);
        times[1]
    };
    let single_s = seconds(|| {
        for (x, y) in &views {
            black_box(model.estimate(*x, *y).expect("valid bench data"));
        }
    });
    println!("| method | seconds | datasets/s | speed-up |");
    println!("|---|---:|---:|---:|");
    println!("| 1,000 single calls | {single_s:.3} | {:.0} | 1.0 |", 1000.0 / single_s);
    println!("| one batch call (median of 3) | {batch_s:.3} | {:.0} | {:.1} |", 1000.0 / batch_s, single_s / batch_s);

    println!("\n## Threads on one handle (options.threads = 2): 400 estimates, n = 500, d = 2\n");
    let shared = MistEstimator::new(EstimatorOptions { threads: 2, ..EstimatorOptions::default() })
        .expect("the embedded model loads");
    let (x, y) = correlated(500, 2, 11);
    let run = |threads: usize, total: usize| {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..total / threads {
                        black_box(shared.estimate(x.view(), y.view()).expect("valid bench data"));
                    }
                });
            }
        });
    };
    // Warm-up from two threads, so that the handle's second session (created lazily, ~0.2 s) exists.
    run(2, 40);
    println!("| calling threads | seconds | estimates/s | speed-up |");
    println!("|---:|---:|---:|---:|");
    let mut base = 0.0;
    for threads in [1usize, 2] {
        let total = 400;
        let secs = seconds(|| run(threads, total));
        let rate = total as f64 / secs;
        if threads == 1 {
            base = rate;
        }
        println!("| {threads} | {secs:.3} | {rate:.0} | {:.2} |", rate / base);
    }
    println!("\n(total bench time {:.0} s)", started.elapsed().as_secs_f64());
}

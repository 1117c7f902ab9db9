//! mist's side of `scripts/bench-peers`: times the learned model and KSG on datasets written by
//! that script, so the Python peers (BMI, scikit-learn) are timed on the very same data.
//!
//! For every pair `DIR/NAME_x.npy`, `DIR/NAME_y.npy` (float64, n × d) it times the embedded
//! default model through `mist::runtime::MistEstimator` (loaded once, loading excluded) and
//! `mist::baselines::Ksg` (k = 5): one warm-up call, then the median of repeated calls. It prints
//! a Markdown table and writes `DIR/mist.json`, which `scripts/bench_peers.py` reads.
//!
//! Run with `cargo bench -p mist --bench peers -- DIR`; usually `scripts/bench-peers` runs it.

mod timing;

use mist::baselines::{Estimator, Ksg};
use mist::runtime::{EstimatorOptions, MistEstimator};
use ndarray::Array2;
use ndarray_npy::read_npy;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use timing::median_ms;

/// An estimate and the median seconds per call ([`median_ms`]).
fn timed(est: &dyn Estimator, x: &Array2<f64>, y: &Array2<f64>) -> (f64, f64) {
    let mi = est.estimate(x.view(), y.view()).expect("valid bench data");
    let ms = median_ms(|| {
        black_box(est.estimate(x.view(), y.view()).expect("valid bench data"));
    });
    (mi, ms / 1e3)
}

/// The datasets in `dir` as (name, x, y), ordered by n, then d.
fn datasets(dir: &Path) -> Vec<(String, Array2<f64>, Array2<f64>)> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut sets: Vec<_> = entries
        .filter_map(|entry| {
            let file = entry.expect("readable directory entry").file_name();
            let name = file.to_str()?.strip_suffix("_x.npy")?.to_owned();
            let read = |suffix: &str| -> Array2<f64> {
                let path = dir.join(format!("{name}_{suffix}.npy"));
                read_npy(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
            };
            Some((name.clone(), read("x"), read("y")))
        })
        .collect();
    sets.sort_by_key(|(_, x, _)| (x.nrows(), x.ncols()));
    sets
}

/// A JSON number, or `null` where there is none.
fn json(value: Option<f64>) -> String {
    value.map_or_else(|| "null".to_owned(), |v| format!("{v:e}"))
}

fn main() {
    // `cargo bench` appends `--bench` to the arguments after `--`.
    let Some(dir) = std::env::args().skip(1).find(|a| !a.starts_with("--")).map(PathBuf::from) else {
        eprintln!(
            "usage: cargo bench -p mist --bench peers -- DIR   (DIR holds NAME_x.npy, NAME_y.npy pairs; see scripts/bench-peers)"
        );
        std::process::exit(2);
    };
    let sets = datasets(&dir);
    assert!(!sets.is_empty(), "no NAME_x.npy files in {}", dir.display());
    let model = MistEstimator::new(EstimatorOptions::default()).expect("the embedded model loads");
    let info = model.info().clone();

    println!("| dataset | n | d | mist s | mist nats | KSG s | KSG nats |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    for (name, x, y) in &sets {
        let (n, d) = x.dim();
        let fits = x.ncols() <= info.max_dx && y.ncols() <= info.max_dy;
        let (mist_mi, mist_s) = if fits { timed(&model, x, y) } else { (f64::NAN, f64::NAN) };
        let (ksg_mi, ksg_s) = timed(&Ksg::default(), x, y);
        println!("| {name} | {n} | {d} | {mist_s:.5} | {mist_mi:.4} | {ksg_s:.5} | {ksg_mi:.4} |");
        let mist = |v: f64| json(fits.then_some(v));
        rows.push(format!(
            "{{\"name\": \"{name}\", \"n\": {n}, \"d\": {d}, \"mist_s\": {}, \"mist_mi\": {}, \"ksg_s\": {}, \"ksg_mi\": {}}}",
            mist(mist_s),
            mist(mist_mi),
            json(Some(ksg_s)),
            json(Some(ksg_mi)),
        ));
    }
    let out = format!(
        "{{\"model\": \"{}\", \"ksg_threads\": {}, \"rows\": [\n  {}\n]}}\n",
        info.label,
        rayon::current_num_threads(),
        rows.join(",\n  ")
    );
    let path = dir.join("mist.json");
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    println!("\nwrote {}", path.display());
}

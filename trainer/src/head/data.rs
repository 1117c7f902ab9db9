//! The head's training data: draws of the training meta-distribution with n above the set model's
//! 500 rows ([`Mix::large_n`]), or at every n with a share of everyday families ([`everyday`]), each
//! turned into the head's input by the runtime itself ([`MistEstimator::head_input`]), so that
//! training reads exactly what the runtime will compute.

use mist::runtime::MistEstimator;
use mist::runtime::head::{FEATURES, HeadInput};
use mist_synth::{Mix, Split, sample_mix};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The mix the head is trained on: n log-uniform above 500 rows, half the draws with dx, dy ≤ 4
/// (where KSG feature exists and users screen few variables), a tenth independent (MI exactly 0).
pub const MIX: Mix = Mix {
    low_dim_share: 0.5,
    independent_share: 0.1,
    below_rows_per_dim: None,
    large_n: true,
    low_dim: None,
    everyday_share: 0.0,
    unrounded_only: false,
    all_n: false,
};

/// Share of everyday-family draws ([`mist_synth::everyday_families`]) in an [`everyday`] mix.
pub const EVERYDAY_SHARE: f64 = 0.35;

/// `mix` for a head that answers every n: n log-uniform in [`mist_synth::ALL_N`] (10 to 50,000 rows,
/// about half of the draws at most 500), and [`EVERYDAY_SHARE`] of the draws from the everyday
/// families (independence, weak dense dependence, rounded measurements) instead.
pub const fn everyday(mix: Mix) -> Mix {
    Mix { all_n: true, everyday_share: EVERYDAY_SHARE, ..mix }
}

/// [`MIX`] with every draw at dx, dy ≤ 2 (where the families need no more): the corner where KSG is
/// nearly exact and the head must match it.
pub const LOW_MIX: Mix = Mix { low_dim_share: 1.0, low_dim: Some(2), ..MIX };

/// One dataset's head input and its truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadSample {
    /// Seed of the draw in its split.
    pub seed: u64,
    /// The family's name.
    pub family: String,
    /// Rows.
    pub n: usize,
    /// Columns of X.
    pub dx: usize,
    /// Columns of Y.
    pub dy: usize,
    /// True MI, nats.
    pub mi: f64,
    /// The chunks' mean point estimate, nats (the head answers offsets from it).
    pub mean: f64,
    /// The head's input features.
    pub features: Vec<f32>,
}

impl HeadSample {
    /// The runtime's input for this sample.
    pub fn input(&self) -> HeadInput {
        let mut features = [0.0; FEATURES];
        features.copy_from_slice(&self.features);
        HeadInput { features, mean: self.mean }
    }
}

/// Draws seeds `seeds` of `split` from `mix` ([`MIX`] or [`LOW_MIX`]), computes their head inputs with `estimator` and
/// appends them to `out` (JSON lines) in seed order, a block at a time; returns how many were
/// written. Draws the runtime refuses (e.g. data it reads as discrete) or that have no varying
/// column are skipped and counted in the log.
pub fn write(
    estimator: &MistEstimator,
    split: Split,
    mix: &Mix,
    seeds: std::ops::Range<u64>,
    out: &Path,
    log: &dyn Fn(String),
) -> Result<usize, String> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let (mut written, mut skipped) = (0, 0);
    let all: Vec<u64> = seeds.collect();
    for block in all.chunks(64) {
        let samples: Vec<Option<HeadSample>> = block
            .par_iter()
            .map(|&seed| {
                let s = sample_mix(split, seed, mix);
                let input = estimator.head_input(s.x.view(), s.y.view()).ok().flatten()?;
                Some(HeadSample {
                    seed,
                    family: s.family.to_string(),
                    n: s.x.nrows(),
                    dx: s.x.ncols(),
                    dy: s.y.ncols(),
                    mi: s.mi,
                    mean: input.mean,
                    features: input.features.to_vec(),
                })
            })
            .collect();
        for sample in samples {
            match sample {
                Some(sample) => {
                    let line = serde_json::to_string(&sample).map_err(|e| e.to_string())?;
                    writeln!(file, "{line}").map_err(|e| format!("{}: {e}", out.display()))?;
                    written += 1;
                }
                None => skipped += 1,
            }
        }
        log(format!("{written} written, {skipped} skipped (last seed {})", block[block.len() - 1]));
    }
    Ok(written)
}

/// Reads the samples [`write()`] wrote, each with [`FEATURES`] features.
pub fn read(path: &Path) -> Result<Vec<HeadSample>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let parse = |(i, line): (usize, &str)| {
        let at = format!("{}:{}", path.display(), i + 1);
        let sample: HeadSample = serde_json::from_str(line).map_err(|e| format!("{at}: {e}"))?;
        match sample.features.len() {
            FEATURES => Ok(sample),
            len => Err(format!("{at}: {len} features; this head reads {FEATURES}")),
        }
    };
    text.lines().enumerate().map(parse).collect()
}

/// The samples of every file of `paths` ([`read`]), in order.
pub fn read_all(paths: &[PathBuf]) -> Result<Vec<HeadSample>, String> {
    let mut samples = Vec::new();
    for path in paths {
        samples.extend(read(path)?);
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    /// The runtime reads n above the head's training range as its largest n: the two must agree.
    #[test]
    fn the_runtime_caps_n_where_the_head_data_ends() {
        assert_eq!(*mist_synth::LARGE_N.end(), mist::runtime::head::MAX_N);
    }
}

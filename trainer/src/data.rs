//! Training batches generated on the fly from the meta-dataset: rank-Gaussian, padded, bucketed by n.
//!
//! Every batch is a pure function of its step number (and the data config), so a resumed run sees
//! exactly the batches a straight run would have seen, and no RNG state needs saving.

use crate::model::ModelInput;
use burn::tensor::{Tensor, TensorData, backend::Backend};
use mist::padding::PaddedBatch;
use mist::preprocess::rank_gauss;
use mist::summary::{SUMMARY_LEN, summaries};
use mist_synth::{MetaSample, Mix, Split, sample_mix};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// How batches are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DataConfig {
    /// Datasets per batch.
    pub batch_size: usize,
    /// Batches per bucketing pool: a pool's datasets are sorted by n and cut into batches.
    pub pool_batches: usize,
    /// Quantile levels drawn per dataset per step.
    pub taus_per_dataset: usize,
    /// Width of the padded X block.
    pub max_dx: usize,
    /// Width of the padded Y block.
    pub max_dy: usize,
    /// The training mix ([`Mix`]). Validation draws the plain meta-distribution, restricted to
    /// [`Mix::below_rows_per_dim`] when that is set: the shares shape training only.
    pub mix: Mix,
    /// Pool that step 0 draws from: a fine-tune can start past the datasets its source saw.
    pub first_pool: u64,
}

/// One padded batch (the model's input layout, [`PaddedBatch`]) with its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Datasets in the batch.
    pub b: usize,
    /// Padded row count (the largest n in the batch).
    pub n: usize,
    /// Rank-Gaussian X and Y, padded, with row and column masks.
    pub input: PaddedBatch,
    /// `[b, SUMMARY_LEN]` summary features of the rank-Gaussian datasets ([`mist::summary`]).
    pub summary: Vec<f32>,
    /// `[b, taus_per_dataset]` quantile levels in (0, 1).
    pub tau: Vec<f32>,
    /// `[b]` true MI in nats.
    pub mi: Vec<f32>,
}

impl Batch {
    /// Rank-transforms and pads `samples` into one batch with their summary features; `tau` is
    /// `[b × taus]`.
    pub fn from_samples(samples: &[MetaSample], tau: Vec<f32>, max_dx: usize, max_dy: usize) -> Batch {
        let n = samples.iter().map(|s| s.x.nrows()).max().unwrap_or(0);
        let ranked: Vec<_> = samples.iter().map(|s| (rank_gauss(s.x.view()), rank_gauss(s.y.view()))).collect();
        let views = || ranked.iter().map(|(x, y)| (x.view(), y.view()));
        let (input, summary) = (PaddedBatch::new(views(), n, max_dx, max_dy), summaries(views()));
        Batch { b: samples.len(), n, input, summary, tau, mi: samples.iter().map(|s| s.mi as f32).collect() }
    }
}

impl DataConfig {
    /// The batches of bucketing pool `pool`, in step order: the pool's datasets (training split,
    /// consecutive seeds) sorted by n, cut into batches, visited in a fixed shuffled order so that
    /// n does not trend within a pool. Step `s` is batch `s % pool_batches` of pool `s / pool_batches`.
    pub fn pool(&self, pool: u64) -> Vec<Batch> {
        let per_pool = (self.batch_size * self.pool_batches) as u64;
        let seeds: Vec<u64> = (pool * per_pool..(pool + 1) * per_pool).collect();
        let mut samples: Vec<MetaSample> =
            seeds.par_iter().map(|&seed| sample_mix(Split::Train, seed, &self.mix)).collect();
        samples.sort_by_key(|s| s.x.nrows());
        let mut rng = ChaCha8Rng::seed_from_u64(pool ^ 0x6275_636b_6574);
        let mut order: Vec<usize> = (0..self.pool_batches).collect();
        order.shuffle(&mut rng);
        order
            .into_iter()
            .map(|bucket| {
                let chosen = &samples[bucket * self.batch_size..(bucket + 1) * self.batch_size];
                let tau =
                    (0..self.batch_size * self.taus_per_dataset).map(|_| rng.random_range(0.01f32..0.99)).collect();
                Batch::from_samples(chosen, tau, self.max_dx, self.max_dy)
            })
            .collect()
    }

    /// A fixed validation set of `count` datasets (validation split, seeds `0..count`), sorted by n
    /// and batched, with τ = 0.05, 0.5, 0.95 repeated to `taus_per_dataset` levels.
    pub fn validation(&self, count: usize) -> Vec<Batch> {
        let plain = Mix { below_rows_per_dim: self.mix.below_rows_per_dim, ..Mix::default() };
        let mut samples: Vec<MetaSample> =
            (0..count as u64).into_par_iter().map(|s| sample_mix(Split::Validation, s, &plain)).collect();
        samples.sort_by_key(|s| s.x.nrows());
        let levels = [0.05f32, 0.5, 0.95];
        samples
            .chunks(self.batch_size)
            .map(|chunk| {
                let tau =
                    (0..chunk.len() * self.taus_per_dataset).map(|i| levels[i % self.taus_per_dataset % 3]).collect();
                Batch::from_samples(chunk, tau, self.max_dx, self.max_dy)
            })
            .collect()
    }

    /// Batches from `start_step` on (step `s` in pool `first_pool + s / pool_batches`), generated
    /// on a background thread, `ahead` pools buffered.
    pub fn stream(self, start_step: u64, ahead: usize) -> impl Iterator<Item = (u64, Batch)> {
        let (tx, rx) = std::sync::mpsc::sync_channel(ahead.max(1) * self.pool_batches);
        std::thread::spawn(move || {
            let start_pool = start_step / self.pool_batches as u64;
            for pool in start_pool.. {
                for (slot, batch) in self.pool(self.first_pool + pool).into_iter().enumerate() {
                    let step = pool * self.pool_batches as u64 + slot as u64;
                    if step >= start_step && tx.send((step, batch)).is_err() {
                        return;
                    }
                }
            }
        });
        rx.into_iter()
    }
}

impl Batch {
    /// The batch as model input tensors on `device`.
    pub fn to_input<B: Backend>(&self, device: &B::Device) -> ModelInput<B> {
        let (b, n) = (self.b, self.n);
        let t = self.tau.len() / b.max(1);
        let p = &self.input;
        let max_dx = p.x_col_mask.len() / b.max(1);
        let max_dy = p.y_col_mask.len() / b.max(1);
        let t3 = |v: &[f32], w: usize| Tensor::<B, 3>::from_data(TensorData::new(v.to_vec(), [b, n, w]), device);
        let t2 = |v: &[f32], w: usize| Tensor::<B, 2>::from_data(TensorData::new(v.to_vec(), [b, w]), device);
        ModelInput {
            x: t3(&p.x, max_dx),
            y: t3(&p.y, max_dy),
            row_mask: t2(&p.row_mask, n),
            x_col_mask: t2(&p.x_col_mask, max_dx),
            y_col_mask: t2(&p.y_col_mask, max_dy),
            tau: t2(&self.tau, t),
            summary: t2(&self.summary, SUMMARY_LEN),
        }
    }

    /// The true MI of each dataset, `[b]`, in nats.
    pub fn targets<B: Backend>(&self, device: &B::Device) -> Tensor<B, 1> {
        Tensor::from_data(TensorData::new(self.mi.clone(), [self.b]), device)
    }

    /// The quantile levels, `[b, T]`.
    pub fn taus<B: Backend>(&self, device: &B::Device) -> Tensor<B, 2> {
        Tensor::from_data(TensorData::new(self.tau.clone(), [self.b, self.tau.len() / self.b.max(1)]), device)
    }
}

//! Training batches generated on the fly from the meta-dataset: rank-Gaussian, padded, bucketed by n.
//!
//! Every batch is a pure function of its step number (and the data config), so a resumed run sees
//! exactly the batches a straight run would have seen, and no RNG state needs saving.

use crate::model::ModelInput;
use burn::tensor::{Tensor, TensorData, backend::Backend};
use mist::preprocess::rank_gauss;
use mist::synth::{MetaSample, Split, sample};
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
}

/// One padded batch, as flat row-major `f32` buffers ready for any backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Datasets in the batch.
    pub b: usize,
    /// Padded row count (the largest n in the batch).
    pub n: usize,
    /// `[b, n, max_dx]` rank-Gaussian X, zero-padded.
    pub x: Vec<f32>,
    /// `[b, n, max_dy]` rank-Gaussian Y, zero-padded.
    pub y: Vec<f32>,
    /// `[b, n]`: 1 for a real row.
    pub row_mask: Vec<f32>,
    /// `[b, max_dx]`: 1 for a real X column.
    pub x_col_mask: Vec<f32>,
    /// `[b, max_dy]`: 1 for a real Y column.
    pub y_col_mask: Vec<f32>,
    /// `[b, taus_per_dataset]` quantile levels in (0, 1).
    pub tau: Vec<f32>,
    /// `[b]` true MI in nats.
    pub mi: Vec<f32>,
    /// Real rows of each dataset.
    pub rows: Vec<usize>,
}

impl Batch {
    /// Pads and rank-transforms `samples` into one batch; `tau` is `[b × taus]`.
    pub fn from_samples(samples: &[MetaSample], tau: Vec<f32>, max_dx: usize, max_dy: usize) -> Batch {
        let b = samples.len();
        let n = samples.iter().map(|s| s.x.nrows()).max().unwrap_or(0);
        let mut batch = Batch {
            b,
            n,
            x: vec![0.0; b * n * max_dx],
            y: vec![0.0; b * n * max_dy],
            row_mask: vec![0.0; b * n],
            x_col_mask: vec![0.0; b * max_dx],
            y_col_mask: vec![0.0; b * max_dy],
            tau,
            mi: samples.iter().map(|s| s.mi as f32).collect(),
            rows: samples.iter().map(|s| s.x.nrows()).collect(),
        };
        for (i, s) in samples.iter().enumerate() {
            assert!(s.x.ncols() <= max_dx && s.y.ncols() <= max_dy, "dims above the model's maximum");
            pad_into(&mut batch.x[i * n * max_dx..], &rank_gauss(s.x.view()), max_dx);
            pad_into(&mut batch.y[i * n * max_dy..], &rank_gauss(s.y.view()), max_dy);
            batch.row_mask[i * n..i * n + s.x.nrows()].fill(1.0);
            batch.x_col_mask[i * max_dx..i * max_dx + s.x.ncols()].fill(1.0);
            batch.y_col_mask[i * max_dy..i * max_dy + s.y.ncols()].fill(1.0);
        }
        batch
    }
}

/// Writes the rows of `m` into `dst` with a row stride of `width`.
fn pad_into(dst: &mut [f32], m: &ndarray::Array2<f64>, width: usize) {
    for (r, row) in m.rows().into_iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            dst[r * width + c] = *v as f32;
        }
    }
}

impl DataConfig {
    /// The batches of bucketing pool `pool`, in step order: the pool's datasets (training split,
    /// consecutive seeds) sorted by n, cut into batches, visited in a fixed shuffled order so that
    /// n does not trend within a pool. Step `s` is batch `s % pool_batches` of pool `s / pool_batches`.
    pub fn pool(&self, pool: u64) -> Vec<Batch> {
        let per_pool = (self.batch_size * self.pool_batches) as u64;
        let seeds: Vec<u64> = (pool * per_pool..(pool + 1) * per_pool).collect();
        let mut samples: Vec<MetaSample> = seeds.par_iter().map(|&seed| sample(Split::Train, seed)).collect();
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
        let mut samples: Vec<MetaSample> =
            (0..count as u64).into_par_iter().map(|s| sample(Split::Validation, s)).collect();
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

    /// Batches from `start_step` on, generated on a background thread, `ahead` pools buffered.
    pub fn stream(self, start_step: u64, ahead: usize) -> impl Iterator<Item = (u64, Batch)> {
        let (tx, rx) = std::sync::mpsc::sync_channel(ahead.max(1) * self.pool_batches);
        std::thread::spawn(move || {
            let first_pool = start_step / self.pool_batches as u64;
            for pool in first_pool.. {
                for (slot, batch) in self.pool(pool).into_iter().enumerate() {
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
        let max_dx = self.x_col_mask.len() / b.max(1);
        let max_dy = self.y_col_mask.len() / b.max(1);
        let t3 = |v: &[f32], w: usize| Tensor::<B, 3>::from_data(TensorData::new(v.to_vec(), [b, n, w]), device);
        let t2 = |v: &[f32], w: usize| Tensor::<B, 2>::from_data(TensorData::new(v.to_vec(), [b, w]), device);
        ModelInput {
            x: t3(&self.x, max_dx),
            y: t3(&self.y, max_dy),
            row_mask: t2(&self.row_mask, n),
            x_col_mask: t2(&self.x_col_mask, max_dx),
            y_col_mask: t2(&self.y_col_mask, max_dy),
            tau: t2(&self.tau, t),
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

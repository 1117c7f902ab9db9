//! Running a trained burn model on datasets: preprocessing, batching by n, chunking of large n.

use crate::data::Batch;
use crate::routing::RoutedModel;
use burn::tensor::backend::Backend;
use mist::chunking::chunks;
use mist::synth::MetaSample;
use ndarray::Axis;

/// The model's answer for one dataset, in nats.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Point estimate of MI.
    pub mi: f64,
    /// Quantiles of MI at the requested levels, sorted ascending.
    pub quantiles: Vec<f64>,
}

/// Predicts MI and the `taus` quantiles for every dataset, `batch_size` datasets per forward pass.
///
/// Datasets above `max_n` rows are split by [`mist::chunking::chunks`] (seed 0) and their chunk
/// predictions averaged.
pub fn predict<B: Backend>(
    model: &RoutedModel<B>,
    samples: &[MetaSample],
    taus: &[f32],
    max_n: usize,
    batch_size: usize,
    device: &B::Device,
) -> Vec<Prediction> {
    // Expand every dataset into its chunks, remembering the owner of each chunk.
    let mut parts: Vec<(usize, MetaSample)> = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        for rows in chunks(s.x.nrows(), max_n, 0) {
            let (x, y) = (s.x.select(Axis(0), &rows), s.y.select(Axis(0), &rows));
            parts.push((i, MetaSample { x, y, mi: s.mi, family: s.family, description: s.description.clone() }));
        }
    }
    // Similar n in one batch wastes little padding.
    parts.sort_by_key(|(_, s)| s.x.nrows());
    let mut sums = vec![(0.0, vec![0.0; taus.len()], 0usize); samples.len()];
    let config = &model.main.config;
    for group in parts.chunks(batch_size) {
        let owned: Vec<MetaSample> = group.iter().map(|(_, s)| s.clone()).collect();
        let tau = owned.iter().flat_map(|_| taus.iter().copied()).collect();
        let batch = Batch::from_samples(&owned, tau, config.max_dx, config.max_dy);
        let out = model.forward(batch.to_input::<B>(device));
        let mi = out.mi.into_data().to_vec::<f32>().expect("f32 output");
        let q = out.quantiles.into_data().to_vec::<f32>().expect("f32 output");
        for (j, (owner, _)) in group.iter().enumerate() {
            let entry = &mut sums[*owner];
            entry.0 += f64::from(mi[j]);
            for (t, acc) in entry.1.iter_mut().enumerate() {
                *acc += f64::from(q[j * taus.len() + t]);
            }
            entry.2 += 1;
        }
    }
    sums.into_iter()
        .map(|(mi, q, count)| {
            let mut quantiles: Vec<f64> = q.into_iter().map(|v| v / count as f64).collect();
            quantiles.sort_by(f64::total_cmp);
            Prediction { mi: mi / count as f64, quantiles }
        })
        .collect()
}

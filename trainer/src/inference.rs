//! Running a trained burn model on datasets: preprocessing, batching by n, chunking of large n.

use crate::data::Batch;
use crate::routing::RoutedModel;
use burn::tensor::backend::Backend;
use mist::chunking::{self, Chunk};
use mist_synth::MetaSample;
use ndarray::Axis;

/// The model's answer for one dataset, in nats.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Point estimate of MI.
    pub mi: f64,
    /// Quantiles of MI at the requested levels, sorted ascending.
    pub quantiles: Vec<f64>,
}

/// Predicts MI and the `taus` quantiles for every dataset the way the runtime does
/// ([`mist::chunking`]): datasets above `max_n` rows are split into chunks (seed 0), chunks of equal
/// length run together, at most `max_rows` padded rows per forward pass, and each dataset's chunk
/// predictions are averaged.
pub fn predict<B: Backend>(
    model: &RoutedModel<B>,
    samples: &[MetaSample],
    taus: &[f32],
    max_n: usize,
    max_rows: usize,
    device: &B::Device,
) -> Vec<Prediction> {
    let chunks: Vec<Chunk> =
        samples.iter().enumerate().flat_map(|(i, s)| chunking::plan(i, s.x.nrows(), max_n, 0)).collect();
    let part = |chunk: &Chunk| {
        let s = &samples[chunk.dataset];
        match &chunk.rows {
            None => s.clone(),
            Some(rows) => MetaSample {
                x: s.x.select(Axis(0), rows),
                y: s.y.select(Axis(0), rows),
                mi: s.mi,
                family: s.family,
                description: s.description.clone(),
            },
        }
    };
    let config = &model.main.config;
    let mut outputs = vec![(0.0, Vec::new()); chunks.len()];
    for run in chunking::runs(&chunks, max_rows) {
        let parts: Vec<MetaSample> = run.iter().map(|&i| part(&chunks[i])).collect();
        let tau = parts.iter().flat_map(|_| taus.iter().copied()).collect();
        let batch = Batch::from_samples(&parts, tau, config.max_dx, config.max_dy);
        let out = model.forward(batch.to_input::<B>(device));
        let mi = out.mi.into_data().to_vec::<f32>().expect("f32 output");
        let q = out.quantiles.into_data().to_vec::<f32>().expect("f32 output");
        for (j, &i) in run.iter().enumerate() {
            outputs[i] = (mi[j], q[j * taus.len()..(j + 1) * taus.len()].to_vec());
        }
    }
    chunking::combine(&chunks, &outputs, samples.len(), taus.len())
        .into_iter()
        .map(|(mi, mut quantiles)| {
            quantiles.sort_by(f64::total_cmp);
            Prediction { mi, quantiles }
        })
        .collect()
}

//! The library's runtime (`mist::runtime`: ONNX Runtime) and the trainer's own inference (burn) give
//! the same estimates for an exported model that reads summary features, alone or routed to a
//! rows-only expert below its gate: rank transform, summary features, padding and chunking agree
//! between the two pipelines. (A process of its own: ONNX Runtime is loaded once per process, here
//! by the runtime's own search.)
//!
//! Needs `vendor/onnxruntime` (`scripts/setup-onnxruntime`) or `MIST_ORT_LIB`.

use burn::backend::NdArray;
use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::{Distribution, Tensor, backend::Backend};
use mist::runtime::head::LEVELS;
use mist::runtime::{EstimatorOptions, MistEstimator, ModelSource};
use mist_synth::{MetaSample, Split, sample_family, training_families};
use mist_trainer::inference::predict;
use mist_trainer::onnx::{self, ExportMeta};
use mist_trainer::{Expert, MistModel, MistModelConfig, RoutedModel};

type TB = NdArray<f32>;

#[test]
fn runtime_and_burn_agree_on_a_summary_model() {
    let compact = MistModelConfig::compact();
    assert_eq!(compact.summary_len(), mist::summary::SUMMARY_LEN);
    agree(RoutedModel::single(summary_model(&compact), compact.clone()));
    // Routed: the (40, 16, 16) dataset below goes to the rows-only expert.
    let rows_config = MistModelConfig::new();
    let rows_only = Expert { model: rows_config.init::<TB>(&Default::default()), config: rows_config };
    let main = Expert { model: summary_model(&compact), config: compact };
    agree(RoutedModel::routed(main, rows_only).expect("a routable pair"));
}

/// A model of `config` (which reads the summary) with a random summary projection.
fn summary_model(config: &MistModelConfig) -> MistModel<TB> {
    assert!(config.summary);
    let device = Default::default();
    TB::seed(&device, 7);
    let mut model = config.init::<TB>(&device);
    // The projection starts at zero; random weights make the summary input matter.
    let proj = model.summary_proj.take().expect("compact models read the summary");
    let weight = Tensor::random(proj.weight.dims(), Distribution::Normal(0.0, 0.5), &device);
    model.summary_proj = Some(Linear { weight: Param::from_tensor(weight), ..proj });
    model
}

fn agree(model: RoutedModel<TB>) {
    let device = Default::default();
    let config = &model.main.config;
    let file = tempfile::Builder::new().suffix(".onnx").tempfile().unwrap().into_temp_path();
    onnx::write(&file, &model, &ExportMeta::new(10, 500, "runtime-agreement test")).unwrap();

    let options = EstimatorOptions { model: ModelSource::Path(file.to_path_buf()), threads: 1, ..Default::default() };
    let runtime = MistEstimator::new(options).expect("the runtime loads the exported model");
    assert_eq!(runtime.info().summary_len, config.summary_len(), "the exported graph's summary input");
    let families = training_families();
    let taus = [0.05f32, 0.5, 0.95];
    let cases = [(30, 1, 1), (250, 7, 3), (500, 32, 32), (1_300, 4, 9), (40, 16, 16)];
    let levels = LEVELS.map(|t| t as f32);
    for (seed, (n, dx, dy)) in cases.into_iter().enumerate() {
        let family = *families.iter().filter(|f| f.fits(dx, dy)).nth(seed * 17).expect("a family for these dims");
        let data = sample_family(family, n, dx, dy, Split::Validation, seed as u64);
        let taus64: Vec<f64> = taus.iter().map(|&t| f64::from(t)).collect();
        let (mi, q) = runtime.estimate_with_quantiles(data.x.view(), data.y.view(), &taus64).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-4 * (1.0 + b.abs());
        // The runtime answers for X and Y in their canonical order, with the point clamped into the
        // network's own [q0.05, q0.95] (the least and largest of its quantiles at the head's
        // levels) and at 0: burn's answer for one of the two orders, so post-processed.
        let swapped = MetaSample { x: data.y.clone(), y: data.x.clone(), ..data.clone() };
        let agrees = [data, swapped].iter().any(|d| {
            let burn = &predict(&model, std::slice::from_ref(d), &taus, 500, 4_000, &device)[0];
            let own = &predict(&model, std::slice::from_ref(d), &levels, 500, 4_000, &device)[0].quantiles;
            let (lo, hi) = (own.iter().copied().fold(f64::INFINITY, f64::min), own.iter().copied().fold(0.0, f64::max));
            let point = burn.mi.clamp(lo, hi.max(lo)).max(0.0);
            close(mi, point) && q.iter().zip(&burn.quantiles).all(|(a, b)| close(*a, b.max(0.0)))
        });
        assert!(agrees, "n = {n}, {dx}×{dy}: runtime {mi}, {q:?} matches burn in neither order");
    }
}

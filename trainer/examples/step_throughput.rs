//! Measures training-step throughput (forward + backward + AdamW update) of the compact model on
//! the CPU: batch 32, N = 255 rows, dx = dy = 8, T = 3 quantile levels.
//!
//! `cargo run --release -p mist-trainer --example step_throughput [--features flex] -- [steps] [config.json]`
//!
//! Without a config file the compact configuration is used. With the `flex` feature the Flex
//! backend is measured as well.

use std::time::Instant;

use burn::backend::{Autodiff, NdArray};
use burn::config::Config;
use burn::optim::{AdamWConfig, GradientsParams, Optimizer};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{Distribution, Tensor};
use mist::summary::SUMMARY_LEN;
use mist_trainer::{MistModel, MistModelConfig, ModelInput, num_params};

const BATCH: usize = 32;
const ROWS: usize = 255;
const DIM: usize = 8;

fn input<B: AutodiffBackend>(config: &MistModelConfig, device: &B::Device) -> ModelInput<B> {
    let col_mask = |max: usize| {
        let mask: Vec<f32> = (0..max).map(|j| f32::from(u8::from(j < DIM))).collect();
        Tensor::<B, 1>::from_floats(mask.as_slice(), device).reshape([1, max]).repeat_dim(0, BATCH)
    };
    let x_col_mask = col_mask(config.max_dx);
    let y_col_mask = col_mask(config.max_dy);
    let values = |mask: &Tensor<B, 2>, max: usize| {
        Tensor::<B, 3>::random([BATCH, ROWS, max], Distribution::Normal(0.0, 1.0), device)
            * mask.clone().unsqueeze_dim::<3>(1)
    };
    ModelInput {
        x: values(&x_col_mask, config.max_dx),
        y: values(&y_col_mask, config.max_dy),
        row_mask: Tensor::ones([BATCH, ROWS], device),
        x_col_mask,
        y_col_mask,
        tau: Tensor::<B, 1>::from_floats([0.1, 0.5, 0.9], device).reshape([1, 3]).repeat_dim(0, BATCH),
        summary: Tensor::random([BATCH, SUMMARY_LEN], Distribution::Uniform(0.0, 1.0), device),
    }
}

fn bench<B: AutodiffBackend>(name: &str, config: &MistModelConfig, steps: usize) {
    let device = B::Device::default();
    let mut model = config.init::<B>(&device);
    let mut optim = AdamWConfig::new().init();
    let data = input::<B>(config, &device);
    let target = Tensor::<B, 1>::ones([BATCH], &device);
    let mut run = |model: MistModel<B>| {
        let out = model.forward(data.clone());
        let loss = (out.mi - target.clone()).powi_scalar(2).mean() + out.quantiles.mean();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        optim.step(1e-4, model, grads)
    };
    for _ in 0..2 {
        model = run(model);
    }
    let start = Instant::now();
    for _ in 0..steps {
        model = run(model);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name}: {} params, {steps} steps, {:.1} ms/step, {:.1} datasets/s",
        num_params(&model),
        secs * 1e3 / steps as f64,
        (steps * BATCH) as f64 / secs
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let steps = args.next().map_or(20, |s| s.parse().expect("steps must be an integer"));
    let config = args.next().map_or_else(MistModelConfig::compact, |path| {
        MistModelConfig::load(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    });
    bench::<Autodiff<NdArray>>("Autodiff<NdArray>", &config, steps);
    #[cfg(feature = "flex")]
    bench::<Autodiff<burn::backend::Flex>>("Autodiff<Flex>", &config, steps);
}

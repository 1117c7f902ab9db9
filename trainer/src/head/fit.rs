//! Training the large-n head: a small perceptron over [`HeadSample`] features, fitted with AdamW on
//! the MSE of its point estimate plus the pinball loss of its quantiles, with the outputs read as
//! the runtime reads them ([`mist::runtime::head::Answer`]). The epoch with the lowest validation
//! loss is kept; the run folder holds the config, one metrics line per epoch and `best/head.json`,
//! the metadata the runtime reads.

use super::data::HeadSample;
use burn::config::Config;
use burn::module::{AutodiffModule, Module};
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamWConfig, GradientsParams, Optimizer};
use burn::tensor::activation::softmax;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Tensor, TensorData};
use mist::preprocess::normal_quantile;
use mist::runtime::head::{CANDIDATES, FEATURES, Head, HeadInput, Layer, MAX_LOG_SCALE, OUTPUTS};
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How a head is trained.
#[derive(Config, Debug)]
pub struct HeadConfig {
    /// Widths of the hidden layers.
    #[config(default = "vec![128, 128]")]
    pub hidden: Vec<usize>,
    /// Passes over the training samples.
    #[config(default = 300)]
    pub epochs: usize,
    /// Samples per step.
    #[config(default = 256)]
    pub batch_size: usize,
    /// AdamW learning rate at the start; it decays along a cosine to 1% of this at the last epoch.
    #[config(default = 1e-3)]
    pub learning_rate: f64,
    /// AdamW decoupled weight decay.
    #[config(default = 1e-4)]
    pub weight_decay: f64,
    /// Weight of the mean pinball loss beside the point MSE.
    #[config(default = 1.0)]
    pub quantile_weight: f64,
    /// With `v`, each sample's squared error weighs `1 / (s² + v)` and its pinball loss
    /// `1 / √(s² + v)`, `s` being its [`HeadInput::scale`] (nats): the less certain the set model is
    /// of one chunk, the less a sample decides the fit, so that datasets the chunks and KSG pin
    /// down (few dimensions) are fitted as closely as the uncertain ones. `None`: every sample
    /// weighs 1.
    #[config(default = "Some(0.01)")]
    pub noise_floor: Option<f64>,
    /// Levels the pinball loss is taken at.
    #[config(default = "vec![0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]")]
    pub taus: Vec<f64>,
    /// Seed of the initial weights and of the sample order.
    #[config(default = 0)]
    pub seed: u64,
}

/// The perceptron: `Linear → ReLU → … → Linear` from [`FEATURES`] to [`OUTPUTS`].
#[derive(Module, Debug)]
pub struct HeadNet<B: Backend> {
    layers: Vec<Linear<B>>,
}

impl<B: Backend> HeadNet<B> {
    /// A freshly initialised network for `config`.
    pub fn new(config: &HeadConfig, device: &B::Device) -> Self {
        let mut widths = vec![FEATURES];
        widths.extend(&config.hidden);
        widths.push(OUTPUTS);
        HeadNet { layers: widths.windows(2).map(|w| LinearConfig::new(w[0], w[1]).init(device)).collect() }
    }

    /// Raw outputs `[batch, OUTPUTS]` for features `[batch, FEATURES]`.
    pub fn forward(&self, mut a: Tensor<B, 2>) -> Tensor<B, 2> {
        for (i, layer) in self.layers.iter().enumerate() {
            a = layer.forward(a);
            if i + 1 < self.layers.len() {
                a = a.clamp_min(0.0);
            }
        }
        a
    }

    /// Each layer's `(weights [inputs, outputs], biases)`, as [`Head::format`] takes them.
    pub fn weights(&self) -> Vec<Layer> {
        self.layers
            .iter()
            .map(|layer| {
                let w = layer.weight.val();
                let [i, o] = w.dims();
                let w = w.into_data().to_vec::<f32>().expect("f32 weights");
                let b =
                    layer.bias.as_ref().expect("layers have biases").val().into_data().to_vec::<f32>().expect("f32");
                (Array2::from_shape_vec((i, o), w).expect("shape of the weights"), Array1::from(b))
            })
            .collect()
    }
}

/// Samples as tensors: features `[b, FEATURES]`, candidates and their availability (1 or 0)
/// `[b, CANDIDATES]` ([`HeadInput::candidates`]) and truths `[b]`.
struct Batch<B: Backend> {
    features: Tensor<B, 2>,
    candidates: Tensor<B, 2>,
    available: Tensor<B, 2>,
    mi: Tensor<B, 1>,
    /// Each sample's weight in the squared error ([`HeadConfig::noise_floor`]), summing to 1.
    weight: Tensor<B, 1>,
    /// Each sample's [`HeadInput::scale`].
    scale: Tensor<B, 1>,
}

impl<B: Backend> Batch<B> {
    fn new(samples: &[&HeadSample], noise_floor: Option<f64>, device: &B::Device) -> Self {
        let b = samples.len();
        let inputs: Vec<HeadInput> = samples.iter().map(|s| s.input()).collect();
        let features: Vec<f32> = inputs.iter().flat_map(|i| i.features).collect();
        let (mut candidates, mut available) = (Vec::new(), Vec::new());
        for input in &inputs {
            let (values, exists) = input.candidates();
            candidates.extend(values.map(|v| v as f32));
            available.extend(exists.map(|e| f32::from(u8::from(e))));
        }
        let mi: Vec<f32> = samples.iter().map(|s| s.mi as f32).collect();
        let scales: Vec<f64> = inputs.iter().map(HeadInput::scale).collect();
        let weight: Vec<f64> = scales.iter().map(|s| noise_floor.map_or(1.0, |v| 1.0 / (s * s + v))).collect();
        let scale: Vec<f32> = scales.iter().map(|&s| s as f32).collect();
        let total: f64 = weight.iter().sum();
        let weight: Vec<f32> = weight.iter().map(|w| (w / total) as f32).collect();
        Batch {
            weight: Tensor::from_data(TensorData::new(weight, [b]), device),
            scale: Tensor::from_data(TensorData::new(scale, [b]), device),
            features: Tensor::from_data(TensorData::new(features, [b, FEATURES]), device),
            candidates: Tensor::from_data(TensorData::new(candidates, [b, CANDIDATES]), device),
            available: Tensor::from_data(TensorData::new(available, [b, CANDIDATES]), device),
            mi: Tensor::from_data(TensorData::new(mi, [b]), device),
        }
    }
}

/// The head's answers for `batch` as tensors `[b]`, computed as [`mist::runtime::head::Answer`]
/// computes them: point, median and the scales below and above the median.
struct Answers<B: Backend> {
    point: Tensor<B, 1>,
    median: Tensor<B, 1>,
    below: Tensor<B, 1>,
    above: Tensor<B, 1>,
}

impl<B: Backend> Answers<B> {
    fn new(net: &HeadNet<B>, batch: &Batch<B>) -> Self {
        let out = net.forward(batch.features.clone());
        let [b, _] = out.dims();
        let column = |i: usize| out.clone().slice([0..b, i..i + 1]).reshape([b]);
        // A softmax over the candidates that exist (the others' logits pushed far down).
        let logits = out.clone().slice([0..b, 4..OUTPUTS]) + (batch.available.clone() - 1.0) * 1e4;
        let base = (softmax(logits, 1) * batch.candidates.clone()).sum_dim(1).reshape([b]);
        let s = batch.scale.clone();
        let scale = |i: usize| column(i).clamp(-MAX_LOG_SCALE, MAX_LOG_SCALE).exp() * s.clone();
        Answers {
            point: base.clone() + column(0) * s.clone(),
            median: base + column(1) * s.clone(),
            below: scale(2),
            above: scale(3),
        }
    }

    /// The τ-quantiles.
    fn quantile(&self, tau: f64) -> Tensor<B, 1> {
        let z = normal_quantile(tau);
        self.median.clone() + self.below.clone() * z.min(0.0) + self.above.clone() * z.max(0.0)
    }
}

/// The weighted point MSE (nats²) and the weighted mean pinball loss over `taus` (nats) of
/// `answers` to `batch`, and the share of truths inside `[q(0.05), q(0.95)]`.
fn losses<B: Backend>(
    answers: &Answers<B>,
    batch: &Batch<B>,
    taus: &[f64],
) -> (Tensor<B, 1>, Tensor<B, 1>, Tensor<B, 1>) {
    let w = batch.weight.clone();
    let mse = ((answers.point.clone() - batch.mi.clone()).powi_scalar(2) * w.clone()).sum();
    // The pinball loss weighs √w, renormalised to sum to 1.
    let root = w.sqrt();
    let root = root.clone() / root.sum();
    let mut pinball = Tensor::zeros([1], &batch.mi.device());
    for &tau in taus {
        let u = batch.mi.clone() - answers.quantile(tau);
        pinball = pinball + ((u.clone() * tau).max_pair(u * (tau - 1.0)) * root.clone()).sum();
    }
    let pinball = pinball / taus.len() as f64;
    let (lo, hi) = (answers.quantile(0.05), answers.quantile(0.95));
    let inside = batch.mi.clone().greater_equal(lo).float() * batch.mi.clone().lower_equal(hi).float();
    (mse, pinball, inside.mean())
}

fn scalar<B: Backend>(t: Tensor<B, 1>) -> f64 {
    t.into_data().to_vec::<f32>().expect("f32")[0] as f64
}

/// One epoch's numbers, a line of `metrics.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// Epoch, from 1.
    pub epoch: usize,
    /// Mean training loss over the epoch's steps.
    pub train_loss: f64,
    /// Validation point MSE, nats² (every sample weighing 1).
    pub val_mse: f64,
    /// Validation loss as training weighs it: weighted MSE + quantile weight × weighted pinball.
    pub val_loss: f64,
    /// Validation mean pinball loss, nats (weighted).
    pub val_pinball: f64,
    /// Validation coverage of the 90% interval.
    pub val_coverage: f64,
    /// The chunk mean's validation MSE (what the runtime answers without a head), nats².
    pub val_chunk_mse: f64,
}

/// Trains a head on `train`, keeps the epoch with the lowest validation loss (weighted as in
/// training) on `validation`, calibrates its intervals there (`calibrate`), and writes `run`
/// (config.json, metrics.jsonl, best/head.json). Returns the best epoch's metrics.
pub fn fit<B: AutodiffBackend>(
    config: &HeadConfig,
    train: &[HeadSample],
    validation: &[HeadSample],
    run: &Path,
    device: &B::Device,
    log: &dyn Fn(String),
) -> Result<EpochMetrics, String> {
    let io = |e: std::io::Error| format!("{}: {e}", run.display());
    std::fs::create_dir_all(run.join("best")).map_err(io)?;
    config.save(run.join("config.json")).map_err(io)?;
    let mut metrics = std::fs::File::create(run.join("metrics.jsonl")).map_err(io)?;
    B::seed(device, config.seed);
    let mut net = HeadNet::<B>::new(config, device);
    let mut optim = AdamWConfig::new().with_weight_decay(config.weight_decay as f32).init();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let valid_samples: Vec<&HeadSample> = validation.iter().collect();
    let valid = Batch::<B::InnerBackend>::new(&valid_samples, config.noise_floor, device);
    let val_chunk_mse = validation.iter().map(|s| (s.mean - s.mi).powi(2)).sum::<f64>() / validation.len() as f64;
    let mut order: Vec<&HeadSample> = train.iter().collect();
    let mut best: Option<(f64, EpochMetrics, Vec<Layer>)> = None;
    for epoch in 1..=config.epochs {
        order.shuffle(&mut rng);
        let progress = (epoch - 1) as f64 / (config.epochs.max(2) - 1) as f64;
        let lr = config.learning_rate * (0.01 + 0.99 * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()));
        let mut total = 0.0;
        let steps = order.chunks(config.batch_size);
        let count = steps.len();
        for samples in steps {
            let batch = Batch::<B>::new(samples, config.noise_floor, device);
            let (mse, pinball, _) = losses(&Answers::new(&net, &batch), &batch, &config.taus);
            let loss = mse + pinball * config.quantile_weight;
            total += scalar(loss.clone());
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optim.step(lr, net, grads);
        }
        let validated = net.valid();
        let answers = Answers::new(&validated, &valid);
        let (mse, pinball, inside) = losses(&answers, &valid, &config.taus);
        let val_loss = scalar(mse) + config.quantile_weight * scalar(pinball.clone());
        let m = EpochMetrics {
            epoch,
            train_loss: total / count as f64,
            val_mse: scalar((answers.point - valid.mi.clone()).powi_scalar(2).mean()),
            val_loss,
            val_pinball: scalar(pinball),
            val_coverage: scalar(inside),
            val_chunk_mse,
        };
        writeln!(metrics, "{}", serde_json::to_string(&m).map_err(|e| e.to_string())?).map_err(io)?;
        if best.as_ref().is_none_or(|(b, _, _)| val_loss < *b) {
            best = Some((val_loss, m.clone(), validated.weights()));
        }
        if epoch % 10 == 0 || epoch == 1 {
            log(format!(
                "epoch {epoch}: train loss {:.4}, val MSE {:.4} (chunk mean {:.4}) nats², pinball {:.4}, 90% coverage {:.3}",
                m.train_loss, m.val_mse, m.val_chunk_mse, m.val_pinball, m.val_coverage
            ));
        }
    }
    let (_, best, mut layers) = best.expect("at least one epoch");
    let (kappa, coverage) = calibrate(&mut layers, validation);
    log(format!("epoch {}: interval scales × {kappa:.3} for 90% validation coverage ({coverage:.3})", best.epoch));
    save(&layers, &best_head(run))?;
    let calibration = serde_json::json!({ "epoch": best.epoch, "interval_scale": kappa, "val_coverage": coverage });
    writeln!(metrics, "{calibration}").map_err(io)?;
    Ok(EpochMetrics { val_coverage: coverage, ..best })
}

/// Split-conformal calibration of the head's intervals on `validation`: the smallest factor κ (to
/// 0.1%) on the distances of q(0.05) and q(0.95) from the median that puts at least 90% of the
/// truths inside, folded into the biases of the two log-scale outputs (`+ ln κ`). Returns κ and
/// the coverage it reaches.
fn calibrate(layers: &mut [Layer], validation: &[HeadSample]) -> (f64, f64) {
    let (widths, weights) = Head::format(layers);
    let head = Head::parse(&widths, &weights).expect("a trained head reads back");
    let answers: Vec<(f64, f64, f64, f64)> = validation
        .iter()
        .map(|s| {
            let a = head.answer(&s.input());
            (s.mi, a.median, a.median - a.quantile(0.05), a.quantile(0.95) - a.median)
        })
        .collect();
    let coverage = |k: f64| {
        let inside = answers.iter().filter(|(mi, m, lo, hi)| m - k * lo <= *mi && *mi <= m + k * hi).count();
        inside as f64 / answers.len() as f64
    };
    let (mut lo, mut hi) = (0.1f64, 10.0f64);
    while hi / lo > 1.001 {
        let mid = (lo * hi).sqrt();
        if coverage(mid) >= 0.9 { hi = mid } else { lo = mid }
    }
    let last = layers.len() - 1;
    for output in [2, 3] {
        layers[last].1[output] += hi.ln() as f32;
    }
    (hi, coverage(hi))
}

/// The metadata of a head, as `head.json` holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadFile {
    /// `mist.head.widths`.
    pub widths: String,
    /// `mist.head.weights`.
    pub weights: String,
}

fn save(layers: &[Layer], path: &Path) -> Result<(), String> {
    let (widths, weights) = Head::format(layers);
    let json = serde_json::to_string(&HeadFile { widths, weights }).map_err(|e| e.to_string())?;
    std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display()))
}

/// Where the head run `run` keeps its best, calibrated head.
pub fn best_head(run: &Path) -> PathBuf {
    run.join("best").join("head.json")
}

/// Reads a `head.json` and checks that the runtime can read it.
pub fn load(path: &Path) -> Result<HeadFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: HeadFile = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Head::parse(&file.widths, &file.weights).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(file)
}

/// A line naming a head run for `mist.head.train`: `<run>, epoch <e> of <epochs>, val MSE <mse>
/// nats², intervals × <κ>`, from its config and the last two lines of its metrics (the best
/// epoch's numbers are looked up by the calibration line's epoch).
pub fn describe(run: &Path) -> Result<String, String> {
    let config = HeadConfig::load(run.join("config.json")).map_err(|e| format!("{}: {e}", run.display()))?;
    let path = run.join("metrics.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let lines: Vec<serde_json::Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let calibration = lines.last().filter(|l| l.get("interval_scale").is_some());
    let calibration = calibration.ok_or_else(|| format!("{}: no calibration line at the end", path.display()))?;
    let epoch = calibration["epoch"].as_u64().unwrap_or(0);
    let best = lines.iter().find(|l| l["epoch"].as_u64() == Some(epoch) && l.get("val_mse").is_some());
    let mse = best.and_then(|l| l["val_mse"].as_f64()).unwrap_or(f64::NAN);
    Ok(format!(
        "{}, epoch {epoch} of {}, val MSE {mse:.4} nats², intervals × {:.3}",
        run.display(),
        config.epochs,
        calibration["interval_scale"].as_f64().unwrap_or(f64::NAN)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::NdArray;

    /// Samples with varied features (KSG present in every other one) and truths near the chunk mean.
    fn samples(count: usize) -> Vec<HeadSample> {
        (0..count)
            .map(|i| {
                let v = |j: usize| ((i * 7 + j * 3) % 11) as f32 / 10.0;
                let mut features: Vec<f32> = (0..FEATURES).map(v).collect();
                features[7 + mist::whole_data::HAS_KSG] = (i % 2) as f32;
                let mean = f64::from(v(0)).exp_m1();
                HeadSample {
                    seed: i as u64,
                    family: "test".into(),
                    n: 1000,
                    dx: 1,
                    dy: 1,
                    mi: mean + 0.01 * (i % 5) as f64,
                    mean,
                    features,
                }
            })
            .collect()
    }

    #[test]
    fn training_reads_the_outputs_as_the_runtime_does() {
        let device = Default::default();
        let net = HeadNet::<NdArray>::new(&HeadConfig::new().with_hidden(vec![6]), &device);
        let data = samples(12);
        let batch = Batch::new(&data.iter().collect::<Vec<_>>(), None, &device);
        let answers = Answers::new(&net, &batch);
        let values = |t: Tensor<NdArray, 1>| t.into_data().to_vec::<f32>().unwrap();
        let (point, q05, q95) =
            (values(answers.point.clone()), values(answers.quantile(0.05)), values(answers.quantile(0.95)));
        let (widths, weights) = Head::format(&net.weights());
        let head = Head::parse(&widths, &weights).unwrap();
        for (i, sample) in data.iter().enumerate() {
            let a = head.answer(&sample.input());
            let close = |x: f32, y: f64| (f64::from(x) - y).abs() < 1e-4 * (1.0 + y.abs());
            assert!(close(point[i], a.point), "sample {i}: point {} vs runtime {}", point[i], a.point);
            assert!(close(q05[i], a.quantile(0.05)) && close(q95[i], a.quantile(0.95)), "sample {i}: quantiles");
        }
    }

    /// A fixed 20 → 6 → 8 network (a random one's intervals may lie beyond the factors searched),
    /// its log-scale outputs raised by 2: the samples read n up to e¹⁰ rows, where the scale is
    /// about a seventh of the chunks'.
    fn fixed_layers() -> Vec<Layer> {
        let w1 = Array2::from_shape_fn((FEATURES, 6), |(i, j)| ((i * 7 + j * 3) % 11) as f32 / 20.0 - 0.25);
        let w2 = Array2::from_shape_fn((6, OUTPUTS), |(i, j)| ((i * 5 + j) % 7) as f32 / 10.0 - 0.3);
        let b2 = Array1::from_shape_fn(OUTPUTS, |j| if j == 2 || j == 3 { 2.0 } else { 0.0 });
        vec![(w1, Array1::zeros(6)), (w2, b2)]
    }

    #[test]
    fn calibration_covers_90_percent_by_one_factor_on_both_scales() {
        let data = samples(40);
        let mut layers = fixed_layers();
        let (kappa, coverage) = calibrate(&mut layers, &data);
        assert!(coverage >= 0.9, "coverage {coverage} with factor {kappa}");
        // The factor is folded into the log-scale biases: the calibrated head's scales are the old
        // ones times κ.
        let (widths, weights) = Head::format(&layers);
        let calibrated = Head::parse(&widths, &weights).unwrap();
        let (w, b) = Head::format(&fixed_layers());
        let original = Head::parse(&w, &b).unwrap();
        let input = data[3].input();
        let (c, o) = (calibrated.answer(&input), original.answer(&input));
        assert!(((c.above / o.above) - kappa).abs() < 1e-4 * kappa, "{} vs {kappa}", c.above / o.above);
        assert!(((c.below / o.below) - kappa).abs() < 1e-4 * kappa);
        assert_eq!(calibrate(&mut fixed_layers(), &data).0, kappa, "deterministic");
    }
}

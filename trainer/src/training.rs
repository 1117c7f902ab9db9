//! The training loop: on-the-fly batches, MSE + pinball loss, AdamW with warm-up and cosine decay,
//! validation, checkpoints and an exact resume.
//!
//! A run folder holds `config.json`, `metrics.jsonl` (one JSON object per logged step),
//! `checkpoint/` (the latest model, optimizer and state, replaced atomically) and `best/` (the model
//! with the lowest validation MSE so far). With `ema_decay` set, the run also keeps an exponential
//! moving average of the weights (saved in `checkpoint/ema`), and that average is what is validated
//! and saved as `best/`. Batches are a pure function of the step, and the model's
//! initialisation a function of the seed (or of the saved model a fine-tune starts from), so
//! resuming from a checkpoint reproduces a straight run.

use crate::averaging::blend;
use crate::data::{Batch, DataConfig};
use crate::model::{MistModel, MistModelConfig, MistModelRecord};
use burn::config::Config;
use burn::grad_clipping::GradientClippingConfig;
use burn::module::{AutodiffModule, Module, ModuleVisitor, Param};
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{AdamW, AdamWConfig, GradientsParams, Optimizer};
use burn::record::{BinFileRecorder, FullPrecisionSettings, Recorder};
use burn::tensor::Tensor;
use burn::tensor::backend::{AutodiffBackend, Backend};
use mist_synth::Mix;
use serde::Serialize;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Everything that defines a training run; saved as `config.json` in the run folder.
#[derive(Config, Debug)]
pub struct TrainingConfig {
    /// The model's hyper-parameters.
    pub model: MistModelConfig,
    /// Datasets per step.
    #[config(default = 32)]
    pub batch_size: usize,
    /// Batches per bucketing pool (datasets of a pool are sorted by n before batching).
    #[config(default = 8)]
    pub pool_batches: usize,
    /// Quantile levels drawn per dataset per step.
    #[config(default = 4)]
    pub taus_per_dataset: usize,
    /// Peak learning rate.
    #[config(default = 5e-4)]
    pub learning_rate: f64,
    /// Steps of linear warm-up from 0 to the peak.
    #[config(default = 500)]
    pub warmup_steps: u64,
    /// Step at which the cosine decay reaches `final_lr_ratio · learning_rate` (constant after).
    #[config(default = 200_000)]
    pub decay_steps: u64,
    /// Final learning rate as a fraction of the peak.
    #[config(default = 0.05)]
    pub final_lr_ratio: f64,
    /// AdamW decoupled weight decay.
    #[config(default = 1e-5)]
    pub weight_decay: f32,
    /// Gradient clipping by norm (burn clips each parameter tensor separately).
    #[config(default = 1.0)]
    pub grad_clip: f32,
    /// Weight of the pinball loss relative to the point head's MSE.
    #[config(default = 1.0)]
    pub quantile_weight: f64,
    /// Validation datasets (validation split, fixed seeds).
    #[config(default = 512)]
    pub validation_size: usize,
    /// Steps between validations (and best-model updates).
    #[config(default = 500)]
    pub validate_every: u64,
    /// Steps between checkpoints.
    #[config(default = 500)]
    pub checkpoint_every: u64,
    /// Steps between progress lines and metric records.
    #[config(default = 50)]
    pub log_every: u64,
    /// Seed of the model initialisation.
    #[config(default = 42)]
    pub seed: u64,
    /// Share of training datasets drawn with dx, dy ≤ 4 (more mass where the uniform dims put
    /// little); 0 trains on the plain meta-distribution.
    #[config(default = 0.0)]
    pub low_dim_share: f64,
    /// A saved model folder (e.g. `training-runs/compact-v8/best`, relative to where training runs)
    /// whose weights a fresh run starts from instead of the seeded initialisation: a fine-tune.
    pub init_from: Option<String>,
    /// Bucketing pools of the training stream to skip ([`DataConfig::first_pool`]), so that a
    /// fine-tune sees datasets its source run did not (a pool is `batch_size · pool_batches`);
    /// none skipped when absent.
    pub data_first_pool: Option<u64>,
    /// Decay of the exponential moving average of the weights, updated after every step
    /// (`average ← decay · average + (1 − decay) · weights`, so it spans about `1 / (1 − decay)`
    /// steps); when set, validation and `best/` use the average. No average when absent.
    pub ema_decay: Option<f64>,
    /// Train and validate only on datasets with `n < k · (dx + dy)` for this `k`: a rows-only
    /// expert for the datasets below a main model's summary gate (`summary_min_rows_per_dim`);
    /// the whole meta-distribution when absent.
    pub below_rows_per_dim: Option<f64>,
    /// Share of training datasets made independent (true MI exactly 0, marginals unchanged;
    /// [`mist_synth::Mix::independent_share`]); validation stays on the plain meta-distribution.
    /// None when absent.
    pub independent_share: Option<f64>,
}

impl TrainingConfig {
    /// The batch generator this run uses.
    pub fn data(&self) -> DataConfig {
        DataConfig {
            batch_size: self.batch_size,
            pool_batches: self.pool_batches,
            taus_per_dataset: self.taus_per_dataset,
            max_dx: self.model.max_dx,
            max_dy: self.model.max_dy,
            mix: Mix {
                low_dim_share: self.low_dim_share,
                independent_share: self.independent_share.unwrap_or(0.0),
                below_rows_per_dim: self.below_rows_per_dim,
                large_n: false,
                low_dim: None,
                everyday_share: 0.0,
                unrounded_only: false,
                all_n: false,
            },
            first_pool: self.data_first_pool.unwrap_or(0),
        }
    }

    /// Learning rate at `step`: linear warm-up, then cosine decay to the final ratio.
    pub fn learning_rate_at(&self, step: u64) -> f64 {
        if step < self.warmup_steps {
            return self.learning_rate * (step + 1) as f64 / self.warmup_steps as f64;
        }
        let span = self.decay_steps.saturating_sub(self.warmup_steps).max(1) as f64;
        let progress = ((step - self.warmup_steps) as f64 / span).min(1.0);
        let cosine = 0.5 * (1.0 + (std::f64::consts::PI * progress).cos());
        self.learning_rate * (self.final_lr_ratio + (1.0 - self.final_lr_ratio) * cosine)
    }
}

/// Builds the model from `seed`. The backend's RNG is process-wide, so seeding and drawing happen
/// under one lock: runs started at the same time in one process stay reproducible. burn initialises
/// parameters lazily, on first access, so every parameter is materialised before the lock is freed.
pub fn seeded_init<B: Backend>(config: &MistModelConfig, seed: u64, device: &B::Device) -> MistModel<B> {
    static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    B::seed(device, seed);
    let model = config.init(device);
    model.visit(&mut Materialise);
    model
}

/// Touches every float parameter, which makes burn run its deferred initialisation now.
struct Materialise;

impl<B: Backend> ModuleVisitor<B> for Materialise {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        param.val();
    }
}

/// Where a run stands; saved with every checkpoint.
#[derive(Config, Debug)]
pub struct RunState {
    /// Steps completed.
    pub step: u64,
    /// Datasets trained on so far.
    pub datasets_seen: u64,
    /// Training wall time so far, in seconds, over all sessions.
    pub elapsed_secs: f64,
    /// Lowest validation MSE (nats²) seen so far.
    pub best_val_mse: f64,
    /// Step of the best validation MSE.
    pub best_step: u64,
}

/// When a call to [`train`] stops (whichever comes first; checkpoints are written on stop).
#[derive(Debug, Clone, Copy, Default)]
pub struct StopAt {
    /// Stop once this many steps are done in total (over all sessions).
    pub step: Option<u64>,
    /// Stop after this much wall time in this call.
    pub minutes: Option<f64>,
}

/// Validation metrics, in nats².
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Validation {
    /// MSE of the point head.
    pub mse: f64,
    /// Mean pinball loss of the quantile head at τ = 0.05, 0.5, 0.95.
    pub pinball: f64,
}

type Recorder32 = BinFileRecorder<FullPrecisionSettings>;

/// Point-head MSE and quantile-head pinball loss of one batch, each a scalar tensor.
pub fn losses<B: Backend>(model: &MistModel<B>, batch: &Batch, device: &B::Device) -> (Tensor<B, 1>, Tensor<B, 1>) {
    let out = model.forward(batch.to_input(device));
    let truth = batch.targets::<B>(device);
    let mse = (out.mi - truth.clone()).powi_scalar(2).mean();
    let tau = batch.taus::<B>(device);
    let [b, t] = tau.dims();
    let u = truth.reshape([b, 1]).expand([b, t]) - out.quantiles;
    let pinball = (u.clone() * tau.clone()).max_pair(u * (tau - 1.0)).mean();
    (mse, pinball)
}

/// Scores `model` on the validation batches.
pub fn validate<B: Backend>(model: &MistModel<B>, batches: &[Batch], device: &B::Device) -> Validation {
    let (mut mse, mut pinball, mut count) = (0.0, 0.0, 0usize);
    for batch in batches {
        let (m, p) = losses(model, batch, device);
        mse += scalar(m) * batch.b as f64;
        pinball += scalar(p) * batch.b as f64;
        count += batch.b;
    }
    Validation { mse: mse / count as f64, pinball: pinball / count as f64 }
}

fn scalar<B: Backend>(t: Tensor<B, 1>) -> f64 {
    t.into_data().to_vec::<f32>().expect("f32 scalar")[0] as f64
}

/// Trains (or, with `resume`, continues) the run in `run_dir` until `stop`; returns the final state.
///
/// A fresh run refuses a folder that already has a checkpoint; a resumed run uses the folder's
/// saved `config.json` (the given config must be identical).
pub fn train<B: AutodiffBackend>(
    config: &TrainingConfig,
    run_dir: &Path,
    resume: bool,
    stop: StopAt,
    device: &B::Device,
) -> Result<RunState, String> {
    let run = open_run::<B>(config, run_dir, resume, device)?;
    training_loop(config, run_dir, run, stop, device)
}

/// A run's optimizer: AdamW over the model's parameters.
type Optim<B> = OptimizerAdaptor<AdamW, MistModel<B>, B>;

/// A run opened for training: what the next step continues from.
struct Run<B: AutodiffBackend> {
    model: MistModel<B>,
    optim: Optim<B>,
    /// The exponential moving average of the weights, in runs with `ema_decay`.
    average: Option<MistModel<B::InnerBackend>>,
    state: RunState,
}

/// Opens the run in `run_dir`: from its checkpoint with `resume`, else a fresh run.
fn open_run<B: AutodiffBackend>(
    config: &TrainingConfig,
    run_dir: &Path,
    resume: bool,
    device: &B::Device,
) -> Result<Run<B>, String> {
    if let Some(decay) = config.ema_decay.filter(|d| !(0.0..1.0).contains(d)) {
        return Err(format!("ema_decay must be in [0, 1), not {decay}"));
    }
    fs::create_dir_all(run_dir).map_err(|e| format!("cannot create {}: {e}", run_dir.display()))?;
    let model = seeded_init(&config.model, config.seed, device);
    let optim = AdamWConfig::new()
        .with_weight_decay(config.weight_decay)
        .with_grad_clipping(Some(GradientClippingConfig::Norm(config.grad_clip)))
        .init();
    if resume {
        resume_run(config, run_dir, model, optim, device)
    } else {
        start_run(config, run_dir, model, optim, device)
    }
}

/// A fresh run from `model` (the seeded one, or the saved weights `init_from` names); writes the
/// run's `config.json`.
fn start_run<B: AutodiffBackend>(
    config: &TrainingConfig,
    run_dir: &Path,
    model: MistModel<B>,
    optim: Optim<B>,
    device: &B::Device,
) -> Result<Run<B>, String> {
    if run_dir.join("checkpoint").exists() {
        return Err(format!("{} already holds a run; pass --resume or choose another folder", run_dir.display()));
    }
    let model = match &config.init_from {
        Some(from) => load_init(model, Path::new(from), device)?,
        None => model,
    };
    let config_path = run_dir.join("config.json");
    config.save(&config_path).map_err(|e| format!("cannot write {}: {e}", config_path.display()))?;
    let average = config.ema_decay.map(|_| model.valid());
    Ok(Run { model, optim, average, state: RunState::new(0, 0, 0.0, f64::INFINITY, 0) })
}

/// The run as its checkpoint left it: model, optimizer, weight average and state.
fn resume_run<B: AutodiffBackend>(
    config: &TrainingConfig,
    run_dir: &Path,
    model: MistModel<B>,
    optim: Optim<B>,
    device: &B::Device,
) -> Result<Run<B>, String> {
    let config_path = run_dir.join("config.json");
    let saved =
        TrainingConfig::load(&config_path).map_err(|e| format!("cannot read {}: {e}", config_path.display()))?;
    if saved.to_string() != config.to_string() {
        return Err(format!("{} differs from the given config; resume with the saved one", config_path.display()));
    }
    let ckpt = run_dir.join("checkpoint");
    let state = RunState::load(ckpt.join("state.json"))
        .map_err(|e| format!("no checkpoint to resume in {}: {e}", ckpt.display()))?;
    let model = load_weights(model, &ckpt.join("model"), device).map_err(|e| format!("model checkpoint: {e}"))?;
    let record =
        Recorder32::new().load(ckpt.join("optim"), device).map_err(|e| format!("optimizer checkpoint: {e}"))?;
    let average = match config.ema_decay {
        Some(_) => {
            Some(load_weights(model.valid(), &ckpt.join("ema"), device).map_err(|e| format!("EMA checkpoint: {e}"))?)
        }
        None => None,
    };
    Ok(Run { model, optim: optim.load_record(record), average, state })
}

impl<B: AutodiffBackend> Run<B> {
    /// One optimizer step on `batch` at learning rate `lr`, and the weight average's update;
    /// returns the run and the batch's loss and point-head MSE.
    fn step(self, config: &TrainingConfig, batch: &Batch, lr: f64, device: &B::Device) -> (Self, f64, f64) {
        let Run { model, mut optim, average, mut state } = self;
        let (mse, pinball) = losses(&model, batch, device);
        let loss = mse.clone() + pinball * config.quantile_weight;
        let (loss_value, mse_value) = (scalar(loss.clone().inner()), scalar(mse.inner()));
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let model = optim.step(lr, model, grads);
        let average = average.zip(config.ema_decay).map(|(avg, decay)| blend(avg, &model.valid(), 1.0 - decay));
        state.step += 1;
        state.datasets_seen += batch.b as u64;
        (Run { model, optim, average, state }, loss_value, mse_value)
    }

    /// Validates the weight average (or the weights) and saves it as `best/` when it beats the best.
    fn validate_and_keep_best(
        &mut self,
        batches: &[Batch],
        run_dir: &Path,
        device: &B::Device,
    ) -> Result<Validation, String> {
        let validated = self.average.clone().unwrap_or_else(|| self.model.valid());
        let v = validate(&validated, batches, device);
        if v.mse < self.state.best_val_mse {
            self.state.best_val_mse = v.mse;
            self.state.best_step = self.state.step;
            save_model(&validated, &run_dir.join("best"), &self.state)?;
        }
        Ok(v)
    }

    /// Writes model, weight average (if any), optimizer and state into `dir` (replacing it
    /// atomically).
    fn checkpoint(&self, dir: &Path) -> Result<(), String> {
        let recorder = Recorder32::new();
        replace_dir(dir, |tmp| {
            self.model.clone().save_file(tmp.join("model"), &recorder).map_err(|e| e.to_string())?;
            if let Some(average) = &self.average {
                average.clone().save_file(tmp.join("ema"), &recorder).map_err(|e| e.to_string())?;
            }
            recorder.record(self.optim.to_record(), tmp.join("optim")).map_err(|e| e.to_string())?;
            self.state.save(tmp.join("state.json")).map_err(|e| e.to_string())
        })
    }
}

/// Trains `run` until `stop`: validates, logs to `metrics.jsonl` and checkpoints on the config's
/// schedule, and checkpoints once more on stopping.
fn training_loop<B: AutodiffBackend>(
    config: &TrainingConfig,
    run_dir: &Path,
    mut run: Run<B>,
    stop: StopAt,
    device: &B::Device,
) -> Result<RunState, String> {
    let data = config.data();
    let valid_batches = data.validation(config.validation_size);
    let ckpt = run_dir.join("checkpoint");
    let mut log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(run_dir.join("metrics.jsonl"))
        .map_err(|e| format!("cannot open metrics log: {e}"))?;
    let (started, elapsed_before) = (Instant::now(), run.state.elapsed_secs);
    let done = |state: &RunState| {
        stop.step.is_some_and(|s| state.step >= s)
            || stop.minutes.is_some_and(|m| started.elapsed().as_secs_f64() >= m * 60.0)
    };
    let tty = std::io::stderr().is_terminal();
    let mut window = Window::new();
    for (step, batch) in data.stream(run.state.step, 2) {
        if done(&run.state) {
            break;
        }
        debug_assert_eq!(step, run.state.step);
        let lr = config.learning_rate_at(step);
        let (next, loss, mse) = run.step(config, &batch, lr, device);
        run = next;
        run.state.elapsed_secs = elapsed_before + started.elapsed().as_secs_f64();
        window.add(loss, mse);
        let validation = if run.state.step.is_multiple_of(config.validate_every) {
            Some(run.validate_and_keep_best(&valid_batches, run_dir, device)?)
        } else {
            None
        };
        if run.state.step.is_multiple_of(config.log_every) || validation.is_some() {
            let rate = window.rate(config.batch_size);
            let line = MetricsLine::new(&run.state, &window, lr, rate, validation);
            writeln!(log, "{}", serde_json::to_string(&line).expect("a metrics line is JSON"))
                .map_err(|e| format!("cannot write metrics log: {e}"))?;
            let left = time_left(&run.state, stop, started, rate, config);
            progress(&run.state, window.mean_loss(), rate, validation, left, tty);
            window = Window::new();
        }
        if run.state.step.is_multiple_of(config.checkpoint_every) {
            run.checkpoint(&ckpt)?;
        }
    }
    // A run stopped before its first validation is validated now, so that it has a best model and
    // a finite best MSE to save (JSON has no infinity: it would be written as null and not read back).
    if !run.state.best_val_mse.is_finite() {
        run.validate_and_keep_best(&valid_batches, run_dir, device)?;
    }
    run.checkpoint(&ckpt)?;
    if tty {
        eprintln!();
    }
    Ok(run.state)
}

/// Training loss and point-head MSE summed over the steps since the last logged one.
struct Window {
    loss: f64,
    mse: f64,
    steps: u64,
    start: Instant,
}

impl Window {
    fn new() -> Self {
        Window { loss: 0.0, mse: 0.0, steps: 0, start: Instant::now() }
    }

    fn add(&mut self, loss: f64, mse: f64) {
        (self.loss, self.mse, self.steps) = (self.loss + loss, self.mse + mse, self.steps + 1);
    }

    fn mean_loss(&self) -> f64 {
        self.loss / self.steps as f64
    }

    /// Datasets per second over the window.
    fn rate(&self, batch_size: usize) -> f64 {
        (self.steps as usize * batch_size) as f64 / self.start.elapsed().as_secs_f64()
    }
}

/// One line of `metrics.jsonl`, written every `log_every` steps and after every validation; the
/// numbers are rounded to the digits worth reading.
#[derive(Serialize)]
struct MetricsLine {
    step: u64,
    datasets: u64,
    /// Mean training loss (MSE + weighted pinball) over the steps since the last line.
    loss: f64,
    /// Mean point-head MSE over the same steps, nats².
    train_mse: f64,
    /// Learning rate of the last step.
    lr: f64,
    datasets_per_s: f64,
    /// Training wall time over all sessions.
    elapsed_s: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    val_mse: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    val_pinball: Option<f64>,
}

impl MetricsLine {
    fn new(state: &RunState, window: &Window, lr: f64, rate: f64, validation: Option<Validation>) -> Self {
        let decimals = |x: f64, d: usize| format!("{x:.d$}").parse().unwrap_or(x);
        MetricsLine {
            step: state.step,
            datasets: state.datasets_seen,
            loss: decimals(window.mean_loss(), 5),
            train_mse: decimals(window.mse / window.steps as f64, 5),
            lr: format!("{lr:.3e}").parse().unwrap_or(lr),
            datasets_per_s: decimals(rate, 1),
            elapsed_s: state.elapsed_secs.round() as u64,
            val_mse: validation.map(|v| decimals(v.mse, 5)),
            val_pinball: validation.map(|v| decimals(v.pinball, 5)),
        }
    }
}

/// Seconds left until `stop`, if it can be told.
fn time_left(state: &RunState, stop: StopAt, started: Instant, rate: f64, config: &TrainingConfig) -> Option<f64> {
    let by_steps = stop.step.map(|s| s.saturating_sub(state.step) as f64 * config.batch_size as f64 / rate.max(1e-9));
    let by_time = stop.minutes.map(|m| (m * 60.0 - started.elapsed().as_secs_f64()).max(0.0));
    match (by_steps, by_time) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// One progress line: rewritten in place on a terminal, appended otherwise.
fn progress(state: &RunState, loss: f64, rate: f64, val: Option<Validation>, left: Option<f64>, tty: bool) {
    let val = val.map_or(String::new(), |v| format!(" | val MSE {:.4} nats²", v.mse));
    let left = left.map_or(String::new(), |s| format!(" | {:.0} min left", s / 60.0));
    let best = if state.best_val_mse.is_finite() {
        format!(" | best val MSE {:.4} nats² @ {}", state.best_val_mse, state.best_step)
    } else {
        String::new()
    };
    let line = format!(
        "step {} | {} datasets | loss {loss:.4}{best}{val} | {rate:.0} datasets/s{left}",
        state.step, state.datasets_seen
    );
    match (tty, val.is_empty()) {
        (true, true) => eprint!("\r\x1b[2K{line}"),
        (true, false) => eprintln!("\r\x1b[2K{line}"),
        (false, _) => eprintln!("{line}"),
    }
}

/// Loads the weights saved in `from` (a run's `best/` or `checkpoint/`) into `model`, for
/// `init_from`. A summary model may start from a run without summary features (its `config.json`,
/// one folder up, says which): the source's weights are loaded and the summary projection stays at
/// zero, so the run starts from exactly the source model's function.
fn load_init<B: Backend>(model: MistModel<B>, from: &Path, device: &B::Device) -> Result<MistModel<B>, String> {
    let source_config = from.parent().unwrap_or(Path::new(".")).join("config.json");
    let source = TrainingConfig::load(&source_config)
        .map_err(|e| format!("init_from: cannot read the source run's {}: {e}", source_config.display()))?;
    let path = from.join("model");
    let in_context = |e: String| format!("init_from: {e}");
    match (source.model.summary, model.summary_proj.clone()) {
        (true, None) => Err("init_from: the source run reads summary features, this model does not".into()),
        (false, Some(projection)) => {
            let rows_only = MistModel { summary_proj: None, ..model };
            let loaded = load_weights(rows_only, &path, device).map_err(in_context)?;
            Ok(MistModel { summary_proj: Some(projection), ..loaded })
        }
        _ => load_weights(model, &path, device).map_err(in_context),
    }
}

/// Loads the model file `path` (`Recorder32`, without extension) into `model`. burn checks
/// neither shapes nor optional parts (it would drop a saved summary projection, or leave the
/// model's own), so a file saved from another config (another width or depth, with or without
/// summary features) is refused here.
fn load_weights<B: Backend>(model: MistModel<B>, path: &Path, device: &B::Device) -> Result<MistModel<B>, String> {
    let refused = |what: &str| format!("{}: {what} differ from this config's model", path.display());
    let record: MistModelRecord<B> =
        Recorder32::new().load(path.to_path_buf(), device).map_err(|e| format!("{}: {e}", path.display()))?;
    if record.isabs.len() != model.isabs.len() || record.summary_proj.is_some() != model.summary_proj.is_some() {
        return Err(refused("the saved ISAB blocks or summary projection"));
    }
    let expected = Shapes::of(&model);
    let loaded = model.load_record(record);
    if Shapes::of(&loaded) != expected {
        return Err(refused("the saved parameter shapes"));
    }
    Ok(loaded)
}

/// The shape of every float parameter of a module, in visiting order.
#[derive(PartialEq)]
struct Shapes(Vec<Vec<usize>>);

impl Shapes {
    fn of<B: Backend>(model: &MistModel<B>) -> Self {
        let mut shapes = Shapes(Vec::new());
        model.visit(&mut shapes);
        shapes
    }
}

impl<B: Backend> ModuleVisitor<B> for Shapes {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        self.0.push(param.val().dims().to_vec());
    }
}

/// Writes the model weights and the state into `dir` (replacing it atomically).
fn save_model<B: Backend, M: Module<B>>(model: &M, dir: &Path, state: &RunState) -> Result<(), String> {
    replace_dir(dir, |tmp| {
        model.clone().save_file(tmp.join("model"), &Recorder32::new()).map_err(|e| e.to_string())?;
        state.save(tmp.join("state.json")).map_err(|e| e.to_string())
    })
}

/// Fills a fresh sibling folder with `fill`, then swaps it in for `dir`.
fn replace_dir(dir: &Path, fill: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), String> {
    let tmp = PathBuf::from(format!("{}.tmp", dir.display()));
    let old = PathBuf::from(format!("{}.old", dir.display()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    fill(&tmp).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    let _ = fs::remove_dir_all(&old);
    if dir.exists() {
        fs::rename(dir, &old).map_err(|e| format!("cannot move {}: {e}", dir.display()))?;
    }
    fs::rename(&tmp, dir).map_err(|e| format!("cannot move {} into place: {e}", tmp.display()))?;
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// The model a run validates, loaded from `dir` (its `best/` or `checkpoint/`): where the run keeps
/// a weight average (`ema_decay`), a checkpoint holds it beside the trained weights, and the average
/// is what validation and `best/` read; elsewhere the saved weights.
pub fn load_validated_model<B: Backend>(
    config: &TrainingConfig,
    dir: &Path,
    device: &B::Device,
) -> Result<MistModel<B>, String> {
    let file = if config.ema_decay.is_some() && dir.join("ema.bin").exists() { "ema" } else { "model" };
    load_saved(&config.model, &dir.join(file), device)
}

/// Loads the weights saved in `dir` (a run's `best/` or `checkpoint/`) into a model of `config`.
pub fn load_model<B: Backend>(
    config: &MistModelConfig,
    dir: &Path,
    device: &B::Device,
) -> Result<MistModel<B>, String> {
    load_saved(config, &dir.join("model"), device)
}

/// A model of `config` with the weights of the model file `path`. The model is built by
/// [`seeded_init`] before the weights replace its parameters: no parameter is left to burn's lazy
/// initialisation, which would draw from the process-wide RNG outside the lock and change the
/// weights of a seeded init running at the same time.
fn load_saved<B: Backend>(config: &MistModelConfig, path: &Path, device: &B::Device) -> Result<MistModel<B>, String> {
    load_weights(seeded_init(config, 0, device), path, device)
}

//! `mist-trainer`: trains the MIST set model, exports it to ONNX and evaluates it.
//!
//! ```text
//! mist-trainer train --training trainer/configs/train-compact.json --run runs/compact --minutes 20
//! mist-trainer train --run runs/compact --resume --minutes 60
//! mist-trainer export --run runs/compact --out compact.onnx
//! mist-trainer evaluate --run runs/compact --out runs/compact-eval
//! ```

use burn::backend::{Autodiff, NdArray};
use burn::config::Config;
use clap::{Args, Parser, Subcommand};
use mist::runtime::head::Head;
use mist::runtime::{EstimatorOptions, MistEstimator, ModelSource};
use mist_synth::{MetaSample, Mix, Split, TRAIN_N};
use mist_trainer::evaluation::{EvalOptions, GridName, ModelFn, evaluate};
use mist_trainer::head;
use mist_trainer::head::fit::{HeadConfig, fit};
use mist_trainer::inference::{Prediction, predict};
use mist_trainer::model::MistModelConfig;
use mist_trainer::onnx::{self, ExportMeta};
use mist_trainer::routing::RoutedModel;
use mist_trainer::run_folder::{load_expert, run_config};
use mist_trainer::training::{RunState, StopAt, TrainingConfig, train};
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

/// Trains, exports and evaluates the MIST mutual-information model (all MI values in nats).
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Trains a model (or resumes a run) on meta-samples generated on the fly.
    Train(TrainArgs),
    /// Exports a run's model to ONNX (the contract of docs/onnx-contract.md) for the runtime.
    Export(ExportArgs),
    /// Runs the evaluation protocol (docs/evaluation.md) on a trained model against KSG and
    /// Gaussian.
    Evaluate(EvaluateArgs),
    /// Runs the evaluation protocol on an ONNX model through the runtime, as a user gets it
    /// (datasets answered by its head from the head's `min_n` rows on, if it has one).
    EvaluateOnnx(EvaluateOnnxArgs),
    /// Computes the head's inputs for synthetic draws with an ONNX model: above 500 rows, or at
    /// every n with `--everyday` (docs/training.md, "The large-n head").
    HeadData(HeadDataArgs),
    /// Trains a large-n head on `head-data` samples.
    HeadFit(HeadFitArgs),
    /// Writes a model file with a trained large-n head in its metadata.
    HeadAttach(HeadAttachArgs),
    /// Prints a trained head's errors on `head-data` samples by band of dx + dy.
    HeadCheck(HeadCheckArgs),
    /// Compares two `evaluation.json` files of the same grids, squared errors paired by dataset.
    Compare(CompareArgs),
}

/// Arguments of `compare`.
#[derive(Args)]
struct CompareArgs {
    /// The base model's `evaluation.json`.
    #[arg(long)]
    base: PathBuf,
    /// The candidate's `evaluation.json`.
    #[arg(long)]
    new: PathBuf,
}

/// Arguments of `head-check`.
#[derive(Args)]
struct HeadCheckArgs {
    /// The head's run folder (its best/head.json is read).
    #[arg(long)]
    run: PathBuf,
    /// Samples from `head-data`, one file or several (comma-separated).
    #[arg(long, value_delimiter = ',', required = true)]
    data: Vec<PathBuf>,
}

/// Arguments of `head-fit`.
#[derive(Args)]
struct HeadFitArgs {
    /// Training samples (from `head-data --split train`), one file or several (comma-separated, read
    /// in order).
    #[arg(long, value_delimiter = ',', required = true)]
    train: Vec<PathBuf>,
    /// Validation samples (from `head-data --split validation`).
    #[arg(long)]
    validation: PathBuf,
    /// Run folder to write (config.json, metrics.jsonl, best/head.json).
    #[arg(long)]
    run: PathBuf,
    /// Head config (JSON, as saved in a head run's config.json); defaults otherwise.
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Arguments of `head-attach`.
#[derive(Args)]
struct HeadAttachArgs {
    /// The model file the head was trained on.
    #[arg(long)]
    model: PathBuf,
    /// The head's run folder (its best/head.json is attached).
    #[arg(long)]
    run: PathBuf,
    /// The model file to write.
    #[arg(long)]
    out: PathBuf,
    /// The fewest rows of a dataset the head answers (`mist.head.min_n`); without it, datasets
    /// above the model's `max_n` rows only (a head trained on such draws only)
    #[arg(long)]
    min_n: Option<usize>,
}

/// Arguments of `head-data`.
#[derive(Args)]
struct HeadDataArgs {
    /// `train` or `validation`.
    #[arg(long)]
    split: String,
    /// First seed.
    #[arg(long, default_value_t = 0)]
    from: u64,
    /// Number of seeds.
    #[arg(long)]
    count: u64,
    /// JSON-lines file to append to.
    #[arg(long)]
    out: PathBuf,
    /// The ONNX model whose chunk answers the head reads; the embedded default model by default.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Draw every dataset with dx, dy ≤ 2 (`head::data::LOW_MIX`) instead of the head's usual mix.
    #[arg(long)]
    low_dims: bool,
    /// Draw n at every size the head answers, 10 to 50,000 rows, with a share of everyday families
    /// (`head::data::everyday`), instead of above 500 rows only (the large-n heads up to head-v3x).
    #[arg(long)]
    everyday: bool,
    /// With `--everyday`: this share of the draws (0 to 1) from the everyday families instead of
    /// `head::data::EVERYDAY_SHARE`.
    #[arg(long, requires = "everyday")]
    everyday_share: Option<f64>,
    /// With `--everyday`: draw the everyday share from the unrounded families only (independence,
    /// weak dense dependence).
    #[arg(long, requires = "everyday")]
    unrounded: bool,
}

/// Arguments of `train`.
#[derive(Args)]
struct TrainArgs {
    /// Model config (JSON), e.g. trainer/configs/compact.json; training settings take defaults
    /// unless --training gives a full training config.
    #[arg(long, conflicts_with = "training")]
    config: Option<PathBuf>,
    /// Full training config (JSON, as saved in a run's config.json).
    #[arg(long)]
    training: Option<PathBuf>,
    /// Run folder (checkpoints, metrics, best model).
    #[arg(long)]
    run: PathBuf,
    /// Continue the run in --run from its checkpoint (uses the run's saved config).
    #[arg(long)]
    resume: bool,
    /// Stop when this many steps are done in total.
    #[arg(long)]
    steps: Option<u64>,
    /// Stop after this many minutes of wall time.
    #[arg(long)]
    minutes: Option<f64>,
    /// Datasets per step (overrides the config's value on a fresh run).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Step at which the cosine learning-rate decay reaches its floor. On --resume this changes
    /// the schedule of the run from now on and rewrites the run's config.json.
    #[arg(long)]
    decay_steps: Option<u64>,
    /// `cpu` (burn's NdArray backend), or `cuda` / `cuda:N` in a build with `--features cuda`.
    #[arg(long, default_value = "cpu")]
    device: String,
}

/// Arguments of `export`.
#[derive(Args)]
struct ExportArgs {
    #[command(flatten)]
    saved: SavedModel,
    #[command(flatten)]
    rows_only: RowsOnly,
    /// Path of the .onnx file to write.
    #[arg(long)]
    out: PathBuf,
}

/// Arguments of `evaluate`.
#[derive(Args)]
struct EvaluateArgs {
    #[command(flatten)]
    saved: SavedModel,
    #[command(flatten)]
    rows_only: RowsOnly,
    #[command(flatten)]
    settings: EvalSettings,
}

/// Arguments of `evaluate-onnx`.
#[derive(Args)]
struct EvaluateOnnxArgs {
    /// The model file (with its large-n head, if it has one); the embedded default model by default.
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(flatten)]
    settings: EvalSettings,
}

/// What `evaluate` and `evaluate-onnx` run and where they write.
#[derive(Args)]
struct EvalSettings {
    /// Output folder for evaluation.json, evaluation.md and the SVG plots.
    #[arg(long)]
    out: PathBuf,
    /// Grids to run (imd, oomd, large_n, dims, low_d, validation); all by default.
    #[arg(long, value_delimiter = ',')]
    grids: Vec<GridName>,
    /// Datasets per grid (a fixed subset), for quick looks; the full grids by default.
    #[arg(long)]
    limit: Option<usize>,
    /// Subsamples of the KSG interval (0 skips it).
    #[arg(long, default_value_t = 50)]
    bootstrap: usize,
}

/// A model saved by a training run.
#[derive(Args)]
struct SavedModel {
    /// Run folder holding the model.
    #[arg(long)]
    run: PathBuf,
    /// Which saved model of the run: `best` (lowest validation MSE) or `checkpoint` (latest; the
    /// weight average where the run keeps one, as validation reads it).
    #[arg(long, default_value = "best")]
    from: String,
}

/// An optional rows-only expert for the datasets below the main model's summary gate.
#[derive(Args)]
struct RowsOnly {
    /// Run folder of a model without summary features that answers for n < k · (dx + dy), k being
    /// the main model's `summary_min_rows_per_dim`; both models go into one estimator.
    #[arg(long)]
    rows_only_run: Option<PathBuf>,
    /// Which saved model of the rows-only run: `best` or `checkpoint` (as `--from`).
    #[arg(long, default_value = "best")]
    rows_only_from: String,
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Train(args) => train_command(args),
        Command::Export(args) => export_command(args),
        Command::Evaluate(args) => evaluate_command(args),
        Command::EvaluateOnnx(args) => evaluate_onnx_command(args),
        Command::HeadData(args) => head_data_command(args),
        Command::HeadFit(args) => head_fit_command(args),
        Command::HeadAttach(args) => head_attach_command(args),
        Command::HeadCheck(args) => head_check_command(args),
        Command::Compare(args) => compare_command(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mist-trainer: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `compare`: prints the paired comparison of two evaluations as markdown.
fn compare_command(args: CompareArgs) -> Result<(), String> {
    use mist_trainer::evaluation::compare::{EvalFile, compare, markdown};
    let read = |path: &PathBuf| -> Result<EvalFile, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let (base, new) = (read(&args.base)?, read(&args.new)?);
    print!("{}", markdown(&base.model_name, &new.model_name, &compare(&base, &new)));
    Ok(())
}

/// `train`: a fresh run from the given config, or the run in `--run` resumed.
fn train_command(args: TrainArgs) -> Result<(), String> {
    let config = training_config(&args)?;
    let stop = StopAt { step: args.steps, minutes: args.minutes };
    let (run, resume) = (&args.run, args.resume);
    let state: RunState = match args.device.as_str() {
        "cpu" => train::<Autodiff<NdArray>>(&config, run, resume, stop, &Default::default())?,
        #[cfg(feature = "cuda")]
        d if d == "cuda" || d.starts_with("cuda:") => {
            let index = d.strip_prefix("cuda:").map_or(Ok(0), str::parse).map_err(|e| format!("--device {d}: {e}"))?;
            cuda::check_driver()?;
            train::<Autodiff<burn::backend::Cuda>>(&config, run, resume, stop, &cuda::device(index))?
        }
        other => {
            let choices =
                if cfg!(feature = "cuda") { "cpu, cuda or cuda:N" } else { "cpu (cuda needs --features cuda)" };
            return Err(format!("unknown --device {other:?}: use {choices}"));
        }
    };
    eprintln!(
        "mist-trainer: stopped at step {} after {} datasets ({:.0} s in all); best validation MSE {:.4} nats² at step {}",
        state.step, state.datasets_seen, state.elapsed_secs, state.best_val_mse, state.best_step
    );
    Ok(())
}

/// The config `train` runs: the run's saved one on `--resume` (with `--decay-steps` applied and
/// saved), else `--training`, `--config` with default training settings, or the compact model's.
fn training_config(args: &TrainArgs) -> Result<TrainingConfig, String> {
    let mut config = if args.resume {
        run_config(&args.run)?
    } else {
        let mut config = match (&args.training, &args.config) {
            (Some(path), _) => TrainingConfig::load(path).map_err(|e| format!("{}: {e}", path.display()))?,
            (None, Some(path)) => {
                TrainingConfig::new(MistModelConfig::load(path).map_err(|e| format!("{}: {e}", path.display()))?)
            }
            (None, None) => TrainingConfig::new(MistModelConfig::compact()),
        };
        if let Some(b) = args.batch_size {
            config.batch_size = b;
        }
        config
    };
    if let Some(d) = args.decay_steps {
        config.decay_steps = d;
        if args.resume {
            let path = args.run.join("config.json");
            config.save(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    Ok(config)
}

/// `export`: the run's model (routed to the rows-only expert when given) as an ONNX file.
fn export_command(args: ExportArgs) -> Result<(), String> {
    let (model, train) = load_estimator(&args.saved, &args.rows_only)?;
    let meta = ExportMeta::new(*TRAIN_N.start(), *TRAIN_N.end(), train);
    onnx::write(&args.out, &model, &meta).map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    eprintln!("mist-trainer: wrote {} ({}: {})", args.out.display(), args.saved.from, meta.train);
    Ok(())
}

/// `evaluate`: the protocol on the run's model and the baselines, written as a report.
fn evaluate_command(args: EvaluateArgs) -> Result<(), String> {
    let (model, _) = load_estimator(&args.saved, &args.rows_only)?;
    let device = Default::default();
    let max_n = *TRAIN_N.end();
    let model_fn = |s: &[MetaSample], t: &[f32]| predict(&model, s, t, max_n, 32_000, &device);
    let run = args.saved.run.display();
    let label = match &args.rows_only.rows_only_run {
        None => format!("MIST ({run})"),
        Some(rows_only) => format!("MIST ({run}; rows-only below the gate: {})", rows_only.display()),
    };
    run_evaluation(&label, &model_fn, &args.settings)
}

/// `evaluate-onnx`: the protocol on a model file through the runtime.
fn evaluate_onnx_command(args: EvaluateOnnxArgs) -> Result<(), String> {
    let label = match &args.model {
        Some(path) => format!("MIST ({})", path.display()),
        None => "MIST (embedded default model)".to_string(),
    };
    let estimator = onnx_estimator(args.model)?;
    let model_fn = |s: &[MetaSample], t: &[f32]| runtime_predictions(&estimator, s, t);
    run_evaluation(&label, &model_fn, &args.settings)
}

/// Evaluates `model_fn` as `settings` say and writes the report.
fn run_evaluation(label: &str, model_fn: &ModelFn<'_>, settings: &EvalSettings) -> Result<(), String> {
    let mut options =
        EvalOptions { limit: settings.limit, bootstrap_resamples: settings.bootstrap, ..EvalOptions::default() };
    if !settings.grids.is_empty() {
        options.grids = settings.grids.clone();
    }
    let report = evaluate(label, model_fn, &options);
    report.write(&settings.out).map_err(|e| format!("cannot write the report to {}: {e}", settings.out.display()))?;
    eprintln!("mist-trainer: evaluation written to {}", settings.out.display());
    Ok(())
}

/// The runtime's answers for `samples` at `taus`, one dataset per call, calls in parallel; a dataset
/// the runtime refuses gets NaN (the report counts it as failed).
fn runtime_predictions(estimator: &MistEstimator, samples: &[MetaSample], taus: &[f32]) -> Vec<Prediction> {
    let taus: Vec<f64> = taus.iter().map(|&t| f64::from(t)).collect();
    samples
        .par_iter()
        .map(|s| match estimator.estimate_with_quantiles(s.x.view(), s.y.view(), &taus) {
            Ok((mi, quantiles)) => Prediction { mi, quantiles },
            Err(_) => Prediction { mi: f64::NAN, quantiles: vec![f64::NAN; taus.len()] },
        })
        .collect()
}

/// `head-data`: the head's inputs for a range of seeds, appended to a file.
fn head_data_command(args: HeadDataArgs) -> Result<(), String> {
    let split = match args.split.as_str() {
        "train" => Split::Train,
        "validation" => Split::Validation,
        other => return Err(format!("--split {other:?}: use train or validation")),
    };
    let estimator = onnx_estimator(args.model)?;
    let start = std::time::Instant::now();
    let log = |line: String| eprintln!("mist-trainer: head-data {:.0} s: {line}", start.elapsed().as_secs_f64());
    let mix = if args.low_dims { head::data::LOW_MIX } else { head::data::MIX };
    let mix = if args.everyday { head::data::everyday(mix) } else { mix };
    let everyday_share = match args.everyday_share {
        Some(share) if !(0.0..=1.0).contains(&share) => {
            return Err(format!("--everyday-share {share}: use a share from 0 to 1"));
        }
        Some(share) => share,
        None => mix.everyday_share,
    };
    let mix = Mix { everyday_share, unrounded_only: args.unrounded, ..mix };
    let written = head::data::write(&estimator, split, &mix, args.from..args.from + args.count, &args.out, &log)?;
    eprintln!("mist-trainer: wrote {written} samples to {}", args.out.display());
    Ok(())
}

/// `head-fit`: trains a head and reports its best validation epoch.
fn head_fit_command(args: HeadFitArgs) -> Result<(), String> {
    let config = match &args.config {
        Some(path) => HeadConfig::load(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => HeadConfig::new(),
    };
    let train = head::data::read_all(&args.train)?;
    let validation = head::data::read(&args.validation)?;
    eprintln!("mist-trainer: head-fit on {} samples, validating on {}", train.len(), validation.len());
    let log = |line: String| eprintln!("mist-trainer: head-fit {line}");
    let best = fit::<Autodiff<NdArray>>(&config, &train, &validation, &args.run, &Default::default(), &log)?;
    eprintln!(
        "mist-trainer: best epoch {}: validation MSE {:.4} nats² (chunk mean {:.4}), pinball {:.4} nats, 90% coverage {:.3}",
        best.epoch, best.val_mse, best.val_chunk_mse, best.val_pinball, best.val_coverage
    );
    Ok(())
}

/// `head-attach`: the model file with the run's best head in its metadata.
fn head_attach_command(args: HeadAttachArgs) -> Result<(), String> {
    let head = head::fit::load(&head::fit::best_head(&args.run))?;
    let model = std::fs::read(&args.model).map_err(|e| format!("{}: {e}", args.model.display()))?;
    let train = head::fit::describe(&args.run)?;
    let out = head::attach::attach(&model, &head, &train, args.min_n)?;
    std::fs::write(&args.out, out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    eprintln!("mist-trainer: wrote {} with the head of {train}", args.out.display());
    Ok(())
}

/// `head-check`: the run's best head on samples, as a table.
fn head_check_command(args: HeadCheckArgs) -> Result<(), String> {
    let file = head::fit::load(&head::fit::best_head(&args.run))?;
    let head = Head::parse(&file.widths, &file.weights)?;
    let samples = head::data::read_all(&args.data)?;
    println!("{}", head::check::table(&head, &samples));
    Ok(())
}

/// The runtime's estimator with the ONNX model at `model` (the embedded default model when `None`).
fn onnx_estimator(model: Option<PathBuf>) -> Result<MistEstimator, String> {
    let model = model.map_or(ModelSource::Embedded, ModelSource::Path);
    MistEstimator::new(EstimatorOptions { model, ..Default::default() }).map_err(|e| e.to_string())
}

/// The estimator of `saved` (routed to `rows_only` when given) and a line describing where its
/// models come from ([`load_expert`]'s, joined).
fn load_estimator(saved: &SavedModel, rows_only: &RowsOnly) -> Result<(RoutedModel<NdArray>, String), String> {
    let device = Default::default();
    let (main, line) = load_expert(&saved.run, &saved.from, &device)?;
    let Some(run) = &rows_only.rows_only_run else {
        return Ok((RoutedModel { main, rows_only: None }, line));
    };
    let (expert, expert_line) = load_expert(run, &rows_only.rows_only_from, &device)?;
    let model = RoutedModel::routed(main, expert).map_err(|e| format!("--rows-only-run {}: {e}", run.display()))?;
    Ok((model, format!("{line}; below the summary gate: {expert_line}")))
}

/// CUDA device selection (burn 0.21 panics when CUDA is requested without a driver, so check first).
#[cfg(feature = "cuda")]
mod cuda {
    /// Fails with a message unless the CUDA driver library can be loaded.
    pub fn check_driver() -> Result<(), String> {
        // SAFETY: dlopen with a static C string; the handle is closed again at once.
        let handle = unsafe { libc::dlopen(c"libcuda.so.1".as_ptr(), libc::RTLD_LAZY) };
        if handle.is_null() {
            return Err("--device cuda: the CUDA driver (libcuda.so.1) is not available on this machine".into());
        }
        // SAFETY: the handle came from dlopen above.
        unsafe { libc::dlclose(handle) };
        Ok(())
    }

    /// The CUDA device with this index.
    pub fn device(index: usize) -> burn::backend::cuda::CudaDevice {
        burn::backend::cuda::CudaDevice::new(index)
    }
}

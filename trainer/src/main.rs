//! `mist-trainer`: trains the MIST set model, exports it to ONNX and evaluates it.
//!
//! ```text
//! mist-trainer train --config trainer/configs/compact.json --run runs/compact --minutes 20
//! mist-trainer train --config trainer/configs/compact.json --run runs/compact --resume --minutes 60
//! ```

use burn::backend::{Autodiff, NdArray};
use burn::config::Config;
use clap::{Args, Parser, Subcommand};
use mist::synth::{MetaSample, TRAIN_N};
use mist_trainer::evaluation::{EvalOptions, GridName, evaluate};
use mist_trainer::inference::predict;
use mist_trainer::model::MistModelConfig;
use mist_trainer::onnx::{self, ExportMeta};
use mist_trainer::routing::{Expert, RoutedModel};
use mist_trainer::training::{RunState, StopAt, TrainingConfig, load_validated_model, train};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Trains, exports and evaluates the MIST mutual-information model (all MI values in nats).
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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

/// A saved model of a run, with its hyper-parameters and training state.
fn load_expert(run: &Path, from: &str) -> Result<(Expert<NdArray>, TrainingConfig, RunState), String> {
    let config = run_config(run)?;
    let dir = run.join(from);
    let state =
        RunState::load(dir.join("state.json")).map_err(|e| format!("{}: {e}", dir.join("state.json").display()))?;
    let model = load_validated_model::<NdArray>(&config, &dir, &Default::default())?;
    Ok((Expert { model, config: config.model.clone() }, config, state))
}

/// The estimator of `saved` (routed to `rows_only` when given) and a line describing where its
/// models come from (`config <hash>, <steps> steps, <datasets> datasets, val MSE …, <run>`).
fn load_estimator(saved: &SavedModel, rows_only: &RowsOnly) -> Result<(RoutedModel<NdArray>, String), String> {
    let describe = |config: &TrainingConfig, state: &RunState, run: &Path| {
        format!(
            "config {:016x}, {} steps, {} datasets, val MSE {:.4} nats², {}",
            config_hash(config),
            state.step,
            state.datasets_seen,
            state.best_val_mse,
            run.display()
        )
    };
    let (main, config, state) = load_expert(&saved.run, &saved.from)?;
    let mut line = describe(&config, &state, &saved.run);
    let model = match &rows_only.rows_only_run {
        None => RoutedModel { main, rows_only: None },
        Some(run) => {
            let (expert, config, state) = load_expert(run, &rows_only.rows_only_from)?;
            line = format!("{line}; below the summary gate: {}", describe(&config, &state, run));
            RoutedModel::routed(main, expert).map_err(|e| format!("--rows-only-run {}: {e}", run.display()))?
        }
    };
    Ok((model, line))
}

/// The training config saved in a run folder.
fn run_config(run: &Path) -> Result<TrainingConfig, String> {
    let path = run.join("config.json");
    TrainingConfig::load(&path).map_err(|e| format!("{}: {e}", path.display()))
}

#[derive(Subcommand)]
enum Command {
    /// Trains a model (or resumes a run) on meta-samples generated on the fly.
    Train {
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
    },
    /// Exports a run's model to ONNX (the contract of model.md) for the runtime.
    Export {
        #[command(flatten)]
        saved: SavedModel,
        #[command(flatten)]
        rows_only: RowsOnly,
        /// Path of the .onnx file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Runs the evaluation protocol (evaluation.md) on a trained model against KSG and Gaussian.
    Evaluate {
        #[command(flatten)]
        saved: SavedModel,
        #[command(flatten)]
        rows_only: RowsOnly,
        /// Output folder for evaluation.json, evaluation.md and the SVG plots.
        #[arg(long)]
        out: PathBuf,
        /// Grids to run (imd, oomd, large_n, dims); all by default.
        #[arg(long, value_delimiter = ',')]
        grids: Vec<GridName>,
        /// Datasets per grid (a fixed subset), for quick looks; the full grids by default.
        #[arg(long)]
        limit: Option<usize>,
        /// Subsamples of the KSG interval (0 skips it).
        #[arg(long, default_value_t = 50)]
        bootstrap: usize,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mist-trainer: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Train { config, training, run, resume, steps, minutes, batch_size, decay_steps, device } => {
            let mut config = if resume {
                run_config(&run)?
            } else {
                let mut config = match (training, config) {
                    (Some(path), _) => TrainingConfig::load(&path).map_err(|e| format!("{}: {e}", path.display()))?,
                    (None, Some(path)) => TrainingConfig::new(
                        MistModelConfig::load(&path).map_err(|e| format!("{}: {e}", path.display()))?,
                    ),
                    (None, None) => TrainingConfig::new(MistModelConfig::compact()),
                };
                if let Some(b) = batch_size {
                    config.batch_size = b;
                }
                config
            };
            if let Some(d) = decay_steps {
                config.decay_steps = d;
                if resume {
                    let path = run.join("config.json");
                    config.save(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                }
            }
            let stop = StopAt { step: steps, minutes };
            let state = match device.as_str() {
                "cpu" => train::<Autodiff<NdArray>>(&config, &run, resume, stop, &Default::default())?,
                #[cfg(feature = "cuda")]
                d if d == "cuda" || d.starts_with("cuda:") => {
                    let index =
                        d.strip_prefix("cuda:").map_or(Ok(0), str::parse).map_err(|e| format!("--device {d}: {e}"))?;
                    cuda::check_driver()?;
                    train::<Autodiff<burn::backend::Cuda>>(&config, &run, resume, stop, &cuda::device(index))?
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
        Command::Export { saved, rows_only, out } => {
            let (model, train) = load_estimator(&saved, &rows_only)?;
            let meta = ExportMeta::new(*TRAIN_N.start(), *TRAIN_N.end(), train);
            onnx::write(&out, &model, &meta).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            eprintln!("mist-trainer: wrote {} ({}: {})", out.display(), saved.from, meta.train);
            Ok(())
        }
        Command::Evaluate { saved, rows_only, out, grids, limit, bootstrap } => {
            let (model, _) = load_estimator(&saved, &rows_only)?;
            let device = Default::default();
            let max_n = *TRAIN_N.end();
            let model_fn = |s: &[MetaSample], t: &[f32]| predict(&model, s, t, max_n, 64, &device);
            let mut options = EvalOptions { limit, bootstrap_resamples: bootstrap, ..EvalOptions::default() };
            if !grids.is_empty() {
                options.grids = grids;
            }
            let label = match &rows_only.rows_only_run {
                None => format!("MIST ({})", saved.run.display()),
                Some(run) => format!("MIST ({}; rows-only below the gate: {})", saved.run.display(), run.display()),
            };
            let report = evaluate(&label, &model_fn, &options);
            report.write(&out).map_err(|e| format!("cannot write the report to {}: {e}", out.display()))?;
            eprintln!("mist-trainer: evaluation written to {}", out.display());
            Ok(())
        }
    }
}

/// A stable fingerprint of a training config (FNV-1a of its JSON), for the model's metadata. Top-level
/// options left unset are left out, so a config keeps its fingerprint when a later version adds one.
fn config_hash(config: &TrainingConfig) -> u64 {
    let mut json: serde_json::Value = serde_json::from_str(&config.to_string()).expect("a config is JSON");
    if let Some(fields) = json.as_object_mut() {
        fields.retain(|_, v| !v.is_null());
    }
    json.to_string().bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
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

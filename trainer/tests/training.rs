//! Training acceptance: the loss falls in a short run, and a resumed run equals a straight one.

use burn::backend::{Autodiff, NdArray};
use burn::config::Config;
use burn::module::{Module, ModuleVisitor, Param};
use burn::record::{BinFileRecorder, FullPrecisionSettings};
use burn::tensor::{Tensor, backend::Backend};
use mist_trainer::model::{MistModel, MistModelConfig};
use mist_trainer::run_folder::run_config;
use mist_trainer::training::{
    RunState, StopAt, TrainingConfig, load_model, load_validated_model, seeded_init, train, validate,
};
use std::path::Path;

type B = Autodiff<NdArray>;

/// Every float parameter of a model, flattened in visiting order.
struct Collect(Vec<f32>);

impl<Bk: Backend> ModuleVisitor<Bk> for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<Bk, D>>) {
        self.0.extend(param.val().into_data().to_vec::<f32>().unwrap());
    }
}

fn weights(model: &MistModel<NdArray>) -> Vec<f32> {
    let mut c = Collect(Vec::new());
    model.visit(&mut c);
    c.0
}

fn tiny() -> TrainingConfig {
    let model = MistModelConfig::compact().with_width(16).with_heads(2).with_isab_layers(1).with_inducing_points(4);
    TrainingConfig::new(model)
        .with_batch_size(8)
        .with_pool_batches(2)
        .with_validation_size(16)
        .with_validate_every(3)
        .with_checkpoint_every(1000)
        .with_warmup_steps(2)
}

fn run(config: &TrainingConfig, dir: &Path, resume: bool, step: u64) -> RunState {
    train::<B>(config, dir, resume, StopAt { step: Some(step), minutes: None }, &Default::default()).unwrap()
}

fn saved_weights(config: &TrainingConfig, run_dir: &Path) -> Vec<f32> {
    weights(&load_model::<NdArray>(&config.model, &run_dir.join("checkpoint"), &Default::default()).unwrap())
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

/// burn's autodiff walks the graph through std `HashMap`s, so the order in which gradient
/// contributions are summed (and so the last bits of a step) varies from process to process and
/// even between two straight runs. The resumed run must therefore match a straight run as closely
/// as two straight runs match each other, and far more closely than one training step moves it.
#[test]
fn resume_reproduces_a_straight_run() {
    let config = tiny();
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    run(&config, dirs[0].path(), false, 10);
    run(&config, dirs[1].path(), false, 10);
    run(&config, dirs[2].path(), false, 6);
    let resumed = run(&config, dirs[2].path(), true, 10);
    assert_eq!((resumed.step, resumed.datasets_seen), (10, 80));
    run(&config, dirs[3].path(), false, 9);
    let w: Vec<Vec<f32>> = dirs.iter().map(|d| saved_weights(&config, d.path())).collect();
    assert!(w[0].len() > 1000);
    let (straight, resume, one_step) = (max_diff(&w[0], &w[1]), max_diff(&w[0], &w[2]), max_diff(&w[0], &w[3]));
    eprintln!("max |Δw|: straight vs straight {straight:e}, straight vs resumed {resume:e}, step 9 vs 10 {one_step:e}");
    // Seen: straight vs straight ~5e-7, resumed ~3e-6, one step ~5e-4 (Adam's first steps amplify
    // the last-bit differences). A resume that lost the optimizer state or the data position
    // would be off by a sizeable fraction of a step.
    const TOLERANCE: f32 = 2e-5;
    assert!(resume <= TOLERANCE, "resumed run drifted from the straight run by {resume}");
    assert!(one_step > 10.0 * TOLERANCE, "one step moves the weights by only {one_step}: the check is blind");
    // A fresh run in a used folder is refused rather than overwriting it.
    let again =
        train::<B>(&config, dirs[0].path(), false, StopAt { step: Some(1), minutes: None }, &Default::default());
    assert!(again.unwrap_err().contains("already holds a run"));
}

/// The weight average a run keeps with `ema_decay`: it follows the weights after every step (with
/// decay 0 it is the weights), lags them otherwise, is resumed with the run, and is what `best/`
/// holds (its validation MSE is the run's best).
#[test]
fn ema_runs_keep_resume_and_validate_the_weight_average() {
    let device = Default::default();
    let ema = |dir: &Path| {
        let model = seeded_init::<NdArray>(&tiny().model, 0, &device);
        let recorder = BinFileRecorder::<FullPrecisionSettings>::new();
        weights(&model.load_file(dir.join("checkpoint/ema"), &recorder, &device).unwrap())
    };
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let (following, lagging) = (tiny().with_ema_decay(Some(0.0)), tiny().with_ema_decay(Some(0.5)));
    run(&following, dirs[0].path(), false, 10);
    run(&lagging, dirs[1].path(), false, 10);
    run(&lagging, dirs[2].path(), false, 6);
    run(&lagging, dirs[2].path(), true, 10);
    run(&tiny(), dirs[3].path(), false, 10);
    let model = saved_weights(&lagging, dirs[1].path());
    assert!(max_diff(&ema(dirs[0].path()), &saved_weights(&following, dirs[0].path())) < 1e-6);
    assert!(max_diff(&ema(dirs[1].path()), &model) > 1e-4, "the average equals the weights: not an average");
    assert!(max_diff(&ema(dirs[1].path()), &ema(dirs[2].path())) <= 2e-5, "the resumed average drifted");
    assert!(!dirs[3].path().join("checkpoint/ema.bin").exists(), "a run without ema_decay saves no average");
    // Export and evaluation read a checkpoint as validation does: the average where there is one.
    let validated = |c: &TrainingConfig, dir: &Path| {
        weights(&load_validated_model::<NdArray>(c, &dir.join("checkpoint"), &device).unwrap())
    };
    assert_eq!(validated(&lagging, dirs[1].path()), ema(dirs[1].path()));
    assert_eq!(validated(&tiny(), dirs[3].path()), saved_weights(&tiny(), dirs[3].path()));
    let state = RunState::load(dirs[1].path().join("best/state.json")).unwrap();
    let best = load_model::<NdArray>(&lagging.model, &dirs[1].path().join("best"), &device).unwrap();
    let mse = validate(&best, &lagging.data().validation(lagging.validation_size), &device).mse;
    assert!((mse - state.best_val_mse).abs() < 1e-5, "best/ scores {mse}, the run recorded {}", state.best_val_mse);
    let bad = tempfile::tempdir().unwrap();
    let refused = train::<B>(&tiny().with_ema_decay(Some(1.0)), bad.path(), false, StopAt::default(), &device);
    assert!(refused.unwrap_err().contains("ema_decay must be in [0, 1)"));
}

/// A fresh run with `init_from` starts from the saved weights, not from its seed.
#[test]
fn init_from_starts_a_run_from_saved_weights() {
    let config = tiny();
    let (source, tuned, fresh) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run(&config, source.path(), false, 4);
    let from = source.path().join("checkpoint");
    let finetune = tiny()
        .with_init_from(Some(from.display().to_string()))
        .with_low_dim_share(0.5)
        .with_independent_share(Some(0.2));
    run(&finetune, tuned.path(), false, 0);
    run(&config, fresh.path(), false, 0);
    let (start, saved, seeded) = (
        saved_weights(&finetune, tuned.path()),
        saved_weights(&config, source.path()),
        saved_weights(&config, fresh.path()),
    );
    assert_eq!(start, saved, "the fine-tune did not start from the saved weights");
    assert!(max_diff(&start, &seeded) > 1e-3, "saved and seeded weights coincide: the check is blind");
    let written = TrainingConfig::load(tuned.path().join("config.json")).unwrap();
    assert_eq!(written.init_from, finetune.init_from, "the run folder must record where it started from");
    assert_eq!((written.low_dim_share, written.independent_share), (0.5, Some(0.2)));
}

/// A summary model fine-tuned from a run without summary features starts from that run's weights
/// with a zero summary projection, i.e. from the same function.
#[test]
fn init_from_a_run_without_summary_adds_a_zero_projection() {
    let mut plain = tiny();
    plain.model.summary = false;
    let (source, tuned) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run(&plain, source.path(), false, 4);
    let from = source.path().join("checkpoint");
    let finetune = tiny().with_init_from(Some(from.display().to_string()));
    assert!(finetune.model.summary);
    run(&finetune, tuned.path(), false, 0);
    let (start, saved) = (saved_weights(&finetune, tuned.path()), saved_weights(&plain, source.path()));
    let projection = finetune.model.summary_len() * 16 + 16;
    assert_eq!(start.len(), saved.len() + projection, "summary_proj is [summary_len, 16] plus a bias of 16");
    assert_eq!(&start[..saved.len()], &saved[..], "the fine-tune did not start from the saved weights");
    assert!(start[saved.len()..].iter().all(|&w| w == 0.0), "the new summary projection must start at zero");
    // The other way round is refused with a message.
    let rows_only = plain.with_init_from(Some(tuned.path().join("checkpoint").display().to_string()));
    let stop = StopAt { step: Some(0), minutes: None };
    let err =
        train::<B>(&rows_only, tempfile::tempdir().unwrap().path(), false, stop, &Default::default()).unwrap_err();
    assert!(err.contains("the source run reads summary features, this model does not"), "{err}");
}

/// A model saved by a run loads back into a model of its config, and into no other: burn itself
/// would load a record of another width, or drop a saved summary projection, without a word.
#[test]
fn saved_models_load_only_into_a_model_of_their_config() {
    let device = Default::default();
    let dir = tempfile::tempdir().unwrap();
    let summary = tiny().model;
    let rows_only = summary.clone().with_summary(false);
    for (config, name) in [(&rows_only, "rows-only"), (&summary, "summary")] {
        let model = seeded_init::<NdArray>(config, 7, &device);
        let recorder = BinFileRecorder::<FullPrecisionSettings>::new();
        model.clone().save_file(dir.path().join(name).join("model"), &recorder).unwrap();
        let loaded = load_model::<NdArray>(config, &dir.path().join(name), &device).unwrap();
        assert_eq!(weights(&loaded), weights(&model), "{name}");
        let fresh = weights(&seeded_init::<NdArray>(config, 0, &device));
        assert!(max_diff(&weights(&model), &fresh) > 1e-3, "{name}: saved and fresh weights coincide");
    }
    let load = |config: &MistModelConfig, name: &str| load_model::<NdArray>(config, &dir.path().join(name), &device);
    let (wider, deeper) = (rows_only.clone().with_width(32), rows_only.clone().with_isab_layers(2));
    assert!(load(&wider, "rows-only").unwrap_err().contains("the saved parameter shapes differ"));
    assert!(load(&deeper, "rows-only").unwrap_err().contains("ISAB blocks or summary projection differ"));
    assert!(load(&summary, "rows-only").unwrap_err().contains("ISAB blocks or summary projection differ"));
    assert!(load(&rows_only, "summary").unwrap_err().contains("ISAB blocks or summary projection differ"));
}

/// compact-v8's and rows-v2's `config.json` name `summary_features`, an option this trainer no
/// longer has: such a run still resumes from its checkpoint.
#[test]
fn a_run_whose_config_names_summary_features_resumes() {
    let dir = tempfile::tempdir().unwrap();
    run(&tiny(), dir.path(), false, 3);
    let path = dir.path().join("config.json");
    let mut json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    json["model"]["summary_features"] = mist::summary::SUMMARY_LEN.into();
    std::fs::write(&path, json.to_string()).unwrap();
    let config = run_config(dir.path()).unwrap();
    assert_eq!(config.to_string(), tiny().to_string());
    assert_eq!(run(&config, dir.path(), true, 4).step, 4);
}

/// Every config in `trainer/configs` loads (a model config, or a training config with a `model`),
/// and names no option the trainer does not know: serde would ignore it silently.
#[test]
fn every_config_in_trainer_configs_loads_and_names_known_options_only() {
    let keys = |json: &serde_json::Value| -> Vec<String> {
        let fields = json.as_object().expect("a config is a JSON object");
        let nested = fields.get("model").map_or(vec![], |m| m.as_object().unwrap().keys().cloned().collect());
        fields.keys().cloned().chain(nested.into_iter().map(|k| format!("model.{k}"))).collect()
    };
    let mut training = 0;
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("configs")).unwrap() {
        let path = entry.unwrap().path();
        let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let loaded = if file.get("model").is_some() {
            training += 1;
            TrainingConfig::load(&path).unwrap().to_string()
        } else {
            MistModelConfig::load(&path).unwrap().to_string()
        };
        let known = keys(&serde_json::from_str(&loaded).unwrap());
        for key in keys(&file) {
            assert!(known.contains(&key), "{}: unknown option {key}", path.display());
        }
    }
    assert!(training >= 4, "train-compact, radial, rows-below-gate and finetune are training configs");
}

/// `data_first_pool` starts the training stream at a later pool: fresh datasets for a fine-tune.
#[test]
fn data_first_pool_skips_the_first_pools() {
    let (plain, skipping) = (tiny().data(), tiny().with_data_first_pool(Some(3)).data());
    let (step, first) = skipping.stream(0, 1).next().unwrap();
    assert_eq!(step, 0);
    assert_eq!(first, plain.pool(3)[0]);
    assert_ne!(first, plain.pool(0)[0]);
}

/// Models built at the same time on two threads each get the weights of their own seed (the
/// backend's RNG is process-wide and burn draws parameters lazily).
#[test]
fn concurrent_seeded_inits_are_reproducible() {
    let config = tiny().model;
    let init = |seed: u64| weights(&seeded_init::<NdArray>(&config, seed, &Default::default()));
    let reference = [init(1), init(2)];
    std::thread::scope(|scope| {
        for (seed, expected) in [1u64, 2].into_iter().zip(&reference) {
            scope.spawn(move || {
                for _ in 0..50 {
                    assert!(init(seed) == *expected, "seed {seed} gave other weights while another init ran");
                }
            });
        }
    });
}

#[test]
fn loss_falls_in_200_steps() {
    let config = TrainingConfig::new(MistModelConfig::compact())
        .with_batch_size(16)
        .with_validation_size(128)
        .with_validate_every(100)
        .with_log_every(20)
        .with_warmup_steps(20)
        .with_learning_rate(1e-3);
    let dir = tempfile::tempdir().unwrap();
    let device = Default::default();
    let valid = config.data().validation(config.validation_size);
    // The backend's RNG is process-wide: initialise through the same lock as `train` so this test
    // cannot shift the draws of the resume test running beside it.
    let initial = validate(&seeded_init::<NdArray>(&config.model, config.seed, &device), &valid, &device).mse;
    let state = run(&config, dir.path(), false, 200);
    assert_eq!(state.step, 200);
    let log = std::fs::read_to_string(dir.path().join("metrics.jsonl")).unwrap();
    for line in log.lines() {
        let json: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut want = vec!["datasets", "datasets_per_s", "elapsed_s", "loss", "lr", "step", "train_mse"];
        if json["step"].as_u64().unwrap().is_multiple_of(100) {
            want.extend(["val_mse", "val_pinball"]);
        }
        assert_eq!(keys, want, "{line}");
    }
    let losses: Vec<f64> =
        log.lines().map(|l| l.split("\"loss\":").nth(1).unwrap().split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(losses.len(), 10, "{log}");
    let (early, late) = (losses[..3].iter().sum::<f64>(), losses[7..].iter().sum::<f64>());
    assert!(late < early, "training loss did not fall: {losses:?}");
    // Validation (fixed datasets) is far less noisy than the loss of 16-dataset batches.
    eprintln!("validation MSE {initial:.3} → {:.3} nats² in 200 steps; loss {losses:?}", state.best_val_mse);
    assert!(state.best_val_mse < 0.85 * initial, "validation MSE {initial} → {}", state.best_val_mse);
}

/// A run stopped before its first validation is validated on stopping: its checkpoint's state reads
/// back (an infinite best MSE would be saved as JSON null) and it has a best model to export.
#[test]
fn a_run_stopped_before_its_first_validation_can_be_resumed_and_exported() {
    let config = tiny().with_validate_every(100);
    let dir = tempfile::tempdir().unwrap();
    let state = run(&config, dir.path(), false, 2);
    assert!(state.best_val_mse.is_finite() && state.best_step == 2, "{state:?}");
    let saved = RunState::load(dir.path().join("checkpoint/state.json")).unwrap();
    assert_eq!((saved.step, saved.best_step), (2, 2));
    assert!(dir.path().join("best/state.json").exists());
    assert_eq!(run(&config, dir.path(), true, 3).step, 3);
}

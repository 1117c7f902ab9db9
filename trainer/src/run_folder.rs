//! A training run's folder as export and evaluation read it: the saved config, a saved model with
//! its state, and a line saying where the model comes from, which an exported model carries in its
//! metadata so that a model file can be traced back to its run.

use crate::routing::Expert;
use crate::training::{RunState, TrainingConfig, load_validated_model};
use burn::config::Config;
use burn::tensor::backend::Backend;
use std::path::Path;

/// The training config saved in a run folder.
pub fn run_config(run: &Path) -> Result<TrainingConfig, String> {
    Ok(read_config(run)?.0)
}

/// The config saved in `run` and its [`config_hash`].
fn read_config(run: &Path) -> Result<(TrainingConfig, u64), String> {
    let path = run.join("config.json");
    let json = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let config = TrainingConfig::load_binary(json.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((config, config_hash(&json).map_err(|e| format!("{}: {e}", path.display()))?))
}

/// A saved model of `run` (`from`: `best`, or `checkpoint` for the latest, read as validation
/// reads it) and a line describing it:
/// `config <hash>, <steps> steps, <datasets> datasets, val MSE <mse> nats², <run>`.
pub fn load_expert<B: Backend>(run: &Path, from: &str, device: &B::Device) -> Result<(Expert<B>, String), String> {
    let (config, hash) = read_config(run)?;
    let dir = run.join(from);
    let state_path = dir.join("state.json");
    let state = RunState::load(&state_path).map_err(|e| format!("{}: {e}", state_path.display()))?;
    let model = load_validated_model(&config, &dir, device)?;
    Ok((Expert { model, config: config.model }, describe(hash, &state, run)))
}

/// `config <hash>, <steps> steps, <datasets> datasets, val MSE <mse> nats², <run>`.
fn describe(hash: u64, state: &RunState, run: &Path) -> String {
    format!(
        "config {hash:016x}, {} steps, {} datasets, val MSE {:.4} nats², {}",
        state.step,
        state.datasets_seen,
        state.best_val_mse,
        run.display()
    )
}

/// A stable fingerprint of a run's `config.json` (FNV-1a of its JSON with sorted keys). Top-level
/// options left unset (`null` or absent) are left out, and the file is hashed as saved rather than
/// as this version of [`TrainingConfig`] reads it, so a run keeps its fingerprint when the config
/// gains or loses an option.
pub fn config_hash(config_json: &str) -> Result<u64, String> {
    let mut json: serde_json::Value = serde_json::from_str(config_json).map_err(|e| e.to_string())?;
    if let Some(fields) = json.as_object_mut() {
        fields.retain(|_, v| !v.is_null());
    }
    Ok(mist::preprocess::fnv1a(json.to_string().bytes().map(u64::from)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MistModelConfig;

    #[test]
    fn config_hash_ignores_layout_key_order_and_unset_options() {
        let saved = TrainingConfig::new(MistModelConfig::compact()).to_string();
        let hash = config_hash(&saved).unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&saved).unwrap();
        assert_eq!(config_hash(&json.to_string()).unwrap(), hash, "compact JSON, keys sorted, hashes alike");
        let fields = json.as_object_mut().unwrap();
        assert!(fields.remove("init_from").unwrap().is_null(), "an unset option is saved as null");
        assert_eq!(config_hash(&json.to_string()).unwrap(), hash, "absent and null options hash alike");
        json["init_from"] = "training-runs/compact-v8/best".into();
        assert_ne!(config_hash(&json.to_string()).unwrap(), hash, "a set option changes the hash");
        assert!(config_hash("{").is_err());
    }
}

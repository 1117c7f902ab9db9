//! MIST trainer: the burn set model, and (later) its data pipeline, training loop and ONNX export.

pub mod data;
pub mod evaluation;
pub mod inference;
pub mod model;
pub mod onnx;
pub mod training;

pub use model::{MistModel, MistModelConfig, ModelInput, ModelOutput, num_params};

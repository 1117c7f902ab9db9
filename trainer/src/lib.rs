//! MIST trainer: the burn set model, its data pipeline, training loop, ONNX export and evaluation.

pub mod averaging;
pub mod data;
pub mod evaluation;
pub mod head;
pub mod inference;
pub mod model;
pub mod onnx;
pub mod routing;
pub mod run_folder;
pub mod training;

pub use model::{MistModel, MistModelConfig, ModelInput, ModelOutput, num_params};
pub use routing::{Expert, RoutedModel};

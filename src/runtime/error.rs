//! The runtime's error type: every failure says what was wrong and with which value.

/// Everything that can go wrong when loading the learned estimator or running it.
///
/// The C ABI maps each variant to one `MistStatus` (see `crate::ffi::status`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuntimeError {
    /// The data was rejected by the library-wide validation (row mismatch, too few rows, NaN/Inf).
    #[error(transparent)]
    Input(#[from] crate::Error),
    /// `dx` or `dy` is 0 or above the model's maximum.
    #[error("{0}")]
    BadDimension(String),
    /// Any other bad argument (quantile levels, option values), named with its value.
    #[error("{0}")]
    InvalidArgument(String),
    /// The model file is missing, unreadable or not a valid ONNX model.
    #[error("{0}")]
    ModelLoad(String),
    /// The model's metadata (`mist.format`, limits, inputs) is not what this runtime understands.
    #[error("{0}")]
    ModelUnsupported(String),
    /// The ONNX Runtime library is missing, not loadable, of the wrong version, or already loaded
    /// from another path.
    #[error("{0}")]
    RuntimeLoad(String),
    /// CUDA was requested but is not available (and falling back to the CPU was not allowed).
    #[error("{0}")]
    DeviceUnavailable(String),
    /// ONNX Runtime failed while running the model, or the model returned a non-finite value.
    #[error("{0}")]
    Inference(String),
    /// A failure in dataset `index` of a batch.
    #[error("dataset {index}: {source}")]
    InDataset {
        /// Position of the dataset in the batch (0-based).
        index: usize,
        /// What was wrong with it.
        source: Box<RuntimeError>,
    },
}

impl RuntimeError {
    /// The innermost error (without the batch position).
    pub fn root(&self) -> &RuntimeError {
        match self {
            RuntimeError::InDataset { source, .. } => source.root(),
            other => other,
        }
    }
}

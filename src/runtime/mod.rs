//! The learned estimator in Rust: ONNX Runtime loading, model checks, a pool of sessions and the
//! safe API ([`MistEstimator`]) that the C ABI ([`crate::ffi`]) and the CLI wrap.
//!
//! ```no_run
//! use mist::runtime::{EstimatorOptions, MistEstimator};
//! # fn main() -> Result<(), mist::runtime::RuntimeError> {
//! let estimator = MistEstimator::new(EstimatorOptions::default())?; // the embedded model, on the CPU
//! let x = ndarray::Array2::<f64>::zeros((500, 2));
//! let y = ndarray::Array2::<f64>::zeros((500, 1));
//! let mi = estimator.estimate(x.view(), y.view())?; // nats
//! let q = estimator.quantiles(x.view(), y.view(), &[0.05, 0.5, 0.95])?;
//! # let _ = (mi, q);
//! # Ok(())
//! # }
//! ```

mod error;
pub mod estimator;
pub mod head;
pub mod model;
pub mod ort_lib;
pub mod session_pool;

pub use error::RuntimeError;
pub use estimator::{EstimatorOptions, MistEstimator};
pub use model::{DEFAULT_MODEL, Device, ModelInfo, ModelSource};

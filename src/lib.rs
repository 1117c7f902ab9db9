//! mist: a learned estimator of mutual information (MI), in nats, with classical baselines.
//!
//! - [`preprocess`]: the rank-to-Gaussian column transform shared by trainer and runtime.
//! - [`baselines`]: the KSG and Gaussian/CCA estimators and subsampling intervals.
//! - [`input`]: input checks shared by the estimators (shapes, finiteness, constant and discrete
//!   columns).
//! - [`chunking`]: how datasets larger than a model's training range are split and recombined.
//! - [`contract`]: the ONNX contract (tensor names, metadata keys) shared with the trainer's exporter.
//! - [`padding`]: the padded, masked input layout of the model (trainer and runtime).
//! - [`summary`]: per-dataset summary features (Gaussian MI, its shuffled-rows floor, size) a model
//!   may read beside the rows.
//! - [`whole_data`]: features of all rows of a large dataset, for the large-n head.
//! - [`method`]: every estimator under one name, and many datasets of one method at once.
//! - [`permutation`]: the permutation test of independence.
//! - [`pairs`]: MI of many column pairs of one table (MI matrices, screening).

pub mod auto;
pub mod baselines;
pub mod chunking;
pub mod contract;
pub mod error;
pub mod ffi;
pub mod input;
pub mod method;
pub mod padding;
pub mod pairs;
pub mod permutation;
pub mod preprocess;
pub mod runtime;
pub mod special;
pub mod summary;
pub mod whole_data;

pub use error::{Error, Result};

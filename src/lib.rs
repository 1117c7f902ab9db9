//! mist: a learned estimator of mutual information (MI), in nats, with classical baselines.
//!
//! - [`synth`]: the synthetic meta-dataset (joint distributions with closed-form MI).
//! - [`preprocess`]: the rank-to-Gaussian column transform shared by trainer and runtime.
//! - [`baselines`]: the KSG and Gaussian/CCA estimators and subsampling intervals.
//! - [`input`]: input checks shared by the estimators (shapes, finiteness, constant and discrete
//!   columns).
//! - [`chunking`]: how datasets larger than a model's training range are split and recombined.
//! - [`io`]: reading datasets from CSV and `.npy` files.
//! - [`padding`]: the padded, masked input layout of the model (trainer and runtime).
//! - [`summary`]: per-dataset summary features (Gaussian MI, its shuffled-rows floor, size) a model
//!   may read beside the rows.

pub mod baselines;
pub mod chunking;
pub mod error;
pub mod ffi;
pub mod input;
pub mod io;
pub mod padding;
pub mod preprocess;
pub mod runtime;
pub mod summary;
pub mod synth;

pub use error::{Error, Result};

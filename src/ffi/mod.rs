//! The C ABI of libmist (`include/mist.h`, generated from this module by cbindgen in `build.rs`).
//!
//! One small file per concern: [`status`] (status codes, per-thread last error), `panic` (the
//! unwinding boundary every export goes through), `pointer` (NULL, alignment and size checks),
//! [`matrix`] (caller memory as ndarray views, row- or column-major, without a copy), [`options`],
//! [`estimator`] (the handle and its calls), [`baselines`] (KSG and Gaussian), [`auto`],
//! [`method`] (estimators by number), [`independence`] (the permutation test), [`pairs`] (column
//! pairs), [`version`].
//!
//! Rules every export follows: each pointer is checked for NULL (the message names the argument);
//! outputs are written only on success; every failure returns its [`MistStatus`] and leaves a message
//! naming the bad argument and its value for `mist_last_error`; a panic returns
//! [`MistStatus::Panic`] and never unwinds into C.

pub mod auto;
pub mod baselines;
pub mod estimator;
pub mod independence;
pub mod matrix;
pub mod method;
pub mod options;
pub mod pairs;
pub(crate) mod panic;
pub(crate) mod pointer;
pub mod status;
pub mod version;

pub use auto::{MistKind, mist_estimate_auto};
pub use baselines::{MistTableMethod, mist_discrete, mist_gaussian, mist_gcmi, mist_ksg, mist_ross};
pub use estimator::{
    MistEstimator, mist_create, mist_estimate, mist_estimate_batch, mist_estimate_with_quantiles, mist_free,
    mist_max_dx, mist_max_dy, mist_max_n, mist_min_n, mist_quantiles,
};
pub use independence::{MistTestResult, mist_test};
pub use matrix::{MistLayout, MistMatrix};
pub use method::MistMethod;
pub use options::{MistDevice, MistOptions, mist_options_default};
pub use pairs::mist_pairs;
pub use status::{FfiError, MistStatus, mist_last_error, mist_last_error_copy, mist_status_name};
pub use version::mist_version;

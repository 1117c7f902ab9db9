//! The ONNX contract between the trainer's exporter and this runtime: tensor names, metadata keys
//! and the values both sides must agree on. Written once here, so an exported model and the runtime
//! that checks it cannot drift apart; `docs/onnx-contract.md` explains each item.

/// The contract version written to [`key::FORMAT`]; the runtime refuses any other.
pub const FORMAT_VERSION: u32 = 1;

/// The preprocessing the runtime applies before the model ([`key::PREPROCESS`]): each column to
/// `Φ⁻¹((rank − ½) / n)` ([`crate::preprocess`]).
pub const PREPROCESS: &str = "rank_gauss";

/// The heads a model provides ([`key::HEADS`]): a point estimate and τ-conditioned quantiles.
pub const HEADS: &str = "point,quantile";

/// Input `x [batch, rows, max_dx]`: the rank-Gaussian X block, zero-padded.
pub const X: &str = "x";
/// Input `y [batch, rows, max_dy]`: the rank-Gaussian Y block, zero-padded.
pub const Y: &str = "y";
/// Input `row_mask [batch, rows]`: 1 for a real row, 0 for padding.
pub const ROW_MASK: &str = "row_mask";
/// Input `x_col_mask [batch, max_dx]`: 1 for a real X column.
pub const X_COL_MASK: &str = "x_col_mask";
/// Input `y_col_mask [batch, max_dy]`: 1 for a real Y column.
pub const Y_COL_MASK: &str = "y_col_mask";
/// Input `tau [batch, taus]`: the quantile levels asked for, each in (0, 1).
pub const TAU: &str = "tau";
/// Input `summary [batch, SUMMARY_LEN]` of a model that reads each dataset's
/// [`summary`](crate::summary) features; absent from a model that reads the rows only.
pub const SUMMARY: &str = "summary";
/// The inputs every model has, in the order the runtime feeds them (then [`SUMMARY`], if declared).
pub const INPUTS: [&str; 6] = [X, Y, ROW_MASK, X_COL_MASK, Y_COL_MASK, TAU];

/// Output `mi [batch]`: the point estimate, nats.
pub const MI: &str = "mi";
/// Output `quantiles [batch, taus]`: the quantiles at `tau`, nats (the runtime sorts them).
pub const QUANTILES: &str = "quantiles";
/// The outputs every model has.
pub const OUTPUTS: [&str; 2] = [MI, QUANTILES];

/// Metadata keys (`metadata_props` of the ONNX model).
pub mod key {
    /// The contract version, [`super::FORMAT_VERSION`].
    pub const FORMAT: &str = "mist.format";
    /// Most X columns (the width of `x`).
    pub const MAX_DX: &str = "mist.max_dx";
    /// Most Y columns (the width of `y`).
    pub const MAX_DY: &str = "mist.max_dy";
    /// Fewest rows the model was trained on, and accepts.
    pub const MIN_N: &str = "mist.min_n";
    /// Most rows the model was trained on; larger datasets are split into chunks.
    pub const MAX_N: &str = "mist.max_n";
    /// The preprocessing, [`super::PREPROCESS`].
    pub const PREPROCESS: &str = "mist.preprocess";
    /// The heads, [`super::HEADS`].
    pub const HEADS: &str = "mist.heads";
    /// A short description of the training run the weights come from.
    pub const TRAIN: &str = "mist.train";
    /// The large-n head's layer widths (optional: without them, chunk answers are averaged).
    pub const HEAD_WIDTHS: &str = "mist.head.widths";
    /// The large-n head's weights and biases, space-separated.
    pub const HEAD_WEIGHTS: &str = "mist.head.weights";
    /// A short description of the large-n head's training run.
    pub const HEAD_TRAIN: &str = "mist.head.train";
    /// The fewest rows of a dataset the head answers (optional: without it, `max_n` + 1, the
    /// large-n heads trained on datasets above `max_n` rows only). Smaller datasets get the
    /// network's own answer.
    pub const HEAD_MIN_N: &str = "mist.head.min_n";
}

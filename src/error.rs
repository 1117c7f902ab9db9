//! The library's error type: every failure names the bad argument and its value.

/// Result alias used across the library.
pub type Result<T> = std::result::Result<T, Error>;

/// Everything that can go wrong when estimating MI from user data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// X and Y do not have the same number of rows.
    #[error("X has {x_rows} rows but Y has {y_rows}; both must have the same number of rows")]
    RowMismatch { x_rows: usize, y_rows: usize },
    /// Fewer rows than the estimator needs.
    #[error("n = {n} rows is below the minimum of {min} for {what}")]
    TooFewRows { n: usize, min: usize, what: String },
    /// X or Y has no column (`which` is `dx` or `dy`, `matrix` is `X` or `Y`).
    #[error("{which} = 0: {matrix} needs at least one column")]
    NoColumns { which: &'static str, matrix: &'static str },
    /// A NaN or infinite value in the input.
    #[error("{which}[{row}, {col}] = {value} is not finite")]
    NonFinite { which: &'static str, row: usize, col: usize, value: f64 },
    /// A column of few distinct values, which the estimator does not apply to (see
    /// [`crate::input::is_discrete`]).
    #[error(
        "{which}[:, {col}] looks discrete: it takes {levels} distinct values in {n} rows. The learned model \
         answers continuous data and rounded measurements (more than {max} distinct values per column), not \
         categories or counts with few levels",
        max = crate::input::MAX_DISCRETE_LEVELS
    )]
    Discrete { which: &'static str, col: usize, levels: usize, n: usize },
    /// Any other invalid argument, with its name and value.
    #[error("invalid argument {name} = {value}: {why}")]
    BadArgument { name: &'static str, value: String, why: String },
}

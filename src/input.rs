//! Input checks shared by the estimators: shapes, row counts and finiteness (every estimator), and
//! the two facts about columns that change what an estimate means: a constant column carries no
//! information (dropped: MI is exactly unchanged), and a column of few distinct values is discrete
//! ([`is_discrete`], the one rule for it), which the learned model never saw in training (refused by
//! the model). Rounded measurements are not discrete: the model breaks their ties at random.

use crate::preprocess::sorted_column;
use crate::{Error, Result};
use ndarray::{ArrayView1, ArrayView2, Axis, CowArray, Ix2};

/// Checks that `x` (n × dx) and `y` (n × dy) pair up, have at least `min_n` rows and no NaN/Inf.
///
/// `what` names the estimator in the error message (e.g. `"KSG with k = 5"`).
pub fn validate(x: ArrayView2<f64>, y: ArrayView2<f64>, min_n: usize, what: &str) -> Result<()> {
    if x.nrows() != y.nrows() {
        return Err(Error::RowMismatch { x_rows: x.nrows(), y_rows: y.nrows() });
    }
    for (which, matrix, m) in [("dx", "X", &x), ("dy", "Y", &y)] {
        if m.ncols() == 0 {
            return Err(Error::NoColumns { which, matrix });
        }
    }
    if x.nrows() < min_n {
        return Err(Error::TooFewRows { n: x.nrows(), min: min_n, what: what.to_string() });
    }
    for (which, m) in [("X", &x), ("Y", &y)] {
        // A plain scan first; the cell's index is looked up only when there is one to report.
        if m.iter().all(|v| v.is_finite()) {
            continue;
        }
        if let Some(((row, col), &value)) = m.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite { which, row, col, value });
        }
    }
    Ok(())
}

/// Most distinct values of a column that is discrete for the learned model (with at least two rows
/// per value on average, see [`is_discrete`]): categories, counts and scores with few levels.
/// Rounded measurements have more (a normal sample rounded to 0.25 standard deviations takes about
/// 20 values in 150 rows) and are answered, their ties broken at random.
pub const MAX_DISCRETE_LEVELS: usize = 10;

/// The one rule that tells discrete data from continuous data and rounded measurements: a column
/// with `levels` distinct values among `n` rows is discrete when `2 ≤ levels ≤`
/// [`MAX_DISCRETE_LEVELS`] and `2 · levels ≤ n` (each value repeats, on average). A constant column
/// (one level) is not discrete: it carries no information and is dropped.
///
/// Why there: breaking ties at random (dequantisation) leaves MI unchanged, but it turns a column of
/// a few levels into a few wide uniform blocks, far from any training data; with more levels the
/// blocks are narrow and the model reads rounded data as it reads the continuous data they were
/// rounded from (the everyday grid's rounded family, `docs/evaluation.md`).
pub fn is_discrete(levels: usize, n: usize) -> bool {
    (2..=MAX_DISCRETE_LEVELS).contains(&levels) && 2 * levels <= n
}

/// `m` without its constant columns (all values equal), which carry no information: MI is
/// exactly unchanged without them. `None` when every column is constant (then MI is 0); `m` itself,
/// borrowed, when none is.
pub fn drop_constant_columns(m: ArrayView2<'_, f64>) -> Option<CowArray<'_, f64, Ix2>> {
    keep_columns(m, &varying_columns(m))
}

/// Indices of the columns of `m` that are not constant, ascending.
pub fn varying_columns(m: ArrayView2<f64>) -> Vec<usize> {
    (0..m.ncols()).filter(|&c| !is_constant(m.column(c))).collect()
}

/// The columns `keep` (ascending indices) of `m`: `None` when there are none, `m` itself, borrowed,
/// when they are all of them.
pub fn keep_columns<'a>(m: ArrayView2<'a, f64>, keep: &[usize]) -> Option<CowArray<'a, f64, Ix2>> {
    match keep.len() {
        0 => None,
        all if all == m.ncols() => Some(m.into()),
        _ => Some(m.select(Axis(1), keep).into()),
    }
}

/// Refuses a column of `m` (named `which` in the message) that [`is_discrete`] calls discrete.
/// Constant columns pass (they are dropped, see [`drop_constant_columns`]); so do rounded
/// measurements, whose ties the model's preprocessing breaks at random without changing MI.
pub fn check_continuous(m: ArrayView2<f64>, which: &'static str) -> Result<()> {
    for (col, column) in m.columns().into_iter().enumerate() {
        check_column(column, &sorted_column(column), col, which)?;
    }
    Ok(())
}

/// [`check_continuous`] of `m` whose [`sorted_rows`](crate::preprocess::sorted_rows) are known.
pub fn check_continuous_sorted(m: ArrayView2<f64>, sorted: &[Vec<usize>], which: &'static str) -> Result<()> {
    for (col, (column, rows)) in m.columns().into_iter().zip(sorted).enumerate() {
        check_column(column, rows, col, which)?;
    }
    Ok(())
}

/// Number of distinct values of `column` (`-0` and `0` are equal): what [`is_discrete`] reads.
pub fn column_levels(column: ArrayView1<f64>) -> usize {
    levels(column, &sorted_column(column))
}

/// Number of distinct values of `column` (`-0` and `0` are equal), its rows in increasing order of
/// value.
fn levels(column: ArrayView1<f64>, sorted: &[usize]) -> usize {
    sorted.chunk_by(|&a, &b| column[a] == column[b]).count()
}

/// The [`check_continuous`] test of column `col`, its rows in increasing order of value.
fn check_column(column: ArrayView1<f64>, sorted: &[usize], col: usize, which: &'static str) -> Result<()> {
    let (levels, n) = (levels(column, sorted), column.len());
    if is_discrete(levels, n) {
        return Err(Error::Discrete { which, col, levels, n });
    }
    Ok(())
}

/// Whether every value of `column` equals the first.
fn is_constant(column: ArrayView1<f64>) -> bool {
    column.first().is_none_or(|first| column.iter().all(|v| v == first))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn names_the_bad_cell() {
        let x = array![[1.0], [f64::NAN], [3.0]];
        let y = array![[1.0], [2.0], [3.0]];
        let e = validate(x.view(), y.view(), 2, "test").unwrap_err();
        assert_eq!(e.to_string(), "X[1, 0] = NaN is not finite");
    }

    #[test]
    fn rejects_row_mismatch_and_short_input() {
        let x = array![[1.0], [2.0]];
        let y = array![[1.0], [2.0], [3.0]];
        assert!(matches!(validate(x.view(), y.view(), 1, "t"), Err(Error::RowMismatch { .. })));
        assert!(matches!(validate(y.view(), y.view(), 4, "t"), Err(Error::TooFewRows { n: 3, min: 4, .. })));
    }

    #[test]
    fn constant_columns_are_dropped() {
        let m = array![[1.0, 5.0, 0.0], [2.0, 5.0, -0.0], [3.0, 5.0, 0.0]];
        assert_eq!(drop_constant_columns(m.view()).unwrap(), array![[1.0], [2.0], [3.0]]);
        let varying = array![[1.0], [2.0]];
        assert!(drop_constant_columns(varying.view()).unwrap().is_view());
        assert!(drop_constant_columns(array![[4.0, 1.0], [4.0, 1.0]].view()).is_none());
    }

    #[test]
    fn few_levels_are_discrete_and_rounded_measurements_are_not() {
        // 100 rows of 10 levels are discrete, of 11 levels not; a constant column passes.
        let levels =
            |k: usize| Array2::from_shape_fn((100, 2), |(r, c)| if c == 1 { (r % k) as f64 } else { r as f64 });
        assert!(check_continuous(levels(11).view(), "X").is_ok());
        let e = check_continuous(levels(10).view(), "Y").unwrap_err();
        assert_eq!(e, Error::Discrete { which: "Y", col: 1, levels: 10, n: 100 });
        assert!(e.to_string().starts_with("Y[:, 1] looks discrete: it takes 10 distinct values in 100 rows"), "{e}");
        assert!(check_continuous(Array2::from_elem((50, 1), 7.0).view(), "X").is_ok());
        // Few rows: values that do not repeat on average are not discrete.
        assert!(check_continuous(array![[1.0], [1.0], [2.0], [3.0]].view(), "X").is_ok());
        assert!(check_continuous(array![[1.0], [1.0], [2.0], [2.0]].view(), "X").is_err());
        // -0 and 0 are one level.
        assert!(check_continuous(array![[0.0], [-0.0], [1.0], [1.0]].view(), "X").is_err());
        // A normal sample rounded to 0.25 standard deviations in 150 rows has far more than 10 levels.
        let rounded = Array2::from_shape_fn((150, 1), |(r, _)| {
            let u = (r as f64 + 0.5) / 150.0;
            (crate::special::normal_quantile(u) / 0.25).round() * 0.25
        });
        assert!(check_continuous(rounded.view(), "X").is_ok());
    }
}

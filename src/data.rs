//! Input validation shared by every estimator: shapes, row counts and finiteness.

use crate::{Error, Result};
use ndarray::ArrayView2;

/// Checks that `x` (n × dx) and `y` (n × dy) pair up, have at least `min_n` rows and no NaN/Inf.
///
/// `what` names the estimator in the error message (e.g. `"KSG with k = 5"`).
pub fn validate(x: ArrayView2<f64>, y: ArrayView2<f64>, min_n: usize, what: &str) -> Result<()> {
    if x.nrows() != y.nrows() {
        return Err(Error::RowMismatch { x_rows: x.nrows(), y_rows: y.nrows() });
    }
    for (which, m) in [("dx", &x), ("dy", &y)] {
        if m.ncols() == 0 {
            return Err(Error::BadDim { which, value: 0, min: 1, max: usize::MAX });
        }
    }
    if x.nrows() < min_n {
        return Err(Error::TooFewRows { n: x.nrows(), min: min_n, what: what.to_string() });
    }
    for (which, m) in [("X", &x), ("Y", &y)] {
        if let Some(((row, col), &value)) = m.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite { which, row, col, value });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

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
}

//! `auto`: which estimator answers a pair of samples, from the kind of each column. The learned
//! model answers continuous data and rounded measurements and refuses discrete columns; discrete
//! data have estimators of their own. A column is discrete when the caller says so (an R factor, a
//! Julia string) or, when the caller leaves it to the data, by the one rule of
//! [`crate::input::is_discrete`]. Constant columns carry no information and count as neither.
//!
//! - every column continuous: the learned model;
//! - every column discrete: the NSB estimate of the contingency table;
//! - one side discrete and the other continuous: Ross's nearest-neighbour estimator (k = 3);
//! - a side mixing discrete and continuous columns: KSG (k = 5), which counts the exact ties of
//!   discrete columns as Gao et al. (2017) do.

use crate::input::{column_levels, is_discrete};
use ndarray::ArrayView2;

/// What the caller says of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Let the data say, by [`is_discrete`].
    Detect,
    /// Continuous, or a rounded measurement.
    Continuous,
    /// Categories or counts: equal values are one category.
    Discrete,
}

/// The estimator `auto` picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The learned model.
    Model,
    /// The NSB estimate of the contingency table.
    Nsb,
    /// Ross's estimator with the discrete side as X (`swap`: Y is the discrete side).
    Ross {
        /// Whether Y, not X, is the discrete side.
        swap: bool,
    },
    /// KSG with Gao's tie counting.
    Ksg,
}

/// Neighbours of Ross's estimator under `auto` (scikit-learn's default).
pub const ROSS_K: usize = 3;

/// Neighbours of KSG under `auto`.
pub const KSG_K: usize = 5;

impl Choice {
    /// The choice for `x` and `y` with the caller's kinds (`None`: detect every column).
    pub fn of(x: ArrayView2<f64>, y: ArrayView2<f64>, x_kinds: Option<&[Kind]>, y_kinds: Option<&[Kind]>) -> Choice {
        let (x, y) = (side(x, x_kinds), side(y, y_kinds));
        match (x, y) {
            (Side::Continuous | Side::Empty, Side::Continuous | Side::Empty) => Choice::Model,
            (Side::Discrete, Side::Discrete | Side::Empty) | (Side::Empty, Side::Discrete) => Choice::Nsb,
            (Side::Discrete, Side::Continuous) => Choice::Ross { swap: false },
            (Side::Continuous, Side::Discrete) => Choice::Ross { swap: true },
            _ => Choice::Ksg,
        }
    }
}

/// What a side's varying columns are, together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// No varying column.
    Empty,
    Continuous,
    Discrete,
    Mixed,
}

/// The kind of `m`'s varying columns, each as `kinds` says (by [`is_discrete`] where it says
/// [`Kind::Detect`] or where there are no kinds).
fn side(m: ArrayView2<f64>, kinds: Option<&[Kind]>) -> Side {
    let n = m.nrows();
    let mut side = Side::Empty;
    for (c, column) in m.columns().into_iter().enumerate() {
        let levels = column_levels(column);
        if levels < 2 {
            continue;
        }
        let discrete = match kinds.and_then(|k| k.get(c)).copied().unwrap_or(Kind::Detect) {
            Kind::Detect => is_discrete(levels, n),
            Kind::Continuous => false,
            Kind::Discrete => true,
        };
        side = match (side, discrete) {
            (Side::Empty | Side::Discrete, true) => Side::Discrete,
            (Side::Empty | Side::Continuous, false) => Side::Continuous,
            _ => Side::Mixed,
        };
    }
    side
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn each_combination_of_kinds_gets_its_estimator() {
        let n = 60;
        let measure = Array2::from_shape_fn((n, 1), |(i, _)| (i as f64 * 0.37).sin());
        let class = Array2::from_shape_fn((n, 1), |(i, _)| (i % 3) as f64);
        let constant = Array2::from_elem((n, 1), 1.0);
        let both = ndarray::concatenate![ndarray::Axis(1), measure, class];
        let of = |x: &Array2<f64>, y: &Array2<f64>| Choice::of(x.view(), y.view(), None, None);
        assert_eq!(of(&measure, &measure), Choice::Model);
        assert_eq!(of(&class, &class), Choice::Nsb);
        assert_eq!(of(&class, &measure), Choice::Ross { swap: false });
        assert_eq!(of(&measure, &class), Choice::Ross { swap: true });
        assert_eq!(of(&both, &measure), Choice::Ksg);
        assert_eq!(of(&constant, &class), Choice::Nsb);
        assert_eq!(of(&constant, &measure), Choice::Model);
        // A declared kind overrides the rule: 60 distinct codes are a category when the caller says so.
        let codes = Array2::from_shape_fn((n, 1), |(i, _)| i as f64);
        assert_eq!(of(&codes, &measure), Choice::Model);
        let declared = Choice::of(codes.view(), measure.view(), Some(&[Kind::Discrete]), None);
        assert_eq!(declared, Choice::Ross { swap: false });
        let continuous = Choice::of(class.view(), measure.view(), Some(&[Kind::Continuous]), None);
        assert_eq!(continuous, Choice::Model);
    }
}

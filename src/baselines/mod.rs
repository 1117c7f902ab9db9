//! Classical MI estimators the learned model is compared against, behind one small interface.

pub mod bootstrap;
pub mod discrete;
pub mod gaussian;
pub mod gcmi;
pub mod ksg;
mod ksg_tree;
mod neighbours;

pub use bootstrap::Interval;
pub use bootstrap::bootstrap_interval;
pub use gaussian::Gaussian;
pub use gcmi::Gcmi;
pub use ksg::Ksg;

use crate::Result;
use ndarray::ArrayView2;

/// Centres `column` and scales it to unit population variance (all zeros when it is constant). It is
/// first divided by its largest magnitude, which changes nothing in exact arithmetic but keeps the
/// sums of squares finite and clear of underflow for values anywhere from 1e-300 to 1e300.
pub(crate) fn standardize(column: &mut [f64]) {
    let n = column.len() as f64;
    let scale = column.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale > 0.0 {
        column.iter_mut().for_each(|v| *v /= scale);
    }
    let mean = column.iter().sum::<f64>() / n;
    let std = (column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    column.iter_mut().for_each(|v| *v = if std > 0.0 { (*v - mean) / std } else { 0.0 });
}

/// An estimator of I(X; Y) in nats from paired samples `x` (n × dx) and `y` (n × dy).
pub trait Estimator: Sync {
    /// Estimates MI in nats; bad input (mismatched rows, NaN, too few rows) is an error.
    fn estimate(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64>;
    /// A short human name, e.g. `"KSG (k = 5)"`.
    fn name(&self) -> String;
    /// The fewest rows it estimates from (resampling intervals draw subsamples at least this large).
    fn min_rows(&self) -> usize;
}

//! Classical MI estimators the learned model is compared against, behind one small interface.

pub mod bootstrap;
pub mod gaussian;
pub mod ksg;

pub use bootstrap::Interval;
pub use bootstrap::bootstrap_interval;
pub use gaussian::Gaussian;
pub use ksg::Ksg;

use crate::Result;
use ndarray::ArrayView2;

/// An estimator of I(X; Y) in nats from paired samples `x` (n × dx) and `y` (n × dy).
pub trait Estimator: Sync {
    /// Estimates MI in nats; bad input (mismatched rows, NaN, too few rows) is an error.
    fn estimate(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64>;
    /// A short human name, e.g. `"KSG (k = 5)"`.
    fn name(&self) -> String;
}

//! `method`: one name for every estimator a call can run — the learned model, each baseline, or
//! `auto`'s pick — so that the calls that estimate many datasets of one kind (the permutation test,
//! column pairs) take any of them, and run their datasets the fastest way each allows: the model's
//! in one batch, a baseline's side by side on the handle's threads.

use crate::auto::{Choice, KSG_K, Kind, ROSS_K};
use crate::baselines::discrete::{Ross, Table, TableMethod};
use crate::baselines::{Estimator, Gaussian, Gcmi, Ksg};
use crate::runtime::{MistEstimator, RuntimeError};
use ndarray::ArrayView2;
use rayon::prelude::*;

/// An estimator of I(X;Y).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The estimator that fits each column's kind ([`crate::auto`]), picked once per dataset.
    Auto,
    /// The learned model.
    Model,
    /// KSG with `k` neighbours.
    Ksg {
        /// Neighbours, at least 1.
        k: usize,
    },
    /// The Gaussian (canonical-correlation) estimator.
    Gaussian,
    /// The Gaussian-copula estimator.
    Gcmi,
    /// An estimate of the contingency table of two discrete sides.
    Table(TableMethod),
    /// Ross's estimator of a discrete side against a continuous one, the discrete side read first
    /// (`swap`: the discrete side is Y).
    Ross {
        /// Neighbours, at least 1.
        k: usize,
        /// Whether Y, not X, is the discrete side.
        swap: bool,
    },
}

impl Method {
    /// The method that runs on `x` and `y`: `auto`'s choice for their columns' kinds (`None`:
    /// detect every column), any other method itself.
    pub fn resolve(
        self,
        x: ArrayView2<f64>,
        y: ArrayView2<f64>,
        x_kinds: Option<&[Kind]>,
        y_kinds: Option<&[Kind]>,
    ) -> Method {
        match self {
            Method::Auto => match Choice::of(x, y, x_kinds, y_kinds) {
                Choice::Model => Method::Model,
                Choice::Nsb => Method::Table(TableMethod::Nsb),
                Choice::Ross { swap } => Method::Ross { k: ROSS_K, swap },
                Choice::Ksg => Method::Ksg { k: KSG_K },
            },
            other => other,
        }
    }

    /// A short human name, as the estimators' own (`"KSG (k = 5)"`); `"MIST"` for the model and
    /// `"auto"` before it is resolved.
    pub fn name(self) -> String {
        match (self, self.baseline()) {
            (_, Some((estimator, _))) => estimator.name(),
            (Method::Model, None) => "MIST".into(),
            _ => "auto".into(),
        }
    }

    /// The baseline this method runs, with whether it reads Y as its X; `None` for the model and
    /// for [`Method::Auto`], which runs what [`Method::resolve`] says.
    pub fn baseline(self) -> Option<(Box<dyn Estimator>, bool)> {
        match self {
            Method::Auto | Method::Model => None,
            Method::Ksg { k } => Some((Box::new(Ksg { k }), false)),
            Method::Gaussian => Some((Box::new(Gaussian), false)),
            Method::Gcmi => Some((Box::new(Gcmi), false)),
            Method::Table(method) => Some((Box::new(Table { method }), false)),
            Method::Ross { k, swap } => Some((Box::new(Ross { k }), swap)),
        }
    }

    /// Estimates of every dataset by this method (resolved: not [`Method::Auto`]), in order, with
    /// `taus` quantiles each from the model (none from a baseline: an empty vector). The model's
    /// datasets run as one [`MistEstimator::estimate_batch_with_quantiles`] of `est`; a baseline's
    /// side by side on at most [`MistEstimator::threads`] threads (all of rayon's without `est`).
    /// Each answer is the one a single call on that dataset gives (the model's up to `f32`
    /// rounding).
    ///
    /// # Errors
    /// The first failing dataset, as [`RuntimeError::InDataset`];
    /// [`RuntimeError::InvalidArgument`] for the model without `est`, and for [`Method::Auto`]
    /// (each dataset may need another estimator: resolve it first).
    pub fn estimate_many(
        self,
        est: Option<&MistEstimator>,
        datasets: &[(ArrayView2<f64>, ArrayView2<f64>)],
        taus: &[f64],
    ) -> Result<Vec<(f64, Vec<f64>)>, RuntimeError> {
        if self == Method::Auto {
            return Err(RuntimeError::InvalidArgument(
                "Method::Auto runs nothing itself: resolve it for each dataset".into(),
            ));
        }
        let Some((estimator, swap)) = self.baseline() else {
            let est =
                est.ok_or_else(|| RuntimeError::InvalidArgument("the learned model needs its estimator".into()))?;
            return match taus {
                [] => Ok(est.estimate_batch(datasets)?.into_iter().map(|mi| (mi, Vec::new())).collect()),
                _ => est.estimate_batch_with_quantiles(datasets, taus),
            };
        };
        let run = || {
            datasets
                .par_iter()
                .enumerate()
                .map(|(index, (x, y))| {
                    let (a, b) = if swap { (y, x) } else { (x, y) };
                    estimator
                        .estimate(a.view(), b.view())
                        .map(|mi| (mi, Vec::new()))
                        .map_err(|e| RuntimeError::InDataset { index, source: Box::new(e.into()) })
                })
                .collect()
        };
        match est.map(|est| rayon::ThreadPoolBuilder::new().num_threads(est.threads()).build()) {
            Some(Ok(pool)) => pool.install(run),
            // No handle, or no threads to be had: the caller's pool does the work.
            _ => run(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn auto_resolves_per_dataset_and_runs_nothing_itself() {
        let n = 60;
        let class = Array2::from_shape_fn((n, 1), |(i, _)| (i % 3) as f64);
        let measure = Array2::from_shape_fn((n, 1), |(i, _)| (i as f64 * 0.37).sin() + (i % 3) as f64);
        let resolved = Method::Auto.resolve(measure.view(), class.view(), None, None);
        assert_eq!(resolved, Method::Ross { k: crate::auto::ROSS_K, swap: true });
        // Swapped: the discrete side is read as X, so the answer is Ross on (class, measure).
        let answer = resolved.estimate_many(None, &[(measure.view(), class.view())], &[]).unwrap();
        let direct = Ross { k: crate::auto::ROSS_K }.estimate(class.view(), measure.view()).unwrap();
        assert_eq!(answer[0].0, direct);
        assert!(Method::Auto.estimate_many(None, &[(measure.view(), class.view())], &[]).is_err());
        assert!(Method::Model.estimate_many(None, &[(measure.view(), measure.view())], &[]).is_err());
        assert_eq!(Method::Ksg { k: 5 }.name(), "KSG (k = 5)");
    }
}

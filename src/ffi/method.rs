//! `MistMethod`: the estimators by number, both what a caller asks for (`mist_test`, `mist_pairs`)
//! and what answered (`mist_estimate_auto`, which picks the model, Ross, KSG or NSB).

use super::status::FfiError;
use crate::auto::{KSG_K, ROSS_K};
use crate::baselines::discrete::TableMethod;
use crate::method::Method;
use std::ffi::c_int;

/// An estimator of I(X;Y).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MistMethod {
    /// The learned model (`mist_estimate`): every varying column continuous.
    Model = 0,
    /// The James–Stein shrinkage estimate of the contingency table (`mist_discrete`).
    Shrink = 1,
    /// Ross's estimator (`mist_ross`; k = 3 under auto): one side discrete, the other continuous.
    Ross = 2,
    /// KSG (`mist_ksg`; k = 5 under auto): a side mixing discrete and continuous columns.
    Ksg = 3,
    /// The Gaussian estimator (`mist_gaussian`).
    Gaussian = 4,
    /// The Gaussian-copula estimator (`mist_gcmi`).
    Gcmi = 5,
    /// The contingency table's plug-in estimate with the Miller–Madow correction (`mist_discrete`).
    MillerMadow = 6,
    /// The contingency table's plug-in estimate (`mist_discrete`).
    Plugin = 7,
    /// Asked for only, never an answer: the estimator that fits the columns' kinds, as
    /// `mist_estimate_auto` picks it.
    Auto = 8,
    /// The contingency table's NSB estimate (`mist_discrete`): every varying column discrete.
    Nsb = 9,
}

/// The method a caller asked for: `value` a MistMethod, `k` the neighbours of KSG and Ross (0: 5
/// for KSG and 3 for Ross, as under auto; unused by the others).
pub(super) fn asked(value: c_int, k: usize) -> Result<Method, FfiError> {
    let k_or = |default: usize| if k == 0 { default } else { k };
    Ok(match value {
        0 => Method::Model,
        1 => Method::Table(TableMethod::Shrink),
        2 => Method::Ross { k: k_or(ROSS_K), swap: false },
        3 => Method::Ksg { k: k_or(KSG_K) },
        4 => Method::Gaussian,
        5 => Method::Gcmi,
        6 => Method::Table(TableMethod::MillerMadow),
        7 => Method::Table(TableMethod::Plugin),
        8 => Method::Auto,
        9 => Method::Table(TableMethod::Nsb),
        other => {
            return Err(FfiError::invalid(format!("method = {other} is not a MistMethod (0 to 9)")));
        }
    })
}

/// The number of a method that answered.
pub(super) fn answered(method: Method) -> MistMethod {
    match method {
        Method::Auto => MistMethod::Auto,
        Method::Model => MistMethod::Model,
        Method::Table(TableMethod::Shrink) => MistMethod::Shrink,
        Method::Table(TableMethod::MillerMadow) => MistMethod::MillerMadow,
        Method::Table(TableMethod::Plugin) => MistMethod::Plugin,
        Method::Table(TableMethod::Nsb) => MistMethod::Nsb,
        Method::Ross { .. } => MistMethod::Ross,
        Method::Ksg { .. } => MistMethod::Ksg,
        Method::Gaussian => MistMethod::Gaussian,
        Method::Gcmi => MistMethod::Gcmi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_reads_back_as_itself() {
        for value in 0..=9 {
            assert_eq!(answered(asked(value, 0).unwrap()) as c_int, value);
        }
        assert_eq!(asked(3, 0).unwrap(), Method::Ksg { k: KSG_K });
        assert_eq!(asked(3, 7).unwrap(), Method::Ksg { k: 7 });
        assert_eq!(asked(2, 0).unwrap(), Method::Ross { k: ROSS_K, swap: false });
        assert!(asked(10, 0).is_err() && asked(-1, 0).is_err());
    }
}

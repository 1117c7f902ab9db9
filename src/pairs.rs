//! `pairs`: MI of many pairs of columns of one table — an MI matrix, or the screening of every
//! column against an outcome — as one call, so that no binding reshapes the work: each pair is a
//! dataset of one column against one, the model's pairs run in batches and a baseline's side by
//! side, on the handle's threads. A pair's answer is the one a single call on its two columns gives.

use crate::auto::Kind;
use crate::error::Error;
use crate::method::Method;
use crate::runtime::{MistEstimator, RuntimeError};
use ndarray::{ArrayView2, s};

/// One pair's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairAnswer {
    /// The estimate of I(column i; column j), nats.
    pub mi: f64,
    /// The 5% and 95% quantiles, when asked for and the model answered (NaN otherwise).
    pub interval: (f64, f64),
    /// The method that answered ([`Method::Auto`] resolved for the pair).
    pub method: Method,
}

/// Pairs per batch: bounds what a batch prepares at once (each pair's sorted rows).
const BLOCK: usize = 4096;

/// The levels of [`PairAnswer::interval`].
pub const INTERVAL: [f64; 2] = [0.05, 0.95];

/// MI of each pair `(i, j)` of columns (counted from 0) of `data` (rows are samples), by `method`
/// (resolved per pair, with the columns' `kinds`; `None` detects them), with the model's 90%
/// interval when `interval` is set; `est` runs the model and lends its threads (see
/// [`Method::estimate_many`]).
///
/// # Errors
/// [`Error::BadArgument`] for a column index out of range or kinds not one per column; the estimator's errors, as
/// [`RuntimeError::InDataset`] with the pair's index.
pub fn pairs(
    est: Option<&MistEstimator>,
    data: ArrayView2<f64>,
    kinds: Option<&[Kind]>,
    pairs: &[(usize, usize)],
    method: Method,
    interval: bool,
) -> Result<Vec<PairAnswer>, RuntimeError> {
    let cols = data.ncols();
    if let Some((p, &(i, j))) = pairs.iter().enumerate().find(|(_, (i, j))| *i >= cols || *j >= cols) {
        return Err(Error::BadArgument {
            name: "pairs",
            value: format!("pair {p} = ({i}, {j})"),
            why: format!("the table has {cols} columns, counted from 0"),
        }
        .into());
    }
    if let Some(kinds) = kinds.filter(|k| k.len() != cols) {
        return Err(Error::BadArgument {
            name: "kinds",
            value: format!("{} kinds", kinds.len()),
            why: format!("the table has {cols} columns: give one kind per column"),
        }
        .into());
    }
    let column = |c: usize| data.slice(s![.., c..c + 1]);
    let kind = |c: usize| kinds.map(|k| &k[c..c + 1]);
    let resolved: Vec<Method> =
        pairs.iter().map(|&(i, j)| method.resolve(column(i), column(j), kind(i), kind(j))).collect();
    let mut out: Vec<Option<PairAnswer>> = vec![None; pairs.len()];
    let mut methods: Vec<Method> = Vec::new();
    for m in &resolved {
        if !methods.contains(m) {
            methods.push(*m);
        }
    }
    for m in methods {
        let members: Vec<usize> = (0..pairs.len()).filter(|&p| resolved[p] == m).collect();
        let taus: &[f64] = if interval && m == Method::Model { &INTERVAL } else { &[] };
        for block in members.chunks(BLOCK) {
            let datasets: Vec<_> = block.iter().map(|&p| (column(pairs[p].0), column(pairs[p].1))).collect();
            let answers = m.estimate_many(est, &datasets, taus).map_err(|e| match e {
                RuntimeError::InDataset { index, source } => RuntimeError::InDataset { index: block[index], source },
                other => other,
            })?;
            for (&p, (mi, q)) in block.iter().zip(answers) {
                let interval = match q[..] {
                    [lo, hi] => (lo, hi),
                    _ => (f64::NAN, f64::NAN),
                };
                out[p] = Some(PairAnswer { mi, interval, method: m });
            }
        }
    }
    Ok(out.into_iter().map(|a| a.expect("every pair has a method")).collect())
}

//! `permutation`: the permutation test of independence. Under independence every pairing of X's
//! rows with Y's is as likely as the observed one, so the estimate on the data is compared with the
//! estimates on `B` row permutations of Y: the p-value `(1 + #{permuted ≥ observed}) / (1 + B)` is
//! exact at any n for any estimator, biased or not (Phipson & Smyth 2010 for the `+ 1`). The
//! permutations come from a seeded stream and run as batches of the chosen method, so a test is
//! deterministic for its seed and costs about `B + 1` batched estimates.

use crate::auto::Kind;
use crate::error::Error;
use crate::method::Method;
use crate::runtime::{MistEstimator, RuntimeError};
use ndarray::{Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// A permutation test's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    /// The estimate of I(X;Y) on the data, nats.
    pub estimate: f64,
    /// `(1 + #{permuted ≥ observed}) / (1 + permutations)`.
    pub p_value: f64,
    /// The number of permutations, B.
    pub permutations: usize,
    /// The method that answered ([`Method::Auto`] resolved on the data).
    pub method: Method,
}

/// Most permutations of one test: 10⁷ resolve p-values to 1e-7, far past any decision; more would
/// only make a call that never ends.
pub const MAX_PERMUTATIONS: usize = 10_000_000;

/// Most values of Y's permuted copies held at once: permutations run in blocks of about this many
/// values (32 MiB), one batch per block.
const BLOCK_VALUES: usize = 1 << 22;

/// A permutation test: how X and Y are estimated and permuted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Test {
    /// The estimator; [`Method::Auto`] is resolved once, on the data, so every permutation runs the
    /// same one.
    pub method: Method,
    /// B, at least 1.
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
}

impl Test {
    /// Tests X and Y for independence (`x_kinds` and `y_kinds`: the columns' kinds for
    /// [`Method::Auto`]; `None` detects them); `est` runs the model and lends its threads (see
    /// [`Method::estimate_many`]).
    ///
    /// # Errors
    /// [`Error::BadArgument`] for no permutations or more than [`MAX_PERMUTATIONS`]; the estimator's errors on the data (permutations
    /// hold the same values, so they fail only where the data do).
    pub fn run(
        &self,
        est: Option<&MistEstimator>,
        x: ArrayView2<f64>,
        y: ArrayView2<f64>,
        x_kinds: Option<&[Kind]>,
        y_kinds: Option<&[Kind]>,
    ) -> Result<TestResult, RuntimeError> {
        let permutations = self.permutations;
        if permutations == 0 || permutations > MAX_PERMUTATIONS {
            return Err(Error::BadArgument {
                name: "permutations",
                value: permutations.to_string(),
                why: format!(
                    "a permutation test takes 1 to {MAX_PERMUTATIONS} permutations (199 or more for p-values near 0.01)"
                ),
            }
            .into());
        }
        let method = self.method.resolve(x, y, x_kinds, y_kinds);
        let estimate = method.estimate_many(est, &[(x, y)], &[]).map_err(unwrap_index)?[0].0;
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let mut order: Vec<usize> = (0..y.nrows()).collect();
        let per_block = (BLOCK_VALUES / y.len().max(1)).max(1);
        let (mut at_least, mut done) = (0, 0);
        while done < permutations {
            let count = per_block.min(permutations - done);
            let permuted: Vec<Array2<f64>> = (0..count)
                .map(|_| {
                    order.shuffle(&mut rng);
                    y.select(Axis(0), &order)
                })
                .collect();
            let datasets: Vec<_> = permuted.iter().map(|p| (x, p.view())).collect();
            let estimates = method.estimate_many(est, &datasets, &[]).map_err(unwrap_index)?;
            at_least += estimates.iter().filter(|(mi, _)| *mi >= estimate).count();
            done += count;
        }
        let p_value = (1 + at_least) as f64 / (1 + permutations) as f64;
        Ok(TestResult { estimate, p_value, permutations, method })
    }
}

/// The error of a batch of one dataset's copies, without the batch index the caller never saw.
fn unwrap_index(e: RuntimeError) -> RuntimeError {
    match e {
        RuntimeError::InDataset { source, .. } => *source,
        other => other,
    }
}

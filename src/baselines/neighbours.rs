//! What the KSG estimator needs of each point's neighbourhood, the one type that its two neighbour
//! searches (brute force in `ksg`, k-d trees in `ksg_tree`) both produce, with the point's term of
//! the estimate, so that neither search module depends on the other.

use crate::special::digamma;

/// What KSG needs of one point's neighbourhood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Neighbours {
    /// Its k-th neighbour is at a distance `eps > 0`; `n_x`, `n_y` other points are strictly
    /// closer than `eps` in X and in Y alone.
    Within { n_x: usize, n_y: usize },
    /// At least k other points coincide with it (`eps = 0`): `k_tie` of them in the joint space,
    /// `n_x` in X and `n_y` in Y.
    Tied { k_tie: usize, n_x: usize, n_y: usize },
}

impl Neighbours {
    /// The same point's neighbours with X and Y exchanged.
    pub(super) fn swapped(self) -> Self {
        match self {
            Neighbours::Within { n_x, n_y } => Neighbours::Within { n_x: n_y, n_y: n_x },
            Neighbours::Tied { k_tie, n_x, n_y } => Neighbours::Tied { k_tie, n_x: n_y, n_y: n_x },
        }
    }

    /// The point's term `ψ(n_x + 1) + ψ(n_y + 1)`, with the tie rule of Gao et al. for
    /// [`Neighbours::Tied`].
    pub(super) fn term(self, k: usize) -> f64 {
        match self {
            Neighbours::Within { n_x, n_y } => digamma((n_x + 1) as f64) + digamma((n_y + 1) as f64),
            Neighbours::Tied { k_tie, n_x, n_y } => {
                digamma((n_x + 1) as f64) + digamma((n_y + 1) as f64) + digamma(k as f64) - digamma(k_tie as f64)
            }
        }
    }
}

/// Fewest points whose neighbour searches go to rayon's threads: below, the hand-off and the
/// workers' spinning afterwards cost more than the searches, and would slow an ONNX Runtime run on
/// the same cores (the runtime's whole-data KSG beside a dataset of one chunk).
pub(crate) const PARALLEL_MIN_ROWS: usize = 1_000;

//! Datasets with more rows than a model saw in training are split into chunks it knows.
//!
//! The rows are shuffled by a seeded permutation (so ordered files do not give biased chunks) and
//! cut into `ceil(n / max_n)` chunks of near-equal size (each ≥ `max_n / 2`); the chunk estimates are
//! then averaged (point estimate and each quantile alike). The average of estimates made at
//! `≈ max_n` rows keeps their bias and shrinks their variance, so accuracy never falls below that
//! at `max_n`; quantiles averaged this way are conservative (intervals of an `max_n`-row dataset).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Row indices of each chunk of an `n`-row dataset for a model that accepts at most `max_n` rows.
///
/// With `n ≤ max_n` this is one chunk holding every row in order.
pub fn chunks(n: usize, max_n: usize, seed: u64) -> Vec<Vec<usize>> {
    assert!(max_n > 0, "max_n must be positive");
    if n <= max_n {
        return vec![(0..n).collect()];
    }
    let mut rows: Vec<usize> = (0..n).collect();
    rows.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let count = n.div_ceil(max_n);
    (0..count).map(|c| rows[c * n / count..(c + 1) * n / count].to_vec()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_row_once_within_the_limit() {
        for (n, max_n) in [(10, 500), (500, 500), (501, 500), (5000, 500), (1234, 100)] {
            let parts = chunks(n, max_n, 3);
            assert_eq!(parts.len(), n.div_ceil(max_n));
            assert!(parts.iter().all(|p| p.len() <= max_n && p.len() >= (max_n / 2).min(n)));
            let mut all: Vec<usize> = parts.concat();
            all.sort_unstable();
            assert_eq!(all, (0..n).collect::<Vec<_>>());
        }
        assert_eq!(chunks(5000, 500, 1), chunks(5000, 500, 1));
        assert_ne!(chunks(5000, 500, 1), chunks(5000, 500, 2));
    }
}

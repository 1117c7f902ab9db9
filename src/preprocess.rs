//! Rank-to-Gaussian preprocessing, shared by the trainer and the runtime.
//!
//! Each column becomes `Φ⁻¹((rank − ½) / n)`: MI is unchanged, every coordinatewise monotone
//! transform disappears and heavy tails stop mattering. Ties get average ranks ([`rank_gauss`]), or
//! are broken in a seeded random order ([`rank_gauss_untied`], what the runtime feeds the model).

use ndarray::{Array2, ArrayView1, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use crate::special::normal_quantile;
use crate::special::rank_score;

/// Average ranks (1-based) of `values`; tied values share the mean of their ranks.
pub fn average_ranks(values: ArrayView1<f64>) -> Vec<f64> {
    let order = sorted_column(values);
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start + 1 ..= end share their mean.
        let mean = (start + 1 + end) as f64 / 2.0;
        order[start..end].iter().for_each(|&i| ranks[i] = mean);
        start = end;
    }
    ranks
}

/// Applies the rank-to-Gaussian transform to every column of `data` (rows are samples).
///
/// A constant column becomes all zeros (every value has the middle rank).
pub fn rank_gauss(data: ArrayView2<f64>) -> Array2<f64> {
    let n = data.nrows();
    let mut out = Array2::zeros(data.raw_dim());
    for (col, mut out_col) in data.columns().into_iter().zip(out.columns_mut()) {
        for (o, r) in out_col.iter_mut().zip(average_ranks(col)) {
            // Average ranks are whole or half: 2r − 1 is an integer.
            *o = rank_score((2.0 * r - 1.0) as usize, n);
        }
    }
    out
}

/// [`rank_gauss`] with ties broken in a random order drawn from `seed` (one stream over the
/// columns): a dequantisation. Tied values spread apart by independent noise determine the original
/// ones, so MI is exactly unchanged, and the model sees distinct ranks, as in training. Without ties
/// this equals [`rank_gauss`] bit for bit.
pub fn rank_gauss_untied(data: ArrayView2<f64>, seed: u64) -> Array2<f64> {
    rank_gauss_untied_sorted(data, &sorted_rows(data), seed)
}

/// [`rank_gauss_untied`] of `data` whose [`sorted_rows`] are known.
pub fn rank_gauss_untied_sorted(data: ArrayView2<f64>, sorted: &[Vec<usize>], seed: u64) -> Array2<f64> {
    let n = data.nrows();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Array2::zeros(data.raw_dim());
    // Every column takes the same n values, one per rank: computed once.
    let scores: Vec<f64> = (0..n).map(|rank| rank_score(2 * rank + 1, n)).collect();
    let mut keys = Vec::new();
    for (c, ((col, mut out_col), rows)) in data.columns().into_iter().zip(out.columns_mut()).zip(sorted).enumerate() {
        // Equal values are ordered by a random key per row, then by row. Column c's keys are the
        // stream's draws n c to n (c + 1) − 1 (two 32-bit words each), drawn only when it has ties.
        let tied = |a: &usize, b: &usize| col[*a].to_bits() == col[*b].to_bits();
        let untied;
        let rows = if rows.windows(2).any(|w| tied(&w[0], &w[1])) {
            rng.set_word_pos(2 * (n * c) as u128);
            keys.clear();
            keys.extend((0..n).map(|_| rng.next_u64()));
            let mut rows = rows.clone();
            rows.chunk_by_mut(tied).for_each(|run| run.sort_unstable_by_key(|&row| (keys[row], row)));
            untied = rows;
            &untied
        } else {
            rows
        };
        for (&score, &row) in scores.iter().zip(rows) {
            out_col[row] = score;
        }
    }
    out
}

/// The rows of each column of a matrix in increasing order of value, one `Vec` per column.
pub type SortedRows = Vec<Vec<usize>>;

/// The rows of each column of `data` in increasing order of value ([`f64::total_cmp`]), equal
/// values by row: the one sort per column that the discrete-data check
/// ([`crate::input::check_continuous_sorted`]) and [`rank_gauss_untied_sorted`] share.
pub fn sorted_rows(data: ArrayView2<f64>) -> SortedRows {
    data.columns().into_iter().map(sorted_column).collect()
}

/// The rows of `column` in increasing order of value, as in [`sorted_rows`].
pub fn sorted_column(column: ArrayView1<f64>) -> Vec<usize> {
    // (value in f64::total_cmp order, row), sorted as plain integers.
    let mut entries: Vec<(u64, usize)> = column.iter().enumerate().map(|(row, &v)| (total_order(v), row)).collect();
    entries.sort_unstable();
    entries.into_iter().map(|(_, row)| row).collect()
}

/// The FNV-1a hash of `words`, one 64-bit word (or byte) per step: a cheap fingerprint of data,
/// for seeds and orders that must depend on the values only.
pub fn fnv1a(words: impl IntoIterator<Item = u64>) -> u64 {
    words.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, w| (h ^ w).wrapping_mul(0x0100_0000_01b3))
}

/// `v`'s bits mapped so that unsigned integer order is the order of [`f64::total_cmp`].
pub(crate) fn total_order(v: f64) -> u64 {
    let bits = v.to_bits();
    // Negative values: all bits flipped (larger magnitude, smaller); positive: the sign bit set.
    if bits >> 63 == 1 { !bits } else { bits | (1 << 63) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn total_order_sorts_like_total_cmp() {
        let values = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            5e-324,
            1.0,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ];
        for a in values {
            for b in values {
                assert_eq!(total_order(a).cmp(&total_order(b)), a.total_cmp(&b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn ties_get_average_ranks() {
        assert_eq!(average_ranks(array![3.0, 1.0, 3.0, 2.0].view()), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn monotone_maps_disappear_and_constants_are_zero() {
        let x = array![[0.3, 5.0], [-1.2, 5.0], [2.5, 5.0], [0.0, 5.0]];
        let a = rank_gauss(x.view());
        let b = rank_gauss(x.mapv(|v| v.powi(3) + 1.0).view());
        assert_eq!(a.column(0), b.column(0));
        assert!(a.column(1).iter().all(|&v| v.abs() < 1e-12));
        // Middle ranks of an even n are symmetric around zero.
        assert!((a[(0, 0)] + a[(3, 0)]).abs() < 1e-12);
    }

    #[test]
    fn untied_ranks_break_ties_at_random_and_equal_rank_gauss_without_ties() {
        let distinct = array![[0.3, -2.0], [-1.2, 5.0], [2.5, 1.0], [0.0, 7.5]];
        assert_eq!(rank_gauss_untied(distinct.view(), 3), rank_gauss(distinct.view()));
        // Four tied values take the four middle ranks in a seeded random order.
        let tied = array![[1.0], [0.0], [1.0], [1.0], [1.0], [2.0]];
        let a = rank_gauss_untied(tied.view(), 1);
        let mut middle: Vec<f64> = [0, 2, 3, 4].iter().map(|&r| a[(r, 0)]).collect();
        middle.sort_by(f64::total_cmp);
        let expected: Vec<f64> = (1..5).map(|r| rank_score(2 * r + 1, 6)).collect();
        assert_eq!(middle, expected);
        assert!(a[(1, 0)] < middle[0] && a[(5, 0)] > middle[3]);
        assert_eq!(a, rank_gauss_untied(tied.view(), 1));
        let other = (2..40).map(|seed| rank_gauss_untied(tied.view(), seed)).find(|b| *b != a);
        assert!(other.is_some(), "another seed orders the ties differently");
    }

    #[test]
    fn ties_are_ordered_by_the_keys_of_one_stream_drawn_column_after_column() {
        // Columns with and without ties (and ±0, equal under == but not in total order): each tied
        // column must use the keys that drawing n per column, in order, gives it.
        let data = Array2::from_shape_fn((300, 5), |(r, c)| match c {
            1 => r as f64,
            3 => [0.0, -0.0, 1.0][r % 3],
            _ => ((r * (c + 3) + c) % 7) as f64,
        });
        let n = data.nrows();
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let mut expected = Array2::zeros(data.raw_dim());
        for (col, mut out) in data.columns().into_iter().zip(expected.columns_mut()) {
            let mut entries: Vec<(u64, u64, usize)> =
                col.iter().enumerate().map(|(row, &v)| (total_order(v), rng.next_u64(), row)).collect();
            entries.sort_unstable();
            for (rank, &(_, _, row)) in entries.iter().enumerate() {
                out[row] = rank_score(2 * rank + 1, n);
            }
        }
        assert_eq!(rank_gauss_untied(data.view(), 42), expected);
    }

    #[test]
    fn quantile_matches_known_values() {
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-9);
        assert!(normal_quantile(0.5).abs() < 1e-12);
    }
}

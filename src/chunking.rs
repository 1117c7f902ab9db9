//! Datasets with more rows than a model saw in training are split into chunks it knows.
//!
//! The rows are shuffled by a seeded permutation (so ordered files do not give biased chunks) and
//! read as `ceil(n / max_n)` chunks of exactly `max_n` rows, at evenly spaced starts along the
//! shuffled order (wrapping round at its end): together they hold every row, and fewer than `max_n`
//! rows are in two chunks. Every chunk has the same size whatever n is, so what the chunks say
//! changes smoothly with n: at `max_n + 1` rows, two chunks of `max_n` rows that share all but one
//! read what one chunk read at `max_n` (chunks of near-equal size would halve at `max_n + 1`, and
//! their estimates, whose bias depends on their size, would jump). The chunk estimates are then
//! averaged (point estimate and each quantile alike), or read by the model's head.
//! [`plan`], [`runs`] and [`combine`] do this for many datasets at once, for the runtime and the
//! trainer's evaluation alike.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Row indices of each chunk of an `n`-row dataset for a model that accepts at most `max_n` rows:
/// `ceil(n / max_n)` chunks of `max_n` rows, the `c`-th starting at `c · n / count` in a seeded
/// shuffle of the rows and wrapping round its end.
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
    (0..count).map(|c| (0..max_n).map(|i| rows[(c * n / count + i) % n]).collect()).collect()
}

/// One chunk of one of several datasets run together: whose it is, which rows, how long it is padded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Index of the dataset it belongs to.
    pub dataset: usize,
    /// The dataset's rows in this chunk; `None`: all of them, in order.
    pub rows: Option<Vec<usize>>,
    /// The row count it is padded to: that of its dataset's largest chunk.
    pub pad: usize,
}

/// The [`chunks`] of dataset `dataset` (`n` rows), described for a batched run.
pub fn plan(dataset: usize, n: usize, max_n: usize, seed: u64) -> Vec<Chunk> {
    let parts = chunks(n, max_n, seed);
    let pad = parts.iter().map(Vec::len).max().unwrap_or(0);
    let whole = parts.len() == 1;
    parts.into_iter().map(|rows| Chunk { dataset, rows: (!whole).then_some(rows), pad }).collect()
}

/// Groups `chunks` into model runs: chunks of equal padded length together (little padding wasted),
/// at most `max_rows` padded rows per run (one chunk at least), chunk order kept within a length.
/// Returns indices into `chunks`.
pub fn runs(chunks: &[Chunk], max_rows: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..chunks.len()).collect();
    order.sort_by_key(|&i| chunks[i].pad);
    let mut runs = Vec::new();
    for group in order.chunk_by(|&a, &b| chunks[a].pad == chunks[b].pad) {
        let per_run = (max_rows / chunks[group[0]].pad.max(1)).max(1);
        runs.extend(group.chunks(per_run).map(<[usize]>::to_vec));
    }
    runs
}

/// The mean point estimate and mean quantiles (one per level) of each of `datasets` datasets over
/// its chunks, from `outputs[i]`, the model's answer for `chunks[i]`; a dataset without chunks gets
/// zeros.
pub fn combine(chunks: &[Chunk], outputs: &[(f32, Vec<f32>)], datasets: usize, levels: usize) -> Vec<(f64, Vec<f64>)> {
    let mut sums = vec![(0.0f64, vec![0.0f64; levels], 0usize); datasets];
    for (chunk, (mi, q)) in chunks.iter().zip(outputs) {
        let sum = &mut sums[chunk.dataset];
        sum.0 += f64::from(*mi);
        sum.1.iter_mut().zip(q).for_each(|(s, v)| *s += f64::from(*v));
        sum.2 += 1;
    }
    sums.into_iter()
        .map(|(mi, q, count)| {
            let count = count.max(1) as f64;
            (mi / count, q.into_iter().map(|v| v / count).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_of_max_n_distinct_rows_cover_every_row_with_little_overlap() {
        for (n, max_n) in [(10, 500), (500, 500), (501, 500), (999, 500), (5000, 500), (1234, 100)] {
            let parts = chunks(n, max_n, 3);
            assert_eq!(parts.len(), n.div_ceil(max_n));
            assert!(parts.iter().all(|p| p.len() == max_n.min(n)), "n = {n}");
            let mut seen = vec![0usize; n];
            for part in &parts {
                let mut distinct = part.clone();
                distinct.sort_unstable();
                distinct.dedup();
                assert_eq!(distinct.len(), part.len(), "a row twice in one chunk (n = {n})");
                part.iter().for_each(|&r| seen[r] += 1);
            }
            assert!(seen.iter().all(|&s| s >= 1), "a row in no chunk (n = {n})");
            assert!(seen.iter().filter(|&&s| s > 1).count() < max_n, "n = {n}");
        }
        // At max_n + 1 rows the two chunks share all rows but one each.
        let parts = chunks(501, 500, 4);
        assert_eq!(parts[0].iter().filter(|r| parts[1].contains(r)).count(), 499);
        assert_eq!(chunks(5000, 500, 1), chunks(5000, 500, 1));
        assert_ne!(chunks(5000, 500, 1), chunks(5000, 500, 2));
    }

    #[test]
    fn runs_group_equal_lengths_within_the_row_budget_and_combine_averages_per_dataset() {
        let planned: Vec<Chunk> = [(0, 40), (1, 1200), (2, 40), (3, 0)]
            .into_iter()
            .flat_map(|(i, n)| plan(i, n, 500, 7))
            .filter(|c| c.pad > 0)
            .collect();
        assert_eq!(
            planned.iter().map(|c| (c.dataset, c.pad)).collect::<Vec<_>>(),
            [(0, 40), (1, 500), (1, 500), (1, 500), (2, 40)]
        );
        assert!(planned[0].rows.is_none() && planned[1].rows.as_ref().is_some_and(|r| r.len() == 500));
        assert_eq!(runs(&planned, 1000), vec![vec![0, 4], vec![1, 2], vec![3]]);
        let outputs: Vec<(f32, Vec<f32>)> = (0..5).map(|i| (i as f32, vec![i as f32, 10.0 * i as f32])).collect();
        let combined = combine(&planned, &outputs, 4, 2);
        assert_eq!(
            combined,
            vec![(0.0, vec![0.0, 0.0]), (2.0, vec![2.0, 20.0]), (4.0, vec![4.0, 40.0]), (0.0, vec![0.0, 0.0])]
        );
    }
}

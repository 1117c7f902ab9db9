//! KSG's neighbour search with k-d trees (kiddo, max-norm), for low dimensions and many rows: each
//! point's k-th neighbour distance and its marginal counts in O(log n) time each instead of O(n).
//! The distances are the same floating-point numbers the brute force computes (`|a − b|`, then
//! the largest), so the counts, and the estimate, are identical to it.

use super::neighbours::{Neighbours, PARALLEL_MIN_ROWS};
use kiddo::{Chebyshev, ImmutableKdTree};
use rayon::prelude::*;
use std::num::NonZero;

/// Largest `dx + dy` searched with trees: low dimensions, where a max-norm ball prunes enough of
/// the tree; higher ones use brute force.
pub const MAX_DIMS: usize = 8;

/// Fewest rows searched with trees in `dims = dx + dy` ≤ [`MAX_DIMS`] dimensions: below about this
/// many, brute force is as fast (measured on 2 cores, same counts either way: the two meet between
/// 800 and 1,600 rows up to 4 dimensions, near 3,000, 4,000, 5,000 and 7,000 rows in 5 to 8, where
/// a max-norm ball prunes less of the tree).
pub fn min_rows(dims: usize) -> usize {
    match dims {
        ..=4 => 1_500,
        5 => 3_000,
        6 => 4_000,
        7 => 5_000,
        _ => 7_000,
    }
}

type MaxNorm = Chebyshev<f64>;

/// [`Neighbours`] of every point of the column-major standardized `xs` (`dx` columns of `n`) and
/// `ys`, from trees; `None` when `dx + dy` is above [`MAX_DIMS`] or a tree cannot be built.
pub fn neighbours(xs: &[f64], ys: &[f64], n: usize, dx: usize, dy: usize, k: usize) -> Option<Vec<Neighbours>> {
    // The search is symmetric in X and Y: with the narrower block first, sixteen shapes cover all.
    if dx > dy {
        let swapped = neighbours(ys, xs, n, dy, dx, k)?;
        return Some(swapped.into_iter().map(Neighbours::swapped).collect());
    }
    macro_rules! shapes {
        ($(($a:literal, $b:literal)),*) => {
            match (dx, dy) {
                $(($a, $b) => search::<$a, $b, { $a + $b }>(xs, ys, n, k),)*
                _ => None,
            }
        };
    }
    shapes!(
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 2),
        (1, 4),
        (1, 5),
        (1, 6),
        (1, 7),
        (2, 3),
        (2, 4),
        (2, 5),
        (2, 6),
        (3, 3),
        (3, 4),
        (3, 5),
        (4, 4)
    )
}

/// The search for `DX` + `DY` = `D` dimensions.
fn search<const DX: usize, const DY: usize, const D: usize>(
    xs: &[f64],
    ys: &[f64],
    n: usize,
    k: usize,
) -> Option<Vec<Neighbours>> {
    debug_assert_eq!(DX + DY, D);
    let joint: Vec<[f64; D]> =
        (0..n).map(|i| std::array::from_fn(|c| if c < DX { xs[c * n + i] } else { ys[(c - DX) * n + i] })).collect();
    let xp: Vec<[f64; DX]> = joint.iter().map(|p| std::array::from_fn(|c| p[c])).collect();
    let yp: Vec<[f64; DY]> = joint.iter().map(|p| std::array::from_fn(|c| p[DX + c])).collect();
    let (jt, xt, yt) = (
        ImmutableKdTree::<f64, D>::new_from_slice(&joint).ok()?,
        ImmutableKdTree::<f64, DX>::new_from_slice(&xp).ok()?,
        ImmutableKdTree::<f64, DY>::new_from_slice(&yp).ok()?,
    );
    // The point itself is among the k + 1 nearest (at distance 0, or tied with others at 0), so the
    // (k + 1)-th distance is the k-th among the other points.
    let with_self = NonZero::new(k + 1).expect("k + 1 > 0");
    let point = |i: usize| {
        let nearest = jt.query(&joint[i]).nearest_n::<MaxNorm>(with_self).execute();
        let eps = nearest[k].distance;
        // Other points at distance ≤ r (each count includes the point itself, at 0); strictly
        // closer than eps > 0 is at most the next float below it.
        let x_within = |r: f64| within(&xt, &xp[i], r) - 1;
        let y_within = |r: f64| within(&yt, &yp[i], r) - 1;
        if eps > 0.0 {
            Neighbours::Within { n_x: x_within(eps.next_down()), n_y: y_within(eps.next_down()) }
        } else {
            let k_tie = within(&jt, &joint[i], 0.0) - 1;
            Neighbours::Tied { k_tie, n_x: x_within(0.0), n_y: y_within(0.0) }
        }
    };
    // Parallel over the points from PARALLEL_MIN_ROWS on, as brute force.
    let neighbours =
        if n < PARALLEL_MIN_ROWS { (0..n).map(point).collect() } else { (0..n).into_par_iter().map(point).collect() };
    Some(neighbours)
}

/// How many points of `tree` lie at max-norm distance ≤ `r` from `point`, counted as the tree visits
/// them rather than collected.
fn within<const K: usize>(tree: &ImmutableKdTree<f64, K>, point: &[f64; K], r: f64) -> usize {
    let mut count = 0;
    tree.query(point).within::<MaxNorm>(r).unsorted().visit(|_| count += 1);
    count
}

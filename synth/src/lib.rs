//! The synthetic meta-dataset: datasets `(X, Y)` whose mutual information is known in closed form.
//!
//! Everything is a pure function of a seed: [`sample`] draws a training or validation meta-sample,
//! [`sample_family`] one dataset of a given family and shape, and [`grids`] the fixed test grids
//! of `docs/evaluation.md`. MI is in nats.

pub mod base;
pub mod covariance;
pub mod everyday;
pub mod family;
pub mod grids;
pub mod transforms;

pub use base::BaseDist;
pub use covariance::Structure;
pub use everyday::Everyday;
pub use family::{Base, Family, IMD_TEST, MAX_DIM, OOMD_TEST, everyday_families, training_families};
pub use transforms::Transform;

use ndarray::{Array2, Axis, concatenate};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Smallest and largest n drawn for training and validation.
pub const TRAIN_N: std::ops::RangeInclusive<usize> = 10..=500;

/// Smallest and largest n of a [`Mix::large_n`] draw (log-uniform): datasets above the set model's
/// 500 rows, for the large-n head.
pub const LARGE_N: std::ops::RangeInclusive<usize> = 501..=50_000;

/// Largest dx and dy of the low-dimensional share of a training mix ([`Mix::low_dim_share`]).
pub const LOW_DIM: usize = 4;

/// One meta-sample: a dataset and its true MI.
#[derive(Debug, Clone)]
pub struct MetaSample {
    /// `n × dx` samples of X.
    pub x: Array2<f64>,
    /// `n × dy` samples of Y.
    pub y: Array2<f64>,
    /// The exact `I(X; Y)` in nats.
    pub mi: f64,
    /// The family the dataset was drawn from.
    pub family: Family,
    /// The family with its drawn parameters, for logs and reports.
    pub description: String,
}

/// Independent seed streams: the same seed in two splits gives unrelated datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// Training meta-samples (training families).
    Train,
    /// Validation meta-samples (training families, other seeds).
    Validation,
    /// The IMD test grid.
    ImdTest,
    /// The OoMD test grid.
    OomdTest,
    /// The large-n grid.
    LargeN,
    /// The dimension sweep.
    DimSweep,
    /// The low-dimension grid.
    LowD,
    /// The everyday grid.
    Everyday,
    /// Everyday-family draws of a training mix ([`Mix::everyday_share`]).
    EverydayTrain,
}

impl Split {
    fn tag(self) -> u64 {
        match self {
            Split::Train => 0x7472_6169_6e00_0001,
            Split::Validation => 0x7661_6c69_6400_0002,
            Split::ImdTest => 0x696d_6474_6573_0003,
            Split::OomdTest => 0x6f6f_6d64_7465_0004,
            Split::LargeN => 0x6c61_7267_656e_0005,
            Split::DimSweep => 0x6469_6d73_7765_0006,
            Split::LowD => 0x6c6f_7764_696d_0007,
            Split::Everyday => 0x6576_6572_7964_0008,
            Split::EverydayTrain => 0x6576_7472_6169_0009,
        }
    }
}

/// The generator for `seed` in `split` (a portable ChaCha8 stream).
pub fn rng_for(split: Split, seed: u64) -> ChaCha8Rng {
    // SplitMix64 finaliser, so nearby seeds and tags give unrelated streams.
    let mut z = seed ^ split.tag();
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ChaCha8Rng::seed_from_u64(z ^ (z >> 31))
}

/// Draws a training or validation meta-sample: a family of the training list, n in [`TRAIN_N`],
/// dx and dy independent in `1..=32` (within the family's constraints).
pub fn sample(split: Split, seed: u64) -> MetaSample {
    sample_mix(split, seed, &Mix::default())
}

/// How a training mix departs from the plain meta-distribution ([`Mix::default`] is the plain one).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Mix {
    /// Share of draws whose dx and dy are drawn in `1..=`[`LOW_DIM`] instead of `1..=32`: more
    /// mass where the uniform draw puts little (dx = dy = 1 is 0.3% of it).
    pub low_dim_share: f64,
    /// Share of draws made independent: X and Y come from different rows of the same distribution
    /// (family, parameters and transforms), so the true MI is exactly 0 and each marginal is what
    /// the plain draw would give. Near-independence is common in real data and rare in the plain mix.
    pub independent_share: f64,
    /// When set to `k`, only draws with `n < k · (dx + dy)`: recipes (family, n, dims) are drawn
    /// from the seed's stream until one qualifies. The region a rows-only expert answers when
    /// routed (see the trainer's `routing`).
    pub below_rows_per_dim: Option<f64>,
    /// Draw n log-uniformly in [`LARGE_N`] instead of uniformly in [`TRAIN_N`].
    pub large_n: bool,
    /// Largest dx and dy of the low-dimensional share (families that need more columns get their
    /// fewest); `None`: [`LOW_DIM`].
    pub low_dim: Option<usize>,
    /// Share of draws from the [everyday families](everyday_families) instead (family uniform, dims
    /// uniform up to the family's largest, n as the rest of the mix), their data from
    /// [`Split::EverydayTrain`] streams so that no grid seed is reused.
    pub everyday_share: f64,
    /// Draw the everyday share from the unrounded families only (independence, weak dense
    /// dependence): more of the draws where the Gaussian-copula estimate and the set model disagree
    /// most, without growing the rounded share.
    pub unrounded_only: bool,
    /// Draw n log-uniformly in [`ALL_N`] (overrides [`Mix::large_n`]): every n a head answers.
    pub all_n: bool,
}

/// Smallest and largest n of a [`Mix::all_n`] draw.
pub const ALL_N: std::ops::RangeInclusive<usize> = *TRAIN_N.start()..=*LARGE_N.end();

/// Draws meta-sample `seed` of `split` from `mix`. The plain mix draws exactly what [`sample`]
/// draws. A nonzero share keeps each draw's family and n (the independent share its dims too), but
/// its coin takes a draw from the seed's stream, so the other parameters differ from the plain draw.
///
/// # Panics
/// If [`Mix::below_rows_per_dim`] can never hold (`k · 2 · 32` rows at most 10).
pub fn sample_mix(split: Split, seed: u64, mix: &Mix) -> MetaSample {
    let mut rng = rng_for(split, seed);
    let (family, n, dx, dy) = match mix.below_rows_per_dim {
        None => recipe(&mut rng, mix),
        Some(k) => {
            assert!(
                k * (2 * MAX_DIM) as f64 > *TRAIN_N.start() as f64,
                "no dataset has fewer than {k} rows per dimension"
            );
            std::iter::repeat_with(|| recipe(&mut rng, mix))
                .find(|&(_, n, dx, dy)| (n as f64) < k * (dx + dy) as f64)
                .expect("repeat_with is endless")
        }
    };
    if mix.everyday_share > 0.0 && rng.random_bool(mix.everyday_share.min(1.0)) {
        let mut families = everyday_families();
        if mix.unrounded_only {
            families.retain(|f| !f.is_rounded());
        }
        let family = *families.choose(&mut rng).expect("everyday families are not empty");
        let (dx, dy) = family.draw_dims_up_to(MAX_DIM, &mut rng);
        return draw(family, n, dx, dy, &mut rng_for(Split::EverydayTrain, seed));
    }
    if mix.independent_share > 0.0 && rng.random_bool(mix.independent_share.min(1.0)) {
        let s = draw(family, 2 * n, dx, dy, &mut rng);
        let (x, y) = (s.x.slice(ndarray::s![..n, ..]).to_owned(), s.y.slice(ndarray::s![n.., ..]).to_owned());
        let description = s.description.replacen(&format!("n = {}", 2 * n), &format!("n = {n}"), 1);
        return MetaSample {
            x,
            y,
            mi: 0.0,
            description: format!("{description}, Y from other rows: independent"),
            ..s
        };
    }
    draw(family, n, dx, dy, &mut rng)
}

/// Family, n and dims of a training-mix draw (the first draws of [`sample_mix`]).
fn recipe(rng: &mut ChaCha8Rng, mix: &Mix) -> (Family, usize, usize, usize) {
    let Mix { low_dim_share, large_n, .. } = *mix;
    let families = training_families();
    let family = *families.choose(rng).expect("training families are not empty");
    let log_uniform = |range: std::ops::RangeInclusive<usize>, rng: &mut ChaCha8Rng| {
        let (lo, hi) = ((*range.start() as f64).ln(), (*range.end() as f64).ln());
        (rng.random_range(lo..=hi).exp().round() as usize).clamp(*range.start(), *range.end())
    };
    let n = if mix.all_n {
        log_uniform(ALL_N, rng)
    } else if large_n {
        log_uniform(LARGE_N, rng)
    } else {
        rng.random_range(TRAIN_N)
    };
    let low = low_dim_share > 0.0 && rng.random_bool(low_dim_share.min(1.0));
    let (lx, ly) = family.min_dims();
    let low_max = mix.low_dim.unwrap_or(LOW_DIM).max(lx).max(ly);
    let (dx, dy) = family.draw_dims_up_to(if low { low_max } else { MAX_DIM }, rng);
    (family, n, dx, dy)
}

/// Draws one dataset of `family` with `n` rows and the given dims, from `seed` in `split`.
///
/// Panics if `(dx, dy)` break the family's constraints (see [`Family::min_dims`]).
pub fn sample_family(family: Family, n: usize, dx: usize, dy: usize, split: Split, seed: u64) -> MetaSample {
    draw(family, n, dx, dy, &mut rng_for(split, seed))
}

fn draw(family: Family, n: usize, dx: usize, dy: usize, rng: &mut ChaCha8Rng) -> MetaSample {
    let ((lx, ly), equal) = (family.min_dims(), if family.needs_equal_dims() { " and dx = dy" } else { "" });
    assert!(family.fits(dx, dy), "{family} needs dx ≥ {lx} and dy ≥ {ly}{equal}, got {dx}, {dy}");
    if let Base::Everyday(kind) = family.base {
        let (x, y, mi, params) = everyday::draw(kind, n, dx, dy, rng);
        let description = format!("{family} (n = {n}, dx = {dx}, dy = {dy}, {params})");
        return MetaSample { x, y, mi, family, description };
    }
    let (blocks, params) = draw_blocks(family, dx, dy, rng);
    let mi = blocks.iter().map(BaseDist::mi).sum();
    let (xs, ys): (Vec<_>, Vec<_>) = blocks.iter().map(|b| b.sample(n, rng)).unzip();
    let join = |parts: Vec<Array2<f64>>| {
        let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
        concatenate(Axis(1), &views).expect("blocks have n rows each")
    };
    let x = family.transform.draw(dx, false, rng).apply(join(xs));
    let y = family.transform.draw(dy, true, rng).apply(join(ys));
    let description = format!("{family} (n = {n}, dx = {dx}, dy = {dy}, {params})");
    MetaSample { x, y, mi, family, description }
}

/// The base distributions of a family: one block, or two independent blocks for `Concat`.
fn draw_blocks(family: Family, dx: usize, dy: usize, rng: &mut ChaCha8Rng) -> (Vec<BaseDist>, String) {
    match (family.base, family.structure) {
        (Base::Normal, Some(s)) => one(BaseDist::gaussian(s, dx, dy, rng)),
        (Base::Student, Some(s)) => one(BaseDist::student_t(s, dx, dy, rng)),
        (Base::AdditiveNoise, _) => one(BaseDist::additive_noise(dx, rng)),
        (Base::Concat, _) => {
            // First block: additive noise on a ≤ min − 1 shared coordinates, or a structured block.
            let (a, a_desc) = if rng.random_bool(1.0 / 3.0) {
                BaseDist::additive_noise(rng.random_range(1..dx.min(dy)), rng)
            } else {
                structured_block(rng.random_range(1..dx), rng.random_range(1..dy), rng)
            };
            let (ax, ay) = a.dims();
            let (b, b_desc) = structured_block(dx - ax, dy - ay, rng);
            (vec![a, b], format!("[{a_desc}] ⊕ [{b_desc}]"))
        }
        (base, _) => unreachable!("{base} is drawn elsewhere or always has a structure"),
    }
}

fn one((dist, desc): (BaseDist, String)) -> (Vec<BaseDist>, String) {
    (vec![dist], desc)
}

/// A Normal or Student block of shape `(m, k)` with a random structure that fits it.
fn structured_block(m: usize, k: usize, rng: &mut ChaCha8Rng) -> (BaseDist, String) {
    let fits: Vec<Structure> = Structure::ALL.into_iter().filter(|s| s.min_dim() <= m.min(k)).collect();
    let s = *fits.choose(rng).expect("dense fits every shape");
    let (dist, desc) =
        if rng.random_bool(0.5) { BaseDist::gaussian(s, m, k, rng) } else { BaseDist::student_t(s, m, k, rng) };
    let kind = if matches!(dist, BaseDist::Gaussian { .. }) { "normal" } else { "student" };
    (dist, format!("{kind} {s} {m}×{k}: {desc}"))
}

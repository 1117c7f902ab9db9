//! The fixed test grids of `docs/evaluation.md`, each a list of reproducible dataset recipes.

use super::everyday::Everyday;
use super::family::{Base, Family, IMD_TEST, OOMD_TEST, everyday_families};
use super::{MetaSample, Split, Structure, Transform, recipe, rng_for, sample_family};
use ndarray::s;

/// Datasets per (n, family) cell of every grid.
pub const REPEATS: u64 = 9;

/// One dataset of a grid: everything needed to draw it again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridItem {
    /// Family of the dataset.
    pub family: Family,
    /// Rows.
    pub n: usize,
    /// Columns of X.
    pub dx: usize,
    /// Columns of Y.
    pub dy: usize,
    /// The seed stream the dataset comes from.
    pub split: Split,
    /// Seed within the stream.
    pub seed: u64,
    /// Rows drawn before the dataset's own and dropped: datasets of one recipe (same seed, hence
    /// the same base distribution and true MI) with different `skip` have disjoint rows.
    pub skip: usize,
}

impl GridItem {
    /// Draws the dataset: `skip + n` rows of its recipe, of which it keeps the last `n`.
    pub fn sample(&self) -> MetaSample {
        let s = sample_family(self.family, self.skip + self.n, self.dx, self.dy, self.split, self.seed);
        if self.skip == 0 {
            return s;
        }
        let rows = s![self.skip.., ..];
        let description = format!("{}, rows {}..{}", s.description, self.skip, self.skip + self.n);
        MetaSample { x: s.x.slice(rows).to_owned(), y: s.y.slice(rows).to_owned(), description, ..s }
    }
}

/// `linspace(10, 500, 20)` truncated to integers, as in the original study.
pub fn n_values() -> Vec<usize> {
    (0..20).map(|i| (10 * 19 + i * 490) / 19).collect()
}

/// Cells `(n, family)` with dims drawn once per cell, then [`REPEATS`] datasets each.
fn grid(
    split: Split,
    ns: &[usize],
    families: &[Family],
    dims: impl Fn(usize, &Family) -> Option<(usize, usize)>,
) -> Vec<GridItem> {
    let mut items = Vec::new();
    for (ni, &n) in ns.iter().enumerate() {
        for (fi, family) in families.iter().enumerate() {
            let cell = ((ni as u64) << 32) | (fi as u64) << 16;
            let (dx, dy) = dims(n, family).unwrap_or_else(|| family.draw_dims(&mut rng_for(split, cell)));
            let item = |r: u64| GridItem { family: *family, n, dx, dy, split, seed: cell | (r + 1), skip: 0 };
            items.extend((0..REPEATS).map(item));
        }
    }
    items
}

/// The IMD grid: 20 values of n × 6 families × 9 datasets = 1,080.
pub fn imd() -> Vec<GridItem> {
    grid(Split::ImdTest, &n_values(), &IMD_TEST, |_, _| None)
}

/// The OoMD grid: 20 values of n × 7 families × 9 datasets = 1,260.
pub fn oomd() -> Vec<GridItem> {
    grid(Split::OomdTest, &n_values(), &OOMD_TEST, |_, _| None)
}

/// Held-out datasets of the plain training meta-distribution (family, n and dims drawn as in
/// training; validation split, at seeds far from those a training run validates on): where a
/// model's bias and calibration on its own meta-distribution are measured.
pub fn validation(count: usize) -> Vec<GridItem> {
    const OFFSET: u64 = 1 << 40;
    (OFFSET..OFFSET + count as u64)
        .map(|seed| {
            let (family, n, dx, dy) = recipe(&mut rng_for(Split::Validation, seed), &super::Mix::default());
            // The data's own seed, so its draws do not reuse the stream that picked the recipe.
            GridItem { family, n, dx, dy, split: Split::Validation, seed: seed | 1 << 62, skip: 0 }
        })
        .collect()
}

/// Families of the large-n grid and the dimension sweep.
pub const PROBE_FAMILIES: [Family; 4] = [
    Family::structured(Base::Normal, Structure::Dense, Transform::Base),
    Family::structured(Base::Normal, Structure::Lvm, Transform::Wiggly),
    Family::structured(Base::Student, Structure::Sparse, Transform::Asinh),
    Family::plain(Base::AdditiveNoise, Transform::Base),
];

/// Rows of the large-n grid's largest datasets.
pub const LARGE_N_MAX: usize = 5000;

/// The large-n grid's in-range reference n, against which the larger n are compared.
pub const LARGE_N_REFERENCE: usize = 500;

/// Independent datasets per recipe at the large-n grid's in-range reference, n = 500.
pub const REFERENCE_DRAWS: usize = 10;

/// The large-n grid: n ∈ {500, 1,000, 2,000, 5,000} (500 is the in-range reference), dims drawn
/// once per family, 9 recipes per family. Paired across n: recipe r of a family has the same seed
/// at every n, hence the same base distribution and true MI, so the MSE at 5,000 and at 500 compare
/// the estimator on the same problems (the transforms' random draws still differ with n). At
/// n = 500 each recipe is drawn [`REFERENCE_DRAWS`] times with disjoint rows past the first 5,000
/// (`skip`), because one 500-row draw makes a noisy reference: an estimate from 5,000 rows averages
/// ten chunk estimates, one from 500 rows does not.
pub fn large_n() -> Vec<GridItem> {
    let dims: Vec<(usize, usize)> =
        PROBE_FAMILIES.iter().enumerate().map(|(i, f)| f.draw_dims(&mut rng_for(Split::LargeN, i as u64))).collect();
    let index = |f: &Family| PROBE_FAMILIES.iter().position(|p| p == f).expect("probe family");
    // One n per call of `grid`, so the seeds do not depend on n.
    let cells = |n: usize| grid(Split::LargeN, &[n], &PROBE_FAMILIES, |_, f| Some(dims[index(f)]));
    let reference = cells(LARGE_N_REFERENCE)
        .into_iter()
        .flat_map(|item| (0..REFERENCE_DRAWS).map(move |i| GridItem { skip: LARGE_N_MAX + i * item.n, ..item }));
    reference.chain([1000, 2000, LARGE_N_MAX].into_iter().flat_map(cells)).collect()
}

/// dx = dy of the low-dimension grid.
pub const LOW_D: [usize; 3] = [1, 2, 4];

/// Rows of the low-dimension grid.
pub const LOW_D_N: [usize; 5] = [500, 1000, 2000, 5000, 10_000];

/// The low-dimension grid: every family of the IMD and OoMD grids at dx = dy ∈ [`LOW_D`] and n ∈
/// [`LOW_D_N`], [`REPEATS`] recipes per (family, d), paired across n (recipe r of a family and d has
/// the same seed, hence the same base distribution and true MI, at every n): where the model meets
/// KSG, family by family, as n grows. 1,755 datasets.
pub fn low_d() -> Vec<GridItem> {
    let families: Vec<Family> = IMD_TEST.iter().chain(&OOMD_TEST).copied().collect();
    let mut items = Vec::new();
    for (di, d) in LOW_D.into_iter().enumerate() {
        for n in LOW_D_N {
            // One n per call of `grid`, so the seeds do not depend on n.
            let cells = grid(Split::LowD, &[n], &families, |_, _| Some((d, d)));
            items.extend(cells.into_iter().map(|item| GridItem { seed: item.seed | (di as u64) << 48, ..item }));
        }
    }
    items
}

/// The dimension sweep: dx = dy ∈ {1, 2, 4, 8, 16, 32} at n ∈ {100, 500}, 9 datasets per cell.
pub fn dimension_sweep() -> Vec<GridItem> {
    let mut items = Vec::new();
    for (di, d) in [1usize, 2, 4, 8, 16, 32].into_iter().enumerate() {
        let cells = grid(Split::DimSweep, &[100, 500], &PROBE_FAMILIES, |_, _| Some((d, d)));
        items.extend(cells.into_iter().map(|item| GridItem { seed: item.seed | (di as u64) << 48, ..item }));
    }
    items
}

/// Rows of the everyday grid: 500 and 501 straddle the set model's `max_n`, where one chunk becomes
/// two.
pub const EVERYDAY_N: [usize; 9] = [50, 100, 200, 500, 501, 1000, 2000, 5000, 10_000];

/// dx = dy of the everyday grid's independence and weak-dense cells (independence also takes
/// dx ≠ dy in training; the grid keeps them equal to read it by d).
pub const EVERYDAY_D: [usize; 5] = [1, 2, 4, 8, 16];

/// dx = dy of the everyday grid's rounded cells.
pub const EVERYDAY_ROUNDED_D: [usize; 3] = [1, 2, 4];

/// Datasets per (family, d, n) cell of the everyday grid: 20 for independence and weak dense
/// dependence (their acceptance lines compare means over a cell), 8 for each rounding step
/// (whose lines pool the steps) and [`REPEATS`] for the share of the study's families.
pub fn everyday_repeats(family: &Family) -> u64 {
    match family.base {
        Base::Everyday(Everyday::Rounded { .. }) => 8,
        Base::Everyday(_) => 20,
        _ => REPEATS,
    }
}

/// The everyday grid: the [everyday families](everyday_families) at dx = dy ∈ [`EVERYDAY_D`]
/// ([`EVERYDAY_ROUNDED_D`] when rounded), and the four [`PROBE_FAMILIES`] with dims up to 4 drawn
/// once per family, at every n of [`EVERYDAY_N`]; paired across n (a recipe has the same seed,
/// hence the same distribution and true MI, at every n). Its own seed stream, apart from training
/// (which draws everyday families from [`Split::EverydayTrain`]). 4,104 datasets.
pub fn everyday() -> Vec<GridItem> {
    let mut cells: Vec<(Family, usize, usize)> = Vec::new();
    for family in everyday_families() {
        let ds: &[usize] = if family.fits(8, 8) { &EVERYDAY_D } else { &EVERYDAY_ROUNDED_D };
        cells.extend(ds.iter().map(|&d| (family, d, d)));
    }
    for (i, family) in PROBE_FAMILIES.iter().enumerate() {
        let (dx, dy) = family.draw_dims_up_to(4, &mut rng_for(Split::Everyday, 1 << 40 | i as u64));
        cells.push((*family, dx, dy));
    }
    let mut items = Vec::new();
    for n in EVERYDAY_N {
        for (ci, &(family, dx, dy)) in cells.iter().enumerate() {
            let item =
                |r: u64| GridItem { family, n, dx, dy, split: Split::Everyday, seed: (ci as u64) << 16 | r, skip: 0 };
            items.extend((0..everyday_repeats(&family)).map(item));
        }
    }
    items
}

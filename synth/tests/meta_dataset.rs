//! Acceptance tests of the synthetic meta-dataset: ground truth, transforms, sampling, determinism.

use mist::baselines::{Estimator, Ksg, gaussian::gaussian_mi_from_covariance};
use mist::preprocess::average_ranks;
use mist_synth::covariance::gaussian_mi;
use mist_synth::grids::GridItem;
use mist_synth::transforms::{Flow, Spiral, random_rotation};
use mist_synth::{
    Base, Family, IMD_TEST, Mix, OOMD_TEST, Split, Structure, Transform, grids, sample, sample_family, sample_mix,
    training_families,
};
use ndarray::Array2;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[test]
fn gaussian_mi_matches_canonical_correlations() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut checked = 0;
    for s in Structure::ALL {
        for (m, k) in [(1, 1), (2, 2), (3, 7), (16, 5), (32, 32)] {
            if m.min(k) < s.min_dim() {
                continue;
            }
            for _ in 0..5 {
                let (sigma, desc) = s.draw(m, k, &mut rng);
                let logdet = gaussian_mi(&sigma, m);
                let cca = gaussian_mi_from_covariance(&sigma, m);
                assert!((logdet - cca).abs() < 1e-9, "{s} {m}×{k} ({desc}): {logdet} vs {cca}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 115);
}

#[test]
fn every_family_has_finite_nonnegative_mi() {
    for seed in 0..2000 {
        let s = sample(Split::Train, seed);
        assert!(s.mi.is_finite() && s.mi >= 0.0, "{}: MI = {}", s.description, s.mi);
        assert!(s.x.iter().chain(s.y.iter()).all(|v| v.is_finite()), "{}: non-finite sample", s.description);
        assert!((10..=500).contains(&s.x.nrows()) && s.x.nrows() == s.y.nrows());
    }
    // Every family, including the OoMD ones, at its extreme dims.
    let all = mist_synth::family::all_families();
    for (i, family) in all.iter().enumerate() {
        let (lx, ly) = family.min_dims();
        let shapes =
            if family.needs_equal_dims() { vec![(lx, lx), (32, 32)] } else { vec![(lx, ly), (32, 32), (lx, 32)] };
        for (j, (dx, dy)) in shapes.into_iter().enumerate() {
            for r in 0..10 {
                let s = sample_family(*family, 20, dx, dy, Split::Validation, (i * 100 + j * 10 + r) as u64);
                assert!(s.mi.is_finite() && s.mi >= 0.0, "{}: MI = {}", s.description, s.mi);
                assert_eq!((s.x.ncols(), s.y.ncols()), (dx, dy), "{}", s.description);
            }
        }
    }
}

#[test]
fn dims_are_independent_and_cover_the_range() {
    let (mut unequal, mut max_dx, mut max_dy, mut small_mi) = (0, 0, 0, 0);
    for seed in 0..1000 {
        let s = sample(Split::Train, seed);
        unequal += usize::from(s.x.ncols() != s.y.ncols());
        max_dx = max_dx.max(s.x.ncols());
        max_dy = max_dy.max(s.y.ncols());
        small_mi += usize::from(s.mi < 0.5);
    }
    assert!(unequal > 700, "dx ≠ dy in only {unequal} of 1000");
    assert_eq!((max_dx, max_dy), (32, 32));
    assert!(small_mi > 50, "only {small_mi} of 1000 with MI < 0.5");
}

/// KSG on the transformed and untransformed samples of one seed (the transform is drawn after the
/// sample, so both share the same base sample).
#[test]
fn transforms_preserve_mi_under_ksg() {
    let ksg = Ksg::default();
    let fam = |transform| Family::structured(Base::Normal, Structure::Sparse, transform);
    // The first seed whose MI is clearly non-zero, so that a broken transform shows.
    let seed = (0..)
        .find(|&s| (0.5..1.5).contains(&sample_family(fam(Transform::Base), 10, 2, 2, Split::Validation, s).mi))
        .unwrap();
    for t in Transform::ALL {
        let plain = sample_family(fam(Transform::Base), 5000, 2, 2, Split::Validation, seed);
        let moved = sample_family(fam(t), 5000, 2, 2, Split::Validation, seed);
        assert_eq!(plain.mi, moved.mi);
        let a = ksg.estimate(plain.x.view(), plain.y.view()).unwrap();
        let b = ksg.estimate(moved.x.view(), moved.y.view()).unwrap();
        // KSG's own bias differs between the two geometries (largest for the spiral, ~0.08 here,
        // shrinking with n), so the bound is looser than KSG's sampling noise alone (~0.02).
        assert!((a - b).abs() < 0.1, "{t}: KSG {a} untransformed vs {b} transformed (true {})", plain.mi);
    }
}

#[test]
fn vector_maps_are_invertible() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for d in [1, 2, 5, 32] {
        let x = sample_family(
            Family::structured(Base::Student, Structure::Dense, Transform::Base),
            200,
            d,
            1,
            Split::Validation,
            d as u64,
        )
        .x;
        let flow = Flow::draw(d, &mut rng);
        let spiral = Spiral::draw(d, &mut rng);
        let q = random_rotation(d, &mut rng);
        let err = |a: &Array2<f64>| {
            (a - &x).iter().fold(0.0f64, |m, v| m.max(v.abs() / (1.0 + x.iter().fold(0.0f64, |m, v| m.max(v.abs())))))
        };
        assert!(err(&flow.inverse(flow.forward(x.view()).view())) < 1e-6, "flow d = {d}");
        assert!(err(&spiral.inverse(spiral.forward(x.view()).view())) < 1e-6, "spiral d = {d}");
        let qtq = q.transpose() * &q;
        assert!((qtq - nalgebra::DMatrix::identity(d, d)).abs().max() < 1e-12, "rotation d = {d}");
        // The flow really moves the data.
        assert!(err(&flow.forward(x.view())) > 1e-3, "flow d = {d} is the identity");
    }
}

#[test]
fn low_dim_share_moves_that_share_of_draws_to_low_dims() {
    let low_dims = |share| Mix { low_dim_share: share, ..Mix::default() };
    let low = |s: &mist_synth::MetaSample| s.x.ncols() <= mist_synth::LOW_DIM && s.y.ncols() <= mist_synth::LOW_DIM;
    let (mut shifted, mut uniform) = (0, 0);
    for seed in 0..2000 {
        let plain = sample(Split::Train, seed);
        let same = sample_mix(Split::Train, seed, &Mix::default());
        assert_eq!((&plain.x, plain.mi.to_bits()), (&same.x, same.mi.to_bits()), "share 0 must draw what sample draws");
        let mixed = sample_mix(Split::Train, seed, &low_dims(0.3));
        assert_eq!(mixed.family, plain.family, "the share changes dims, not the family");
        assert_eq!(mixed.x.nrows(), plain.x.nrows(), "the share changes dims, not n");
        shifted += usize::from(low(&mixed));
        uniform += usize::from(low(&plain));
    }
    // 30% of draws go low, plus the uniform draw's own ~2.5% with dx, dy ≤ 4 (50 of these 2,000) among the rest.
    assert!((560..=700).contains(&shifted), "{shifted} of 2000 low-dimensional draws with share 0.3");
    assert!(uniform < 60, "{uniform} of 2000 low-dimensional draws with share 0");
    assert!((0..50).all(|seed| low(&sample_mix(Split::Train, seed, &low_dims(1.0)))));
}

#[test]
fn few_rows_draws_only_datasets_below_the_rows_per_dim_bound() {
    let few_rows = |k| Mix { below_rows_per_dim: Some(k), ..Mix::default() };
    let mut dims_seen = std::collections::BTreeSet::new();
    for seed in 0..300 {
        let s = sample_mix(Split::Train, seed, &few_rows(2.0));
        let (n, d) = (s.x.nrows(), s.x.ncols() + s.y.ncols());
        assert!(n < 2 * d, "seed {seed}: n = {n} with dx + dy = {d}: {}", s.description);
        assert_eq!(s.x, sample_mix(Split::Train, seed, &few_rows(2.0)).x, "seed {seed} is not deterministic");
        dims_seen.insert(d);
    }
    // Many dimension totals qualify, not just the largest.
    assert!(dims_seen.len() > 20, "only {} totals of dx + dy drawn", dims_seen.len());
    // A bound that no n in 10..=500 can meet with dx + dy ≤ 64 is refused instead of looping.
    assert!(std::panic::catch_unwind(|| sample_mix(Split::Train, 0, &few_rows(0.1))).is_err());
}

#[test]
fn independent_share_pairs_rows_of_one_distribution_with_zero_mi() {
    let independent = |share| Mix { independent_share: share, ..Mix::default() };
    let mut made = 0;
    for seed in 0..400 {
        let plain = sample(Split::Train, seed);
        let mixed = sample_mix(Split::Train, seed, &independent(0.25));
        assert_eq!(mixed.family, plain.family, "seed {seed}: the share changes the pairing, not the family");
        assert_eq!(mixed.x.dim(), plain.x.dim(), "seed {seed}: the share changes the pairing, not n or dx");
        assert_eq!(mixed.y.dim(), plain.y.dim(), "seed {seed}: the share changes the pairing, not n or dy");
        if mixed.description.ends_with("Y from other rows: independent") {
            made += 1;
            assert_eq!(mixed.mi, 0.0, "{}", mixed.description);
            assert!(mixed.description.contains(&format!("n = {},", plain.x.nrows())), "{}", mixed.description);
        } else {
            assert!(mixed.mi > 0.0, "seed {seed}: {}", mixed.description);
        }
    }
    assert!((70..=130).contains(&made), "{made} of 400 draws made independent with share 0.25");
    // Pairing rows apart removes the dependence: under independence (n − 1)·ρ² of the Spearman
    // correlation ρ between two columns averages 1 whatever the marginals; dependent draws of the
    // same recipes average far more.
    let mean_rho2 = |share: f64| {
        let draws: Vec<_> = (0..300).map(|seed| sample_mix(Split::Train, seed, &independent(share))).collect();
        draws.iter().map(|s| (s.x.nrows() - 1) as f64 * spearman(s.x.column(0), s.y.column(0)).powi(2)).sum::<f64>()
            / draws.len() as f64
    };
    let (apart, together) = (mean_rho2(1.0), mean_rho2(0.0));
    assert!((0.7..1.4).contains(&apart), "independent draws: mean (n − 1)ρ² = {apart}");
    assert!(together > 10.0, "plain draws: mean (n − 1)ρ² = {together}");
}

/// Spearman rank correlation of two columns (the formula without ties; these draws are continuous).
fn spearman(a: ndarray::ArrayView1<f64>, b: ndarray::ArrayView1<f64>) -> f64 {
    let (ra, rb, n) = (average_ranks(a), average_ranks(b), a.len() as f64);
    let d2: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - y).powi(2)).sum();
    1.0 - 6.0 * d2 / (n * (n * n - 1.0))
}

#[test]
fn same_seed_gives_bit_identical_datasets() {
    for seed in [0, 1, 99, u64::MAX] {
        let (a, b) = (sample(Split::Train, seed), sample(Split::Train, seed));
        assert_eq!(a.x, b.x);
        assert_eq!(a.y, b.y);
        assert_eq!(a.mi.to_bits(), b.mi.to_bits());
        assert_eq!(a.description, b.description);
        assert_ne!(sample(Split::Validation, seed).x, a.x);
    }
    // A fixed fingerprint: changes to the generator show up here, across runs and machines.
    let s = sample(Split::Train, 2026);
    let fingerprint = s.x.iter().chain(s.y.iter()).fold(s.mi.to_bits(), |h, v| h.rotate_left(5) ^ v.to_bits());
    assert_eq!(fingerprint, FINGERPRINT, "{}", s.description);
}

const FINGERPRINT: u64 = 5957106750974682916;

#[test]
fn splits_follow_the_study() {
    let train = training_families();
    assert!(IMD_TEST.iter().all(|f| train.contains(f)));
    assert!(OOMD_TEST.iter().all(|f| !train.contains(f)));
    let names: Vec<String> = OOMD_TEST.iter().map(|f| f.to_string()).collect();
    assert!(names.contains(&"student sparse-wiggly".to_string()) && names.contains(&"additive-noise base".to_string()));
    for seed in 0..500 {
        let fam = sample(Split::Validation, seed).family;
        assert!(!OOMD_TEST.contains(&fam), "validation drew OoMD family {fam}");
    }
}

#[test]
fn grids_have_the_documented_shape() {
    let expected_n = [10, 35, 61, 87, 113, 138, 164, 190, 216, 242, 267, 293, 319, 345, 371, 396, 422, 448, 474, 500];
    assert_eq!(grids::n_values(), expected_n);
    let (imd, oomd) = (grids::imd(), grids::oomd());
    assert_eq!((imd.len(), oomd.len()), (1080, 1260));
    let mut seeds: Vec<(Split, u64)> = imd.iter().chain(&oomd).map(|g| (g.split, g.seed)).collect();
    seeds.extend(grids::dimension_sweep().iter().map(|g| (g.split, g.seed)));
    seeds.extend(grids::large_n().iter().filter(|g| g.n == grids::LARGE_N_MAX).map(|g| (g.split, g.seed)));
    seeds.extend(grids::low_d().iter().filter(|g| g.n == 500).map(|g| (g.split, g.seed)));
    let count = seeds.len();
    seeds.sort_by_key(|(s, seed)| (format!("{s:?}"), *seed));
    seeds.dedup();
    assert_eq!(seeds.len(), count, "grid seeds repeat");
    // dims drawn once per (n, family) cell: the 9 datasets of a cell share them.
    assert!(imd.chunks(9).all(|c| c.iter().all(|g| (g.dx, g.dy, g.n) == (c[0].dx, c[0].dy, c[0].n))));
    let sweep = grids::dimension_sweep();
    assert_eq!(sweep.len(), 6 * 2 * 4 * 9);
    assert!(sweep.iter().all(|g| g.dx == g.dy));
    let large = grids::large_n();
    assert_eq!(large.iter().map(|g| g.n).max(), Some(grids::LARGE_N_MAX));
    let at = |n: usize| large.iter().filter(move |g| g.n == n);
    // At n = 500, each of the 36 recipes drawn ten times, with disjoint rows past the first 5,000.
    let reference: Vec<&GridItem> = at(500).collect();
    assert_eq!(reference.len(), 36 * grids::REFERENCE_DRAWS);
    for draws in reference.chunks(grids::REFERENCE_DRAWS) {
        let skips: Vec<usize> = draws.iter().map(|g| g.skip).collect();
        assert_eq!(skips, (0..10).map(|i| 5000 + 500 * i).collect::<Vec<_>>());
        assert!(draws.iter().all(|g| (g.family, g.seed) == (draws[0].family, draws[0].seed)));
        let (a, b) = (draws[0].sample(), draws[1].sample());
        assert_eq!((a.x.nrows(), a.y.nrows(), a.mi), (500, 500, b.mi));
        assert_ne!(a.x, b.x, "reference draws of one recipe must differ");
    }
    // Paired across n: the same recipes (and true MI) at every n, only the rows differ.
    for n in [1000, 2000, 5000] {
        assert_eq!(at(n).count(), 36);
        for (a, b) in reference.iter().step_by(grids::REFERENCE_DRAWS).zip(at(n)) {
            assert_eq!((a.family, a.dx, a.dy, a.seed, b.skip), (b.family, b.dx, b.dy, b.seed, 0));
            assert_eq!(a.sample().mi, b.sample().mi, "{}", a.family);
        }
    }
    // Low-dimension grid: 13 families × 3 d × 5 n × 9, paired across n; every family draws at d = 1.
    let low = grids::low_d();
    assert_eq!(low.len(), 13 * 3 * 5 * 9);
    let at = |n: usize| low.iter().filter(move |g| g.n == n);
    for n in grids::LOW_D_N {
        for (a, b) in at(500).zip(at(n)) {
            assert_eq!((a.family, a.dx, a.dy, a.seed), (b.family, b.dx, b.dy, b.seed));
        }
    }
    for g in at(500).step_by(9) {
        assert!(grids::LOW_D.contains(&g.dx) && g.dx == g.dy);
        let s = g.sample();
        assert_eq!((s.x.dim(), s.y.dim()), ((500, g.dx), (500, g.dy)), "{}", g.family);
        let bigger = GridItem { n: 1000, ..*g }.sample();
        assert_eq!(s.mi, bigger.mi, "{}", g.family);
    }
    // Validation: the training mix (families, n, dims), reproducible, from seeds of its own.
    let val = grids::validation(1000);
    assert_eq!(val, grids::validation(1000));
    let train = training_families();
    assert!(val.iter().all(|g| train.contains(&g.family) && (10..=500).contains(&g.n) && g.split == Split::Validation));
    assert!(val.iter().all(|g| g.seed >= 1 << 40), "validation grid must not reuse a run's validation seeds");
    let families: std::collections::BTreeSet<String> = val.iter().map(|g| g.family.to_string()).collect();
    assert_eq!(families.len(), train.len(), "1,000 draws cover every training family");
    assert!(val.iter().any(|g| g.dx == 32) && val.iter().filter(|g| g.dx != g.dy).count() > 700);
}

#[test]
fn large_n_draws_n_log_uniformly_above_the_set_models_rows() {
    let large = Mix { large_n: true, low_dim_share: 1.0, ..Mix::default() };
    let (lo, hi) = (*mist_synth::LARGE_N.start(), *mist_synth::LARGE_N.end());
    let mut below_geometric_mean = 0;
    for seed in 0..120 {
        let s = sample_mix(Split::Train, seed, &large);
        let n = s.x.nrows();
        assert!((lo..=hi).contains(&n), "seed {seed}: n = {n}");
        assert_eq!(s.family, sample(Split::Train, seed).family, "seed {seed}: large n keeps the family");
        below_geometric_mean += usize::from((n as f64) < ((lo * hi) as f64).sqrt());
    }
    // Log-uniform: half the draws below √(lo · hi) ≈ 5,005 (a uniform draw would put 9% there).
    assert!((40..=80).contains(&below_geometric_mean), "{below_geometric_mean} of 120 below the geometric mean");
}

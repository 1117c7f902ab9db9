//! The embedded model's promises on everyday data (issue "Everyday data", `docs/evaluation.md`):
//! the estimate is symmetric in X and Y and lies inside its own 90% interval, on many random
//! shapes; and the answer does not jump where the data stop being one chunk (n = `max_n` to
//! `max_n` + 1).

use mist::runtime::{EstimatorOptions, MistEstimator};
use mist_synth::family::{Family, everyday_families};
use mist_synth::{Split, sample_family};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Seeds of these tests, apart from the everyday grid's (which start at 0).
const SEEDS: u64 = 1 << 48;

const LEVELS: [f64; 3] = [0.05, 0.5, 0.95];

fn model() -> MistEstimator {
    MistEstimator::new(EstimatorOptions::default()).expect("the embedded model loads")
}

#[test]
fn estimates_are_symmetric_and_inside_their_interval_on_random_shapes() {
    let model = model();
    let mut families = everyday_families();
    families.extend(mist_synth::IMD_TEST);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut checked = 0;
    for i in 0..60u64 {
        let family: Family = families[i as usize % families.len()];
        let n = [10, 11, 37, 150, 499, 500, 501, 777, 1500, 3000][rng.random_range(0..10)];
        let (dx, dy) = family.draw_dims_up_to(6, &mut rng);
        let sample = sample_family(family, n, dx, dy, Split::Everyday, SEEDS + i);
        let (x, y) = (sample.x.view(), sample.y.view());
        let case = format!("{} (n = {n}, dx = {dx}, dy = {dy})", sample.description);
        let (forward, backward) =
            match (model.estimate_with_quantiles(x, y, &LEVELS), model.estimate_with_quantiles(y, x, &LEVELS)) {
                (Ok(f), Ok(b)) => (f, b),
                // Too few rows for a rounded column to be anything but discrete: refused both ways.
                (Err(_), Err(_)) => continue,
                (f, b) => panic!("{case}: one order answered and the other not: {f:?} vs {b:?}"),
            };
        assert!((forward.0 - backward.0).abs() <= 1e-6, "{case}: {} vs {}", forward.0, backward.0);
        for (a, b) in forward.1.iter().zip(&backward.1) {
            assert!((a - b).abs() <= 1e-6, "{case}: quantiles {:?} vs {:?}", forward.1, backward.1);
        }
        let (point, q) = forward;
        assert!(q[0] <= point && point <= q[2], "{case}: point {point} outside [{}, {}]", q[0], q[2]);
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "{case}: quantiles {q:?}");
        assert_eq!(model.estimate(x, y).unwrap().to_bits(), point.to_bits(), "{case}: estimate alone");
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} of 60 shapes were answered");
}

#[test]
fn no_jump_at_the_chunk_boundary_on_every_everyday_family() {
    let model = model();
    let max_n = model.info().max_n;
    let families = everyday_families();
    let repeats = 40u64;
    let mut report = Vec::new();
    for (f, family) in families.iter().enumerate() {
        let d = 2;
        // Paired: the first max_n rows of each max_n + 1 row draw, so that the difference shows the
        // boundary and not the draw.
        let (mut at, mut above, mut diffs) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..repeats {
            let s = sample_family(*family, max_n + 1, d, d, Split::Everyday, SEEDS + ((f as u64) << 16) + r);
            let head = |m: &ndarray::Array2<f64>| m.slice(ndarray::s![..max_n, ..]).to_owned();
            let a = model.estimate(head(&s.x).view(), head(&s.y).view()).unwrap();
            let b = model.estimate(s.x.view(), s.y.view()).unwrap();
            at.push(a);
            above.push(b);
            diffs.push(b - a);
        }
        let (mean, se) = mean_and_se(&diffs);
        let line = format!(
            "{family}, d = {d}: n = {max_n}: {:.4}, n = {}: {:.4}, paired difference {mean:+.4} ± {se:.4} nats",
            mean_and_se(&at).0,
            max_n + 1,
            mean_and_se(&above).0
        );
        report.push(line);
        // One row more moves the estimate by no more than the noise of that row: within 3
        // standard errors of the paired difference, or 0.005 nats when the two agree that closely.
        assert!(mean.abs() <= (3.0 * se).max(0.005), "{}", report.join("\n"));
    }
    eprintln!("{}", report.join("\n"));
}

/// The mean of `v` and its standard error.
fn mean_and_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

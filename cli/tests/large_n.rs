//! Memory at large n: the `mist` CLI on 10⁶ rows × 2 columns (16 MB of doubles, as two `.npy`
//! files) peaks below 10× the input. The only test of this binary, so that the peak resident size
//! of its children (`getrusage(RUSAGE_CHILDREN)`) is this run's.

use ndarray::Array2;
use ndarray_npy::WriteNpyExt;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::fs::File;
use std::process::Command;

#[test]
fn a_million_rows_peak_below_ten_times_the_input() {
    let n = 1_000_000;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let x: Array2<f64> = Array2::from_shape_fn((n, 1), |_| StandardNormal.sample(&mut rng));
    let y = Array2::from_shape_fn((n, 1), |(r, _)| {
        0.5 * x[[r, 0]] + Distribution::<f64>::sample(&StandardNormal, &mut rng)
    });
    let dir = tempfile::tempdir().unwrap();
    let (xp, yp) = (dir.path().join("x.npy"), dir.path().join("y.npy"));
    x.write_npy(File::create(&xp).unwrap()).unwrap();
    y.write_npy(File::create(&yp).unwrap()).unwrap();
    drop((x, y));
    // Runs in flight (one per thread) add to the peak: two, as on a 2-core machine.
    let out = Command::new(env!("CARGO_BIN_EXE_mist"))
        .args([&xp, &yp])
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .expect("run the mist CLI");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let estimate: f64 = String::from_utf8(out.stdout).unwrap().trim().parse().unwrap();
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) }, 0);
    let (peak, input) = (usage.ru_maxrss as f64 * 1024.0, (2 * n * 8) as f64);
    println!(
        "n = {n}, dx = dy = 1: estimate {estimate:.4} nats; peak resident {:.0} MB for {:.0} MB of input ({:.1}x)",
        peak / 1e6,
        input / 1e6,
        peak / input
    );
    assert!(peak < 10.0 * input, "peak {peak} bytes for {input} bytes of input");
}

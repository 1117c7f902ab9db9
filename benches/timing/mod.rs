//! Wall-time measurement shared by the benchmarks: a warm-up call, then the median of repeats.

use std::time::{Duration, Instant};

/// Wall time spent on one timing after its first, warm-up call.
const BUDGET: Duration = Duration::from_millis(1500);

/// Seconds `f` takes.
pub fn seconds(f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64()
}

/// Median wall time in ms of repeated calls of `f`: a warm-up call, then as many as fit in
/// [`BUDGET`] (at least 3, at most 200).
pub fn median_ms(f: impl Fn()) -> f64 {
    let first = seconds(&f);
    let reps = ((BUDGET.as_secs_f64() / first) as usize).clamp(3, 200);
    let mut times: Vec<f64> = (0..reps).map(|_| seconds(&f)).collect();
    times.sort_unstable_by(f64::total_cmp);
    times[reps / 2] * 1e3
}

//! The invariants the fuzz targets check, one plain function per target: each decodes its input
//! from arbitrary bytes, calls libmist and panics when an invariant is violated.
//!
//! Shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, nightly, libFuzzer) and by
//! `tests/fuzz_replay.rs` (stable, `cargo test`), which replays every committed corpus file through
//! the same function. Only `std`, `mist` and `ndarray` may be used here.

use mist::ffi::{
    MistEstimator, MistLayout, MistMatrix, MistStatus, MistTestResult, mist_create, mist_discrete, mist_estimate,
    mist_estimate_auto, mist_estimate_batch, mist_gaussian, mist_gcmi, mist_ksg, mist_last_error, mist_max_dx,
    mist_max_dy, mist_pairs, mist_quantiles, mist_ross, mist_test,
};
use mist::runtime::{EstimatorOptions, MistEstimator as RustEstimator, ModelSource};
use mist_cli::io::{parse_csv, parse_npy};
use std::ffi::{CStr, c_int};
use std::path::Path;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// Decoding helpers
// ---------------------------------------------------------------------------------------------

/// Reads numbers from the fuzz input; once it is exhausted, every read gives 0.
struct Bytes<'a> {
    data: &'a [u8],
}

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    fn u64(&mut self) -> u64 {
        let mut v = [0u8; 8];
        for b in &mut v {
            *b = self.u8();
        }
        u64::from_le_bytes(v)
    }

    fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// Deterministic filler (xorshift64*) for values once the input is exhausted, so that a short input
/// can still describe a large matrix of ordinary numbers.
struct Filler(u64);

impl Filler {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        // Roughly standard normal-ish spread: a sum of two uniforms in [-2, 2).
        ((r >> 11) as f64 / (1u64 << 53) as f64 + (r & 0xffff) as f64 / 65536.0) * 2.0 - 2.0
    }
}

/// Values that exercise the edges of the numeric checks.
const SPECIAL: [f64; 16] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e-300,
    1e300,
    -1e300,
    5e-324,
    -5e-324,
    f64::MIN_POSITIVE,
    -0.0,
    0.0,
    f64::MAX,
    f64::MIN,
    f64::EPSILON,
    1.0,
    -1.0,
];

/// One value: a tagged choice between ordinary numbers, raw bit patterns, special values and
/// repeats; the deterministic filler once the input is exhausted.
fn value(b: &mut Bytes, fill: &mut Filler, previous: f64) -> f64 {
    if b.is_empty() {
        return fill.next();
    }
    let tag = b.u8();
    match tag % 16 {
        0..=5 => f64::from(b.u8() as i8) * 0.125,
        6 => f64::from_bits(b.u64()),
        7 => SPECIAL[usize::from(b.u8()) % SPECIAL.len()],
        8 | 9 => previous,
        10 => f64::from(b.u8() % 4),
        11 => f64::from(b.u8() as i8) * 1e-200,
        12 => f64::from(b.u8() as i8) * 1e200,
        _ => fill.next(),
    }
}

/// A raw `MistLayout` value: mostly valid, sometimes any int.
fn layout(b: &mut Bytes) -> c_int {
    match b.u8() {
        t @ 0..=199 => c_int::from(t % 2),
        200..=219 => 2,
        220..=229 => -1,
        230..=239 => c_int::MIN,
        240..=247 => c_int::MAX,
        _ => i32::from_le_bytes([b.u8(), b.u8(), b.u8(), b.u8()]),
    }
}

/// A matrix in memory with its (possibly invalid) raw layout; `data` holds `rows * cols` doubles
/// in the declared layout.
struct Matrix {
    data: Vec<f64>,
    rows: usize,
    cols: usize,
    layout: c_int,
    null_data: bool,
}

impl Matrix {
    /// The matrix's shape, layout and constant columns (bit i < 8 of `constant`: column i is constant);
    /// its values are filled in by [`Matrix::fill`].
    fn decode_header(b: &mut Bytes, rows: usize) -> (Matrix, u8) {
        let cols = usize::from(b.u8()) % 41;
        let layout = layout(b);
        let constant = b.u8();
        let null_data = rows * cols == 0 && b.u8() & 1 == 1;
        (Matrix { data: vec![0.0; rows * cols], rows, cols, layout, null_data }, constant)
    }

    fn fill(&mut self, b: &mut Bytes, fill: &mut Filler, constant: u8) {
        let (rows, cols, layout) = (self.rows, self.cols, self.layout);
        let mut previous = 0.0;
        for r in 0..rows {
            for c in 0..cols {
                let v = if r > 0 && c < 8 && constant & (1 << c) != 0 {
                    self.data[index(layout, rows, cols, 0, c)]
                } else {
                    value(b, fill, previous)
                };
                self.data[index(layout, rows, cols, r, c)] = v;
                previous = v;
            }
        }
    }

    /// The `MistMatrix` describing this memory, with the raw layout written as a C int would be.
    fn raw(&self) -> MistMatrix {
        let data = if self.null_data { std::ptr::null() } else { self.data.as_ptr() };
        let mut m = MistMatrix { data, rows: self.rows, cols: self.cols, layout: MistLayout::RowMajor };
        // SAFETY: `layout` is a C-int-sized field; an out-of-range value is what C may pass, and libmist
        // reads it as an int (src/ffi/matrix.rs) before interpreting it.
        unsafe { (&raw mut m.layout).cast::<c_int>().write(self.layout) };
        m
    }

    fn finite(&self) -> bool {
        self.data.iter().all(|v| v.is_finite())
    }

    fn valid_layout(&self) -> bool {
        matches!(self.layout, 0 | 1)
    }
}

/// Where element (r, c) lives: column-major for layout 1, row-major otherwise.
fn index(layout: c_int, rows: usize, cols: usize, r: usize, c: usize) -> usize {
    if layout == 1 { c * rows + r } else { r * cols + c }
}

/// Row count: mostly 0..=80 (KSG's O(n²) stays fast), sometimes above the model's max_n (500) so
/// that datasets are split into chunks.
fn rows(b: &mut Bytes) -> usize {
    match b.u8() {
        t @ 0..=249 => usize::from(t) % 81,
        _ => 490 + 3 * usize::from(b.u8()),
    }
}

/// A dataset: x and y, whose row counts differ when the input says so.
struct Dataset {
    x: Matrix,
    y: Matrix,
}

impl Dataset {
    /// Shapes first, then values: once the input runs out the values come from `fill`.
    fn decode(b: &mut Bytes, fill: &mut Filler) -> Dataset {
        let n = rows(b);
        let ny = if b.u8() % 8 == 7 { rows(b) } else { n };
        let (mut x, x_constant) = Matrix::decode_header(b, n);
        let (mut y, y_constant) = Matrix::decode_header(b, ny);
        x.fill(b, fill, x_constant);
        y.fill(b, fill, y_constant);
        Dataset { x, y }
    }

    /// Whether every argument is one libmist must accept (dimension limits aside).
    fn well_formed(&self) -> bool {
        let (x, y) = (&self.x, &self.y);
        x.rows == y.rows && x.cols > 0 && y.cols > 0 && x.valid_layout() && y.valid_layout() && x.finite() && y.finite()
    }
}

/// `k` of KSG: small values, edges and raw 64-bit patterns.
fn k(b: &mut Bytes) -> usize {
    const EDGES: [usize; 12] = [0, 1, 2, 3, 5, 10, 79, 80, usize::MAX, usize::MAX - 1, usize::MAX / 2, 1 << 40];
    match b.u8() {
        t @ 0..=127 => usize::from(t % 12),
        t @ 128..=239 => EDGES[usize::from(t) % EDGES.len()],
        _ => b.u64() as usize,
    }
}

/// Quantile levels: 0..=5 of them, valid, edge or raw values.
fn taus(b: &mut Bytes) -> Vec<f64> {
    const LEVELS: [f64; 14] =
        [0.05, 0.5, 0.95, 0.25, 0.75, 0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY, 1e-300, 1.0 - 1e-16, 0.5];
    let count = usize::from(b.u8()) % 6;
    (0..count)
        .map(|_| match b.u8() {
            t @ 0..=223 => LEVELS[usize::from(t) % LEVELS.len()],
            t @ 224..=239 => f64::from(t - 223) / 17.0,
            _ => f64::from_bits(b.u64()),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Invariant helpers
// ---------------------------------------------------------------------------------------------

/// An output value libmist never produces: outputs still holding it were not written.
const SENTINEL: u64 = 0x7ff8_dead_beef_0bad;

fn sentinel() -> f64 {
    f64::from_bits(SENTINEL)
}

fn untouched(out: &[f64]) -> bool {
    out.iter().all(|v| v.to_bits() == SENTINEL)
}

fn last_error() -> String {
    // SAFETY: mist_last_error never returns NULL; the string is valid until the next mist_* call.
    unsafe { CStr::from_ptr(mist_last_error()) }.to_string_lossy().into_owned()
}

/// The common invariants of one call: never a panic; on success every output is finite, ≥ 0 and
/// the last error is empty; on failure the last error says why and no output was written.
fn check_call(what: &str, status: MistStatus, out: &[f64]) -> bool {
    let message = last_error();
    assert_ne!(status, MistStatus::Panic, "{what}: MIST_STATUS_PANIC: {message}");
    if status == MistStatus::Ok {
        assert!(message.is_empty(), "{what}: OK but the last error is {message:?}");
        assert!(out.iter().all(|v| v.is_finite() && *v >= 0.0), "{what}: OK with outputs {out:?}");
        true
    } else {
        assert!(!message.is_empty(), "{what}: {status:?} with an empty last error");
        assert!(untouched(out), "{what}: {status:?} ({message}) but outputs were written: {out:?}");
        false
    }
}

/// The process's one estimator handle (the embedded model), made on first use.
fn estimator() -> *const MistEstimator {
    static HANDLE: OnceLock<usize> = OnceLock::new();
    let handle = *HANDLE.get_or_init(|| {
        let mut out: *mut MistEstimator = std::ptr::null_mut();
        // SAFETY: NULL options and a writable out pointer.
        let status = unsafe { mist_create(std::ptr::null(), &mut out) };
        assert_eq!(status, MistStatus::Ok, "mist_create(NULL) failed: {} (set MIST_ORT_LIB)", last_error());
        out as usize
    });
    handle as *const MistEstimator
}

// ---------------------------------------------------------------------------------------------
// Target 1: the C ABI on arbitrary matrices, layouts, k and quantile levels
// ---------------------------------------------------------------------------------------------

/// Calls `mist_ksg`, `mist_gaussian`, `mist_estimate`, `mist_quantiles` and `mist_estimate_batch`
/// (1 to 3 datasets) through the C ABI on matrices decoded from `data`, then (bits 5-7) the
/// discrete estimators and `mist_gcmi`, `mist_estimate_auto` with decoded column kinds and method,
/// and `mist_test` and `mist_pairs` with a decoded method.
///
/// Layout of the input: which calls (bits 0-7 of byte 0), NULL outputs (byte 1 = 0xff), k, the
/// quantile levels, the number of extra batch datasets, then each dataset (row counts, each
/// matrix's columns, layout, constant columns, then the values); after them, for bits 5-7, a method
/// byte, one kind byte per column of X then Y, and two pair bytes.
pub fn ffi_input(data: &[u8]) {
    let mut b = Bytes { data };
    let calls = b.u8();
    let null_out = b.u8() == 0xff;
    let k = k(&mut b);
    let taus = taus(&mut b);
    let extra = usize::from(b.u8() % 3);
    let mut fill = Filler(0x9e37_79b9_7f4a_7c15 ^ data.len() as u64);
    let main = Dataset::decode(&mut b, &mut fill);
    let others: Vec<Dataset> = (0..extra).map(|_| Dataset::decode(&mut b, &mut fill)).collect();

    let (x, y) = (main.x.raw(), main.y.raw());
    let est = estimator();
    // SAFETY: a live handle.
    let (max_dx, max_dy) = unsafe { (mist_max_dx(est), mist_max_dy(est)) };
    let in_limits = |d: &Dataset| d.x.cols <= max_dx && d.y.cols <= max_dy;
    let mut out = [sentinel()];
    let out_ptr = |out: &mut [f64]| if null_out { std::ptr::null_mut() } else { out.as_mut_ptr() };

    // KSG is O(n² d): only on the small datasets.
    if calls & 1 != 0 && main.x.rows <= 80 {
        // SAFETY: every pointer is NULL or valid for the sizes it declares.
        let status = unsafe { mist_ksg(&x, &y, k, out_ptr(&mut out)) };
        if check_call(&format!("mist_ksg(k = {k})"), status, &out) {
            assert!(main.well_formed() && k >= 1 && k < main.x.rows && !null_out, "mist_ksg accepted bad input");
        }
    }
    if calls & 2 != 0 {
        out = [sentinel()];
        // SAFETY: as above.
        let status = unsafe { mist_gaussian(&x, &y, out_ptr(&mut out)) };
        if check_call("mist_gaussian", status, &out) {
            assert!(main.well_formed() && !null_out, "mist_gaussian accepted bad input");
        }
    }
    if calls & 4 != 0 {
        out = [sentinel()];
        // SAFETY: as above.
        let status = unsafe { mist_estimate(est, &x, &y, out_ptr(&mut out)) };
        if check_call("mist_estimate", status, &out) {
            assert!(main.well_formed() && in_limits(&main) && !null_out, "mist_estimate accepted bad input");
        }
    }
    if calls & 8 != 0 {
        let mut q = vec![sentinel(); taus.len()];
        let q_ptr = if null_out { std::ptr::null_mut() } else { q.as_mut_ptr() };
        // SAFETY: `taus` holds `taus.len()` levels, `q` room for as many.
        let status = unsafe { mist_quantiles(est, &x, &y, taus.as_ptr(), taus.len(), q_ptr) };
        if check_call(&format!("mist_quantiles(taus = {taus:?})"), status, &q) {
            let valid_levels = !taus.is_empty() && taus.iter().all(|&t| t > 0.0 && t < 1.0);
            assert!(main.well_formed() && in_limits(&main) && valid_levels, "mist_quantiles accepted bad input");
            // Sorted levels give sorted quantiles; a lower level never gives a higher quantile; equal
            // levels in different positions agree up to float32 rounding.
            if taus.is_sorted() {
                assert!(q.is_sorted(), "sorted taus {taus:?} gave unsorted quantiles {q:?}");
            }
            for i in 0..taus.len() {
                for j in 0..taus.len() {
                    if taus[i] < taus[j] {
                        assert!(q[i] <= q[j], "quantiles not monotone: taus {taus:?} gave {q:?}");
                    } else if taus[i] == taus[j] {
                        let tolerance = 1e-6 * q[i].abs().max(q[j].abs()).max(1.0);
                        assert!((q[i] - q[j]).abs() <= tolerance, "equal taus {taus:?} gave {q:?}");
                    }
                }
            }
        }
    }
    if calls & 16 != 0 {
        let all: Vec<&Dataset> = std::iter::once(&main).chain(&others).collect();
        let xs: Vec<MistMatrix> = all.iter().map(|d| d.x.raw()).collect();
        let ys: Vec<MistMatrix> = all.iter().map(|d| d.y.raw()).collect();
        let mut batch = vec![sentinel(); all.len()];
        let batch_ptr = if null_out { std::ptr::null_mut() } else { batch.as_mut_ptr() };
        // SAFETY: `xs`, `ys` and `batch` hold `all.len()` elements each.
        let status = unsafe { mist_estimate_batch(est, xs.as_ptr(), ys.as_ptr(), all.len(), batch_ptr) };
        if check_call(&format!("mist_estimate_batch({} datasets)", all.len()), status, &batch) {
            assert!(
                all.iter().all(|d| d.well_formed() && in_limits(d)) && !null_out,
                "mist_estimate_batch accepted bad input"
            );
        }
    }
    // The estimators of discrete data and the calls that run many datasets of one method: on the
    // small datasets only (Ross, KSG under auto and the permutations are O(n²)).
    if calls & 0xe0 == 0 || main.x.rows > 80 {
        return;
    }
    let method = c_int::from(b.u8() % 12) - 1; // -1 and 10 are not methods
    let kind = |b: &mut Bytes| c_int::from(b.u8() % 4); // 3 is not a kind
    let x_kinds: Vec<c_int> = (0..main.x.cols.min(64)).map(|_| kind(&mut b)).collect();
    let y_kinds: Vec<c_int> = (0..main.y.cols.min(64)).map(|_| kind(&mut b)).collect();
    let kinds_ptr = |k: &Vec<c_int>, cols: usize| if k.len() == cols { k.as_ptr() } else { std::ptr::null() };
    let valid = |k: &[c_int], cols: usize| k.len() != cols || k.iter().all(|&v| v < 3);
    let valid_kinds = valid(&x_kinds, main.x.cols) && valid(&y_kinds, main.y.cols);
    let valid_method = (0..=9).contains(&method);
    if calls & 32 != 0 {
        for (name, which) in [("mist_discrete", 0), ("mist_ross", 1), ("mist_gcmi", 2)] {
            out = [sentinel()];
            // SAFETY: as above.
            let status = unsafe {
                match which {
                    0 => mist_discrete(&x, &y, method, out_ptr(&mut out)),
                    1 => mist_ross(&x, &y, k, out_ptr(&mut out)),
                    _ => mist_gcmi(&x, &y, out_ptr(&mut out)),
                }
            };
            if check_call(&format!("{name}(method = {method}, k = {k})"), status, &out) {
                assert!(main.well_formed() && !null_out, "{name} accepted bad input");
            }
        }
    }
    if calls & 64 != 0 {
        out = [sentinel()];
        let mut answered: c_int = -1;
        let answered_ptr: *mut c_int = if null_out { std::ptr::null_mut() } else { &mut answered };
        // SAFETY: the kinds are NULL or hold one int per column; the outputs NULL or writable.
        let status = unsafe {
            mist_estimate_auto(
                est,
                &x,
                &y,
                kinds_ptr(&x_kinds, main.x.cols),
                kinds_ptr(&y_kinds, main.y.cols),
                out_ptr(&mut out),
                answered_ptr,
            )
        };
        if check_call("mist_estimate_auto", status, &out) {
            assert!(main.well_formed() && !null_out && valid_kinds, "mist_estimate_auto accepted bad input");
            assert!([0, 2, 3, 9].contains(&answered), "mist_estimate_auto answered with method {answered}");
        }
    }
    if calls & 128 != 0 {
        let permutations = usize::from(b.u8() % 4); // 0 is refused
        let mut result = MistTestResult { estimate: sentinel(), p_value: sentinel(), permutations: 0, method: -1 };
        let result_ptr: *mut MistTestResult = if null_out { std::ptr::null_mut() } else { &mut result };
        // SAFETY: as for mist_estimate_auto.
        let status = unsafe {
            mist_test(
                est,
                &x,
                &y,
                kinds_ptr(&x_kinds, main.x.cols),
                kinds_ptr(&y_kinds, main.y.cols),
                method,
                k,
                permutations,
                u64::from(b.u8()),
                result_ptr,
            )
        };
        let written = [result.estimate, result.p_value];
        if check_call(&format!("mist_test(method = {method}, B = {permutations})"), status, &written) {
            assert!(
                main.well_formed() && permutations > 0 && valid_method && valid_kinds,
                "mist_test accepted bad input"
            );
            let floor = 1.0 / (1 + permutations) as f64;
            assert!(result.p_value >= floor && result.p_value <= 1.0, "mist_test p-value {}", result.p_value);
            assert_eq!(result.permutations, permutations);
        }
        // The columns of X as one table, with two pairs of column indices (an index past the table
        // is refused).
        let pairs = [usize::from(b.u8() % 5), usize::from(b.u8() % 5), 0, main.x.cols.saturating_sub(1)];
        let (mut mi, mut lo, mut hi) = ([sentinel(); 2], [sentinel(); 2], [sentinel(); 2]);
        let (lo_ptr, hi_ptr) = if calls & 1 != 0 {
            (lo.as_mut_ptr(), hi.as_mut_ptr())
        } else {
            (std::ptr::null_mut(), std::ptr::null_mut())
        };
        let mut methods: [c_int; 2] = [-1; 2];
        // SAFETY: `pairs` holds 2 pairs; every output NULL or room for 2 values.
        let status = unsafe {
            mist_pairs(
                est,
                &x,
                kinds_ptr(&x_kinds, main.x.cols),
                pairs.as_ptr(),
                2,
                method,
                k,
                if null_out { std::ptr::null_mut() } else { mi.as_mut_ptr() },
                lo_ptr,
                hi_ptr,
                methods.as_mut_ptr(),
            )
        };
        if check_call(&format!("mist_pairs(method = {method}, pairs = {pairs:?})"), status, &mi) {
            assert!(
                !null_out && valid_method && pairs.iter().all(|&c| c < main.x.cols),
                "mist_pairs accepted bad input"
            );
            assert!(
                methods.iter().all(|m| (0..=9).contains(m) && *m != 8),
                "mist_pairs answered with methods {methods:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Target 2: the CSV and .npy readers on arbitrary bytes
// ---------------------------------------------------------------------------------------------

/// First byte: bit 0 chooses the reader (0 CSV, 1 `.npy`); for CSV the second byte gives the dims
/// (0: infer them from the header; else DIM_X = high nibble, DIM_Y = low nibble). The rest is the
/// file.
pub fn readers(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let one_line = |e: &mist_cli::io::IoError| {
        let message = e.to_string();
        assert!(!message.is_empty() && !message.contains('\n'), "message not one line: {message:?}");
    };
    if mode & 1 == 0 {
        let Some((&dims_byte, file)) = rest.split_first() else { return };
        let dims = (dims_byte != 0).then_some((usize::from(dims_byte >> 4), usize::from(dims_byte & 15)));
        match parse_csv(Path::new("fuzz.csv"), file, dims) {
            Ok((x, y)) => {
                assert!(x.nrows() > 0 && x.nrows() == y.nrows(), "rows {} and {}", x.nrows(), y.nrows());
                assert!(x.ncols() > 0 && y.ncols() > 0, "cols {} and {}", x.ncols(), y.ncols());
                if let Some(dims) = dims {
                    assert_eq!((x.ncols(), y.ncols()), dims);
                }
                for m in [&x, &y] {
                    assert_eq!(m.len(), m.nrows() * m.ncols());
                    assert!(m.iter().all(|v| v.is_finite()), "non-finite value read from CSV");
                }
                // Each value came from at least one byte of text.
                assert!(x.len() + y.len() <= file.len(), "{} values from {} bytes", x.len() + y.len(), file.len());
            }
            Err(e) => one_line(&e),
        }
    } else {
        match parse_npy(Path::new("fuzz.npy"), rest) {
            Ok(m) => {
                assert_eq!(m.len(), m.nrows() * m.ncols());
                // Every element came from at least 4 bytes of data.
                assert!(m.len().saturating_mul(4) <= rest.len(), "{} elements from {} bytes", m.len(), rest.len());
            }
            Err(e) => one_line(&e),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Target 3: arbitrary bytes as a model
// ---------------------------------------------------------------------------------------------

/// Builds an estimator from the bytes as an ONNX model: Ok or Err, never a crash or hang. A model
/// that loads has consistent limits; a failure says why in a non-empty message.
pub fn model_loader(data: &[u8]) {
    let options = EstimatorOptions { model: ModelSource::Bytes(data.into()), threads: 1, ..Default::default() };
    match RustEstimator::new(options) {
        Ok(estimator) => {
            let info = estimator.info();
            assert!(info.max_dx > 0 && info.max_dy > 0 && info.min_n > 0 && info.min_n <= info.max_n, "{info:?}");
        }
        Err(e) => assert!(!e.to_string().is_empty(), "empty error message: {e:?}"),
    }
}

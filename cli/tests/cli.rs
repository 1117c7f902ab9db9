//! End-to-end tests of the `mist` binary: BMI's calling convention, inputs and error messages.

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use ndarray::{Array1, Array2, Array3};
use ndarray_npy::write_npy;
use predicates::prelude::*;
use predicates::str::contains;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const N: usize = 200;

/// Deterministic correlated samples: X = (a, b), Y = a + b/2 + noise/2, all from a fixed LCG.
fn samples() -> (Array2<f64>, Array2<f64>) {
    let mut state: u64 = 42;
    let mut uniform = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let x = Array2::from_shape_simple_fn((N, 2), &mut uniform);
    let y = Array2::from_shape_fn((N, 1), |(i, _)| x[[i, 0]] + 0.5 * x[[i, 1]] + 0.5 * uniform());
    (x, y)
}

/// Writes [`samples`] as a CSV with an optional BMI header (`X0,X1,Y0`) and returns its path.
fn sample_csv(dir: &TempDir, header: bool) -> PathBuf {
    let (x, y) = samples();
    let mut text = if header { "X0,X1,Y0\n".to_string() } else { String::new() };
    for i in 0..N {
        text += &format!("{},{},{}\n", x[[i, 0]], x[[i, 1]], y[[i, 0]]);
    }
    write(dir, "samples.csv", &text)
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap();
    path
}

fn mist() -> Command {
    cargo_bin_cmd!("mist")
}

/// Runs `mist` with `args`, asserts success and exactly one float on stdout, and returns it.
fn estimate(args: &[&str]) -> f64 {
    let out = mist().args(args).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 1, "stdout must be one line, got {text:?}");
    text.trim().parse().unwrap_or_else(|_| panic!("stdout is not a float: {text:?}"))
}

/// Runs `mist` with `args` and asserts a one-line `mist: error:` message containing `needle`.
fn fails_with(args: &[&str], code: i32, needle: &str) {
    let out = mist().args(args).assert().code(code).stdout("").get_output().stderr.clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 1, "error must be one line, got {text:?}");
    assert!(text.starts_with("mist: error: "), "{text:?}");
    assert!(text.contains(needle), "{text:?} does not contain {needle:?}");
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn bmi_convention_prints_one_float() {
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, false);
    let mi = estimate(&[s(&csv), "2", "1", "--method", "ksg"]);
    assert!(mi > 0.3 && mi < 3.0, "I = {mi}");
    // Off a terminal (as under BMI, which reads stdout and stderr together) nothing else is printed.
    mist().args([s(&csv), "2", "1"]).assert().success().stderr("");
    mist().args([s(&csv), "2", "1", "--method", "ksg"]).assert().success().stderr("");
    mist()
        .args([s(&csv), "2", "1", "--verbose", "--method", "ksg"])
        .assert()
        .stderr(contains("nats by KSG (k = 5) on n = 200 rows, dx = 2, dy = 1"));
}

#[test]
fn mist_is_the_default_method() {
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, false);
    let mi = estimate(&[s(&csv), "2", "1"]);
    assert!(mi.is_finite() && mi >= 0.0, "I = {mi}");
    assert_eq!(estimate(&[s(&csv), "2", "1", "--method", "mist"]), mi);
    mist()
        .args([s(&csv), "2", "1", "--verbose"])
        .assert()
        .success()
        .stderr(contains("nats by MIST (embedded default model) on n = 200 rows, dx = 2, dy = 1"));
}

#[test]
fn quantiles_go_to_the_summary_and_stdout_keeps_one_float() {
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, false);
    let args = [s(&csv), "2", "1", "--quantiles", "0.05,0.5,0.95"];
    let mi = estimate(&args);
    assert_eq!(mi, estimate(&[s(&csv), "2", "1"]), "the quantiles do not change the estimate");
    let out = mist().args(args).arg("-v").assert().success().get_output().stderr.clone();
    let summary = String::from_utf8(out).unwrap();
    assert!(summary.contains("; quantiles q0.05 = ") && summary.contains(", q0.95 = "), "{summary}");
    fails_with(&[s(&csv), "2", "1", "--quantiles", "0.5,1.5"], 1, "taus[1] = 1.5 is outside (0, 1)");
    fails_with(&[s(&csv), "2", "1", "--quantiles", "0.5", "--method", "ksg"], 2, "--quantiles needs --method mist");
}

#[test]
fn model_and_onnxruntime_options() {
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, false);
    let copy = dir.path().join("copy.onnx");
    fs::write(&copy, mist::runtime::DEFAULT_MODEL).unwrap();
    assert_eq!(estimate(&[s(&csv), "2", "1", "--model", s(&copy)]), estimate(&[s(&csv), "2", "1"]));
    let missing = dir.path().join("missing.onnx");
    fails_with(&[s(&csv), "2", "1", "--model", s(&missing)], 1, "cannot read model file");
    let garbage = write(&dir, "garbage.onnx", "not a model");
    fails_with(&[s(&csv), "2", "1", "--model", s(&garbage)], 1, "garbage.onnx is not a valid ONNX model");
    let lib = "/nonexistent/libonnxruntime.so";
    fails_with(&[s(&csv), "2", "1", "--onnxruntime", lib], 1, "cannot load ONNX Runtime from /nonexistent/");
    // The model's limits are checked with their values.
    let wide: String =
        (0..5).map(|r| (0..34).map(|c| (r * c).to_string()).collect::<Vec<_>>().join(",") + "\n").collect();
    let wide = write(&dir, "wide.csv", &wide);
    fails_with(&[s(&wide), "33", "1"], 1, "dx = 33 is above the model's maximum of 32");
}

#[test]
fn dims_come_from_bmi_header() {
    let dir = TempDir::new().unwrap();
    let with_header = estimate(&[s(&sample_csv(&dir, true))]);
    let explicit = estimate(&[s(&sample_csv(&dir, false)), "2", "1"]);
    assert_eq!(with_header, explicit);
}

#[test]
fn npy_pair_matches_csv() {
    let dir = TempDir::new().unwrap();
    let (x, y) = samples();
    let (xp, yp) = (dir.path().join("x.npy"), dir.path().join("y.npy"));
    write_npy(&xp, &x.t().to_owned().t()).unwrap(); // Fortran order
    write_npy(&yp, &y.column(0).to_owned()).unwrap(); // 1-D: one column
    let from_npy = estimate(&[s(&xp), s(&yp)]);
    assert_eq!(from_npy, estimate(&[s(&sample_csv(&dir, false)), "2", "1"]));
}

#[test]
fn npy_accepts_f32_and_i64() {
    let dir = TempDir::new().unwrap();
    let (x, y) = samples();
    let (xp, yp) = (dir.path().join("x.npy"), dir.path().join("y.npy"));
    write_npy(&xp, &x.mapv(|v| v as f32)).unwrap();
    write_npy(&yp, &y.mapv(|v| (v * 100.0).round() as i64)).unwrap();
    assert!(estimate(&[s(&xp), s(&yp), "--method", "ksg"]) > 0.3);
    assert!(estimate(&[s(&xp), s(&yp)]).is_finite());
}

#[test]
fn gaussian_method_and_bootstrap_interval() {
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, false);
    let mi = estimate(&[s(&csv), "2", "1", "--method", "gaussian"]);
    let args = [s(&csv), "2", "1", "--method", "gaussian", "--bootstrap", "20", "--level", "0.8"];
    assert_eq!(estimate(&args), mi);
    mist()
        .args(args)
        .arg("--verbose")
        .assert()
        .stderr(contains("by Gaussian").and(contains("; 80% subsampling interval [")));
}

#[test]
fn quiet_leaves_stderr_empty() {
    let dir = TempDir::new().unwrap();
    mist().args([s(&sample_csv(&dir, true)), "--quiet"]).assert().success().stderr("");
    mist()
        .args([s(&sample_csv(&dir, true)), "--quiet", "--verbose"])
        .assert()
        .failure()
        .stderr(contains("cannot be used with"));
    mist().args([s(&sample_csv(&dir, true))]).assert().success().stderr("");
}

#[test]
fn help_says_nats() {
    mist().arg("--help").assert().success().stdout(contains("nats").and(contains("Examples:")));
}

#[test]
fn input_errors_name_the_problem() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("missing.csv");
    fails_with(&[s(&missing), "1", "1"], 2, "missing.csv: cannot read file");
    let ragged = write(&dir, "ragged.csv", "1,2,3\n4,5,6\n7,8\n");
    fails_with(&[s(&ragged), "2", "1"], 2, "line 3 has 2 columns, expected 3");
    let text = write(&dir, "text.csv", "X0,Y0\n1,2\n3,4\n5,abc\n");
    fails_with(&[s(&text)], 2, "line 4, column 2: \"abc\" is not a number");
    let nan = write(&dir, "nan.csv", "1,2\nNaN,4\n");
    fails_with(&[s(&nan), "1", "1"], 2, "line 2, column 1: NaN is not finite");
    let csv = sample_csv(&dir, false);
    fails_with(&[s(&csv), "2", "2"], 2, "DIM_X = 2 and DIM_Y = 2 do not split its 3 columns");
    fails_with(&[s(&csv)], 2, "DIM_X DIM_Y are needed");
}

#[test]
fn npy_errors_name_the_problem() {
    let dir = TempDir::new().unwrap();
    let path = |name: &str| dir.path().join(name);
    write_npy(path("x.npy"), &Array1::<f64>::zeros(10)).unwrap();
    write_npy(path("y.npy"), &Array1::<f64>::zeros(9)).unwrap();
    write_npy(path("cube.npy"), &Array3::<f64>::zeros((10, 2, 2))).unwrap();
    write_npy(path("int32.npy"), &Array1::<i32>::zeros(10)).unwrap();
    let (x, y) = (path("x.npy"), path("y.npy"));
    fails_with(&[s(&x), s(&y)], 2, "x.npy has 10 rows but");
    fails_with(&[s(&x), s(&path("cube.npy"))], 2, "cube.npy: .npy array has 3 dimensions");
    fails_with(&[s(&path("int32.npy")), s(&x)], 2, "int32.npy: unsupported .npy dtype");
    fails_with(&[s(&x)], 2, "give X and Y as two .npy files");
    // A header that claims (10^11, 2) over 300 x 2 doubles: an error, not a 1.6 TB allocation.
    let mut header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 2), }".to_string();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut lying = b"\x93NUMPY\x01\x00".to_vec();
    lying.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
    lying.extend_from_slice(header.as_bytes());
    lying.extend_from_slice(&[0u8; 300 * 2 * 8]);
    std::fs::write(path("lying.npy"), &lying).unwrap();
    fails_with(&[s(&path("lying.npy")), s(&x)], 2, "disagrees with the file size");
}

#[test]
fn estimation_errors_exit_with_1() {
    let dir = TempDir::new().unwrap();
    fails_with(&[s(&sample_csv(&dir, true)), "--method", "ksg", "--k", "0"], 1, "k = 0");
    fails_with(
        &[s(&sample_csv(&dir, true)), "--method", "ksg", "--k", "18446744073709551615"],
        1,
        "no n exceeds this k",
    );
    fails_with(&[s(&sample_csv(&dir, true)), "--model", "/dev/zero"], 1, "not a regular file");
    let binary: String = (0..200).map(|i| format!("{},{}\n", i % 2, (i / 3) % 2)).collect();
    let csv = write(&dir, "binary.csv", &format!("X0,Y0\n{binary}"));
    fails_with(&[s(&csv)], 1, "X[:, 0] looks discrete");
}

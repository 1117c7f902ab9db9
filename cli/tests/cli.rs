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

/// Runs `mist` with `args` and asserts that it fails with `code` and exactly `message` on stderr
/// (after `mist: error: `), and nothing on stdout.
fn fails_exactly(args: &[&str], code: i32, message: &str) {
    let out = mist().args(args).assert().code(code).stdout("").get_output().stderr.clone();
    assert_eq!(String::from_utf8(out).unwrap(), format!("mist: error: {message}\n"));
}

/// Runs `mist` with `args`, asserts success, and returns its stderr.
fn stderr_of(args: &[&str]) -> String {
    String::from_utf8(mist().args(args).assert().success().get_output().stderr.clone()).unwrap()
}

/// [`samples`] as CSV text: `header` (if any) then one line per row, cells joined by `sep`.
fn csv_text(header: Option<&str>, sep: &str) -> String {
    let (x, y) = samples();
    let mut text = header.map_or_else(String::new, |h| format!("{h}\n"));
    for i in 0..N {
        text += &[x[[i, 0]], x[[i, 1]], y[[i, 0]]].map(|v| v.to_string()).join(sep);
        text.push('\n');
    }
    text
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

/// The default, auto, answers continuous data by the learned model, and says it chose it.
#[test]
fn the_learned_model_answers_continuous_data_by_default() {
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, false);
    let mi = estimate(&[s(&csv), "2", "1"]);
    assert!(mi.is_finite() && mi >= 0.0, "I = {mi}");
    assert_eq!(estimate(&[s(&csv), "2", "1", "--method", "mist"]), mi);
    mist().args([s(&csv), "2", "1", "--verbose"]).assert().success().stderr(contains(
        "nats by MIST (embedded default model) (chosen by --method auto) on n = 200 rows, dx = 2, dy = 1",
    ));
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
    fails_exactly(
        &[s(&csv), "2", "1", "--quantiles", "0.5,1.5"],
        2,
        "--quantiles: 1.5 is outside (0, 1); give levels such as 0.05,0.5,0.95",
    );
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
    // Named by the flag the user typed, not the library's option field.
    fails_with(&[s(&csv), "2", "1", "--onnxruntime", lib], 1, "/nonexistent/libonnxruntime.so (--onnxruntime): ");
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
fn gcmi_method_is_the_library_estimate_and_ignores_monotone_transforms() {
    use mist::baselines::{Estimator, Gcmi};
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, false);
    let mi = estimate(&[s(&csv), "2", "1", "--method", "gcmi"]);
    let (x, y) = samples();
    assert_eq!(mi, Gcmi.estimate(x.view(), y.view()).unwrap());
    let (xp, yp) = (dir.path().join("x.npy"), dir.path().join("y.npy"));
    write_npy(&xp, &x.mapv(f64::exp)).unwrap();
    write_npy(&yp, &y.mapv(|v| v.powi(3))).unwrap();
    assert_eq!(estimate(&[s(&xp), s(&yp), "--method", "gcmi"]), mi);
    mist()
        .args([s(&csv), "2", "1", "--method", "gcmi", "--verbose"])
        .assert()
        .stderr(contains("by Gaussian copula (GCMI)"));
    let few = write(&dir, "few.csv", "1,2,3\n4,6,5\n7,8,9\n10,12,11\n");
    fails_with(&[s(&few), "2", "1", "--method", "gcmi"], 1, "n = 4 rows is below the minimum of 5");
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
    mist().arg("--help").assert().success().stdout(
        contains("nats")
            .and(contains("Examples:"))
            .and(contains("mist data.csv --x age,height --y 4"))
            .and(contains("mist data.csv 2 1 --delimiter ';'")),
    );
}

#[test]
fn input_errors_name_the_problem() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("missing.csv");
    fails_with(&[s(&missing), "1", "1"], 2, "missing.csv: cannot read file");
    let ragged = write(&dir, "ragged.csv", "1,2,3\n4,5,6\n7,8\n");
    fails_with(&[s(&ragged), "2", "1"], 2, "line 3 has 2 columns, expected 3");
    let text = write(&dir, "text.csv", "X0,Y0\n1,2\n3,4\n5,abc\n");
    fails_with(&[s(&text)], 2, "line 4, column 2 (Y0): \"abc\" is not a number");
    let nan = write(&dir, "nan.csv", "1,2\nNaN,4\n");
    fails_with(&[s(&nan), "1", "1"], 2, "line 2, column 1: \"NaN\" is a missing value; --na drop drops the rows");
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
    fails_with(
        &[s(&csv), "--method", "mist"],
        1,
        "X column 1 looks discrete: it takes 2 distinct values in 200 rows. --method mist answers continuous \
         data and rounded measurements; --method auto (the default) answers discrete data too",
    );
}

/// The default method, auto, answers discrete data with the discrete estimators and says so; the
/// learned model answers continuous data as `--method mist` does.
#[test]
fn auto_picks_the_estimator_of_the_columns_kinds() {
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, true);
    assert_eq!(estimate(&[s(&csv), "2", "1"]), estimate(&[s(&csv), "2", "1", "--method", "mist"]));
    let rows: String =
        (0..300).map(|i| format!("{},{},{}\n", i % 3, (i % 3 + i / 7 % 2) % 3, (i as f64 * 0.77).sin())).collect();
    let mixed = write(&dir, "mixed.csv", &format!("a,b,m\n{rows}"));
    let nsb = estimate(&[s(&mixed), "--x", "a", "--y", "b", "--method", "nsb"]);
    assert_eq!(estimate(&[s(&mixed), "--x", "a", "--y", "b"]), nsb);
    let summary =
        mist().args([s(&mixed), "--x", "a", "--y", "b", "--verbose"]).assert().success().get_output().stderr.clone();
    let summary = String::from_utf8(summary).unwrap();
    assert!(summary.contains("by NSB (discrete) (chosen by --method auto)"), "{summary}");
    // A class against a measurement, either way round: Ross's estimator with the class as X.
    let ross = estimate(&[s(&mixed), "--x", "a", "--y", "m", "--method", "ross", "--k", "3"]);
    assert_eq!(estimate(&[s(&mixed), "--x", "m", "--y", "a"]), ross);
    // Declared discrete, the 300 distinct values of m are 300 categories: a table again.
    let table = estimate(&[s(&mixed), "--x", "m", "--y", "a", "--method", "nsb"]);
    assert_eq!(estimate(&[s(&mixed), "--x", "m", "--y", "a", "--discrete-x"]), table);
    fails_with(&[s(&mixed), "--x", "a", "--y", "b", "--quantiles", "0.5"], 2, "--method auto chose NSB");
    fails_with(
        &[s(&mixed), "--x", "a", "--y", "b", "--discrete-x", "--method", "ksg"],
        2,
        "--discrete-x and --discrete-y go with --method auto",
    );
}

#[test]
fn semicolons_tabs_and_commas_give_equal_estimates() {
    let dir = TempDir::new().unwrap();
    let comma = write(&dir, "comma.csv", &csv_text(Some("X0,X1,Y0"), ","));
    let semicolon = write(&dir, "semicolon.csv", &csv_text(Some("X0;X1;Y0"), ";"));
    let tab = write(&dir, "tab.tsv", &csv_text(None, "\t"));
    let mi = estimate(&[s(&comma), "--method", "gaussian"]);
    assert!(mi > 0.3, "I = {mi}");
    assert_eq!(estimate(&[s(&semicolon), "--method", "gaussian"]), mi);
    assert_eq!(estimate(&[s(&tab), "2", "1", "--method", "gaussian"]), mi);
    // Given rather than detected.
    assert_eq!(estimate(&[s(&semicolon), "--delimiter", ";", "--method", "gaussian"]), mi);
    for tab_name in ["tab", "\\t", "\t"] {
        assert_eq!(estimate(&[s(&tab), "2", "1", "--delimiter", tab_name, "--method", "gaussian"]), mi);
    }
    assert_eq!(estimate(&[s(&comma), "--delimiter", "auto", "--method", "gaussian"]), mi);
}

#[test]
fn one_column_errors_name_the_delimiter_and_suggest_another() {
    let dir = TempDir::new().unwrap();
    let semicolon = write(&dir, "semicolon.csv", &csv_text(None, ";"));
    let path = s(&semicolon);
    fails_exactly(
        &[path, "2", "1", "--delimiter", ","],
        2,
        &format!(
            "{path}: the file has one column when split at ',' (as --delimiter says), and X and Y need one each; \
             if its cells are separated by ';' or tabs, give --delimiter ';' or --delimiter tab"
        ),
    );
    let spaces = write(&dir, "spaces.txt", &csv_text(None, " "));
    let path = s(&spaces);
    fails_exactly(
        &[path, "2", "1"],
        2,
        &format!(
            "{path}: the file has one column when split at ',' (the default: its first line holds no ',', ';' or \
             tab), and X and Y need one each; if its cells are separated by ';' or tabs, give --delimiter ';' or \
             --delimiter tab"
        ),
    );
    let out = mist().args([path, "2", "1", "--delimiter", "|"]).assert().code(2).get_output().stderr.clone();
    assert!(String::from_utf8(out).unwrap().contains("cells are separated by ',', ';' or tabs: give ',', ';', tab"));
}

#[test]
fn r_write_csv_row_names_are_skipped_and_said_so() {
    let dir = TempDir::new().unwrap();
    let (x, y) = samples();
    let mut r = String::from("\"\",\"a\",\"b\",\"c\"\n");
    let mut named = String::from("\"\",\"a\",\"b\",\"c\"\n");
    for i in 0..N {
        let cells = format!("{},{},{}", x[[i, 0]], x[[i, 1]], y[[i, 0]]);
        r += &format!("\"{}\",{cells}\n", i + 1);
        named += &format!("\"sample {i}, run {}\",{cells}\n", i % 3);
    }
    let (r, named) = (write(&dir, "r.csv", &r), write(&dir, "named.csv", &named));
    let plain = estimate(&[s(&sample_csv(&dir, false)), "2", "1", "--method", "gaussian"]);
    assert_eq!(estimate(&[s(&r), "2", "1", "--method", "gaussian"]), plain);
    assert_eq!(estimate(&[s(&named), "--x", "a,b", "--y", "c", "--method", "gaussian"]), plain);
    let note = |path: &Path| {
        format!("mist: skipping the first column of {}: row names, as written by R's write.csv\n", s(path))
    };
    assert_eq!(stderr_of(&[s(&r), "2", "1", "--method", "gaussian"]), note(&r));
    assert_eq!(stderr_of(&[s(&named), "2", "1", "--method", "gaussian"]), note(&named));
    assert_eq!(stderr_of(&[s(&r), "2", "1", "--method", "gaussian", "--quiet"]), "");
    // The note comes before the summary; columns are counted after the row names.
    let both = stderr_of(&[s(&r), "--x", "1,2", "--y", "3", "--method", "gaussian", "-v"]);
    assert!(both.starts_with(&note(&r)) && both.contains("on n = 200 rows, dx = 2, dy = 1"), "{both}");
    fails_exactly(
        &[s(&r), "--x", "1,2", "--y", "4", "--method", "gaussian"],
        2,
        &format!(
            "{}: there is no column 4: the file has 3 columns (counted from 1); its first column, of row names, is \
             not counted",
            s(&r)
        ),
    );
}

#[test]
fn columns_chosen_by_name_or_position() {
    let dir = TempDir::new().unwrap();
    let abc = write(&dir, "abc.csv", &csv_text(Some("a,b,c"), ","));
    let path = s(&abc);
    let by_name = estimate(&[path, "--x", "a,b", "--y", "c", "--method", "gaussian"]);
    assert_eq!(estimate(&[path, "--x", "1,2", "--y", "3", "--method", "gaussian"]), by_name);
    assert_eq!(estimate(&[path, "2", "1", "--method", "gaussian"]), by_name);
    // Reordered columns give the same MI up to rounding.
    for args in [["--x", "b,1", "--y", "c"], ["--y", "a , b", "--x", "c"]] {
        let mi = estimate(&[&[path, "--method", "gaussian"], &args[..]].concat());
        assert!((mi - by_name).abs() < 1e-12, "{args:?}: {mi} against {by_name}");
    }

    // Four columns, one of them text: only the chosen ones are read.
    let (x, y) = samples();
    let mut text = String::from("id,a,label,c\n");
    for i in 0..N {
        text += &format!("{i},{},group {},{}\n", x[[i, 0]], i % 4, y[[i, 0]]);
    }
    let four = write(&dir, "four.csv", &text);
    let mut pair = String::new();
    for i in 0..N {
        pair += &format!("{},{}\n", x[[i, 0]], y[[i, 0]]);
    }
    let pair = estimate(&[s(&write(&dir, "pair.csv", &pair)), "1", "1", "--method", "gaussian"]);
    assert_eq!(estimate(&[s(&four), "--x", "a", "--y", "c", "--method", "gaussian"]), pair);
    assert_eq!(estimate(&[s(&four), "--x", "2", "--y", "c", "--method", "gaussian"]), pair);
    let four = s(&four);
    fails_exactly(
        &[four, "--x", "a,label", "--y", "c"],
        2,
        &format!("{four}: line 2, column 3 (label): \"group 0\" is not a number"),
    );

    // Errors name the column and what the file has.
    fails_exactly(
        &[four, "--x", "a,height", "--y", "c"],
        2,
        &format!("{four}: no column is named \"height\"; the header has \"id\", \"a\", \"label\", \"c\""),
    );
    fails_exactly(
        &[four, "--x", "a", "--y", "5"],
        2,
        &format!("{four}: there is no column 5: the file has 4 columns (counted from 1)"),
    );
    fails_exactly(
        &[four, "--x", "a,c", "--y", "4"],
        2,
        &format!("{four}: column 4 (c) is in both --x and --y; each column may be chosen once, for X or for Y"),
    );
    fails_exactly(
        &[four, "1", "1", "--x", "a", "--y", "c"],
        2,
        "give the columns either as DIM_X DIM_Y or as --x and --y, not both",
    );
    fails_exactly(&[four, "--x", "a"], 2, "--x needs --y: give the Y columns too");
    let (xp, yp) = (dir.path().join("x.npy"), dir.path().join("y.npy"));
    write_npy(&xp, &x).unwrap();
    write_npy(&yp, &y).unwrap();
    fails_exactly(
        &[s(&xp), s(&yp), "--x", "1", "--y", "2"],
        2,
        "--x and --y choose columns of a CSV file; give .npy files as `mist x.npy y.npy`",
    );
}

#[test]
fn messages_speak_the_command_lines_language() {
    let dir = TempDir::new().unwrap();
    // Percentages are refused before the file is even read (it does not exist).
    let missing = dir.path().join("missing.csv");
    fails_exactly(
        &[s(&missing), "--quantiles", "5,50,95"],
        2,
        "--quantiles: 5 is outside (0, 1); give levels such as 0.05,0.5,0.95",
    );
    // Bad cells are named by line, column (from 1) and header name.
    let bad = write(&dir, "bad.csv", "a,b\n1,2\n3,x\n");
    fails_exactly(&[s(&bad), "1", "1"], 2, &format!("{}: line 3, column 2 (b): \"x\" is not a number", s(&bad)));
    let bad = write(&dir, "bad_no_header.csv", "1,2\n3,x\n");
    fails_exactly(&[s(&bad), "1", "1"], 2, &format!("{}: line 2, column 2: \"x\" is not a number", s(&bad)));
    let inf = write(&dir, "inf.csv", "a;b\n1;2\ninf;3\n");
    fails_exactly(
        &[s(&inf), "1", "1"],
        2,
        &format!("{}: line 3, column 1 (a): inf is not finite (Inf is not allowed)", s(&inf)),
    );
}

#[test]
fn summary_counts_constant_columns_left_out() {
    let dir = TempDir::new().unwrap();
    let (x, y) = samples();
    let (mut one, mut two) = (String::new(), String::new());
    for i in 0..N {
        one += &format!("{},7,{}\n", x[[i, 0]], y[[i, 0]]);
        two += &format!("{},7,-1,{},0\n", x[[i, 0]], y[[i, 0]]);
    }
    let (one, two) = (write(&dir, "one.csv", &one), write(&dir, "two.csv", &two));
    let summary = stderr_of(&[s(&one), "2", "1", "--method", "gaussian", "-v"]);
    assert!(summary.ends_with(" on n = 200 rows, dx = 2 (1 constant column left out), dy = 1\n"), "{summary}");
    let summary = stderr_of(&[s(&two), "3", "2", "--method", "gaussian", "-v"]);
    assert!(
        summary
            .ends_with(" on n = 200 rows, dx = 3 (2 constant columns left out), dy = 2 (1 constant column left out)\n"),
        "{summary}"
    );
    // What is left out does not count: the same estimate as without the constant columns.
    let left = estimate(&[s(&one), "2", "1", "--method", "gaussian"]);
    assert_eq!(estimate(&[s(&two), "3", "2", "--method", "gaussian"]), left);
    assert_eq!(estimate(&[s(&one), "--x", "1", "--y", "3", "--method", "gaussian"]), left);
}

/// ONNX Runtime writes a device id and a telemetry database under `~/.cache` unless
/// `ORT_DISABLE_TELEMETRY` is set, which the CLI does for itself: an empty HOME stays empty.
#[test]
fn an_estimate_writes_nothing_to_home() {
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, true);
    let home = TempDir::new().unwrap();
    mist()
        .arg(&csv)
        .args(["2", "1", "--quiet"])
        .env("HOME", home.path())
        .env_remove("XDG_CACHE_HOME")
        .env_remove(mist::runtime::ort_lib::QUIET_ENV.0)
        .assert()
        .success();
    let left: Vec<_> = walk(home.path());
    assert!(left.is_empty(), "written under HOME: {left:?}");
}

/// Every path below `dir`, folders included.
fn walk(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .flat_map(|entry| {
            let path = entry.unwrap().path();
            let below = if path.is_dir() { walk(&path) } else { Vec::new() };
            std::iter::once(path).chain(below)
        })
        .collect()
}

/// `--test B`: the estimate and the p-value on one line; the estimate is the one without the test.
#[test]
fn a_permutation_test_prints_the_estimate_and_the_p_value() {
    let dir = TempDir::new().unwrap();
    let csv = sample_csv(&dir, false);
    for method in ["auto", "ksg", "gaussian"] {
        let out = mist().args([s(&csv), "2", "1", "--method", method, "--test", "99"]).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let values: Vec<f64> = text.split_whitespace().map(|v| v.parse().unwrap()).collect();
        assert_eq!(values.len(), 2, "{text:?}");
        assert_eq!(values[0], estimate(&[s(&csv), "2", "1", "--method", method]), "{method}");
        assert_eq!(values[1], 0.01, "{method}: the data are dependent");
    }
    let summary = stderr_of(&[s(&csv), "2", "1", "--method", "ksg", "--test", "19", "-v"]);
    assert!(
        summary
            .contains("nats by KSG (k = 5) on n = 200 rows; permutation test of independence with B = 19: p = 0.0500"),
        "{summary}"
    );
    fails_exactly(
        &[s(&csv), "2", "1", "--test", "0"],
        2,
        "--test 0: give the number of permutations, 1 to 10000000, e.g. --test 199",
    );
}

/// `--na drop`: rows with an empty, NA or NaN cell in X or Y are left out and counted on stderr; the
/// estimate is the one of the file without them. The default names the first missing cell.
#[test]
fn na_drop_leaves_out_incomplete_rows() {
    let dir = TempDir::new().unwrap();
    let full = csv_text(Some("a,b,c"), ",");
    let mut lines: Vec<String> = full.lines().map(str::to_string).collect();
    // Line 4 misses a (NA), line 8 misses c (empty), line 10 misses b (NaN).
    for (line, hole) in [(3, 0), (7, 2), (9, 1)] {
        let mut cells: Vec<&str> = lines[line].split(',').collect();
        cells[hole] = ["NA", "NaN", ""][hole];
        lines[line] = cells.join(",");
    }
    let holes = write(&dir, "holes.csv", &(lines.join("\n") + "\n"));
    let kept: Vec<&str> =
        lines.iter().enumerate().filter(|(i, _)| ![3, 7, 9].contains(i)).map(|(_, l)| l.as_str()).collect();
    let clean = write(&dir, "clean.csv", &(kept.join("\n") + "\n"));
    let select = ["--x", "a,b", "--y", "c", "--method", "ksg"];
    let with_drop: Vec<&str> = [s(&holes)].into_iter().chain(select).chain(["--na", "drop"]).collect();
    let clean_args: Vec<&str> = [s(&clean)].into_iter().chain(select).collect();
    assert_eq!(estimate(&with_drop), estimate(&clean_args));
    let summary = stderr_of(&with_drop);
    assert!(summary.contains("mist: --na drop: left out 3 rows with a missing value, 197 rows remain"), "{summary}");
    let strict: Vec<&str> = with_drop[..with_drop.len() - 2].to_vec();
    fails_with(&strict, 2, "line 4, column 1 (a): \"NA\" is a missing value; --na drop drops the rows that have one");
}

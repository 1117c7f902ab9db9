//! The C examples (`examples/c/*.c`) and the C error test (`tests/c/errors.c`), compiled with the
//! system C compiler against `include/mist.h` and the `libmist.so` of this build, then run.
//!
//! Each example's stdout is snapshot-tested with insta (`tests/snapshots/c_examples__*.snap`): the
//! examples print fixed-precision numbers from fixed-seed data, so their output is deterministic.
//! The error test must exit 0, and its `N passed, N failed` line goes to the log.
//!
//! Needs: a C compiler (`cc`, or `$CC`), and ONNX Runtime in `vendor/onnxruntime/lib/` (fetched by
//! `scripts/setup-onnxruntime`, which this test runs if the library is missing), handed to libmist
//! through `MIST_ORT_LIB`. Run with `cargo test --release -p mist --test c_examples`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root.
fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The folder holding this build's `libmist.so`: `target/<profile>/deps/`, beside the test binary.
/// (Cargo copies it up to `target/<profile>/` only on `cargo build`, so that copy can be stale.)
fn lib_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().expect("path of the test binary");
        let dir = exe.parent().expect("test binary in target/<profile>/deps/").to_path_buf();
        let lib = dir.join("libmist.so");
        assert!(lib.is_file(), "{} is missing: the cdylib should be built with the tests", lib.display());
        dir
    })
}

/// `vendor/onnxruntime/lib/libonnxruntime.so`, fetched by `scripts/setup-onnxruntime` if missing.
fn ort_lib() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let lib = repo().join("vendor/onnxruntime/lib/libonnxruntime.so");
        if !lib.exists() {
            let status = Command::new(repo().join("scripts/setup-onnxruntime")).status();
            assert!(
                lib.exists(),
                "{} is missing and `scripts/setup-onnxruntime` did not provide it ({status:?}); run \
                 scripts/setup-onnxruntime (it downloads ONNX Runtime 1.31.1 from PyPI)",
                lib.display()
            );
        }
        lib
    })
}

/// Compiles `source` (relative to the repository root) into an executable and returns its path.
fn compile(source: &str) -> PathBuf {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-examples");
    std::fs::create_dir_all(&out_dir).expect("create the output folder");
    let stem = Path::new(source).file_stem().expect("a file name").to_string_lossy().into_owned();
    let exe = out_dir.join(&stem);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let lib_dir = lib_dir();
    let output = Command::new(&cc)
        .args(["-std=c11", "-O2", "-g", "-Wall", "-Wextra", "-Werror"])
        .arg("-I")
        .arg(repo().join("include"))
        .arg(repo().join(source))
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(lib_dir)
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .args(["-lmist", "-pthread", "-lm"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{cc}`: {e}"));
    assert!(
        output.status.success(),
        "compiling {source} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    exe
}

/// Runs `exe` with `args`, ONNX Runtime through `MIST_ORT_LIB`, in an empty HOME with
/// `ORT_DISABLE_TELEMETRY` set as docs/c-abi.md ("Files") asks of C programs; asserts that HOME
/// stays empty and returns the output.
fn run(exe: &Path, args: &[&str]) -> Output {
    let home = tempfile::TempDir::new().expect("a temporary HOME");
    let (quiet, value) = mist::runtime::ort_lib::QUIET_ENV;
    let output = Command::new(exe)
        .args(args)
        .env("MIST_ORT_LIB", ort_lib())
        // Cargo's own LD_LIBRARY_PATH for tests lists target/<profile>/ (with a possibly stale
        // libmist.so) ahead of the rpath: point it at this build's library only.
        .env("LD_LIBRARY_PATH", lib_dir())
        .env("HOME", home.path())
        .env_remove("XDG_CACHE_HOME")
        .env(quiet, value)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    let written: Vec<_> = std::fs::read_dir(home.path()).expect("HOME is readable").collect();
    assert!(written.is_empty(), "{} wrote to HOME: {written:?}", exe.display());
    output
}

/// Compiles and runs an example, requires exit status 0, and returns its stdout.
fn run_example(source: &str, args: &[&str]) -> String {
    let exe = compile(source);
    let output = run(&exe, args);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 stdout");
    assert!(
        output.status.success(),
        "{source} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn estimate_csv() {
    let csv = repo().join("examples/data/normal_sparse_asinh.csv");
    let stdout = run_example("examples/c/estimate_csv.c", &[csv.to_str().expect("UTF-8 path"), "2", "2"]);
    insta::assert_snapshot!("estimate_csv", stdout);
}

#[test]
fn quantile_interval() {
    let stdout = run_example("examples/c/quantile_interval.c", &[]);
    // The runtime's acceptance, from a C program: within 0.1 nats of 0.4133, interval holds it.
    let value = |label: &str| -> f64 {
        let line = stdout.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no {label:?} line"));
        line[label.len()..].trim().trim_end_matches("nats").trim().parse().unwrap()
    };
    let (truth, point) = (value("true MI:"), value("mist point:"));
    assert!((point - truth).abs() < 0.1, "mist point {point} is not within 0.1 of {truth}");
    assert!(stdout.contains("contains the true MI"), "{stdout}");
    insta::assert_snapshot!("quantile_interval", stdout);
}

#[test]
fn threads() {
    let stdout = run_example("examples/c/threads.c", &["8", "200"]);
    insta::assert_snapshot!("threads", stdout);
}

#[test]
fn batch() {
    let stdout = run_example("examples/c/batch.c", &[]);
    insta::assert_snapshot!("batch", stdout);
}

/// Every status a C caller can provoke: the program checks status, untouched outputs and message.
#[test]
fn errors() {
    let exe = compile("tests/c/errors.c");
    let model = repo().join("models/mist-default.onnx");
    let output = run(&exe, &[model.to_str().expect("UTF-8 path")]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tally = stdout.lines().rev().find(|l| l.ends_with(" failed") && l.contains(" passed, "));
    // Straight to stderr (not through the captured `eprintln!`), so the CI log shows the tally.
    let _ = writeln!(std::io::stderr(), "tests/c/errors.c: {}", tally.unwrap_or("no tally line"));
    let all_passed = tally.is_some_and(|l| l.ends_with(", 0 failed"));
    assert!(
        output.status.success() && all_passed,
        "tests/c/errors.c failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn discrete() {
    let stdout = run_example("examples/c/discrete.c", &[]);
    insta::assert_snapshot!("discrete", stdout);
}

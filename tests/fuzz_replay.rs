//! Replays every committed fuzz corpus file (`fuzz/corpus/<target>/`) through the same checks the
//! cargo-fuzz targets run (`fuzz/src/checks.rs`), on stable Rust and without libFuzzer, so that
//! each input the fuzzers kept stays fixed. New inputs come from `scripts/fuzz TARGET SECONDS`.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::io::Write;
use std::path::Path;

/// Runs `check` on every file of `fuzz/corpus/<target>/` and returns how many it replayed.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    for path in &files {
        let data = std::fs::read(path).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
            eprintln!("{target}: {} failed", path.display());
            std::panic::resume_unwind(panic);
        }
    }
    // Straight to stderr, past the test harness's capture, so that the count shows in every run.
    let _ =
        writeln!(std::io::stderr(), "fuzz_replay: {target}: replayed {} inputs from {}", files.len(), dir.display());
    files.len()
}

#[test]
fn ffi_input_corpus() {
    replay("ffi_input", checks::ffi_input);
}

#[test]
fn readers_corpus() {
    replay("readers", checks::readers);
}

#[test]
fn model_loader_corpus() {
    replay("model_loader", checks::model_loader);
}

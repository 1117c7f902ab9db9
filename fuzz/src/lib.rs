//! The fuzz targets' checks, in a module that `tests/fuzz_replay.rs` also includes to replay the
//! corpora on stable Rust without libFuzzer.

pub mod checks;

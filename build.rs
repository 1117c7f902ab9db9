//! Generates the C header of libmist with cbindgen from `src/ffi/`.
//!
//! The header is written to `$OUT_DIR/mist.h`; the committed `include/mist.h` must equal it (the test
//! `header_is_up_to_date` in `tests/c_header.rs` compares them). With `MIST_UPDATE_HEADER=1` the build
//! also rewrites `include/mist.h` (only when its content changed). A cbindgen failure is a warning,
//! not a build failure: the header test then fails instead.

use std::path::Path;

fn main() {
    for path in ["src/ffi", "cbindgen.toml", "models/mist-default.onnx"] {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-env-changed=MIST_UPDATE_HEADER");
    // With MIST_SONAME=1 (scripts/install, in a target folder of its own) the shared library gets
    // the SONAME libmist.so.0 (the ABI's major version), so that programs linked against an
    // installed libmist.so record libmist.so.0. The build tree's libmist.so has none: programs
    // linked against it (tests, examples, the R package) load it by that name.
    println!("cargo:rerun-if-env-changed=MIST_SONAME");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if linux && std::env::var("MIST_SONAME").is_ok_and(|v| v == "1") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmist.so.0");
    }
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let crate_dir = Path::new(&crate_dir);
    if !crate_dir.join("models/mist-default.onnx").exists() {
        panic!(
            "models/mist-default.onnx is missing: it is the default model compiled into libmist; export one with \
             `mist-trainer export --run RUN --from best --out models/mist-default.onnx`"
        );
    }
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let generated = Path::new(&out_dir).join("mist.h");
    let header = match generate(crate_dir) {
        Ok(header) => header,
        Err(e) => {
            println!("cargo:warning=cbindgen could not generate include/mist.h: {e}");
            return;
        }
    };
    write_if_changed(&generated, &header);
    if std::env::var_os("MIST_UPDATE_HEADER").is_some_and(|v| v == "1") {
        write_if_changed(&crate_dir.join("include/mist.h"), &header);
    }
}

/// The header text, with the version macros of Cargo.toml.
fn generate(crate_dir: &Path) -> Result<String, String> {
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).map_err(|e| e.to_string())?;
    let version = |part: &str| std::env::var(format!("CARGO_PKG_VERSION_{part}")).unwrap_or_default();
    config.after_includes = Some(format!(
        "\n/* The version of this header; mist_version() gives the library's at run time. */\n\
         #define MIST_VERSION_MAJOR {}\n#define MIST_VERSION_MINOR {}\n#define MIST_VERSION_PATCH {}\n\
         #define MIST_VERSION \"{}\"",
        version("MAJOR"),
        version("MINOR"),
        version("PATCH"),
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default()
    ));
    // Only src/ffi is parsed (cbindgen follows its `mod` declarations), so the rest of the crate's
    // public items never reach the header.
    let builder = cbindgen::Builder::new().with_config(config).with_src(crate_dir.join("src/ffi/mod.rs"));
    let bindings = builder.generate().map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    bindings.write(&mut bytes);
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Err(e) = std::fs::write(path, text) {
        println!("cargo:warning=cannot write {}: {e}", path.display());
    }
}

//! The committed header include/mist.h: what cbindgen generates now, every export declared once,
//! valid C and C++.

/// The committed header is exactly what cbindgen generates from src/ffi now (build.rs writes it
/// to OUT_DIR).
#[test]
fn header_is_up_to_date() {
    let generated_path = concat!(env!("OUT_DIR"), "/mist.h");
    let committed_path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/mist.h");
    let generated = std::fs::read_to_string(generated_path)
        .unwrap_or_else(|e| panic!("{generated_path}: {e} (did cbindgen fail? see the build warnings)"));
    let committed = std::fs::read_to_string(committed_path).unwrap_or_default();
    if generated != committed {
        let line = generated.lines().zip(committed.lines()).position(|(a, b)| a != b);
        panic!(
            "include/mist.h differs from the generated header (first difference at line {}); update it with \
             `MIST_UPDATE_HEADER=1 cargo build --release -p mist` or `cp {generated_path} include/mist.h`",
            line.map_or_else(|| "end".to_string(), |l| (l + 1).to_string())
        );
    }
}

/// Each export is declared once, and every one of them is in the header.
#[test]
fn header_declares_each_function_once() {
    let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/mist.h")).unwrap();
    let exports = [
        "mist_options_default",
        "mist_create",
        "mist_free",
        "mist_estimate",
        "mist_quantiles",
        "mist_estimate_with_quantiles",
        "mist_estimate_batch",
        "mist_ksg",
        "mist_gaussian",
        "mist_gcmi",
        "mist_discrete",
        "mist_ross",
        "mist_estimate_auto",
        "mist_test",
        "mist_pairs",
        "mist_max_dx",
        "mist_max_dy",
        "mist_min_n",
        "mist_max_n",
        "mist_version",
        "mist_status_name",
        "mist_last_error",
        "mist_last_error_copy",
    ];
    let declared: Vec<&str> = header
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with('/') && l.contains("mist_"))
        .filter_map(|l| l.split('(').next()?.rsplit([' ', '*']).next())
        .collect();
    let mut sorted = declared.clone();
    sorted.sort_unstable();
    let mut expected = exports.to_vec();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "declarations: {declared:?}");
}

/// The header is valid C99 and C++ (when a C compiler is installed).
#[test]
fn header_compiles_as_c_and_cpp() {
    let header = concat!(env!("CARGO_MANIFEST_DIR"), "/include/mist.h");
    for (compiler, args) in [("cc", &["-std=c99", "-x", "c"][..]), ("c++", &["-x", "c++"][..])] {
        let Ok(output) = std::process::Command::new(compiler)
            .args(["-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only"])
            .args(args)
            .arg(header)
            .output()
        else {
            println!("{compiler} not found: header not compiled");
            continue;
        };
        assert!(output.status.success(), "{compiler}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

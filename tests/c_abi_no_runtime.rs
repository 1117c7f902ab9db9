//! Loading ONNX Runtime fails cleanly: a missing, non-library, truncated or wrong library gives
//! MIST_STATUS_RUNTIME_LOAD with a message naming the path, and a later good path still works.
//!
//! ONNX Runtime can be loaded only once per process, so this lives in its own test binary (a fresh
//! process) with a single test that runs the cases in order.

use mist::ffi::*;
use std::ffi::{CStr, CString};
use std::ptr::null_mut;

fn create_with(path: Option<&str>) -> Result<*mut MistEstimator, (MistStatus, String)> {
    let path = path.map(|p| CString::new(p).unwrap());
    let mut options = std::mem::MaybeUninit::<MistOptions>::uninit();
    let mut options = unsafe {
        mist_options_default(options.as_mut_ptr(), size_of::<MistOptions>());
        options.assume_init()
    };
    if let Some(p) = &path {
        options.onnxruntime_path = p.as_ptr();
    }
    let mut out = null_mut();
    match unsafe { mist_create(&options, &mut out) } {
        MistStatus::Ok => Ok(out),
        status => {
            assert!(out.is_null(), "out written on failure");
            Err((status, unsafe { CStr::from_ptr(mist_last_error()) }.to_str().unwrap().to_string()))
        }
    }
}

fn fails(path: Option<&str>, needles: &[&str]) {
    let (status, message) = create_with(path).expect_err("loading must fail");
    println!("{path:?}: {message}");
    assert_eq!(status, MistStatus::RuntimeLoad, "{message}");
    for needle in needles {
        assert!(message.contains(needle), "{message:?} does not contain {needle:?}");
    }
}

#[test]
fn missing_or_wrong_onnxruntime_is_an_error_and_recoverable() {
    assert!(mist::runtime::ort_lib::loaded().is_none(), "a fresh process has not loaded ONNX Runtime");
    fails(Some("/nonexistent/libonnxruntime.so"), &["/nonexistent/libonnxruntime.so", "onnxruntime_path"]);

    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("libonnxruntime.so");
    std::fs::write(&garbage, b"this is not a shared library").unwrap();
    fails(Some(garbage.to_str().unwrap()), &[garbage.to_str().unwrap()]);

    // A truncated copy of the real library: the loader would map segments past its end and the
    // process would die of SIGBUS; it is refused before the loader sees it.
    let vendor = mist::runtime::ort_lib::vendor_library();
    let bytes = std::fs::read(&vendor).expect("run scripts/setup-onnxruntime");
    let truncated = dir.path().join("truncated").join("libonnxruntime.so");
    std::fs::create_dir_all(truncated.parent().unwrap()).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    fails(Some(truncated.to_str().unwrap()), &["not a complete ELF library", "truncated"]);

    // A real shared library that is not ONNX Runtime.
    let libc = ["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/lib64/libc.so.6"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    if let Some(libc) = libc {
        fails(Some(libc), &["OrtGetApiBase"]);
    }

    // The environment variable is step 2 of the search order.
    // SAFETY: this binary runs this one test; no other thread reads the environment meanwhile.
    unsafe { std::env::set_var("MIST_ORT_LIB", "/nonexistent/from-env/libonnxruntime.so") };
    fails(None, &["MIST_ORT_LIB", "/nonexistent/from-env"]);
    unsafe { std::env::remove_var("MIST_ORT_LIB") };

    // Nothing was loaded by the failures: the search order now finds the build tree's copy.
    assert!(vendor.exists(), "{} is missing: run scripts/setup-onnxruntime", vendor.display());
    let est = create_with(None).expect("the vendor copy loads after the failures");
    assert_eq!(mist::runtime::ort_lib::loaded().unwrap().path, vendor);
    unsafe { mist_free(est) };
}

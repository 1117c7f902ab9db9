//! The library version, equal to the crate's (Cargo.toml); the header has the same as macros.

use std::ffi::{CStr, c_char};

/// `CARGO_PKG_VERSION` as a C string.
pub const VERSION: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(v) => v,
    Err(_) => panic!("the crate version contains a NUL byte"),
};

/// The version of libmist, e.g. "0.1.0" (equal to MIST_VERSION of the header it was built with).
/// Static; never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mist_version() -> *const c_char {
    VERSION.as_ptr()
}

//! Pointer helpers: every pointer from C is checked for NULL (the error names the argument), for
//! alignment, and for a size that fits the address space, before it is read.

use super::status::FfiError;
use std::ffi::{CStr, c_char};
use std::path::PathBuf;

/// The object behind a pointer that must not be NULL.
///
/// # Safety
/// `ptr` must be NULL or point to a valid `T` that outlives `'a` and is not written meanwhile.
pub(crate) unsafe fn try_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, FfiError> {
    // SAFETY: non-NULL is checked by `as_ref`; validity is the caller's promise.
    unsafe { ptr.as_ref() }.ok_or_else(|| FfiError::null(name))
}

/// Checks that an output pointer is not NULL and is aligned (nothing is written yet).
pub(crate) fn check_out<T>(ptr: *mut T, name: &str) -> Result<(), FfiError> {
    check_array(ptr.cast_const(), 1, name)
}

/// Checks a pointer to `len` elements: non-NULL unless `len` is 0, aligned, and `len` elements fit
/// in `isize::MAX` bytes.
pub(crate) fn check_array<T>(ptr: *const T, len: usize, name: &str) -> Result<(), FfiError> {
    if len == 0 {
        return Ok(());
    }
    if ptr.is_null() {
        return Err(FfiError::null(name));
    }
    if !ptr.is_aligned() {
        return Err(FfiError::invalid(format!(
            "{name} = {ptr:p} is not aligned to {} bytes",
            std::mem::align_of::<T>()
        )));
    }
    match len.checked_mul(std::mem::size_of::<T>()) {
        Some(bytes) if bytes <= isize::MAX as usize => Ok(()),
        _ => Err(FfiError::invalid(format!("{name}: {len} elements do not fit in memory"))),
    }
}

/// The `len` elements at `ptr` (checked with [`check_array`]).
///
/// # Safety
/// `ptr` must be NULL or point to `len` initialised elements valid for `'a` and not written meanwhile.
pub(crate) unsafe fn try_slice<'a, T>(ptr: *const T, len: usize, name: &str) -> Result<&'a [T], FfiError> {
    check_array(ptr, len, name)?;
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: checked non-NULL, aligned and not too large; the rest is the caller's promise.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Writes `values` to the array at `out` (checked before with [`check_array`]).
///
/// # Safety
/// `out` must point to `values.len()` writable elements.
pub(crate) unsafe fn write_array<T: Copy>(out: *mut T, values: &[T]) {
    // SAFETY: the caller's promise; `values` is our own memory, so the ranges do not overlap.
    unsafe { std::ptr::copy_nonoverlapping(values.as_ptr(), out, values.len()) };
}

/// A path from an optional C string (NULL gives `None`); any bytes are accepted on Unix.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string.
pub(crate) unsafe fn c_path(ptr: *const c_char, name: &str) -> Result<Option<PathBuf>, FfiError> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's promise.
    let text = unsafe { CStr::from_ptr(ptr) };
    if text.is_empty() {
        return Err(FfiError::invalid(format!("{name} is an empty string (use NULL for the default)")));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(Some(PathBuf::from(std::ffi::OsStr::from_bytes(text.to_bytes()))))
    }
    #[cfg(not(unix))]
    {
        let text = text.to_str().map_err(|_| FfiError::invalid(format!("{name} is not valid UTF-8")))?;
        Ok(Some(PathBuf::from(text)))
    }
}

//! The panic boundary: no Rust panic unwinds into C.
//!
//! Every export runs its body through [`boundary`] (functions returning MistStatus) or
//! [`boundary_or`] (the others): a panic becomes `MIST_STATUS_PANIC` with a message (or the
//! function's neutral value), never an abort and never unwinding across `extern "C"`.

use super::status::{FfiError, MistStatus, clear_last_error, set_last_error};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `body` for a function returning MistStatus: resets the last error, maps `Err` to its
/// status (storing the message) and a panic to [`MistStatus::Panic`].
pub(crate) fn boundary(body: impl FnOnce() -> Result<(), FfiError>) -> MistStatus {
    clear_last_error();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => MistStatus::Ok,
        Ok(Err(e)) => {
            set_last_error(&e.message);
            e.status
        }
        Err(payload) => {
            set_last_error(&format!(
                "internal error: a Rust panic was caught at the C boundary ({}); this is a bug in libmist, \
                 please report it",
                panic_message(payload.as_ref())
            ));
            MistStatus::Panic
        }
    }
}

/// Runs `body` for a function without a status: a panic gives `fallback`.
pub(crate) fn boundary_or<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The text of a panic payload (`&str` or `String`), or a placeholder.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::mist_last_error;
    use std::ffi::CStr;

    fn last() -> String {
        unsafe { CStr::from_ptr(mist_last_error()) }.to_str().unwrap().to_string()
    }

    #[test]
    fn a_panic_becomes_the_panic_status_with_a_message() {
        let status = boundary(|| panic!("boom {}", 42));
        assert_eq!(status, MistStatus::Panic);
        assert!(last().contains("boom 42") && last().contains("bug"), "{}", last());
        assert_eq!(boundary_or(7usize, || panic!("x")), 7);
    }

    #[test]
    fn errors_are_stored_and_success_clears_them() {
        assert_eq!(boundary(|| Err(FfiError::null("x"))), MistStatus::NullPointer);
        assert_eq!(last(), "x is NULL");
        assert_eq!(boundary(|| Ok(())), MistStatus::Ok);
        assert_eq!(last(), "");
    }
}

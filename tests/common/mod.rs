//! What the C ABI test binaries share: an owned estimator handle.

use mist::ffi::{MistEstimator, mist_free};

/// An owned estimator handle from `mist_create`, freed on drop; shared between threads as
/// `include/mist.h` allows.
#[derive(Debug)]
pub struct Handle(pub *mut MistEstimator);

// SAFETY: the header declares a handle usable from any number of threads at once; only `mist_free`
// (in `drop`, with `&mut self`) must not overlap other calls.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: a live handle from `mist_create`, freed once.
        unsafe { mist_free(self.0) };
    }
}

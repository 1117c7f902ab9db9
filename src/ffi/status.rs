//! Status codes, error messages, and the per-thread last error.

use crate::runtime::RuntimeError;
use std::cell::RefCell;
use std::ffi::{CString, c_char, c_int};

/// The result of every fallible function. The numeric values are fixed and never reused.
///
/// On any value other than `MIST_STATUS_OK`, `mist_last_error()` gives a message naming the bad
/// argument and its value.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MistStatus {
    /// Success; the outputs were written.
    Ok = 0,
    /// A required pointer argument is NULL (the message names it).
    NullPointer = 1,
    /// An argument is out of its range: quantile levels outside (0, 1), `n_taus` = 0, `k` = 0, an
    /// unknown layout or device value, a negative device id, a misaligned data pointer.
    InvalidArgument = 2,
    /// NaN or ±Inf in x or y (the message names the matrix, row, column and value).
    NonFinite = 3,
    /// n is below the estimator's minimum.
    TooFewRows = 4,
    /// dx or dy is 0 or above the model's maximum.
    BadDimension = 5,
    /// x and y have different numbers of rows.
    LengthMismatch = 6,
    /// A column of x or y looks discrete: it takes 2 to 10 distinct values, each repeated on average
    /// (at least 2 rows per value). The learned model answers continuous data and rounded
    /// measurements (more than 10 distinct values per column), not categories or counts with few
    /// levels; the message names the column. The baselines accept such data (`mist_ksg` counts ties
    /// of a discrete column exactly).
    DiscreteData = 7,
    /// The model file is missing, unreadable or not a valid ONNX model.
    ModelLoad = 10,
    /// The model's metadata (`mist.format` and the rest) is not what this library understands.
    ModelUnsupported = 11,
    /// The ONNX Runtime library is missing, not loadable, of the wrong version, or this process
    /// already loaded it from another path.
    RuntimeLoad = 12,
    /// CUDA was requested but is not available, and `cuda_fallback_to_cpu` is false.
    DeviceUnavailable = 13,
    /// ONNX Runtime failed while running the model.
    Inference = 14,
    /// The buffer given to `mist_last_error_copy` is too small.
    BufferTooSmall = 15,
    /// A Rust panic was caught at the boundary: a bug in libmist; please report it.
    Panic = 99,
}

impl MistStatus {
    /// Every status, in numeric order.
    pub const ALL: [MistStatus; 15] = [
        MistStatus::Ok,
        MistStatus::NullPointer,
        MistStatus::InvalidArgument,
        MistStatus::NonFinite,
        MistStatus::TooFewRows,
        MistStatus::BadDimension,
        MistStatus::LengthMismatch,
        MistStatus::DiscreteData,
        MistStatus::ModelLoad,
        MistStatus::ModelUnsupported,
        MistStatus::RuntimeLoad,
        MistStatus::DeviceUnavailable,
        MistStatus::Inference,
        MistStatus::BufferTooSmall,
        MistStatus::Panic,
    ];

    /// The C name, e.g. `c"MIST_STATUS_OK"`.
    pub const fn name(self) -> &'static std::ffi::CStr {
        match self {
            MistStatus::Ok => c"MIST_STATUS_OK",
            MistStatus::NullPointer => c"MIST_STATUS_NULL_POINTER",
            MistStatus::InvalidArgument => c"MIST_STATUS_INVALID_ARGUMENT",
            MistStatus::NonFinite => c"MIST_STATUS_NON_FINITE",
            MistStatus::TooFewRows => c"MIST_STATUS_TOO_FEW_ROWS",
            MistStatus::BadDimension => c"MIST_STATUS_BAD_DIMENSION",
            MistStatus::LengthMismatch => c"MIST_STATUS_LENGTH_MISMATCH",
            MistStatus::DiscreteData => c"MIST_STATUS_DISCRETE_DATA",
            MistStatus::ModelLoad => c"MIST_STATUS_MODEL_LOAD",
            MistStatus::ModelUnsupported => c"MIST_STATUS_MODEL_UNSUPPORTED",
            MistStatus::RuntimeLoad => c"MIST_STATUS_RUNTIME_LOAD",
            MistStatus::DeviceUnavailable => c"MIST_STATUS_DEVICE_UNAVAILABLE",
            MistStatus::Inference => c"MIST_STATUS_INFERENCE",
            MistStatus::BufferTooSmall => c"MIST_STATUS_BUFFER_TOO_SMALL",
            MistStatus::Panic => c"MIST_STATUS_PANIC",
        }
    }
}

/// A failure on its way to the caller: the status to return and the message to store.
#[derive(Debug, Clone, PartialEq)]
pub struct FfiError {
    /// Returned to the caller.
    pub status: MistStatus,
    /// Stored for `mist_last_error`.
    pub message: String,
}

impl FfiError {
    /// A failure with `status` and `message`.
    pub fn new(status: MistStatus, message: impl Into<String>) -> Self {
        FfiError { status, message: message.into() }
    }

    /// `name is NULL`.
    pub fn null(name: &str) -> Self {
        FfiError::new(MistStatus::NullPointer, format!("{name} is NULL"))
    }

    /// An [`MistStatus::InvalidArgument`] failure.
    pub fn invalid(message: impl Into<String>) -> Self {
        FfiError::new(MistStatus::InvalidArgument, message)
    }

    /// Appends `detail` to the message.
    pub(crate) fn with_detail(mut self, detail: String) -> Self {
        self.message = format!("{} {detail}", self.message);
        self
    }
}

impl From<crate::Error> for FfiError {
    fn from(e: crate::Error) -> Self {
        let status = match &e {
            crate::Error::RowMismatch { .. } => MistStatus::LengthMismatch,
            crate::Error::TooFewRows { .. } => MistStatus::TooFewRows,
            crate::Error::NoColumns { .. } => MistStatus::BadDimension,
            crate::Error::NonFinite { .. } => MistStatus::NonFinite,
            crate::Error::Discrete { .. } => MistStatus::DiscreteData,
            crate::Error::BadArgument { .. } => MistStatus::InvalidArgument,
        };
        FfiError::new(status, e.to_string())
    }
}

impl From<RuntimeError> for FfiError {
    fn from(e: RuntimeError) -> Self {
        let status = match e.root() {
            RuntimeError::Input(inner) => FfiError::from(inner.clone()).status,
            RuntimeError::BadDimension(_) => MistStatus::BadDimension,
            RuntimeError::InvalidArgument(_) => MistStatus::InvalidArgument,
            RuntimeError::ModelLoad(_) => MistStatus::ModelLoad,
            RuntimeError::ModelUnsupported(_) => MistStatus::ModelUnsupported,
            RuntimeError::RuntimeLoad(_) => MistStatus::RuntimeLoad,
            RuntimeError::DeviceUnavailable(_) => MistStatus::DeviceUnavailable,
            RuntimeError::Inference(_) => MistStatus::Inference,
            RuntimeError::InDataset { .. } => unreachable!("root() removes the batch position"),
        };
        FfiError::new(status, e.to_string())
    }
}

thread_local! {
    /// The message of the last failure on this thread ("" after a success).
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Stores `message` as this thread's last error (interior NULs become spaces).
pub(crate) fn set_last_error(message: &str) {
    let bytes: Vec<u8> = message.bytes().map(|b| if b == 0 { b' ' } else { b }).collect();
    let message = CString::new(bytes).unwrap_or_default();
    LAST_ERROR.with(|last| *last.borrow_mut() = message);
}

/// Resets this thread's last error to "".
pub(crate) fn clear_last_error() {
    LAST_ERROR.with(|last| {
        if !last.borrow().is_empty() {
            *last.borrow_mut() = CString::default();
        }
    });
}

/// The message of the last failed call on the calling thread, or "" if the last call succeeded
/// (or none was made).
///
/// Each function returning MistStatus (except `mist_last_error_copy`) resets it on entry and sets
/// it on failure. The string belongs to libmist and stays valid until the next call of a mist_*
/// function on this thread; copy it to keep it. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mist_last_error() -> *const c_char {
    LAST_ERROR.try_with(|last| last.borrow().as_ptr()).unwrap_or(c"".as_ptr())
}

/// Copies the calling thread's last error message, NUL-terminated, into `buf` of `len` bytes.
///
/// `*needed` (when `needed` is not NULL) receives the size the message needs, NUL included; it is
/// written on `MIST_STATUS_OK` and on `MIST_STATUS_BUFFER_TOO_SMALL`, so `len = 0` (with `buf` NULL)
/// asks for the size. `buf` is written only on success. Does not change the last error.
///
/// # Safety
/// `buf` must be NULL or point to `len` writable bytes; `needed` must be NULL or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_last_error_copy(buf: *mut c_char, len: usize, needed: *mut usize) -> MistStatus {
    let copy = || {
        LAST_ERROR.with(|last| {
            let last = last.borrow();
            let bytes = last.as_bytes_with_nul();
            if !needed.is_null() {
                // SAFETY: the caller passes NULL or a writable size_t.
                unsafe { needed.write(bytes.len()) };
            }
            if len < bytes.len() {
                return MistStatus::BufferTooSmall;
            }
            if buf.is_null() {
                return MistStatus::NullPointer;
            }
            // SAFETY: `buf` has `len ≥ bytes.len()` writable bytes, and cannot overlap our CString.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr().cast::<c_char>(), buf, bytes.len()) };
            MistStatus::Ok
        })
    };
    std::panic::catch_unwind(copy).unwrap_or(MistStatus::Panic)
}

/// The C name of a status value, e.g. "MIST_STATUS_NULL_POINTER"; "MIST_STATUS_UNKNOWN" for a
/// value that is not a MistStatus. Static; never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn mist_status_name(status: c_int) -> *const c_char {
    MistStatus::ALL
        .iter()
        .find(|s| **s as c_int == status)
        .map_or(c"MIST_STATUS_UNKNOWN".as_ptr(), |s| s.name().as_ptr())
}

//! `MistOptions`: how `mist_create` builds an estimator, in a struct that can grow. Its first field
//! is its size as the caller's header declares it, so that a program built against an older,
//! smaller `mist.h` keeps working with a newer library: `mist_options_default` writes no byte past
//! that size, and `mist_create` reads only the fields that fit in it, taking the defaults for the
//! rest.

use super::panic::boundary_or;
use super::pointer::c_path;
use super::status::FfiError;
use crate::runtime::{Device, EstimatorOptions, ModelSource};
use std::ffi::{c_char, c_int};

/// Where the model runs.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MistDevice {
    /// The CPU.
    Cpu = 0,
    /// An NVIDIA GPU through ONNX Runtime's CUDA execution provider (libmist built with the `cuda`
    /// feature, a CUDA build of ONNX Runtime and its CUDA libraries).
    Cuda = 1,
}

/// Options of `mist_create`. Fill it with `mist_options_default(&options, sizeof options)` first,
/// then change fields, so that code keeps working when fields are added.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MistOptions {
    /// Size of the struct in bytes as the caller's header declares it, set by
    /// `mist_options_default`. New fields are added at the end; `mist_create` takes the defaults for
    /// the fields beyond this size.
    pub size: usize,
    /// Path of a `.onnx` model exported by the MIST trainer; NULL: the default model embedded in
    /// libmist.
    pub model_path: *const c_char,
    /// Path of the ONNX Runtime library; NULL: the search order at the top of this header.
    pub onnxruntime_path: *const c_char,
    /// MIST_DEVICE_CPU (default) or MIST_DEVICE_CUDA.
    pub device: MistDevice,
    /// CUDA device ordinal (with MIST_DEVICE_CUDA); default 0.
    pub device_id: i32,
    /// With MIST_DEVICE_CUDA: when CUDA is not available, run on the CPU instead of failing with
    /// MIST_STATUS_DEVICE_UNAVAILABLE. Default false.
    pub cuda_fallback_to_cpu: bool,
    /// Most threads the handle's model runs use at once; 0 (default): the number of CPUs. Calls in
    /// flight take one each (further calls wait); how a call alone on the handle uses more is in
    /// docs/c-abi.md, "Threading".
    pub threads: usize,
    /// Seed of the row shuffle that splits datasets with more rows than the model's maximum into
    /// chunks; default 0. Equal inputs, options and seed give bit-identical results.
    pub seed: u64,
}

impl Default for MistOptions {
    fn default() -> Self {
        MistOptions {
            size: size_of::<MistOptions>(),
            model_path: std::ptr::null(),
            onnxruntime_path: std::ptr::null(),
            device: MistDevice::Cpu,
            device_id: 0,
            cuda_fallback_to_cpu: false,
            threads: 0,
            seed: 0,
        }
    }
}

/// Fills the first `size` bytes of `*out` (pass `sizeof *out`) with the defaults: `size` (at most
/// this library's `sizeof(MistOptions)`), embedded model, ONNX Runtime found by the search order,
/// CPU, device 0, no CUDA fallback, threads = number of CPUs, seed 0. Writes nothing past `size`
/// bytes, so a program built against an older, smaller struct is safe. Does nothing when `out` is
/// NULL or not aligned, or `size` is too small to hold the `size` field.
///
/// # Safety
/// `out` must be NULL or valid for writing `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_options_default(out: *mut MistOptions, size: usize) {
    boundary_or((), || {
        if out.is_null() || !out.is_aligned() || size < size_of::<usize>() {
            return;
        }
        let defaults = MistOptions { size: size.min(size_of::<MistOptions>()), ..MistOptions::default() };
        // SAFETY: `out` is valid for `size` bytes (caller) and `defaults` for `size_of::<MistOptions>()`;
        // a byte copy, which the padding bytes may take part in.
        unsafe {
            std::ptr::copy_nonoverlapping((&raw const defaults).cast::<u8>(), out.cast::<u8>(), defaults.size);
        }
    });
}

/// Reads `options` (NULL: the defaults) field by field, each only when it lies within
/// `options->size` bytes (else its default); enum and bool fields are read as integers so that
/// out-of-range values from C become errors.
///
/// # Safety
/// `options` must be NULL or point to `options->size` readable bytes of a MistOptions whose strings
/// are NULL or NUL-terminated.
pub(crate) unsafe fn read(options: *const MistOptions) -> Result<EstimatorOptions, FfiError> {
    if options.is_null() {
        return Ok(EstimatorOptions::default());
    }
    if !options.is_aligned() {
        return Err(FfiError::invalid(format!("options = {options:p} is not aligned for a MistOptions")));
    }
    // SAFETY: non-NULL and aligned; the size field is first, so always there.
    let size = unsafe { (&raw const (*options).size).read() };
    let ours = size_of::<MistOptions>();
    if size < size_of::<usize>() || size > ours {
        let why = if size > ours {
            format!(
                "larger than this libmist's MistOptions ({ours} bytes): the program was built against a newer mist.h"
            )
        } else {
            "not set: fill the options with mist_options_default(&options, sizeof options) first".into()
        };
        return Err(FfiError::invalid(format!("options->size = {size} is {why}")));
    }
    let defaults = MistOptions::default();
    macro_rules! field {
        ($name:ident as $t:ty) => {
            if std::mem::offset_of!(MistOptions, $name) + size_of::<$t>() <= size {
                // SAFETY: within the caller's `size` readable bytes, aligned as the struct is.
                unsafe { (&raw const (*options).$name).cast::<$t>().read() }
            } else {
                // SAFETY: a plain bit reinterpretation of the default as its underlying integer.
                unsafe { (&raw const defaults.$name).cast::<$t>().read() }
            }
        };
    }
    let (model_path, ort_path) = (field!(model_path as *const c_char), field!(onnxruntime_path as *const c_char));
    let (device, device_id) = (field!(device as c_int), field!(device_id as i32));
    let (fallback, threads, seed) = (field!(cuda_fallback_to_cpu as u8), field!(threads as usize), field!(seed as u64));
    let device = match device {
        0 => Device::Cpu,
        1 => Device::Cuda { device_id },
        other => {
            return Err(FfiError::invalid(format!(
                "options->device = {other} is not a MistDevice (0 = MIST_DEVICE_CPU, 1 = MIST_DEVICE_CUDA)"
            )));
        }
    };
    // SAFETY: the strings are NULL or NUL-terminated (caller).
    let model = unsafe { c_path(model_path, "options->model_path") }?;
    let onnxruntime_path = unsafe { c_path(ort_path, "options->onnxruntime_path") }?;
    Ok(EstimatorOptions {
        model: model.map_or(ModelSource::Embedded, ModelSource::Path),
        onnxruntime_path,
        device,
        cuda_fallback_to_cpu: fallback != 0,
        threads,
        seed,
    })
}

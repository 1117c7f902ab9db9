//! `MistOptions`: how `mist_create` builds an estimator.

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

/// Options of `mist_create`. Fill it with `mist_options_default` first, then change fields, so that
/// code keeps working when fields are added.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MistOptions {
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
    /// Most calls on the handle that run at once, each in its own ONNX Runtime session on one thread;
    /// further calls wait. 0 (default): the number of CPUs. While a handle has never served two
    /// calls at once, a call whose model run has 200 rows or more uses min(threads, 4) threads.
    pub threads: usize,
    /// Seed of the row shuffle that splits datasets with more rows than the model's maximum into
    /// chunks; default 0. Equal inputs, options and seed give bit-identical results.
    pub seed: u64,
}

impl Default for MistOptions {
    fn default() -> Self {
        MistOptions {
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

/// Fills `*out` with the defaults: embedded model, ONNX Runtime found by the search order, CPU,
/// device 0, no CUDA fallback, threads = number of CPUs, seed 0. Does nothing when `out` is NULL.
///
/// # Safety
/// `out` must be NULL or valid for writing a MistOptions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mist_options_default(out: *mut MistOptions) {
    boundary_or((), || {
        if !out.is_null() && out.is_aligned() {
            // SAFETY: non-NULL, aligned, writable by the caller's promise.
            unsafe { out.write(MistOptions::default()) };
        }
    });
}

/// Reads `options` (NULL: the defaults) field by field; enum and bool fields are read as integers so
/// that out-of-range values from C become errors.
///
/// # Safety
/// `options` must be NULL or point to a MistOptions whose strings are NULL or NUL-terminated.
pub(crate) unsafe fn read(options: *const MistOptions) -> Result<EstimatorOptions, FfiError> {
    if options.is_null() {
        return Ok(EstimatorOptions::default());
    }
    if !options.is_aligned() {
        return Err(FfiError::invalid(format!("options = {options:p} is not aligned for a MistOptions")));
    }
    // SAFETY: non-NULL and aligned; fields are read as their own or underlying integer types.
    let (model_path, ort_path, device, device_id, fallback, threads, seed) = unsafe {
        (
            (&raw const (*options).model_path).read(),
            (&raw const (*options).onnxruntime_path).read(),
            (&raw const (*options).device).cast::<c_int>().read(),
            (&raw const (*options).device_id).read(),
            (&raw const (*options).cuda_fallback_to_cpu).cast::<u8>().read(),
            (&raw const (*options).threads).read(),
            (&raw const (*options).seed).read(),
        )
    };
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

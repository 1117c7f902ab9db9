//! Creating a handle through the C ABI: the options struct (its defaults, and a caller built
//! against a smaller one), model files that cannot be loaded, a second ONNX Runtime path, CUDA
//! without CUDA. ONNX Runtime is found by the search order (run scripts/setup-onnxruntime first).

mod common;

use common::*;
use mist::ffi::*;
use std::ffi::{CString, c_int};

/// Minimal protobuf writer for hand-made ONNX files.
mod proto {
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    pub fn int(field: u64, v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        varint(field << 3, &mut out);
        varint(v, &mut out);
        out
    }

    pub fn bytes(field: u64, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        varint((field << 3) | 2, &mut out);
        varint(content.len() as u64, &mut out);
        out.extend_from_slice(content);
        out
    }

    /// A float tensor value info `name` of shape [dim].
    fn value_info(name: &str, dim: u64) -> Vec<u8> {
        let shape = bytes(2, &bytes(1, &int(1, dim)));
        let tensor = [int(1, 1), shape].concat();
        [bytes(1, name.as_bytes()), bytes(2, &bytes(1, &tensor))].concat()
    }

    /// A valid ONNX model `input → Identity → output` with the given metadata.
    pub fn identity_model(input: &str, output: &str, metadata: &[(&str, &str)]) -> Vec<u8> {
        let node = [bytes(1, input.as_bytes()), bytes(2, output.as_bytes()), bytes(4, b"Identity")].concat();
        let graph =
            [bytes(1, &node), bytes(2, b"g"), bytes(11, &value_info(input, 1)), bytes(12, &value_info(output, 1))]
                .concat();
        let mut model = [int(1, 8), bytes(2, b"test"), bytes(7, &graph), bytes(8, &int(2, 18))].concat();
        for (k, v) in metadata {
            model.extend(bytes(14, &[bytes(1, k.as_bytes()), bytes(2, v.as_bytes())].concat()));
        }
        model
    }
}

#[test]
fn model_loading_failures_return_a_status_and_a_message() {
    let _loaded = default_handle(); // ONNX Runtime is loaded; only the model is at fault below
    let dir = tempfile::tempdir().unwrap();
    let with_model = |path: &std::path::Path| {
        let path = CString::new(path.to_str().unwrap()).unwrap();
        let mut o = options();
        o.model_path = path.as_ptr();
        create(Some(&o)).map(|_| ())
    };
    let missing = dir.path().join("missing.onnx");
    fails(with_model(&missing), MistStatus::ModelLoad, &["cannot read model file", "missing.onnx"]);
    fails(with_model(dir.path()), MistStatus::ModelLoad, &["cannot read model file"]);
    // An endless file is refused before anything is read.
    fails(with_model(std::path::Path::new("/dev/zero")), MistStatus::ModelLoad, &["/dev/zero", "not a regular file"]);

    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    fails(
        with_model(&write("garbage.onnx", &garbage)),
        MistStatus::ModelLoad,
        &["garbage.onnx is not a valid ONNX model"],
    );
    fails(with_model(&write("empty.onnx", b"")), MistStatus::ModelLoad, &["empty.onnx"]);
    let truncated = &mist::runtime::DEFAULT_MODEL[..mist::runtime::DEFAULT_MODEL.len() / 2];
    fails(with_model(&write("truncated.onnx", truncated)), MistStatus::ModelLoad, &["truncated.onnx"]);

    // The embedded model with mist.format patched from "1" to "2" (same length: still valid protobuf).
    let key = b"\x0a\x0bmist.format\x12\x011";
    let mut patched = mist::runtime::DEFAULT_MODEL.to_vec();
    let at = patched.windows(key.len()).position(|w| w == key).expect("mist.format = 1 in the default model");
    patched[at + key.len() - 1] = b'2';
    let path = write("format2.onnx", &patched);
    fails(with_model(&path), MistStatus::ModelUnsupported, &["format2.onnx has mist.format = \"2\"", "only format 1"]);

    // Valid ONNX models that are not MIST models.
    let plain = proto::identity_model("x", "mi", &[]);
    fails(with_model(&write("plain.onnx", &plain)), MistStatus::ModelUnsupported, &["has no mist.format metadata"]);
    let meta = [
        ("mist.format", "1"),
        ("mist.max_dx", "32"),
        ("mist.max_dy", "32"),
        ("mist.min_n", "10"),
        ("mist.max_n", "500"),
        ("mist.preprocess", "rank_gauss"),
        ("mist.heads", "point,quantile"),
    ];
    let hollow = proto::identity_model("x", "mi", &meta);
    fails(with_model(&write("hollow.onnx", &hollow)), MistStatus::ModelUnsupported, &["has no input \"y\""]);
    let mut zscore = meta;
    zscore[5].1 = "zscore";
    let zscore = proto::identity_model("x", "mi", &zscore);
    fails(with_model(&write("zscore.onnx", &zscore)), MistStatus::ModelUnsupported, &["mist.preprocess = \"zscore\""]);
    let mut bad_limit = meta;
    bad_limit[1].1 = "lots";
    let bad_limit = proto::identity_model("x", "mi", &bad_limit);
    fails(with_model(&write("limit.onnx", &bad_limit)), MistStatus::ModelUnsupported, &["mist.max_dx = \"lots\""]);

    // The real model from a file works, and gives what the embedded copy gives.
    let path = write("copy.onnx", mist::runtime::DEFAULT_MODEL);
    let cpath = CString::new(path.to_str().unwrap()).unwrap();
    let mut o = options();
    o.model_path = cpath.as_ptr();
    let from_file = create(Some(&o)).unwrap();
    let (x, y) = dataset(300, 2, 2, 1);
    let (x, y) = (rm(&x), rm(&y));
    assert_eq!(from_file.estimate(&x.m(), &y.m()).unwrap(), _loaded.estimate(&x.m(), &y.m()).unwrap());

    // Bad option values.
    let mut o = options();
    unsafe { (&raw mut o.device).cast::<c_int>().write(9) };
    fails(create(Some(&o)), MistStatus::InvalidArgument, &["options->device = 9 is not a MistDevice"]);
    let mut o = options();
    o.device = MistDevice::Cuda;
    o.device_id = -1;
    fails(create(Some(&o)), MistStatus::InvalidArgument, &["device_id = -1"]);
    let mut o = options();
    o.model_path = c"".as_ptr();
    fails(create(Some(&o)), MistStatus::InvalidArgument, &["options->model_path is an empty string"]);
}

#[test]
fn a_second_onnxruntime_path_is_refused_once_loaded() {
    let _loaded = default_handle();
    let mut o = options();
    o.onnxruntime_path = c"/nonexistent/libonnxruntime.so".as_ptr();
    fails(create(Some(&o)), MistStatus::RuntimeLoad, &["/nonexistent/libonnxruntime.so", "already loaded"]);
    // Naming the loaded library again is fine.
    let loaded = mist::runtime::ort_lib::loaded().expect("loaded").path.clone();
    let loaded = CString::new(loaded.to_str().unwrap()).unwrap();
    o.onnxruntime_path = loaded.as_ptr();
    assert!(create(Some(&o)).is_ok());
}

#[test]
fn cuda_without_cuda_is_device_unavailable_unless_falling_back() {
    let mut o = options();
    o.device = MistDevice::Cuda;
    match create(Some(&o)) {
        Err((status, message)) => {
            assert_eq!(status, MistStatus::DeviceUnavailable, "{message}");
            assert!(message.contains("CUDA"), "{message}");
            println!("CUDA requested: {message}");
        }
        #[cfg(not(feature = "cuda"))]
        Ok(_) => panic!("CUDA cannot work without the cuda feature"),
        #[cfg(feature = "cuda")]
        Ok(_) => println!("CUDA is available here"),
    }
    o.cuda_fallback_to_cpu = true;
    let est = create(Some(&o)).expect("falls back to the CPU");
    let (x, y) = dataset(200, 1, 1, 2);
    let (x, y) = (rm(&x), rm(&y));
    assert_eq!(est.estimate(&x.m(), &y.m()).unwrap(), default_handle().estimate(&x.m(), &y.m()).unwrap());
}

#[test]
fn options_default_values() {
    let o = options();
    assert_eq!(o.size, size_of::<MistOptions>());
    assert!(o.model_path.is_null() && o.onnxruntime_path.is_null());
    assert_eq!((o.device, o.device_id, o.cuda_fallback_to_cpu, o.threads, o.seed), (MistDevice::Cpu, 0, false, 0, 0));
}

/// A program built against an older, smaller `MistOptions` (here: one that ended before `seed`, as if
/// `seed` had been added later) gets its defaults without a byte written past its struct, and
/// `mist_create` reads no field beyond its size: the bytes there (the caller's next variable) do
/// not set the seed.
#[test]
fn a_caller_with_a_smaller_options_struct_still_works() {
    const GARBAGE: u8 = 0xAB;
    let older = std::mem::offset_of!(MistOptions, seed);
    let mut memory = [u64::from_ne_bytes([GARBAGE; 8]); 16];
    let smaller = memory.as_mut_ptr().cast::<MistOptions>();
    unsafe { mist_options_default(smaller, older) };
    let bytes = unsafe { std::slice::from_raw_parts(memory.as_ptr().cast::<u8>(), size_of_val(&memory)) };
    assert!(bytes[older..].iter().all(|&b| b == GARBAGE), "a byte past the caller's struct was written");
    assert_eq!(unsafe { (*smaller).size }, older);
    unsafe { (*smaller).threads = 1 };
    let (x, y) = dataset(1_200, 1, 1, 7);
    let (x, y) = (rm(&x), rm(&y));
    let old = create(Some(unsafe { &*smaller })).unwrap().estimate(&x.m(), &y.m()).unwrap();
    let seed_0 = create(Some(&options())).unwrap().estimate(&x.m(), &y.m()).unwrap();
    let mut o = options();
    o.seed = u64::from_ne_bytes([GARBAGE; 8]);
    let garbage_seed = create(Some(&o)).unwrap().estimate(&x.m(), &y.m()).unwrap();
    assert_eq!(old, seed_0, "the older struct's caller gets the default seed");
    assert_ne!(old, garbage_seed, "the seed changes this estimate, so the check above can fail");
    // A size that was never set, and one from a newer header, are refused with the reason.
    let mut o = options();
    o.size = 0;
    fails(
        create(Some(&o)),
        MistStatus::InvalidArgument,
        &["options->size = 0 is not set: fill the options with mist_options_default"],
    );
    o.size = size_of::<MistOptions>() + 8;
    fails(create(Some(&o)), MistStatus::InvalidArgument, &["built against a newer mist.h"]);
    // Too small to hold the size field: nothing is written.
    let mut tiny = [u64::from_ne_bytes([GARBAGE; 8])];
    unsafe { mist_options_default(tiny.as_mut_ptr().cast(), 4) };
    assert_eq!(tiny[0].to_ne_bytes(), [GARBAGE; 8]);
}

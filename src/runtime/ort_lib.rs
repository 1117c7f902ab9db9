//! Finding and initialising the ONNX Runtime shared library, once per process.
//!
//! `ort` is built with `load-dynamic`: nothing links against `libonnxruntime` at build time; the
//! library is opened with `dlopen` on the first estimator creation. The search order:
//!
//! 1. the explicit path of the options (`MistOptions.onnxruntime_path`, [`EstimatorOptions::onnxruntime_path`]);
//! 2. the environment variable `MIST_ORT_LIB`;
//! 3. `libonnxruntime.so` next to the binary holding this code: the folder of `libmist.so` for the C
//!    library (found with `dladdr` on one of its own functions), the folder of the executable when the
//!    Rust crate is linked statically (the `mist` CLI, Rust programs);
//! 4. the build tree's `vendor/onnxruntime/lib/libonnxruntime.so` (path fixed at compile time, filled
//!    by `scripts/setup-onnxruntime`).
//!
//! An explicit path (1 or 2) that fails to load is an error; the search does not go on past it.
//! Steps 3 and 4 are only tried when the file exists. A path without a `/` is handed to the dynamic
//! loader as is (so `LD_LIBRARY_PATH` and the system folders are searched); a relative path with a `/`
//! is taken relative to the current directory.
//!
//! ONNX Runtime can be loaded only once per process. After the first success, later estimators use
//! the same library; one that names a *different* explicit path gets [`RuntimeError::RuntimeLoad`].
//! A failed load leaves nothing behind, so a later attempt with a better path can succeed.
//!
//! ONNX Runtime (1.31) writes a device id and a telemetry database under
//! `$XDG_CACHE_HOME/Microsoft/DeveloperTools/.onnxruntime` (by default in `~/.cache`) when it
//! creates its environment, whether or not telemetry events are enabled, unless the process has
//! [`QUIET_ENV`] set. libmist does not set it: changing the environment is unsafe while the host's
//! other threads may read it. The CLI, R and Julia set it at start-up, before any thread.
//!
//! [`EstimatorOptions::onnxruntime_path`]: super::EstimatorOptions::onnxruntime_path

use super::RuntimeError;
use once_cell::sync::OnceCell;
use ort::environment::Environment;
use std::path::{Path, PathBuf};

/// Environment variable naming the ONNX Runtime library (step 2 of the search order).
pub const ORT_LIB_ENV: &str = "MIST_ORT_LIB";

/// The environment variable, and its value, that keep ONNX Runtime from writing to the user's cache
/// folder (see the module doc); to be set before the first estimator is created.
pub const QUIET_ENV: (&str, &str) = ("ORT_DISABLE_TELEMETRY", "1");

/// The platform's file name of the library: `libonnxruntime.so` on Linux.
pub fn library_file_name() -> String {
    format!("{}onnxruntime{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX)
}

/// The build tree's copy (step 4), as it was when this crate was compiled.
pub fn vendor_library() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor/onnxruntime/lib").join(library_file_name())
}

/// The loaded library and the process-wide `ort` environment its sessions are created in.
pub struct OrtRuntime {
    /// The path the library was loaded from.
    pub path: PathBuf,
    /// Which step of the search order found it, in words.
    pub found_by: &'static str,
    canonical: PathBuf,
    /// The process's one `ort` environment.
    pub environment: Environment,
}

impl std::fmt::Debug for OrtRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrtRuntime").field("path", &self.path).field("found_by", &self.found_by).finish()
    }
}

static RUNTIME: OnceCell<OrtRuntime> = OnceCell::new();

/// The process's ONNX Runtime, loaded on first use following the search order.
///
/// `explicit` is step 1 (the options' path). Once loaded, an `explicit` path naming another file is
/// an error; `None` reuses the loaded library.
pub fn runtime(explicit: Option<&Path>) -> Result<&'static OrtRuntime, RuntimeError> {
    let rt = RUNTIME.get_or_try_init(|| load(explicit))?;
    if let Some(wanted) = explicit
        && canonical(&resolve(wanted)) != rt.canonical
    {
        return Err(RuntimeError::RuntimeLoad(format!(
            "onnxruntime_path = {} cannot be used: ONNX Runtime is already loaded in this process from {} ({}), \
             and a process can load it only once",
            wanted.display(),
            rt.path.display(),
            rt.found_by
        )));
    }
    Ok(rt)
}

/// The library this process has loaded, if any.
pub fn loaded() -> Option<&'static OrtRuntime> {
    RUNTIME.get()
}

fn load(explicit: Option<&Path>) -> Result<OrtRuntime, RuntimeError> {
    let (path, found_by) = locate(explicit)?;
    let fail = |what: String| {
        RuntimeError::RuntimeLoad(format!("cannot load ONNX Runtime from {} ({found_by}): {what}", path.display()))
    };
    if path.components().count() > 1 {
        check_complete(&path).map_err(fail)?;
    }
    let builder = ort::init_from(&path).map_err(|e| fail(load_error_text(&e)))?;
    let environment = builder.with_name("mist").with_telemetry(false).build().map_err(|e| fail(e.to_string()))?;
    Ok(OrtRuntime { canonical: canonical(&path), path, found_by, environment })
}

/// The loader's message, with the dynamic loader's own reason (dlerror) when dlopen failed.
fn load_error_text(e: &ort::LoadDynamicError) -> String {
    let mut text = e.to_string();
    if let ort::LoadDynamicError::Dlopen { error, .. } = e {
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text += &format!(": {cause}");
            source = cause.source();
        }
    }
    text
}

/// Refuses an ELF file whose program headers point past its end (e.g. a truncated copy): the dynamic
/// loader maps such segments, and the process dies of SIGBUS when it touches the missing pages,
/// before `dlopen` can return an error. Only the file header and program headers are read. A file
/// that is not ELF is left for the loader to refuse.
fn check_complete(path: &Path) -> Result<(), String> {
    use object::elf::FileHeader64;
    use object::read::elf::{FileHeader, ProgramHeader};
    use object::{Endianness, ReadRef};
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let data = object::ReadCache::new(file);
    if (&data).read_bytes_at(0, 4).ok() != Some(b"\x7fELF".as_slice()) {
        return Ok(());
    }
    let incomplete = |why: String| format!("the file is not a complete ELF library ({len} bytes): {why}");
    let header = FileHeader64::<Endianness>::parse(&data).map_err(|e| incomplete(e.to_string()))?;
    let endian = header.endian().map_err(|e| incomplete(e.to_string()))?;
    for segment in header.program_headers(endian, &data).map_err(|e| incomplete(e.to_string()))? {
        let (offset, size) = (segment.p_offset(endian), segment.p_filesz(endian));
        if offset.checked_add(size).is_none_or(|end| end > len) {
            return Err(incomplete(format!(
                "a segment spans bytes {offset}..{} (truncated?)",
                offset.saturating_add(size)
            )));
        }
    }
    Ok(())
}

/// How messages name the library path of the options (`EstimatorOptions::onnxruntime_path`, the C
/// ABI's `options->onnxruntime_path`); a front end may put its own name for it in their place (the
/// CLI: `--onnxruntime`).
pub const OPTIONS_PATH: &str = "onnxruntime_path of the options";

/// The library to load and which step found it; an error lists the places searched.
fn locate(explicit: Option<&Path>) -> Result<(PathBuf, &'static str), RuntimeError> {
    if let Some(path) = explicit {
        return Ok((resolve(path), OPTIONS_PATH));
    }
    if let Some(value) = std::env::var_os(ORT_LIB_ENV).filter(|v| !v.is_empty()) {
        return Ok((resolve(Path::new(&value)), "environment variable MIST_ORT_LIB"));
    }
    let beside = own_folder().map(|dir| dir.join(library_file_name()));
    if let Some(path) = beside.as_ref().filter(|p| p.exists()) {
        return Ok((path.clone(), "next to libmist"));
    }
    let vendor = vendor_library();
    if vendor.exists() {
        return Ok((vendor, "the build tree's vendor/onnxruntime"));
    }
    let beside = beside.map_or_else(|| "(the folder of libmist is unknown)".to_string(), |p| p.display().to_string());
    Err(RuntimeError::RuntimeLoad(format!(
        "ONNX Runtime ({}) was not found: searched onnxruntime_path (not set), MIST_ORT_LIB (not set), {beside} \
         (next to libmist) and {} (build tree); set one of the first two, or run scripts/setup-onnxruntime",
        library_file_name(),
        vendor.display()
    )))
}

/// Absolute form of a user-given path; a bare file name is left for the dynamic loader to search.
fn resolve(path: &Path) -> PathBuf {
    if path.is_absolute() || path.components().count() <= 1 {
        return path.to_path_buf();
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The folder of the binary holding this function: libmist's for the cdylib, the executable's when
/// linked statically.
pub fn own_folder() -> Option<PathBuf> {
    #[cfg(unix)]
    {
        use std::ffi::{CStr, OsStr};
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: `Dl_info` is plain data; dladdr fills it (or returns 0) for an address in this binary.
        let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
        let probe: fn() -> Option<PathBuf> = own_folder;
        let found = unsafe { libc::dladdr(probe as *const libc::c_void, &mut info) } != 0;
        if found && !info.dli_fname.is_null() {
            // SAFETY: dladdr returned a NUL-terminated file name owned by the dynamic loader.
            let name = unsafe { CStr::from_ptr(info.dli_fname) };
            let path = Path::new(OsStr::from_bytes(name.to_bytes()));
            // For the main executable glibc reports argv[0], which may be relative: use current_exe.
            if path.is_absolute() {
                return path.parent().map(Path::to_path_buf);
            }
        }
    }
    std::env::current_exe().ok()?.parent().map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_keeps_bare_names_and_absolutises_relative_paths() {
        assert_eq!(resolve(Path::new("libonnxruntime.so.1")), PathBuf::from("libonnxruntime.so.1"));
        assert_eq!(resolve(Path::new("/a/b.so")), PathBuf::from("/a/b.so"));
        let rel = resolve(Path::new("lib/b.so"));
        assert!(rel.is_absolute() && rel.ends_with("lib/b.so"), "{rel:?}");
    }

    #[test]
    fn truncated_libraries_are_refused_before_the_loader_maps_them() {
        let lib = vendor_library();
        let bytes = std::fs::read(&lib).expect("scripts/setup-onnxruntime provides the library");
        let dir = std::env::temp_dir().join(format!("mist-ort-lib-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cut = dir.join("libonnxruntime.so");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let e = check_complete(&cut).unwrap_err();
        assert!(e.contains("not a complete ELF library") && e.contains("truncated"), "{e}");
        std::fs::write(&cut, &bytes[..40]).unwrap();
        assert!(check_complete(&cut).is_err());
        std::fs::write(&cut, b"not a library").unwrap();
        assert!(check_complete(&cut).is_ok(), "not ELF: left to the loader");
        assert!(check_complete(&lib).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn own_folder_is_the_test_binary_folder() {
        let exe = std::env::current_exe().unwrap();
        assert_eq!(own_folder().unwrap(), exe.parent().unwrap());
    }
}

//! Loading a MIST `.onnx` model and checking it against the contract this runtime reads
//! ([`crate::contract`], `docs/onnx-contract.md`): format, limits, preprocessing, heads, input and
//! output names and widths.

use super::RuntimeError;
use super::head::Head;
use super::ort_lib::OrtRuntime;
use crate::contract::{FORMAT_VERSION, HEADS, INPUTS, OUTPUTS, PREPROCESS, SUMMARY, X, X_COL_MASK, Y, Y_COL_MASK, key};
use crate::summary::SUMMARY_LEN;
use ort::session::Session;
use std::path::PathBuf;
use std::sync::Arc;

/// The default model, compiled into the library (`models/mist-default.onnx`).
pub static DEFAULT_MODEL: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/mist-default.onnx"));

/// Where the model comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ModelSource {
    /// The default model compiled into the library.
    #[default]
    Embedded,
    /// An `.onnx` file exported by the trainer.
    Path(PathBuf),
    /// The bytes of an `.onnx` model.
    Bytes(Arc<[u8]>),
}

impl ModelSource {
    /// The model's bytes (the file is read here), and a label naming it in messages.
    pub(crate) fn load(&self) -> Result<(Arc<[u8]>, String), RuntimeError> {
        match self {
            ModelSource::Embedded => Ok((Arc::from(DEFAULT_MODEL), "the embedded default model".to_string())),
            ModelSource::Bytes(bytes) => Ok((bytes.clone(), "the model given as bytes".to_string())),
            ModelSource::Path(path) => Ok((Arc::from(read_bounded(path)?), format!("model file {}", path.display()))),
        }
    }
}

/// Largest model file read, in bytes (the shipped model has 2.4 MB; ONNX Runtime reads at most 2 GiB
/// of protobuf in one file anyway).
pub const MAX_MODEL_BYTES: u64 = 256 << 20;

/// The bytes of the regular file at `path`, refused quickly when it is not a regular file
/// (`/dev/zero`, a FIFO, a folder) or holds more than [`MAX_MODEL_BYTES`].
fn read_bounded(path: &std::path::Path) -> Result<Vec<u8>, RuntimeError> {
    use std::io::Read;
    let fail = |why: String| RuntimeError::ModelLoad(format!("cannot read model file {}: {why}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let meta = file.metadata().map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
    }
    let too_big = || fail(format!("larger than the limit of {MAX_MODEL_BYTES} bytes for a model"));
    if meta.len() > MAX_MODEL_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The bound holds even if the file grows while it is read.
    file.take(MAX_MODEL_BYTES + 1).read_to_end(&mut bytes).map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_MODEL_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

/// What the model's metadata says, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    /// Names the model in messages (`the embedded default model`, `model file PATH`).
    pub label: String,
    /// Largest number of X columns.
    pub max_dx: usize,
    /// Largest number of Y columns.
    pub max_dy: usize,
    /// Fewest rows the model accepts (the smallest training n).
    pub min_n: usize,
    /// Most rows per dataset; larger datasets are split into chunks.
    pub max_n: usize,
    /// The training run (`mist.train`).
    pub train: String,
    /// How many [`summary`](crate::summary) features the graph reads: `SUMMARY_LEN`, or 0 when it
    /// has no [`SUMMARY`] input.
    pub summary_len: usize,
    /// The training run of the large-n [`Head`] (`mist.head.train`); `None` when the model has no
    /// head and datasets above `max_n` get the mean of their chunks' answers.
    pub head_train: Option<String>,
    /// The fewest rows of a dataset the head answers (`mist.head.min_n`, default `max_n + 1`);
    /// meaningless without a head.
    pub head_min_n: usize,
}

impl ModelInfo {
    /// Reads and checks the metadata and the graph's inputs and outputs of `session`, and the
    /// large-n head when the metadata has one.
    pub fn read(session: &Session, label: &str) -> Result<(ModelInfo, Option<Head>), RuntimeError> {
        let meta = session
            .metadata()
            .map_err(|e| RuntimeError::ModelLoad(format!("cannot read the metadata of {label}: {e}")))?;
        let get = |key: &str| meta.custom(key);
        let unsupported = |why: String| RuntimeError::ModelUnsupported(format!("{label} {why}"));
        check_format(get(key::FORMAT)).map_err(unsupported)?;
        let number = |key: &str| positive(key, get(key));
        let (max_dx, max_dy, min_n, max_n) = (
            number(key::MAX_DX).map_err(unsupported)?,
            number(key::MAX_DY).map_err(unsupported)?,
            number(key::MIN_N).map_err(unsupported)?,
            number(key::MAX_N).map_err(unsupported)?,
        );
        if min_n > max_n {
            return Err(unsupported(format!("has {} = {min_n} above {} = {max_n}", key::MIN_N, key::MAX_N)));
        }
        check_preprocess_and_heads(get(key::PREPROCESS), get(key::HEADS)).map_err(unsupported)?;
        let summary_len = check_signature(session, max_dx, max_dy).map_err(unsupported)?;
        let head = match (get(key::HEAD_WIDTHS), get(key::HEAD_WEIGHTS)) {
            (Some(widths), Some(weights)) => Some(
                Head::parse(&widths, &weights)
                    .map_err(|why| unsupported(format!("has a large-n head this runtime cannot read: {why}")))?,
            ),
            (None, None) => None,
            _ => {
                return Err(unsupported(format!(
                    "has only one of {} and {}: a large-n head needs both",
                    key::HEAD_WIDTHS,
                    key::HEAD_WEIGHTS
                )));
            }
        };
        let head_train = head.as_ref().map(|_| get(key::HEAD_TRAIN).unwrap_or_default());
        let head_min_n = match get(key::HEAD_MIN_N) {
            Some(_) => number(key::HEAD_MIN_N).map_err(unsupported)?,
            None => max_n + 1,
        };
        let info = ModelInfo {
            label: label.to_string(),
            max_dx,
            max_dy,
            min_n,
            max_n,
            train: get(key::TRAIN).unwrap_or_default(),
            summary_len,
            head_train,
            head_min_n,
        };
        Ok((info, head))
    }
}

/// The model's `mist.format` is the one this runtime reads.
fn check_format(format: Option<String>) -> Result<(), String> {
    match format {
        None => Err(format!("has no {} metadata: it is not a model exported by the MIST trainer", key::FORMAT)),
        Some(f) if f != FORMAT_VERSION.to_string() => Err(format!(
            "has {} = {f:?}, but this runtime (mist {}) understands only format {FORMAT_VERSION}",
            key::FORMAT,
            env!("CARGO_PKG_VERSION")
        )),
        Some(_) => Ok(()),
    }
}

/// The metadata value `text` of `key`, a positive integer.
fn positive(key: &str, text: Option<String>) -> Result<usize, String> {
    let text = text.ok_or_else(|| format!("lacks the {key} metadata"))?;
    text.parse::<usize>()
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("has {key} = {text:?}, which is not a positive integer"))
}

/// The model asks for the preprocessing this runtime applies and has both heads it reads.
fn check_preprocess_and_heads(preprocess: Option<String>, heads: Option<String>) -> Result<(), String> {
    let preprocess = preprocess.unwrap_or_default();
    if preprocess != PREPROCESS {
        return Err(format!("asks for {} = {preprocess:?}; this runtime applies only {PREPROCESS:?}", key::PREPROCESS));
    }
    let heads = heads.unwrap_or_default();
    let has = |h: &str| heads.split(',').any(|x| x.trim() == h);
    if !HEADS.split(',').all(has) {
        return Err(format!("has {} = {heads:?}; this runtime needs {HEADS:?}", key::HEADS));
    }
    Ok(())
}

/// Checks the graph's inputs and outputs against the contract and the metadata's widths; returns
/// the width of its summary input (0 when it has none).
fn check_signature(session: &Session, max_dx: usize, max_dy: usize) -> Result<usize, String> {
    let names = |outlets: &[ort::value::Outlet]| outlets.iter().map(|o| o.name().to_string()).collect::<Vec<_>>();
    let (inputs, outputs) = (names(session.inputs()), names(session.outputs()));
    if let Some(extra) = inputs.iter().find(|i| !INPUTS.contains(&i.as_str()) && *i != SUMMARY) {
        return Err(format!("has an input {extra:?} this runtime does not know (inputs: {inputs:?})"));
    }
    for (wanted, have, what) in [(&INPUTS[..], &inputs, "input"), (&OUTPUTS[..], &outputs, "output")] {
        if let Some(missing) = wanted.iter().find(|w| !have.iter().any(|h| h == *w)) {
            return Err(format!("has no {what} {missing:?} (it has {have:?})"));
        }
    }
    let width = |name: &str| {
        let outlet = session.inputs().iter().find(|o| o.name() == name)?;
        outlet.dtype().tensor_shape().and_then(|s| s.last().copied()).filter(|&d| d >= 0).map(|d| d as usize)
    };
    for (name, expected) in [(X, max_dx), (X_COL_MASK, max_dx), (Y, max_dy), (Y_COL_MASK, max_dy)] {
        if let Some(last) = width(name).filter(|&w| w != expected) {
            return Err(format!("has input {name:?} of width {last}, expected {expected} (from its metadata)"));
        }
    }
    match (inputs.iter().any(|i| i == SUMMARY), width(SUMMARY)) {
        (false, _) => Ok(0),
        (true, Some(SUMMARY_LEN)) => Ok(SUMMARY_LEN),
        (true, w) => Err(format!(
            "has input {SUMMARY:?} of width {}; this runtime computes {SUMMARY_LEN} summary features",
            w.map_or("unknown".to_string(), |w| w.to_string())
        )),
    }
}

/// Where a session runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Device {
    /// The CPU.
    #[default]
    Cpu,
    /// An NVIDIA GPU through ONNX Runtime's CUDA execution provider (crate feature `cuda`).
    Cuda {
        /// CUDA device ordinal.
        device_id: i32,
    },
}

/// Makes sessions of one model on one device with `threads` intra-op threads each (1 for sessions
/// that run side by side), sequential execution and deterministic compute. The thread count does
/// not change a result's bits: `tests/c_abi.rs` compares 1 and 4 threads, and
/// `tests/model_outputs.rs` pins the outputs.
pub(crate) struct SessionFactory {
    pub runtime: &'static OrtRuntime,
    pub bytes: Arc<[u8]>,
    pub label: String,
    pub device: Device,
    pub threads: usize,
}

impl SessionFactory {
    /// A new session on the factory's device.
    pub fn make(&self) -> Result<Session, RuntimeError> {
        match self.device {
            Device::Cpu => self.commit(None),
            Device::Cuda { device_id } => self.commit(Some(device_id)),
        }
    }

    /// A session, with the CUDA execution provider registered strictly when `cuda` is given.
    pub fn commit(&self, cuda: Option<i32>) -> Result<Session, RuntimeError> {
        let configure = |e: ort::Error<ort::session::builder::SessionBuilder>| {
            RuntimeError::ModelLoad(format!("cannot configure an ONNX Runtime session: {e}"))
        };
        let builder = Session::builder(&self.runtime.environment)
            .map_err(|e| RuntimeError::ModelLoad(format!("cannot create an ONNX Runtime session: {e}")))?
            .with_intra_threads(self.threads)
            .map_err(configure)?
            .with_inter_threads(1)
            .map_err(configure)?
            .with_parallel_execution(false)
            .map_err(configure)?
            .with_deterministic_compute(true)
            .map_err(configure)?;
        let mut builder = match cuda {
            None => builder,
            Some(device_id) => register_cuda(builder, device_id)?,
        };
        builder.commit_from_memory(&self.bytes).map_err(|e| match cuda {
            None => RuntimeError::ModelLoad(format!("{} is not a valid ONNX model: {e}", self.label)),
            Some(device_id) => RuntimeError::DeviceUnavailable(format!(
                "cannot create a session of {} on CUDA device {device_id}: {e}",
                self.label
            )),
        })
    }
}

#[cfg(feature = "cuda")]
fn register_cuda(
    builder: ort::session::builder::SessionBuilder,
    device_id: i32,
) -> Result<ort::session::builder::SessionBuilder, RuntimeError> {
    let ep = ort::ep::CUDA::default().with_device_id(device_id).build().error_on_failure();
    builder.with_execution_providers([ep]).map_err(|e| {
        RuntimeError::DeviceUnavailable(format!(
            "CUDA device {device_id} is not available: ONNX Runtime's CUDA execution provider failed to register: {e}"
        ))
    })
}

#[cfg(not(feature = "cuda"))]
fn register_cuda(
    _builder: ort::session::builder::SessionBuilder,
    device_id: i32,
) -> Result<ort::session::builder::SessionBuilder, RuntimeError> {
    Err(RuntimeError::DeviceUnavailable(format!(
        "CUDA device {device_id} was requested, but this build of mist has no CUDA support \
         (build it with the `cuda` feature), or allow falling back to the CPU"
    )))
}

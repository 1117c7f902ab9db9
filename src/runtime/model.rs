//! Loading a MIST `.onnx` model and checking its metadata against the contract this runtime reads
//! (`shared/spec/model.md`): format, limits, preprocessing, heads, input and output names.

use super::RuntimeError;
use super::ort_lib::OrtRuntime;
use crate::summary::SUMMARY_LEN;
use ort::session::Session;
use std::path::PathBuf;
use std::sync::Arc;

/// The ONNX contract version (`mist.format`) this runtime understands.
pub const SUPPORTED_FORMAT: &str = "1";

/// The default model, compiled into the library (`models/mist-default.onnx`).
pub static DEFAULT_MODEL: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/mist-default.onnx"));

/// Input names every graph has, in the order the runtime feeds them.
pub const INPUTS: [&str; 6] = ["x", "y", "row_mask", "x_col_mask", "y_col_mask", "tau"];
/// The optional input of models that read each dataset's [`summary`](crate::summary) features,
/// `[batch, k]` with the first `k ≤ SUMMARY_LEN` of them; fed when the graph declares it.
pub const SUMMARY_INPUT: &str = "summary";
/// Output names of the graph.
pub const OUTPUTS: [&str; 2] = ["mi", "quantiles"];

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
    /// How many leading [`summary`](crate::summary) features the graph reads ([`SUMMARY_INPUT`]'s
    /// width; 0 when it has no such input).
    pub summary_len: usize,
}

impl ModelInfo {
    /// Reads and checks the metadata and the graph's inputs and outputs of `session`.
    pub fn read(session: &Session, label: &str) -> Result<ModelInfo, RuntimeError> {
        let unsupported = |why: String| RuntimeError::ModelUnsupported(format!("{label} {why}"));
        let meta = session
            .metadata()
            .map_err(|e| RuntimeError::ModelLoad(format!("cannot read the metadata of {label}: {e}")))?;
        let get = |key: &str| meta.custom(key);
        match get("mist.format") {
            None => {
                return Err(unsupported(
                    "has no mist.format metadata: it is not a model exported by the MIST trainer".into(),
                ));
            }
            Some(f) if f != SUPPORTED_FORMAT => {
                return Err(unsupported(format!(
                    "has mist.format = {f:?}, but this runtime (mist {}) understands only format {SUPPORTED_FORMAT}",
                    env!("CARGO_PKG_VERSION")
                )));
            }
            Some(_) => {}
        }
        let number = |key: &str| -> Result<usize, RuntimeError> {
            let text = get(key).ok_or_else(|| unsupported(format!("lacks the {key} metadata")))?;
            text.parse::<usize>()
                .ok()
                .filter(|&v| v > 0)
                .ok_or_else(|| unsupported(format!("has {key} = {text:?}, which is not a positive integer")))
        };
        let (max_dx, max_dy, min_n, max_n) =
            (number("mist.max_dx")?, number("mist.max_dy")?, number("mist.min_n")?, number("mist.max_n")?);
        if min_n > max_n {
            return Err(unsupported(format!("has mist.min_n = {min_n} above mist.max_n = {max_n}")));
        }
        match get("mist.preprocess") {
            Some(p) if p == "rank_gauss" => {}
            other => {
                return Err(unsupported(format!(
                    "asks for mist.preprocess = {:?}; this runtime applies only \"rank_gauss\"",
                    other.unwrap_or_default()
                )));
            }
        }
        let heads = get("mist.heads").unwrap_or_default();
        let has = |h: &str| heads.split(',').any(|x| x.trim() == h);
        if !(has("point") && has("quantile")) {
            return Err(unsupported(format!("has mist.heads = {heads:?}; this runtime needs \"point,quantile\"")));
        }
        let names = |outlets: &[ort::value::Outlet]| outlets.iter().map(|o| o.name().to_string()).collect::<Vec<_>>();
        let (inputs, outputs) = (names(session.inputs()), names(session.outputs()));
        if let Some(extra) = inputs.iter().find(|i| !INPUTS.contains(&i.as_str()) && *i != SUMMARY_INPUT) {
            return Err(unsupported(format!("has an input {extra:?} this runtime does not know (inputs: {inputs:?})")));
        }
        for (wanted, have, what) in [(&INPUTS[..], &inputs, "input"), (&OUTPUTS[..], &outputs, "output")] {
            if let Some(missing) = wanted.iter().find(|w| !have.iter().any(|h| h == *w)) {
                return Err(unsupported(format!("has no {what} {missing:?} (it has {have:?})")));
            }
        }
        let width = |name: &str| {
            let outlet = session.inputs().iter().find(|o| o.name() == name)?;
            outlet.dtype().tensor_shape().and_then(|s| s.last().copied()).filter(|&d| d >= 0).map(|d| d as usize)
        };
        for (name, expected) in [("x", max_dx), ("x_col_mask", max_dx), ("y", max_dy), ("y_col_mask", max_dy)] {
            if let Some(last) = width(name).filter(|&w| w != expected) {
                return Err(unsupported(format!(
                    "has input {name:?} of width {last}, expected {expected} (from its metadata)"
                )));
            }
        }
        let summary_len = match (inputs.iter().any(|i| i == SUMMARY_INPUT), width(SUMMARY_INPUT)) {
            (false, _) => 0,
            (true, Some(w @ 1..=SUMMARY_LEN)) => w,
            (true, w) => {
                return Err(unsupported(format!(
                    "has input {SUMMARY_INPUT:?} of width {}; this runtime computes 1 to {SUMMARY_LEN} summary features",
                    w.map_or("unknown".to_string(), |w| w.to_string())
                )));
            }
        };
        Ok(ModelInfo {
            label: label.to_string(),
            max_dx,
            max_dy,
            min_n,
            max_n,
            train: get("mist.train").unwrap_or_default(),
            summary_len,
        })
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

/// Makes sessions of one model on one device: one intra-op thread each, sequential execution, so
/// a run is deterministic and several sessions can run side by side.
pub(crate) struct SessionFactory {
    pub runtime: &'static OrtRuntime,
    pub bytes: Arc<[u8]>,
    pub label: String,
    pub device: Device,
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
            .with_intra_threads(1)
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

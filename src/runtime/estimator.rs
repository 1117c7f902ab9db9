//! The safe Rust API of the learned estimator: validation, rank-Gaussian preprocessing, padding,
//! chunking of large datasets, batched inference and the combination of the chunk results.
//!
//! # Method
//!
//! 1. Each dataset is checked: `1 ≤ dx ≤ max_dx`, `1 ≤ dy ≤ max_dy`, equal row counts, `n ≥ min_n`,
//!    every value finite, no discrete column ([`crate::input::is_discrete`]: rounded measurements
//!    pass). Then X and Y are put in a canonical order (fewer columns first, else by a fingerprint
//!    of their values), so that the estimate of (X, Y) and of (Y, X) are the same bits. Constant
//!    columns are left out; a dataset with none left in X or Y gets no chunk and MI 0.
//! 2. A dataset with `n > max_n` rows is read as [`crate::chunking::chunks`] (a seeded shuffle, then
//!    `ceil(n / max_n)` overlapping chunks of `max_n` rows); smaller datasets are one chunk.
//! 3. Chunks of the same padded length go through the model together, in runs of at most
//!    [`MAX_ROWS_PER_RUN`] padded rows, one run per thread at a time. Only then is each chunk
//!    rank-Gaussian transformed with its ties broken at random
//!    ([`crate::preprocess::rank_gauss_untied`], seeds drawn from the handle's seed) and padded exactly
//!    as the trainer pads a batch: X in a zero block of width `max_dx`, Y in one of width `max_dy`,
//!    rows up to the chunk length `ceil(n / chunks)`, with row and column masks.
//! 4. When the model has a head ([`super::head`]), every dataset of at least `head_min_n` rows
//!    (`mist.head.min_n`: every n for the shipped model, above `max_n` for older files) gets the
//!    head's answer, from its chunks' answers (one chunk or several) and its [`whole_data`]
//!    features, computed beside the runs. Otherwise the point estimate and each quantile are the
//!    means over its chunks,
//!    quantiles made monotone in τ (the values are sorted and given to the levels in increasing
//!    order; the head's are monotone already). Either way the point estimate is clamped into the
//!    answer's own 90% interval `[q0.05, q0.95]` (computed whatever levels were asked for), and
//!    everything is clamped at 0. All results are in nats.
//!
//! Sessions differ only in their intra-op threads (see [`MistEstimator`]), which do not change the
//! bits, and the runs of a call depend only on that call's inputs, so a result never depends on
//! other threads or on which session ran it: the same input, model and seed give the same bits.
//! (ONNX Runtime's CPU kernels choose their code path by the number of rows of a matrix product,
//! which grows with the batch, so a dataset estimated inside a batch of four or more may differ
//! from an estimate on its own in the last bits of `f32`, about 1e-7 relative.)

use super::head::{self, Answer, ChunkStats, Head, HeadInput, LEVELS};
use super::model::{Device, ModelInfo, ModelSource, SessionFactory};
use super::session_pool::{Lease, SessionPool};
use super::{RuntimeError, ort_lib};
use crate::baselines::Estimator;
use crate::chunking::{self, Chunk};
use crate::contract;
use crate::input::{check_continuous, check_continuous_sorted, keep_columns, varying_columns};
use crate::padding::PaddedBatch;
use crate::preprocess::{SortedRows, fnv1a, rank_gauss_untied, rank_gauss_untied_sorted, sorted_rows, total_order};
use crate::summary::summaries;
use crate::whole_data;
use ndarray::{Array2, ArrayView2, Axis, CowArray, Ix2};
use ort::session::Session;
use ort::value::TensorRef;
use parking_lot::{Mutex, MutexGuard};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Most padded rows (datasets × rows) fed to the model in one run, to bound memory: ONNX Runtime
/// holds about 7 kB of activations per row, so a run of 2,048 rows (4 chunks of 500) needs about
/// 15 MB, and each thread has one run in flight (10⁶ × 2 values: 126 MB peak for the whole CLI).
pub const MAX_ROWS_PER_RUN: usize = 1 << 11;

/// The ChaCha stream, under the handle's seed, of the seeds that break ties (the chunking shuffle
/// uses stream 0).
const TIE_STREAM: u64 = 1;

/// The ChaCha stream, under the handle's seed, of the row order (and subsample) of the whole-data
/// features of the large-n head.
const WHOLE_DATA_STREAM: u64 = 2;

/// How to build a [`MistEstimator`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EstimatorOptions {
    /// The model; by default the one compiled into the library.
    pub model: ModelSource,
    /// The ONNX Runtime library (step 1 of the search order of [`super::ort_lib`]); `None` searches.
    pub onnxruntime_path: Option<PathBuf>,
    /// Where the model runs.
    pub device: Device,
    /// With [`Device::Cuda`]: run on the CPU instead of failing when CUDA is not available.
    pub cuda_fallback_to_cpu: bool,
    /// Most calls running at once (one ONNX Runtime session each); 0 means the number of CPUs.
    pub threads: usize,
    /// Seed of the row shuffle that splits datasets larger than the model's `max_n` into chunks.
    pub seed: u64,
}

/// Most intra-op threads of a handle's own session: a run of at most 2,048 rows gains little from
/// more.
const MAX_OWN_THREADS: usize = 4;

/// Fewest padded rows of a run that goes to the handle's own session: below, a second thread saves
/// little of the time (measured when this was chosen: commit c9705c5), and the core serves
/// concurrent work better.
const OWN_MIN_ROWS: usize = 200;

/// The learned MI estimator: one model, its own session and a pool of sessions; share it between
/// threads freely.
///
/// A call that has the handle to itself and needs one run of at least [`OWN_MIN_ROWS`] padded rows
/// uses the handle's own session, whose matrix products use up to `min(threads, `[`MAX_OWN_THREADS`]`)`
/// CPU threads; other runs
/// (smaller ones, those of calls that overlap, those of a call with several) run side by side in
/// single-threaded sessions from the pool (created when first needed, `threads` at most). Both give
/// the same bits (see `SessionFactory` in `runtime::model`).
pub struct MistEstimator {
    info: ModelInfo,
    /// The large-n head, when the model has one.
    head: Option<Head>,
    own: Mutex<Session>,
    pool: SessionPool,
    /// Calls on the handle in progress.
    calls: AtomicUsize,
    /// Whether two calls have ever overlapped: from then on every run goes to the pool, as a handle
    /// serving several threads uses the cores better one run per core (its own session's threads
    /// would compete with the other calls' runs).
    overlapped: AtomicBool,
    device: Device,
    seed: u64,
}

impl std::fmt::Debug for MistEstimator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MistEstimator")
            .field("info", &self.info)
            .field("device", &self.device)
            .field("threads", &self.pool.capacity())
            .field("seed", &self.seed)
            .finish()
    }
}

/// A checked dataset without its constant columns (borrowed when it has none), with the
/// [`sorted_rows`] of X and Y when it is one chunk.
struct Dataset<'a> {
    x: CowArray<'a, f64, Ix2>,
    y: CowArray<'a, f64, Ix2>,
    sorted: Option<(SortedRows, SortedRows)>,
}

/// The chunks of a call, described but not yet materialised, with the seeds that break ties in
/// each chunk's X and Y. Chunks are rank-Gaussian transformed run by run, so memory holds the input
/// and the runs in flight, not a transformed copy of every chunk.
#[derive(Default)]
struct Chunks {
    chunks: Vec<Chunk>,
    seeds: Vec<(u64, u64)>,
}

impl Chunks {
    /// Chunk `i`'s X and Y, rank-Gaussian transformed with ties broken.
    fn materialise(&self, i: usize, datasets: &[Dataset]) -> (Array2<f64>, Array2<f64>) {
        let (chunk, seeds) = (&self.chunks[i], self.seeds[i]);
        let Dataset { x, y, sorted } = &datasets[chunk.dataset];
        let untied = |m: &CowArray<f64, Ix2>, sorted: Option<&SortedRows>, seed| match (&chunk.rows, sorted) {
            (None, Some(sorted)) => rank_gauss_untied_sorted(m.view(), sorted, seed),
            (None, None) => rank_gauss_untied(m.view(), seed),
            (Some(rows), _) => rank_gauss_untied(m.select(Axis(0), rows).view(), seed),
        };
        (untied(x, sorted.as_ref().map(|s| &s.0), seeds.0), untied(y, sorted.as_ref().map(|s| &s.1), seeds.1))
    }
}

/// A dataset's point estimate and quantiles (one per requested level), before combination.
type Output = (f32, Vec<f32>);

/// A dataset's [`whole_data::features`], when it has them.
type WholeData = Option<[f32; whole_data::LEN]>;

impl MistEstimator {
    /// Loads the model and ONNX Runtime and checks the model's metadata.
    ///
    /// # Errors
    /// [`RuntimeError::ModelLoad`], [`RuntimeError::ModelUnsupported`], [`RuntimeError::RuntimeLoad`],
    /// [`RuntimeError::DeviceUnavailable`] or [`RuntimeError::InvalidArgument`] (a negative CUDA
    /// device id), each with a message.
    pub fn new(options: EstimatorOptions) -> Result<Self, RuntimeError> {
        if let Device::Cuda { device_id } = options.device
            && device_id < 0
        {
            return Err(RuntimeError::InvalidArgument(format!(
                "device_id = {device_id} is not a CUDA device ordinal (0, 1, ...)"
            )));
        }
        let (bytes, label) = options.model.load()?;
        let runtime = ort_lib::runtime(options.onnxruntime_path.as_deref())?;
        let threads = match options.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            t => t,
        };
        let own_threads = threads.min(MAX_OWN_THREADS);
        let mut factory = SessionFactory { runtime, bytes, label, device: options.device, threads: own_threads };
        let first = match factory.make() {
            Ok(session) => session,
            Err(RuntimeError::DeviceUnavailable(why)) => {
                // A model that does not load on the CPU either is a model problem, not a device one.
                let cpu = factory.commit(None)?;
                if !options.cuda_fallback_to_cpu {
                    return Err(RuntimeError::DeviceUnavailable(why));
                }
                factory.device = Device::Cpu;
                cpu
            }
            Err(e) => return Err(e),
        };
        let (info, head) = ModelInfo::read(&first, &factory.label)?;
        let device = factory.device;
        factory.threads = 1;
        let pool = SessionPool::new(threads, Box::new(move || factory.make()));
        Ok(MistEstimator {
            info,
            head,
            own: Mutex::new(first),
            pool,
            calls: AtomicUsize::new(0),
            overlapped: AtomicBool::new(false),
            device,
            seed: options.seed,
        })
    }

    /// The checked metadata of the model (limits, training run).
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Where the model runs (the CPU after a CUDA fallback).
    pub fn device(&self) -> Device {
        self.device
    }

    /// Most calls that run at once.
    pub fn threads(&self) -> usize {
        self.pool.capacity()
    }

    /// The point estimate of I(X;Y) in nats; `x` is n × dx, `y` is n × dy, rows are samples.
    ///
    /// # Errors
    /// Bad input ([`RuntimeError::Input`], [`RuntimeError::BadDimension`]) or a failed run.
    pub fn estimate(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<f64, RuntimeError> {
        Ok(self.single(x, y, &[])?.0)
    }

    /// Quantiles of I(X;Y) in nats at the levels `taus` (each in (0, 1)): `out[i]` is the
    /// `taus[i]`-quantile, monotone in τ (so sorted when `taus` is).
    ///
    /// # Errors
    /// As [`MistEstimator::estimate`], and [`RuntimeError::InvalidArgument`] for bad levels.
    pub fn quantiles(&self, x: ArrayView2<f64>, y: ArrayView2<f64>, taus: &[f64]) -> Result<Vec<f64>, RuntimeError> {
        check_taus(taus)?;
        Ok(self.single(x, y, taus)?.1)
    }

    /// The point estimate and the quantiles at `taus` from one run.
    ///
    /// # Errors
    /// As [`MistEstimator::quantiles`].
    pub fn estimate_with_quantiles(
        &self,
        x: ArrayView2<f64>,
        y: ArrayView2<f64>,
        taus: &[f64],
    ) -> Result<(f64, Vec<f64>), RuntimeError> {
        check_taus(taus)?;
        self.single(x, y, taus)
    }

    /// Point estimates of many datasets, packed into as few runs as their shapes allow. Each equals
    /// [`MistEstimator::estimate`] of that dataset alone up to `f32` rounding (see the module notes);
    /// the same batch always gives the same bits.
    ///
    /// # Errors
    /// The first bad dataset, as [`RuntimeError::InDataset`] with its index, or a failed run.
    pub fn estimate_batch(&self, datasets: &[(ArrayView2<f64>, ArrayView2<f64>)]) -> Result<Vec<f64>, RuntimeError> {
        Ok(self.batch(datasets, &[])?.into_iter().map(|(mi, _)| mi).collect())
    }

    /// Point estimates and quantiles at `taus` of many datasets, as [`MistEstimator::estimate_batch`]
    /// packs them; each equals [`MistEstimator::estimate_with_quantiles`] of that dataset alone up to
    /// `f32` rounding.
    ///
    /// # Errors
    /// As [`MistEstimator::estimate_batch`], and [`RuntimeError::InvalidArgument`] for bad levels.
    pub fn estimate_batch_with_quantiles(
        &self,
        datasets: &[(ArrayView2<f64>, ArrayView2<f64>)],
        taus: &[f64],
    ) -> Result<Vec<(f64, Vec<f64>)>, RuntimeError> {
        check_taus(taus)?;
        self.batch(datasets, taus)
    }

    fn batch(
        &self,
        datasets: &[(ArrayView2<f64>, ArrayView2<f64>)],
        taus: &[f64],
    ) -> Result<Vec<(f64, Vec<f64>)>, RuntimeError> {
        let _call = Call::enter(self);
        let (mut prepared, mut chunks) = (Vec::with_capacity(datasets.len()), Chunks::default());
        for (index, (x, y)) in datasets.iter().enumerate() {
            let dataset = self
                .prepare(*x, *y, index, &mut chunks)
                .map_err(|e| RuntimeError::InDataset { index, source: Box::new(e) })?;
            prepared.push(dataset);
        }
        self.evaluate(&prepared, &chunks, taus)
    }

    fn single(&self, x: ArrayView2<f64>, y: ArrayView2<f64>, taus: &[f64]) -> Result<(f64, Vec<f64>), RuntimeError> {
        let _call = Call::enter(self);
        let mut chunks = Chunks::default();
        let dataset = self.prepare(x, y, 0, &mut chunks)?;
        let mut out = self.evaluate(&[dataset], &chunks, taus)?;
        Ok(out.swap_remove(0))
    }

    /// Validates dataset `index`, leaves its constant columns out and appends its chunks: none when
    /// X or Y has no column that varies (MI is then 0).
    fn prepare<'a>(
        &self,
        x: ArrayView2<'a, f64>,
        y: ArrayView2<'a, f64>,
        index: usize,
        out: &mut Chunks,
    ) -> Result<Dataset<'a>, RuntimeError> {
        check_dim("dx", x.ncols(), self.info.max_dx)?;
        check_dim("dy", y.ncols(), self.info.max_dy)?;
        crate::input::validate(x, y, self.info.min_n, "the MIST model")?;
        // One sort per column serves the discrete-data check and, for a dataset that is one chunk,
        // the rank transform: its sorted rows (one index per value) are kept until it runs. A
        // larger dataset's columns are sorted one at a time here and its chunks again when they
        // run, so that a large input is not doubled in memory.
        let sorted = (x.nrows() <= self.info.max_n).then(|| (sorted_rows(x), sorted_rows(y)));
        match &sorted {
            Some((sx, sy)) => {
                check_continuous_sorted(x, sx, "X")?;
                check_continuous_sorted(y, sy, "Y")?;
            }
            None => {
                check_continuous(x, "X")?;
                check_continuous(y, "Y")?;
            }
        }
        // Constant columns are left out, and so are their sorted rows.
        let (kx, ky) = (varying_columns(x), varying_columns(y));
        let kept = |sorted: SortedRows, keep: &[usize]| -> SortedRows {
            sorted
                .into_iter()
                .enumerate()
                .filter(|(c, _)| keep.binary_search(c).is_ok())
                .map(|(_, rows)| rows)
                .collect()
        };
        let sorted = sorted.map(|(sx, sy)| (kept(sx, &kx), kept(sy, &ky)));
        let (Some(x), Some(y)) = (keep_columns(x, &kx), keep_columns(y, &ky)) else {
            return Ok(Dataset { x: x.into(), y: y.into(), sorted: None });
        };
        // The varying columns in their canonical order, so that (X, Y) and (Y, X) give the same
        // bits, and so do X and Y with constant columns added.
        let (x, y, sorted) =
            if swapped(x.view(), y.view()) { (y, x, sorted.map(|(sx, sy)| (sy, sx))) } else { (x, y, sorted) };
        // The seeds that break ties, two per chunk, from a stream of their own.
        let mut ties = ChaCha8Rng::seed_from_u64(self.seed);
        ties.set_stream(TIE_STREAM);
        for chunk in chunking::plan(index, x.nrows(), self.info.max_n, self.seed) {
            out.seeds.push((ties.next_u64(), ties.next_u64()));
            out.chunks.push(chunk);
        }
        Ok(Dataset { x, y, sorted })
    }

    /// The head's input for a dataset, whether or not the model has a head (what a head is trained
    /// on); `None` for a dataset without a varying column in X or Y.
    ///
    /// # Errors
    /// As [`MistEstimator::estimate`].
    pub fn head_input(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Option<HeadInput>, RuntimeError> {
        let _call = Call::enter(self);
        let mut chunks = Chunks::default();
        let datasets = [self.prepare(x, y, 0, &mut chunks)?];
        let levels = LEVELS.map(|t| t as f32);
        let (per_chunk, whole) = self.run_with_whole_data(&datasets, &chunks, &levels, &[true]);
        let per_chunk = per_chunk?;
        let combined = chunking::combine(&chunks.chunks, &per_chunk, 1, levels.len());
        Ok(head_inputs(&datasets, &chunks, &per_chunk, &combined, 0, whole).swap_remove(0))
    }

    /// Runs every chunk and combines them per dataset: `(point, quantiles at taus)` for each of the
    /// `datasets` (no quantiles for no `taus`): the head's answer when the model has one, else the
    /// mean of the chunks' answers.
    fn evaluate(
        &self,
        datasets: &[Dataset],
        chunks: &Chunks,
        taus: &[f64],
    ) -> Result<Vec<(f64, Vec<f64>)>, RuntimeError> {
        let head = self.head.as_ref();
        // The datasets the head answers: with a head, those of at least `head_min_n` rows.
        let by_head: Vec<bool> =
            datasets.iter().map(|d| head.is_some() && d.x.nrows() >= self.info.head_min_n).collect();
        // The network answers at the asked levels only for datasets the head does not answer; then
        // at the head's levels, always: they bound the point estimate (see below). When the head
        // answers every dataset, every call runs the same levels, so that an estimate alone and
        // with quantiles are the same bits.
        let mut levels: Vec<f32> =
            if by_head.iter().all(|&h| h) { Vec::new() } else { taus.iter().map(|&t| t as f32).collect() };
        let asked = levels.len();
        levels.extend(LEVELS.map(|t| t as f32));
        let (per_chunk, whole) = self.run_with_whole_data(datasets, chunks, &levels, &by_head);
        let per_chunk = per_chunk?;
        // A dataset without chunks (no varying column in X or Y) has MI 0.
        let combined = chunking::combine(&chunks.chunks, &per_chunk, datasets.len(), levels.len());
        let answers: Vec<Option<Answer>> = match head {
            Some(head) => head_inputs(datasets, chunks, &per_chunk, &combined, asked, whole)
                .iter()
                .map(|input| input.as_ref().map(|input| head.answer(input)))
                .collect(),
            None => vec![None; datasets.len()],
        };
        Ok(combined
            .into_iter()
            .zip(answers)
            .map(|((mi, q), answer)| {
                let (mi, q, bounds) = match answer {
                    Some(answer) => {
                        let bounds = (answer.quantile(LEVELS[0]), answer.quantile(LEVELS[LEVELS.len() - 1]));
                        (answer.point, taus.iter().map(|&t| answer.quantile(t)).collect(), bounds)
                    }
                    None => {
                        let own = monotone(&LEVELS, q[asked..].to_vec());
                        let bounds = (own[0], own[LEVELS.len() - 1]);
                        let quantiles = match asked {
                            // The network ran no asked level: the head answers every dataset with
                            // chunks, and this one has none (no varying column in X or Y): MI 0.
                            0 => vec![0.0; taus.len()],
                            _ => monotone(taus, q[..asked].to_vec()),
                        };
                        (mi, quantiles, bounds)
                    }
                };
                // The point estimate lies within the 90% interval [q0.05, q0.95], whichever levels
                // were asked for.
                let mi = mi.clamp(bounds.0, bounds.1.max(bounds.0));
                (mi.max(0.0), q.into_iter().map(|v: f64| v.max(0.0)).collect())
            })
            .collect())
    }

    /// Every chunk's answer at `levels`, in the order of `chunks`, and, computed before a single run
    /// or beside several (sharing the threads), the [`whole_data::features`] of each dataset with chunks whose
    /// entry of `whole` is true (`None` for the others).
    fn run_with_whole_data(
        &self,
        datasets: &[Dataset],
        chunks: &Chunks,
        levels: &[f32],
        whole: &[bool],
    ) -> (Result<Vec<Output>, RuntimeError>, Vec<WholeData>) {
        // Datasets without chunks (no varying column in X or Y) have MI 0 and need no features.
        let mut wanted = whole.to_vec();
        let mut chunked = vec![false; datasets.len()];
        chunks.chunks.iter().for_each(|c| chunked[c.dataset] = true);
        wanted.iter_mut().zip(&chunked).for_each(|(w, &c)| *w &= c);
        let features = |(dataset, wanted): (&Dataset, bool)| {
            wanted.then(|| {
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(WHOLE_DATA_STREAM);
                whole_data::features(dataset.x.view(), dataset.y.view(), &mut rng)
            })
        };
        // A call of one run large enough for the handle's own session, whose intra-op threads take
        // the cores (a handle of more than one thread): the features go first, on this thread
        // (below `PARALLEL_MIN_ROWS` rows KSG leaves rayon's threads idle), then the run. Otherwise
        // the runs and the features share the threads.
        let runs = chunking::runs(&chunks.chunks, MAX_ROWS_PER_RUN);
        // The call's only run, large enough for the handle's own session.
        let own_ok = runs.len() == 1 && runs[0].len() * chunks.chunks[runs[0][0]].pad >= OWN_MIN_ROWS;
        if own_ok && self.threads().min(MAX_OWN_THREADS) > 1 {
            let whole = datasets.iter().zip(wanted).map(features).collect();
            return (self.run_chunks(datasets, chunks, &runs, own_ok, levels), whole);
        }
        rayon::join(
            || self.run_chunks(datasets, chunks, &runs, own_ok, levels),
            || datasets.par_iter().zip(wanted).map(features).collect(),
        )
    }

    /// Every chunk's answer at `levels`, in the order of `chunks`, from the [`chunking::runs`] of
    /// `chunks`; `own_ok` when the only run may use the handle's own session.
    fn run_chunks(
        &self,
        datasets: &[Dataset],
        chunks: &Chunks,
        runs: &[Vec<usize>],
        own_ok: bool,
        levels: &[f32],
    ) -> Result<Vec<Output>, RuntimeError> {
        let run = |members: &Vec<usize>| {
            let inputs: Vec<_> = members.iter().map(|&i| chunks.materialise(i, datasets)).collect();
            self.run(&inputs, chunks.chunks[members[0]].pad, levels, own_ok)
        };
        let results: Vec<Vec<Output>> =
            if runs.len() == 1 { vec![run(&runs[0])?] } else { runs.par_iter().map(run).collect::<Result<_, _>>()? };
        let mut per_chunk: Vec<Output> = vec![(0.0, Vec::new()); chunks.chunks.len()];
        for (members, outputs) in runs.iter().zip(results) {
            for (&i, output) in members.iter().zip(outputs) {
                per_chunk[i] = output;
            }
        }
        Ok(per_chunk)
    }

    /// One inference run of transformed chunks `(x, y)`, padded to `n` rows; `own_ok` when it may
    /// use the handle's own session (its call's only run, large enough).
    fn run(
        &self,
        members: &[(Array2<f64>, Array2<f64>)],
        n: usize,
        levels: &[f32],
        own_ok: bool,
    ) -> Result<Vec<Output>, RuntimeError> {
        let (b, t) = (members.len(), levels.len());
        let (mdx, mdy) = (self.info.max_dx, self.info.max_dy);
        let batch = PaddedBatch::new(members.iter().map(|(x, y)| (x.view(), y.view())), n, mdx, mdy);
        let tau: Vec<f32> = levels.repeat(b);
        let failed = |e: ort::Error| RuntimeError::Inference(format!("ONNX Runtime failed to run the model: {e}"));
        let mut inputs = ort::inputs! {
            contract::X => TensorRef::from_array_view(([b, n, mdx], batch.x.as_slice())).map_err(failed)?,
            contract::Y => TensorRef::from_array_view(([b, n, mdy], batch.y.as_slice())).map_err(failed)?,
            contract::ROW_MASK => TensorRef::from_array_view(([b, n], batch.row_mask.as_slice())).map_err(failed)?,
            contract::X_COL_MASK => TensorRef::from_array_view(([b, mdx], batch.x_col_mask.as_slice())).map_err(failed)?,
            contract::Y_COL_MASK => TensorRef::from_array_view(([b, mdy], batch.y_col_mask.as_slice())).map_err(failed)?,
            contract::TAU => TensorRef::from_array_view(([b, t], tau.as_slice())).map_err(failed)?,
        };
        let k = self.info.summary_len;
        let summary = (k > 0).then(|| summaries(members.iter().map(|(x, y)| (x.view(), y.view()))));
        if let Some(summary) = &summary {
            let summary = TensorRef::from_array_view(([b, k], summary.as_slice())).map_err(failed)?;
            inputs.push((contract::SUMMARY.into(), summary.into()));
        }
        let mut session = self.session(own_ok)?;
        let outputs = session.run(inputs).map_err(failed)?;
        let (_, mi) = outputs[contract::MI].try_extract_tensor::<f32>().map_err(failed)?;
        let (_, q) = outputs[contract::QUANTILES].try_extract_tensor::<f32>().map_err(failed)?;
        if mi.len() != b || q.len() != b * t {
            return Err(RuntimeError::Inference(format!(
                "the model returned {} estimates and {} quantiles for {b} datasets and {t} levels",
                mi.len(),
                q.len()
            )));
        }
        if let Some(bad) = mi.iter().chain(q).find(|v| !v.is_finite()) {
            return Err(RuntimeError::Inference(format!("the model returned a non-finite value ({bad})")));
        }
        Ok((0..b).map(|i| (mi[i], q[i * t..(i + 1) * t].to_vec())).collect())
    }
}

impl MistEstimator {
    /// The handle's own session when `own_ok` and this is the only call in progress, else one from
    /// the pool.
    fn session(&self, own_ok: bool) -> Result<Lent<'_>, RuntimeError> {
        if own_ok
            && !self.overlapped.load(Ordering::SeqCst)
            && self.calls.load(Ordering::SeqCst) == 1
            && let Some(own) = self.own.try_lock()
        {
            return Ok(Lent::Own(own));
        }
        Ok(Lent::Pooled(self.pool.get()?))
    }
}

/// A session lent to one run: the handle's own or a pooled one.
enum Lent<'a> {
    Own(MutexGuard<'a, Session>),
    Pooled(Lease<'a>),
}

impl Deref for Lent<'_> {
    type Target = Session;
    fn deref(&self) -> &Session {
        match self {
            Lent::Own(session) => session,
            Lent::Pooled(session) => session,
        }
    }
}

impl DerefMut for Lent<'_> {
    fn deref_mut(&mut self) -> &mut Session {
        match self {
            Lent::Own(session) => session,
            Lent::Pooled(session) => session,
        }
    }
}

/// Counts a call in progress on a handle while it lives.
struct Call<'a>(&'a AtomicUsize);

impl<'a> Call<'a> {
    /// Counts a call on `handle`, noting when it overlaps another.
    fn enter(handle: &'a MistEstimator) -> Self {
        if handle.calls.fetch_add(1, Ordering::SeqCst) > 0 {
            handle.overlapped.store(true, Ordering::SeqCst);
        }
        Call(&handle.calls)
    }
}

impl Drop for Call<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The head's input for each dataset with whole-data features `whole` (`None` for the others: those
/// without chunks), from its chunks' answers `per_chunk` and their means `combined` (whose quantiles
/// at [`LEVELS`] start at index `from`).
fn head_inputs(
    datasets: &[Dataset],
    chunks: &Chunks,
    per_chunk: &[Output],
    combined: &[(f64, Vec<f64>)],
    from: usize,
    whole: Vec<WholeData>,
) -> Vec<Option<HeadInput>> {
    let mut points = vec![Vec::new(); datasets.len()];
    for (chunk, (mi, _)) in chunks.chunks.iter().zip(per_chunk) {
        points[chunk.dataset].push(f64::from(*mi));
    }
    whole
        .into_iter()
        .enumerate()
        .map(|(i, whole)| {
            let whole = whole?;
            let stats = ChunkStats::new(&points[i], std::array::from_fn(|l| combined[i].1[from + l]));
            let Dataset { x, y, .. } = &datasets[i];
            let features = head::features(&stats, &whole, x.nrows(), x.ncols(), y.ncols());
            Some(HeadInput { features, mean: stats.mean })
        })
        .collect()
}

/// Whether `(x, y)` is out of its canonical order, the one every estimate is computed in: fewer
/// columns first, and between equal widths the matrix with the smaller fingerprint of its values
/// (a hash of their bits in row order). Any rule that depends only on the unordered pair makes the
/// estimate symmetric; this one costs one pass over the data.
fn swapped(x: ArrayView2<f64>, y: ArrayView2<f64>) -> bool {
    let fingerprint = |m: ArrayView2<f64>| fnv1a(m.iter().map(|&v| total_order(v)));
    (x.ncols(), fingerprint(x)) > (y.ncols(), fingerprint(y))
}

/// `value ≤ max` for a dimension (`which` = `dx` or `dy`; [`crate::input::validate`] refuses 0).
fn check_dim(which: &str, value: usize, max: usize) -> Result<(), RuntimeError> {
    if value > max {
        return Err(RuntimeError::BadDimension(format!("{which} = {value} is above the model's maximum of {max}")));
    }
    Ok(())
}

/// Every level in the open interval (0, 1), and at least one.
fn check_taus(taus: &[f64]) -> Result<(), RuntimeError> {
    if taus.is_empty() {
        return Err(RuntimeError::InvalidArgument("taus is empty: ask for at least one quantile level".into()));
    }
    match taus.iter().enumerate().find(|(_, t)| !(**t > 0.0 && **t < 1.0)) {
        Some((i, t)) => Err(RuntimeError::InvalidArgument(format!("taus[{i}] = {t} is outside (0, 1)"))),
        None => Ok(()),
    }
}

/// Rearranges `values` (one per level of `taus`) to be non-decreasing in τ: sorted values are given
/// to the levels in increasing order (ties of τ keep their input order).
pub fn monotone(taus: &[f64], mut values: Vec<f64>) -> Vec<f64> {
    let mut order: Vec<usize> = (0..taus.len()).collect();
    order.sort_by(|&a, &b| taus[a].total_cmp(&taus[b]));
    values.sort_by(f64::total_cmp);
    let mut out = vec![0.0; values.len()];
    for (&slot, v) in order.iter().zip(values) {
        out[slot] = v;
    }
    out
}

impl Estimator for MistEstimator {
    /// [`MistEstimator::estimate`]; failures other than bad input become
    /// [`crate::Error::BadArgument`] naming the model.
    fn estimate(&self, x: ArrayView2<f64>, y: ArrayView2<f64>) -> crate::Result<f64> {
        MistEstimator::estimate(self, x, y).map_err(|e| match e {
            RuntimeError::Input(e) => e,
            other => {
                crate::Error::BadArgument { name: "model", value: self.info.label.clone(), why: other.to_string() }
            }
        })
    }

    fn name(&self) -> String {
        format!("MIST ({})", self.info.label.trim_start_matches("the "))
    }

    /// The model's `min_n`.
    fn min_rows(&self) -> usize {
        self.info.min_n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_rearranged_monotone_in_tau() {
        assert_eq!(monotone(&[0.05, 0.5, 0.95], vec![0.3, 0.2, 0.4]), vec![0.2, 0.3, 0.4]);
        assert_eq!(monotone(&[0.95, 0.05], vec![0.1, 0.5]), vec![0.5, 0.1]);
    }

    #[test]
    fn taus_and_dims_are_checked_with_their_values() {
        let e = check_taus(&[0.1, 0.5, 1.5]).unwrap_err();
        assert_eq!(e.to_string(), "taus[2] = 1.5 is outside (0, 1)");
        assert!(check_taus(&[f64::NAN]).unwrap_err().to_string().contains("taus[0] = NaN"));
        assert!(check_taus(&[]).is_err());
        assert_eq!(check_dim("dx", 40, 32).unwrap_err().to_string(), "dx = 40 is above the model's maximum of 32");
        assert!(check_dim("dy", 32, 32).is_ok());
    }
}

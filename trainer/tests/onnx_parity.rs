//! Parity of the ONNX export with the burn model, run in ONNX Runtime.
//!
//! Needs the ONNX Runtime shared library: `$MIST_ORT_LIB`, else
//! `<workspace>/vendor/onnxruntime/lib/libonnxruntime.so` (fetched by `scripts/setup-onnxruntime`).
//! Without it these tests fail. The ONNX checker test runs `onnx.checker` from `<workspace>/.venv`
//! (`scripts/setup-onnxruntime --with-onnx-checker`) and is skipped, saying so, when that is absent.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use burn::backend::NdArray;
use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::{Distribution, Tensor, TensorData, backend::Backend};
use mist::contract::SUMMARY as SUMMARY_INPUT;
use mist::summary::{SUMMARY_LEN, summary};
use mist_trainer::onnx::{self, ExportMeta};
use mist_trainer::{Expert, MistModel, MistModelConfig, ModelInput, ModelOutput, RoutedModel};
use ndarray::Array2;
use ort::environment::Environment;
use ort::session::Session;
use ort::value::TensorRef;

type TB = NdArray<f32>;

const TOLERANCE: f32 = 1e-5;
const SEED: u64 = 42;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("trainer/ has a parent").to_path_buf()
}

/// The process-wide ONNX Runtime environment; panics (fails the test) when the library is missing.
fn environment() -> &'static Environment {
    static ENV: OnceLock<Result<Environment, String>> = OnceLock::new();
    let env = ENV.get_or_init(|| {
        let path = std::env::var_os("MIST_ORT_LIB")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("vendor/onnxruntime/lib/libonnxruntime.so"));
        if !path.exists() {
            return Err(format!(
                "ONNX Runtime library not found at {}: run scripts/setup-onnxruntime (or set MIST_ORT_LIB)",
                path.display()
            ));
        }
        let builder =
            ort::init_from(&path).map_err(|e| format!("loading ONNX Runtime from {}: {e}", path.display()))?;
        builder.build().map_err(|e| format!("creating the ONNX Runtime environment: {e}"))
    });
    env.as_ref().unwrap_or_else(|e| panic!("{e}"))
}

fn session(path: &Path) -> Session {
    Session::builder(environment())
        .and_then(|mut b| b.commit_from_file(path))
        .unwrap_or_else(|e| panic!("ONNX Runtime cannot load {}: {e}", path.display()))
}

/// A model of `config` from `seed` (seeding and init under a lock: NdArray's RNG is global).
fn seeded_model(config: &MistModelConfig, seed: u64) -> MistModel<TB> {
    static INIT: Mutex<()> = Mutex::new(());
    let _guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
    let device = Default::default();
    TB::seed(&device, seed);
    let mut model = config.init::<TB>(&device);
    // The summary projection starts at zero; give it weights so that parity covers it.
    if let Some(proj) = model.summary_proj.take() {
        let weight = Tensor::random(proj.weight.dims(), Distribution::Normal(0.0, 0.3), &device);
        model.summary_proj = Some(Linear { weight: Param::from_tensor(weight), ..proj });
    }
    model
}

fn meta() -> ExportMeta {
    ExportMeta::new(10, 500, "parity-test seed=42 steps=0")
}

/// Exports the compact model to a temporary file; returns its config, the model and the file.
fn exported() -> (MistModelConfig, RoutedModel<TB>, tempfile::TempPath) {
    exported_with(MistModelConfig::compact())
}

/// Exports a model of `config` from seed [`SEED`] to a temporary file.
fn exported_with(config: MistModelConfig) -> (MistModelConfig, RoutedModel<TB>, tempfile::TempPath) {
    let model = RoutedModel::single(seeded_model(&config, SEED), config.clone());
    let file = written(&model);
    (config, model, file)
}

/// `model` written to a temporary `.onnx` file.
fn written(model: &RoutedModel<TB>) -> tempfile::TempPath {
    let file = tempfile::Builder::new().suffix(".onnx").tempfile().expect("temp file").into_temp_path();
    onnx::write(&file, model, &meta()).expect("writing the ONNX file");
    file
}

/// Deterministic pseudo-random numbers.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// One dataset after rank-Gauss preprocessing: `n × dx` and `n × dy`, row-major.
#[derive(Clone)]
struct Dataset {
    x: Array2<f64>,
    y: Array2<f64>,
}

impl Dataset {
    /// Correlated, heavy-tailed data (`y_j = x_{j mod dx}³ + noise`) through `rank_gauss`.
    fn new(seed: u64, n: usize, dx: usize, dy: usize) -> Self {
        let mut rng = Lcg(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1_e995);
        let x = Array2::from_shape_fn((n, dx), |_| rng.normal());
        let y = Array2::from_shape_fn((n, dy), |(i, j)| x[[i, j % dx]].powi(3) + rng.normal());
        Self { x: mist::preprocess::rank_gauss(x.view()), y: mist::preprocess::rank_gauss(y.view()) }
    }

    fn n(&self) -> usize {
        self.x.nrows()
    }

    /// The same dataset with its rows reordered: row `i` is old row `perm[i]`.
    fn permuted(&self, perm: &[usize]) -> Self {
        let pick = |a: &Array2<f64>| Array2::from_shape_fn(a.raw_dim(), |(i, j)| a[[perm[i], j]]);
        Self { x: pick(&self.x), y: pick(&self.y) }
    }
}

/// A padded batch as flat row-major `f32` arrays, shared by burn and ONNX Runtime.
struct Batch {
    b: usize,
    rows: usize,
    taus: usize,
    max_dx: usize,
    max_dy: usize,
    x: Vec<f32>,
    y: Vec<f32>,
    row_mask: Vec<f32>,
    x_col_mask: Vec<f32>,
    y_col_mask: Vec<f32>,
    tau: Vec<f32>,
    /// The [`SUMMARY_LEN`] features of each dataset.
    summary: Vec<f32>,
}

impl Batch {
    /// Pads every dataset to the largest n; padded rows hold garbage (they must be masked out).
    fn new(config: &MistModelConfig, sets: &[Dataset], tau: &[f32]) -> Self {
        let (max_dx, max_dy) = (config.max_dx, config.max_dy);
        let rows = sets.iter().map(Dataset::n).max().expect("a batch has datasets");
        let mut batch = Batch {
            b: sets.len(),
            rows,
            taus: tau.len(),
            max_dx,
            max_dy,
            x: vec![],
            y: vec![],
            row_mask: vec![],
            x_col_mask: vec![],
            y_col_mask: vec![],
            tau: vec![],
            summary: vec![],
        };
        for set in sets {
            let (dx, dy) = (set.x.ncols(), set.y.ncols());
            for i in 0..rows {
                let real = i < set.n();
                let garbage = 3.0 + (i % 7) as f32;
                batch.x.extend((0..max_dx).map(|j| match (real, j < dx) {
                    (true, true) => set.x[[i, j]] as f32,
                    (true, false) => 0.0,
                    (false, _) => garbage,
                }));
                batch.y.extend((0..max_dy).map(|j| match (real, j < dy) {
                    (true, true) => set.y[[i, j]] as f32,
                    (true, false) => 0.0,
                    (false, _) => -garbage,
                }));
                batch.row_mask.push(if real { 1.0 } else { 0.0 });
            }
            batch.x_col_mask.extend((0..max_dx).map(|j| if j < dx { 1.0 } else { 0.0 }));
            batch.y_col_mask.extend((0..max_dy).map(|j| if j < dy { 1.0 } else { 0.0 }));
            batch.tau.extend_from_slice(tau);
            batch.summary.extend(summary(set.x.view(), set.y.view()));
        }
        batch
    }

    fn burn(&self, model: &RoutedModel<TB>) -> (Vec<f32>, Vec<f32>) {
        vectors(model.forward(self.input()))
    }

    fn input(&self) -> ModelInput<TB> {
        let device = Default::default();
        let t2 = |v: &[f32], d: [usize; 2]| Tensor::<TB, 2>::from_data(TensorData::new(v.to_vec(), d), &device);
        let t3 = |v: &[f32], d: [usize; 3]| Tensor::<TB, 3>::from_data(TensorData::new(v.to_vec(), d), &device);
        let (b, n) = (self.b, self.rows);
        ModelInput {
            x: t3(&self.x, [b, n, self.max_dx]),
            y: t3(&self.y, [b, n, self.max_dy]),
            row_mask: t2(&self.row_mask, [b, n]),
            x_col_mask: t2(&self.x_col_mask, [b, self.max_dx]),
            y_col_mask: t2(&self.y_col_mask, [b, self.max_dy]),
            tau: t2(&self.tau, [b, self.taus]),
            summary: t2(&self.summary, [b, SUMMARY_LEN]),
        }
    }

    fn onnx(&self, session: &mut Session) -> (Vec<f32>, Vec<f32>) {
        let (b, n) = (self.b, self.rows);
        fn view(shape: Vec<usize>, data: &[f32]) -> TensorRef<'_, f32> {
            TensorRef::from_array_view((shape, data)).unwrap()
        }
        let mut inputs = ort::inputs![
            "x" => view(vec![b, n, self.max_dx], &self.x),
            "y" => view(vec![b, n, self.max_dy], &self.y),
            "row_mask" => view(vec![b, n], &self.row_mask),
            "x_col_mask" => view(vec![b, self.max_dx], &self.x_col_mask),
            "y_col_mask" => view(vec![b, self.max_dy], &self.y_col_mask),
            "tau" => view(vec![b, self.taus], &self.tau),
        ];
        if session.inputs().iter().any(|i| i.name() == SUMMARY_INPUT) {
            inputs.push((SUMMARY_INPUT.into(), view(vec![b, SUMMARY_LEN], &self.summary).into()));
        }
        let outputs = session.run(inputs).expect("ONNX Runtime run");
        let (mi_shape, mi) = outputs["mi"].try_extract_tensor::<f32>().expect("mi is f32");
        let (q_shape, q) = outputs["quantiles"].try_extract_tensor::<f32>().expect("quantiles is f32");
        assert_eq!(&mi_shape[..], &[b as i64]);
        assert_eq!(&q_shape[..], &[b as i64, self.taus as i64]);
        (mi.to_vec(), q.to_vec())
    }
}

/// `mi` and `quantiles` of a burn output as flat vectors.
fn vectors(out: ModelOutput<TB>) -> (Vec<f32>, Vec<f32>) {
    (out.mi.into_data().to_vec().unwrap(), out.quantiles.into_data().to_vec().unwrap())
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(u, v)| (u - v).abs()).fold(0.0, f32::max)
}

/// Runs `sets` through burn and ONNX Runtime; asserts agreement within [`TOLERANCE`].
fn check(name: &str, model: &RoutedModel<TB>, session: &mut Session, batch: &Batch) {
    let (mi_b, q_b) = batch.burn(model);
    let (mi_o, q_o) = batch.onnx(session);
    assert!(mi_o.iter().chain(&q_o).all(|v| v.is_finite() && *v >= 0.0), "{name}: ONNX outputs {mi_o:?} {q_o:?}");
    let (d_mi, d_q) = (max_abs_diff(&mi_b, &mi_o), max_abs_diff(&q_b, &q_o));
    println!(
        "parity {name:<44} B={} N={:<3} T={}: max|Δmi| = {d_mi:.3e}, max|Δq| = {d_q:.3e} (mi[0] = {:.5})",
        batch.b, batch.rows, batch.taus, mi_b[0]
    );
    assert!(
        d_mi <= TOLERANCE && d_q <= TOLERANCE,
        "{name}: burn and ONNX differ by {d_mi:e} (mi), {d_q:e} (quantiles)"
    );
}

const TAU5: [f32; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

#[test]
fn parity_single_datasets() {
    let (config, model, file) = exported();
    let mut session = session(&file);
    let mut seed = 0;
    for (dx, dy) in [(1, 1), (3, 17), (32, 32)] {
        for n in [10, 77, 500] {
            seed += 1;
            let set = Dataset::new(seed, n, dx, dy);
            for tau in [&[0.5][..], &TAU5[..]] {
                let batch = Batch::new(&config, std::slice::from_ref(&set), tau);
                check(&format!("single n={n} dx={dx} dy={dy}"), &model, &mut session, &batch);
            }
        }
    }
}

#[test]
fn parity_padded_batches() {
    let (config, model, file) = exported();
    let mut session = session(&file);
    for (dx, dy) in [(1, 1), (3, 17), (32, 32)] {
        let sets: Vec<Dataset> = [10, 77, 500].iter().map(|&n| Dataset::new(100 + n as u64, n, dx, dy)).collect();
        for tau in [&[0.3][..], &TAU5[..]] {
            let batch = Batch::new(&config, &sets, tau);
            check(&format!("padded n=10,77,500 dx={dx} dy={dy}"), &model, &mut session, &batch);
        }
    }
    // Mixed dims and sizes in one batch, dx ≠ dy both ways.
    let sets = vec![
        Dataset::new(7, 10, 1, 1),
        Dataset::new(8, 77, 3, 17),
        Dataset::new(9, 500, 32, 32),
        Dataset::new(10, 230, 17, 3),
        Dataset::new(11, 41, 1, 32),
    ];
    for tau in [&[0.9][..], &TAU5[..]] {
        let batch = Batch::new(&config, &sets, tau);
        check("mixed dims, n=10..500", &model, &mut session, &batch);
    }
}

/// Other shapes of the architecture: several PMA seeds, 2 or 16 heads, 1 or 3 ISAB blocks,
/// `max_dx ≠ max_dy`, other τ features, no summary input (a rows-only model), the
/// summary read at every n (no gate), and the large GPU configuration (gated like the compact one:
/// the gate is open for two of the datasets below and closed for two).
#[test]
fn parity_other_configs() {
    let small = MistModelConfig::new()
        .with_max_dx(4)
        .with_max_dy(3)
        .with_width(16)
        .with_heads(2)
        .with_isab_layers(3)
        .with_inducing_points(4)
        .with_pma_seeds(2)
        .with_ff_mult(2)
        .with_tau_freqs(2)
        .with_tau_embed(8);
    let single_block = MistModelConfig::compact().with_max_dx(8).with_max_dy(2).with_isab_layers(1).with_pma_seeds(3);
    let ungated = MistModelConfig::compact().with_summary_min_rows_per_dim(None);
    assert!(!small.summary);
    for (label, config) in [
        ("small, no summary", small),
        ("1 ISAB, 3 seeds", single_block),
        ("summary read at every n", ungated),
        ("large", MistModelConfig::large()),
    ] {
        let (config, model, file) = exported_with(config);
        let mut session = session(&file);
        let (mdx, mdy) = (config.max_dx, config.max_dy);
        let sets = vec![
            Dataset::new(31, 10, 1, 1),
            Dataset::new(32, 77, mdx, mdy),
            Dataset::new(33, 200, mdx.min(3), 1),
            Dataset::new(34, 41, 1, mdy),
        ];
        for tau in [&[0.5][..], &TAU5[..]] {
            check(&format!("{label}: mixed dims, n=10..200"), &model, &mut session, &Batch::new(&config, &sets, tau));
        }
    }
}

/// The compact model (seed [`SEED`]) routed to a smaller rows-only model (the next seed).
fn routed() -> RoutedModel<TB> {
    let main_config = MistModelConfig::compact();
    let rows_config = MistModelConfig::new().with_width(32).with_heads(2).with_inducing_points(8);
    let main = Expert { model: seeded_model(&main_config, SEED), config: main_config };
    let rows_only = Expert { model: seeded_model(&rows_config, SEED + 1), config: rows_config };
    RoutedModel::routed(main, rows_only).expect("a gated main model and a rows-only expert")
}

/// A routed model in one graph: the compact main model where n ≥ 2 (dx + dy), a smaller rows-only
/// model from another seed below; in a mixed batch, one all open and one all closed (the three
/// paths of the graph's `If`s), each dataset gets the output of its expert.
#[test]
fn parity_routed() {
    let model = routed();
    let main_config = model.main.config.clone();
    let file = written(&model);
    let mut session = session(&file);
    // (n, dx, dy) and whether n ≥ 2 (dx + dy), i.e. the main model answers (40 rows for 20 dims is
    // exactly on the gate).
    let cases = [(10, 1, 1, true), (77, 32, 32, false), (40, 17, 3, true), (39, 17, 3, false), (500, 32, 32, true)];
    let open_only: Vec<_> = cases.iter().copied().filter(|c| c.3).collect();
    let closed_only: Vec<_> = cases.iter().copied().filter(|c| !c.3).collect();
    for (label, cases) in [("mixed", &cases[..]), ("all open", &open_only), ("all closed", &closed_only)] {
        let sets: Vec<Dataset> =
            cases.iter().map(|&(n, dx, dy, _)| Dataset::new((n + dx + dy) as u64, n, dx, dy)).collect();
        for tau in [&[0.5][..], &TAU5[..]] {
            let batch = Batch::new(&main_config, &sets, tau);
            check(&format!("routed, {label}: mixed dims"), &model, &mut session, &batch);
            let (mi, q) = batch.onnx(&mut session);
            let (main_mi, main_q) = vectors(model.main.model.forward(batch.input()));
            let rows_only = &model.rows_only.as_ref().expect("routed").model;
            let (rows_mi, rows_q) = vectors(rows_only.forward(batch.input()));
            let t = tau.len();
            for (i, &(n, dx, dy, open)) in cases.iter().enumerate() {
                let (want_mi, want_q, other_mi) =
                    if open { (main_mi[i], &main_q, rows_mi[i]) } else { (rows_mi[i], &rows_q, main_mi[i]) };
                let at = format!("{label}, n = {n}, {dx}×{dy}");
                assert!((want_mi - other_mi).abs() > 1e-3, "{at}: the two experts agree, nothing to route");
                assert!((mi[i] - want_mi).abs() <= TOLERANCE, "{at}: mi {} from the wrong expert", mi[i]);
                let (got, want) = (&q[i * t..(i + 1) * t], &want_q[i * t..(i + 1) * t]);
                assert!(max_abs_diff(got, want) <= TOLERANCE, "{at}: quantiles from the wrong expert");
            }
        }
    }
    let err = RoutedModel::routed(
        Expert { model: seeded_model(&main_config, SEED), config: main_config.clone() },
        Expert { model: seeded_model(&main_config, SEED), config: main_config },
    )
    .expect_err("a rows-only expert that reads summary features");
    assert!(err.contains("must not read summary features"), "{err}");
}

#[test]
fn onnx_invariant_to_row_permutation() {
    let (config, model, file) = exported();
    let mut session = session(&file);
    let set = Dataset::new(21, 77, 3, 17);
    let other = Dataset::new(22, 120, 5, 2);
    let perm: Vec<usize> = (0..77).map(|i| (i * 31 + 5) % 77).collect();
    let base = Batch::new(&config, &[set.clone(), other.clone()], &TAU5);
    let moved = Batch::new(&config, &[set.permuted(&perm), other], &TAU5);
    check("permutation: original", &model, &mut session, &base);
    check("permutation: permuted", &model, &mut session, &moved);
    let (mi_a, q_a) = base.onnx(&mut session);
    let (mi_b, q_b) = moved.onnx(&mut session);
    let (d_mi, d_q) = (max_abs_diff(&mi_a, &mi_b), max_abs_diff(&q_a, &q_b));
    println!("ONNX under a row permutation: max|Δmi| = {d_mi:.3e}, max|Δq| = {d_q:.3e}");
    assert!(d_mi <= TOLERANCE && d_q <= TOLERANCE, "ONNX output moved under a row permutation: {d_mi:e}, {d_q:e}");
}

#[test]
fn metadata_and_signature() {
    let (config, _model, file) = exported();
    println!("exported compact model: {} bytes", std::fs::metadata(&file).unwrap().len());
    let session = session(&file);
    let metadata = session.metadata().expect("model metadata");
    let want = [
        ("mist.format", "1".to_string()),
        ("mist.max_dx", config.max_dx.to_string()),
        ("mist.max_dy", config.max_dy.to_string()),
        ("mist.min_n", "10".into()),
        ("mist.max_n", "500".into()),
        ("mist.preprocess", "rank_gauss".into()),
        ("mist.heads", "point,quantile".into()),
        ("mist.train", "parity-test seed=42 steps=0".into()),
    ];
    for (key, value) in &want {
        assert_eq!(metadata.custom(key).as_deref(), Some(value.as_str()), "metadata {key}");
    }
    assert_eq!(session.opset_for_domain(""), Some(onnx::OPSET as u32));

    let signature = |outlets: &[ort::value::Outlet]| -> Vec<(String, Vec<i64>, Vec<String>)> {
        outlets
            .iter()
            .map(|o| match o.dtype() {
                ort::value::ValueType::Tensor { ty, shape, dimension_symbols } => {
                    assert_eq!(*ty, ort::value::TensorElementType::Float32, "{} is not f32", o.name());
                    (o.name().to_string(), shape.to_vec(), dimension_symbols.to_vec())
                }
                other => panic!("{} is not a tensor: {other:?}", o.name()),
            })
            .collect()
    };
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (dx, dy) = (config.max_dx as i64, config.max_dy as i64);
    assert_eq!(
        signature(session.inputs()),
        vec![
            ("x".into(), vec![-1, -1, dx], s(&["batch", "rows", ""])),
            ("y".into(), vec![-1, -1, dy], s(&["batch", "rows", ""])),
            ("row_mask".into(), vec![-1, -1], s(&["batch", "rows"])),
            ("x_col_mask".into(), vec![-1, dx], s(&["batch", ""])),
            ("y_col_mask".into(), vec![-1, dy], s(&["batch", ""])),
            ("tau".into(), vec![-1, -1], s(&["batch", "taus"])),
            ("summary".into(), vec![-1, config.summary_len() as i64], s(&["batch", ""])),
        ]
    );
    assert_eq!(
        signature(session.outputs()),
        vec![("mi".into(), vec![-1], s(&["batch"])), ("quantiles".into(), vec![-1, -1], s(&["batch", "taus"]))]
    );
}

#[test]
fn onnx_checker() {
    let python = workspace().join(".venv/bin/python");
    let has_onnx = python.exists()
        && std::process::Command::new(&python).args(["-c", "import onnx"]).status().is_ok_and(|s| s.success());
    if !has_onnx {
        println!(
            "SKIPPED: onnx.checker not run ({} with the `onnx` package is absent; \
             run scripts/setup-onnxruntime --with-onnx-checker)",
            python.display()
        );
        return;
    }
    let files = [
        exported_with(MistModelConfig::compact()).2,
        exported_with(MistModelConfig::compact().with_summary_min_rows_per_dim(None)).2,
        written(&routed()),
    ];
    for file in files {
        let out = std::process::Command::new(&python)
            .args([
                "-c",
                "import sys, onnx; onnx.checker.check_model(sys.argv[1], full_check=True); \
                 print('onnx', onnx.__version__, 'checker: OK')",
            ])
            .arg(&*file)
            .output()
            .expect("running python");
        print!("{}", String::from_utf8_lossy(&out.stdout));
        assert!(out.status.success(), "onnx.checker failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
}

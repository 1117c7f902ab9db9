//! The ONNX graph writer: mirrors [`MistModel::forward`] node by node (see the conventions in
//! [`crate::model`]) with weights as float32 initializers.
//!
//! The graph follows the contract of [`mist::contract`] (`docs/onnx-contract.md`): float32 inputs
//! `x [batch, rows, max_dx]`, `y [batch, rows, max_dy]`, `row_mask [batch, rows]`,
//! `x_col_mask [batch, max_dx]`, `y_col_mask [batch, max_dy]`, `tau [batch, taus]`, and for a model
//! that reads them `summary [batch, SUMMARY_LEN]`, the features of [`mist::summary`]; outputs
//! `mi [batch]` and `quantiles [batch, taus]` (nats, non-negative, not sorted). `batch`, `rows` and
//! `taus` are dynamic. Only broadcasting and `Reshape` with `0`/`-1` entries are used for the
//! dynamic axes, so no `Shape` arithmetic appears in the graph.

use std::path::Path;

use burn::module::Param;
use burn::nn::{LayerNorm, Linear};
use burn::tensor::{Tensor, backend::Backend};
use prost::Message;

use super::graph::{Attr, Dim, GraphBuilder};
use super::proto::{ModelProto, OperatorSetIdProto, StringStringEntryProto, tensor_proto::DataType};
use mist::contract::{self, key};
use mist::summary::DIMS_PER_ROW;

use crate::model::{Attention, Isab, LAYER_NORM_EPS, MASK_LOGIT, Mab, MistModel, MistModelConfig, Mlp, Pma};
use crate::routing::{Expert, RoutedModel};

/// The `ai.onnx` opset the graph uses.
pub const OPSET: i64 = 18;
/// ONNX IR version matching [`OPSET`] (IR 8 = ONNX 1.13, opset 18).
pub const IR_VERSION: i64 = 8;

/// The metadata of an export that the model itself does not know (the format, preprocessing, heads
/// and widths come from [`mist::contract`] and the model).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportMeta {
    /// Smallest row count seen in training ([`key::MIN_N`]).
    pub min_n: usize,
    /// Largest row count seen in training ([`key::MAX_N`]).
    pub max_n: usize,
    /// A short string naming the training run ([`key::TRAIN`]).
    pub train: String,
}

impl ExportMeta {
    /// The metadata of a model trained on `min_n..=max_n` rows in the run described by `train`.
    pub fn new(min_n: usize, max_n: usize, train: impl Into<String>) -> Self {
        Self { min_n, max_n, train: train.into() }
    }
}

/// Builds the ONNX model of `model`: its main model, and when routed, the rows-only expert too,
/// chosen per dataset by `Where` on the main model's summary gate.
///
/// # Panics
/// If a weight does not have the shape its config implies.
pub fn export<B: Backend>(model: &RoutedModel<B>, meta: &ExportMeta) -> ModelProto {
    let main = &model.main;
    let (mdx, mdy) = (main.config.max_dx, main.config.max_dy);
    let (batch, rows, taus) = (Dim::Named("batch"), Dim::Named("rows"), Dim::Named("taus"));
    let mut g = GraphBuilder::default();
    let inputs = Inputs {
        x: g.input(contract::X, &[batch, rows, Dim::Fixed(mdx)]),
        y: g.input(contract::Y, &[batch, rows, Dim::Fixed(mdy)]),
        row_mask: g.input(contract::ROW_MASK, &[batch, rows]),
        x_col_mask: g.input(contract::X_COL_MASK, &[batch, Dim::Fixed(mdx)]),
        y_col_mask: g.input(contract::Y_COL_MASK, &[batch, Dim::Fixed(mdy)]),
        tau: g.input(contract::TAU, &[batch, taus]),
        summary: main
            .model
            .summary_proj
            .as_ref()
            .map(|proj| g.input(contract::SUMMARY, &[batch, Dim::Fixed(proj.weight.dims()[0])])),
    };
    let (mi, quantiles) = match (&model.rows_only, model.gate()) {
        (Some(rows_only), Some(max)) => {
            let summary = inputs.summary.as_deref().expect("a gated main model reads the summary");
            route(&mut g, &inputs, summary, max, main, rows_only)
        }
        _ => Writer { g: &mut g, config: &main.config }.expert(&main.model, &inputs),
    };
    g.output(&mi, contract::MI, &[batch]);
    g.output(&quantiles, contract::QUANTILES, &[batch, taus]);

    let props = [
        (key::FORMAT, contract::FORMAT_VERSION.to_string()),
        (key::MAX_DX, mdx.to_string()),
        (key::MAX_DY, mdy.to_string()),
        (key::MIN_N, meta.min_n.to_string()),
        (key::MAX_N, meta.max_n.to_string()),
        (key::PREPROCESS, contract::PREPROCESS.to_string()),
        (key::HEADS, contract::HEADS.to_string()),
        (key::TRAIN, meta.train.clone()),
    ];
    ModelProto {
        ir_version: IR_VERSION,
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: OPSET }],
        producer_name: "mist-trainer".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: "MIST: learned mutual-information estimator (nats)".into(),
        graph: Some(g.build("mist")),
        metadata_props: props
            .into_iter()
            .map(|(key, value)| StringStringEntryProto { key: key.into(), value })
            .collect(),
        ..Default::default()
    }
}

/// The outputs of `main` where the gate is open (`summary[:, DIMS_PER_ROW] ≤ max`), of `rows_only`
/// elsewhere. `If` nodes run only `main` when the whole batch is open, only `rows_only` when it is
/// all closed, and both with a `Where` per dataset when it is mixed.
fn route<B: Backend>(
    g: &mut GraphBuilder,
    inputs: &Inputs,
    summary: &str,
    max: f32,
    main: &Expert<B>,
    rows_only: &Expert<B>,
) -> (String, String) {
    let output_dims: [&[Dim]; 2] = [&[Dim::Named("batch")], &[Dim::Named("batch"), Dim::Named("taus")]];
    let main_outputs = |g: &mut GraphBuilder| Writer { g, config: &main.config }.expert(&main.model, inputs);
    let rows_outputs = |g: &mut GraphBuilder| {
        g.set_scope("rows_only/");
        let outputs = Writer { g, config: &rows_only.config }.expert(&rows_only.model, inputs);
        g.set_scope("");
        outputs
    };
    let open = gate(g, summary, max, "routing");
    let open_float = g.node("Cast", "routing", &[&open], vec![Attr::Int("to", DataType::Float as i64)]);
    let to_bool = || vec![Attr::Int("to", DataType::Bool as i64)];
    let all = g.node("ReduceMin", "routing", &[&open_float], vec![Attr::Int("keepdims", 0)]);
    let all = g.node("Cast", "routing", &[&all], to_bool());
    let any = g.node("ReduceMax", "routing", &[&open_float], vec![Attr::Int("keepdims", 0)]);
    let any = g.node("Cast", "routing", &[&any], to_bool());

    let only_main = g.branch("main", output_dims, |g| main_outputs(g).into());
    let only_rows = g.branch("rows_only", output_dims, |g| rows_outputs(g).into());
    let mixed = g.branch("mixed", output_dims, |g| {
        let (mi, quantiles) = main_outputs(g);
        let (rows_mi, rows_quantiles) = rows_outputs(g);
        let to_vector = g.init_i64("const.shape_m1", &[-1]);
        let open_vector = g.node("Reshape", "routing", &[&open, &to_vector], vec![]);
        let mi = g.node("Where", "routing", &[&open_vector, &mi, &rows_mi], vec![]);
        let quantiles = g.node("Where", "routing", &[&open, &quantiles, &rows_quantiles], vec![]);
        [mi, quantiles]
    });
    let some_open = g.branch("some_open", output_dims, |g| {
        g.node_outputs(
            "If",
            "routing",
            &[&any],
            vec![Attr::Graph("then_branch", mixed.into()), Attr::Graph("else_branch", only_rows.into())],
        )
    });
    let [mi, quantiles] = g.node_outputs(
        "If",
        "routing",
        &[&all],
        vec![Attr::Graph("then_branch", only_main.into()), Attr::Graph("else_branch", some_open.into())],
    );
    (mi, quantiles)
}

/// Serialises [`export`]'s model to protobuf bytes.
pub fn to_bytes<B: Backend>(model: &RoutedModel<B>, meta: &ExportMeta) -> Vec<u8> {
    export(model, meta).encode_to_vec()
}

/// Exports `model` and writes the `.onnx` file at `path`.
///
/// # Errors
/// If the file cannot be written.
pub fn write<B: Backend>(path: impl AsRef<Path>, model: &RoutedModel<B>, meta: &ExportMeta) -> std::io::Result<()> {
    std::fs::write(path, to_bytes(model, meta))
}

/// `summary[:, DIMS_PER_ROW] ≤ max` as a bool `[B, 1]`: at least `1 / max` rows per dimension.
fn gate(g: &mut GraphBuilder, summary: &str, max: f32, name: &str) -> String {
    let start = g.init_i64(&format!("{name}.start"), &[DIMS_PER_ROW as i64]);
    let end = g.init_i64(&format!("{name}.end"), &[DIMS_PER_ROW as i64 + 1]);
    let axis = g.init_i64("const.axis_1", &[1]);
    let dims_per_row = g.node("Slice", name, &[summary, &start, &end, &axis], vec![]);
    let max = g.init_f32(&format!("{name}.max"), &[], &[max]);
    g.node("LessOrEqual", name, &[&dims_per_row, &max], vec![])
}

/// Names of the graph inputs (`summary` when the main model reads it).
struct Inputs {
    x: String,
    y: String,
    row_mask: String,
    x_col_mask: String,
    y_col_mask: String,
    tau: String,
    summary: Option<String>,
}

/// Writes one model's nodes (of hyper-parameters `config`) into `g`.
struct Writer<'a> {
    g: &'a mut GraphBuilder,
    config: &'a MistModelConfig,
}

impl Writer<'_> {
    /// The nodes of `model`; returns its outputs `mi [batch]` and `quantiles [batch, taus]`.
    fn expert<B: Backend>(&mut self, model: &MistModel<B>, inputs: &Inputs) -> (String, String) {
        let config = self.config;
        let Inputs { x, y, row_mask, x_col_mask, y_col_mask, tau, summary } = inputs;

        // Key bias `MASK_LOGIT · (1 − row_mask)`, `[B, 1, 1, N]`.
        let one = self.g.init_f32("const.one", &[], &[1.0]);
        let mask_logit = self.g.init_f32("const.mask_logit", &[], &[MASK_LOGIT]);
        let axes12 = self.g.init_i64("const.axes_1_2", &[1, 2]);
        let padding = self.g.node("Sub", "key_bias", &[&one, row_mask], vec![]);
        let bias = self.g.node("Mul", "key_bias", &[&padding, &mask_logit], vec![]);
        let key_bias = self.g.node("Unsqueeze", "key_bias", &[&bias, &axes12], vec![]);

        // Row encoder: `out(relu(values([x, y]) + columns([mx, my]))) · row_mask`.
        let enc = &model.encoder;
        let (mdx, mdy) = (config.max_dx, config.max_dy);
        let xy = self.g.node("Concat", "encoder", &[x, y], vec![Attr::Int("axis", 2)]);
        let values = self.linear(&enc.values, "encoder.values", &xy, mdx + mdy, config.width);
        let masks = self.g.node("Concat", "encoder", &[x_col_mask, y_col_mask], vec![Attr::Int("axis", 1)]);
        let columns = self.linear(&enc.columns, "encoder.columns", &masks, mdx + mdy, config.width);
        let columns = self.unsqueeze(&columns, 1, "encoder");
        let hidden = self.g.node("Add", "encoder", &[&values, &columns], vec![]);
        let hidden = self.g.node("Relu", "encoder", &[&hidden], vec![]);
        let tokens = self.linear(&enc.out, "encoder.out", &hidden, config.width, config.width);
        let row_mask3 = self.unsqueeze(row_mask, 2, "encoder");
        let mut h = self.g.node("Mul", "encoder", &[&tokens, &row_mask3], vec![]);

        assert_eq!(model.isabs.len(), config.isab_layers, "export: ISAB count differs from the config");
        for (i, isab) in model.isabs.iter().enumerate() {
            h = self.isab(isab, &format!("isabs.{i}"), &h, &key_bias);
        }
        let pooled = self.pma(&model.pma, "pma", &h, &key_bias);
        let pooled = self.layer_norm(&model.final_norm, "final_norm", &pooled);
        let flat = self.g.init_i64("const.shape_0_m1", &[0, -1]);
        let mut pooled = self.g.node("Reshape", "final_norm", &[&pooled, &flat], vec![]);
        let pooled_width = config.pma_seeds * config.width;
        if let Some(proj) = &model.summary_proj {
            let features = proj.weight.dims()[0];
            let summary = summary.as_deref().expect("the graph declares the summary input of a model that reads it");
            let mut projected = self.linear(proj, "summary_proj", summary, features, pooled_width);
            if let Some(max) = model.summary_gate {
                // `projected · (summary[:, DIMS_PER_ROW] ≤ max)`.
                let open = gate(self.g, summary, max, "summary_gate");
                let gate = self.g.node("Cast", "summary_gate", &[&open], vec![Attr::Int("to", DataType::Float as i64)]);
                projected = self.g.node("Mul", "summary_gate", &[&projected, &gate], vec![]);
            }
            pooled = self.g.node("Add", "summary_proj", &[&pooled, &projected], vec![]);
        }

        // Point head.
        let mi = self.mlp(&model.point_head, "point_head", &pooled, pooled_width, config.width, 1);
        let mi = self.g.node("Softplus", "point_head", &[&mi], vec![]);
        let to_vector = self.g.init_i64("const.shape_m1", &[-1]);
        let mi = self.g.node("Reshape", "point_head", &[&mi, &to_vector], vec![]);

        // Quantile head.
        let quantiles = self.quantile_head(model, "quantile_head", &pooled, tau);
        let quantiles = self.g.node("Reshape", "quantile_head", &[&quantiles, &flat], vec![]);
        let quantiles = self.g.node("Softplus", "quantile_head", &[&quantiles], vec![]);
        (mi, quantiles)
    }

    fn unsqueeze(&mut self, value: &str, axis: i64, hint: &str) -> String {
        let axes = self.g.init_i64(&format!("const.axes_{axis}"), &[axis]);
        self.g.node("Unsqueeze", hint, &[value, &axes], vec![])
    }

    fn param<const D: usize, B: Backend>(&mut self, name: &str, param: &Param<Tensor<B, D>>) -> (Vec<usize>, Vec<f32>) {
        let data = param.val().into_data().convert::<f32>();
        let dims = data.shape.to_vec();
        let values = data.to_vec::<f32>().unwrap_or_else(|e| panic!("export: reading {name}: {e:?}"));
        (dims, values)
    }

    /// `x · W + b` (`MatMul` + `Add`); checks that `W` is `[d_in, d_out]`.
    fn linear<B: Backend>(&mut self, layer: &Linear<B>, name: &str, x: &str, d_in: usize, d_out: usize) -> String {
        let (dims, weight) = self.param(name, &layer.weight);
        assert_eq!(dims, [d_in, d_out], "export: {name}.weight has shape {dims:?}, expected [{d_in}, {d_out}]");
        let weight = self.g.init_f32(&format!("{name}.weight"), &dims, &weight);
        let out = self.g.node("MatMul", name, &[x, &weight], vec![]);
        match &layer.bias {
            Some(bias) => {
                let (dims, bias) = self.param(name, bias);
                assert_eq!(dims, [d_out], "export: {name}.bias has shape {dims:?}, expected [{d_out}]");
                let bias = self.g.init_f32(&format!("{name}.bias"), &dims, &bias);
                self.g.node("Add", name, &[&out, &bias], vec![])
            }
            None => out,
        }
    }

    /// `LayerNormalization` over the last axis with [`LAYER_NORM_EPS`].
    fn layer_norm<B: Backend>(&mut self, norm: &LayerNorm<B>, name: &str, x: &str) -> String {
        let width = self.config.width;
        let (dims, gamma) = self.param(name, &norm.gamma);
        assert_eq!(dims, [width], "export: {name}.gamma has shape {dims:?}, expected [{width}]");
        let gamma = self.g.init_f32(&format!("{name}.gamma"), &dims, &gamma);
        let mut inputs = vec![x.to_owned(), gamma];
        if let Some(beta) = &norm.beta {
            let (dims, beta) = self.param(name, beta);
            inputs.push(self.g.init_f32(&format!("{name}.beta"), &dims, &beta));
        }
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let attrs = vec![Attr::Int("axis", -1), Attr::Float("epsilon", LAYER_NORM_EPS as f32)];
        self.g.node("LayerNormalization", name, &inputs, attrs)
    }

    /// `fc2(relu(fc1(x)))`.
    fn mlp<B: Backend>(
        &mut self,
        mlp: &Mlp<B>,
        name: &str,
        x: &str,
        d_in: usize,
        d_hidden: usize,
        d_out: usize,
    ) -> String {
        let hidden = self.linear(&mlp.fc1, &format!("{name}.fc1"), x, d_in, d_hidden);
        let hidden = self.g.node("Relu", name, &[&hidden], vec![]);
        self.linear(&mlp.fc2, &format!("{name}.fc2"), &hidden, d_hidden, d_out)
    }

    /// Multi-head attention of `q: [Bq, Lq, W]` to `kv: [B, Lk, W]` with an optional key bias
    /// `[B, 1, 1, Lk]`; `MatMul` broadcasting covers `Bq = 1` (learned queries).
    fn attention<B: Backend>(
        &mut self,
        att: &Attention<B>,
        name: &str,
        q: &str,
        kv: &str,
        key_bias: Option<&str>,
    ) -> String {
        let width = self.config.width;
        let heads = att.heads;
        assert_eq!(heads, self.config.heads, "export: {name} has {heads} heads, the config {}", self.config.heads);
        let d_head = width / heads;
        let split = self.g.init_i64("const.split_heads", &[0, 0, heads as i64, d_head as i64]);
        let merge = self.g.init_i64("const.merge_heads", &[0, 0, width as i64]);
        let scale = (1.0 / (d_head as f64).sqrt()) as f32;
        let scale = self.g.init_f32("const.attention_scale", &[], &[scale]);

        let query = self.linear(&att.query, &format!("{name}.query"), q, width, width);
        let query = self.g.node("Reshape", name, &[&query, &split], vec![]);
        let query = self.g.node("Transpose", name, &[&query], vec![Attr::Ints("perm", vec![0, 2, 1, 3])]);
        let query = self.g.node("Mul", name, &[&query, &scale], vec![]);
        let key = self.linear(&att.key, &format!("{name}.key"), kv, width, width);
        let key = self.g.node("Reshape", name, &[&key, &split], vec![]);
        // `[B, Lk, h, d] → [B, h, d, Lk]`: split_heads and the `swap_dims(2, 3)` in one transpose.
        let key = self.g.node("Transpose", name, &[&key], vec![Attr::Ints("perm", vec![0, 2, 3, 1])]);
        let value = self.linear(&att.value, &format!("{name}.value"), kv, width, width);
        let value = self.g.node("Reshape", name, &[&value, &split], vec![]);
        let value = self.g.node("Transpose", name, &[&value], vec![Attr::Ints("perm", vec![0, 2, 1, 3])]);

        let mut logits = self.g.node("MatMul", name, &[&query, &key], vec![]);
        if let Some(bias) = key_bias {
            logits = self.g.node("Add", name, &[&logits, bias], vec![]);
        }
        let weights = self.g.node("Softmax", name, &[&logits], vec![Attr::Int("axis", -1)]);
        let out = self.g.node("MatMul", name, &[&weights, &value], vec![]);
        let out = self.g.node("Transpose", name, &[&out], vec![Attr::Ints("perm", vec![0, 2, 1, 3])]);
        let out = self.g.node("Reshape", name, &[&out, &merge], vec![]);
        self.linear(&att.output, &format!("{name}.output"), &out, width, width)
    }

    /// Pre-LN MAB: `H = q + Att(LN_q(q), LN_k(k))`, `H + FF(LN_f(H))`.
    fn mab<B: Backend>(&mut self, mab: &Mab<B>, name: &str, q: &str, k: &str, key_bias: Option<&str>) -> String {
        let width = self.config.width;
        let q_norm = self.layer_norm(&mab.norm_q, &format!("{name}.norm_q"), q);
        let k_norm = self.layer_norm(&mab.norm_k, &format!("{name}.norm_k"), k);
        let attended = self.attention(&mab.attention, &format!("{name}.attention"), &q_norm, &k_norm, key_bias);
        let h = self.g.node("Add", name, &[q, &attended], vec![]);
        let ff_in = self.layer_norm(&mab.norm_ff, &format!("{name}.norm_ff"), &h);
        let ff = self.mlp(&mab.ff, &format!("{name}.ff"), &ff_in, width, self.config.ff_mult * width, width);
        self.g.node("Add", name, &[&h, &ff], vec![])
    }

    /// A learned `[count, width]` token matrix as a `[1, count, width]` initializer.
    fn tokens<B: Backend>(&mut self, name: &str, param: &Param<Tensor<B, 2>>, count: usize) -> String {
        let (dims, values) = self.param(name, param);
        let width = self.config.width;
        assert_eq!(dims, [count, width], "export: {name} has shape {dims:?}, expected [{count}, {width}]");
        self.g.init_f32(name, &[1, count, width], &values)
    }

    /// `ISAB(X) = MAB(X, MAB(I, X))`.
    fn isab<B: Backend>(&mut self, isab: &Isab<B>, name: &str, x: &str, key_bias: &str) -> String {
        let inducing = self.tokens(&format!("{name}.inducing"), &isab.inducing, self.config.inducing_points);
        let summary = self.mab(&isab.to_inducing, &format!("{name}.to_inducing"), &inducing, x, Some(key_bias));
        self.mab(&isab.to_rows, &format!("{name}.to_rows"), x, &summary, None)
    }

    /// `PMA(X) = MAB(S, X)`.
    fn pma<B: Backend>(&mut self, pma: &Pma<B>, name: &str, x: &str, key_bias: &str) -> String {
        let seeds = self.tokens(&format!("{name}.seeds"), &pma.seeds, self.config.pma_seeds);
        self.mab(&pma.mab, &format!("{name}.mab"), &seeds, x, Some(key_bias))
    }

    /// Quantile pre-activations `[B, T, 1]` from `pooled: [B, P]` and `tau: [B, T]`.
    fn quantile_head<B: Backend>(&mut self, model: &MistModel<B>, name: &str, pooled: &str, tau: &str) -> String {
        let head = &model.quantile_head;
        let (width, k) = (self.config.width, head.tau_freqs);
        assert_eq!(
            k, self.config.tau_freqs,
            "export: quantile head has {k} frequencies, the config {}",
            self.config.tau_freqs
        );
        // φ(τ) = [τ, sin(πkτ)…, cos(πkτ)…], the frequencies rounded to f32 as in the model.
        let tau3 = self.unsqueeze(tau, 2, name);
        let features = if k == 0 {
            tau3
        } else {
            let freqs: Vec<f32> = (1..=k).map(|k| core::f32::consts::PI * k as f32).collect();
            let freqs = self.g.init_f32(&format!("{name}.freqs"), &[1, 1, k], &freqs);
            let angles = self.g.node("Mul", name, &[&tau3, &freqs], vec![]);
            let sin = self.g.node("Sin", name, &[&angles], vec![]);
            let cos = self.g.node("Cos", name, &[&angles], vec![]);
            self.g.node("Concat", name, &[&tau3, &sin, &cos], vec![Attr::Int("axis", 2)])
        };
        let d_embed = self.config.tau_embed;
        let embedding = self.linear(&head.tau_embed, &format!("{name}.tau_embed"), &features, 1 + 2 * k, d_embed);
        let embedding = self.g.node("Relu", name, &[&embedding], vec![]);
        let pooled_width = self.config.pma_seeds * width;
        let from_pooled = self.linear(&head.pooled_proj, &format!("{name}.pooled_proj"), pooled, pooled_width, width);
        let from_pooled = self.unsqueeze(&from_pooled, 1, name);
        let from_tau = self.linear(&head.tau_proj, &format!("{name}.tau_proj"), &embedding, d_embed, width);
        let hidden = self.g.node("Add", name, &[&from_pooled, &from_tau], vec![]);
        let hidden = self.g.node("Relu", name, &[&hidden], vec![]);
        self.mlp(&head.mlp, &format!("{name}.mlp"), &hidden, width, width, 1)
    }
}

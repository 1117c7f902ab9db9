//! The MIST set model: row encoder → ISAB stack → PMA pooling → point and quantile heads.
//!
//! Every block is a small module with its own `forward`, written with plain tensor ops
//! (`matmul`, `reshape`, `swap_dims`, `softmax`, LayerNorm, ReLU) so that the ONNX exporter can
//! mirror it node by node. Conventions the exporter must reproduce exactly:
//!
//! * `Linear` weights are stored `[d_in, d_out]`: `y = x · W + b` (ONNX `MatMul` + `Add`).
//! * Blocks are **pre-LayerNorm** (epsilon [`LAYER_NORM_EPS`]):
//!   `H = Q + Att(LN_q(Q), LN_k(K))`, `MAB(Q, K) = H + FF(LN_f(H))`, `FF = Linear → ReLU → Linear`.
//! * Attention scales the projected queries by `1/sqrt(d_head)` *before* `Q·Kᵀ`, then adds the
//!   key bias `MASK_LOGIT · (1 − row_mask)` (see [`MASK_LOGIT`]) and applies softmax over keys.
//! * Padded rows are zeroed right after the row encoder and only ever appear as masked keys,
//!   so they cannot influence the outputs.
//! * Outputs go through a numerically stable softplus (ONNX `Softplus`).

use burn::config::Config;
use burn::module::Initializer;
use burn::module::{Module, Param};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::{relu, softmax};
use burn::tensor::{Tensor, backend::Backend};
use mist::summary::{DIMS_PER_ROW, SUMMARY_LEN};

/// Epsilon of every LayerNorm in the model.
pub const LAYER_NORM_EPS: f64 = 1e-5;

/// Logit added to attention scores of padded rows (`MASK_LOGIT · (1 − row_mask)`); large but
/// finite, so a fully padded batch entry never produces NaN.
pub const MASK_LOGIT: f32 = -1e9;

/// Hyper-parameters of [`MistModel`]; saved as JSON next to every trained artefact.
#[derive(Config, Debug)]
pub struct MistModelConfig {
    /// Largest X dimension accepted (width of the zero-padded X block).
    #[config(default = 32)]
    pub max_dx: usize,
    /// Largest Y dimension accepted (width of the zero-padded Y block).
    #[config(default = 32)]
    pub max_dy: usize,
    /// Model width (`d_model`) of every token.
    #[config(default = 64)]
    pub width: usize,
    /// Attention heads; must divide `width`.
    #[config(default = 4)]
    pub heads: usize,
    /// Number of ISAB blocks over the rows.
    #[config(default = 2)]
    pub isab_layers: usize,
    /// Learned inducing points per ISAB block (`m`).
    #[config(default = 16)]
    pub inducing_points: usize,
    /// Learned PMA seeds; the pooled vector has `pma_seeds · width` entries.
    #[config(default = 1)]
    pub pma_seeds: usize,
    /// Hidden size of each feed-forward block as a multiple of `width`.
    #[config(default = 4)]
    pub ff_mult: usize,
    /// Frequencies `k = 1..=K` of the τ features `[τ, sin(πkτ), cos(πkτ)]`.
    #[config(default = 4)]
    pub tau_freqs: usize,
    /// Size of the learned τ (quantile-level) embedding.
    #[config(default = 32)]
    pub tau_embed: usize,
    /// Whether the model reads the [`SUMMARY_LEN`] per-dataset [`mist::summary`] features
    /// (Gaussian MI, its shuffled-rows floor, size, radial dependence), projected and added to the
    /// pooled vector.
    #[config(default = false)]
    pub summary: bool,
    /// With `summary`: read it only for datasets with at least this many rows per dimension,
    /// `n ≥ k · (dx + dy)`, and withhold it (its projection multiplied by 0) below, where the
    /// Gaussian estimate reads mostly noise; `None` reads it for every dataset.
    #[config(default = "None")]
    pub summary_min_rows_per_dim: Option<f64>,
}

impl MistModelConfig {
    /// Summary features the model reads (0 without `summary`).
    pub fn summary_len(&self) -> usize {
        if self.summary { SUMMARY_LEN } else { 0 }
    }

    /// The compact CPU model: width 64, 4 heads, 2 ISAB blocks, 16 inducing points, summary
    /// features read where n ≥ 2 (dx + dy) (280,706 parameters, the shipped main model).
    pub fn compact() -> Self {
        Self::new().with_summary(true).with_summary_min_rows_per_dim(Some(2.0))
    }

    /// The large GPU model: width 256, 16 heads, 3 ISAB blocks, 32 inducing points, summary gated
    /// as in [`Self::compact`] (5,873,026 parameters, about the size of the original study's
    /// released model).
    pub fn large() -> Self {
        Self::new()
            .with_width(256)
            .with_heads(16)
            .with_isab_layers(3)
            .with_inducing_points(32)
            .with_tau_embed(64)
            .with_summary(true)
            .with_summary_min_rows_per_dim(Some(2.0))
    }

    /// Builds a freshly initialised model on `device`.
    ///
    /// # Panics
    /// If `heads` does not divide `width`, or any size is zero.
    pub fn init<B: Backend>(&self, device: &B::Device) -> MistModel<B> {
        assert!(
            self.max_dx > 0
                && self.max_dy > 0
                && self.width > 0
                && self.heads > 0
                && self.inducing_points > 0
                && self.pma_seeds > 0
                && self.ff_mult > 0
                && self.tau_embed > 0,
            "MistModelConfig: every size must be positive: {self:?}"
        );
        assert!(
            self.width.is_multiple_of(self.heads),
            "MistModelConfig: heads ({}) must divide width ({})",
            self.heads,
            self.width
        );
        assert!(
            self.summary_min_rows_per_dim.is_none_or(|k| k.is_finite() && k > 0.0),
            "MistModelConfig: summary_min_rows_per_dim must be positive: {self:?}"
        );
        let pooled = self.pma_seeds * self.width;
        MistModel {
            encoder: RowEncoder::new(self, device),
            isabs: (0..self.isab_layers).map(|_| Isab::new(self, device)).collect(),
            pma: Pma::new(self, device),
            final_norm: layer_norm(self.width, device),
            point_head: Mlp::new(pooled, self.width, 1, device),
            quantile_head: QuantileHead::new(self, device),
            summary_proj: self.summary.then(|| zero_linear(self.summary_len(), pooled, device)),
            summary_gate: self.summary_min_rows_per_dim.map(|k| (1.0 / k) as f32),
        }
    }
}

/// Model inputs, all `f32`; padded entries are zero.
#[derive(Debug, Clone)]
pub struct ModelInput<B: Backend> {
    /// Rank-Gaussian X values, `[B, N, max_dx]`.
    pub x: Tensor<B, 3>,
    /// Rank-Gaussian Y values, `[B, N, max_dy]`.
    pub y: Tensor<B, 3>,
    /// `1.0` for a real row, `0.0` for a padded row, `[B, N]`.
    pub row_mask: Tensor<B, 2>,
    /// `1.0` for a real X column, `[B, max_dx]`.
    pub x_col_mask: Tensor<B, 2>,
    /// `1.0` for a real Y column, `[B, max_dy]`.
    pub y_col_mask: Tensor<B, 2>,
    /// Quantile levels in (0, 1), `[B, T]`, `T ≥ 1`.
    pub tau: Tensor<B, 2>,
    /// Summary features of each dataset ([`mist::summary`]), `[B, SUMMARY_LEN]`; read by models
    /// with `summary` only.
    pub summary: Tensor<B, 2>,
}

/// Model outputs, in nats.
#[derive(Debug, Clone)]
pub struct ModelOutput<B: Backend> {
    /// Point estimate of the mutual information, `[B]`, non-negative.
    pub mi: Tensor<B, 1>,
    /// Estimated quantiles at each `tau`, `[B, T]`, non-negative, not necessarily sorted.
    pub quantiles: Tensor<B, 2>,
}

/// The whole set model; build it with [`MistModelConfig::init`].
#[derive(Module, Debug)]
pub struct MistModel<B: Backend> {
    /// Per-row token encoder.
    pub encoder: RowEncoder<B>,
    /// ISAB blocks over the row tokens.
    pub isabs: Vec<Isab<B>>,
    /// Attention pooling to `pma_seeds` vectors.
    pub pma: Pma<B>,
    /// LayerNorm over each pooled seed vector (closes the pre-LN stack).
    pub final_norm: LayerNorm<B>,
    /// Pooled vector → MI pre-activation.
    pub point_head: Mlp<B>,
    /// Pooled vector and τ → quantile pre-activations.
    pub quantile_head: QuantileHead<B>,
    /// Summary features → addition to the pooled vector (models with `summary`).
    pub summary_proj: Option<Linear<B>>,
    /// Largest dimensions-per-row feature (`summary[:, DIMS_PER_ROW]`, `(dx + dy) / n`) at which
    /// the summary is read (`1 / summary_min_rows_per_dim`); configuration, not a weight (not in
    /// the saved record).
    #[module(skip)]
    pub summary_gate: Option<f32>,
}

impl<B: Backend> MistModel<B> {
    /// Runs the model on a padded batch.
    pub fn forward(&self, input: ModelInput<B>) -> ModelOutput<B> {
        let ModelInput { x, y, row_mask, x_col_mask, y_col_mask, tau, summary } = input;
        let key_bias = key_bias(row_mask.clone());
        let mut h = self.encoder.forward(x, y, x_col_mask, y_col_mask, row_mask);
        for isab in &self.isabs {
            h = isab.forward(h, key_bias.clone());
        }
        let pooled = self.pma.forward(h, key_bias);
        let [batch, seeds, width] = pooled.dims();
        let mut pooled = self.final_norm.forward(pooled).reshape([batch, seeds * width]);
        if let Some(proj) = &self.summary_proj {
            let mut projected = proj.forward(summary.clone());
            if let Some(max) = self.summary_gate {
                let dims_per_row = summary.slice([0..batch, DIMS_PER_ROW..DIMS_PER_ROW + 1]);
                projected = projected * dims_per_row.lower_equal_elem(max).float();
            }
            pooled = pooled + projected;
        }
        let mi = softplus(self.point_head.forward(pooled.clone())).reshape([batch]);
        let quantiles = softplus(self.quantile_head.forward(pooled, tau));
        ModelOutput { mi, quantiles }
    }
}

/// Number of scalar parameters of `model`.
pub fn num_params<B: Backend>(model: &MistModel<B>) -> usize {
    model.num_params()
}

/// Numerically stable softplus `max(x, 0) + ln(1 + e^{−|x|})` (burn's `softplus` overflows for
/// large inputs); equals ONNX `Softplus`.
pub fn softplus<B: Backend, const D: usize>(x: Tensor<B, D>) -> Tensor<B, D> {
    x.clone().clamp_min(0.0) + x.abs().neg().exp().log1p()
}

/// Additive attention bias over keys, `MASK_LOGIT · (1 − row_mask)`, shaped `[B, 1, 1, N]`.
pub fn key_bias<B: Backend>(row_mask: Tensor<B, 2>) -> Tensor<B, 4> {
    let [batch, rows] = row_mask.dims();
    row_mask.neg().add_scalar(1.0).mul_scalar(MASK_LOGIT).reshape([batch, 1, 1, rows])
}

fn linear<B: Backend>(d_in: usize, d_out: usize, bias: bool, device: &B::Device) -> Linear<B> {
    LinearConfig::new(d_in, d_out).with_bias(bias).init(device)
}

/// A `Linear` (with bias) whose weights start at zero, so adding its output changes nothing until
/// training moves it.
fn zero_linear<B: Backend>(d_in: usize, d_out: usize, device: &B::Device) -> Linear<B> {
    LinearConfig::new(d_in, d_out).with_initializer(Initializer::Zeros).init(device)
}

fn layer_norm<B: Backend>(width: usize, device: &B::Device) -> LayerNorm<B> {
    LayerNormConfig::new(width).with_epsilon(LAYER_NORM_EPS).init(device)
}

/// Learned `[count, width]` query tokens (inducing points, PMA seeds).
fn learned_tokens<B: Backend>(count: usize, width: usize, device: &B::Device) -> Param<Tensor<B, 2>> {
    Initializer::XavierUniform { gain: 1.0 }.init_with([count, width], Some(count), Some(width), device)
}

/// Two-layer perceptron `Linear → ReLU → Linear` applied on the last axis.
#[derive(Module, Debug)]
pub struct Mlp<B: Backend> {
    /// First layer, `[d_in, d_hidden]`.
    pub fc1: Linear<B>,
    /// Second layer, `[d_hidden, d_out]`.
    pub fc2: Linear<B>,
}

impl<B: Backend> Mlp<B> {
    fn new(d_in: usize, d_hidden: usize, d_out: usize, device: &B::Device) -> Self {
        Self { fc1: linear(d_in, d_hidden, true, device), fc2: linear(d_hidden, d_out, true, device) }
    }

    /// `fc2(relu(fc1(x)))`.
    pub fn forward<const D: usize>(&self, x: Tensor<B, D>) -> Tensor<B, D> {
        self.fc2.forward(relu(self.fc1.forward(x)))
    }
}

/// Per-row encoder: an MLP over `concat(x_row, y_row, x_col_mask, y_col_mask)`.
///
/// The first layer is split in two mathematically identical halves, `values` on the row data and
/// `columns` on the per-dataset column masks (computed once per dataset and broadcast over rows),
/// so no mask needs to be tiled over N.
#[derive(Module, Debug)]
pub struct RowEncoder<B: Backend> {
    /// First layer on `concat(x_row, y_row)`, `[max_dx + max_dy, width]`, with bias.
    pub values: Linear<B>,
    /// First layer on `concat(x_col_mask, y_col_mask)`, `[max_dx + max_dy, width]`, no bias.
    pub columns: Linear<B>,
    /// Second layer, `[width, width]`.
    pub out: Linear<B>,
}

impl<B: Backend> RowEncoder<B> {
    fn new(config: &MistModelConfig, device: &B::Device) -> Self {
        let d_in = config.max_dx + config.max_dy;
        Self {
            values: linear(d_in, config.width, true, device),
            columns: linear(d_in, config.width, false, device),
            out: linear(config.width, config.width, true, device),
        }
    }

    /// Tokens `[B, N, width]`: `out(relu(values([x, y]) + columns([mx, my]))) · row_mask`.
    pub fn forward(
        &self,
        x: Tensor<B, 3>,
        y: Tensor<B, 3>,
        x_col_mask: Tensor<B, 2>,
        y_col_mask: Tensor<B, 2>,
        row_mask: Tensor<B, 2>,
    ) -> Tensor<B, 3> {
        let rows = self.values.forward(Tensor::cat(vec![x, y], 2));
        let cols = self.columns.forward(Tensor::cat(vec![x_col_mask, y_col_mask], 1)).unsqueeze_dim::<3>(1);
        let tokens = self.out.forward(relu(rows + cols));
        tokens * row_mask.unsqueeze_dim::<3>(2)
    }
}

/// Multi-head attention written with plain tensor ops.
#[derive(Module, Debug)]
pub struct Attention<B: Backend> {
    /// Query projection, `[width, width]`.
    pub query: Linear<B>,
    /// Key projection, `[width, width]`.
    pub key: Linear<B>,
    /// Value projection, `[width, width]`.
    pub value: Linear<B>,
    /// Output projection, `[width, width]`.
    pub output: Linear<B>,
    /// Number of heads.
    pub heads: usize,
}

impl<B: Backend> Attention<B> {
    fn new(config: &MistModelConfig, device: &B::Device) -> Self {
        let w = config.width;
        Self {
            query: linear(w, w, true, device),
            key: linear(w, w, true, device),
            value: linear(w, w, true, device),
            output: linear(w, w, true, device),
            heads: config.heads,
        }
    }

    /// Attends `q: [Bq, Lq, W]` (Bq = B, or 1 for learned queries) to `kv: [B, Lk, W]`, adding
    /// `key_bias: [B, 1, 1, Lk]` to the logits when given; returns `[B, Lq, W]`.
    pub fn forward(&self, q: Tensor<B, 3>, kv: Tensor<B, 3>, key_bias: Option<Tensor<B, 4>>) -> Tensor<B, 3> {
        let [_, _, width] = q.dims();
        let d_head = width / self.heads;
        let q = self.split_heads(self.query.forward(q)).mul_scalar(1.0 / (d_head as f64).sqrt());
        let k = self.split_heads(self.key.forward(kv.clone()));
        let v = self.split_heads(self.value.forward(kv));
        let logits = q.matmul(k.swap_dims(2, 3));
        let logits = match key_bias {
            Some(bias) => logits + bias,
            None => logits,
        };
        let out = softmax(logits, 3).matmul(v);
        let [batch, _, len, _] = out.dims();
        self.output.forward(out.swap_dims(1, 2).reshape([batch, len, width]))
    }

    /// `[b, L, W] → [b, heads, L, W / heads]`.
    fn split_heads(&self, x: Tensor<B, 3>) -> Tensor<B, 4> {
        let [batch, len, width] = x.dims();
        x.reshape([batch, len, self.heads, width / self.heads]).swap_dims(1, 2)
    }
}

/// Multihead attention block (pre-LN): `H = Q + Att(LN_q(Q), LN_k(K))`, `H + FF(LN_f(H))`.
#[derive(Module, Debug)]
pub struct Mab<B: Backend> {
    /// LayerNorm on the queries.
    pub norm_q: LayerNorm<B>,
    /// LayerNorm on the keys/values.
    pub norm_k: LayerNorm<B>,
    /// Attention from queries to keys.
    pub attention: Attention<B>,
    /// LayerNorm before the feed-forward block.
    pub norm_ff: LayerNorm<B>,
    /// Feed-forward block `width → ff_mult·width → width`.
    pub ff: Mlp<B>,
}

impl<B: Backend> Mab<B> {
    fn new(config: &MistModelConfig, device: &B::Device) -> Self {
        let w = config.width;
        Self {
            norm_q: layer_norm(w, device),
            norm_k: layer_norm(w, device),
            attention: Attention::new(config, device),
            norm_ff: layer_norm(w, device),
            ff: Mlp::new(w, config.ff_mult * w, w, device),
        }
    }

    /// `MAB(q, k)` with optional key bias (see [`Attention::forward`]); returns `[B, Lq, W]`.
    pub fn forward(&self, q: Tensor<B, 3>, k: Tensor<B, 3>, key_bias: Option<Tensor<B, 4>>) -> Tensor<B, 3> {
        let attended = self.attention.forward(self.norm_q.forward(q.clone()), self.norm_k.forward(k), key_bias);
        let h = q + attended;
        h.clone() + self.ff.forward(self.norm_ff.forward(h))
    }
}

/// Induced set attention block: `ISAB(X) = MAB(X, MAB(I, X))` with learned inducing points `I`.
#[derive(Module, Debug)]
pub struct Isab<B: Backend> {
    /// Inducing points `I`, `[m, width]`.
    pub inducing: Param<Tensor<B, 2>>,
    /// `MAB(I, X)`: inducing points attend to the (masked) rows.
    pub to_inducing: Mab<B>,
    /// `MAB(X, ·)`: rows attend to the inducing summary (no mask needed).
    pub to_rows: Mab<B>,
}

impl<B: Backend> Isab<B> {
    fn new(config: &MistModelConfig, device: &B::Device) -> Self {
        Self {
            inducing: learned_tokens(config.inducing_points, config.width, device),
            to_inducing: Mab::new(config, device),
            to_rows: Mab::new(config, device),
        }
    }

    /// Row tokens `x: [B, N, W]` → `[B, N, W]`; `key_bias` masks padded rows.
    pub fn forward(&self, x: Tensor<B, 3>, key_bias: Tensor<B, 4>) -> Tensor<B, 3> {
        let inducing = self.inducing.val().unsqueeze_dim::<3>(0);
        let summary = self.to_inducing.forward(inducing, x.clone(), Some(key_bias));
        self.to_rows.forward(x, summary, None)
    }
}

/// Pooling by multihead attention: `PMA(X) = MAB(S, X)` with learned seeds `S`.
#[derive(Module, Debug)]
pub struct Pma<B: Backend> {
    /// Seeds `S`, `[pma_seeds, width]`.
    pub seeds: Param<Tensor<B, 2>>,
    /// `MAB(S, X)`: seeds attend to the (masked) rows.
    pub mab: Mab<B>,
}

impl<B: Backend> Pma<B> {
    fn new(config: &MistModelConfig, device: &B::Device) -> Self {
        Self { seeds: learned_tokens(config.pma_seeds, config.width, device), mab: Mab::new(config, device) }
    }

    /// Row tokens `x: [B, N, W]` → pooled `[B, pma_seeds, W]`.
    pub fn forward(&self, x: Tensor<B, 3>, key_bias: Tensor<B, 4>) -> Tensor<B, 3> {
        let seeds = self.seeds.val().unsqueeze_dim::<3>(0);
        self.mab.forward(seeds, x, Some(key_bias))
    }
}

/// Quantile head: `mlp(relu(pooled_proj(p) + tau_proj(relu(tau_embed(φ(τ))))))` per τ, where
/// `φ(τ) = [τ, sin(πkτ)_{k=1..K}, cos(πkτ)_{k=1..K}]`. The sum of two projections equals one
/// `Linear` over `concat(p, embedding)` and broadcasts `p` over T without tiling.
#[derive(Module, Debug)]
pub struct QuantileHead<B: Backend> {
    /// τ features → embedding, `[1 + 2K, tau_embed]`.
    pub tau_embed: Linear<B>,
    /// Pooled vector → hidden, `[pma_seeds·width, width]`, with bias.
    pub pooled_proj: Linear<B>,
    /// τ embedding → hidden, `[tau_embed, width]`, no bias.
    pub tau_proj: Linear<B>,
    /// Hidden → quantile pre-activation, `width → width → 1`.
    pub mlp: Mlp<B>,
    /// Number of frequencies `K` in `φ(τ)`.
    pub tau_freqs: usize,
}

impl<B: Backend> QuantileHead<B> {
    fn new(config: &MistModelConfig, device: &B::Device) -> Self {
        let w = config.width;
        Self {
            tau_embed: linear(1 + 2 * config.tau_freqs, config.tau_embed, true, device),
            pooled_proj: linear(config.pma_seeds * w, w, true, device),
            tau_proj: linear(config.tau_embed, w, false, device),
            mlp: Mlp::new(w, w, 1, device),
            tau_freqs: config.tau_freqs,
        }
    }

    /// `pooled: [B, P]`, `tau: [B, T]` → pre-activations `[B, T]`.
    pub fn forward(&self, pooled: Tensor<B, 2>, tau: Tensor<B, 2>) -> Tensor<B, 2> {
        let [batch, levels] = tau.dims();
        let embedding = relu(self.tau_embed.forward(self.features(tau)));
        let hidden = self.pooled_proj.forward(pooled).unsqueeze_dim::<3>(1) + self.tau_proj.forward(embedding);
        self.mlp.forward(relu(hidden)).reshape([batch, levels])
    }

    /// `φ(τ)`: `[B, T]` → `[B, T, 1 + 2K]` (`[τ, sin(πkτ)…, cos(πkτ)…]`, k = 1..=K).
    pub fn features(&self, tau: Tensor<B, 2>) -> Tensor<B, 3> {
        let tau = tau.unsqueeze_dim::<3>(2);
        let freqs: Vec<f32> = (1..=self.tau_freqs).map(|k| core::f32::consts::PI * k as f32).collect();
        let freqs = Tensor::<B, 1>::from_floats(freqs.as_slice(), &tau.device()).reshape([1, 1, self.tau_freqs]);
        let angles = tau.clone() * freqs;
        Tensor::cat(vec![tau, angles.clone().sin(), angles.cos()], 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::NdArray;
    use burn::config::config_to_json;
    use burn::tensor::TensorData;

    type TB = NdArray<f32>;

    /// Small deterministic pseudo-random numbers in [-2, 2).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> f32 {
            self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 4.0 - 2.0
        }
    }

    fn small_config() -> MistModelConfig {
        MistModelConfig::new()
            .with_max_dx(4)
            .with_max_dy(3)
            .with_width(16)
            .with_heads(2)
            .with_inducing_points(4)
            .with_pma_seeds(2)
            .with_ff_mult(2)
            .with_tau_freqs(2)
            .with_tau_embed(8)
            .with_summary(true)
    }

    /// One dataset as row-major rows: `rows[i] = (x_i, y_i)`, `None` for a padded row.
    struct Dataset {
        dx: usize,
        dy: usize,
        rows: Vec<Option<(Vec<f32>, Vec<f32>)>>,
    }

    impl Dataset {
        fn random(rng: &mut Lcg, n: usize, dx: usize, dy: usize) -> Self {
            let rows = (0..n)
                .map(|_| {
                    let x = (0..dx).map(|_| rng.next()).collect();
                    let y = (0..dy).map(|_| rng.next()).collect();
                    Some((x, y))
                })
                .collect();
            Self { dx, dy, rows }
        }
    }

    /// Packs datasets of equal row count into a batch; padded rows get `garbage` everywhere.
    fn batch(config: &MistModelConfig, sets: &[Dataset], tau: &[f32], garbage: f32) -> ModelInput<TB> {
        let device = Default::default();
        let (b, n) = (sets.len(), sets[0].rows.len());
        let (mdx, mdy) = (config.max_dx, config.max_dy);
        let (mut x, mut y, mut rm) = (vec![], vec![], vec![]);
        let (mut xm, mut ym, mut t, mut sm) = (vec![], vec![], vec![], vec![]);
        for set in sets {
            assert_eq!(set.rows.len(), n);
            for row in &set.rows {
                match row {
                    Some((xr, yr)) => {
                        x.extend((0..mdx).map(|j| xr.get(j).copied().unwrap_or(0.0)));
                        y.extend((0..mdy).map(|j| yr.get(j).copied().unwrap_or(0.0)));
                        rm.push(1.0);
                    }
                    None => {
                        x.extend((0..mdx).map(|j| garbage * (j as f32 + 1.0)));
                        y.extend((0..mdy).map(|j| -garbage * (j as f32 + 0.5)));
                        rm.push(0.0);
                    }
                }
            }
            xm.extend((0..mdx).map(|j| f32::from(u8::from(j < set.dx))));
            ym.extend((0..mdy).map(|j| f32::from(u8::from(j < set.dy))));
            t.extend_from_slice(tau);
            let real = set.rows.iter().filter(|r| r.is_some()).count();
            sm.extend((0..SUMMARY_LEN).map(|k| (set.dx + 2 * set.dy + k) as f32 / real as f32));
        }
        let t_len = tau.len();
        ModelInput {
            x: Tensor::from_data(TensorData::new(x, [b, n, mdx]), &device),
            y: Tensor::from_data(TensorData::new(y, [b, n, mdy]), &device),
            row_mask: Tensor::from_data(TensorData::new(rm, [b, n]), &device),
            x_col_mask: Tensor::from_data(TensorData::new(xm, [b, mdx]), &device),
            y_col_mask: Tensor::from_data(TensorData::new(ym, [b, mdy]), &device),
            tau: Tensor::from_data(TensorData::new(t, [b, t_len]), &device),
            summary: Tensor::from_data(TensorData::new(sm, [b, SUMMARY_LEN]), &device),
        }
    }

    fn run(model: &MistModel<TB>, input: ModelInput<TB>) -> (Vec<f32>, Vec<f32>) {
        let out = model.forward(input);
        (out.mi.into_data().to_vec().unwrap(), out.quantiles.into_data().to_vec().unwrap())
    }

    fn assert_close(a: &[f32], b: &[f32], tol: f32) {
        assert_eq!(a.len(), b.len());
        for (i, (u, v)) in a.iter().zip(b).enumerate() {
            assert!((u - v).abs() <= tol, "entry {i}: {u} vs {v}");
        }
    }

    fn max_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(u, v)| (u - v).abs()).fold(0.0, f32::max)
    }

    const TAU: [f32; 3] = [0.1, 0.5, 0.9];

    #[test]
    fn invariant_to_row_permutation() {
        let config = small_config();
        let model = config.init::<TB>(&Default::default());
        let mut rng = Lcg(1);
        let sets = vec![Dataset::random(&mut rng, 9, 3, 2), Dataset::random(&mut rng, 9, 1, 3)];
        let base = run(&model, batch(&config, &sets, &TAU, 0.0));
        let permuted: Vec<Dataset> = sets
            .iter()
            .map(|s| Dataset { dx: s.dx, dy: s.dy, rows: (0..9).map(|i| s.rows[(i * 4 + 2) % 9].clone()).collect() })
            .collect();
        let perm = run(&model, batch(&config, &permuted, &TAU, 0.0));
        assert_close(&base.0, &perm.0, 1e-5);
        assert_close(&base.1, &perm.1, 1e-5);
    }

    #[test]
    fn padded_rows_have_no_influence() {
        let config = small_config();
        let model = config.init::<TB>(&Default::default());
        let mut rng = Lcg(2);
        let set = Dataset::random(&mut rng, 6, 4, 3);
        let base = run(&model, batch(&config, std::slice::from_ref(&set), &TAU, 0.0));
        // Interleave 5 padded rows filled with large garbage values.
        let mut rows = set.rows.clone();
        for at in [0, 3, 5, 8, 10] {
            rows.insert(at, None);
        }
        let padded = Dataset { dx: 4, dy: 3, rows };
        let out = run(&model, batch(&config, &[padded], &TAU, 37.5));
        assert_close(&base.0, &out.0, 1e-5);
        assert_close(&base.1, &out.1, 1e-5);
        // Guard against a vacuous pass: changing one real row must change the outputs.
        let mut changed = set;
        changed.rows[2] = Some((vec![1.5, -1.0, 0.3, 2.0], vec![-1.7, 0.2, 0.9]));
        let moved = run(&model, batch(&config, &[changed], &TAU, 0.0));
        assert!(max_diff(&base.0, &moved.0) > 1e-6 && max_diff(&base.1, &moved.1) > 1e-6);
    }

    #[test]
    fn summary_projection_starts_at_zero_and_is_read_once_trained() {
        let config = small_config();
        let mut model = config.init::<TB>(&Default::default());
        let mut rng = Lcg(5);
        let sets = vec![Dataset::random(&mut rng, 6, 2, 3)];
        let input = batch(&config, &sets, &TAU, 0.0);
        let mut shifted = input.clone();
        shifted.summary = shifted.summary.add_scalar(3.0);
        let (base, moved) = (run(&model, input.clone()), run(&model, shifted.clone()));
        assert_eq!(base, moved, "a fresh projection is zero, so the summary cannot matter yet");
        let proj = model.summary_proj.take().expect("small_config reads the summary");
        let weight = proj.weight.val().ones_like().mul_scalar(0.25);
        model.summary_proj = Some(Linear { weight: Param::from_tensor(weight), ..proj });
        let (base, moved) = (run(&model, input), run(&model, shifted));
        assert!(max_diff(&base.0, &moved.0) > 1e-4 && max_diff(&base.1, &moved.1) > 1e-4);
    }

    #[test]
    fn summary_gate_withholds_the_summary_where_rows_per_dimension_are_few() {
        let config = small_config().with_summary_min_rows_per_dim(Some(2.0));
        let mut model = config.init::<TB>(&Default::default());
        let proj = model.summary_proj.take().expect("small_config reads the summary");
        let weight = proj.weight.val().ones_like().mul_scalar(0.25);
        model.summary_proj = Some(Linear { weight: Param::from_tensor(weight), ..proj });
        let mut rng = Lcg(6);
        let sets = vec![Dataset::random(&mut rng, 6, 2, 3), Dataset::random(&mut rng, 6, 1, 1)];
        let input = batch(&config, &sets, &TAU, 0.0);
        // Dimensions per row: 5/6 for the first dataset (gate closed), 2/6 for the second (open).
        let dims_per_row = Tensor::<TB, 2>::from_floats([[5.0 / 6.0], [2.0 / 6.0]], &Default::default());
        let input = ModelInput {
            summary: input.summary.slice_assign([0..2, DIMS_PER_ROW..DIMS_PER_ROW + 1], dims_per_row),
            ..input
        };
        let mut shifted = input.clone();
        shifted.summary = shifted
            .summary
            .clone()
            .slice_assign([0..2, 0..DIMS_PER_ROW], shifted.summary.slice([0..2, 0..DIMS_PER_ROW]).add_scalar(3.0));
        let (base, moved) = (run(&model, input), run(&model, shifted));
        assert_close(&base.0[..1], &moved.0[..1], 1e-6);
        assert_close(&base.1[..3], &moved.1[..3], 1e-6);
        assert!(max_diff(&base.0[1..], &moved.0[1..]) > 1e-4 && max_diff(&base.1[3..], &moved.1[3..]) > 1e-4);
    }

    #[test]
    fn shapes_for_unequal_dims() {
        let config = small_config();
        let model = config.init::<TB>(&Default::default());
        let mut rng = Lcg(3);
        let sets = vec![Dataset::random(&mut rng, 5, 2, 3), Dataset::random(&mut rng, 5, 4, 1)];
        let out = model.forward(batch(&config, &sets, &TAU, 0.0));
        assert_eq!(out.mi.dims(), [2]);
        assert_eq!(out.quantiles.dims(), [2, 3]);
        let single = model.forward(batch(&config, &sets, &[0.5], 0.0));
        assert_eq!(single.quantiles.dims(), [2, 1]);
    }

    #[test]
    fn outputs_are_non_negative_and_finite() {
        let config = small_config();
        let mut rng = Lcg(4);
        for seed in 0..4 {
            let model = config.init::<TB>(&Default::default());
            let sets =
                vec![Dataset::random(&mut rng, 7, 1 + seed % 4, 3 - seed % 3), Dataset::random(&mut rng, 7, 4, 3)];
            let (mi, q) = run(&model, batch(&config, &sets, &[0.01, 0.3, 0.99], 0.0));
            for v in mi.iter().chain(&q) {
                assert!(v.is_finite() && *v >= 0.0, "output {v}");
            }
        }
        let device = Default::default();
        let x = Tensor::<TB, 1>::from_floats([-200.0, -1.0, 0.0, 1.0, 200.0], &device);
        let got: Vec<f32> = softplus(x).into_data().to_vec().unwrap();
        let want = [0.0, 0.313_261_7, std::f32::consts::LN_2, 1.313_261_7, 200.0];
        assert_close(&got, &want, 1e-6);
    }

    #[test]
    fn parameter_counts() {
        let device = Default::default();
        let compact = num_params(&MistModelConfig::compact().init::<TB>(&device));
        let large = num_params(&MistModelConfig::large().init::<TB>(&device));
        let rows_only = num_params(&MistModelConfig::new().init::<TB>(&device));
        println!(
            "compact: {compact} parameters, without summary features (a rows-only expert) {rows_only}, \
             large: {large} parameters"
        );
        assert_eq!(compact, 280_706);
        assert_eq!(rows_only, compact - (SUMMARY_LEN + 1) * 64, "the summary projection: 7 × 64 weights, 64 biases");
        assert!((100_000..=500_000).contains(&compact), "compact has {compact}");
        assert!((2_000_000..=8_000_000).contains(&large), "large has {large}");
    }

    /// Run folders saved while the number of summary features was configurable (compact-v8's and
    /// rows-v2's `config.json`) name it; the field is ignored, and a summary model reads all of them.
    #[test]
    fn configs_naming_summary_features_still_load() {
        let with_option = |config: MistModelConfig, value: serde_json::Value| {
            let mut json: serde_json::Value = serde_json::from_str(&config.to_string()).unwrap();
            json["summary_features"] = value;
            MistModelConfig::load_binary(json.to_string().as_bytes()).unwrap()
        };
        let compact = with_option(MistModelConfig::compact(), SUMMARY_LEN.into());
        assert_eq!(config_to_json(&compact), config_to_json(&MistModelConfig::compact()));
        assert_eq!(compact.summary_len(), SUMMARY_LEN);
        assert_eq!(with_option(MistModelConfig::new(), serde_json::Value::Null).summary_len(), 0);
    }

    #[test]
    fn shipped_configs_match_constructors() {
        let compact = MistModelConfig::load_binary(include_bytes!("../configs/compact.json")).unwrap();
        let large = MistModelConfig::load_binary(include_bytes!("../configs/large.json")).unwrap();
        assert_eq!(config_to_json(&compact), config_to_json(&MistModelConfig::compact()));
        assert_eq!(config_to_json(&large), config_to_json(&MistModelConfig::large()));
    }
}

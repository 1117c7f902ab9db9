//! The large-n head: a small network that answers for a dataset above the set model's `max_n` rows
//! from what its chunks say (the mean point estimate and quantiles, the spread of the points) and
//! what all its rows say ([`crate::whole_data`]). Averaging chunks alone keeps the bias and the
//! interval of a `max_n`-row estimate however many rows there are; the head's estimate and interval
//! keep improving with n. It reads one set model's answers, so its weights travel in that model's
//! file, as metadata (`docs/onnx-contract.md`); a model without them answers by the chunk average.

use crate::baselines::gcmi::gaussian_bias;
use crate::preprocess::normal_quantile;
use crate::summary::{GAUSSIAN, ROWS};
use crate::whole_data;
use ndarray::{Array1, Array2};

/// The quantile levels of the chunk answers the head reads.
pub const LEVELS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Number of input features: see [`features`].
pub const FEATURES: usize = 1 + LEVELS.len() + 1 + whole_data::LEN + 3;

/// Number of candidate estimates the head weighs: see [`HeadInput::candidates`].
pub const CANDIDATES: usize = 4;

/// Number of outputs: see [`Answer::new`].
pub const OUTPUTS: usize = 4 + CANDIDATES;

/// Number of outputs of a head made before the bias-corrected Gaussian candidate: it has no logit
/// for that candidate, which [`Head::forward`] reads as −∞, so that it weighs the first three as
/// it was trained to.
pub const LEGACY_OUTPUTS: usize = OUTPUTS - 1;

/// Where the whole-data features start in [`features`].
const WHOLE: usize = 2 + LEVELS.len();

/// Largest n of the head's training draws: a larger dataset is read as this many rows, so that the
/// head never meets an n it was not trained on (its whole-data features read at most 100,000 rows,
/// and KSG at most 20,000, whatever n is).
pub const MAX_N: usize = 50_000;

/// What the chunks of one dataset said, in nats.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkStats {
    /// Mean point estimate over the chunks.
    pub mean: f64,
    /// Mean quantile at each of [`LEVELS`].
    pub quantiles: [f64; LEVELS.len()],
    /// Standard deviation of the chunks' point estimates (n − 1 in the denominator).
    pub sd: f64,
}

impl ChunkStats {
    /// The statistics of chunk answers `points` (two or more) with mean quantiles `quantiles`.
    pub fn new(points: &[f64], quantiles: [f64; LEVELS.len()]) -> Self {
        let count = points.len() as f64;
        let mean = points.iter().sum::<f64>() / count;
        let sd = (points.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / (count - 1.0).max(1.0)).sqrt();
        ChunkStats { mean, quantiles, sd }
    }
}

/// The head's input for a dataset of `n` rows, `dx` and `dy` varying columns, whose chunks said
/// `chunks` and whose [`whole_data::features`] are `whole`: `ln(1 + v)` of the mean point, of the
/// mean quantiles and of the spread (each `v` taken at least 0), the whole-data features,
/// `ln(min(n, `[`MAX_N`]`)) / 10`, `ln(dx) / 4` and `ln(dy) / 4`.
pub fn features(
    chunks: &ChunkStats,
    whole: &[f32; whole_data::LEN],
    n: usize,
    dx: usize,
    dy: usize,
) -> [f32; FEATURES] {
    let nats = |v: f64| v.max(0.0).ln_1p() as f32;
    let mut out = [0.0; FEATURES];
    out[0] = nats(chunks.mean);
    out[1..1 + LEVELS.len()].iter_mut().zip(chunks.quantiles).for_each(|(o, q)| *o = nats(q));
    out[1 + LEVELS.len()] = nats(chunks.sd);
    out[WHOLE..WHOLE + whole_data::LEN].copy_from_slice(whole);
    let ln = |v: usize| (v as f64).ln() as f32;
    out[FEATURES - 3..].copy_from_slice(&[ln(n.min(MAX_N)) / 10.0, ln(dx) / 4.0, ln(dy) / 4.0]);
    out
}

/// The head's input for one dataset: its [`features`] and its chunks' mean point estimate (nats).
#[derive(Debug, Clone, PartialEq)]
pub struct HeadInput {
    /// The features.
    pub features: [f32; FEATURES],
    /// The chunks' mean point estimate.
    pub mean: f64,
}

impl HeadInput {
    /// The estimates the head weighs, in nats: the chunks' mean, KSG and the Gaussian estimate of
    /// all rows (the last two read back from their features, `eᶠ − 1`), and the Gaussian estimate
    /// less its [`gaussian_bias`] (Ince's correction: the Gaussian-copula estimate, not clipped at
    /// 0, so that on independent data it is centred on 0), and whether each exists. KSG exists only
    /// up to [`whole_data::KSG_MAX_DIMS`] columns, the corrected estimate only with more rows than
    /// `dx + dy + 1`; the rows and columns are read back from their features (`ln(rows) / 6` of the
    /// summary, `ln(dx) / 4`, `ln(dy) / 4`), which keep them exact to well under half a unit.
    pub fn candidates(&self) -> ([f64; CANDIDATES], [bool; CANDIDATES]) {
        let nats = |i: usize| f64::from(self.features[WHOLE + i]).exp_m1();
        let count = |f: f32, scale: f64| (f64::from(f) * scale).exp().round() as usize;
        let rows = count(self.features[WHOLE + ROWS], 6.0);
        let (dx, dy) = (count(self.features[FEATURES - 2], 4.0), count(self.features[FEATURES - 1], 4.0));
        let has_ksg = self.features[WHOLE + whole_data::HAS_KSG] > 0.0;
        let has_corrected = rows > dx + dy + 1;
        let corrected = if has_corrected { nats(GAUSSIAN) - gaussian_bias(rows, dx, dy) } else { 0.0 };
        ([self.mean, nats(whole_data::KSG), nats(GAUSSIAN), corrected], [true, has_ksg, true, has_corrected])
    }

    /// The scale of a [`LEGACY_OUTPUTS`] head's corrections and interval, in nats: half the
    /// chunks' mean 90% interval (read back from the features), at least [`MIN_SCALE`]. The set
    /// model's own uncertainty for one chunk: small where the chunks and KSG pin MI down (few
    /// dimensions), so that there a correction cannot add more noise than the chunks have.
    pub fn chunk_scale(&self) -> f64 {
        let q = |l: usize| f64::from(self.features[1 + l]).exp_m1();
        ((q(LEVELS.len() - 1) - q(0)) / 2.0).max(MIN_SCALE)
    }

    /// The scale of an [`OUTPUTS`] head's corrections and interval, in nats: the
    /// [`chunk_scale`](Self::chunk_scale) times `√(SCALE_ROWS / max(n, SCALE_ROWS))`, n read back
    /// from its feature (at most [`MAX_N`]), at least [`MIN_SCALE`]. Above [`SCALE_ROWS`] rows the
    /// whole-data candidates (KSG, the corrected Gaussian estimate) sharpen as n grows while one
    /// chunk's interval does not; a correction as wide as a chunk's interval would add back what
    /// they gained (head-v7 read 1.043 nats for 1 at 10⁵ rows of a Gaussian, `tests/large_n.rs`).
    pub fn scale(&self) -> f64 {
        let n = (f64::from(self.features[FEATURES - 3]) * 10.0).exp();
        (self.chunk_scale() * (SCALE_ROWS / n.max(SCALE_ROWS)).sqrt()).max(MIN_SCALE)
    }
}

/// Smallest [`HeadInput::scale`], nats.
pub const MIN_SCALE: f64 = 0.01;

/// Rows up to which [`HeadInput::scale`] is the chunks' own: the shipped set model's `max_n`.
pub const SCALE_ROWS: f64 = 500.0;

/// One layer of a [`Head`]: weights `[inputs, outputs]` and biases `[outputs]` (`out = in · W + b`).
pub type Layer = (Array2<f32>, Array1<f32>);

/// A fully connected network with ReLU between its layers, read from the model's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    layers: Vec<Layer>,
    /// A [`LEGACY_OUTPUTS`] head: three candidates and the [`HeadInput::chunk_scale`].
    legacy: bool,
}

impl Head {
    /// Reads a head from its metadata: `widths`, the comma-separated layer widths from
    /// [`FEATURES`] to [`OUTPUTS`] or [`LEGACY_OUTPUTS`] (`"20,64,64,8"`), and `weights`, every layer's weights (row-major,
    /// inputs × outputs) then biases, as space-separated numbers.
    ///
    /// # Errors
    /// A message saying what does not fit.
    pub fn parse(widths: &str, weights: &str) -> Result<Head, String> {
        let widths: Vec<usize> = widths
            .split(',')
            .map(|w| w.trim().parse::<usize>().ok().filter(|&w| w > 0))
            .collect::<Option<_>>()
            .ok_or_else(|| format!("layer widths {widths:?} are not positive integers"))?;
        let last = widths[widths.len() - 1];
        if widths.len() < 2 || widths[0] != FEATURES || (last != OUTPUTS && last != LEGACY_OUTPUTS) {
            return Err(format!(
                "layer widths {widths:?} do not go from {FEATURES} features to {OUTPUTS} (or {LEGACY_OUTPUTS}) outputs"
            ));
        }
        let values: Vec<f32> = weights
            .split_ascii_whitespace()
            .map(|v| v.parse::<f32>().ok().filter(|v| v.is_finite()))
            .collect::<Option<_>>()
            .ok_or("the weights are not all finite numbers")?;
        let needed: usize = widths.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
        if values.len() != needed {
            return Err(format!("{} weights for layer widths {widths:?}, which need {needed}", values.len()));
        }
        let mut rest = values.as_slice();
        let mut take = |len: usize| {
            let (now, later) = rest.split_at(len);
            rest = later;
            now.to_vec()
        };
        let layers = widths
            .windows(2)
            .map(|w| {
                let weights = Array2::from_shape_vec((w[0], w[1]), take(w[0] * w[1])).expect("sized above");
                (weights, Array1::from(take(w[1])))
            })
            .collect();
        Ok(Head { layers, legacy: last == LEGACY_OUTPUTS })
    }

    /// The metadata [`Head::parse`] reads, from each layer's `(weights [inputs, outputs], biases)`.
    pub fn format(layers: &[Layer]) -> (String, String) {
        let mut widths = vec![layers.first().map_or(0, |(w, _)| w.nrows())];
        widths.extend(layers.iter().map(|(w, _)| w.ncols()));
        let numbers: Vec<String> =
            layers.iter().flat_map(|(w, b)| w.iter().chain(b).map(f32::to_string).collect::<Vec<_>>()).collect();
        (widths.iter().map(usize::to_string).collect::<Vec<_>>().join(","), numbers.join(" "))
    }

    /// The answer for `input`.
    pub fn answer(&self, input: &HeadInput) -> Answer {
        let scale = if self.legacy { input.chunk_scale() } else { input.scale() };
        Answer::new(self.forward(&input.features), input, scale)
    }

    /// The raw outputs for `features`; a [`LEGACY_OUTPUTS`] head's missing last logit is −∞.
    pub fn forward(&self, features: &[f32; FEATURES]) -> [f32; OUTPUTS] {
        let mut a = Array1::from(features.to_vec());
        for (i, (w, b)) in self.layers.iter().enumerate() {
            a = a.dot(w) + b;
            if i + 1 < self.layers.len() {
                a.mapv_inplace(|v| v.max(0.0));
            }
        }
        std::array::from_fn(|i| a.get(i).copied().unwrap_or(f32::NEG_INFINITY))
    }
}

/// The head's answer for one dataset, in nats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Answer {
    /// Point estimate (before clamping at 0).
    pub point: f64,
    /// Median.
    pub median: f64,
    /// Scale of the quantiles below the median.
    pub below: f64,
    /// Scale of the quantiles above the median.
    pub above: f64,
}

impl Answer {
    /// The answer from the head's `outputs` `[a, b, c, d, l₁, l₂, l₃, l₄]` for `input` at `scale` s: with `m` the
    /// mean of its [`HeadInput::candidates`] weighted by the softmax of the logits `l` over those that
    /// exist (s: [`HeadInput::scale`], or [`HeadInput::chunk_scale`] for a legacy head), point `m + s·a`, median `m + s·b`, scales
    /// `s·e^c` and `s·e^d` (c and d clamped to ±[`MAX_LOG_SCALE`]).
    pub fn new(outputs: [f32; OUTPUTS], input: &HeadInput, scale: f64) -> Self {
        let o = outputs.map(f64::from);
        let (values, available) = input.candidates();
        let logits: Vec<(f64, f64)> =
            (0..CANDIDATES).filter(|&i| available[i]).map(|i| (o[4 + i], values[i])).collect();
        let top = logits.iter().map(|(l, _)| *l).fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = logits.iter().map(|(l, _)| (l - top).exp()).sum();
        let m = logits.iter().map(|(l, v)| (l - top).exp() / total * v).sum::<f64>();
        let s = scale;
        let scale = |v: f64| s * v.clamp(-MAX_LOG_SCALE, MAX_LOG_SCALE).exp();
        Answer { point: m + s * o[0], median: m + s * o[1], below: scale(o[2]), above: scale(o[3]) }
    }

    /// The τ-quantile: `median + below · min(z, 0) + above · max(z, 0)` with `z = Φ⁻¹(τ)`, a normal
    /// with one scale on each side of the median, so increasing in τ.
    pub fn quantile(&self, tau: f64) -> f64 {
        let z = normal_quantile(tau);
        self.median + self.below * z.min(0.0) + self.above * z.max(0.0)
    }
}

/// Largest magnitude of the head's log-scale outputs: scales stay within `s·e^{±20}`.
pub const MAX_LOG_SCALE: f64 = 20.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Vec<Layer> {
        let w1 = Array2::from_shape_fn((FEATURES, 3), |(i, j)| (i as f32 - 2.0 * j as f32) / 10.0);
        let w2 = Array2::from_shape_fn((3, OUTPUTS), |(i, j)| (i + j) as f32 / 7.0 - 0.3);
        let b2 = Array1::from(vec![0.0, 1.0, -1.0, 0.5, 0.0, 0.1, 0.2, 0.3]);
        vec![(w1, Array1::from(vec![0.1, -50.0, 0.2])), (w2, b2)]
    }

    #[test]
    fn a_head_survives_its_metadata_and_computes_a_relu_network() {
        let layers = small();
        let (widths, weights) = Head::format(&layers);
        assert_eq!(widths, format!("{FEATURES},3,{OUTPUTS}"));
        let head = Head::parse(&widths, &weights).unwrap();
        assert_eq!(head.layers, layers);
        let features: [f32; FEATURES] = std::array::from_fn(|i| i as f32 / 20.0);
        let hidden = (Array1::from(features.to_vec()).dot(&layers[0].0) + &layers[0].1).mapv(|v| v.max(0.0));
        assert_eq!(hidden[1], 0.0, "the second unit is below zero before the ReLU");
        let expected = hidden.dot(&layers[1].0) + &layers[1].1;
        assert_eq!(head.forward(&features).to_vec(), expected.to_vec());
    }

    #[test]
    fn bad_metadata_is_refused_with_a_reason() {
        let (widths, weights) = Head::format(&small());
        assert!(Head::parse("20,x,8", &weights).unwrap_err().contains("not positive integers"));
        assert!(Head::parse("19,3,8", &weights).unwrap_err().contains("do not go from"));
        assert!(Head::parse(&widths, &weights[..weights.len() - 4]).unwrap_err().contains("which need"));
        assert!(Head::parse(&widths, &weights.replacen(' ', " NaN ", 1)).unwrap_err().contains("finite"));
    }

    /// An input whose chunk mean is 1 nat, KSG 2 (when `ksg`), Gaussian estimate 4 and scale 1 (the
    /// chunks' 90% interval is [0, 2]).
    fn input(ksg: bool) -> HeadInput {
        let mut features = [0.0; FEATURES];
        features[LEVELS.len()] = 2f64.ln_1p() as f32;
        features[WHOLE + whole_data::KSG] = 2f64.ln_1p() as f32;
        features[WHOLE + whole_data::HAS_KSG] = f32::from(u8::from(ksg));
        features[WHOLE + GAUSSIAN] = 4f64.ln_1p() as f32;
        HeadInput { features, mean: 1.0 }
    }

    #[test]
    fn the_answer_weighs_the_candidates_that_exist() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        // Equal logits: the plain mean of 1, 2 and 4, or of 1 and 4 without KSG.
        assert!(close(Answer::new([0.0; OUTPUTS], &input(true), input(true).chunk_scale()).point, 7.0 / 3.0));
        assert!(close(Answer::new([0.0; OUTPUTS], &input(false), 1.0).point, 2.5));
        // A dominant logit picks its candidate; an absent one is never picked.
        let ksg = [0.5, 0.0, 0.0, 0.0, 0.0, 60.0, 0.0, 0.0];
        assert!(close(Answer::new(ksg, &input(true), 1.0).point, 2.5));
        assert!(close(Answer::new(ksg, &input(false), 1.0).point, 3.0), "KSG's logit is ignored without KSG");
        let answer = Answer::new([0.1, 0.0, -1.0, 2.0, 80.0, 0.0, 0.0, 0.0], &input(true), 1.0);
        assert!(close(answer.point, 1.1) && close(answer.median, 1.0));
        assert!(close(answer.below, (-1.0f64).exp()));
        assert_eq!(answer.quantile(0.5), answer.median);
        // Corrections and scales shrink with the chunks' interval, down to the floor.
        let mut narrow = input(true);
        narrow.features[LEVELS.len()] = 0.2f64.ln_1p() as f32;
        assert!(close(narrow.chunk_scale(), 0.1));
        let answer = Answer::new([0.1, 0.0, -1.0, 2.0, 80.0, 0.0, 0.0, 0.0], &narrow, narrow.chunk_scale());
        assert!(close(answer.point, 1.01) && close(answer.below, 0.1 * (-1.0f64).exp()));
        narrow.features[LEVELS.len()] = 0.0;
        assert_eq!(narrow.chunk_scale(), MIN_SCALE);
    }

    #[test]
    fn the_corrected_candidate_reads_rows_and_columns_back_exactly() {
        let stats = ChunkStats::new(&[0.1, 0.3], [0.0; LEVELS.len()]);
        for (rows, dx, dy) in [(10, 4, 4), (11, 1, 8), (499, 16, 16), (4_321, 3, 7), (whole_data::MAX_ROWS, 16, 16)] {
            let mut whole = [0.0; whole_data::LEN];
            whole[GAUSSIAN] = 0.5f64.ln_1p() as f32;
            whole[ROWS] = ((rows as f64).ln() / 6.0) as f32;
            let input = HeadInput { features: features(&stats, &whole, rows, dx, dy), mean: 0.2 };
            let (values, available) = input.candidates();
            let gaussian = f64::from(whole[GAUSSIAN]).exp_m1();
            assert_eq!(available[3], rows > dx + dy + 1, "{rows} rows, {dx} + {dy} columns");
            if available[3] {
                assert_eq!(values[3], gaussian - gaussian_bias(rows, dx, dy));
            }
        }
    }

    #[test]
    fn the_corrected_candidate_is_the_gaussian_copula_estimate() {
        use crate::baselines::{Estimator, Gcmi};
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let x = Array2::from_shape_simple_fn((2_000, 4), &mut normal);
        let y = x.mapv(|v| 0.3 * v) + Array2::from_shape_simple_fn((2_000, 4), &mut normal);
        let whole = whole_data::features(x.view(), y.view(), &mut rand_chacha::ChaCha8Rng::seed_from_u64(4));
        let stats = ChunkStats::new(&[0.1, 0.3], [0.0; LEVELS.len()]);
        let input = HeadInput { features: features(&stats, &whole, 2_000, 4, 4), mean: 0.2 };
        let gcmi = Gcmi.estimate(x.view(), y.view()).unwrap();
        let corrected = input.candidates().0[3];
        assert!((corrected - gcmi).abs() < 0.005, "candidate {corrected}, GCMI {gcmi}");
    }

    #[test]
    fn a_legacy_head_weighs_the_first_three_candidates() {
        let mut layers = small();
        layers[1] = (
            layers[1].0.slice(ndarray::s![.., ..LEGACY_OUTPUTS]).to_owned(),
            layers[1].1.slice(ndarray::s![..LEGACY_OUTPUTS]).to_owned(),
        );
        let (widths, weights) = Head::format(&layers);
        assert!(widths.ends_with(&format!(",{LEGACY_OUTPUTS}")));
        let legacy = Head::parse(&widths, &weights).unwrap();
        let features: [f32; FEATURES] = std::array::from_fn(|i| i as f32 / 20.0);
        let outputs = legacy.forward(&features);
        assert_eq!(outputs[OUTPUTS - 1], f32::NEG_INFINITY);
        let mut known = input(true);
        known.features = features;
        let mut without = outputs;
        without[OUTPUTS - 1] = -1e30;
        assert_eq!(Answer::new(outputs, &known, 1.0), Answer::new(without, &known, 1.0));
    }

    #[test]
    fn the_scale_shrinks_with_n_above_scale_rows_and_legacy_heads_keep_the_chunks() {
        let stats = ChunkStats::new(&[0.1, 0.3], [0.0, 0.1, 0.2, 0.3, 1.0]);
        let whole = [0.0; whole_data::LEN];
        let at = |n: usize| HeadInput { features: features(&stats, &whole, n, 2, 2), mean: 0.2 };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-5;
        assert!(close(at(300).chunk_scale(), 0.5) && close(at(300).scale(), 0.5));
        assert!(close(at(500).scale(), 0.5));
        assert!(close(at(50_000).scale(), 0.05), "{}", at(50_000).scale());
        assert!(close(at(10 * MAX_N).scale(), 0.05), "n beyond MAX_N reads as MAX_N");
        let mut legacy = small();
        legacy[1] = (
            legacy[1].0.slice(ndarray::s![.., ..LEGACY_OUTPUTS]).to_owned(),
            legacy[1].1.slice(ndarray::s![..LEGACY_OUTPUTS]).to_owned(),
        );
        let (widths, weights) = Head::format(&legacy);
        let input = at(50_000);
        let old = Head::parse(&widths, &weights).unwrap();
        let expected = Answer::new(old.forward(&input.features), &input, input.chunk_scale());
        assert_eq!(old.answer(&input), expected);
    }

    #[test]
    fn quantiles_rise_with_tau_on_both_scales() {
        let answer = Answer { point: 1.0, median: 1.0, below: 0.3, above: 2.0 };
        let q: Vec<f64> = [0.01, 0.05, 0.3, 0.5, 0.7, 0.95, 0.99].iter().map(|&t| answer.quantile(t)).collect();
        assert!(q.windows(2).all(|w| w[0] < w[1]), "{q:?}");
        assert_eq!(q[3], 1.0);
        // The upper scale is the larger: the interval reaches further above the median.
        assert!(q[5] - 1.0 > 1.0 - q[1]);
        let s = input(true).chunk_scale();
        let huge = Answer::new([0.0, 0.0, -1e30, 1e30, 0.0, 0.0, 0.0, 0.0], &input(true), s);
        assert_eq!((huge.below, huge.above), (s * (-MAX_LOG_SCALE).exp(), s * MAX_LOG_SCALE.exp()));
    }

    #[test]
    fn features_put_each_input_in_its_place() {
        let stats = ChunkStats::new(&[1.0, 2.0, 3.0], [0.5, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!((stats.mean, stats.sd), (2.0, 1.0));
        let whole: [f32; whole_data::LEN] = std::array::from_fn(|i| i as f32);
        let f = features(&stats, &whole, 5_000, 2, 1);
        assert_eq!(f[0], 2f64.ln_1p() as f32);
        assert_eq!(f[1], 0.5f64.ln_1p() as f32);
        assert_eq!(f[1 + LEVELS.len()], 1f64.ln_1p() as f32);
        assert_eq!(f[2 + LEVELS.len()..FEATURES - 3], whole);
        assert_eq!(f[FEATURES - 3..], [5_000f64.ln() as f32 / 10.0, 2f64.ln() as f32 / 4.0, 0.0]);
        assert_eq!(features(&ChunkStats { mean: -0.1, ..stats }, &whole, 600, 1, 1)[0], 0.0, "negative MI reads as 0");
        let beyond = features(&stats, &whole, 10 * MAX_N, 2, 1);
        assert_eq!(beyond[FEATURES - 3], (MAX_N as f64).ln() as f32 / 10.0, "n beyond training reads as MAX_N");
    }
}

//! MI-preserving transforms, applied to X and to Y separately: coordinatewise monotone maps,
//! random rotations, spirals and random affine-coupling flows.

use nalgebra::DMatrix;
use ndarray::{Array2, ArrayView2, Axis};
use rand::RngExt;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use statrs::function::erf::erfc;
use std::fmt;

/// A transform family: which injective map is drawn for X and for Y.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transform {
    /// The identity (the study's "base").
    Base,
    /// `asinh` per coordinate.
    Asinh,
    /// `t ↦ t·sqrt|t|` per coordinate.
    HalfCube,
    /// The standard normal CDF `Φ` per coordinate.
    NormalCdf,
    /// The study's fixed wiggly functions (`f` on X, `g` on Y).
    Wiggly,
    /// Random nonzero scale and shift per column.
    Affine,
    /// A random (Haar) rotation.
    Rotation,
    /// `x ↦ exp(s‖x‖² A) x` with a random skew-symmetric generator `A`.
    Spiral,
    /// A few random affine-coupling (RealNVP-style) layers with random permutations between them.
    Flow,
}

impl Transform {
    /// Every transform, in a fixed order.
    pub const ALL: [Transform; 9] = [
        Transform::Base,
        Transform::Asinh,
        Transform::HalfCube,
        Transform::NormalCdf,
        Transform::Wiggly,
        Transform::Affine,
        Transform::Rotation,
        Transform::Spiral,
        Transform::Flow,
    ];

    /// Draws the map for one side (`on_y` picks the study's Y variant of the wiggly function).
    pub fn draw(self, d: usize, on_y: bool, rng: &mut ChaCha8Rng) -> Map {
        match self {
            Transform::Base => Map::Identity,
            Transform::Asinh => Map::Coordinatewise(f64::asinh),
            Transform::HalfCube => Map::Coordinatewise(|t| t * t.abs().sqrt()),
            Transform::NormalCdf => Map::Coordinatewise(|t| 0.5 * erfc(-t / std::f64::consts::SQRT_2)),
            Transform::Wiggly if on_y => Map::Coordinatewise(wiggly_y),
            Transform::Wiggly => Map::Coordinatewise(wiggly_x),
            Transform::Affine => {
                let scale = (0..d)
                    .map(|_| {
                        let s: f64 = rng.random_range(-2.0f64..2.0).exp();
                        if rng.random_bool(0.5) { -s } else { s }
                    })
                    .collect();
                let shift = (0..d).map(|_| rng.random_range(-5.0..5.0)).collect();
                Map::Affine { scale, shift }
            }
            Transform::Rotation => Map::Rotation(random_rotation(d, rng)),
            Transform::Spiral => Map::Spiral(Spiral::draw(d, rng)),
            Transform::Flow => Map::Flow(Flow::draw(d, rng)),
        }
    }
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transform::Base => "base",
            Transform::Asinh => "asinh",
            Transform::HalfCube => "halfcube",
            Transform::NormalCdf => "normalcdf",
            Transform::Wiggly => "wiggly",
            Transform::Affine => "affine",
            Transform::Rotation => "rotation",
            Transform::Spiral => "spiral",
            Transform::Flow => "flow",
        })
    }
}

/// The study's wiggly map for X.
fn wiggly_x(x: f64) -> f64 {
    x + 0.4 * x.sin() + 0.2 * (1.7 * x + 1.0).sin() + 0.03 * (3.3 * x - 2.5).sin()
}

/// The study's wiggly map for Y.
fn wiggly_y(y: f64) -> f64 {
    y - 0.4 * (0.4 * y).sin() + 0.17 * (1.3 * y + 3.5).sin() + 0.02 * (4.3 * y - 2.5).sin()
}

/// A drawn injective map of one side (rows are samples).
#[derive(Debug, Clone)]
pub enum Map {
    /// No change.
    Identity,
    /// The same strictly monotone function on every coordinate.
    Coordinatewise(fn(f64) -> f64),
    /// `x_j ↦ scale_j x_j + shift_j`.
    Affine { scale: Vec<f64>, shift: Vec<f64> },
    /// `x ↦ Q x` with `Q` orthogonal.
    Rotation(DMatrix<f64>),
    /// See [`Spiral`].
    Spiral(Spiral),
    /// See [`Flow`].
    Flow(Flow),
}

impl Map {
    /// Applies the map to every row of `data`.
    pub fn apply(&self, data: Array2<f64>) -> Array2<f64> {
        match self {
            Map::Identity => data,
            Map::Coordinatewise(f) => data.mapv(f),
            Map::Affine { scale, shift } => {
                let mut out = data;
                for mut row in out.rows_mut() {
                    for (j, v) in row.iter_mut().enumerate() {
                        *v = scale[j] * *v + shift[j];
                    }
                }
                out
            }
            Map::Rotation(q) => rotate(data.view(), q),
            Map::Spiral(s) => s.forward(data.view()),
            Map::Flow(f) => f.forward(data.view()),
        }
    }
}

/// A Haar-random `d × d` orthogonal matrix (QR of a Gaussian matrix with the sign fix).
pub fn random_rotation(d: usize, rng: &mut ChaCha8Rng) -> DMatrix<f64> {
    let g = DMatrix::from_fn(d, d, |_, _| rng.sample::<f64, _>(StandardNormal));
    let qr = g.qr();
    let (mut q, r) = (qr.q(), qr.r());
    for j in 0..d {
        if r[(j, j)] < 0.0 {
            q.column_mut(j).neg_mut();
        }
    }
    q
}

/// Rows of `data` times `qᵀ` (each row `x` becomes `Q x`).
fn rotate(data: ArrayView2<f64>, q: &DMatrix<f64>) -> Array2<f64> {
    let d = data.ncols();
    Array2::from_shape_fn(data.raw_dim(), |(i, r)| (0..d).map(|c| q[(r, c)] * data[(i, c)]).sum())
}

/// `x ↦ exp(s‖x‖² A) x` with `A = Q B Qᵀ`, `B` block-diagonal 2 × 2 rotation generators.
///
/// `exp(t A) = Q exp(t B) Qᵀ` is computed exactly from the blocks; the map keeps `‖x‖`, so the
/// inverse is `y ↦ exp(−s‖y‖² A) y`.
#[derive(Debug, Clone)]
pub struct Spiral {
    q: DMatrix<f64>,
    omega: Vec<f64>,
    speed: f64,
}

impl Spiral {
    /// Draws a generator for dimension `d` (the identity when `d = 1`) and a speed `s`.
    pub fn draw(d: usize, rng: &mut ChaCha8Rng) -> Spiral {
        let q = random_rotation(d, rng);
        let omega = (0..d / 2).map(|_| rng.random_range(0.5..1.5)).collect();
        let speed = rng.random_range(0.05..0.5) / d as f64;
        Spiral { q, omega, speed }
    }

    /// Applies the spiral to each row.
    pub fn forward(&self, data: ArrayView2<f64>) -> Array2<f64> {
        self.turn(data, self.speed)
    }

    /// Undoes [`Spiral::forward`].
    pub fn inverse(&self, data: ArrayView2<f64>) -> Array2<f64> {
        self.turn(data, -self.speed)
    }

    fn turn(&self, data: ArrayView2<f64>, speed: f64) -> Array2<f64> {
        let qt = self.q.transpose();
        let mut out = rotate(data, &qt);
        for (mut row, orig) in out.rows_mut().into_iter().zip(data.rows()) {
            let t = speed * orig.dot(&orig);
            for (b, &w) in self.omega.iter().enumerate() {
                let (s, c) = (t * w).sin_cos();
                let (u, v) = (row[2 * b], row[2 * b + 1]);
                row[2 * b] = c * u - s * v;
                row[2 * b + 1] = s * u + c * v;
            }
        }
        rotate(out.view(), &self.q)
    }
}

/// One affine-coupling layer: `x_b ↦ x_b ⊙ exp(s(x_a)) + t(x_a)` after a fixed permutation, with
/// `s = S·tanh(·)` bounded and a one-hidden-layer tanh conditioner.
#[derive(Debug, Clone)]
struct Coupling {
    perm: Vec<usize>,
    split: usize,
    w1: DMatrix<f64>,
    b1: Vec<f64>,
    ws: DMatrix<f64>,
    bs: Vec<f64>,
    wt: DMatrix<f64>,
    bt: Vec<f64>,
}

const HIDDEN: usize = 16;
const MAX_LOG_SCALE: f64 = 0.5;

impl Coupling {
    fn draw(d: usize, rng: &mut ChaCha8Rng) -> Coupling {
        let mut perm: Vec<usize> = (0..d).collect();
        perm.shuffle(rng);
        let split = d / 2;
        let mut gauss = |rows: usize, cols: usize, std: f64| {
            DMatrix::from_fn(rows, cols, |_, _| std * rng.sample::<f64, _>(StandardNormal))
        };
        let w1 = gauss(HIDDEN, split, 1.0 / (split.max(1) as f64).sqrt());
        let ws = gauss(d - split, HIDDEN, 0.5 / (HIDDEN as f64).sqrt());
        let wt = gauss(d - split, HIDDEN, 0.5 / (HIDDEN as f64).sqrt());
        let mut vec = |len: usize, std: f64| (0..len).map(|_| std * rng.sample::<f64, _>(StandardNormal)).collect();
        Coupling { perm, split, w1, b1: vec(HIDDEN, 0.5), ws, bs: vec(d - split, 0.3), wt, bt: vec(d - split, 0.5) }
    }

    /// Log-scale and shift for the conditioning half `a`.
    fn conditioner(&self, a: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let h: Vec<f64> = (0..HIDDEN)
            .map(|r| (self.b1[r] + a.iter().enumerate().map(|(c, v)| self.w1[(r, c)] * v).sum::<f64>()).tanh())
            .collect();
        let lin = |w: &DMatrix<f64>, b: &[f64]| -> Vec<f64> {
            (0..b.len()).map(|r| b[r] + h.iter().enumerate().map(|(c, v)| w[(r, c)] * v).sum::<f64>()).collect()
        };
        let s = lin(&self.ws, &self.bs).into_iter().map(|v| MAX_LOG_SCALE * v.tanh()).collect();
        (s, lin(&self.wt, &self.bt))
    }

    /// Forward (`inverse = false`) or inverse map of one row, in place.
    fn apply_row(&self, row: &mut [f64], inverse: bool) {
        let permuted: Vec<f64> = self.perm.iter().map(|&p| row[p]).collect();
        let (a, b) = permuted.split_at(self.split);
        let (s, t) = self.conditioner(a);
        let b: Vec<f64> = b
            .iter()
            .zip(s.iter().zip(&t))
            .map(|(v, (s, t))| if inverse { (v - t) * (-s).exp() } else { v * s.exp() + t })
            .collect();
        for (slot, &p) in self.perm.iter().enumerate() {
            row[p] = if slot < self.split { a[slot] } else { b[slot - self.split] };
        }
    }
}

/// A random normalizing flow: 2–4 affine-coupling layers with random permutations.
#[derive(Debug, Clone)]
pub struct Flow {
    layers: Vec<Coupling>,
}

impl Flow {
    /// Draws a flow on `d` coordinates (for `d = 1` each layer is a random affine map).
    pub fn draw(d: usize, rng: &mut ChaCha8Rng) -> Flow {
        let depth = rng.random_range(2..=4);
        Flow { layers: (0..depth).map(|_| Coupling::draw(d, rng)).collect() }
    }

    /// Applies the flow to each row.
    pub fn forward(&self, data: ArrayView2<f64>) -> Array2<f64> {
        self.run(data, false)
    }

    /// Undoes [`Flow::forward`].
    pub fn inverse(&self, data: ArrayView2<f64>) -> Array2<f64> {
        self.run(data, true)
    }

    fn run(&self, data: ArrayView2<f64>, inverse: bool) -> Array2<f64> {
        let mut out = data.as_standard_layout().into_owned();
        for mut row in out.axis_iter_mut(Axis(0)) {
            let row = row.as_slice_mut().expect("owned rows are contiguous");
            if inverse {
                self.layers.iter().rev().for_each(|l| l.apply_row(row, true));
            } else {
                self.layers.iter().for_each(|l| l.apply_row(row, false));
            }
        }
        out
    }
}

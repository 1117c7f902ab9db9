//! Families (base × structure × transform), their dimension rules and the named split lists.

use super::covariance::Structure;
use super::everyday::Everyday;
use super::transforms::Transform;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::fmt;

/// Largest dx and dy drawn by the sampler.
pub const MAX_DIM: usize = 32;

/// The base distribution of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Base {
    /// Multivariate normal.
    Normal,
    /// Multivariate Student-t with `ν ~ U(1, 10)`.
    Student,
    /// Additive uniform noise (dx = dy).
    AdditiveNoise,
    /// Two independent blocks of the bases above, stacked (MI is the sum).
    Concat,
    /// One of the everyday families ([`crate::everyday`]), outside the training meta-distribution.
    Everyday(Everyday),
}

impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Base::Normal => "normal",
            Base::Student => "student",
            Base::AdditiveNoise => "additive-noise",
            Base::Concat => "concat",
            Base::Everyday(family) => return family.fmt(f),
        })
    }
}

/// One family of the meta-dataset: displayed as the study names it, e.g. `student sparse-asinh`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Family {
    /// The base distribution.
    pub base: Base,
    /// The correlation structure (Normal and Student only).
    pub structure: Option<Structure>,
    /// The MI-preserving transform applied to X and Y separately.
    pub transform: Transform,
}

impl Family {
    /// A Normal or Student family with a structure.
    pub const fn structured(base: Base, structure: Structure, transform: Transform) -> Family {
        Family { base, structure: Some(structure), transform }
    }

    /// An unstructured family (additive noise or concatenation).
    pub const fn plain(base: Base, transform: Transform) -> Family {
        Family { base, structure: None, transform }
    }

    /// Smallest `(dx, dy)` the family can be built for.
    pub fn min_dims(&self) -> (usize, usize) {
        match (self.base, self.structure) {
            (Base::Concat, _) => (2, 2),
            (_, Some(s)) => (s.min_dim(), s.min_dim()),
            _ => (1, 1),
        }
    }

    /// Whether the family needs `dx = dy`.
    pub fn needs_equal_dims(&self) -> bool {
        match self.base {
            Base::AdditiveNoise => true,
            Base::Everyday(family) => family.needs_equal_dims(),
            _ => false,
        }
    }

    /// Whether the family can be built for `(dx, dy)`: at least [`Family::min_dims`], equal where it
    /// [needs](Family::needs_equal_dims) them equal, and within an everyday family's largest dims.
    pub fn fits(&self, dx: usize, dy: usize) -> bool {
        let (lx, ly) = self.min_dims();
        let max = match self.base {
            Base::Everyday(family) => family.max_dim(),
            _ => usize::MAX,
        };
        dx >= lx && dy >= ly && dx.max(dy) <= max && (dx == dy || !self.needs_equal_dims())
    }

    /// An everyday family ([`crate::everyday`]).
    pub const fn everyday(family: Everyday) -> Family {
        Family { base: Base::Everyday(family), structure: None, transform: Transform::Base }
    }

    /// Whether this is one of the rounded everyday families.
    pub fn is_rounded(&self) -> bool {
        matches!(self.base, Base::Everyday(e) if e.step().is_some())
    }

    /// Draws `(dx, dy)` in `min_dims ..= MAX_DIM`, independently unless the family needs them equal.
    pub fn draw_dims(&self, rng: &mut ChaCha8Rng) -> (usize, usize) {
        self.draw_dims_up_to(MAX_DIM, rng)
    }

    /// Draws `(dx, dy)` in `min_dims ..= max` (`max` at least 2, so every family fits; an everyday
    /// family's own largest dims cap it).
    pub fn draw_dims_up_to(&self, max: usize, rng: &mut ChaCha8Rng) -> (usize, usize) {
        let max = match self.base {
            Base::Everyday(family) => max.min(family.max_dim()),
            _ => max,
        };
        let (lx, ly) = self.min_dims();
        let dx = rng.random_range(lx..=max);
        let dy = if self.needs_equal_dims() { dx } else { rng.random_range(ly..=max) };
        (dx, dy)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.structure, self.base) {
            (Some(s), _) => write!(f, "{} {}-{}", self.base, s, self.transform),
            (None, Base::Everyday(family)) => family.fmt(f),
            (None, _) => write!(f, "{} {}", self.base, self.transform),
        }
    }
}

use Base::{AdditiveNoise, Normal, Student};
use Structure::{Dense, Lvm, Sparse};
use Transform::{Asinh, HalfCube, Wiggly};

/// The in-meta-distribution test families (all of them also in training).
pub const IMD_TEST: [Family; 6] = [
    Family::structured(Normal, Dense, Transform::Base),
    Family::structured(Normal, Lvm, Wiggly),
    Family::structured(Normal, Dense, HalfCube),
    Family::structured(Student, Dense, Transform::Base),
    Family::structured(Student, Sparse, Transform::Base),
    Family::structured(Student, Sparse, Asinh),
];

/// The out-of-meta-distribution test families: never in training or validation.
pub const OOMD_TEST: [Family; 7] = [
    Family::structured(Normal, Dense, Wiggly),
    Family::structured(Normal, Sparse, HalfCube),
    Family::structured(Normal, Sparse, Asinh),
    Family::structured(Student, Sparse, Wiggly),
    Family::structured(Student, Dense, HalfCube),
    Family::plain(AdditiveNoise, Transform::Base),
    Family::plain(AdditiveNoise, HalfCube),
];

/// The everyday families: independence, weak dense dependence (Gaussian and Student-t copulas) and
/// rounded measurements at every step of [`crate::everyday::ROUNDING_STEPS`]. Never in the
/// network's training; the head's (`head-data --everyday`) draws them from [`crate::Split::EverydayTrain`].
pub fn everyday_families() -> Vec<Family> {
    let mut out: Vec<Family> =
        [Everyday::Independent, Everyday::DenseGaussian, Everyday::DenseStudent].map(Family::everyday).to_vec();
    out.extend(crate::everyday::ROUNDING_STEPS.map(|step_milli| Family::everyday(Everyday::Rounded { step_milli })));
    out
}

/// Every family that can be built, in a fixed order.
pub fn all_families() -> Vec<Family> {
    let mut out = Vec::new();
    for t in Transform::ALL {
        for base in [Normal, Student] {
            out.extend(Structure::ALL.iter().map(|&s| Family::structured(base, s, t)));
        }
        out.push(Family::plain(AdditiveNoise, t));
        out.push(Family::plain(Base::Concat, t));
    }
    out
}

/// The training (and validation) families: every family except the OoMD test list.
pub fn training_families() -> Vec<Family> {
    all_families().into_iter().filter(|f| !OOMD_TEST.contains(f)).collect()
}

impl std::str::FromStr for Family {
    type Err = String;

    /// Parses a family by its displayed name, e.g. `student sparse-asinh` or `additive-noise base`.
    fn from_str(s: &str) -> Result<Family, String> {
        let wanted = s.split_whitespace().collect::<Vec<_>>().join(" ");
        all_families()
            .into_iter()
            .chain(everyday_families())
            .find(|f| f.to_string() == wanted)
            .ok_or_else(|| format!("unknown family {s:?} (e.g. \"normal dense-base\", \"additive-noise halfcube\")"))
    }
}

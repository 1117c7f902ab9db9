//! The special functions the estimators need, written here so that libmist depends on no
//! statistics crate: the standard normal quantile Φ⁻¹ (rank-Gaussian scores, quantile levels), the
//! digamma function ψ (KSG's and the Gaussian-copula estimator's bias terms), and ln Γ and the
//! trigamma function ψ′ (the NSB entropy estimate of contingency tables).
//!
//! Φ⁻¹ is Wichura's algorithm AS 241 (Applied Statistics 37, 1988), accurate to about 1e-16
//! relative, evaluated on the lower half only and mirrored, so that it is exactly antisymmetric:
//! the scores of ranks r and n − 1 − r are negatives of each other to the bit, and a column's
//! scores sum to exactly 0, whichever way round a column is ranked.

/// `Φ⁻¹(p)` for `p` in (0, ½], by AS 241 (the tails through `r = √(−ln p)`).
fn lower_quantile(p: f64) -> f64 {
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * horner(&CENTRAL_NUM, r) / horner(&CENTRAL_DEN, r);
    }
    let r = (-p.ln()).sqrt();
    let value = if r <= 5.0 {
        let r = r - 1.6;
        horner(&MIDDLE_NUM, r) / horner(&MIDDLE_DEN, r)
    } else {
        let r = r - 5.0;
        horner(&TAIL_NUM, r) / horner(&TAIL_DEN, r)
    };
    -value
}

/// The standard normal quantile `Φ⁻¹(p)` for `p` in (0, 1), with `Φ⁻¹(p) = −Φ⁻¹(1 − p)` exactly
/// wherever `1 − p` is exact (every `p` ≥ ¼). NaN outside (0, 1).
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || p <= 0.0 || p >= 1.0 {
        return f64::NAN;
    }
    if p > 0.5 { -lower_quantile(1.0 - p) } else { lower_quantile(p) }
}

/// The normal score `Φ⁻¹(k / (2n))` of the `k`-th of `2n` half-steps (`k` in `1..2n`): rank `r`
/// (1-based, possibly a tie's average `r + ½`) of `n` has `k = 2r − 1`. Exactly antisymmetric in
/// `k ↔ 2n − k`: the upper half is the mirror of the lower, computed from the same integer, and the
/// middle (`k = n`) is `+0.0`.
pub fn rank_score(k: usize, n: usize) -> f64 {
    let two_n = 2 * n;
    if 2 * k == two_n {
        return 0.0;
    }
    if 2 * k > two_n {
        -lower_quantile((two_n - k) as f64 / two_n as f64)
    } else {
        lower_quantile(k as f64 / two_n as f64)
    }
}

/// The digamma function `ψ(x) = Γ′(x) / Γ(x)` for `x > 0`: the recurrence `ψ(x) = ψ(x + 1) − 1/x` up
/// to `x ≥ 10`, then the asymptotic series to x⁻¹² (truncation error below 1e-15 there). NaN for
/// `x ≤ 0` or NaN.
pub fn digamma(mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut shift = 0.0;
    while x < 10.0 {
        shift -= 1.0 / x;
        x += 1.0;
    }
    let inv2 = 1.0 / (x * x);
    // ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ), k = 1..6.
    let series = inv2
        * (1.0 / 12.0
            - inv2
                * (1.0 / 120.0
                    - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0 - inv2 * 691.0 / 32760.0)))));
    shift + x.ln() - 0.5 / x - series
}

/// `ln Γ(x)` for `x > 0`: the recurrence `ln Γ(x) = ln Γ(x + 1) − ln x` up to `x ≥ 10`, then
/// Stirling's series to x⁻⁹ (truncation error below 1e-14 there). NaN for `x ≤ 0` or NaN.
pub fn ln_gamma(mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut shift = 1.0;
    while x < 10.0 {
        shift *= x;
        x += 1.0;
    }
    let (inv, inv2) = (1.0 / x, 1.0 / (x * x));
    // 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹).
    let series =
        inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0))));
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series - shift.ln()
}

/// The trigamma function `ψ′(x)` for `x > 0`: the recurrence `ψ′(x) = ψ′(x + 1) + 1/x²` up to
/// `x ≥ 10`, then the asymptotic series to x⁻¹¹. NaN for `x ≤ 0` or NaN.
pub fn trigamma(mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut shift = 0.0;
    while x < 10.0 {
        shift += 1.0 / (x * x);
        x += 1.0;
    }
    let (inv, inv2) = (1.0 / x, 1.0 / (x * x));
    // 1/x + 1/(2x²) + Σ B₂ₖ / x²ᵏ⁺¹, k = 1..5.
    let series =
        inv * inv2 * (1.0 / 6.0 - inv2 * (1.0 / 30.0 - inv2 * (1.0 / 42.0 - inv2 * (1.0 / 30.0 - inv2 * 5.0 / 66.0))));
    shift + inv + 0.5 * inv2 + series
}

/// `c[0] + c[1]·x + … + c[7]·x⁷`.
fn horner(c: &[f64; 8], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ci| acc * x + ci)
}

// AS 241's coefficients, lowest power first, as published (more digits than an f64 holds).
#[allow(clippy::excessive_precision)]
const CENTRAL_NUM: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
#[allow(clippy::excessive_precision)]
const CENTRAL_DEN: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];
#[allow(clippy::excessive_precision)]
const MIDDLE_NUM: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];
#[allow(clippy::excessive_precision)]
const MIDDLE_DEN: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
#[allow(clippy::excessive_precision)]
const TAIL_NUM: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
#[allow(clippy::excessive_precision)]
const TAIL_DEN: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values to 17 significant digits (mpmath at 40 digits).
    #[test]
    fn quantile_matches_reference_values() {
        let cases = [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.025, -1.959_963_984_540_054),
            (0.9, 1.281_551_565_544_600_5),
            (0.05, -1.644_853_626_951_472_7),
            (1e-3, -3.090_232_306_167_813_5),
            (1e-10, -6.361_340_902_404_056),
            (1e-300, -37.047_096_299_361_2),
        ];
        for (p, z) in cases {
            let got = normal_quantile(p);
            assert!((got - z).abs() <= 2e-15 * z.abs().max(1.0), "Φ⁻¹({p}) = {got}, want {z}");
        }
        assert!(normal_quantile(0.0).is_nan() && normal_quantile(1.0).is_nan() && normal_quantile(f64::NAN).is_nan());
    }

    #[test]
    fn scores_are_exactly_antisymmetric() {
        for n in [1, 2, 3, 7, 10, 150, 499, 500, 501, 100_000] {
            for k in (1..2 * n).step_by((n / 50).max(1)) {
                let (a, b) = (rank_score(k, n), rank_score(2 * n - k, n));
                assert!(a == -b && (a == 0.0 || a.to_bits() == (-b).to_bits()), "k = {k}, n = {n}");
            }
            assert_eq!(rank_score(n, n).to_bits(), 0.0f64.to_bits(), "the middle half-step scores +0");
        }
        for p in [0.25, 0.3, 0.4, 0.49, 0.6, 0.9, 0.99] {
            assert_eq!(normal_quantile(p), -normal_quantile(1.0 - p));
        }
        assert_eq!(rank_score(1, 4), normal_quantile(0.125));
    }

    #[test]
    fn digamma_matches_reference_values() {
        let cases = [
            (1.0, -0.577_215_664_901_532_9),
            (0.5, -1.963_510_026_021_423_5),
            (10.0, 2.251_752_589_066_721),
            (2.5, 0.703_156_640_645_243_2),
            (1e-3, -1_000.575_571_931_810_3),
            (1e6, 13.815_510_057_964_19),
        ];
        for (x, want) in cases {
            let got = digamma(x);
            assert!((got - want).abs() <= 1e-13 * want.abs().max(1.0), "ψ({x}) = {got}, want {want}");
        }
        assert!(digamma(0.0).is_nan() && digamma(-1.0).is_nan());
    }

    #[test]
    fn ln_gamma_and_trigamma_match_reference_values() {
        let pi = std::f64::consts::PI;
        // ln Γ: Γ(1) = Γ(2) = 1, Γ(½) = √π, Γ(10) = 9!, and ln Γ(1e-7) ≈ −ln(1e-7) − γ·1e-7.
        for (x, want) in [
            (1.0, 0.0),
            (2.0, 0.0),
            (0.5, 0.5 * pi.ln()),
            (10.0, 362_880f64.ln()),
            (1e-7, -(1e-7f64).ln() - 0.577_215_664_901_532_9e-7),
            (1000.5, 5_908.674_175_848_678),
        ] {
            let got = ln_gamma(x);
            assert!((got - want).abs() <= 1e-12 * want.abs().max(1.0), "ln Γ({x}) = {got}, want {want}");
        }
        // ψ′(1) = π²/6, ψ′(½) = π²/2, ψ′(2) = π²/6 − 1, ψ′(x) ≈ 1/x + 1/(2x²) for large x.
        for (x, want) in [(1.0, pi * pi / 6.0), (0.5, pi * pi / 2.0), (2.0, pi * pi / 6.0 - 1.0), (1e8, 1e-8 + 0.5e-16)]
        {
            let got = trigamma(x);
            assert!((got - want).abs() <= 1e-13 * want.abs(), "ψ′({x}) = {got}, want {want}");
        }
        assert!(ln_gamma(0.0).is_nan() && trigamma(-1.0).is_nan());
    }
}

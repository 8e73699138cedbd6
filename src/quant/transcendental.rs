//! Exponentials, reciprocals, the logistic function and tanh in fixed
//! point, as gemmlowp computes them for TensorFlow Lite's int8 softmax,
//! logistic and tanh kernels, so that their outputs are TensorFlow Lite
//! Micro's, bit for bit.
//!
//! A fixed-point number here is an `i32` with a number of integer bits
//! (`Qm.n`, `m + n = 31`); a product of two is their rounded doubling high
//! multiplication, and its integer bits add up.

use super::fixed::{rounding_divide_by_pot, saturating_rounding_doubling_high_mul};

/// `x · 2^exponent` for `exponent ≥ 0`, saturating: gemmlowp's
/// `SaturatingRoundingMultiplyByPOT` for a left shift.
pub(super) fn saturating_shift_left(x: i32, exponent: u32) -> i32 {
    let threshold = (1i32 << (31 - exponent)) - 1;
    if x > threshold {
        i32::MAX
    } else if x < -threshold {
        i32::MIN
    } else {
        x << exponent
    }
}

/// `exp(a)` in Q0.31 for `a ≤ 0` with `INTEGER_BITS` integer bits (4 or
/// 5): gemmlowp's `exp_on_negative_values`. `a` is split into a multiple of
/// 1/4 and the rest in `[−1/4, 0)`; the rest goes through a polynomial, and
/// each bit of the multiple multiplies by a constant `exp(−2^k)`.
pub(super) fn exp_on_negative_values<const INTEGER_BITS: i32>(a: i32) -> i32 {
    let fraction_bits = 31 - INTEGER_BITS;
    let one_quarter = 1 << (fraction_bits - 2);
    let rest = (a & (one_quarter - 1)).wrapping_sub(one_quarter);
    let mut result = exp_on_quarter_below_zero(saturating_shift_left(rest, INTEGER_BITS as u32));
    let multiple = rest.wrapping_sub(a);
    // exp(−2^k) in Q0.31, for k from −2 to 4, as far as the integer bits go.
    let factors =
        [1_672_461_947, 1_302_514_674, 790_015_084, 290_630_308, 39_332_535, 720_401, 242];
    for (k, factor) in (-2..INTEGER_BITS).zip(factors) {
        if multiple & (1 << (fraction_bits + k)) != 0 {
            result = saturating_rounding_doubling_high_mul(result, factor);
        }
    }
    if a == 0 { i32::MAX } else { result }
}

/// `exp(a)` in Q0.31 for `a` in `[−1/4, 0)` (Q0.31): a Taylor expansion of
/// degree 4 around −1/8, gemmlowp's
/// `exp_on_interval_between_negative_one_quarter_and_0_excl`.
fn exp_on_quarter_below_zero(a: i32) -> i32 {
    let mul = saturating_rounding_doubling_high_mul;
    // exp(−1/8) and 1/3, in Q0.31.
    let (exp_minus_one_eighth, one_third): (i32, i32) = (1_895_147_668, 715_827_883);
    let x = a.wrapping_add(1 << 28);
    let (x2, x4) = (mul(x, x), mul(mul(x, x), mul(x, x)));
    let x3 = mul(x2, x);
    let x4_over_4 = rounding_divide_by_pot(x4, 2);
    let rest =
        rounding_divide_by_pot(mul(x4_over_4.wrapping_add(x3), one_third).wrapping_add(x2), 1);
    exp_minus_one_eighth.wrapping_add(mul(exp_minus_one_eighth, x.wrapping_add(rest)))
}

/// `1 / x` for `x` with `integer_bits` integer bits, `x ≥ 1`: the reciprocal
/// in Q0.31 and the power of two it is off by (gemmlowp's `GetReciprocal`):
/// `x` is normalized into `[1, 2)`, and `1 / (1 + (x − 1))` found by three
/// Newton–Raphson steps.
pub(super) fn reciprocal(x: i32, integer_bits: i32) -> (i32, i32) {
    let headroom = (x as u32).leading_zeros();
    let normalized_minus_one =
        (x as u32).checked_shl(headroom).unwrap_or(0).wrapping_sub(1 << 31) as i32;
    (one_over_one_plus(normalized_minus_one), integer_bits - headroom as i32)
}

/// `(a + b) / 2`, rounded half away from zero: gemmlowp's `RoundingHalfSum`.
fn rounding_half_sum(a: i32, b: i32) -> i32 {
    let sum = i64::from(a) + i64::from(b);
    ((sum + if sum >= 0 { 1 } else { -1 }) / 2) as i32
}

/// `1 / (1 + a)` for `a` in `[0, 1)`, both in Q0.31: gemmlowp's
/// `one_over_one_plus_x_for_x_in_0_1`.
fn one_over_one_plus(a: i32) -> i32 {
    // 2 / (1 + a) in Q2.29, halved.
    saturating_shift_left(two_over_one_plus(a), 1)
}

/// `(1 − a) / (1 + a)` for `a` in `[0, 1)`, both in Q0.31: gemmlowp's
/// `one_minus_x_over_one_plus_x_for_x_in_0_1`.
fn one_minus_over_one_plus(a: i32) -> i32 {
    // 2 / (1 + a) − 1, from Q2.29.
    saturating_shift_left(two_over_one_plus(a).wrapping_sub(1 << 29), 2)
}

/// `1 / ((1 + a) / 2)` in Q2.29, for `a` in `[0, 1)` (Q0.31): three
/// Newton–Raphson steps from the best linear first guess.
fn two_over_one_plus(a: i32) -> i32 {
    let mul = saturating_rounding_doubling_high_mul;
    let half_denominator = rounding_half_sum(a, i32::MAX);
    // 48/17 and −32/17 in Q2.29.
    let mut x = 1_515_870_810i32.wrapping_add(mul(half_denominator, -1_010_580_540));
    for _ in 0..3 {
        let error = (1i32 << 29).wrapping_sub(mul(half_denominator, x));
        x = x.wrapping_add(saturating_shift_left(mul(x, error), 2));
    }
    x
}

/// The logistic function `1 / (1 + exp(−a))` in Q0.31 for `a` in Q4.27:
/// gemmlowp's `logistic`.
pub(super) fn logistic(a: i32) -> i32 {
    if a == 0 {
        return 1 << 30;
    }
    let positive = one_over_one_plus(exp_on_negative_values::<4>(a.wrapping_abs().wrapping_neg()));
    if a > 0 { positive } else { i32::MAX.wrapping_sub(positive) }
}

/// `tanh(a)` in Q0.31 for `a` in Q4.27: gemmlowp's `tanh`, from
/// `exp(−2|a|)` (the same bits read as Q5.26 are `−2|a|`).
pub(super) fn tanh(a: i32) -> i32 {
    if a == 0 {
        return 0;
    }
    let magnitude =
        one_minus_over_one_plus(exp_on_negative_values::<5>(a.wrapping_abs().wrapping_neg()));
    if a < 0 { magnitude.wrapping_neg() } else { magnitude }
}

/// The largest input difference, in steps of a scale multiplied by
/// `2^shift / 2^(31 − integer_bits)`, whose scaled value still fits with
/// `integer_bits` integer bits: TensorFlow Lite's `CalculateInputRadius`.
pub(super) fn input_radius(integer_bits: i32, shift: i32) -> i32 {
    let largest = f64::from((1 << integer_bits) - 1) * f64::from(1 << (31 - integer_bits))
        / (1u64 << shift.clamp(0, 63)) as f64;
    // Positive, so truncating is rounding down.
    largest as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(q: i32, fraction_bits: i32) -> f64 {
        f64::from(q) / (1u64 << fraction_bits) as f64
    }

    #[test]
    fn exponentials_are_within_a_millionth_of_exp() {
        for a in (-(31 << 26)..=0).step_by(1 << 18).chain([-1, -(1 << 24), -(1 << 26)]) {
            let expected = real(a, 26).exp();
            let found = real(exp_on_negative_values::<5>(a), 31);
            assert!(
                (found - expected).abs() < 1e-6,
                "exp({}) = {found}, not {expected}",
                real(a, 26)
            );
        }
        assert_eq!(exp_on_negative_values::<5>(0), i32::MAX);
    }

    #[test]
    fn reciprocals_are_within_1e8_of_one_over_x() {
        for x in (1 << 19..=i32::MAX).step_by(1 << 20) {
            let (reciprocal, bits) = reciprocal(x, 12);
            let found = real(reciprocal, 31) * 2f64.powi(-bits);
            let expected = 1.0 / real(x, 31 - 12);
            assert!((found / expected - 1.0).abs() < 1e-8, "1/{x}: {found} against {expected}");
        }
    }

    #[test]
    fn shifts_saturate_at_the_ends_of_i32() {
        for exponent in 1..=5u32 {
            let edge = 1i64 << (31 - exponent);
            for x in [edge - 2, edge - 1, edge, edge + 1, i64::from(i32::MAX), 0, 1] {
                for x in [x, -x, -x - 1] {
                    let Ok(x) = i32::try_from(x) else { continue };
                    let exact = (i64::from(x) << exponent).clamp(i32::MIN.into(), i32::MAX.into());
                    assert_eq!(
                        i64::from(saturating_shift_left(x, exponent)),
                        exact,
                        "{x} << {exponent}"
                    );
                }
            }
        }
    }

    #[test]
    fn half_sums_round_half_away_from_zero() {
        for (a, b) in [
            (1, 2),
            (-1, -2),
            (2, 4),
            (-3, 0),
            (0, 0),
            (i32::MAX, i32::MAX),
            (i32::MIN, i32::MIN),
            (i32::MAX, 0),
            (i32::MIN, 1),
            (5, -2),
            (-5, 2),
        ] {
            let exact = (f64::from(a) + f64::from(b)) / 2.0;
            let expected = crate::quant::fixed::round_half_away(exact) as i32;
            assert_eq!(rounding_half_sum(a, b), expected, "({a} + {b}) / 2");
        }
    }

    #[test]
    fn exponentials_with_four_integer_bits_are_within_a_millionth_of_exp() {
        for a in (-(15 << 27)..=0).step_by(1 << 19).chain([-1, -(1 << 25), -(1 << 27)]) {
            let expected = real(a, 27).exp();
            let found = real(exp_on_negative_values::<4>(a), 31);
            assert!(
                (found - expected).abs() < 1e-6,
                "exp({}) = {found}, not {expected}",
                real(a, 27)
            );
        }
    }

    #[test]
    fn logistic_and_tanh_are_within_2e7_of_the_functions() {
        for a in (-(15 << 27)..=(15 << 27)).step_by(1 << 19).chain([-1, 0, 1, i32::MAX, -i32::MAX])
        {
            let x = real(a, 27);
            let (logistic, tanh) = (real(logistic(a), 31), real(tanh(a), 31));
            assert!(
                (logistic - 1.0 / (1.0 + (-x).exp())).abs() < 2e-7,
                "logistic({x}) = {logistic}"
            );
            assert!((tanh - x.tanh()).abs() < 2e-7, "tanh({x}) = {tanh}");
        }
        assert_eq!((logistic(0), tanh(0)), (1 << 30, 0));
    }

    #[test]
    fn input_radii_are_tensorflow_lites() {
        // 15 · 2^27 / 2^23 = 240, 31 · 2^26 / 2^23 = 248.
        assert_eq!((input_radius(4, 23), input_radius(5, 23)), (240, 248));
        assert_eq!(input_radius(4, 0), 15 << 27);
    }
}

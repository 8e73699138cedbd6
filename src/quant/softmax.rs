//! int8 softmax, TensorFlow Lite's `SOFTMAX`: the exponentials, their sum
//! and its reciprocal in gemmlowp's fixed point, as TensorFlow Lite Micro's
//! reference kernel computes them, so that the outputs are its outputs.
//!
//! A fixed-point number here is an `i32` with a number of integer bits
//! (`Qm.n`, `m + n = 31`); a product of two is their rounded doubling high
//! multiplication, and its integer bits add up.

use super::fixed::{Multiplier, rounding_divide_by_pot, saturating_rounding_doubling_high_mul};

/// Integer bits of the scaled input differences (Q5.26, values in
/// `[−32, 0]`): a difference scaled below −31 is left out (`diff_min`).
const DIFF_INTEGER_BITS: i32 = 5;
/// Integer bits of the sum of the exponentials (Q12.19).
const SUM_INTEGER_BITS: i32 = 12;

/// A softmax over `N` int8 values, TensorFlow Lite's way: the output's
/// scale is always `1/256` and its zero point −128, so that −128 stands
/// for 0 and 127 for `255/256`.
///
/// ```
/// use constnet::quant::QSoftmax;
///
/// let softmax = QSoftmax::<3>::new(1.0, 0.1).unwrap();
/// let y = softmax.forward(&[20, 10, 10]);
/// // e / (e + 2) = 0.576 and 1 / (e + 2) = 0.212, in 256ths, less 128:
/// assert_eq!(y, [19, -74, -74]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QSoftmax<const N: usize> {
    /// `beta · input_scale · 2^26`: brings an input difference to Q5.26,
    /// with `left_shift` (a multiplier greater than one).
    pub multiplier: i32,
    /// The multiplier's power of two, a left shift.
    pub left_shift: i32,
    /// The smallest difference from the largest input that still counts:
    /// the ones below it give −128 (0), as exponentials too small to matter.
    pub diff_min: i32,
}

impl<const N: usize> QSoftmax<N> {
    /// The softmax of `beta · x` for inputs of scale `input_scale`, with
    /// TensorFlow Lite's parameters (`PreprocessSoftmaxScaling`,
    /// `CalculateInputRadius`); `None` where TensorFlow Lite refuses them:
    /// `beta · input_scale · 2^26` not above 1, or not a number.
    pub fn new(beta: f64, input_scale: f64) -> Option<Self> {
        let real = beta * input_scale * f64::from(1 << (31 - DIFF_INTEGER_BITS));
        if real.is_nan() || real <= 1.0 {
            return None;
        }
        let real = real.min(f64::from(i32::MAX));
        let Multiplier { value, shift } = Multiplier::from_real(real);
        // The largest difference, in steps of the input, whose scaled value
        // fits in Q5.26, rounded down.
        let radius = f64::from((1 << DIFF_INTEGER_BITS) - 1)
            * f64::from(1 << (31 - DIFF_INTEGER_BITS))
            / (1u64 << shift) as f64;
        // Positive, so truncating is rounding down.
        Some(Self { multiplier: value, left_shift: shift, diff_min: -(radius as i32) })
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[i8; N]) -> [i8; N] {
        let largest = input.iter().copied().max().unwrap_or(i8::MIN);
        // exp(x − largest) in Q0.31, for the inputs that count.
        let exponential = |x: i8| {
            let difference = i32::from(x) - i32::from(largest);
            (difference >= self.diff_min).then(|| {
                let scaled = saturating_rounding_doubling_high_mul(
                    difference.wrapping_mul(1i32.wrapping_shl(self.left_shift as u32)),
                    self.multiplier,
                );
                exp_on_negative_values(scaled)
            })
        };
        let sum = input
            .iter()
            .filter_map(|&x| exponential(x))
            .fold(0i32, |sum, e| sum.wrapping_add(rounding_divide_by_pot(e, SUM_INTEGER_BITS)));
        let (reciprocal, bits_over_unit) = reciprocal(sum, SUM_INTEGER_BITS);
        let exponent = bits_over_unit + 31 - 8;
        input.map(|x| match exponential(x) {
            Some(e) => {
                let scaled = saturating_rounding_doubling_high_mul(reciprocal, e);
                let steps = rounding_divide_by_pot(scaled, exponent);
                steps.saturating_add(-128).clamp(-128, 127) as i8
            }
            None => -128,
        })
    }
}

/// `x · 2^exponent` for `exponent ≥ 0`, saturating: gemmlowp's
/// `SaturatingRoundingMultiplyByPOT` for a left shift.
fn saturating_shift_left(x: i32, exponent: u32) -> i32 {
    let threshold = (1i32 << (31 - exponent)) - 1;
    if x > threshold {
        i32::MAX
    } else if x < -threshold {
        i32::MIN
    } else {
        x << exponent
    }
}

/// `exp(a)` in Q0.31 for `a` in Q5.26, `a ≤ 0`: gemmlowp's
/// `exp_on_negative_values`. `a` is split into a multiple of 1/4 and the
/// rest in `[−1/4, 0)`; the rest goes through a polynomial, and each bit of
/// the multiple multiplies by a constant `exp(−2^k)`.
fn exp_on_negative_values(a: i32) -> i32 {
    const FRACTION_BITS: i32 = 31 - DIFF_INTEGER_BITS;
    let one_quarter = 1 << (FRACTION_BITS - 2);
    let rest = (a & (one_quarter - 1)).wrapping_sub(one_quarter);
    let mut result =
        exp_on_quarter_below_zero(saturating_shift_left(rest, DIFF_INTEGER_BITS as u32));
    let multiple = rest.wrapping_sub(a);
    // exp(−2^k) in Q0.31, for k from −2 to 4 (the integer bits allow no more).
    let factors =
        [1_672_461_947, 1_302_514_674, 790_015_084, 290_630_308, 39_332_535, 720_401, 242];
    for (k, factor) in (-2..).zip(factors) {
        if multiple & (1 << (FRACTION_BITS + k)) != 0 {
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
fn reciprocal(x: i32, integer_bits: i32) -> (i32, i32) {
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
    let mul = saturating_rounding_doubling_high_mul;
    let half_denominator = rounding_half_sum(a, i32::MAX);
    // 48/17 and −32/17 in Q2.29, the best first guess for a linear one.
    let mut x = 1_515_870_810i32.wrapping_add(mul(half_denominator, -1_010_580_540));
    for _ in 0..3 {
        let error = (1i32 << 29).wrapping_sub(mul(half_denominator, x));
        x = x.wrapping_add(saturating_shift_left(mul(x, error), 2));
    }
    saturating_shift_left(x, 1)
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
            let found = real(exp_on_negative_values(a), 31);
            assert!(
                (found - expected).abs() < 1e-6,
                "exp({}) = {found}, not {expected}",
                real(a, 26)
            );
        }
        assert_eq!(exp_on_negative_values(0), i32::MAX);
    }

    #[test]
    fn reciprocals_are_within_1e8_of_one_over_x() {
        for x in (1 << 19..=i32::MAX).step_by(1 << 20) {
            let (reciprocal, bits) = reciprocal(x, SUM_INTEGER_BITS);
            let found = real(reciprocal, 31) * 2f64.powi(-bits);
            let expected = 1.0 / real(x, 31 - SUM_INTEGER_BITS);
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

    /// Hand-built parameters that TensorFlow Lite never makes give outputs,
    /// not panics.
    #[test]
    fn any_parameters_give_outputs() {
        let extremes = [i32::MIN, -1, 0, 1, 31, 32, i32::MAX];
        for multiplier in extremes {
            for left_shift in extremes {
                for diff_min in extremes {
                    let softmax = QSoftmax::<3> { multiplier, left_shift, diff_min };
                    // A panic (an overflow, a shift out of range) fails it.
                    let _ = softmax.forward(&[i8::MIN, 0, i8::MAX]);
                }
            }
        }
    }

    #[test]
    fn parameters_are_tensorflow_lites() {
        // beta · scale · 2^26 = 0.1 · 2^26: 0.8 · 2^23.
        let softmax = QSoftmax::<2>::new(1.0, 0.1).unwrap();
        assert_eq!(softmax.left_shift, 23);
        assert_eq!(softmax.multiplier, Multiplier::from_real(0.8).value);
        // 31 · 2^26 / 2^23 = 248.
        assert_eq!(softmax.diff_min, -248);
        assert_eq!(QSoftmax::<2>::new(1.0, 1e-9), None);
        assert_eq!(QSoftmax::<2>::new(f64::NAN, 0.1), None);
    }
}

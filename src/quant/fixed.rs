//! TensorFlow Lite's integer arithmetic: a real multiplier held as a 32-bit
//! fixed-point number and a power of two, applied with the same two
//! roundings as its reference kernels, so that int8 results are equal to
//! theirs bit for bit.

/// A real number `m` held as `value · 2^(shift − 31)`, with `value` in
/// `[2^30, 2^31)` (or 0): how TensorFlow Lite rescales an `i32`
/// accumulator to the output's scale.
///
/// ```
/// use constnet::quant::Multiplier;
///
/// let half = Multiplier::from_real(0.5);
/// assert_eq!((half.value, half.shift), (1 << 30, 0));
/// assert_eq!(half.apply(7), 4); // 3.5: ties round up,
/// assert_eq!(half.apply(-7), -3); // as TensorFlow Lite rounds them
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Multiplier {
    /// The fixed-point mantissa, a fraction of `2^31`.
    pub value: i32,
    /// The power of two: positive shifts left, negative right.
    pub shift: i32,
}

impl Multiplier {
    /// TensorFlow Lite's `QuantizeMultiplier`: the mantissa of `real` (in
    /// `[0.5, 1)`) rounded to 31 bits, half away from zero, and its
    /// exponent; 0 for 0 and for multipliers too small to matter (below
    /// `2^−32`), and the largest it can apply (`2^30`, almost) for larger ones.
    pub fn from_real(real: f64) -> Self {
        if real == 0.0 || !real.is_finite() {
            return Self { value: 0, shift: 0 };
        }
        let (mantissa, mut shift) = frexp(real);
        let mut fixed = round_half_away(mantissa * (1u64 << 31) as f64) as i64;
        if fixed == 1 << 31 {
            fixed /= 2;
            shift += 1;
        }
        if shift < -31 {
            return Self { value: 0, shift: 0 };
        }
        if shift > 30 {
            return Self { value: i32::MAX, shift: 30 };
        }
        Self { value: fixed as i32, shift }
    }

    /// The real number this multiplier stands for.
    pub fn to_real(self) -> f64 {
        f64::from(self.value) / (1u64 << 31) as f64 * pow2(self.shift)
    }

    /// `x · m`, as TensorFlow Lite's `MultiplyByQuantizedMultiplier`: a
    /// left shift, the rounded doubling high multiplication, then a
    /// rounding right shift.
    #[inline]
    pub fn apply(self, x: i32) -> i32 {
        if self.shift >= 0 {
            // Wrapping: shifts beyond what `from_real` makes give a wrong
            // answer rather than a panic.
            return saturating_rounding_doubling_high_mul(
                x.wrapping_shl(self.shift as u32),
                self.value,
            );
        }
        // Below 1, the two roundings are one: rounding `x·m / 2^31` (ties
        // up) and then its quotient by `2^e` (ties away from zero) is
        // `⌊(x·m + 2^30 + (2^(e−1) − t)·2^31) / 2^(31+e)⌋`, where `t` is 1
        // when the first quotient is below zero. Floors of quotients nest,
        // and where the sign of `x·m` is not the first quotient's, that
        // quotient is 0 and so is the result either way. One multiply-add
        // into a 64-bit nudge and one shift of its high word (the sine
        // model of `examples/firmware/compare.sh` took 1656 instructions an
        // inference with the two roundings, 1242 with one; the test module
        // checks that both forms agree everywhere).
        let e_less_one = self.shift.wrapping_neg().wrapping_sub(1) as u32;
        let below_zero = (x ^ self.value) >> 31;
        let halves = 1i32.wrapping_shl(e_less_one).wrapping_add(below_zero);
        // The nudge, `halves · 2^31 + 2^30`, put together word by word:
        // its 2^30 never carries, which LLVM sees only when it is written
        // so (otherwise it adds the 2^30 after the multiplication).
        let low = (halves << 31) as u32 | 1 << 30;
        let nudge = i64::from(halves >> 1) << 32 | i64::from(low);
        let sum = (i64::from(x) * i64::from(self.value)).wrapping_add(nudge);
        ((sum >> 32) as i32).wrapping_shr(e_less_one)
    }
}

/// `a · b / 2^31` rounded to nearest, ties up (`1.5` to 2, `−1.5` to −1),
/// saturating the one product that overflows (`i32::MIN · i32::MIN`):
/// gemmlowp's `SaturatingRoundingDoublingHighMul`.
#[inline]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    // gemmlowp adds a nudge of 2^30 (or 1 − 2^30 below zero) and divides
    // truncating toward zero; that is `⌊(a·b + 2^30) / 2^31⌋` in both cases,
    // one arithmetic shift (the test module checks the two forms agree).
    let nudged = i64::from(a) * i64::from(b) + (1 << 30);
    // The result is the high word doubled plus the low word's top bit. The
    // high word lies in `[−2^30, 2^30]`, and doubling overflows only at
    // 2^30 (`i32::MIN · i32::MIN`), where the low bit is 0: a saturating
    // doubling (one QADD on Armv7E-M) is the saturation.
    let high = (nudged >> 32) as i32;
    let low_top = (nudged as u32 >> 31) as i32;
    high.saturating_add(high) + low_top
}

/// `x / 2^exponent`, rounded to nearest, ties away from zero: gemmlowp's
/// `RoundingDivideByPOT`.
#[inline]
pub fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    // `low` masks the bits the quotient keeps; the rest is the remainder.
    // The quotient rounds up when the remainder passes half of 2^exponent
    // less one, or reaches it below zero: when `remainder − 2^(exponent−1)
    // − (x < 0)` is not negative. At exponent 0 it is always negative
    // (`low >> 1` is −1). Written with shifts rather than comparisons, it
    // is six instructions on Armv7-M, and none of them a branch.
    let low = (-1i32).wrapping_shl(exponent as u32);
    let remainder = x & !low;
    let past_half = remainder + (low >> 1) - (x as u32 >> 31) as i32;
    x.wrapping_shr(exponent as u32) + (1 + (past_half >> 31))
}

/// `round(x)`, ties away from zero, as C's `round` (and TensorFlow Lite's
/// `TfLiteRound`).
pub(crate) fn round_half_away(x: f64) -> f64 {
    num_traits::Float::round(x)
}

/// `x` as `m · 2^e` with `m` in `[0.5, 1)`, for a finite `x > 0`: C's `frexp`.
fn frexp(x: f64) -> (f64, i32) {
    let mut bits = x.to_bits();
    let mut exponent = ((bits >> 52) & 0x7ff) as i32;
    let mut adjust = 0;
    if exponent == 0 {
        // Subnormal: scale into the normal range first.
        bits = (x * pow2(64)).to_bits();
        exponent = ((bits >> 52) & 0x7ff) as i32;
        adjust = -64;
    }
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, exponent - 1022 + adjust)
}

/// `2^n` for `n` in a double's range.
fn pow2(n: i32) -> f64 {
    f64::from_bits(((1023 + n) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frexp_splits_every_kind_of_double() {
        for (x, m, e) in [(1.0, 0.5, 1), (0.75, 0.75, 0), (3.0, 0.75, 2), (1e-310, 0.0, 0)] {
            let (mantissa, exponent) = frexp(x);
            // In two steps: 2^exponent alone may be below the normal range.
            assert_eq!(mantissa * pow2(exponent + 64) * pow2(-64), x, "{x}");
            assert!((0.5..1.0).contains(&mantissa), "{x}: {mantissa}");
            if m != 0.0 {
                assert_eq!((mantissa, exponent), (m, e), "{x}");
            }
        }
        // Far above 1, where scaling a double by 2^64 would overflow.
        let (mantissa, exponent) = frexp(1e300);
        assert!((0.5..1.0).contains(&mantissa), "{mantissa}");
        assert_eq!(mantissa * pow2(exponent - 1) * 2.0, 1e300);
    }

    #[test]
    fn multipliers_hold_their_real_to_31_bits() {
        for real in [1.0, 0.5, 0.3, 0.001_953_125, 1.7e-5, 2.5, 123.456, 1e-9] {
            let m = Multiplier::from_real(real);
            assert!((1 << 30..=i32::MAX).contains(&m.value), "{real}: {m:?}");
            assert!((m.to_real() - real).abs() <= real * 2f64.powi(-31), "{real}: {m:?}");
        }
        // Rounding the mantissa up to 2^31 carries into the exponent.
        let m = Multiplier::from_real(1.0 - 2f64.powi(-40));
        assert_eq!((m.value, m.shift), (1 << 30, 1));
        assert_eq!(Multiplier::from_real(2f64.powi(-40)), Multiplier { value: 0, shift: 0 });
        assert_eq!(Multiplier::from_real(0.0), Multiplier { value: 0, shift: 0 });
    }

    #[test]
    fn multipliers_at_the_ends_of_the_shifts() {
        let from = |mantissa: f64, exponent| Multiplier::from_real(mantissa * pow2(exponent));
        // The extreme shifts are kept; one beyond, the multiplier is 0 or
        // the largest one.
        assert_eq!(from(0.75, -31), Multiplier { value: 3 << 29, shift: -31 });
        assert_eq!(from(0.75, -32), Multiplier { value: 0, shift: 0 });
        assert_eq!(from(0.75, 30), Multiplier { value: 3 << 29, shift: 30 });
        assert_eq!(from(0.75, 31), Multiplier { value: i32::MAX, shift: 30 });
        for real in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(Multiplier::from_real(real), Multiplier { value: 0, shift: 0 }, "{real}");
        }
    }

    #[test]
    fn rounding_divisions_round_ties_away_from_zero() {
        assert_eq!(rounding_divide_by_pot(5, 1), 3);
        assert_eq!(rounding_divide_by_pot(-5, 1), -3);
        assert_eq!(rounding_divide_by_pot(6, 2), 2); // 1.5
        assert_eq!(rounding_divide_by_pot(-6, 2), -2);
        assert_eq!(rounding_divide_by_pot(5, 2), 1); // 1.25
        assert_eq!(rounding_divide_by_pot(7, 0), 7);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
        assert_eq!(saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN), i32::MAX);
        assert_eq!(saturating_rounding_doubling_high_mul(1 << 30, 3), 2); // 1.5
        assert_eq!(saturating_rounding_doubling_high_mul(-(1 << 30), 3), -1); // ties up
        assert_eq!(saturating_rounding_doubling_high_mul(1 << 30, 1), 1); // 0.5
        assert_eq!(saturating_rounding_doubling_high_mul(-(1 << 30), 1), 0);
        assert_eq!(saturating_rounding_doubling_high_mul(-(3 << 29), 1), -1); // −0.75
    }

    /// Against the exact product, rounded: the two roundings of TensorFlow
    /// Lite are within one of it, and equal on exact halves of the first.
    #[test]
    fn applying_a_multiplier_is_within_one_of_the_exact_product() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..10_000 {
            let x = (next() % 2_000_001) as i32 - 1_000_000;
            let real =
                f64::from((next() % 1_000_000) as u32 + 1) * 1e-6 * pow2((next() % 8) as i32 - 6);
            let m = Multiplier::from_real(real);
            let exact = f64::from(x) * m.to_real();
            let found = m.apply(x);
            assert!(
                (f64::from(found) - exact).abs() <= 1.0,
                "{x} × {real}: {found} against {exact}"
            );
        }
    }

    /// gemmlowp's own formulation, as written there.
    fn reference_high_mul(a: i32, b: i32) -> i32 {
        if a == i32::MIN && b == i32::MIN {
            return i32::MAX;
        }
        let product = i64::from(a) * i64::from(b);
        let nudge = if product >= 0 { 1 << 30 } else { 1 - (1 << 30) };
        ((product + nudge) / (1i64 << 31)) as i32
    }

    /// `x / 2^exponent`, exact in `f64`, rounded half away from zero.
    fn reference_divide_by_pot(x: i32, exponent: i32) -> i32 {
        round_half_away(f64::from(x) / pow2(exponent)) as i32
    }

    #[test]
    fn the_roundings_equal_their_definitions() {
        let edges = [
            i32::MIN,
            i32::MIN + 1,
            -(1 << 30) - 1,
            -(1 << 30),
            -3,
            -1,
            0,
            1,
            2,
            3,
            1 << 30,
            i32::MAX,
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as i32
        };
        let values: std::vec::Vec<i32> =
            edges.into_iter().chain((0..20_000).map(|_| next())).collect();
        for (i, &a) in values.iter().enumerate() {
            for &b in edges.iter().chain([values[(i * 7 + 3) % values.len()]].iter()) {
                assert_eq!(
                    saturating_rounding_doubling_high_mul(a, b),
                    reference_high_mul(a, b),
                    "{a} · {b}"
                );
            }
            for exponent in [0, 1, 2, 5, 17, 30, 31] {
                assert_eq!(
                    rounding_divide_by_pot(a, exponent),
                    reference_divide_by_pot(a, exponent),
                    "{a} / 2^{exponent}"
                );
            }
        }
    }

    /// `apply` is TensorFlow Lite's composition of the left shift and the
    /// two roundings, on every shift `from_real` makes and on mantissas
    /// anywhere in `i32` (a hand-built multiplier may hold any).
    #[test]
    fn applying_is_the_composition_of_the_roundings() {
        let mut seed = 0x853c_49e6_748f_ea9bu64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let values = [i32::MIN, -(1 << 30), -1, 0, 1, 1 << 30, (1 << 30) + 1, i32::MAX];
        for i in 0..200_000 {
            let x = match i % 4 {
                0 => values[(next() % 8) as usize],
                1 => (next() % 1001) as i32 - 500,
                _ => next() as i32 >> (next() % 32),
            };
            let value = if i % 3 == 0 { values[(next() % 8) as usize] } else { next() as i32 };
            let shift = (next() % 62) as i32 - 31;
            let (left, right) = if shift > 0 { (shift, 0) } else { (0, -shift) };
            let expected = reference_divide_by_pot(
                reference_high_mul(x.wrapping_shl(left as u32), value),
                right,
            );
            let m = Multiplier { value, shift };
            assert_eq!(m.apply(x), expected, "{x} · {m:?}");
        }
    }

    #[test]
    fn shifts_beyond_the_range_do_not_panic() {
        for shift in [40, -33, -40, i32::MIN, i32::MAX] {
            let _ = Multiplier { value: 1 << 30, shift }.apply(-5);
        }
    }

    #[test]
    fn rounding_matches_c() {
        for (x, rounded) in
            [(0.5, 1.0), (-0.5, -1.0), (1.49, 1.0), (2.5, 3.0), (-2.5, -3.0), (-0.2, 0.0)]
        {
            assert_eq!(round_half_away(x), rounded, "{x}");
        }
    }
}

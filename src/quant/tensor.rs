//! How int8 values stand for real numbers.

/// The affine map of an int8 tensor: `real = scale · (q − zero_point)`.
///
/// ```
/// use constnet::quant::Quantization;
///
/// let q = Quantization { scale: 0.5, zero_point: -10 };
/// assert_eq!(q.quantize(1.0), -8);
/// assert_eq!(q.quantize(1000.0), 127); // saturates
/// assert_eq!(q.dequantize(-8), 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantization {
    /// The real step between two neighbouring values.
    pub scale: f32,
    /// The int8 value that stands for 0.
    pub zero_point: i32,
}

impl Quantization {
    /// The int8 value nearest to `real`, as TensorFlow Lite's `Quantize`
    /// computes it: `round(real / scale) + zero_point` (ties away from zero,
    /// the division in `f32`), saturated to `[−128, 127]`. A NaN gives the
    /// zero point.
    pub fn quantize(&self, real: f32) -> i8 {
        // In `f32`, as TensorFlow Lite rounds (`std::round` of a float):
        // ties away from zero are the truncation of the quotient moved
        // away from zero by just under a half (C's `round` in the `libm`
        // crate, which then truncates), and `as` truncates. `as` also
        // saturates, and takes a NaN to 0.
        let steps = real / self.scale;
        let nudged = steps + (0.5 - f32::EPSILON / 4.0).copysign(steps);
        (nudged as i32).saturating_add(self.zero_point).clamp(-128, 127) as i8
    }

    /// The real number `q` stands for.
    pub fn dequantize(&self, q: i8) -> f32 {
        self.scale * (i32::from(q) - self.zero_point) as f32
    }

    /// The int8 range of an activation that clamps its real output to
    /// `[low, high]` (`0, ∞` for ReLU, `0, 6` for ReLU6), as TensorFlow Lite
    /// fuses it into the layer before: the quantized bounds, within int8.
    pub fn clamp_range(&self, low: f32, high: f32) -> (i8, i8) {
        let low = if low == f32::NEG_INFINITY { -128 } else { self.quantize(low) };
        let high = if high == f32::INFINITY { 127 } else { self.quantize(high) };
        (low, high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// TensorFlow Lite's `Quantize`, written as its definition: the
    /// quotient in `f32`, rounded half away from zero, plus the zero point,
    /// saturated to int8 (a NaN counts as 0).
    fn definition(q: Quantization, real: f32) -> i8 {
        let rounded = f64::from(num_traits::Float::round(real / q.scale));
        let rounded = if rounded.is_nan() { 0.0 } else { rounded };
        (rounded + f64::from(q.zero_point)).clamp(-128.0, 127.0) as i8
    }

    proptest! {
        /// Any float, NaN, infinities and subnormals included.
        #[test]
        fn quantizing_rounds_as_tensorflow_lite(
            bits in any::<u32>(),
            scale in prop::sample::select(&[1.0f32, 0.5, 0.1, 3.0e-3, 7.5][..]),
            zero_point in -128..=127i32,
        ) {
            let q = Quantization { scale, zero_point };
            let real = f32::from_bits(bits);
            prop_assert_eq!(q.quantize(real), definition(q, real), "{}", real);
        }
    }

    /// A ReLU6 fused into a layer whose output's zero point is not −128:
    /// finite ends are quantized, infinite ones are int8's ends.
    #[test]
    fn clamp_ranges_quantize_finite_ends() {
        let q = Quantization { scale: 0.1, zero_point: -20 };
        assert_eq!(q.clamp_range(0.0, 6.0), (-20, 40));
        assert_eq!(q.clamp_range(0.0, f32::INFINITY), (-20, 127));
        assert_eq!(q.clamp_range(f32::NEG_INFINITY, -5.0), (-128, -70));
    }

    /// Ties, and the floats just beside them, where the rounding is decided.
    #[test]
    fn quantizing_rounds_ties_away_from_zero() {
        for zero_point in [-128, 0, 5] {
            let q = Quantization { scale: 1.0, zero_point };
            for k in -300..300 {
                let tie = k as f32 + 0.5;
                for real in [tie, tie.next_down(), tie.next_up()] {
                    assert_eq!(q.quantize(real), definition(q, real), "{real}");
                }
            }
            for real in [0.49999997f32, 8_388_607.5, 4_194_303.5, -0.49999997, 1e30, -1e30] {
                assert_eq!(q.quantize(real), definition(q, real), "{real}");
            }
        }
        assert_eq!(Quantization { scale: 1.0, zero_point: 0 }.quantize(2.5), 3);
        assert_eq!(Quantization { scale: 1.0, zero_point: 0 }.quantize(-2.5), -3);
        assert_eq!(Quantization { scale: 1.0, zero_point: 0 }.quantize(0.49999997), 0);
    }
}

//! int8 softmax, TensorFlow Lite's `SOFTMAX`: the exponentials, their sum
//! and its reciprocal in gemmlowp's fixed point, as TensorFlow Lite Micro's
//! reference kernel computes them, so that the outputs are its outputs.
//!
//! A fixed-point number here is an `i32` with a number of integer bits
//! (`Qm.n`, `m + n = 31`); a product of two is their rounded doubling high
//! multiplication, and its integer bits add up.

use super::fixed::{Multiplier, rounding_divide_by_pot, saturating_rounding_doubling_high_mul};
use super::tensor::Quantization;
use super::transcendental::{exp_on_negative_values, input_radius, reciprocal};

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
    /// The quantization of every output.
    pub const OUTPUT: Quantization = Quantization { scale: 1.0 / 256.0, zero_point: -128 };

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
        // fits in Q5.26.
        let radius = input_radius(DIFF_INTEGER_BITS, shift);
        Some(Self { multiplier: value, left_shift: shift, diff_min: -radius })
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
                exp_on_negative_values::<DIFF_INTEGER_BITS>(scaled)
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

#[cfg(test)]
mod tests {
    use super::*;

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

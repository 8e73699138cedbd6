//! int8 logistic and tanh, TensorFlow Lite's `LOGISTIC` and `TANH`: each
//! input brought to Q4.27 by a fixed-point multiplier, gemmlowp's
//! fixed-point function, and the result rounded to the output's fixed
//! quantization, as TensorFlow Lite Micro's reference kernels compute them.

use super::fixed::{Multiplier, rounding_divide_by_pot};
use super::tensor::Quantization;
use super::transcendental::{input_radius, logistic, tanh};

/// Integer bits of an input in fixed point (Q4.27): inputs beyond ±15 give
/// the output's ends.
const INPUT_INTEGER_BITS: i32 = 4;

/// How an int8 input becomes a Q4.27 number, TensorFlow Lite's way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaledInput {
    /// The input's zero point.
    pub zero_point: i32,
    /// `input_scale · 2^27`, a multiplier greater than one.
    pub multiplier: Multiplier,
    /// Input steps from the zero point beyond which the output is at its
    /// ends (`15` in Q4.27).
    pub radius: i32,
}

impl ScaledInput {
    /// The parameters TensorFlow Lite derives for inputs quantized as
    /// `input` (`CalculateArithmeticOpData` of its logistic and tanh), or
    /// `None` for a scale too small (below `2^−28`) or not a number.
    pub fn new(input: Quantization) -> Option<Self> {
        let real = f64::from(input.scale) * f64::from(1 << (31 - INPUT_INTEGER_BITS));
        if real.is_nan() || real < 0.5 {
            return None;
        }
        let multiplier = Multiplier::from_real(real);
        let radius = input_radius(INPUT_INTEGER_BITS, multiplier.shift);
        Some(Self { zero_point: input.zero_point, multiplier, radius })
    }

    /// `function` of `x`: the lowest output below the radius, the highest
    /// above it, and in between gemmlowp's `function` (Q4.27 to Q0.31)
    /// rounded to `fraction_bits` and moved by `zero_point`.
    fn apply(&self, x: i8, function: fn(i32) -> i32, fraction_bits: i32, zero_point: i32) -> i8 {
        let x = i32::from(x).saturating_sub(self.zero_point);
        if x <= self.radius.saturating_neg() {
            i8::MIN
        } else if x >= self.radius {
            i8::MAX
        } else {
            let y = rounding_divide_by_pot(function(self.multiplier.apply(x)), 31 - fraction_bits);
            y.saturating_add(zero_point).clamp(-128, 127) as i8
        }
    }
}

/// The logistic function `1 / (1 + e^−x)` on `N` int8 values, TensorFlow
/// Lite's way: the output's scale is always `1/256` and its zero point
/// −128.
///
/// ```
/// use constnet::quant::{QLogistic, Quantization};
///
/// let input = Quantization { scale: 0.05, zero_point: 0 };
/// let logistic = QLogistic::<3>::new(input).unwrap();
/// let y = logistic.forward(&[-40, 0, 40]); // −2, 0, 2
/// let probabilities = y.map(|q| QLogistic::<3>::OUTPUT.dequantize(q));
/// // σ(−2) = 0.1192 and σ(2) = 0.8808, to the nearest 256th: 31 and 225.
/// assert_eq!(probabilities, [0.12109375, 0.5, 0.87890625]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QLogistic<const N: usize> {
    /// How inputs become Q4.27 numbers.
    pub input: ScaledInput,
}

impl<const N: usize> QLogistic<N> {
    /// The quantization of every output.
    pub const OUTPUT: Quantization = Quantization { scale: 1.0 / 256.0, zero_point: -128 };

    /// The logistic function of inputs quantized as `input`; `None` where
    /// [`ScaledInput::new`] is.
    pub fn new(input: Quantization) -> Option<Self> {
        Some(Self { input: ScaledInput::new(input)? })
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[i8; N]) -> [i8; N] {
        input.map(|x| self.input.apply(x, logistic, 8, -128))
    }
}

/// `tanh` on `N` int8 values, TensorFlow Lite's way: the output's scale is
/// always `1/128` and its zero point 0.
///
/// ```
/// use constnet::quant::{QTanh, Quantization};
///
/// let input = Quantization { scale: 0.05, zero_point: 0 };
/// let tanh = QTanh::<3>::new(input).unwrap();
/// let y = tanh.forward(&[-20, 0, 20]); // −1, 0, 1
/// assert_eq!(y.map(|q| QTanh::<3>::OUTPUT.dequantize(q)), [-0.7578125, 0.0, 0.7578125]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QTanh<const N: usize> {
    /// How inputs become Q4.27 numbers.
    pub input: ScaledInput,
}

impl<const N: usize> QTanh<N> {
    /// The quantization of every output.
    pub const OUTPUT: Quantization = Quantization { scale: 1.0 / 128.0, zero_point: 0 };

    /// `tanh` of inputs quantized as `input`; `None` where
    /// [`ScaledInput::new`] is.
    pub fn new(input: Quantization) -> Option<Self> {
        Some(Self { input: ScaledInput::new(input)? })
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[i8; N]) -> [i8; N] {
        input.map(|x| self.input.apply(x, tanh, 7, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every int8 input, for a few scales and zero points, within one
    /// output step (and its rounding) of the function.
    #[test]
    fn every_input_is_within_a_step_of_the_function() {
        for (scale, zero_point) in [(0.05, 0), (0.1, -20), (0.02, 100), (0.5, 3)] {
            let input = Quantization { scale, zero_point };
            let (logistic, tanh) =
                (QLogistic::<256>::new(input).unwrap(), QTanh::<256>::new(input).unwrap());
            let x: [i8; 256] = core::array::from_fn(|i| (i as i32 - 128) as i8);
            for (q, (l, t)) in x.iter().zip(logistic.forward(&x).iter().zip(tanh.forward(&x))) {
                let real = f64::from(input.dequantize(*q));
                let expected_l = 1.0 / (1.0 + (-real).exp());
                let found_l = f64::from(QLogistic::<256>::OUTPUT.dequantize(*l));
                assert!((found_l - expected_l).abs() <= 1.0 / 256.0, "σ({real}) = {found_l}");
                let found_t = f64::from(QTanh::<256>::OUTPUT.dequantize(t));
                assert!((found_t - real.tanh()).abs() <= 1.0 / 128.0, "tanh({real}) = {found_t}");
            }
        }
    }

    /// Hand-built parameters that TensorFlow Lite never makes give outputs,
    /// not panics.
    #[test]
    fn any_parameters_give_outputs() {
        let extremes = [i32::MIN, -1, 0, 1, 31, 32, i32::MAX];
        for zero_point in extremes {
            for value in extremes {
                for shift in extremes {
                    for radius in extremes {
                        let multiplier = Multiplier { value, shift };
                        let input = ScaledInput { zero_point, multiplier, radius };
                        // A panic (an overflow, a shift out of range) fails it.
                        let _ = QLogistic::<3> { input }.forward(&[i8::MIN, 0, i8::MAX]);
                        let _ = QTanh::<3> { input }.forward(&[i8::MIN, 0, i8::MAX]);
                    }
                }
            }
        }
    }

    #[test]
    fn parameters_are_tensorflow_lites() {
        // 0.05 · 2^27 = 0.8192 · 2^23.
        let scaled = ScaledInput::new(Quantization { scale: 0.05, zero_point: 7 }).unwrap();
        assert_eq!(
            scaled.multiplier,
            Multiplier::from_real(f64::from(0.05f32) * f64::from(1 << 27))
        );
        assert_eq!((scaled.multiplier.shift, scaled.radius, scaled.zero_point), (23, 240, 7));
        assert_eq!(ScaledInput::new(Quantization { scale: 1e-9, zero_point: 0 }), None);
        assert_eq!(ScaledInput::new(Quantization { scale: f32::NAN, zero_point: 0 }), None);
    }
}

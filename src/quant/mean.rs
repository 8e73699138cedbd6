//! The mean of each channel in int8: TensorFlow Lite's `MEAN` over height
//! and width (what Keras's global average poolings convert to), and
//! [`GlobalAvgPool`](crate::layer::GlobalAvgPool)'s int8 twin.

use core::fmt;
use core::marker::PhantomData;

use super::network::{Int8Array, product};
use super::{Multiplier, Quantization};

/// How the sum of `n` int8 values becomes their int8 mean, as TensorFlow
/// Lite Micro's `MEAN` computes it (without `keep_dims`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mean {
    /// The output has the input's scale and zero point: the sum of the
    /// int8 values divided by `n`, truncated toward zero.
    Kept,
    /// The output has a quantization of its own: `(sum − n · input zero
    /// point)` rescaled by `multiplier` (input scale ÷ output scale ÷ `n`)
    /// plus the output's zero point, clamped to int8.
    Requantized {
        /// The rescaling, with the division by `n` folded in.
        multiplier: Multiplier,
        /// The input's zero point.
        input_zero_point: i32,
        /// The output's zero point.
        output_zero_point: i32,
    },
}

impl Mean {
    /// The mean of `count` values quantized as `input` into values
    /// quantized as `output`, with the multiplier TensorFlow Lite derives:
    /// `input.scale / output.scale` as a [`Multiplier`], then the division
    /// by `count` folded into its mantissa, at most 32 bits of it, in
    /// integers.
    pub fn new(input: Quantization, output: Quantization, count: usize) -> Self {
        if input == output {
            return Mean::Kept;
        }
        let Multiplier { value, shift } =
            Multiplier::from_real(f64::from(input.scale) / f64::from(output.scale));
        let count = i64::try_from(count.max(1)).unwrap_or(i64::MAX);
        // ⌊log2 count⌋, kept where the mantissa cannot overflow and the
        // shift stays within what a multiplier applies.
        let fold = (63 - count.leading_zeros() as i32).min(32).min(31 + shift);
        let value = ((i64::from(value) << fold) / count) as i32;
        Mean::Requantized {
            multiplier: Multiplier { value, shift: shift - fold },
            input_zero_point: input.zero_point,
            output_zero_point: output.zero_point,
        }
    }

    /// The int8 mean of `count` values whose int8 sum is `sum` (sums of
    /// int8 values: at most 2^23 of them, so that nothing overflows).
    pub fn of(self, sum: i32, count: i32) -> i8 {
        match self {
            Mean::Kept => (sum / count.max(1)).clamp(-128, 127) as i8,
            Mean::Requantized { multiplier, input_zero_point, output_zero_point } => {
                // Wrapping, as TensorFlow Lite's int32 arithmetic: only a
                // sum that no int8 values make can overflow.
                let centered = sum.wrapping_sub(input_zero_point.wrapping_mul(count));
                let mean = multiplier.apply(centered).saturating_add(output_zero_point);
                mean.clamp(-128, 127) as i8
            }
        }
    }
}

/// The mean of each of `C` int8 planes `S` (rows or images), as TensorFlow
/// Lite's `MEAN` computes it: [`GlobalAvgPool`](crate::layer::GlobalAvgPool)
/// in int8.
///
/// ```
/// use constnet::quant::{Mean, QGlobalAvgPool, Quantization};
///
/// let q = Quantization { scale: 0.1, zero_point: 0 };
/// let pool = QGlobalAvgPool::<[i8; 4], 2>::new(Mean::new(q, q, 4));
/// // The input's quantization kept: sums divided, truncated toward zero.
/// assert_eq!(pool.forward(&[[1, 2, 3, 4], [-1, -2, -3, -4]]), [2, -2]);
/// ```
pub struct QGlobalAvgPool<S, const C: usize> {
    /// How each plane's sum becomes its mean.
    pub mean: Mean,
    plane: PhantomData<fn() -> S>,
}

impl<S: Int8Array, const C: usize> QGlobalAvgPool<S, C> {
    /// The pooling of `C` planes `S`, each plane's sum made its mean by
    /// `mean` (made for as many values as a plane holds).
    pub const fn new(mean: Mean) -> Self {
        const { assert!(product(S::DIMS) < 1 << 23, "a plane of more than 2^23 int8 values") };
        Self { mean, plane: PhantomData }
    }

    /// The pooling of planes quantized as `input` into means quantized as
    /// `output`.
    pub fn between(input: Quantization, output: Quantization) -> Self {
        Self::new(Mean::new(input, output, product(S::DIMS)))
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[S; C]) -> [i8; C] {
        input.each_ref().map(|plane| {
            let values = plane.values();
            // At most 2^23 values of at most 2^7: no overflow.
            let sum = values.iter().map(|&v| i32::from(v)).sum::<i32>();
            self.mean.of(sum, values.len() as i32)
        })
    }
}

impl<S, const C: usize> Clone for QGlobalAvgPool<S, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, const C: usize> Copy for QGlobalAvgPool<S, C> {}

impl<S, const C: usize> PartialEq for QGlobalAvgPool<S, C> {
    fn eq(&self, other: &Self) -> bool {
        self.mean == other.mean
    }
}

impl<S, const C: usize> Eq for QGlobalAvgPool<S, C> {}

impl<S, const C: usize> fmt::Debug for QGlobalAvgPool<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QGlobalAvgPool<{C}> {{ mean: {:?} }}", self.mean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_quantization_truncates_toward_zero() {
        let q = Quantization { scale: 0.5, zero_point: 3 };
        let mean = Mean::new(q, q, 4);
        assert_eq!(mean, Mean::Kept);
        assert_eq!([7, -7, 8, -8, 0].map(|sum| mean.of(sum, 4)), [1, -1, 2, -2, 0]);
        // Sums no int8 values make are clamped (or, rescaled, wrapped as
        // TensorFlow Lite's int32 arithmetic wraps), never a panic.
        assert_eq!([1000, -1000].map(|sum| mean.of(sum, 1)), [127, -128]);
        let wide = Mean::new(q, Quantization { scale: 1e-6, zero_point: 0 }, 4);
        let _ = [i32::MAX, i32::MIN].map(|sum| wide.of(sum, i32::MAX));
    }

    #[test]
    fn the_division_is_folded_into_the_multiplier() {
        let (input, output) = (
            Quantization { scale: 0.04, zero_point: -128 },
            Quantization { scale: 0.01, zero_point: 5 },
        );
        // 4 ÷ 36: the mantissa of 4 is 0.5 · 2^3; ⌊log2 36⌋ = 5 bits folded.
        let Mean::Requantized { multiplier, input_zero_point, output_zero_point } =
            Mean::new(input, output, 36)
        else {
            panic!("scales differ")
        };
        assert_eq!((input_zero_point, output_zero_point), (-128, 5));
        assert_eq!(multiplier.shift, 3 - 5);
        assert_eq!(multiplier.value, (((1i64 << 30) << 5) / 36) as i32);
        assert!((multiplier.to_real() - 4.0 / 36.0).abs() < 1e-9);
    }

    #[test]
    fn requantized_means_round_the_real_mean() {
        let (input, output) = (
            Quantization { scale: 0.03, zero_point: -7 },
            Quantization { scale: 0.011, zero_point: 9 },
        );
        for count in [1, 2, 3, 7, 36, 49, 1000] {
            let mean = Mean::new(input, output, count as usize);
            let Mean::Requantized { multiplier, .. } = mean else { panic!("scales differ") };
            // Rounded twice: once at 2^−31 of the product, once by the
            // right shift, which halves the first rounding's error per bit.
            let slack = 0.5 + 0.5 / f64::from(1 << (-multiplier.shift).max(0)) + 1e-6;
            for sum in (-128 * count..=127 * count).step_by(count as usize / 3 + 1) {
                let got = f64::from(mean.of(sum, count));
                let ratio = f64::from(input.scale) / f64::from(output.scale);
                let real = f64::from(sum + 7 * count) * ratio / f64::from(count) + 9.0;
                let error = got - real.clamp(-128.0, 127.0);
                assert!(error.abs() <= slack, "sum {sum} of {count}: {got} for {real}");
            }
        }
    }

    #[test]
    fn poolings_are_equal_when_their_means_are_and_show_them() {
        let q = |scale| Quantization { scale, zero_point: 0 };
        let pool = |output| QGlobalAvgPool::<[[i8; 3]; 2], 4>::between(q(0.5), q(output));
        assert_eq!(pool(0.5), pool(0.5));
        assert_ne!(pool(0.5), pool(0.25));
        let shown = std::format!("{:?}", pool(0.5));
        assert_eq!(shown, "QGlobalAvgPool<4> { mean: Kept }");
    }
}

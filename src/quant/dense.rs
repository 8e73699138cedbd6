//! Fully connected int8 layer, TensorFlow Lite's `FULLY_CONNECTED`.

use super::dot::{Shifted, chunked_dots, in_chunks};
use super::fixed::Multiplier;

/// `y = clamp(requantize(b + W·(x − input_zero_point)) + output_zero_point)`,
/// on int8 values, as TensorFlow Lite Micro's reference kernel computes it.
///
/// The weights have TensorFlow Lite's layout, `[OUT][IN]`, with a zero
/// point of 0; `multiplier[o]` brings output `o`'s accumulator from the
/// scale `input_scale · weight_scale[o]` to the output's scale (one per
/// output channel, or the same for all), and `clamp` is the fused
/// activation's range (`(−128, 127)` for none).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QDense<const IN: usize, const OUT: usize> {
    /// `OUT` rows of `IN` weights.
    pub weight: [[i8; IN]; OUT],
    /// One bias per output, at the accumulator's scale.
    pub bias: [i32; OUT],
    /// One requantization per output.
    pub multiplier: [Multiplier; OUT],
    /// The input's zero point.
    pub input_zero_point: i32,
    /// The output's zero point.
    pub output_zero_point: i32,
    /// The range outputs are clamped to.
    pub clamp: (i8, i8),
}

impl<const IN: usize, const OUT: usize> QDense<IN, OUT> {
    /// The same layer taking its inputs in the order of constnet's
    /// [`Flatten`](crate::layer::Flatten) of `[C][H][W]`, where TensorFlow
    /// Lite flattens an `[H][W][C]` image: its weight columns reordered.
    pub fn with_inputs_from_hwc<const C: usize, const H: usize, const W: usize>(mut self) -> Self {
        const { assert!(C * H * W == IN, "C × H × W is not the number of inputs") };
        for row in &mut self.weight {
            let hwc = *row;
            for c in 0..C {
                for h in 0..H {
                    for w in 0..W {
                        row[(c * H + h) * W + w] = hwc[(h * W + w) * C + c];
                    }
                }
            }
        }
        self
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[i8; IN]) -> [i8; OUT] {
        // The sums start from the biases.
        let sums = if in_chunks(IN) {
            chunked_dots(input, self.input_zero_point, &self.weight, &self.bias)
        } else {
            // Each input moved to zero once, not once per output.
            Shifted::new(input, self.input_zero_point).dots(&self.weight, &self.bias)
        };
        core::array::from_fn(|o| {
            requantized(sums[o], self.multiplier[o], self.output_zero_point, self.clamp)
        })
    }
}

/// An accumulator, its bias added, brought to the output's scale by its
/// channel's multiplier, moved to the output's zero point and clamped: an
/// int8 output, as TensorFlow Lite's reference kernels make it.
#[inline]
pub(crate) fn requantized(
    sum: i32,
    multiplier: Multiplier,
    zero_point: i32,
    clamp: (i8, i8),
) -> i8 {
    let scaled = multiplier.apply(sum);
    clamped(scaled.saturating_add(zero_point), clamp)
}

/// [`requantized`] each of one output channel's accumulators `sums`, its
/// bias added, into `output`: a loop LLVM vectorizes where the target
/// allows (`kernels::int8_requantize` compiles it for AVX2).
#[inline(always)]
pub(crate) fn requantize_all(
    sums: &[i32],
    (bias, multiplier): (i32, Multiplier),
    zero_point: i32,
    clamp: (i8, i8),
    output: &mut [i8],
) {
    for (y, &sum) in output.iter_mut().zip(sums) {
        *y = requantized(sum.wrapping_add(bias), multiplier, zero_point, clamp);
    }
}

/// `value` within `clamp` as TensorFlow Lite's kernels bound it, the upper
/// end last: a clamp whose ends are crossed gives its upper end, where
/// `Ord::clamp` would panic.
#[inline(always)]
pub(crate) fn clamped(value: i32, (low, high): (i8, i8)) -> i8 {
    value.max(i32::from(low)).min(i32::from(high)) as i8
}

//! Post-training quantization of constnet's float layers: activation
//! ranges observed on calibration data, weights per output channel.

use super::dense::QDense;
use super::fixed::Multiplier;
use super::tensor::Quantization;
use crate::layer::Dense;

/// The smallest and largest values seen on an activation: what its
/// quantization is calibrated from (min/max, as TensorFlow Lite's
/// converter calibrates).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// The smallest value seen.
    pub min: f32,
    /// The largest value seen.
    pub max: f32,
}

impl Default for Range {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl Range {
    /// No value seen yet.
    pub const EMPTY: Range = Range { min: f32::INFINITY, max: f32::NEG_INFINITY };

    /// Widens the range to `values` (NaN is skipped: it has no place in a
    /// range).
    pub fn observe(&mut self, values: &[f32]) {
        for &value in values.iter().filter(|v| !v.is_nan()) {
            self.min = self.min.min(value);
            self.max = self.max.max(value);
        }
    }

    /// The int8 quantization covering the range and 0 (which an int8 value
    /// must stand for exactly, for padding and ReLU): scale
    /// `(max − min) / 255` and the zero point that puts `min` at −128, as
    /// TensorFlow Lite's converter chooses them.
    pub fn quantization(&self) -> Quantization {
        let (min, max) = (self.min.min(0.0), self.max.max(0.0));
        let scale = if max > min { (max - min) / 255.0 } else { 1.0 };
        let zero_point = num_traits::Float::round(-128.0 - min / scale) as i32;
        Quantization { scale, zero_point: zero_point.clamp(-128, 127) }
    }
}

/// The symmetric scale of one output channel's weights: its largest
/// magnitude maps to 127.
fn symmetric_scale(weights: impl Iterator<Item = f32>) -> f32 {
    let largest = weights.fold(0.0f32, |m, w| if w.abs() > m { w.abs() } else { m });
    if largest > 0.0 { largest / 127.0 } else { 1.0 }
}

fn round_to_i8(x: f32) -> i8 {
    num_traits::Float::round(x).clamp(-127.0, 127.0) as i8
}

impl<const IN: usize, const OUT: usize> Dense<f32, IN, OUT> {
    /// This layer in int8, for an input quantized as `input` and an output
    /// as `output`, its outputs clamped to `clamp` (the range of a ReLU that
    /// follows, or `(−128, 127)`): weights per output channel, symmetric
    /// (the largest magnitude of each column at ±127), biases at the scale
    /// `input_scale · weight_scale`, rounded to nearest.
    ///
    /// ```
    /// use constnet::layer::Dense;
    /// use constnet::quant::Range;
    ///
    /// let layer = Dense::<f32, 2, 1>::new([[0.5], [-0.25]], [0.125]);
    /// let (mut input, mut output) = (Range::EMPTY, Range::EMPTY);
    /// input.observe(&[-1.0, 2.0]);
    /// output.observe(&[-0.5, 1.5]);
    /// let (input, output) = (input.quantization(), output.quantization());
    /// let q = layer.quantized(input, output, (-128, 127));
    /// let y = output.dequantize(q.forward(&[input.quantize(1.0), input.quantize(-1.0)])[0]);
    /// assert!((y - 0.875).abs() <= 2.0 * output.scale, "{y}");
    /// ```
    pub fn quantized(
        &self,
        input: Quantization,
        output: Quantization,
        clamp: (i8, i8),
    ) -> QDense<IN, OUT> {
        let scales: [f32; OUT] =
            core::array::from_fn(|o| symmetric_scale(self.weight.iter().map(|row| row[o])));
        QDense {
            weight: core::array::from_fn(|o| {
                core::array::from_fn(|i| round_to_i8(self.weight[i][o] / scales[o]))
            }),
            bias: quantized_bias(&self.bias, input, &scales),
            multiplier: multipliers(input, output, &scales),
            input_zero_point: input.zero_point,
            output_zero_point: output.zero_point,
            clamp,
        }
    }
}

/// Per output channel: the symmetric scale of its weights and the
/// weights rounded to it, in the same layout.
fn per_channel<const N: usize>(
    filters: &[f32],
    channels: usize,
) -> ([f32; N], impl Fn(usize) -> i8 + '_) {
    let depth = filters.len() / channels.max(1);
    let scales: [f32; N] =
        core::array::from_fn(|c| symmetric_scale(filters[c * depth..][..depth].iter().copied()));
    (scales, move |index: usize| round_to_i8(filters[index] / scales[index / depth]))
}

/// Biases at the scale `input_scale · weight_scale` of their channel.
fn quantized_bias<const N: usize>(
    bias: &[f32; N],
    input: Quantization,
    scales: &[f32; N],
) -> [i32; N] {
    core::array::from_fn(|c| {
        let steps = bias[c] / (input.scale * scales[c]);
        num_traits::Float::round(steps).clamp(-2.1e9, 2.1e9) as i32
    })
}

fn multipliers<const N: usize>(
    input: Quantization,
    output: Quantization,
    scales: &[f32; N],
) -> [Multiplier; N] {
    core::array::from_fn(|c| {
        Multiplier::from_real(
            f64::from(input.scale) * f64::from(scales[c]) / f64::from(output.scale),
        )
    })
}

impl<
    const C_IN: usize,
    const C_OUT: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const PH: usize,
    const PW: usize,
    const OH: usize,
    const OW: usize,
> crate::layer::Conv2d<f32, C_IN, C_OUT, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    /// This layer in int8, as [`Dense::quantized`]: one symmetric weight
    /// scale per output channel.
    pub fn quantized(
        &self,
        input: Quantization,
        output: Quantization,
        clamp: (i8, i8),
    ) -> super::QConv2d<C_IN, C_OUT, KH, KW, H, W, SH, SW, PH, PW, OH, OW> {
        let filters = self.weight.as_flattened().as_flattened().as_flattened();
        let (scales, weight) = per_channel::<C_OUT>(filters, C_OUT);
        let at = |co: usize, ci: usize, kh: usize, kw: usize| {
            weight(((co * C_IN + ci) * KH + kh) * KW + kw)
        };
        super::QConv2d {
            weight: core::array::from_fn(|co| {
                core::array::from_fn(|ci| {
                    core::array::from_fn(|kh| core::array::from_fn(|kw| at(co, ci, kh, kw)))
                })
            }),
            bias: quantized_bias(&self.bias, input, &scales),
            multiplier: multipliers(input, output, &scales),
            input_zero_point: input.zero_point,
            output_zero_point: output.zero_point,
            clamp,
        }
    }
}

impl<
    const C: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const PH: usize,
    const PW: usize,
    const OH: usize,
    const OW: usize,
> crate::layer::DepthwiseConv2d<f32, C, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    /// This layer in int8, as [`Dense::quantized`]: one symmetric weight
    /// scale per channel.
    pub fn quantized(
        &self,
        input: Quantization,
        output: Quantization,
        clamp: (i8, i8),
    ) -> super::QDepthwiseConv2d<C, KH, KW, H, W, SH, SW, PH, PW, OH, OW> {
        let (scales, weight) = per_channel::<C>(self.weight.as_flattened().as_flattened(), C);
        super::QDepthwiseConv2d {
            weight: core::array::from_fn(|c| {
                core::array::from_fn(|kh| {
                    core::array::from_fn(|kw| weight((c * KH + kh) * KW + kw))
                })
            }),
            bias: quantized_bias(&self.bias, input, &scales),
            multiplier: multipliers(input, output, &scales),
            input_zero_point: input.zero_point,
            output_zero_point: output.zero_point,
            clamp,
        }
    }
}

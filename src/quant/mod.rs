//! int8 inference as TensorFlow Lite Micro computes it.
//!
//! Values are `i8` with one scale and zero point per tensor (asymmetric);
//! weights are `i8` with a zero point of 0 and one scale per output channel
//! (symmetric); biases are `i32` at the scale `input_scale · weight_scale`.
//! An accumulator is brought to the output's scale by a [`Multiplier`],
//! with TensorFlow Lite's roundings, so that the results equal those of its
//! reference kernels bit for bit.

mod activation;
mod calibrate;
mod conv;
mod dense;
pub(crate) mod dot;
mod fixed;
mod mean;
mod network;
mod pool;
mod sequence;
mod softmax;
mod source;
mod tensor;
mod transcendental;

pub use activation::{QLogistic, QTanh, ScaledInput};
pub use calibrate::Range;
pub use conv::{QConv2d, QDepthwiseConv2d};
pub use dense::QDense;
pub(crate) use dense::requantize_all;
pub use fixed::{Multiplier, rounding_divide_by_pot, saturating_rounding_doubling_high_mul};
pub use mean::{Mean, QGlobalAvgPool};
pub use network::{
    Int8Array, Int8Value, QFlatten, Quantize, QuantizeError, TensorOf, calibrated, clamp,
    finite_weights, logistic, softmax, tanh,
};
pub use pool::{QPool2d, Reduce};
pub use sequence::{QConv1d, QPool1d};
pub use softmax::QSoftmax;
pub use tensor::Quantization;

/// An image `[C][H][W]` as a vector, channels first: what
/// [`Flatten`](crate::layer::Flatten) does to float values.
pub fn flatten<const C: usize, const H: usize, const W: usize, const N: usize>(
    image: &[[[i8; W]; H]; C],
) -> [i8; N] {
    const { assert!(C * H * W == N, "C × H × W is not N") };
    let values = image.as_flattened().as_flattened();
    core::array::from_fn(|i| values[i])
}

/// An image stored height first, `[H][W][C]` as TensorFlow Lite stores
/// one, in constnet's order, channels first.
///
/// ```
/// use constnet::quant::from_hwc;
///
/// let hwc = [[[1, 2], [3, 4]]]; // one row of two pixels of two channels
/// assert_eq!(from_hwc(&hwc), [[[1, 3]], [[2, 4]]]);
/// ```
pub fn from_hwc<const C: usize, const H: usize, const W: usize>(
    image: &[[[i8; C]; W]; H],
) -> [[[i8; W]; H]; C] {
    core::array::from_fn(|c| core::array::from_fn(|h| core::array::from_fn(|w| image[h][w][c])))
}

/// A vector that holds an image height first, `[H][W][C]` (what TensorFlow
/// Lite's `RESHAPE` of a vector into one NHWC image reads), as an image in
/// constnet's order, channels first.
///
/// ```
/// use constnet::quant::unflatten_hwc;
///
/// // One row of two pixels of two channels.
/// assert_eq!(unflatten_hwc(&[1, 2, 3, 4]), [[[1, 3]], [[2, 4]]]);
/// ```
pub fn unflatten_hwc<const C: usize, const H: usize, const W: usize, const N: usize>(
    values: &[i8; N],
) -> [[[i8; W]; H]; C] {
    const { assert!(C * H * W == N, "C × H × W is not N") };
    core::array::from_fn(|c| {
        core::array::from_fn(|h| core::array::from_fn(|w| values[(h * W + w) * C + c]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value that names its place: channel, row and column.
    fn at(c: usize, h: usize, w: usize) -> i8 {
        (c * 50 + h * 10 + w) as i8
    }

    /// Three sizes that differ, so that no index can stand in for another.
    #[test]
    fn images_height_first_come_to_channels_first() {
        const C: usize = 2;
        const H: usize = 3;
        const W: usize = 4;
        let hwc: [[[i8; C]; W]; H] = core::array::from_fn(|h| {
            core::array::from_fn(|w| core::array::from_fn(|c| at(c, h, w)))
        });
        let chw: [[[i8; W]; H]; C] = core::array::from_fn(|c| {
            core::array::from_fn(|h| core::array::from_fn(|w| at(c, h, w)))
        });
        assert_eq!(from_hwc(&hwc), chw);
        let values: [i8; C * H * W] =
            core::array::from_fn(|i| hwc.as_flattened().as_flattened()[i]);
        assert_eq!(unflatten_hwc::<C, H, W, { C * H * W }>(&values), chw);
        let flat: [i8; C * H * W] = flatten(&chw);
        let expected: [i8; C * H * W] = core::array::from_fn(|i| at(i / (H * W), i / W % H, i % W));
        assert_eq!(flat, expected);
    }
}

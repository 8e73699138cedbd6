//! int8 layers of sequences `[C][L]`: a 1-D convolution or pooling runs as
//! the 2-D one on an image one row high, `[C][1][L]`, as TensorFlow Lite
//! runs them.

use super::{QConv2d, QPool2d, Quantization, Reduce};
use crate::layer::{Conv1d, Conv2d};

/// An int8 1-D convolution of `C_IN` channels of length `L` into `C_OUT`
/// channels of length `OL`: [`QConv2d`] on images one row high.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QConv1d<
    const C_IN: usize,
    const C_OUT: usize,
    const K: usize,
    const L: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> {
    /// The convolution of one row.
    pub conv: QConv2d<C_IN, C_OUT, 1, K, 1, L, 1, S, 0, P, 1, OL>,
}

impl<
    const C_IN: usize,
    const C_OUT: usize,
    const K: usize,
    const L: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> QConv1d<C_IN, C_OUT, K, L, S, P, OL>
{
    /// Inference on int8 values.
    pub fn forward(&self, input: &[[i8; L]; C_IN]) -> [[i8; OL]; C_OUT] {
        self.conv.forward(&input.map(|row| [row])).map(|[row]| row)
    }
}

impl<
    const C_IN: usize,
    const C_OUT: usize,
    const K: usize,
    const L: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> Conv1d<f32, C_IN, C_OUT, K, L, S, P, OL>
{
    /// This layer in int8, as [`Dense::quantized`](crate::layer::Dense::quantized):
    /// one symmetric weight scale per output channel.
    pub fn quantized(
        &self,
        input: Quantization,
        output: Quantization,
        clamp: (i8, i8),
    ) -> QConv1d<C_IN, C_OUT, K, L, S, P, OL> {
        let one_row = Conv2d::<f32, C_IN, C_OUT, 1, K, 1, L, 1, S, 0, P, 1, OL> {
            weight: self.weight.map(|filter| filter.map(|row| [row])),
            bias: self.bias,
        };
        QConv1d { conv: one_row.quantized(input, output, clamp) }
    }
}

/// int8 1-D max or average pooling of `C` channels of length `L`:
/// [`QPool2d`] on images one row high.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QPool1d<const C: usize, const K: usize, const L: usize, const S: usize, const OL: usize>
{
    /// The pooling of one row.
    pub pool: QPool2d<C, 1, K, 1, L, 1, S, 0, 0, 1, OL>,
}

impl<const C: usize, const K: usize, const L: usize, const S: usize, const OL: usize>
    QPool1d<C, K, L, S, OL>
{
    /// `reduce` over windows of `K`, the outputs clamped to `clamp`.
    pub const fn new(reduce: Reduce, clamp: (i8, i8)) -> Self {
        Self { pool: QPool2d { reduce, clamp } }
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[[i8; L]; C]) -> [[i8; OL]; C] {
        self.pool.forward(&input.map(|row| [row])).map(|[row]| row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Layer;
    use crate::layer::MaxPool1d;

    /// The 1-D layers give what their 2-D twins give on the same values
    /// one row high, and their quantized convolution is close to the float
    /// one.
    #[test]
    fn sequences_run_as_images_one_row_high() {
        let conv = Conv1d::<f32, 2, 3, 3, 7, 2, 1, 4> {
            weight: core::array::from_fn(|o| {
                core::array::from_fn(|i| {
                    core::array::from_fn(|k| (o + 2 * i) as f32 * 0.1 - k as f32 * 0.2)
                })
            }),
            bias: [0.1, -0.2, 0.3],
        };
        let x: [[f32; 7]; 2] =
            core::array::from_fn(|c| core::array::from_fn(|l| (c * 7 + l) as f32 * 0.15 - 1.0));
        let input = Quantization { scale: 1.0 / 64.0, zero_point: 0 };
        let output = Quantization { scale: 1.0 / 32.0, zero_point: 0 };
        let q = conv.quantized(input, output, (-128, 127));
        let qx = x.map(|row| row.map(|v| input.quantize(v)));
        let y = q.forward(&qx);
        assert_eq!(y, q.conv.forward(&qx.map(|row| [row])).map(|[row]| row));
        for (found, expected) in y.iter().flatten().zip(conv.forward(&x).iter().flatten()) {
            assert!((output.dequantize(*found) - expected).abs() <= 2.0 * output.scale);
        }
        let pool = QPool1d::<3, 2, 4, 2, 2>::new(Reduce::Max, (-128, 127));
        let float = MaxPool1d::<f32, 3, 2, 4, 2, 2>::new().forward(&conv.forward(&x));
        let pooled = pool.forward(&y);
        for (found, expected) in pooled.iter().flatten().zip(float.iter().flatten()) {
            assert!((output.dequantize(*found) - expected).abs() <= 2.0 * output.scale);
        }
    }
}

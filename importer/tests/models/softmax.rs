// The int8 TensorFlow Lite model `softmax.tflite` as constnet layers, written by
// `constnet-import`: its shapes are types, checked by the compiler.

#[allow(unused_imports)]
use ::constnet::quant::{Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Reduce, ScaledInput};

/// `softmax.tflite`: 2 operators, int8 in and out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Softmax {
    /// `FULLY_CONNECTED`, 4 → 3 (`functional_1/dense_1/MatMul2`).
    pub dense0: QDense<4, 3>,
    /// `SOFTMAX` of 3 values (`StatefulPartitionedCall_1:0`).
    pub softmax1: QSoftmax<3>,
}

impl Softmax {
    /// The input's quantization: `real = scale · (q − zero_point)`.
    pub const INPUT: Quantization = Quantization { scale: 0.021604583, zero_point: 22 };
    /// The output's quantization.
    pub const OUTPUT: Quantization = Quantization { scale: 0.00390625, zero_point: -128 };

    /// Inference on int8 values.
    pub fn forward(&self, input: &[i8; 4]) -> [i8; 3] {
        let x = self.dense0.forward(input);
        self.softmax1.forward(&x)
    }
}

/// The parameters of `softmax.tflite`.
#[allow(clippy::unreadable_literal)]
pub const SOFTMAX: Softmax = Softmax {
    dense0: QDense {
        weight: [[-52, -48, -58, 127], [65, -32, 44, 127], [127, 5, 21, -23]],
        bias: [0, 0, 0],
        multiplier: [Multiplier { value: 1939398488, shift: -7 }, Multiplier { value: 1936217211, shift: -7 }, Multiplier { value: 1969103474, shift: -7 }],
        input_zero_point: 22,
        output_zero_point: 12,
        clamp: (-128, 127),
    },
    softmax1: QSoftmax { multiplier: 1371592320, left_shift: 21, diff_min: -992 },
};

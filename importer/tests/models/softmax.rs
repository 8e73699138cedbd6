// The int8 TensorFlow Lite model `softmax.tflite` as constnet layers, written by
// `constnet-import`: its shapes are types, checked by the compiler.

#[allow(unused_imports)]
use ::constnet::quant::{Int8Value, Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Reduce, ScaledInput};
use ::constnet::summary::{Int8LayerSummary, Int8Summary};

/// `softmax.tflite`: 2 operators, int8 in and out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Softmax {
    /// `FULLY_CONNECTED`, 4 → 3 (`functional_1/dense_1/MatMul2`).
    pub dense0: QDense<4, 3>,
    /// `SOFTMAX` of 3 values (`StatefulPartitionedCall_1:0`).
    pub softmax1: QSoftmax<3>,
}

#[allow(dead_code)]
impl Softmax {
    /// The input's quantization: `real = scale · (q − zero_point)`.
    pub const INPUT: Quantization = Quantization { scale: 0.021604583, zero_point: 22 };
    /// The output's quantization.
    pub const OUTPUT: Quantization = Quantization { scale: 0.00390625, zero_point: -128 };

    /// Bytes of its parameters (weights, biases, requantizations).
    pub const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Its layers, in data-flow order.
    pub const LAYERS: &'static [Int8LayerSummary] = &[
        Int8LayerSummary { name: "dense0", kind: "QDense", output: &[3], bytes: ::core::mem::size_of::<QDense<4, 3>>() },
        Int8LayerSummary { name: "softmax1", kind: "QSoftmax", output: &[3], bytes: ::core::mem::size_of::<QSoftmax<3>>() },
    ];

    /// The table of its layers, to print with `{}`.
    pub fn summary(&self) -> Int8Summary {
        Int8Summary { name: "Softmax", layers: Self::LAYERS, bytes: Self::PARAM_BYTES }
    }

    /// A float input as the int8 one `forward` takes.
    pub fn quantize_input(&self, input: &[f32; 4]) -> [i8; 4] {
        Int8Value::quantize(input, Self::INPUT)
    }

    /// `forward`'s int8 output as the real numbers it stands for.
    pub fn dequantize_output(&self, output: &[i8; 3]) -> [f32; 3] {
        Int8Value::dequantize(output, Self::OUTPUT)
    }

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

// The same model in float, its weights and biases dequantized: a network
// constnet can train further and quantize again. It computes what the
// int8 model does but for the roundings of its int8 activations.
::constnet::network! {
    /// `softmax.tflite`: 2 operators, int8, dequantized to float32.
    #[derive(Clone, Debug)]
    pub struct SoftmaxF32<f32> {
        /// `FULLY_CONNECTED`, 4 → 3 (`functional_1/dense_1/MatMul2`).
        dense0: Dense<4, 3>,
        Softmax,
    }
}

/// The parameters of `softmax.tflite`.
#[allow(dead_code, clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]
pub const SOFTMAX_F32: SoftmaxF32<f32> = SoftmaxF32 {
    dense0: ::constnet::layer::Dense::new(
        [[-0.3389455, 0.4229869, 0.84048843], [-0.31287277, -0.2082397, 0.033090096], [-0.3780546, 0.2863296, 0.1389784], [0.8278092, 0.8264513, -0.15221444]],
        [0.0, 0.0, 0.0],
    ),
};

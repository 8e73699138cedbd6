// The int8 TensorFlow Lite model `mean.tflite` as constnet layers, written by
// `constnet-import`: its shapes are types, checked by the compiler.

#[allow(unused_imports)]
use ::constnet::quant::{Int8Value, Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Reduce, ScaledInput};
use ::constnet::summary::{Int8LayerSummary, Int8Summary};

/// `mean.tflite`: 3 operators, int8 in and out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mean {
    /// `CONV_2D`, 3×3 window, stride 1×1, padding 1×1: [2, 6, 6] → [4, 6, 6] (`functional_7_1/conv2d_4_1/Relu;functional_7_1/conv2d_4_1/BiasAdd;functional_7_1/conv2d_4_1/convolution;functional_7_1/conv2d_4_1/Squeeze1`).
    pub conv0: QConv2d<2, 4, 3, 3, 6, 6, 1, 1, 1, 1, 6, 6>,
    /// `MEAN` of each of 4 channels over 6×6 values (`functional_7_1/global_average_pooling2d_1/Mean`).
    pub mean1: QGlobalAvgPool<[[i8; 6]; 6], 4>,
    /// `FULLY_CONNECTED`, 4 → 3 (`StatefulPartitionedCall_1:0`).
    pub dense2: QDense<4, 3>,
}

#[allow(dead_code)]
impl Mean {
    /// The input's quantization: `real = scale · (q − zero_point)`.
    pub const INPUT: Quantization = Quantization { scale: 0.030285051, zero_point: -7 };
    /// The output's quantization.
    pub const OUTPUT: Quantization = Quantization { scale: 0.006857859, zero_point: 45 };

    /// Bytes of its parameters (weights, biases, requantizations).
    pub const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Its layers, in data-flow order.
    pub const LAYERS: &'static [Int8LayerSummary] = &[
        Int8LayerSummary { name: "conv0", kind: "QConv2d", output: &[4, 6, 6], bytes: ::core::mem::size_of::<QConv2d<2, 4, 3, 3, 6, 6, 1, 1, 1, 1, 6, 6>>() },
        Int8LayerSummary { name: "mean1", kind: "QGlobalAvgPool", output: &[4], bytes: ::core::mem::size_of::<QGlobalAvgPool<[[i8; 6]; 6], 4>>() },
        Int8LayerSummary { name: "dense2", kind: "QDense", output: &[3], bytes: ::core::mem::size_of::<QDense<4, 3>>() },
    ];

    /// The table of its layers, to print with `{}`.
    pub fn summary(&self) -> Int8Summary {
        Int8Summary { name: "Mean", layers: Self::LAYERS, bytes: Self::PARAM_BYTES }
    }

    /// A float input as the int8 one `forward` takes.
    pub fn quantize_input(&self, input: &[[[f32; 6]; 6]; 2]) -> [[[i8; 6]; 6]; 2] {
        Int8Value::quantize(input, Self::INPUT)
    }

    /// `forward`'s int8 output as the real numbers it stands for.
    pub fn dequantize_output(&self, output: &[i8; 3]) -> [f32; 3] {
        Int8Value::dequantize(output, Self::OUTPUT)
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[[[i8; 6]; 6]; 2]) -> [i8; 3] {
        let x = self.conv0.forward(input);
        let x = self.mean1.forward(&x);
        self.dense2.forward(&x)
    }
}

/// The parameters of `mean.tflite`.
#[allow(clippy::unreadable_literal)]
pub const MEAN: Mean = Mean {
    conv0: QConv2d {
        weight: [[[[-47, 20, -48], [86, 127, -66], [-124, -101, -105]], [[-29, -15, 77], [-35, -50, -84], [-85, -2, 110]]], [[[61, 118, -84], [-71, -54, 2], [-95, -42, 109]], [[4, -127, -18], [-34, 110, -56], [-26, -61, -127]]], [[[118, 116, 89], [-117, -51, 126], [-108, -107, -16]], [[-53, -112, 76], [99, -12, -28], [-120, -54, 127]]], [[[-46, -22, 16], [-76, 22, -70], [74, 108, -3]], [[42, -125, 6], [-42, 38, -92], [98, 127, 108]]]],
        bias: [7837, -10053, 1611, -2297],
        multiplier: [Multiplier { value: 1614691621, shift: -7 }, Multiplier { value: 1576281866, shift: -7 }, Multiplier { value: 1609486693, shift: -7 }, Multiplier { value: 1532758855, shift: -7 }],
        input_zero_point: -7,
        output_zero_point: -128,
        clamp: (-128, 127),
    },
    mean1: QGlobalAvgPool::new(::constnet::quant::Mean::Requantized { multiplier: ::constnet::quant::Multiplier { value: 1785750698, shift: -3 }, input_zero_point: -128, output_zero_point: -128 }),
    dense2: QDense {
        weight: [[127, 16, -22, 43], [127, 127, -63, -21], [-127, -69, 41, -115]],
        bias: [-6116, -3285, -36573],
        multiplier: [Multiplier { value: 1779826875, shift: -8 }, Multiplier { value: 1578389922, shift: -8 }, Multiplier { value: 1328267875, shift: -8 }],
        input_zero_point: -128,
        output_zero_point: 45,
        clamp: (-128, 127),
    },
};

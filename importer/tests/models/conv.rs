// The int8 TensorFlow Lite model `conv.tflite` as constnet layers, written by
// `constnet-import`: its shapes are types, checked by the compiler.

#[allow(unused_imports)]
use ::constnet::quant::{Int8Value, Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Reduce, ScaledInput};
use ::constnet::summary::{Int8LayerSummary, Int8Summary};

/// `conv.tflite`: 7 operators, int8 in and out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv {
    /// `CONV_2D`, 3×3 window, stride 1×1, padding 1×1: [2, 8, 8] → [4, 8, 8] (`functional_1_1/conv2d_1/Relu;functional_1_1/conv2d_1/BiasAdd;functional_1_1/conv2d_1/convolution;functional_1_1/conv2d_1/Squeeze1`).
    pub conv0: QConv2d<2, 4, 3, 3, 8, 8, 1, 1, 1, 1, 8, 8>,
    /// `DEPTHWISE_CONV_2D`, 3×3 window, stride 2×2, padding 0×0: [4, 8, 8] → [4, 4, 4] (`functional_1_1/depthwise_conv2d_1/Relu6;functional_1_1/depthwise_conv2d_1/BiasAdd;functional_1_1/depthwise_conv2d_1/depthwise;functional_1_1/depthwise_conv2d_1/Squeeze1`).
    pub depthwise1: QDepthwiseConv2d<4, 3, 3, 8, 8, 2, 2, 0, 0, 4, 4>,
    /// `AVERAGE_POOL_2D`, 3×3 window, stride 1×1, padding 1×1: [4, 4, 4] → [4, 4, 4] (`functional_1_1/average_pooling2d_1/AvgPool`).
    pub pool2: QPool2d<4, 3, 3, 4, 4, 1, 1, 1, 1, 4, 4>,
    /// `MAX_POOL_2D`, 2×2 window, stride 2×2, padding 0×0: [4, 4, 4] → [4, 2, 2] (`functional_1_1/max_pooling2d_1/MaxPool2d`).
    pub pool3: QPool2d<4, 2, 2, 4, 4, 2, 2, 0, 0, 2, 2>,
    /// `CONV_2D`, 1×2 window, stride 1×1, padding 0×0: [4, 2, 2] → [3, 2, 1] (`functional_1_1/conv2d_1_2/BiasAdd;functional_1_1/conv2d_1_2/convolution;functional_1_1/conv2d_1_2/Squeeze1`).
    pub conv4: QConv2d<4, 3, 1, 2, 2, 2, 1, 1, 0, 0, 2, 1>,
    /// `FULLY_CONNECTED`, 6 → 3 (`StatefulPartitionedCall_1:0`).
    pub dense5: QDense<6, 3>,
}

#[allow(dead_code)]
impl Conv {
    /// The input's quantization: `real = scale · (q − zero_point)`.
    pub const INPUT: Quantization = Quantization { scale: 0.030285051, zero_point: -7 };
    /// The output's quantization.
    pub const OUTPUT: Quantization = Quantization { scale: 0.0075811357, zero_point: 124 };

    /// Bytes of its parameters (weights, biases, requantizations).
    pub const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Its layers, in data-flow order.
    pub const LAYERS: &'static [Int8LayerSummary] = &[
        Int8LayerSummary { name: "conv0", kind: "QConv2d", output: &[4, 8, 8], bytes: ::core::mem::size_of::<QConv2d<2, 4, 3, 3, 8, 8, 1, 1, 1, 1, 8, 8>>() },
        Int8LayerSummary { name: "depthwise1", kind: "QDepthwiseConv2d", output: &[4, 4, 4], bytes: ::core::mem::size_of::<QDepthwiseConv2d<4, 3, 3, 8, 8, 2, 2, 0, 0, 4, 4>>() },
        Int8LayerSummary { name: "pool2", kind: "QPool2d", output: &[4, 4, 4], bytes: ::core::mem::size_of::<QPool2d<4, 3, 3, 4, 4, 1, 1, 1, 1, 4, 4>>() },
        Int8LayerSummary { name: "pool3", kind: "QPool2d", output: &[4, 2, 2], bytes: ::core::mem::size_of::<QPool2d<4, 2, 2, 4, 4, 2, 2, 0, 0, 2, 2>>() },
        Int8LayerSummary { name: "conv4", kind: "QConv2d", output: &[3, 2, 1], bytes: ::core::mem::size_of::<QConv2d<4, 3, 1, 2, 2, 2, 1, 1, 0, 0, 2, 1>>() },
        Int8LayerSummary { name: "dense5", kind: "QDense", output: &[3], bytes: ::core::mem::size_of::<QDense<6, 3>>() },
    ];

    /// The table of its layers, to print with `{}`.
    pub fn summary(&self) -> Int8Summary {
        Int8Summary { name: "Conv", layers: Self::LAYERS, bytes: Self::PARAM_BYTES }
    }

    /// A float input as the int8 one `forward` takes.
    pub fn quantize_input(&self, input: &[[[f32; 8]; 8]; 2]) -> [[[i8; 8]; 8]; 2] {
        Int8Value::quantize(input, Self::INPUT)
    }

    /// `forward`'s int8 output as the real numbers it stands for.
    pub fn dequantize_output(&self, output: &[i8; 3]) -> [f32; 3] {
        Int8Value::dequantize(output, Self::OUTPUT)
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[[[i8; 8]; 8]; 2]) -> [i8; 3] {
        let x = self.conv0.forward(input);
        let x = self.depthwise1.forward(&x);
        let x = self.pool2.forward(&x);
        let x = self.pool3.forward(&x);
        let x = self.conv4.forward(&x);
        let x = ::constnet::quant::flatten(&x);
        self.dense5.forward(&x)
    }
}

/// The parameters of `conv.tflite`.
#[allow(clippy::unreadable_literal)]
pub const CONV: Conv = Conv {
    conv0: QConv2d {
        weight: [[[[-47, 20, -48], [86, 127, -66], [-124, -101, -105]], [[-29, -15, 77], [-35, -50, -84], [-85, -2, 110]]], [[[61, 118, -84], [-71, -54, 2], [-95, -42, 109]], [[4, -127, -18], [-34, 110, -56], [-26, -61, -127]]], [[[118, 116, 89], [-117, -51, 126], [-108, -107, -16]], [[-53, -112, 76], [99, -12, -28], [-120, -54, 127]]], [[[-46, -22, 16], [-76, 22, -70], [74, 108, -3]], [[42, -125, 6], [-42, 38, -92], [98, 127, 108]]]],
        bias: [7837, -10053, 1611, -2297],
        multiplier: [Multiplier { value: 1476715137, shift: -7 }, Multiplier { value: 1441587522, shift: -7 }, Multiplier { value: 1471954974, shift: -7 }, Multiplier { value: 1401783582, shift: -7 }],
        input_zero_point: -7,
        output_zero_point: -128,
        clamp: (-128, 127),
    },
    depthwise1: QDepthwiseConv2d {
        weight: [[[126, 112, 30], [-1, -70, -10], [-58, 127, -25]], [[127, -58, 49], [16, 19, 102], [-99, -41, -17]], [[-108, -25, -21], [-9, -80, 63], [-127, -50, -102]], [[14, -50, -76], [105, 92, -18], [-106, 127, -70]]],
        bias: [-3756, -2040, -19190, -1736],
        multiplier: [Multiplier { value: 1307996286, shift: -7 }, Multiplier { value: 1147126702, shift: -7 }, Multiplier { value: 1142415889, shift: -7 }, Multiplier { value: 1449914221, shift: -7 }],
        input_zero_point: -128,
        output_zero_point: -128,
        clamp: (-128, 127),
    },
    pool2: QPool2d { reduce: Reduce::Average, clamp: (-128, 127) },
    pool3: QPool2d { reduce: Reduce::Max, clamp: (-128, 127) },
    conv4: QConv2d {
        weight: [[[[124, -28]], [[-21, -127]], [[-42, 90]], [[63, 89]]], [[[-54, 127]], [[-28, -10]], [[-113, -109]], [[78, -22]]], [[[15, -111]], [[96, -44]], [[78, -127]], [[72, -126]]]],
        bias: [-6638, 27803, 2229],
        multiplier: [Multiplier { value: 1468490761, shift: -7 }, Multiplier { value: 1346498033, shift: -7 }, Multiplier { value: 1141436308, shift: -7 }],
        input_zero_point: -128,
        output_zero_point: -76,
        clamp: (-128, 127),
    },
    dense5: QDense {
        weight: [[123, -127, 24, -41, 53, -116], [28, 35, -106, -109, -127, 87], [67, 62, -12, -75, 127, 74]],
        bias: [-3079, -1988, -4266],
        multiplier: [Multiplier { value: 1245694726, shift: -7 }, Multiplier { value: 1539300350, shift: -7 }, Multiplier { value: 1703319239, shift: -7 }],
        input_zero_point: -76,
        output_zero_point: 124,
        clamp: (-128, 127),
    },
};

// No float twin of this model: `functional_1_1/average_pooling2d_1/AvgPool`: a pooling with padding (constnet's float poolings have none) is not supported.

// The int8 TensorFlow Lite model `conv1d.tflite` as constnet layers, written by
// `constnet-import`: its shapes are types, checked by the compiler.

#[allow(unused_imports)]
use ::constnet::quant::{Int8Value, Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Reduce, ScaledInput};
use ::constnet::summary::{Int8LayerSummary, Int8Summary};

/// `conv1d.tflite`: 7 operators, int8 in and out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv1d {
    /// `CONV_2D`, 1×3 window, stride 1×1, padding 0×1: [3, 1, 16] → [4, 1, 16] (`functional_2_1/conv1d_1/Relu;functional_2_1/conv1d_1/BiasAdd;functional_2_1/conv1d_1/convolution/Squeeze;functional_2_1/conv1d_1/Squeeze;functional_2_1/conv1d_1/convolution1`).
    pub conv0: QConv2d<3, 4, 1, 3, 1, 16, 1, 1, 0, 1, 1, 16>,
    /// `MAX_POOL_2D`, 1×2 window, stride 1×2, padding 0×0: [4, 1, 16] → [4, 1, 8] (`functional_2_1/max_pooling1d_1/MaxPool1d`).
    pub pool1: QPool2d<4, 1, 2, 1, 16, 1, 2, 0, 0, 1, 8>,
    /// `CONV_2D`, 1×3 window, stride 1×2, padding 0×0: [4, 1, 8] → [5, 1, 4] (`functional_2_1/conv1d_1_2/Relu6;functional_2_1/conv1d_1_2/BiasAdd;functional_2_1/conv1d_1_2/convolution/Squeeze;functional_2_1/conv1d_1_2/Squeeze;functional_2_1/conv1d_1_2/convolution1`).
    pub conv2: QConv2d<4, 5, 1, 3, 1, 8, 1, 2, 0, 0, 1, 4>,
    /// `AVERAGE_POOL_2D`, 1×2 window, stride 1×1, padding 0×0: [5, 1, 4] → [5, 1, 3] (`functional_2_1/average_pooling1d_1/AvgPool1D`).
    pub pool3: QPool2d<5, 1, 2, 1, 4, 1, 1, 0, 0, 1, 3>,
    /// `FULLY_CONNECTED`, 15 → 3 (`StatefulPartitionedCall_1:0`).
    pub dense4: QDense<15, 3>,
}

#[allow(dead_code)]
impl Conv1d {
    /// The input's quantization: `real = scale · (q − zero_point)`.
    pub const INPUT: Quantization = Quantization { scale: 0.030285051, zero_point: -7 };
    /// The output's quantization.
    pub const OUTPUT: Quantization = Quantization { scale: 0.015964106, zero_point: -34 };

    /// Bytes of its parameters (weights, biases, requantizations).
    pub const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Its layers, in data-flow order.
    pub const LAYERS: &'static [Int8LayerSummary] = &[
        Int8LayerSummary { name: "conv0", kind: "QConv2d", output: &[4, 1, 16], bytes: ::core::mem::size_of::<QConv2d<3, 4, 1, 3, 1, 16, 1, 1, 0, 1, 1, 16>>() },
        Int8LayerSummary { name: "pool1", kind: "QPool2d", output: &[4, 1, 8], bytes: ::core::mem::size_of::<QPool2d<4, 1, 2, 1, 16, 1, 2, 0, 0, 1, 8>>() },
        Int8LayerSummary { name: "conv2", kind: "QConv2d", output: &[5, 1, 4], bytes: ::core::mem::size_of::<QConv2d<4, 5, 1, 3, 1, 8, 1, 2, 0, 0, 1, 4>>() },
        Int8LayerSummary { name: "pool3", kind: "QPool2d", output: &[5, 1, 3], bytes: ::core::mem::size_of::<QPool2d<5, 1, 2, 1, 4, 1, 1, 0, 0, 1, 3>>() },
        Int8LayerSummary { name: "dense4", kind: "QDense", output: &[3], bytes: ::core::mem::size_of::<QDense<15, 3>>() },
    ];

    /// The table of its layers, to print with `{}`.
    pub fn summary(&self) -> Int8Summary {
        Int8Summary { name: "Conv1d", layers: Self::LAYERS, bytes: Self::PARAM_BYTES }
    }

    /// A float input as the int8 one `forward` takes.
    pub fn quantize_input(&self, input: &[[[f32; 16]; 1]; 3]) -> [[[i8; 16]; 1]; 3] {
        Int8Value::quantize(input, Self::INPUT)
    }

    /// `forward`'s int8 output as the real numbers it stands for.
    pub fn dequantize_output(&self, output: &[i8; 3]) -> [f32; 3] {
        Int8Value::dequantize(output, Self::OUTPUT)
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[[[i8; 16]; 1]; 3]) -> [i8; 3] {
        let x = self.conv0.forward(input);
        let x = self.pool1.forward(&x);
        let x = self.conv2.forward(&x);
        let x = self.pool3.forward(&x);
        let x = ::constnet::quant::flatten(&x);
        self.dense4.forward(&x)
    }
}

/// The parameters of `conv1d.tflite`.
#[allow(clippy::unreadable_literal)]
pub const CONV1D: Conv1d = Conv1d {
    conv0: QConv2d {
        weight: [[[[-47, -15, 86]], [[-29, -48, -35]], [[20, 77, 127]]], [[[61, -127, -71]], [[4, -84, -34]], [[118, -18, -54]]], [[[127, -121, -127]], [[-57, 96, 107]], [[125, 82, -55]]], [[[-47, -127, -77]], [[43, 17, -43]], [[-22, 6, 23]]]],
        bias: [4888, -6269, 1084, -1452],
        multiplier: [Multiplier { value: 1969993759, shift: -7 }, Multiplier { value: 1923132037, shift: -7 }, Multiplier { value: 1819715945, shift: -7 }, Multiplier { value: 1844120606, shift: -7 }],
        input_zero_point: -7,
        output_zero_point: -128,
        clamp: (-128, 127),
    },
    pool1: QPool2d { reduce: Reduce::Max, clamp: (-128, 127) },
    conv2: QConv2d {
        weight: [[[[127, -10, 16]], [[-52, -87, -104]], [[-18, -44, -54]], [[117, -78, -91]]], [[[100, 80, 37]], [[-20, -100, 126]], [[-76, 127, 23]], [[-63, 41, -64]]], [[[-85, 50, 10]], [[-50, -106, -116]], [[-1, -23, -65]], [[15, -127, 73]]], [[[16, -20, 44]], [[30, 127, 84]], [[14, -15, 38]], [[-70, -104, 111]]], [[[116, -61, -51]], [[45, -37, 76]], [[-8, -93, -53]], [[106, 127, -3]]]],
        bias: [-2442, -1040, -9736, -1240, -4826],
        multiplier: [Multiplier { value: 1360038399, shift: -7 }, Multiplier { value: 1521372263, shift: -7 }, Multiplier { value: 1522493502, shift: -7 }, Multiplier { value: 1372459930, shift: -7 }, Multiplier { value: 1315708995, shift: -7 }],
        input_zero_point: -128,
        output_zero_point: -128,
        clamp: (-128, 127),
    },
    pool3: QPool2d { reduce: Reduce::Average, clamp: (-128, 127) },
    dense4: QDense {
        weight: [[124, -127, 54, -21, 90, 120, -42, 89, -3, 63, -64, -16, -28, 90, -17], [-50, -9, -26, -26, -101, -56, -105, -20, 57, 72, 19, -127, 118, 59, 104], [13, -39, -20, 86, -114, 87, 70, -112, 110, 65, 55, -63, -99, -127, 25]],
        bias: [19546, 1347, -2386],
        multiplier: [Multiplier { value: 1756399756, shift: -8 }, Multiplier { value: 1732050123, shift: -8 }, Multiplier { value: 1526750080, shift: -8 }],
        input_zero_point: -128,
        output_zero_point: -34,
        clamp: (-128, 127),
    },
};

// The int8 TensorFlow Lite model `squashing.tflite` as constnet layers, written by
// `constnet-import`: its shapes are types, checked by the compiler.

#[allow(unused_imports)]
use ::constnet::quant::{Int8Value, Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Reduce, ScaledInput};
use ::constnet::summary::{Int8LayerSummary, Int8Summary};

/// `squashing.tflite`: 5 operators, int8 in and out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Squashing {
    /// `FULLY_CONNECTED`, 4 → 8 (`functional_6_1/dense_10_1/MatMul;functional_6_1/dense_10_1/BiasAdd`).
    pub dense0: QDense<4, 8>,
    /// `TANH` of 8 values (`functional_6_1/dense_10_1/Tanh`).
    pub tanh1: QTanh<8>,
    /// `FULLY_CONNECTED`, 8 → 8 (`functional_6_1/dense_11_1/MatMul;functional_6_1/dense_11_1/BiasAdd`).
    pub dense2: QDense<8, 8>,
    /// `LOGISTIC` of 8 values (`functional_6_1/dense_11_1/Sigmoid`).
    pub logistic3: QLogistic<8>,
    /// `FULLY_CONNECTED`, 8 → 3 (`StatefulPartitionedCall_1:0`).
    pub dense4: QDense<8, 3>,
}

#[allow(dead_code)]
impl Squashing {
    /// The input's quantization: `real = scale · (q − zero_point)`.
    pub const INPUT: Quantization = Quantization { scale: 0.021604583, zero_point: 22 };
    /// The output's quantization.
    pub const OUTPUT: Quantization = Quantization { scale: 0.0047788606, zero_point: -3 };

    /// Bytes of its parameters (weights, biases, requantizations).
    pub const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Its layers, in data-flow order.
    pub const LAYERS: &'static [Int8LayerSummary] = &[
        Int8LayerSummary { name: "dense0", kind: "QDense", output: &[8], bytes: ::core::mem::size_of::<QDense<4, 8>>() },
        Int8LayerSummary { name: "tanh1", kind: "QTanh", output: &[8], bytes: ::core::mem::size_of::<QTanh<8>>() },
        Int8LayerSummary { name: "dense2", kind: "QDense", output: &[8], bytes: ::core::mem::size_of::<QDense<8, 8>>() },
        Int8LayerSummary { name: "logistic3", kind: "QLogistic", output: &[8], bytes: ::core::mem::size_of::<QLogistic<8>>() },
        Int8LayerSummary { name: "dense4", kind: "QDense", output: &[3], bytes: ::core::mem::size_of::<QDense<8, 3>>() },
    ];

    /// The table of its layers, to print with `{}`.
    pub fn summary(&self) -> Int8Summary {
        Int8Summary { name: "Squashing", layers: Self::LAYERS, bytes: Self::PARAM_BYTES }
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
        let x = self.tanh1.forward(&x);
        let x = self.dense2.forward(&x);
        let x = self.logistic3.forward(&x);
        self.dense4.forward(&x)
    }
}

/// The parameters of `squashing.tflite`.
#[allow(clippy::unreadable_literal)]
pub const SQUASHING: Squashing = Squashing {
    dense0: QDense {
        weight: [[-70, 29, -71, 127], [65, 127, -90, -76], [127, 125, 96, -127], [-77, -37, 27, -127], [-48, -25, 127, -57], [4, -127, -18, -34], [-60, -127, 86, 112], [43, -127, 6, -43]],
        bias: [7643, -7128, 1149, -2533, -1886, -560, -5830, -629],
        multiplier: [Multiplier { value: 1801399976, shift: -8 }, Multiplier { value: 1209295254, shift: -7 }, Multiplier { value: 1227817381, shift: -7 }, Multiplier { value: 1512355159, shift: -8 }, Multiplier { value: 1619344998, shift: -8 }, Multiplier { value: 1297595218, shift: -7 }, Multiplier { value: 1168763912, shift: -7 }, Multiplier { value: 1244283769, shift: -7 }],
        input_zero_point: 22,
        output_zero_point: 13,
        clamp: (-128, 127),
    },
    tanh1: QTanh { input: ScaledInput { zero_point: 13, multiplier: Multiplier { value: 1680034432, shift: 22 }, radius: 480 } },
    dense2: QDense {
        weight: [[127, 31, -70, -59, -25, 16, 85, -71], [127, 49, 19, -99, -17, 47, 83, 92], [-108, -21, -80, -127, -102, 12, -61, 127], [17, -92, 110, -127, -83, 47, 28, -3], [112, -1, -10, 127, 45, -49, -72, -111], [-46, 13, 80, -32, -127, -93, 35, -28], [-20, -7, 50, -40, -95, 127, -46, -36], [-50, 105, -18, 127, 110, -116, -82, -91]],
        bias: [-8041, 34893, 2381, -3509, -2590, -5546, -8831, -3247],
        multiplier: [Multiplier { value: 1266474278, shift: -8 }, Multiplier { value: 1120855845, shift: -8 }, Multiplier { value: 1116253134, shift: -8 }, Multiplier { value: 1182785344, shift: -8 }, Multiplier { value: 1278041355, shift: -8 }, Multiplier { value: 1417753436, shift: -8 }, Multiplier { value: 1406286979, shift: -8 }, Multiplier { value: 1416709266, shift: -8 }],
        input_zero_point: 0,
        output_zero_point: 0,
        clamp: (-128, 127),
    },
    logistic3: QLogistic { input: ScaledInput { zero_point: 0, multiplier: Multiplier { value: 1925938560, shift: 21 }, radius: 960 } },
    dense4: QDense {
        weight: [[124, -21, -42, 63, -28, -127, 90, 89], [-54, -28, -113, 78, 127, -10, -109, -22], [15, 96, 78, 72, -111, -44, -127, -126]],
        bias: [6375, -3441, 16299],
        multiplier: [Multiplier { value: 1304505094, shift: -7 }, Multiplier { value: 1196135329, shift: -7 }, Multiplier { value: 2027945531, shift: -8 }],
        input_zero_point: -128,
        output_zero_point: -3,
        clamp: (-128, 127),
    },
};

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

// The same model in float, its weights and biases dequantized: a network
// constnet can train further and quantize again. It computes what the
// int8 model does but for the roundings of its int8 activations.
::constnet::network! {
    /// `squashing.tflite`: 5 operators, int8, dequantized to float32.
    #[derive(Clone, Debug)]
    pub struct SquashingF32<f32> {
        /// `FULLY_CONNECTED`, 4 → 8 (`functional_6_1/dense_10_1/MatMul;functional_6_1/dense_10_1/BiasAdd`).
        dense0: Dense<4, 8>,
        Tanh,
        /// `FULLY_CONNECTED`, 8 → 8 (`functional_6_1/dense_11_1/MatMul;functional_6_1/dense_11_1/BiasAdd`).
        dense1: Dense<8, 8>,
        Sigmoid,
        /// `FULLY_CONNECTED`, 8 → 3 (`StatefulPartitionedCall_1:0`).
        dense2: Dense<8, 3>,
    }
}

/// The parameters of `squashing.tflite`.
#[allow(dead_code, clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]
pub const SQUASHING_F32: SquashingF32<f32> = SquashingF32 {
    dense0: ::constnet::layer::Dense::new(
        [[-0.25955585, 0.32359242, 0.6419336, -0.23969951, -0.15999383, 0.021367408, -0.2886893, 0.22026247], [0.10753028, 0.6322498, 0.63182443, -0.115180284, -0.083330125, -0.67841524, -0.611059, -0.6505427], [-0.2632638, -0.44805104, 0.48524117, 0.08405048, 0.42331702, -0.096153334, 0.41378796, 0.030734299], [0.47090846, -0.3783542, -0.6419336, -0.39534855, -0.18999268, -0.18162297, 0.53888667, -0.22026247]],
        [0.61226934, -0.76665246, 0.12547359, -0.17035602, -0.13581558, -0.06462875, -0.6060296, -0.069609515],
    ),
    dense1: ::constnet::layer::Dense::new(
        [[0.5247746, 0.46443635, -0.39333192, 0.065603584, 0.46702018, -0.21278022, -0.09176492, -0.23111251], [0.1280946, 0.17919198, -0.0764812, -0.35503116, -0.004169823, 0.060133543, -0.03211772, 0.48533627], [-0.28924584, 0.0694826, -0.29135698, 0.4244938, -0.041698232, 0.37005258, 0.22941229, -0.08320051], [-0.24379294, -0.36204094, -0.46252918, -0.49009737, 0.52956754, -0.14802103, -0.18352984, 0.5870258], [-0.10330209, -0.062168647, -0.37148014, -0.32029986, 0.18764204, -0.58745843, -0.43588337, 0.5084475], [0.06611334, 0.17187802, 0.043703545, 0.18137462, -0.20432134, -0.43018612, 0.5827072, -0.53618103], [0.3512271, 0.30352926, -0.22215968, 0.10805297, -0.30022725, 0.161898, -0.21105932, -0.37902454], [-0.29337794, 0.33644208, 0.46252918, -0.011577103, -0.46285036, -0.1295184, -0.16517685, -0.4206248]],
        [-0.2595788, 0.99689823, 0.067746185, -0.105791815, -0.084373765, -0.20042105, -0.31655312, -0.11725349],
    ),
    dense2: ::constnet::layer::Dense::new(
        [[0.7199328, -0.287474, 0.067692734], [-0.1219241, -0.14906059, 0.4332335], [-0.2438482, -0.60156596, 0.3520022], [0.3657723, 0.41524023, 0.32492512], [-0.16256547, 0.67609626, -0.5009262], [-0.7373505, -0.053235926, -0.19856535], [0.52253187, -0.5802716, -0.5731318], [0.51672596, -0.11711904, -0.56861895]],
        [0.14458075, -0.07155657, 0.28732392],
    ),
};

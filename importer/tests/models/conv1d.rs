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

// The same model in float, its weights and biases dequantized: a network
// constnet can train further and quantize again. It computes what the
// int8 model does but for the roundings of its int8 activations.
::constnet::network! {
    /// `conv1d.tflite`: 7 operators, int8, dequantized to float32.
    #[derive(Clone, Debug)]
    pub struct Conv1dF32<f32> {
        input: [3, 1, 16],
        /// `CONV_2D`, 1×3 window, stride 1×1, padding 0×1: [3, 1, 16] → [4, 1, 16] (`functional_2_1/conv1d_1/Relu;functional_2_1/conv1d_1/BiasAdd;functional_2_1/conv1d_1/convolution/Squeeze;functional_2_1/conv1d_1/Squeeze;functional_2_1/conv1d_1/convolution1`).
        conv0: Conv2d<3, 4, (1, 3), padding = same>,
        Relu,
        /// `MAX_POOL_2D`, 1×2 window, stride 1×2, padding 0×0: [4, 1, 16] → [4, 1, 8] (`functional_2_1/max_pooling1d_1/MaxPool1d`).
        pool1: MaxPool2d<(1, 2)>,
        /// `CONV_2D`, 1×3 window, stride 1×2, padding 0×0: [4, 1, 8] → [5, 1, 4] (`functional_2_1/conv1d_1_2/Relu6;functional_2_1/conv1d_1_2/BiasAdd;functional_2_1/conv1d_1_2/convolution/Squeeze;functional_2_1/conv1d_1_2/Squeeze;functional_2_1/conv1d_1_2/convolution1`).
        conv2: Conv2d<4, 5, (1, 3), stride = (1, 2), padding = same>,
        Relu6,
        /// `AVERAGE_POOL_2D`, 1×2 window, stride 1×1, padding 0×0: [5, 1, 4] → [5, 1, 3] (`functional_2_1/average_pooling1d_1/AvgPool1D`).
        pool3: AvgPool2d<(1, 2), stride = 1>,
        /// The image `[5, 1, 3]` as a vector.
        flatten4: Flatten,
        /// `FULLY_CONNECTED`, 15 → 3 (`StatefulPartitionedCall_1:0`).
        dense5: Dense<15, 3>,
    }
}

/// The parameters of `conv1d.tflite`.
#[allow(dead_code, clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]
pub const CONV1D_F32: Conv1dF32<f32> = Conv1dF32 {
    conv0: ::constnet::layer::Conv2d {
        weight: [[[[-0.19441351, -0.062046863, 0.35573536]], [[-0.11995727, -0.19854996, -0.14477602]], [[0.08272915, 0.31850722, 0.5253301]]], [[[0.2463217, -0.5128337, -0.2867023]], [[0.016152242, -0.3391971, -0.13729405]], [[0.47649115, -0.07268509, -0.21805526]]], [[[0.48525614, -0.46233067, -0.48525614]], [[-0.21779212, 0.3668078, 0.40883785]], [[0.4776143, 0.313315, -0.2101503]]], [[[-0.18199141, -0.49176404, -0.29815614]], [[0.16650279, 0.065826684, -0.16650279]], [[-0.08518747, 0.023232946, 0.08905963]]]],
        bias: [0.6123336, -0.766654, 0.12543678, -0.17027386],
    },
    pool1: ::constnet::layer::MaxPool2d::new(),
    conv2: ::constnet::layer::Conv2d {
        weight: [[[[0.4039717, -0.031808797, 0.050894074]], [[-0.16540574, -0.27673653, -0.33081147]], [[-0.057255834, -0.13995871, -0.1717675]], [[0.3721629, -0.24810861, -0.28946003]]], [[[0.35582098, 0.2846568, 0.13165377]], [[-0.0711642, -0.35582098, 0.44833446]], [[-0.27042395, 0.45189264, 0.081838824]], [[-0.22416723, 0.1458866, -0.22772543]]], [[[-0.30267075, 0.1780416, 0.03560832]], [[-0.1780416, -0.37744823, -0.41305655]], [[-0.0035608322, -0.081899144, -0.23145409]], [[0.053412482, -0.4522257, 0.25994074]]], [[[0.0513589, -0.06419863, 0.14123698]], [[0.09629794, 0.4076613, 0.26963422]], [[0.044939037, -0.04814897, 0.12197739]], [[-0.22469519, -0.33383286, 0.35630238]]], [[[0.35695535, -0.18770929, -0.15693727]], [[0.13847406, -0.11385645, 0.2338673]], [[-0.02461761, -0.28617972, -0.16309167]], [[0.32618335, 0.39080456, -0.009231604]]]],
        bias: [-0.13577655, -0.06468398, -0.60598785, -0.06957437, -0.2595823],
    },
    pool3: ::constnet::layer::AvgPool2d::new(),
    flatten4: ::constnet::layer::Flatten::new(),
    dense5: ::constnet::layer::Dense::new(
        [[0.56279737, -0.22378834, 0.0512883], [-0.5764134, -0.0402819, -0.15386489], [0.24508917, -0.11636993, -0.078905076], [-0.095312454, -0.11636993, 0.3392918], [0.40848196, -0.45205244, -0.44975895], [0.5446426, -0.25064296, 0.34323707], [-0.19062491, -0.4699555, 0.27616775], [0.40394327, -0.089515336, -0.44186842], [-0.013616065, 0.2551187, 0.4339779], [0.28593737, 0.3222552, 0.2564415], [-0.29047605, 0.08503957, 0.21698895], [-0.07261901, -0.5684224, -0.24855098], [-0.12708327, 0.5281405, -0.39058012], [0.40848196, 0.26407024, -0.50104725], [-0.0771577, 0.46547973, 0.098631345]],
        [0.9969102, 0.06774899, -0.10578234],
    ),
};

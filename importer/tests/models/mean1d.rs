// The int8 TensorFlow Lite model `mean1d.tflite` as constnet layers, written by
// `constnet-import`: its shapes are types, checked by the compiler.

#[allow(unused_imports)]
use ::constnet::quant::{Int8Value, Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Reduce, ScaledInput};
use ::constnet::summary::{Int8LayerSummary, Int8Summary};

/// `mean1d.tflite`: 5 operators, int8 in and out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mean1d {
    /// `CONV_2D`, 1×3 window, stride 1×1, padding 0×1: [3, 1, 12] → [4, 1, 12] (`functional_8_1/conv1d_4_1/Relu6;functional_8_1/conv1d_4_1/BiasAdd;functional_8_1/conv1d_4_1/convolution/Squeeze;functional_8_1/conv1d_4_1/Squeeze;functional_8_1/conv1d_4_1/convolution1`).
    pub conv0: QConv2d<3, 4, 1, 3, 1, 12, 1, 1, 0, 1, 1, 12>,
    /// `MEAN` of each of 4 channels over 1×12 values (`functional_8_1/global_average_pooling1d_1/Mean`).
    pub mean1: QGlobalAvgPool<[[i8; 12]; 1], 4>,
    /// `FULLY_CONNECTED`, 4 → 3 (`StatefulPartitionedCall_1:0`).
    pub dense2: QDense<4, 3>,
}

#[allow(dead_code)]
impl Mean1d {
    /// The input's quantization: `real = scale · (q − zero_point)`.
    pub const INPUT: Quantization = Quantization { scale: 0.026880411, zero_point: 8 };
    /// The output's quantization.
    pub const OUTPUT: Quantization = Quantization { scale: 0.008893321, zero_point: 28 };

    /// Bytes of its parameters (weights, biases, requantizations).
    pub const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Its layers, in data-flow order.
    pub const LAYERS: &'static [Int8LayerSummary] = &[
        Int8LayerSummary { name: "conv0", kind: "QConv2d", output: &[4, 1, 12], bytes: ::core::mem::size_of::<QConv2d<3, 4, 1, 3, 1, 12, 1, 1, 0, 1, 1, 12>>() },
        Int8LayerSummary { name: "mean1", kind: "QGlobalAvgPool", output: &[4], bytes: ::core::mem::size_of::<QGlobalAvgPool<[[i8; 12]; 1], 4>>() },
        Int8LayerSummary { name: "dense2", kind: "QDense", output: &[3], bytes: ::core::mem::size_of::<QDense<4, 3>>() },
    ];

    /// The table of its layers, to print with `{}`.
    pub fn summary(&self) -> Int8Summary {
        Int8Summary { name: "Mean1d", layers: Self::LAYERS, bytes: Self::PARAM_BYTES }
    }

    /// A float input as the int8 one `forward` takes.
    pub fn quantize_input(&self, input: &[[[f32; 12]; 1]; 3]) -> [[[i8; 12]; 1]; 3] {
        Int8Value::quantize(input, Self::INPUT)
    }

    /// `forward`'s int8 output as the real numbers it stands for.
    pub fn dequantize_output(&self, output: &[i8; 3]) -> [f32; 3] {
        Int8Value::dequantize(output, Self::OUTPUT)
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[[[i8; 12]; 1]; 3]) -> [i8; 3] {
        let x = self.conv0.forward(input);
        let x = self.mean1.forward(&x);
        self.dense2.forward(&x)
    }
}

/// The parameters of `mean1d.tflite`.
#[allow(clippy::unreadable_literal)]
pub const MEAN1D: Mean1d = Mean1d {
    conv0: QConv2d {
        weight: [[[[-47, -15, 86]], [[-29, -48, -35]], [[20, 77, 127]]], [[[61, -127, -71]], [[4, -84, -34]], [[118, -18, -54]]], [[[127, -121, -127]], [[-57, 96, 107]], [[125, 82, -55]]], [[[-47, -127, -77]], [[43, 17, -43]], [[-22, 6, 23]]]],
        bias: [5507, -7063, 1221, -1636],
        multiplier: [Multiplier { value: 1748527437, shift: -7 }, Multiplier { value: 1706933901, shift: -7 }, Multiplier { value: 1615143826, shift: -7 }, Multiplier { value: 1636804919, shift: -7 }],
        input_zero_point: 8,
        output_zero_point: -128,
        clamp: (-128, 127),
    },
    mean1: QGlobalAvgPool::new(::constnet::quant::Mean::Requantized { multiplier: ::constnet::quant::Multiplier { value: 1211436949, shift: -1 }, input_zero_point: -128, output_zero_point: -128 }),
    dense2: QDense {
        weight: [[127, 16, -22, 43], [127, 127, -63, -21], [-127, -69, 41, -115]],
        bias: [-4209, -2261, -25169],
        multiplier: [Multiplier { value: 1994323433, shift: -8 }, Multiplier { value: 1768610225, shift: -8 }, Multiplier { value: 1488344617, shift: -8 }],
        input_zero_point: -128,
        output_zero_point: 28,
        clamp: (-128, 127),
    },
};

// The same model in float, its weights and biases dequantized: a network
// constnet can train further and quantize again. It computes what the
// int8 model does but for the roundings of its int8 activations.
::constnet::network! {
    /// `mean1d.tflite`: 5 operators, int8, dequantized to float32.
    #[derive(Clone, Debug)]
    pub struct Mean1dF32<f32> {
        input: [3, 1, 12],
        /// `CONV_2D`, 1×3 window, stride 1×1, padding 0×1: [3, 1, 12] → [4, 1, 12] (`functional_8_1/conv1d_4_1/Relu6;functional_8_1/conv1d_4_1/BiasAdd;functional_8_1/conv1d_4_1/convolution/Squeeze;functional_8_1/conv1d_4_1/Squeeze;functional_8_1/conv1d_4_1/convolution1`).
        conv0: Conv2d<3, 4, (1, 3), padding = same>,
        Relu6,
        /// `MEAN` of each of 4 channels over 1×12 values (`functional_8_1/global_average_pooling1d_1/Mean`).
        pool1: GlobalAvgPool,
        /// `FULLY_CONNECTED`, 4 → 3 (`StatefulPartitionedCall_1:0`).
        dense2: Dense<4, 3>,
    }
}

/// The parameters of `mean1d.tflite`.
#[allow(dead_code, clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]
pub const MEAN1D_F32: Mean1dF32<f32> = Mean1dF32 {
    conv0: ::constnet::layer::Conv2d {
        weight: [[[[-0.19441351, -0.062046863, 0.35573536]], [[-0.11995727, -0.19854996, -0.14477602]], [[0.08272915, 0.31850722, 0.5253301]]], [[[0.2463217, -0.5128337, -0.2867023]], [[0.016152242, -0.3391971, -0.13729405]], [[0.47649115, -0.07268509, -0.21805526]]], [[[0.48525614, -0.46233067, -0.48525614]], [[-0.21779212, 0.3668078, 0.40883785]], [[0.4776143, 0.313315, -0.2101503]]], [[[-0.18199141, -0.49176404, -0.29815614]], [[0.16650279, 0.065826684, -0.16650279]], [[-0.08518747, 0.023232946, 0.08905963]]]],
        bias: [0.61232156, -0.76665145, 0.12540616, -0.17028338],
    },
    pool1: ::constnet::layer::GlobalAvgPool::new(),
    dense2: ::constnet::layer::Dense::new(
        [[0.7933847, 0.7035911, -0.59209543], [0.09995397, 0.7035911, -0.32168964], [-0.13743672, -0.34902552, 0.19114892], [0.2686263, -0.11634184, -0.5361494]],
        [-0.13579029, -0.06468847, -0.6059874],
    ),
};

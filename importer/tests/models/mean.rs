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

// The same model in float, its weights and biases dequantized: a network
// constnet can train further and quantize again. It computes what the
// int8 model does but for the roundings of its int8 activations.
::constnet::network! {
    /// `mean.tflite`: 3 operators, int8, dequantized to float32.
    #[derive(Clone, Debug)]
    pub struct MeanF32<f32> {
        input: [2, 6, 6],
        /// `CONV_2D`, 3×3 window, stride 1×1, padding 1×1: [2, 6, 6] → [4, 6, 6] (`functional_7_1/conv2d_4_1/Relu;functional_7_1/conv2d_4_1/BiasAdd;functional_7_1/conv2d_4_1/convolution;functional_7_1/conv2d_4_1/Squeeze1`).
        conv0: Conv2d<2, 4, 3, padding = same>,
        Relu,
        /// `MEAN` of each of 4 channels over 6×6 values (`functional_7_1/global_average_pooling2d_1/Mean`).
        pool1: GlobalAvgPool,
        /// `FULLY_CONNECTED`, 4 → 3 (`StatefulPartitionedCall_1:0`).
        dense2: Dense<4, 3>,
    }
}

/// The parameters of `mean.tflite`.
#[allow(dead_code, clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]
pub const MEAN_F32: MeanF32<f32> = MeanF32 {
    conv0: ::constnet::layer::Conv2d {
        weight: [[[[-0.12123812, 0.05159069, -0.12381765], [0.22183996, 0.32760087, -0.17024927], [-0.31986228, -0.26053298, -0.2708511]], [[-0.0748065, -0.03869302, 0.19862415], [-0.09028371, -0.12897672, -0.21668088], [-0.21926042, -0.005159069, 0.28374878]]], [[[0.15360858, 0.29714444, -0.21152656], [-0.1787903, -0.13598135, 0.0050363466], [-0.23922646, -0.10576328, 0.27448088]], [[0.010072693, -0.319808, -0.04532712], [-0.08561789, 0.27699906, -0.1410177], [-0.065472506, -0.15360858, -0.319808]]], [[[0.30340388, 0.29826143, 0.22883852], [-0.30083266, -0.13113219, 0.32397363], [-0.2776917, -0.27512047, -0.04113951]], [[-0.13627462, -0.28797656, 0.19541267], [0.25455073, -0.030854631, -0.07199414], [-0.30854633, -0.13884585, 0.32654485]]], [[[-0.1126376, -0.053870156, 0.039178297], [-0.1860969, 0.053870156, -0.17140505], [0.18119963, 0.2644535, -0.0073459307]], [[0.10284303, -0.30608043, 0.014691861], [-0.10284303, 0.09304845, -0.2252752], [0.23996706, 0.31097773, 0.2644535]]]],
        bias: [0.61223686, -0.766672, 0.12544778, -0.1703393],
    },
    pool1: ::constnet::layer::GlobalAvgPool::new(),
    dense2: ::constnet::layer::Dense::new(
        [[0.7933847, 0.7035911, -0.59209543], [0.09995397, 0.7035911, -0.32168964], [-0.13743672, -0.34902552, 0.19114892], [0.2686263, -0.11634184, -0.5361494]],
        [-0.1357888, -0.06467976, -0.60598934],
    ),
};

// The int8 TensorFlow Lite model `sine.tflite` as constnet layers, written by
// `constnet-import`: its shapes are types, checked by the compiler.

#[allow(unused_imports)]
use ::constnet::quant::{Int8Value, Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Reduce, ScaledInput};
use ::constnet::summary::{Int8LayerSummary, Int8Summary};

/// `sine.tflite`: 3 operators, int8 in and out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sine {
    /// `FULLY_CONNECTED`, 1 → 16 (`sequential_1/dense_2/MatMul;sequential_1/dense_2/Relu;sequential_1/dense_2/BiasAdd`).
    pub dense0: QDense<1, 16>,
    /// `FULLY_CONNECTED`, 16 → 16 (`sequential_1/dense_3/MatMul;sequential_1/dense_3/Relu;sequential_1/dense_3/BiasAdd`).
    pub dense1: QDense<16, 16>,
    /// `FULLY_CONNECTED`, 16 → 1 (`StatefulPartitionedCall:0`).
    pub dense2: QDense<16, 1>,
}

#[allow(dead_code)]
impl Sine {
    /// The input's quantization: `real = scale · (q − zero_point)`.
    pub const INPUT: Quantization = Quantization { scale: 0.024573976, zero_point: -128 };
    /// The output's quantization.
    pub const OUTPUT: Quantization = Quantization { scale: 0.008269669, zero_point: 7 };

    /// Bytes of its parameters (weights, biases, requantizations).
    pub const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();
    /// Its layers, in data-flow order.
    pub const LAYERS: &'static [Int8LayerSummary] = &[
        Int8LayerSummary { name: "dense0", kind: "QDense", output: &[16], bytes: ::core::mem::size_of::<QDense<1, 16>>() },
        Int8LayerSummary { name: "dense1", kind: "QDense", output: &[16], bytes: ::core::mem::size_of::<QDense<16, 16>>() },
        Int8LayerSummary { name: "dense2", kind: "QDense", output: &[1], bytes: ::core::mem::size_of::<QDense<16, 1>>() },
    ];

    /// The table of its layers, to print with `{}`.
    pub fn summary(&self) -> Int8Summary {
        Int8Summary { name: "Sine", layers: Self::LAYERS, bytes: Self::PARAM_BYTES }
    }

    /// A float input as the int8 one `forward` takes.
    pub fn quantize_input(&self, input: &[f32; 1]) -> [i8; 1] {
        Int8Value::quantize(input, Self::INPUT)
    }

    /// `forward`'s int8 output as the real numbers it stands for.
    pub fn dequantize_output(&self, output: &[i8; 1]) -> [f32; 1] {
        Int8Value::dequantize(output, Self::OUTPUT)
    }

    /// Inference on int8 values.
    pub fn forward(&self, input: &[i8; 1]) -> [i8; 1] {
        let x = self.dense0.forward(input);
        let x = self.dense1.forward(&x);
        self.dense2.forward(&x)
    }
}

/// The parameters of `sine.tflite`.
#[allow(clippy::unreadable_literal)]
pub const SINE: Sine = Sine {
    dense0: QDense {
        weight: [[50], [107], [-78], [85], [-45], [-102], [124], [104], [-83], [-35], [-48], [-127], [-67], [-73], [34], [-109]],
        bias: [14977, -10561, 0, -7472, 0, 0, -9151, 0, 0, 0, 0, 0, 0, 0, 4581, 0],
        multiplier: [Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }, Multiplier { value: 1260584027, shift: -6 }],
        input_zero_point: -128,
        output_zero_point: -128,
        clamp: (-128, 127),
    },
    dense1: QDense {
        weight: [[-23, 15, 40, 44, -15, -35, -18, -17, -39, 25, -8, -39, -14, -26, -15, 26], [-38, 38, 27, -23, -3, 21, 25, -42, 32, -40, 36, 7, 1, 3, -27, 4], [29, -47, -41, -43, 32, 17, -5, -104, -16, -10, -26, 9, 25, 24, -127, 3], [-8, -3, 19, 41, -30, 4, -11, -29, -28, 14, 16, -5, 44, 7, -14, 6], [-17, -97, 37, -50, -45, 19, -60, 26, 2, -18, -13, 7, 37, 12, 26, -16], [-34, -10, -29, -11, -46, 31, -25, 13, -7, 18, 36, -29, 5, -25, 30, 29], [-34, -20, 21, 9, -12, 36, -23, 1, -6, -1, 44, 38, -7, -8, -21, 10], [-35, 10, 33, 29, 39, 34, 17, 7, -26, -11, -5, -38, -2, 8, -34, 9], [-46, -35, 31, -12, -41, 27, -47, -43, -35, -11, -42, -16, 17, 39, 45, -31], [-44, -3, 3, -30, -28, -26, 29, -23, 3, 23, -6, 40, -28, -20, -32, 19], [71, -55, -34, -106, 45, -30, -104, -15, 12, -42, 6, 37, 26, -32, 40, 31], [-24, 36, 20, -39, -15, -29, -20, -36, -10, 2, 3, 36, -25, 16, -8, 24], [-15, -31, 22, 43, 17, 45, 0, -37, -37, -9, -34, 23, 41, -6, -46, -3], [-29, -14, 21, -38, 22, -38, -28, 36, 25, 1, 26, 35, -10, -21, 23, 46], [-13, 10, 25, 37, 16, 36, -36, -7, -34, 5, 44, 43, 20, -22, 32, -2], [57, -54, 21, -52, 43, -28, -43, -4, 30, 37, 1, -3, 20, 36, 49, 44]],
        bias: [0, 0, 7087, 0, -352, 0, 0, -439, -69, 0, 7956, 0, 0, -216, -104, 4451],
        multiplier: [Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }, Multiplier { value: 1615770491, shift: -6 }],
        input_zero_point: -128,
        output_zero_point: -128,
        clamp: (-128, 127),
    },
    dense2: QDense {
        weight: [[34, -17, -127, 15, -53, -14, 13, 29, -42, -9, 113, 27, -18, 4, -24, -83]],
        bias: [-2970],
        multiplier: [Multiplier { value: 1794694187, shift: -6 }],
        input_zero_point: -128,
        output_zero_point: 7,
        clamp: (-128, 127),
    },
};

// The same model in float, its weights and biases dequantized: a network
// constnet can train further and quantize again. It computes what the
// int8 model does but for the roundings of its int8 activations.
::constnet::network! {
    /// `sine.tflite`: 3 operators, int8, dequantized to float32.
    #[derive(Clone, Debug)]
    pub struct SineF32<f32> {
        /// `FULLY_CONNECTED`, 1 → 16 (`sequential_1/dense_2/MatMul;sequential_1/dense_2/Relu;sequential_1/dense_2/BiasAdd`).
        dense0: Dense<1, 16>,
        Relu,
        /// `FULLY_CONNECTED`, 16 → 16 (`sequential_1/dense_3/MatMul;sequential_1/dense_3/Relu;sequential_1/dense_3/BiasAdd`).
        dense1: Dense<16, 16>,
        Relu,
        /// `FULLY_CONNECTED`, 16 → 1 (`StatefulPartitionedCall:0`).
        dense2: Dense<16, 1>,
    }
}

/// The parameters of `sine.tflite`.
#[allow(dead_code, clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]
pub const SINE_F32: SineF32<f32> = SineF32 {
    dense0: ::constnet::layer::Dense::new(
        [[0.20539421, 0.4395436, -0.32041496, 0.34917015, -0.18485479, -0.41900417, 0.50937766, 0.42721996, -0.3409544, -0.14377594, -0.19717844, -0.5217013, -0.27522823, -0.29987553, 0.13966806, -0.44775936]],
        [1.5118839, -1.0661017, 0.0, -0.75427634, 0.0, 0.0, -0.9237664, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4624384, 0.0],
    ),
    dense1: ::constnet::layer::Dense::new(
        [[-0.21294618, -0.3518241, 0.26849735, -0.07406823, -0.15739499, -0.31478998, -0.31478998, -0.32404852, -0.42589235, -0.40737528, 0.65735555, -0.2222047, -0.13887794, -0.26849735, -0.12036088, 0.5277362], [0.13887794, 0.3518241, -0.43515086, -0.027775588, -0.8980773, -0.092585295, -0.18517059, 0.092585295, -0.32404852, -0.027775588, -0.5092191, 0.33330706, -0.2870144, -0.1296194, 0.092585295, -0.49996057], [0.37034118, 0.24998029, -0.3795997, 0.17591205, 0.34256557, -0.26849735, 0.19442911, 0.30553147, 0.2870144, 0.027775588, -0.31478998, 0.18517059, 0.20368764, 0.19442911, 0.23146322, 0.19442911], [0.40737528, -0.21294618, -0.39811677, 0.3795997, -0.46292645, -0.10184382, 0.083326764, 0.26849735, -0.11110235, -0.2777559, -0.98140407, -0.36108264, 0.39811677, -0.3518241, 0.34256557, -0.48144352], [-0.13887794, -0.027775588, 0.29627293, -0.2777559, -0.4166338, -0.42589235, -0.11110235, 0.36108264, -0.3795997, -0.2592388, 0.4166338, -0.13887794, 0.15739499, 0.20368764, 0.14813647, 0.39811677], [-0.32404852, 0.19442911, 0.15739499, 0.037034117, 0.17591205, 0.2870144, 0.33330706, 0.31478998, 0.24998029, -0.24072176, -0.2777559, -0.26849735, 0.4166338, -0.3518241, 0.33330706, -0.2592388], [-0.16665353, 0.23146322, -0.046292648, -0.10184382, -0.5555118, -0.23146322, -0.21294618, 0.15739499, -0.43515086, 0.26849735, -0.96288705, -0.18517059, 0.0, -0.2592388, -0.33330706, -0.39811677], [-0.15739499, -0.38885823, -0.96288705, -0.26849735, 0.24072176, 0.12036088, 0.009258529, 0.0648097, -0.39811677, -0.21294618, -0.13887794, -0.33330706, -0.34256557, 0.33330706, -0.0648097, -0.037034117], [-0.36108264, 0.29627293, -0.14813647, -0.2592388, 0.018517058, -0.0648097, -0.055551175, -0.24072176, -0.32404852, 0.027775588, 0.11110235, -0.092585295, -0.34256557, 0.23146322, -0.31478998, 0.2777559], [0.23146322, -0.37034118, -0.092585295, 0.1296194, -0.16665353, 0.16665353, -0.009258529, -0.10184382, -0.10184382, 0.21294618, -0.38885823, 0.018517058, -0.083326764, 0.009258529, 0.046292648, 0.34256557], [-0.07406823, 0.33330706, -0.24072176, 0.14813647, -0.12036088, 0.33330706, 0.40737528, -0.046292648, -0.38885823, -0.055551175, 0.055551175, 0.027775588, -0.31478998, 0.24072176, 0.40737528, 0.009258529], [-0.36108264, 0.0648097, 0.083326764, -0.046292648, 0.0648097, -0.26849735, 0.3518241, -0.3518241, -0.14813647, 0.37034118, 0.34256557, 0.33330706, 0.21294618, 0.32404852, 0.39811677, -0.027775588], [-0.1296194, 0.009258529, 0.23146322, 0.40737528, 0.34256557, 0.046292648, -0.0648097, -0.018517058, 0.15739499, -0.2592388, 0.24072176, -0.23146322, 0.3795997, -0.092585295, 0.18517059, 0.18517059], [-0.24072176, 0.027775588, 0.2222047, 0.0648097, 0.11110235, -0.23146322, -0.07406823, 0.07406823, 0.36108264, -0.18517059, -0.29627293, 0.14813647, -0.055551175, -0.19442911, -0.20368764, 0.33330706], [-0.13887794, -0.24998029, -1.1758332, -0.1296194, 0.24072176, 0.2777559, -0.19442911, -0.31478998, 0.4166338, -0.29627293, 0.37034118, -0.07406823, -0.42589235, 0.21294618, 0.29627293, 0.45366794], [0.24072176, 0.037034117, 0.027775588, 0.055551175, -0.14813647, 0.26849735, 0.092585295, 0.083326764, -0.2870144, 0.17591205, 0.2870144, 0.2222047, -0.027775588, 0.42589235, -0.018517058, 0.40737528]],
        [0.0, 0.0, 0.7221644, 0.0, -0.035868756, 0.0, 0.0, -0.044734046, -0.0070310915, 0.0, 0.8107154, 0.0, 0.0, -0.022010373, -0.010597587, 0.45355633],
    ),
    dense2: ::constnet::layer::Dense::new(
        [[0.42358816], [-0.21179408], [-1.5822264], [0.18687713], [-0.6602992], [-0.17441866], [0.16196018], [0.3612958], [-0.52325594], [-0.112126276], [1.4078077], [0.33637884], [-0.22425255], [0.0498339], [-0.29900342], [-1.0340534]],
        [-0.32071936],
    ),
};

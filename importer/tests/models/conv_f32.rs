// The float32 TensorFlow Lite model `conv_f32.tflite` as a constnet network, written
// by `constnet-import`: its shapes are checked by the compiler.

::constnet::network! {
    /// `conv_f32.tflite`: 7 operators, float32.
    #[derive(Clone, Debug)]
    pub struct ConvF32<f32> {
        input: [2, 10, 10],
        /// `CONV_2D`, 3×3 window, stride 1×1, padding 1×1: [2, 10, 10] → [4, 10, 10] (`functional_4_1/conv2d_2_1/Relu;functional_4_1/conv2d_2_1/BiasAdd;functional_4_1/conv2d_2_1/convolution;functional_4_1/conv2d_2_1/Squeeze1`).
        conv0: Conv2d<2, 4, 3, padding = same>,
        Relu,
        /// `DEPTHWISE_CONV_2D`, 3×3 window, stride 2×2, padding 0×0: [4, 10, 10] → [4, 5, 5] (`functional_4_1/depthwise_conv2d_1_1/Relu6;functional_4_1/depthwise_conv2d_1_1/BiasAdd;functional_4_1/depthwise_conv2d_1_1/depthwise;functional_4_1/depthwise_conv2d_1_1/Squeeze1`).
        depthwise1: DepthwiseConv2d<4, 3, stride = 2, padding = same>,
        Relu6,
        /// `AVERAGE_POOL_2D`, 2×2 window, stride 1×1, padding 0×0: [4, 5, 5] → [4, 4, 4] (`functional_4_1/average_pooling2d_1_1/AvgPool`).
        pool2: AvgPool2d<2, stride = 1>,
        /// `MAX_POOL_2D`, 2×2 window, stride 2×2, padding 0×0: [4, 4, 4] → [4, 2, 2] (`functional_4_1/max_pooling2d_1_1/MaxPool2d`).
        pool3: MaxPool2d<2>,
        /// `CONV_2D`, 1×2 window, stride 1×1, padding 0×0: [4, 2, 2] → [3, 2, 1] (`functional_4_1/conv2d_3_1/BiasAdd;functional_4_1/conv2d_3_1/convolution;functional_4_1/conv2d_3_1/Squeeze1`).
        conv4: Conv2d<4, 3, (1, 2)>,
        /// The image `[3, 2, 1]` as a vector.
        flatten5: Flatten,
        /// `FULLY_CONNECTED`, 6 → 3 (`StatefulPartitionedCall_1:0`).
        dense6: Dense<6, 3>,
    }
}

/// The parameters of `conv_f32.tflite`.
#[allow(dead_code, clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]
pub const CONV_F32: ConvF32<f32> = ConvF32 {
    conv0: ::constnet::layer::Conv2d {
        weight: [[[[-0.12172064, 0.050817013, -0.12430701], [0.22198835, 0.32760087, -0.16903147], [-0.31971288, -0.26055074, -0.27146482]], [[-0.07484913, -0.03857723, 0.19955358], [-0.08932941, -0.12899065, -0.21739642], [-0.21925561, -0.0050182343, 0.28273764]]], [[[0.15324688, 0.29804543, -0.21065538], [-0.17776442, -0.13587603, 0.004067421], [-0.23936877, -0.106817245, 0.274201]], [[0.011204004, -0.319808, -0.04583797], [-0.08672404, 0.276117, -0.14045382], [-0.06520787, -0.15289085, -0.31934327]]], [[[0.30261043, 0.2975565, 0.22919974], [-0.30143213, -0.12986827, 0.3244439], [-0.2780428, -0.27510318, -0.041615337]], [[-0.13665438, -0.288056, 0.19463167], [0.25457433, -0.029910803, -0.07246891], [-0.30963597, -0.1390047, 0.32654485]]], [[[-0.11364405, -0.05415678, 0.04003206], [-0.1863691, 0.05470124, -0.17227904], [0.18132886, 0.26390627, -0.008164883]], [[0.10312581, -0.30666876, 0.013504833], [-0.10326044, 0.09289089, -0.22525963], [0.23957732, 0.31097773, 0.2640479]]]],
        bias: [0.6122757, -0.7666995, 0.12542966, -0.17033088],
    },
    depthwise1: ::constnet::layer::DepthwiseConv2d {
        weight: [[[0.31291515, 0.27750003, 0.075250804], [-0.0014963448, -0.17370173, -0.023997843], [-0.14507215, 0.31577307, -0.06213367]], [[0.27693635, -0.12696423, 0.10697505], [0.035133272, 0.04121977, 0.22149777], [-0.21514298, -0.08877537, -0.036804974]], [[-0.23352557, -0.055230916, -0.045215487], [-0.018533558, -0.17383929, 0.13765877], [-0.2757991, -0.108332545, -0.22059736]], [[0.039541304, -0.13686152, -0.21056947], [0.289177, 0.25303608, -0.050552934], [-0.29223758, 0.35003453, -0.19196984]]],
        bias: [-0.13579479, -0.064679146, -0.60599583, -0.06957971],
    },
    pool2: ::constnet::layer::AvgPool2d::new(),
    pool3: ::constnet::layer::MaxPool2d::new(),
    conv4: ::constnet::layer::Conv2d {
        weight: [[[[0.64002585, -0.14650929]], [[-0.107138455, -0.6535914]], [[-0.21699509, 0.46445048]], [[0.3237908, 0.45685458]]], [[[-0.25521213, 0.59929526]], [[-0.13085991, -0.047727108]], [[-0.53538644, -0.513474]], [[0.36741376, -0.1028648]]], [[[0.05955589, -0.4436958]], [[0.38472676, -0.17459333]], [[0.31256634, -0.508027]], [[0.28941554, -0.503144]]]],
        bias: [-0.25956392, 0.99689984, 0.067735985],
    },
    flatten5: ::constnet::layer::Flatten::new(),
    dense6: ::constnet::layer::Dense::new(
        [[0.5784118, 0.15950626, 0.42801332], [-0.5961027, 0.2002039, 0.39642262], [0.112837136, -0.61565804, -0.076331854], [-0.19223577, -0.6305342, -0.47814968], [0.2505355, -0.73660195, 0.81508994], [-0.54224527, 0.5032805, 0.47308767]],
        [-0.10578924, -0.08438622, -0.2004139],
    ),
};

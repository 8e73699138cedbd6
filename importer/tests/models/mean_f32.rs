// The float32 TensorFlow Lite model `mean_f32.tflite` as a constnet network, written
// by `constnet-import`: its shapes are checked by the compiler.

::constnet::network! {
    /// `mean_f32.tflite`: 3 operators, float32.
    #[derive(Clone, Debug)]
    pub struct MeanF32<f32> {
        input: [2, 6, 6],
        /// `CONV_2D`, 3×3 window, stride 1×1, padding 1×1: [2, 6, 6] → [4, 6, 6] (`functional_9_1/conv2d_5_1/Relu;functional_9_1/conv2d_5_1/BiasAdd;functional_9_1/conv2d_5_1/convolution;functional_9_1/conv2d_5_1/Squeeze1`).
        conv0: Conv2d<2, 4, 3, padding = same>,
        Relu,
        /// `MEAN` of each of 4 channels over 6×6 values (`functional_9_1/global_average_pooling2d_1_1/Mean`).
        pool1: GlobalAvgPool,
        /// `FULLY_CONNECTED`, 4 → 3 (`StatefulPartitionedCall_1:0`).
        dense2: Dense<4, 3>,
    }
}

/// The parameters of `mean_f32.tflite`.
#[allow(dead_code, clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]
pub const MEAN_F32: MeanF32<f32> = MeanF32 {
    conv0: ::constnet::layer::Conv2d {
        weight: [[[[-0.12172064, 0.050817013, -0.12430701], [0.22198835, 0.32760087, -0.16903147], [-0.31971288, -0.26055074, -0.27146482]], [[-0.07484913, -0.03857723, 0.19955358], [-0.08932941, -0.12899065, -0.21739642], [-0.21925561, -0.0050182343, 0.28273764]]], [[[0.15324688, 0.29804543, -0.21065538], [-0.17776442, -0.13587603, 0.004067421], [-0.23936877, -0.106817245, 0.274201]], [[0.011204004, -0.319808, -0.04583797], [-0.08672404, 0.276117, -0.14045382], [-0.06520787, -0.15289085, -0.31934327]]], [[[0.30261043, 0.2975565, 0.22919974], [-0.30143213, -0.12986827, 0.3244439], [-0.2780428, -0.27510318, -0.041615337]], [[-0.13665438, -0.288056, 0.19463167], [0.25457433, -0.029910803, -0.07246891], [-0.30963597, -0.1390047, 0.32654485]]], [[[-0.11364405, -0.05415678, 0.04003206], [-0.1863691, 0.05470124, -0.17227904], [0.18132886, 0.26390627, -0.008164883]], [[0.10312581, -0.30666876, 0.013504833], [-0.10326044, 0.09289089, -0.22525963], [0.23957732, 0.31097773, 0.2640479]]]],
        bias: [0.6122757, -0.7666995, 0.12542966, -0.17033088],
    },
    pool1: ::constnet::layer::GlobalAvgPool::new(),
    dense2: ::constnet::layer::Dense::new(
        [[0.7933847, 0.7021618, -0.59209543], [0.10025549, 0.7035911, -0.32191306], [-0.14003593, -0.34700727, 0.19079566], [0.2712313, -0.11464214, -0.5338911]],
        [-0.13579479, -0.064679146, -0.60599583],
    ),
};

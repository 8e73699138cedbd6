#[allow(clippy::approx_constant, clippy::unreadable_literal)]
const SHAPED_F32: Shaped<f32> = Shaped {
    conv: ::constnet::layer::Conv2d {
        weight: [
            [
                [
                    [-0.0, 0.1],
                    [3.4028235e38, -3.4028235e38],
                    [1.1754944e-38, 1e-45],
                ],
                [
                    [-1.1754942e-38, 1.1920929e-7],
                    [16777216.0, 0.33333334],
                    [f32::from_bits(0x7f800000), f32::from_bits(0xff800000)],
                ],
            ],
            [
                [
                    [f32::from_bits(0x7fa00001), f32::from_bits(0xffc01234)],
                    [-0.0, 0.1],
                    [3.4028235e38, -3.4028235e38],
                ],
                [
                    [1.1754944e-38, 1e-45],
                    [-1.1754942e-38, 1.1920929e-7],
                    [16777216.0, 0.33333334],
                ],
            ],
            [
                [
                    [f32::from_bits(0x7f800000), f32::from_bits(0xff800000)],
                    [f32::from_bits(0x7fa00001), f32::from_bits(0xffc01234)],
                    [-0.0, 0.1],
                ],
                [
                    [3.4028235e38, -3.4028235e38],
                    [1.1754944e-38, 1e-45],
                    [-1.1754942e-38, 1.1920929e-7],
                ],
            ],
        ],
        bias: [16777216.0, 0.33333334, f32::from_bits(0x7f800000)],
    },
    depthwise: ::constnet::layer::DepthwiseConv2d {
        weight: [
            [
                [f32::from_bits(0xff800000), f32::from_bits(0x7fa00001)],
                [f32::from_bits(0xffc01234), -0.0],
            ],
            [
                [0.1, 3.4028235e38],
                [-3.4028235e38, 1.1754944e-38],
            ],
            [
                [1e-45, -1.1754942e-38],
                [1.1920929e-7, 16777216.0],
            ],
        ],
        bias: [0.33333334, f32::from_bits(0x7f800000), f32::from_bits(0xff800000)],
    },
    max: ::constnet::layer::MaxPool2d::new(),
    avg: ::constnet::layer::AvgPool2d::new(),
    flatten: ::constnet::layer::Flatten::new(),
    out: ::constnet::layer::Dense::new(
        [
            [f32::from_bits(0x7fa00001), f32::from_bits(0xffc01234)],
            [-0.0, 0.1],
            [3.4028235e38, -3.4028235e38],
        ],
        [1.1754944e-38, 1e-45],
    ),
};
#[allow(clippy::approx_constant, clippy::unreadable_literal)]
const SHAPED_1D_F32: Shaped1d<f32> = Shaped1d {
    conv: ::constnet::layer::Conv1d {
        weight: [
            [
                [-3.4028235e38, 1.1754944e-38, 1e-45],
                [-1.1754942e-38, 1.1920929e-7, 16777216.0],
            ],
            [
                [0.33333334, f32::from_bits(0x7f800000), f32::from_bits(0xff800000)],
                [f32::from_bits(0x7fa00001), f32::from_bits(0xffc01234), -3.4028235e38],
            ],
        ],
        bias: [1.1754944e-38, 1e-45],
    },
    max: ::constnet::layer::MaxPool1d::new(),
    avg: ::constnet::layer::AvgPool1d::new(),
    pool: ::constnet::layer::GlobalAvgPool::new(),
    inner: Inner {
        first: ::constnet::layer::Dense::new(
            [
                [-1.1754942e-38, 1.1920929e-7, 16777216.0],
                [0.33333334, f32::from_bits(0x7f800000), f32::from_bits(0xff800000)],
            ],
            [f32::from_bits(0x7fa00001), f32::from_bits(0xffc01234), -3.4028235e38],
        ),
    },
};

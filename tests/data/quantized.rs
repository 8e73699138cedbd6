#[allow(clippy::approx_constant, clippy::unreadable_literal)]
const Q_SCALE: ::constnet::quant::Quantization = ::constnet::quant::Quantization { scale: 0.33333334, zero_point: -128 };
#[allow(clippy::approx_constant, clippy::unreadable_literal)]
const Q_DENSE: ::constnet::quant::QDense<3, 2> = ::constnet::quant::QDense {
    weight: [
        [-128, -91, -54],
        [-17, 20, 57],
    ],
    bias: [-2147483648, 2147483647],
    multiplier: [
        ::constnet::quant::Multiplier { value: 1073741824, shift: -1 },
        ::constnet::quant::Multiplier { value: 1073741825, shift: 0 },
    ],
    input_zero_point: -128,
    output_zero_point: 127,
    clamp: (0, 127),
};
#[allow(clippy::approx_constant, clippy::unreadable_literal)]
const Q_CONV: ::constnet::quant::QConv2d<2, 2, 2, 3, 4, 5, 1, 2, 0, 1, 3, 3> = ::constnet::quant::QConv2d {
    weight: [
        [
            [
                [-128, -91, -54],
                [-17, 20, 57],
            ],
            [
                [94, -125, -88],
                [-51, -14, 23],
            ],
        ],
        [
            [
                [60, 97, -122],
                [-85, -48, -11],
            ],
            [
                [26, 63, 100],
                [-119, -82, -45],
            ],
        ],
    ],
    bias: [2147483647, -1],
    multiplier: [
        ::constnet::quant::Multiplier { value: 1073741824, shift: -1 },
        ::constnet::quant::Multiplier { value: 1073741825, shift: 0 },
    ],
    input_zero_point: 5,
    output_zero_point: -7,
    clamp: (-128, 6),
};
#[allow(clippy::approx_constant, clippy::unreadable_literal)]
const Q_DEPTHWISE: ::constnet::quant::QDepthwiseConv2d<2, 3, 3, 5, 5, 2, 2, 1, 1, 3, 3> = ::constnet::quant::QDepthwiseConv2d {
    weight: [
        [
            [57, 94, -125],
            [-88, -51, -14],
            [23, 60, 97],
        ],
        [
            [-122, -85, -48],
            [-11, 26, 63],
            [100, -119, -82],
        ],
    ],
    bias: [-1, 0],
    multiplier: [
        ::constnet::quant::Multiplier { value: 1073741827, shift: 2 },
        ::constnet::quant::Multiplier { value: 1073741828, shift: 3 },
    ],
    input_zero_point: 0,
    output_zero_point: 0,
    clamp: (-128, 127),
};
#[allow(clippy::approx_constant, clippy::unreadable_literal)]
const Q_SOFTMAX: ::constnet::quant::QSoftmax<5> = ::constnet::quant::QSoftmax { multiplier: 2147483647, left_shift: 30, diff_min: -2147483648 };

#[allow(clippy::approx_constant, clippy::unreadable_literal)]
const AWKWARD_F32: Awkward<f32> = Awkward {
    r#in: ::constnet::layer::Dense::new(
        [
            [-0.0, 0.1],
            [3.4028235e38, -3.4028235e38],
            [1.1754944e-38, 1e-45],
        ],
        [-1.1754942e-38, 1.1920929e-7],
    ),
    inner: Inner {
        first: ::constnet::layer::Dense::new(
            [
                [16777216.0, 0.33333334, f32::from_bits(0x7f800000)],
                [f32::from_bits(0xff800000), f32::from_bits(0x7fa00001), f32::from_bits(0xffc01234)],
            ],
            [-0.0, 0.1, 3.4028235e38],
        ),
    },
};

//! Networks written as Rust source read back, through rustc, bit for bit.
//!
//! `tests/data/awkward_*.rs` were written by `awkward_*().rust_const(..)`;
//! the tests compile them in and compare every bit with the values set here.
//! After a deliberate change of the format: `BLESS=1 cargo test --test source`.

use constnet::prelude::*;
use constnet::source::ToRust;

network! {
    pub struct Inner<f32> { first: Dense<2, 3> }
}

network! {
    /// Nested, with a raw identifier and an activation between the layers.
    pub struct Awkward<f32> { r#in: Dense<3, 2>, Tanh, inner: Inner }
}

network! {
    pub struct Wide<f64> { layer: Dense<4, 4> }
}

network! {
    /// Every kind of layer with a shape.
    pub struct Shaped<f32> {
        input: [2, 6, 6],
        conv: Conv2d<2, 3, (3, 2), padding = same>,
        Relu,
        depthwise: DepthwiseConv2d<3, 2, stride = 2>,
        max: MaxPool2d<(1, 2)>,
        avg: AvgPool2d<(3, 1)>,
        flatten: Flatten,
        out: Dense<3, 2>,
    }
}

network! {
    pub struct Shaped1d<f32> {
        input: [2, 9],
        conv: Conv1d<2, 2, 3, stride = 2, padding = 1>,
        max: MaxPool1d<2>,
        avg: AvgPool1d<2>,
        pool: GlobalAvgPool,
        inner: Inner,
    }
}

const F32_VALUES: [f32; 14] = [
    -0.0,
    0.1,
    f32::MAX,
    f32::MIN,
    f32::MIN_POSITIVE,
    f32::from_bits(1),
    -f32::from_bits(0x007f_ffff),
    f32::EPSILON,
    16_777_216.0,
    1.0 / 3.0,
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::from_bits(0x7fa0_0001),
    f32::from_bits(0xffc0_1234),
];

const F64_VALUES: [f64; 10] = [
    -0.0,
    0.1,
    f64::MAX,
    f64::MIN_POSITIVE,
    f64::from_bits(1),
    -f64::from_bits(0x000f_ffff_ffff_ffff),
    core::f64::consts::PI,
    9_007_199_254_740_992.0,
    f64::NEG_INFINITY,
    f64::from_bits(0x7ff0_0000_0000_0001),
];

/// Fills every parameter, in order, with `values` over and over.
fn filled<T: Scalar, P: Params<T>>(values: &[T]) -> P {
    let mut params = P::zeros();
    let mut next = values.iter().cycle();
    let mut index = 0;
    while let Some(tensor) = params.tensor_mut(index) {
        tensor.iter_mut().for_each(|p| *p = *next.next().unwrap());
        index += 1;
    }
    params
}

fn bits<P: Params<f32>>(params: &P) -> Vec<u32> {
    (0..P::TENSORS).flat_map(|i| params.tensor(i).unwrap().iter().map(|x| x.to_bits())).collect()
}

fn bits_f64<P: Params<f64>>(params: &P) -> Vec<u64> {
    (0..P::TENSORS).flat_map(|i| params.tensor(i).unwrap().iter().map(|x| x.to_bits())).collect()
}

include!("data/awkward_f32.rs");
include!("data/awkward_f64.rs");
include!("data/shaped_f32.rs");
include!("data/quantized.rs");

/// int8 layers of every kind with weights, their integers at the extremes.
fn quantized() -> (
    constnet::quant::Quantization,
    constnet::quant::QDense<3, 2>,
    constnet::quant::QConv2d<2, 2, 2, 3, 4, 5, 1, 2, 0, 1, 3, 3>,
    constnet::quant::QDepthwiseConv2d<2, 3, 3, 5, 5, 2, 2, 1, 1, 3, 3>,
    constnet::quant::QSoftmax<5>,
) {
    use constnet::quant::{Multiplier, QConv2d, QDense, QDepthwiseConv2d, QSoftmax, Quantization};
    let weight = |i: usize| (i * 37 + 128) as u8 as i8;
    let bias = |i: usize| [i32::MIN, i32::MAX, -1, 0][i % 4];
    let multiplier = |i: usize| Multiplier { value: 1 << 30 | i as i32, shift: i as i32 - 1 };
    let scale = Quantization { scale: 1.0 / 3.0, zero_point: -128 };
    let dense = QDense {
        weight: core::array::from_fn(|o| core::array::from_fn(|i| weight(o * 3 + i))),
        bias: core::array::from_fn(bias),
        multiplier: core::array::from_fn(multiplier),
        input_zero_point: -128,
        output_zero_point: 127,
        clamp: (0, 127),
    };
    let mut conv = QConv2d {
        weight: Default::default(),
        bias: core::array::from_fn(|o| bias(o + 1)),
        multiplier: core::array::from_fn(multiplier),
        input_zero_point: 5,
        output_zero_point: -7,
        clamp: (-128, 6),
    };
    for (i, w) in
        conv.weight.as_flattened_mut().as_flattened_mut().as_flattened_mut().iter_mut().enumerate()
    {
        *w = weight(i);
    }
    let mut depthwise = QDepthwiseConv2d {
        weight: Default::default(),
        bias: core::array::from_fn(|o| bias(o + 2)),
        multiplier: core::array::from_fn(|o| multiplier(o + 3)),
        input_zero_point: 0,
        output_zero_point: 0,
        clamp: (-128, 127),
    };
    for (i, w) in depthwise.weight.as_flattened_mut().as_flattened_mut().iter_mut().enumerate() {
        *w = weight(i + 5);
    }
    let softmax = QSoftmax { multiplier: i32::MAX, left_shift: 30, diff_min: i32::MIN };
    (scale, dense, conv, depthwise, softmax)
}

/// int8 layers read back, through rustc, equal.
#[test]
fn int8_layers_compile_back_to_the_same_values() {
    let (scale, dense, conv, depthwise, softmax) = quantized();
    assert_eq!(Q_SCALE.scale.to_bits(), scale.scale.to_bits());
    assert_eq!(
        (Q_SCALE, Q_DENSE, Q_CONV, Q_DEPTHWISE, Q_SOFTMAX),
        (scale, dense, conv, depthwise, softmax)
    );
}

#[test]
fn f32_parameters_compile_back_to_the_same_bits() {
    let expected: Awkward = filled(&F32_VALUES);
    assert_eq!(bits(&AWKWARD_F32), bits(&expected));
}

#[test]
fn f64_parameters_compile_back_to_the_same_bits() {
    let expected: Wide = filled(&F64_VALUES);
    assert_eq!(bits_f64(&WIDE_F64), bits_f64(&expected));
}

#[test]
fn layers_with_a_shape_compile_back_to_the_same_bits() {
    let expected: Shaped = filled(&F32_VALUES);
    assert_eq!(bits(&SHAPED_F32), bits(&expected));
    let expected: Shaped1d = filled(&F32_VALUES[3..]);
    assert_eq!(bits(&SHAPED_1D_F32), bits(&expected));
}

/// The fixtures are what the networks write today.
#[test]
fn fixtures_are_current() {
    let awkward: Awkward = filled(&F32_VALUES);
    let wide: Wide = filled(&F64_VALUES);
    let shaped: Shaped = filled(&F32_VALUES);
    let shaped_1d: Shaped1d = filled(&F32_VALUES[3..]);
    let shaped_source =
        format!("{}{}", shaped.rust_const("SHAPED_F32"), shaped_1d.rust_const("SHAPED_1D_F32"));
    let (scale, dense, conv, depthwise, softmax) = quantized();
    let quantized_source = format!(
        "{}{}{}{}{}",
        scale.rust_const("Q_SCALE"),
        dense.rust_const("Q_DENSE"),
        conv.rust_const("Q_CONV"),
        depthwise.rust_const("Q_DEPTHWISE"),
        softmax.rust_const("Q_SOFTMAX")
    );
    for (path, written) in [
        ("tests/data/awkward_f32.rs", awkward.rust_const("AWKWARD_F32").to_string()),
        ("tests/data/awkward_f64.rs", wide.rust_const("WIDE_F64").to_string()),
        ("tests/data/shaped_f32.rs", shaped_source),
        ("tests/data/quantized.rs", quantized_source),
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&path, &written).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written, committed, "{} is stale: rerun with BLESS=1", path.display());
    }
}

#[test]
fn a_network_names_its_type_with_its_scalar() {
    let mut name = String::new();
    Wide::<f32>::write_type(&mut name).unwrap();
    assert_eq!(name, "Wide<f32>");
    let mut name = String::new();
    <Dense<f64, 2, 3>>::write_type(&mut name).unwrap();
    assert_eq!(name, "::constnet::layer::Dense<f64, 2, 3>");
    let mut name = String::new();
    constnet::layer::Conv1d::<f32, 2, 3, 3, 9, 2, 1, 5>::write_type(&mut name).unwrap();
    assert_eq!(name, "::constnet::layer::Conv1d<f32, 2, 3, 3, 9, 2, 1, 5>");
    let mut name = String::new();
    constnet::layer::Flatten::<[[[f64; 1]; 1]; 3], 3>::write_type(&mut name).unwrap();
    assert_eq!(name, "::constnet::layer::Flatten<[[[f64; 1]; 1]; 3], 3>");
}

//! The int8 network `network!` writes beside a float one (`{Name}Q8`), and
//! the `quantize` that calibrates it:
//!
//! - it is the network one would compose by hand from the layers'
//!   quantizations, each range observed where TensorFlow Lite's converter
//!   observes it (the input, and each layer with weights after its ReLU);
//! - for random networks and inputs, its dequantized outputs stay within a
//!   bound derived from the roundings it makes, carried from layer to
//!   layer (see `mlps_stay_within_the_bound_of_their_roundings` and
//!   `cnns_stay_within_the_bound_of_their_roundings`);
//! - bad weights and calibration data are errors, not int8 values.

use constnet::prelude::*;
use constnet::quant::{
    Mean, QDense, QFlatten, QGlobalAvgPool, QLogistic, QPool1d, QPool2d, QSoftmax, QTanh,
    Quantization, QuantizeError, Range, Reduce,
};
use constnet::source::ToRust;
use proptest::prelude::*;
use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};

network! {
    /// Every layer that has an int8 counterpart.
    pub struct Cnn<f32> {
        input: [2, 8, 8],
        conv: Conv2d<2, 4, 3, padding = 1>,
        Relu,
        pool: MaxPool2d<2>,
        depthwise: DepthwiseConv2d<4, 3, padding = same>,
        Relu6,
        average: AvgPool2d<2>,
        flatten: Flatten,
        hidden: Dense<16, 6>,
        Identity,
        logits: Dense<6, 3>,
        Softmax,
    }
}

network! {
    /// A convolution, a max pooling and a dense layer, for the bound.
    pub struct SmallCnn<f32> {
        input: [2, 6, 6],
        conv: Conv2d<2, 3, 3, padding = 1>,
        Relu,
        pool: MaxPool2d<2>,
        flatten: Flatten,
        out: Dense<27, 3>,
    }
}

network! {
    pub struct Mlp<f32> { first: Dense<4, 12>, Relu, second: Dense<12, 8>, Relu6, last: Dense<8, 3> }
}

network! {
    /// The 1-D layers and the global average pooling.
    pub struct Sequence<f32> {
        input: [2, 16],
        conv: Conv1d<2, 4, 3, padding = 1>,
        Relu,
        pool: MaxPool1d<2>,
        narrow: Conv1d<4, 4, 3, stride = 2>,
        Relu6,
        average: AvgPool1d<1>,
        global: GlobalAvgPool,
        out: Dense<4, 3>,
    }
}

network! {
    /// A sequence flattened.
    pub struct Flat<f32> { input: [2, 6], conv: Conv1d<2, 3, 3>, Relu, flatten: Flatten, out: Dense<12, 2> }
}

network! {
    /// A tanh and a sigmoid, TensorFlow Lite's int8 functions.
    pub struct Squashing<f32> { first: Dense<3, 5>, Tanh, second: Dense<5, 4>, Sigmoid, last: Dense<4, 2> }
}

network! {
    /// A leaky ReLU has no int8 counterpart: no `quantize`, no `PlainQ8`.
    pub struct Plain<f32> { hidden: Dense<2, 2>, LeakyRelu(0.1) }
}

type Image = [[[f32; 8]; 8]; 2];

fn random_images(rng: &mut SmallRng, count: usize) -> Vec<Image> {
    (0..count)
        .map(|_| {
            core::array::from_fn(|_| {
                core::array::from_fn(|_| core::array::from_fn(|_| rng.random_range(-2.0..2.0)))
            })
        })
        .collect()
}

fn random_cnn(rng: &mut SmallRng) -> Cnn {
    let mut cnn = Cnn::random(rng);
    for index in 0..Cnn::<f32>::TENSORS {
        let tensor = cnn.tensor_mut(index).unwrap();
        tensor.iter_mut().for_each(|b| *b += rng.random_range(-0.3..0.3));
    }
    cnn
}

fn relu(q: Quantization) -> (i8, i8) {
    q.clamp_range(0.0, f32::INFINITY)
}

#[test]
fn quantize_calibrates_each_layer_where_tensorflow_lite_does() {
    let mut rng = SmallRng::seed_from_u64(1);
    let cnn = random_cnn(&mut rng);
    let images = random_images(&mut rng, 24);
    let q8 = cnn.quantize(&images).unwrap();

    // By hand: the ranges of the input and of each layer with weights, after
    // its ReLU; poolings and the flatten keep their input's quantization.
    let mut ranges = [Range::EMPTY; 5];
    for x in &images {
        ranges[0].observe(x.as_flattened().as_flattened());
        let a = Relu.forward(&cnn.conv.forward(x));
        ranges[1].observe(a.as_flattened().as_flattened());
        let b = Relu6.forward(&cnn.depthwise.forward(&cnn.pool.forward(&a)));
        ranges[2].observe(b.as_flattened().as_flattened());
        let c = cnn.hidden.forward(&cnn.flatten.forward(&cnn.average.forward(&b)));
        ranges[3].observe(&c);
        ranges[4].observe(&cnn.logits.forward(&c));
    }
    let [input, conv, depthwise, hidden, logits] = ranges.map(|r| r.quantization());
    let softmax = Quantization { scale: 1.0 / 256.0, zero_point: -128 };
    let expected = CnnQ8 {
        input_quantization: input,
        conv: cnn.conv.quantized(input, conv, relu(conv)),
        pool: QPool2d { reduce: Reduce::Max, clamp: (-128, 127) },
        depthwise: cnn.depthwise.quantized(conv, depthwise, depthwise.clamp_range(0.0, 6.0)),
        average: QPool2d { reduce: Reduce::Average, clamp: (-128, 127) },
        flatten: QFlatten::new(),
        hidden: cnn.hidden.quantized(depthwise, hidden, (-128, 127)),
        logits: cnn.logits.quantized(hidden, logits, (-128, 127)),
        softmax11: QSoftmax::new(1.0, f64::from(logits.scale)).unwrap(),
        output_quantization: softmax,
    };
    assert_eq!(q8, expected);
    assert_eq!(CnnQ8::PARAM_BYTES, core::mem::size_of::<CnnQ8>());

    // Its forward is the layers' in order, on the quantized input.
    for x in &images {
        let q = q8.quantize_input(x);
        assert_eq!(q, x.map(|c| c.map(|row| row.map(|v| input.quantize(v)))));
        let e = &expected;
        let y = e.depthwise.forward(&e.pool.forward(&e.conv.forward(&q)));
        let y = e.hidden.forward(&e.flatten.forward(&e.average.forward(&y)));
        let y = e.softmax11.forward(&e.logits.forward(&y));
        assert_eq!(q8.forward(&q), y);
        let probabilities = q8.dequantize_output(&y);
        assert_eq!(probabilities, y.map(|v| softmax.dequantize(v)));
        // TensorFlow Lite's softmax and the float one part by little.
        let float = cnn.forward(x);
        for (p, f) in probabilities.iter().zip(float) {
            assert!((p - f).abs() <= 0.06, "{probabilities:?} against {float:?}");
        }
    }
}

/// A tanh and a sigmoid take the quantization of the layer before them as
/// their input's, and give theirs (1/128 and 1/256) to the layer after.
#[test]
fn tanh_and_sigmoid_are_tensorflow_lites_int8_functions() {
    let mut rng = SmallRng::seed_from_u64(5);
    let net = Squashing::random(&mut rng);
    let inputs: Vec<[f32; 3]> =
        (0..20).map(|_| core::array::from_fn(|_| rng.random_range(-2.0..2.0))).collect();
    let q8 = net.quantize(&inputs).unwrap();
    let mut ranges = [Range::EMPTY; 4];
    for x in &inputs {
        ranges[0].observe(x);
        let a = net.first.forward(x);
        ranges[1].observe(&a);
        let b = net.second.forward(&Tanh.forward(&a));
        ranges[2].observe(&b);
        ranges[3].observe(&net.last.forward(&Sigmoid.forward(&b)));
    }
    let [input, first, second, last] = ranges.map(|r| r.quantization());
    let (tanh, sigmoid) = (QTanh::<5>::OUTPUT, QLogistic::<4>::OUTPUT);
    let expected = SquashingQ8 {
        input_quantization: input,
        first: net.first.quantized(input, first, (-128, 127)),
        tanh1: QTanh::new(first).unwrap(),
        second: net.second.quantized(tanh, second, (-128, 127)),
        sigmoid3: QLogistic::new(second).unwrap(),
        last: net.last.quantized(sigmoid, last, (-128, 127)),
        output_quantization: last,
    };
    assert_eq!(q8, expected);
    for x in &inputs {
        let y = q8.dequantize_output(&q8.forward(&q8.quantize_input(x)));
        let float = net.forward(x);
        for (y, f) in y.iter().zip(float) {
            assert!((y - f).abs() <= 6.0 * last.scale, "{y} against {f}");
        }
    }
}

/// Sequences quantize as images do: 1-D convolutions with their ReLUs as
/// clamps, windowed poolings and the flatten keeping their input's
/// quantization, the global pooling's means rescaled to their own range.
#[test]
fn one_dimensional_layers_have_int8_twins() {
    let mut rng = SmallRng::seed_from_u64(6);
    let net = Sequence::random(&mut rng);
    let inputs: Vec<[[f32; 16]; 2]> = (0..20)
        .map(|_| core::array::from_fn(|_| core::array::from_fn(|_| rng.random_range(-2.0..2.0))))
        .collect();
    let q8 = net.quantize(&inputs).unwrap();
    let mut ranges = [Range::EMPTY; 5];
    for x in &inputs {
        ranges[0].observe(x.as_flattened());
        let a = Relu.forward(&net.conv.forward(x));
        ranges[1].observe(a.as_flattened());
        let b = Relu6.forward(&net.narrow.forward(&net.pool.forward(&a)));
        ranges[2].observe(b.as_flattened());
        let means = net.global.forward(&net.average.forward(&b));
        ranges[3].observe(&means);
        ranges[4].observe(&net.out.forward(&means));
    }
    let [input, conv, narrow, means, out] = ranges.map(|r| r.quantization());
    assert_ne!(means, narrow, "a mean's range is narrower than its input's");
    let expected = SequenceQ8 {
        input_quantization: input,
        conv: net.conv.quantized(input, conv, relu(conv)),
        pool: QPool1d::new(Reduce::Max, (-128, 127)),
        narrow: net.narrow.quantized(conv, narrow, narrow.clamp_range(0.0, 6.0)),
        average: QPool1d::new(Reduce::Average, (-128, 127)),
        global: QGlobalAvgPool::new(Mean::new(narrow, means, 3)),
        out: net.out.quantized(means, out, (-128, 127)),
        output_quantization: out,
    };
    assert_eq!(q8, expected);
    for x in &inputs {
        let y = q8.dequantize_output(&q8.forward(&q8.quantize_input(x)));
        for (y, f) in y.iter().zip(net.forward(x)) {
            assert!((y - f).abs() <= 8.0 * out.scale, "{y} against {f}");
        }
    }

    let Mean::Requantized { multiplier, input_zero_point, output_zero_point } = q8.global.mean
    else {
        panic!("{:?}", q8.global)
    };
    let source = q8.rust_const("SEQUENCE_Q8").to_string();
    let global = format!(
        "global: ::constnet::quant::QGlobalAvgPool::new(::constnet::quant::Mean::Requantized {{ \
         multiplier: ::constnet::quant::Multiplier {{ value: {}, shift: {} }}, \
         input_zero_point: {input_zero_point}, output_zero_point: {output_zero_point} }}),",
        multiplier.value, multiplier.shift
    );
    assert!(source.contains(&global), "{source}");

    let flat = Flat::random(&mut rng);
    let q8 = flat.quantize(&[[[0.5; 6], [-0.5; 6]], [[1.0; 6], [0.0; 6]]]).unwrap();
    let image = q8.quantize_input(&[[0.5; 6], [-0.5; 6]]);
    let conv = q8.conv.forward(&image);
    assert_eq!(q8.flatten.forward(&conv), *conv.as_flattened());
    assert_eq!(q8.forward(&image), q8.out.forward(conv.as_flattened().try_into().unwrap()));
}

#[test]
fn the_int8_network_writes_itself_as_rust_source() {
    let mut rng = SmallRng::seed_from_u64(2);
    let cnn = random_cnn(&mut rng);
    let q8 = cnn.quantize(&random_images(&mut rng, 4)).unwrap();
    let source = q8.rust_const("CNN_Q8").to_string();
    assert!(source.contains("\nconst CNN_Q8: CnnQ8 = CnnQ8 {\n"), "{source}");
    for field in
        ["input_quantization", "conv", "pool", "flatten", "softmax11", "output_quantization"]
    {
        assert!(source.contains(&format!("\n    {field}: ::constnet::quant::")), "{field}");
    }
    assert!(source.contains("reduce: ::constnet::quant::Reduce::Average"));
}

#[test]
fn bad_weights_and_calibration_data_are_errors() {
    let mut rng = SmallRng::seed_from_u64(3);
    let mut mlp = Mlp::random(&mut rng);
    let inputs = [[0.5, -1.0, 2.0, 0.0]];
    assert!(mlp.quantize(&inputs).is_ok());

    let error = mlp.quantize(&[]).unwrap_err();
    assert!(matches!(error, QuantizeError::Range { layer: "input", .. }), "{error}");
    assert_eq!(error.to_string(), "no calibration value after `input` was a number");
    let error = mlp.quantize(&[[f32::NAN; 4]]).unwrap_err();
    assert!(matches!(error, QuantizeError::Range { layer: "input", .. }), "{error}");
    let error = mlp.quantize(&[[f32::INFINITY, 0.0, 0.0, 0.0]]).unwrap_err();
    assert!(error.to_string().contains("after `input` reach [0, inf]"), "{error}");
    let error = mlp.quantize(&[[f32::INFINITY; 4]]).unwrap_err();
    assert!(error.to_string().contains("after `input` reach [inf, inf]"), "{error}");

    mlp.second.weight[3][1] = f32::NAN;
    let error = mlp.quantize(&inputs).unwrap_err();
    assert!(matches!(error, QuantizeError::Weight { index: 25, .. }), "{error:?}");
    assert!(error.to_string().starts_with("cannot quantize second.weight[3][1] = NaN"), "{error}");
    // The tensor, by its position among the network's (first.weight,
    // first.bias, second.weight, ...) and by its name.
    let QuantizeError::Weight { tensor, .. } = error else { unreachable!() };
    assert_eq!(tensor.position(), 2);
    assert!(format!("{error:?}").contains("tensor: second.weight"), "{error:?}");

    // Finite inputs whose first layer's outputs overflow to infinity.
    mlp.second.weight[3][1] = 0.5;
    mlp.first.weight = [[1.0; 12]; 4];
    let error = mlp.quantize(&[[3e38; 4]]).unwrap_err();
    assert!(matches!(error, QuantizeError::Range { layer: "first", .. }), "{error}");
}

#[test]
fn networks_with_a_layer_without_int8_counterpart_have_no_quantize() {
    // `Plain` compiles, and has its float methods only: a `PlainQ8` would
    // collide with this one.
    #[allow(dead_code)]
    struct PlainQ8;
    let plain = Plain::<f32>::zeros();
    assert_eq!(plain.forward(&[-1.0, 0.0]), [0.0, 0.0]);
}

/// The bound on the error of one int8 output, in real units, from the
/// bound `input_error` on its inputs' error, `Σ|ŵ|` of its int8 weights
/// (dequantized), `Σ|x|` of its float inputs and its weights' scale:
/// `Σ|ŵ|·e_in + Σ|x|·s_w/2 + s_in·s_w/2 + s_out` (the weights', the bias's
/// and the output's roundings; ReLU and clamps only bring values closer).
fn rounding_bound([sum_w, sum_x, s_w]: [f64; 3], input_error: f64, [s_in, s_out]: [f32; 2]) -> f64 {
    sum_w * input_error + sum_x * s_w / 2.0 + f64::from(s_in) * s_w / 2.0 + f64::from(s_out)
}

/// One layer of an MLP: the largest [`rounding_bound`] of its outputs.
fn carried<const IN: usize, const OUT: usize>(
    layer: &Dense<f32, IN, OUT>,
    q: &QDense<IN, OUT>,
    x: &[f32; IN],
    input_error: f64,
    [s_in, s_out]: [f32; 2],
) -> f64 {
    (0..OUT)
        .map(|o| {
            let largest = (0..IN).map(|i| layer.weight[i][o].abs()).fold(0.0, f32::max);
            let s_w = f64::from(largest) / 127.0;
            let sum_w: f64 = q.weight[o].iter().map(|&w| f64::from(w).abs() * s_w).sum();
            let sum_x: f64 = x.iter().map(|&v| f64::from(v).abs()).sum();
            rounding_bound([sum_w, sum_x, s_w], input_error, [s_in, s_out])
        })
        .fold(0.0, f64::max)
}

proptest! {
    /// For random MLPs and inputs, calibrated on those inputs, every int8
    /// output stays within the bound its roundings allow, carried through
    /// the layers; the worst error seen, in output steps, is printed.
    #[test]
    fn mlps_stay_within_the_bound_of_their_roundings(
        seed in any::<u64>(),
        count in 4..40_usize,
        spread in 0.1f32..4.0,
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut mlp = Mlp::random(&mut rng);
        for index in 0..Mlp::<f32>::TENSORS {
            let tensor = mlp.tensor_mut(index).unwrap();
            tensor.iter_mut().for_each(|b| *b += rng.random_range(-0.2..0.2));
        }
        let inputs: Vec<[f32; 4]> = (0..count)
            .map(|_| core::array::from_fn(|_| rng.random_range(-spread..spread)))
            .collect();
        let q8 = mlp.quantize(&inputs).unwrap();
        // The hidden layers' quantizations, as `quantize` calibrates them
        // (which the test above checks).
        let (mut r1, mut r2) = (Range::EMPTY, Range::EMPTY);
        for x in &inputs {
            let a = Relu.forward(&mlp.first.forward(x));
            r1.observe(&a);
            r2.observe(&Relu6.forward(&mlp.second.forward(&a)));
        }
        let (q_in, q1, q2, q3) =
            (q8.input_quantization, r1.quantization(), r2.quantization(), q8.output_quantization);
        let mut worst = 0.0f64;
        for x in &inputs {
            let a = Relu.forward(&mlp.first.forward(x));
            let b = Relu6.forward(&mlp.second.forward(&a));
            let y = mlp.last.forward(&b);
            let e1 = carried(&mlp.first, &q8.first, x, f64::from(q_in.scale) / 2.0, [q_in.scale, q1.scale]);
            let e2 = carried(&mlp.second, &q8.second, &a, e1, [q1.scale, q2.scale]);
            let e3 = carried(&mlp.last, &q8.last, &b, e2, [q2.scale, q3.scale]);
            let found = q8.dequantize_output(&q8.forward(&q8.quantize_input(x)));
            for (found, y) in found.iter().zip(y) {
                let error = f64::from((found - y).abs());
                // Written so that a NaN fails.
                prop_assert!(error <= e3 * (1.0 + 1e-6), "{error} against the bound {e3}");
                worst = worst.max(error / f64::from(q3.scale));
            }
        }
        println!("worst {worst:.2} output steps");
    }
}

/// [`carried`] for a convolution of padding 1: each output a dense layer
/// on the window it reads (the padding's zeros are exact).
fn carried_conv<const C_IN: usize, const C_OUT: usize, const H: usize, const W: usize>(
    weight: &[[[[f32; 3]; 3]; C_IN]; C_OUT],
    q: &[[[[i8; 3]; 3]; C_IN]; C_OUT],
    x: &[[[f32; W]; H]; C_IN],
    input_error: f64,
    [s_in, s_out]: [f32; 2],
) -> f64 {
    let mut worst = 0.0f64;
    for co in 0..C_OUT {
        let largest =
            weight[co].as_flattened().as_flattened().iter().fold(0.0, |m, w| w.abs().max(m));
        let s_w = f64::from(largest) / 127.0;
        for (oh, ow) in (0..H).flat_map(|oh| (0..W).map(move |ow| (oh, ow))) {
            let (mut sum_w, mut sum_x) = (0.0, 0.0);
            for ci in 0..C_IN {
                for (kh, kw) in (0..3).flat_map(|kh| (0..3).map(move |kw| (kh, kw))) {
                    let (Some(ih), Some(iw)) = ((oh + kh).checked_sub(1), (ow + kw).checked_sub(1))
                    else {
                        continue;
                    };
                    if ih < H && iw < W {
                        sum_w += f64::from(q[co][ci][kh][kw]).abs() * s_w;
                        sum_x += f64::from(x[ci][ih][iw]).abs();
                    }
                }
            }
            worst = worst.max(rounding_bound([sum_w, sum_x, s_w], input_error, [s_in, s_out]));
        }
    }
    worst
}

proptest! {
    /// The same for random convolutional networks: a max pooling keeps its
    /// input's quantization and moves no value, so it carries the bound as
    /// it is.
    #[test]
    fn cnns_stay_within_the_bound_of_their_roundings(
        seed in any::<u64>(),
        count in 4..24_usize,
        spread in 0.1f32..4.0,
    ) {
        let mut rng = SmallRng::seed_from_u64(seed);
        let mut cnn = SmallCnn::random(&mut rng);
        for index in 0..SmallCnn::<f32>::TENSORS {
            let tensor = cnn.tensor_mut(index).unwrap();
            tensor.iter_mut().for_each(|b| *b += rng.random_range(-0.2..0.2));
        }
        let inputs: Vec<[[[f32; 6]; 6]; 2]> = (0..count)
            .map(|_| core::array::from_fn(|_| core::array::from_fn(|_| core::array::from_fn(|_| rng.random_range(-spread..spread)))))
            .collect();
        let q8 = cnn.quantize(&inputs).unwrap();
        let mut r_conv = Range::EMPTY;
        for x in &inputs {
            r_conv.observe(Relu.forward(&cnn.conv.forward(x)).as_flattened().as_flattened());
        }
        let (q_in, q_conv, q_out) = (q8.input_quantization, r_conv.quantization(), q8.output_quantization);
        let mut worst = 0.0f64;
        for x in &inputs {
            let a = Relu.forward(&cnn.conv.forward(x));
            let flat = cnn.flatten.forward(&cnn.pool.forward(&a));
            let y = cnn.out.forward(&flat);
            let input_error = f64::from(q_in.scale) / 2.0;
            let e_conv = carried_conv(&cnn.conv.weight, &q8.conv.weight, x, input_error, [q_in.scale, q_conv.scale]);
            let e_out = carried(&cnn.out, &q8.out, &flat, e_conv, [q_conv.scale, q_out.scale]);
            let found = q8.dequantize_output(&q8.forward(&q8.quantize_input(x)));
            for (found, y) in found.iter().zip(y) {
                let error = f64::from((found - y).abs());
                // Written so that a NaN fails.
                prop_assert!(error <= e_out * (1.0 + 1e-6), "{error} against the bound {e_out}");
                worst = worst.max(error / f64::from(q_out.scale));
            }
        }
        println!("worst {worst:.2} output steps");
    }
}

#[test]
fn the_int8_summary_lists_each_layer_and_its_bytes() {
    let mut rng = SmallRng::seed_from_u64(4);
    let mlp = Mlp::random(&mut rng);
    let q8 = mlp.quantize(&[[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -1.0, 0.5]]).unwrap();
    // Weights, biases, one multiplier (8 bytes) per output, the zero
    // points and the clamp (12 bytes).
    let dense = |inputs: usize, outputs: usize| inputs * outputs + outputs * (4 + 8) + 12;
    let (first, second, last) = (dense(4, 12), dense(12, 8), dense(8, 3));
    assert_eq!(
        q8.summary().to_string(),
        format!(
            "\
MlpQ8 (int8)
Layer (type)      Output shape       Bytes
──────────────────────────────────────────
first (QDense)    [12]           {first:>9}
second (QDense)   [8]            {second:>9}
last (QDense)     [3]            {last:>9}
──────────────────────────────────────────
Parameters: {} bytes
",
            MlpQ8::PARAM_BYTES
        )
    );
    // The layers and the two quantizations, padded to the struct's alignment.
    assert!(MlpQ8::PARAM_BYTES >= first + second + last + 16);
}

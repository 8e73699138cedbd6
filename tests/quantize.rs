//! Post-training quantization of dense layers, checked against the float
//! layer: for random layers and inputs, with ranges calibrated on those
//! inputs and the float outputs, the int8 layer's dequantized output stays
//! within a bound derived from the roundings it makes, in units of the
//! output's scale:
//!
//! - inputs rounded to their scale, at most `s_in / 2` each;
//! - weights to their column's scale, `s_w / 2` each;
//! - the bias to `s_in · s_w`, `s_in · s_w / 2`;
//! - the accumulator to the output's scale, by TensorFlow Lite's two
//!   roundings: at most one step.
//!
//! So `|y_int8 − y| ≤ (Σ|ŵ|·s_in/2 + Σ|x|·s_w/2 + s_in·s_w/2) / s_out + 1`
//! output steps, which the test asserts for every output (NaN fails), and
//! it prints the worst error seen, in steps.

use constnet::Layer;
use constnet::layer::Dense;
use constnet::quant::Range;
use proptest::prelude::*;

fn check<const IN: usize, const OUT: usize>(
    weight: &[f32],
    bias: &[f32],
    inputs: &[Vec<f32>],
) -> Result<f64, TestCaseError> {
    let layer = Dense::<f32, IN, OUT>::new(
        core::array::from_fn(|i| core::array::from_fn(|o| weight[i * OUT + o])),
        core::array::from_fn(|o| bias[o]),
    );
    let inputs: Vec<[f32; IN]> = inputs.iter().map(|x| core::array::from_fn(|i| x[i])).collect();
    let (mut input_range, mut output_range) = (Range::EMPTY, Range::EMPTY);
    for x in &inputs {
        input_range.observe(x);
        output_range.observe(&layer.forward(x));
    }
    let (input_q, output_q) = (input_range.quantization(), output_range.quantization());
    let q = layer.quantized(input_q, output_q, (-128, 127));
    let mut worst = 0.0f64;
    for x in &inputs {
        let (y, found) = (layer.forward(x), q.forward(&x.map(|v| input_q.quantize(v))));
        for o in 0..OUT {
            let weight_scale =
                f64::from((0..IN).map(|i| layer.weight[i][o].abs()).fold(0.0, f32::max)) / 127.0;
            let (s_in, s_out) = (f64::from(input_q.scale), f64::from(output_q.scale));
            let sum_w: f64 = q.weight[o].iter().map(|&w| f64::from(w).abs() * weight_scale).sum();
            let sum_x: f64 = x.iter().map(|&v| f64::from(v).abs()).sum();
            let bound =
                (sum_w * s_in / 2.0 + sum_x * weight_scale / 2.0 + s_in * weight_scale / 2.0)
                    / s_out
                    + 1.0
                    + 1e-6;
            let error = (f64::from(output_q.dequantize(found[o])) - f64::from(y[o])).abs() / s_out;
            prop_assert!(error <= bound, "output {o}: {error} steps, bound {bound}");
            if error.is_nan() || error > worst {
                worst = error;
            }
        }
    }
    Ok(worst)
}

fn values(len: usize, scale: f32) -> impl Strategy<Value = Vec<f32>> {
    proptest::collection::vec(-scale..scale, len)
}

macro_rules! sizes {
    ($($name:ident: $in:literal x $out:literal;)*) => {$(
        proptest! {
            #[test]
            fn $name(
                weight in values($in * $out, 1.0),
                bias in values($out, 0.5),
                inputs in proptest::collection::vec(values($in, 3.0), 8..32),
            ) {
                let worst = check::<$in, $out>(&weight, &bias, &inputs)?;
                println!("{} x {}: worst {worst:.3} output steps", $in, $out);
            }
        }
    )*};
}

sizes! {
    one_to_one: 1 x 1;
    narrow: 3 x 5;
    square: 16 x 16;
    wide: 64 x 10;
}

/// The same bound for a convolution, each output's sums over its own window:
/// `Σ|x|` over the window is the convolution of `|x|` with ones.
#[test]
fn convolutions_stay_within_the_bound_of_their_roundings() {
    use constnet::layer::Conv2d;
    use rand::rngs::SmallRng;
    use rand::{RngExt, SeedableRng};

    type Conv = Conv2d<f32, 2, 3, 3, 3, 6, 6, 1, 1, 1, 1, 6, 6>;
    let mut rng = SmallRng::seed_from_u64(5);
    let mut worst = 0.0f64;
    for _ in 0..20 {
        let mut conv = Conv::zeros();
        conv.weight
            .as_flattened_mut()
            .as_flattened_mut()
            .as_flattened_mut()
            .fill_with(|| rng.random_range(-1.0..1.0));
        conv.bias.fill_with(|| rng.random_range(-0.5..0.5));
        let inputs: Vec<[[[f32; 6]; 6]; 2]> = (0..16)
            .map(|_| {
                core::array::from_fn(|_| {
                    core::array::from_fn(|_| core::array::from_fn(|_| rng.random_range(-3.0..3.0)))
                })
            })
            .collect();
        let (mut input_range, mut output_range) = (Range::EMPTY, Range::EMPTY);
        for x in &inputs {
            input_range.observe(x.as_flattened().as_flattened());
            output_range.observe(conv.forward(x).as_flattened().as_flattened());
        }
        let (input_q, output_q) = (input_range.quantization(), output_range.quantization());
        let q = conv.quantized(input_q, output_q, (-128, 127));
        let ones = Conv::new([[[[1.0; 3]; 3]; 2]; 3], [0.0; 3]);
        for x in &inputs {
            let y = conv.forward(x);
            let found = q.forward(&x.map(|c| c.map(|row| row.map(|v| input_q.quantize(v)))));
            let window_sums = ones.forward(&x.map(|c| c.map(|row| row.map(f32::abs))));
            for co in 0..3 {
                let filter = &conv.weight[co];
                let largest =
                    filter.as_flattened().as_flattened().iter().fold(0.0f32, |m, w| m.max(w.abs()));
                let weight_scale = f64::from(largest) / 127.0;
                let sum_w: f64 = q.weight[co]
                    .as_flattened()
                    .as_flattened()
                    .iter()
                    .map(|&w| f64::from(w).abs())
                    .sum::<f64>()
                    * weight_scale;
                let (s_in, s_out) = (f64::from(input_q.scale), f64::from(output_q.scale));
                for (h, w) in (0..6).flat_map(|h| (0..6).map(move |w| (h, w))) {
                    let sum_x = f64::from(window_sums[co][h][w]);
                    let bound = (sum_w * s_in / 2.0
                        + sum_x * weight_scale / 2.0
                        + s_in * weight_scale / 2.0)
                        / s_out
                        + 1.0
                        + 1e-6;
                    let error = (f64::from(output_q.dequantize(found[co][h][w]))
                        - f64::from(y[co][h][w]))
                    .abs()
                        / s_out;
                    assert!(error <= bound, "[{co}][{h}][{w}]: {error} steps, bound {bound}");
                    if error.is_nan() || error > worst {
                        worst = error;
                    }
                }
            }
        }
    }
    println!("convolution: worst {worst:.3} output steps");
}

/// A dense layer after a TensorFlow Lite flatten takes its inputs height
/// first; `with_inputs_from_hwc` moves each weight to where constnet's
/// flatten, channels first, puts the same pixel (every dimension above 1,
/// so that no index formula is right by accident).
#[test]
fn weights_after_a_flatten_follow_the_pixels_from_hwc_to_chw() {
    const C: usize = 2;
    const H: usize = 3;
    const W: usize = 4;
    let hwc_row: [i8; 24] = core::array::from_fn(|i| i as i8);
    let layer = constnet::quant::QDense::<24, 1> {
        weight: [hwc_row],
        bias: [0],
        multiplier: [constnet::quant::Multiplier::from_real(0.5)],
        input_zero_point: 0,
        output_zero_point: 0,
        clamp: (-128, 127),
    }
    .with_inputs_from_hwc::<C, H, W>();
    for c in 0..C {
        for h in 0..H {
            for w in 0..W {
                let (chw, hwc) = ((c * H + h) * W + w, (h * W + w) * C + c);
                assert_eq!(layer.weight[0][chw], hwc as i8, "pixel ({c}, {h}, {w})");
            }
        }
    }
}

#[test]
fn a_clamp_whose_ends_are_crossed_gives_its_upper_end_as_tensorflow_lite_does() {
    use constnet::quant::{Multiplier, QDense, QPool2d, Reduce};
    // TensorFlow Lite bounds an output by max with the lower end, then min
    // with the upper: no panic on a hand-built layer, whatever its ends.
    let layer = QDense::<2, 1> {
        weight: [[1, 1]],
        bias: [0],
        multiplier: [Multiplier::from_real(0.5)],
        input_zero_point: 0,
        output_zero_point: 0,
        clamp: (10, -10),
    };
    assert_eq!(layer.forward(&[4, 4]), [-10]);
    assert_eq!(QDense { clamp: (-10, 10), ..layer }.forward(&[4, 4]), [4]);
    let pool: QPool2d<1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1> =
        QPool2d { reduce: Reduce::Max, clamp: (10, -10) };
    assert_eq!(pool.forward(&[[[1, 2], [3, 4]]]), [[[-10]]]);
    assert_eq!(QPool2d { clamp: (-10, 10), ..pool }.forward(&[[[1, 2], [3, 4]]]), [[[4]]]);
}

#[test]
fn a_range_of_zero_alone_has_a_scale_of_one() {
    use constnet::quant::Quantization;
    // (max − min) / 255 would be a scale of 0: every value quantized to
    // infinity. TensorFlow Lite's converter takes 1.
    let mut zeros = Range::EMPTY;
    zeros.observe(&[0.0, -0.0]);
    for range in [zeros, Range::EMPTY] {
        assert_eq!(range.quantization(), Quantization { scale: 1.0, zero_point: -128 });
    }
}

#[test]
fn an_output_channel_of_zero_weights_keeps_its_bias() {
    // Its weights' largest magnitude is 0: a symmetric scale of 0 would
    // make its bias infinite and its multiplier 0.
    let layer = Dense::<f32, 2, 2>::new([[0.0, 0.5], [0.0, -0.25]], [0.75, 0.125]);
    let (mut input, mut output) = (Range::EMPTY, Range::EMPTY);
    input.observe(&[-1.0, 2.0]);
    output.observe(&[-1.0, 1.5]);
    let (input, output) = (input.quantization(), output.quantization());
    let q = layer.quantized(input, output, (-128, 127));
    for x in [[1.0, -1.0], [2.0, 0.5]] {
        let y = output.dequantize(q.forward(&x.map(|v| input.quantize(v)))[0]);
        assert!((y - 0.75).abs() <= output.scale, "{y} for {x:?}");
    }
}

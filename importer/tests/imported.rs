//! Models imported by `constnet-import` compile, and compute what
//! TensorFlow Lite Micro computes, bit for bit, on the fixtures of
//! `scripts/tflite_fixtures.py` (`tests/fixtures/tflite/` of the main
//! crate). The imported sources in `tests/models/` are what the importer
//! writes today: `BLESS=1 cargo test -p constnet-import` writes them again.

use std::path::{Path, PathBuf};

use constnet::io::tflite::OperatorCode;
use constnet::layer::{Activation as _, Layer as _, Relu};
use constnet::quant::Quantization;

mod sine {
    include!("models/sine.rs");
}
mod conv {
    include!("models/conv.rs");
}
mod conv1d {
    include!("models/conv1d.rs");
}
mod softmax {
    include!("models/softmax.rs");
}
mod squashing {
    include!("models/squashing.rs");
}
mod dense_f32 {
    include!("models/dense_f32.rs");
}
mod conv_f32 {
    include!("models/conv_f32.rs");
}
mod conv1d_f32 {
    include!("models/conv1d_f32.rs");
}
mod speech {
    include!("models/speech.rs");
}
mod mean {
    include!("models/mean.rs");
}
mod mean1d {
    include!("models/mean1d.rs");
}
mod mean_f32 {
    include!("models/mean_f32.rs");
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/tflite")
}

fn rows(name: &str) -> Vec<Vec<i8>> {
    parsed(name)
}

/// The committed int8 inputs of `model`'s fixture.
fn inputs(model: &str) -> Vec<Vec<i8>> {
    rows(&format!("{model}.inputs"))
}

/// Every int8 value, each an input of one value (the sine model's fixture).
fn every_int8() -> Vec<Vec<i8>> {
    (-128..=127).map(|q| vec![q]).collect()
}

fn parsed<V: std::str::FromStr<Err: std::fmt::Debug>>(name: &str) -> Vec<Vec<V>> {
    std::fs::read_to_string(fixtures().join(name))
        .unwrap()
        .lines()
        .map(|line| line.split_whitespace().map(|v| v.parse().unwrap()).collect())
        .collect()
}

#[test]
fn imported_sources_are_current() {
    for (model, name) in [
        ("sine", "Sine"),
        ("conv", "Conv"),
        ("conv1d", "Conv1d"),
        ("softmax", "Softmax"),
        ("speech", "Speech"),
        ("squashing", "Squashing"),
        ("dense_f32", "DenseF32"),
        ("conv_f32", "ConvF32"),
        ("conv1d_f32", "Conv1dF32"),
        ("mean", "Mean"),
        ("mean1d", "Mean1d"),
        ("mean_f32", "MeanF32"),
    ] {
        let origin = format!("{model}.tflite");
        let bytes = std::fs::read(fixtures().join(&origin)).unwrap();
        let written = constnet_import::rust_source(&bytes, name, &origin).unwrap();
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models").join(format!("{model}.rs"));
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&path, &written).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written, committed, "{} is stale: rerun with BLESS=1", path.display());
    }
}

#[test]
fn the_imported_sine_model_is_tflite_micros() {
    let expected = rows("sine.outputs");
    for (q, expected) in (-128..=127).zip(&expected) {
        assert_eq!(sine::SINE.forward(&[q])[..], expected[..], "input {q}");
    }
    // Through the model's quantizations, it is the sine it was trained to be.
    let (input, output) = (sine::Sine::INPUT, sine::Sine::OUTPUT);
    let mse = (0..100)
        .map(|i| {
            let x = i as f32 * std::f32::consts::TAU / 99.0;
            let [y] = sine::SINE.forward(&[input.quantize(x)]);
            (output.dequantize(y) - x.sin()).powi(2)
        })
        .sum::<f32>()
        / 100.0;
    assert!(mse < 0.01, "test MSE {mse}");
}

#[test]
fn the_imported_convolutional_model_is_tflite_micros() {
    for (input, expected) in rows("conv.inputs").iter().zip(rows("conv.outputs")) {
        // The fixtures hold NHWC images: one 8 × 8 image of 2 channels.
        let hwc: [[[i8; 2]; 8]; 8] = core::array::from_fn(|h| {
            core::array::from_fn(|w| core::array::from_fn(|c| input[(h * 8 + w) * 2 + c]))
        });
        let image = constnet::quant::from_hwc(&hwc);
        assert_eq!(conv::CONV.forward(&image)[..], expected[..]);
    }
    assert_eq!((conv::Conv::INPUT, conv::Conv::OUTPUT), edges("conv.tflite"));
}

/// TensorFlow Lite's int8 tanh and logistic (gemmlowp's fixed point).
#[test]
fn the_imported_tanh_and_logistic_are_tflite_micros() {
    let (inputs, expected) = (rows("squashing.inputs"), rows("squashing.outputs"));
    assert_eq!((inputs.len(), expected.len()), (64, 64));
    for (input, expected) in inputs.iter().zip(&expected) {
        let x: [i8; 4] = core::array::from_fn(|i| input[i]);
        assert_eq!(squashing::SQUASHING.forward(&x)[..], expected[..]);
    }
    assert_eq!(
        (squashing::Squashing::INPUT, squashing::Squashing::OUTPUT),
        edges("squashing.tflite")
    );
}

#[test]
fn the_imported_one_dimensional_model_is_tflite_micros() {
    let (inputs, expected) = (rows("conv1d.inputs"), rows("conv1d.outputs"));
    assert_eq!((inputs.len(), expected.len()), (64, 64));
    for (input, expected) in inputs.iter().zip(&expected) {
        // The fixtures hold sequences step by step: 16 steps of 3 channels,
        // which the model takes as an image one row high.
        let steps: [[[i8; 3]; 16]; 1] =
            [core::array::from_fn(|t| core::array::from_fn(|c| input[t * 3 + c]))];
        let sequence = constnet::quant::from_hwc(&steps);
        assert_eq!(conv1d::CONV1D.forward(&sequence)[..], expected[..]);
    }
    assert_eq!((conv1d::Conv1d::INPUT, conv1d::Conv1d::OUTPUT), edges("conv1d.tflite"));
}

/// Keras's global average poolings, which TensorFlow Lite runs as `MEAN`
/// and rescales to the means' own quantization, of images and sequences.
#[test]
fn imported_means_are_tflite_micros() {
    for (input, expected) in rows("mean.inputs").iter().zip(rows("mean.outputs")) {
        let hwc: [[[i8; 2]; 6]; 6] = core::array::from_fn(|h| {
            core::array::from_fn(|w| core::array::from_fn(|c| input[(h * 6 + w) * 2 + c]))
        });
        assert_eq!(mean::MEAN.forward(&constnet::quant::from_hwc(&hwc))[..], expected[..]);
    }
    for (input, expected) in rows("mean1d.inputs").iter().zip(rows("mean1d.outputs")) {
        let steps: [[[i8; 3]; 12]; 1] =
            [core::array::from_fn(|t| core::array::from_fn(|c| input[t * 3 + c]))];
        assert_eq!(mean1d::MEAN1D.forward(&constnet::quant::from_hwc(&steps))[..], expected[..]);
    }
    assert_eq!(rows("mean.outputs").len() + rows("mean1d.outputs").len(), 128);
    assert_eq!((mean::Mean::INPUT, mean::Mean::OUTPUT), edges("mean.tflite"));
    assert_eq!((mean1d::Mean1d::INPUT, mean1d::Mean1d::OUTPUT), edges("mean1d.tflite"));
    agrees("mean_f32", |x| mean_f32::MEAN_F32.forward(&channels_first::<_, 2, 6, 6>(x)));
}

/// `[H][W][C]` values, row by row, as constnet's `[C][H][W]`.
fn channels_first<T: Copy, const C: usize, const H: usize, const W: usize>(
    values: &[T],
) -> [[[T; W]; H]; C] {
    core::array::from_fn(|c| {
        core::array::from_fn(|h| core::array::from_fn(|w| values[(h * W + w) * C + c]))
    })
}

/// Every output of a float model within 1e-5 of TFLite Micro's, on every
/// input of its fixture.
fn agrees<const N: usize>(model: &str, forward: impl Fn(&[f32]) -> [f32; N]) {
    let (inputs, expected) =
        (parsed::<f32>(&format!("{model}.inputs")), parsed::<f32>(&format!("{model}.outputs")));
    assert_eq!((inputs.len(), expected.len()), (64, 64));
    for (sample, (input, expected)) in inputs.iter().zip(&expected).enumerate() {
        let output = forward(input);
        assert_eq!(output.len(), expected.len());
        for (got, want) in output.iter().zip(expected) {
            // Written so that a NaN fails.
            assert!(
                (got - want).abs() <= 1e-5,
                "{model}, sample {sample}: {output:?}, not {expected:?}"
            );
        }
    }
}

#[test]
fn imported_float_models_agree_with_tflite_micro() {
    agrees("dense_f32", |x| dense_f32::DENSE_F32.forward(&core::array::from_fn(|i| x[i])));
    agrees("conv_f32", |x| conv_f32::CONV_F32.forward(&channels_first::<_, 2, 10, 10>(x)));
    // A sequence of 16 steps of 3 channels is an image one row high.
    agrees("conv1d_f32", |x| conv1d_f32::CONV1D_F32.forward(&channels_first::<_, 3, 1, 16>(x)));
}

/// The quantizations of a model's input and output.
fn edges(model: &str) -> (Quantization, Quantization) {
    let bytes = std::fs::read(fixtures().join(model)).unwrap();
    let model = constnet::io::tflite::Model::read(&bytes).unwrap();
    let edge = |index: usize| model.tensors[index].quantization().unwrap();
    (edge(model.inputs[0]), edge(model.outputs[0]))
}

#[test]
fn names_come_from_file_stems() {
    assert_eq!(constnet_import::name_of("models/sine.tflite"), "Sine");
    assert_eq!(constnet_import::name_of("person_detect.tflite"), "PersonDetect");
    assert_eq!(constnet_import::name_of("8bit-net.tflite"), "Model8bitNet");
}

#[test]
fn the_imported_softmax_is_tflite_micros() {
    let (inputs, expected) = (rows("softmax.inputs"), rows("softmax.outputs"));
    assert_eq!(inputs.len(), 64);
    for (input, expected) in inputs.iter().zip(&expected) {
        let input: [i8; 4] = input[..].try_into().unwrap();
        assert_eq!(softmax::SOFTMAX.forward(&input)[..], expected[..], "input {input:?}");
    }
    assert_eq!((softmax::Softmax::INPUT, softmax::Softmax::OUTPUT), edges("softmax.tflite"));
    assert_eq!(softmax::Softmax::OUTPUT, Quantization { scale: 1.0 / 256.0, zero_point: -128 });
}

#[test]
fn the_imported_speech_model_is_tflite_micros() {
    let (inputs, expected) = (rows("speech.inputs"), rows("speech.outputs"));
    assert_eq!(inputs.len(), 64);
    // Not every output is one class at 127: the softmax is not saturated.
    assert!(expected.iter().any(|row| row.iter().all(|&y| y < 100)));
    for (index, (input, expected)) in inputs.iter().zip(&expected).enumerate() {
        let input: [i8; 1960] = input[..].try_into().unwrap();
        assert_eq!(speech::SPEECH.forward(&input)[..], expected[..], "spectrogram {index}");
    }
    assert_eq!((speech::Speech::INPUT, speech::Speech::OUTPUT), edges("speech.tflite"));
}

#[test]
fn a_model_with_an_unsupported_operator_is_an_error_naming_it() {
    // softmax.tflite with its operator code, SOFTMAX (25), made MUL (18):
    // the byte of the deprecated field and the low byte of the new one.
    let mut bytes = std::fs::read(fixtures().join("softmax.tflite")).unwrap();
    let codes: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == 25).collect();
    assert_eq!(codes.len(), 2, "softmax.tflite changed: find its operator code again");
    for i in codes {
        bytes[i] = 18;
    }
    let error = constnet_import::rust_source(&bytes, "Mul", "mul.tflite").unwrap_err();
    let message = error.to_string();
    assert!(message.ends_with("`: the operator MUL is not supported"), "{message}");
}

#[test]
fn a_truncated_model_is_an_error() {
    let bytes = std::fs::read(fixtures().join("sine.tflite")).unwrap();
    for len in [0, 3, 100, bytes.len() / 2] {
        assert!(
            constnet_import::rust_source(&bytes[..len], "Sine", "sine.tflite").is_err(),
            "{len} bytes"
        );
    }
}

/// An imported int8 model offers what a network quantized by constnet does:
/// its input quantized and its output dequantized with the file's own
/// quantizations, its bytes, and the table of its layers.
#[test]
fn an_imported_model_quantizes_its_input_and_lists_its_layers() {
    let model = sine::SINE;
    // 1.0 / 0.024573976 = 40.69, rounded to 41, moved by the zero point −128.
    assert_eq!(model.quantize_input(&[1.0]), [-87]);
    assert_eq!(model.quantize_input(&[f32::INFINITY]), [127]);
    assert_eq!(model.dequantize_output(&[7]), [0.0]);
    assert_eq!(model.dequantize_output(&[17]), [10.0 * 0.008269669]);
    // The model was trained on sin x over [0, 2π]; its input's range ends
    // at 6.27, and its fit is poorest at that end.
    for i in 0..20 {
        let x = i as f32 * 0.3;
        let [y] = model.dequantize_output(&model.forward(&model.quantize_input(&[x])));
        assert!((y - x.sin()).abs() < 0.15, "sin({x}) = {}, the model says {y}", x.sin());
    }

    let table = speech::SPEECH.summary().to_string();
    let first = |name: &str| table.lines().find(|line| line.starts_with(name)).unwrap().to_string();
    assert!(first("conv0 (QConv2d)").contains("[8, 25, 20]"), "{table}");
    assert!(first("dense1 (QDense)").contains("[4]"), "{table}");
    assert!(first("softmax2 (QSoftmax)").contains("[4]"), "{table}");
    let bytes = |layer: &constnet::summary::Int8LayerSummary| layer.bytes;
    let layers = speech::Speech::LAYERS;
    // 4000 × 4 weights and 8 × 10 × 8 of the convolution, each a byte.
    assert!(bytes(&layers[1]) >= 16_000 && bytes(&layers[0]) >= 640, "{layers:?}");
    assert!(speech::Speech::PARAM_BYTES >= layers.iter().map(bytes).sum());
    assert!(table.ends_with(&format!("Parameters: {} bytes\n", speech::Speech::PARAM_BYTES)));
}

/// An int8 model's float twin (its weights and biases dequantized) on the
/// int8 fixture's inputs, dequantized: the distances of its outputs from
/// TensorFlow Lite Micro's int8 ones, in steps of the output's scale,
/// sorted.
fn twin_steps<const N: usize>(
    model: &str,
    inputs: &[Vec<i8>],
    forward: impl Fn(&[f32]) -> [f32; N],
) -> Vec<f32> {
    let (input, output) = edges(&format!("{model}.tflite"));
    let expected = rows(&format!("{model}.outputs"));
    assert_eq!(inputs.len(), expected.len());
    let mut steps = Vec::new();
    for (x, expected) in inputs.iter().zip(&expected) {
        let x: Vec<f32> = x.iter().map(|&q| input.dequantize(q)).collect();
        for (y, &q) in forward(&x).iter().zip(expected) {
            steps.push((y - output.dequantize(q)).abs() / output.scale);
        }
    }
    // A NaN sorts last, and fails the checks of the largest.
    steps.sort_by(f32::total_cmp);
    steps
}

/// The float twin of each int8 model the float language can declare
/// computes what TensorFlow Lite Micro's int8 kernels do, but for the
/// roundings of the int8 activations and their ranges, which clip what
/// the calibration data did not reach (the fixtures' inputs are random
/// int8 values, wider than the calibration data): its outputs stay within
/// half the output's range of the int8 ones.
#[test]
fn float_twins_of_int8_models_agree_with_tflite_micro() {
    let vector = |x: &[f32]| -> [f32; 4] { core::array::from_fn(|i| x[i]) };
    for (model, steps) in [
        ("sine", twin_steps("sine", &every_int8(), |x| sine::SINE_F32.forward(&[x[0]]))),
        (
            "softmax",
            twin_steps("softmax", &inputs("softmax"), |x| softmax::SOFTMAX_F32.forward(&vector(x))),
        ),
        (
            "squashing",
            twin_steps("squashing", &inputs("squashing"), |x| {
                squashing::SQUASHING_F32.forward(&vector(x))
            }),
        ),
        (
            "conv1d",
            twin_steps("conv1d", &inputs("conv1d"), |x| {
                conv1d::CONV1D_F32.forward(&channels_first::<_, 3, 1, 16>(x))
            }),
        ),
        (
            "mean",
            twin_steps("mean", &inputs("mean"), |x| {
                mean::MEAN_F32.forward(&channels_first::<_, 2, 6, 6>(x))
            }),
        ),
        (
            "mean1d",
            twin_steps("mean1d", &inputs("mean1d"), |x| {
                mean1d::MEAN1D_F32.forward(&channels_first::<_, 3, 1, 12>(x))
            }),
        ),
        (
            "speech",
            twin_steps("speech", &inputs("speech"), |x| {
                speech::SPEECH_F32.forward(&channels_first::<_, 1, 49, 40>(x))
            }),
        ),
    ] {
        let (median, largest) = (steps[steps.len() / 2], steps[steps.len() - 1]);
        println!("{model}: median {median:.2}, largest {largest:.2} output steps");
        assert!(largest <= 128.0, "{model}: median {median}, largest {largest}");
    }

    // A twin quantizes again with constnet's own calibration.
    let calibration: Vec<[f32; 1]> =
        (-128..=127).map(|q| [sine::Sine::INPUT.dequantize(q)]).collect();
    let again = sine::SINE_F32.quantize(&calibration).unwrap();
    for x in &calibration {
        let y = again.dequantize_output(&again.forward(&again.quantize_input(x)))[0];
        let float = sine::SINE_F32.forward(x)[0];
        assert!((y - float).abs() <= 4.0 * again.output_quantization.scale, "{y} against {float}");
    }
}

/// A twin's first layer on the int8 inputs, dequantized, against the int8
/// model's first layer: the same real numbers, once clipped to the
/// output's range, within the int8 layer's rounding to its output's
/// quantization: half a step, and the half unit the first of TensorFlow
/// Lite's two roundings makes before the final shift (by 6 bits or more
/// in these models: under 0.008 of a step). This checks each twin's
/// dequantized weights and biases, their layout and activation, where no
/// clipping of a hidden layer can hide an error.
fn first_layer_agrees(
    model: &str,
    inputs: &[Vec<i8>],
    int8: impl Fn(&[i8]) -> Vec<i8>,
    float: impl Fn(&[f32]) -> Vec<f32>,
) {
    let bytes = std::fs::read(fixtures().join(format!("{model}.tflite"))).unwrap();
    let file = constnet::io::tflite::Model::read(&bytes).unwrap();
    let (input, _) = edges(&format!("{model}.tflite"));
    let weighted =
        [OperatorCode::FullyConnected, OperatorCode::Conv2d, OperatorCode::DepthwiseConv2d];
    let first = file.operators.iter().find(|op| weighted.contains(&op.code)).unwrap();
    let output = file.tensors[first.outputs[0] as usize].quantization().unwrap();
    let (low, high) = (output.dequantize(-128), output.dequantize(127));
    for x in inputs {
        let real: Vec<f32> = x.iter().map(|&q| input.dequantize(q)).collect();
        for (y, q) in float(&real).iter().zip(int8(x)) {
            let steps = (y.clamp(low, high) - output.dequantize(q)).abs() / output.scale;
            // Written so that a NaN fails.
            assert!(steps <= 0.51, "{model}: {y} against {}", output.dequantize(q));
        }
    }
}

#[test]
fn the_first_layers_of_float_twins_are_the_int8_ones() {
    first_layer_agrees(
        "sine",
        &every_int8(),
        |x| sine::SINE.dense0.forward(&[x[0]]).to_vec(),
        |x| Relu.forward(&sine::SINE_F32.dense0.forward(&[x[0]])).to_vec(),
    );
    first_layer_agrees(
        "softmax",
        &inputs("softmax"),
        |x| softmax::SOFTMAX.dense0.forward(&x.try_into().unwrap()).to_vec(),
        |x| softmax::SOFTMAX_F32.dense0.forward(&x.try_into().unwrap()).to_vec(),
    );
    first_layer_agrees(
        "squashing",
        &inputs("squashing"),
        |x| squashing::SQUASHING.dense0.forward(&x.try_into().unwrap()).to_vec(),
        |x| squashing::SQUASHING_F32.dense0.forward(&x.try_into().unwrap()).to_vec(),
    );
    first_layer_agrees(
        "conv1d",
        &inputs("conv1d"),
        |x| {
            let y = conv1d::CONV1D.conv0.forward(&channels_first::<_, 3, 1, 16>(x));
            y.as_flattened().as_flattened().to_vec()
        },
        |x| {
            let y =
                Relu.forward(&conv1d::CONV1D_F32.conv0.forward(&channels_first::<_, 3, 1, 16>(x)));
            y.as_flattened().as_flattened().to_vec()
        },
    );
    first_layer_agrees(
        "speech",
        &inputs("speech"),
        |x| {
            let y = speech::SPEECH.conv0.forward(&channels_first::<_, 1, 49, 40>(x));
            y.as_flattened().as_flattened().to_vec()
        },
        |x| {
            let y =
                Relu.forward(&speech::SPEECH_F32.conv0.forward(&channels_first::<_, 1, 49, 40>(x)));
            y.as_flattened().as_flattened().to_vec()
        },
    );
    first_layer_agrees(
        "mean",
        &inputs("mean"),
        |x| {
            let y = mean::MEAN.conv0.forward(&channels_first::<_, 2, 6, 6>(x));
            y.as_flattened().as_flattened().to_vec()
        },
        |x| {
            let y = Relu.forward(&mean::MEAN_F32.conv0.forward(&channels_first::<_, 2, 6, 6>(x)));
            y.as_flattened().as_flattened().to_vec()
        },
    );
}

//! constnet against TensorFlow Lite Micro's own kernels, bit for bit: int8
//! models read from `.tflite` files, run by constnet, give exactly the
//! outputs that `scripts/tflite_fixtures.py` recorded from the TFLite Micro
//! interpreter (`tests/fixtures/tflite/`). Float models are read here, and
//! run through the importer in `importer/tests/`.

use std::path::Path;

use constnet::io::tflite::{
    Activation, ElementType, Error, FloatLayer, FusedActivation, Layer, Model, OperatorCode, Tensor,
};
use constnet::quant::{
    Mean, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tflite").join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn recorded(name: &str) -> Vec<i8> {
    String::from_utf8(fixture(name)).unwrap().lines().map(|line| line.parse().unwrap()).collect()
}

/// The sine model of MicroFlow, every int8 input: three fully connected
/// layers, two with a fused ReLU.
#[test]
fn the_sine_model_gives_tflite_micros_outputs_for_every_input() {
    let model = Model::read(&fixture("sine.tflite")).unwrap();
    let first: QDense<1, 16> = model.layer(0).unwrap();
    let second: QDense<16, 16> = model.layer(1).unwrap();
    let third: QDense<16, 1> = model.layer(2).unwrap();
    let expected = recorded("sine.outputs");
    assert_eq!(expected.len(), 256);
    let mut differences = 0;
    for (q, &expected) in (-128..=127).zip(&expected) {
        let [found] = third.forward(&second.forward(&first.forward(&[q])));
        if found != expected {
            differences += 1;
            eprintln!("input {q}: {found}, TFLite Micro {expected}");
        }
    }
    assert_eq!(differences, 0);
}

#[test]
fn a_layer_of_the_wrong_shape_is_an_error_naming_the_tensor() {
    let model = Model::read(&fixture("sine.tflite")).unwrap();
    let error = model.layer::<QDense<2, 16>>(0).unwrap_err();
    assert!(
        matches!(&error, Error::ShapeMismatch { expected, found, .. } if *expected == [16, 2] && *found == [16, 1])
    );
    assert!(error.to_string().contains("MatMul"), "{error}");
}

/// A dense layer and TensorFlow Lite's fixed-point softmax, on 64 random
/// inputs; a softmax read at the wrong length is an error.
#[test]
fn the_softmax_gives_tflite_micros_outputs() {
    let model = Model::read(&fixture("softmax.tflite")).unwrap();
    let dense: QDense<4, 3> = model.layer(0).unwrap();
    let softmax: QSoftmax<3> = model.layer(1).unwrap();
    let lines = |name| String::from_utf8(fixture(name)).unwrap();
    let (inputs, outputs) = (lines("softmax.inputs"), lines("softmax.outputs"));
    let values =
        |line: &str| -> Vec<i8> { line.split_whitespace().map(|v| v.parse().unwrap()).collect() };
    let mut count = 0;
    for (input, output) in inputs.lines().zip(outputs.lines()) {
        let input: [i8; 4] = values(input).try_into().unwrap();
        assert_eq!(softmax.forward(&dense.forward(&input))[..], values(output)[..], "{input:?}");
        count += 1;
    }
    assert_eq!(count, 64);
    let error = model.layer::<QSoftmax<4>>(1).unwrap_err();
    assert!(
        matches!(&error, Error::ShapeMismatch { expected, found, .. } if *expected == [4] && *found == [3])
    );
    assert!(model.layer::<QDense<4, 3>>(1).is_err(), "a softmax read as a dense layer");
}

/// Dense layers with TensorFlow Lite's fixed-point tanh and logistic, on
/// 64 random inputs; read at the wrong length or as each other, errors.
#[test]
fn tanh_and_logistic_give_tflite_micros_outputs() {
    let model = Model::read(&fixture("squashing.tflite")).unwrap();
    let first: QDense<4, 8> = model.layer(0).unwrap();
    let tanh: QTanh<8> = model.layer(1).unwrap();
    let second: QDense<8, 8> = model.layer(2).unwrap();
    let logistic: QLogistic<8> = model.layer(3).unwrap();
    let last: QDense<8, 3> = model.layer(4).unwrap();
    let (inputs, expected) = (rows("squashing.inputs"), rows("squashing.outputs"));
    assert_eq!((inputs.len(), expected.len()), (64, 64));
    for (input, expected) in inputs.iter().zip(&expected) {
        let x: [i8; 4] = core::array::from_fn(|i| input[i]);
        let y = last.forward(&logistic.forward(&second.forward(&tanh.forward(&first.forward(&x)))));
        assert_eq!(y[..], expected[..], "{input:?}");
    }
    assert!(matches!(model.layer::<QTanh<4>>(1), Err(Error::ShapeMismatch { .. })));
    assert!(matches!(model.layer::<QLogistic<8>>(1), Err(Error::Unsupported { .. })));
    assert!(matches!(model.layer::<QTanh<8>>(3), Err(Error::Unsupported { .. })));
}

/// A float model's layers, read as such: sizes, weights in constnet's
/// layouts (checked against the ones the importer's tests run), and the
/// activations, fused or not.
#[test]
fn a_float_model_reads_as_float_layers() {
    let model = Model::read(&fixture("dense_f32.tflite")).unwrap();
    let FloatLayer::Dense { inputs: 4, outputs: 8, weights } = model.read_float_layer(0).unwrap()
    else {
        panic!("not a dense layer of 4 inputs and 8 outputs")
    };
    assert_eq!(weights.activation, Activation::Relu);
    // TensorFlow Lite's `[out][in]`, as the file holds it.
    let tensor = &model.tensors[model.operators[0].inputs[1] as usize];
    assert_eq!(weights.weight, tensor.float32().unwrap());
    let activations: Vec<FloatLayer> =
        [2, 4, 7].iter().map(|&op| model.read_float_layer(op).unwrap()).collect();
    assert_eq!(
        activations,
        [Activation::Tanh, Activation::Sigmoid, Activation::Softmax].map(FloatLayer::Activation)
    );
    // An int8 model reads as float with its weights dequantized (the
    // importer's float twins check them), but a float one not as int8.
    let int8 = Model::read(&fixture("sine.tflite")).unwrap();
    let FloatLayer::Dense { weights, .. } = int8.read_float_layer(0).unwrap() else { panic!() };
    let weight = &int8.tensors[int8.operators[0].inputs[1] as usize];
    assert_eq!(weights.weight, weight.dequantized().unwrap());
    let error = model.layer::<QDense<4, 8>>(0).unwrap_err();
    assert!(error.to_string().contains("Float32 where Int8"), "{error}");
}

/// A NaN or an infinity among a float model's weights is an error naming
/// the tensor, not a layer that would turn every output into NaN.
#[test]
fn float_weights_that_are_not_finite_are_errors_naming_the_tensor() {
    let bytes = fixture("dense_f32.tflite");
    let model = Model::read(&bytes).unwrap();
    for (input, value) in [(1, f32::NAN), (2, f32::INFINITY)] {
        let tensor = &model.tensors[model.operators[3].inputs[input] as usize];
        let at = bytes.windows(tensor.data.len()).position(|w| w == tensor.data).unwrap();
        let mut damaged = bytes.clone();
        damaged[at + 4..at + 8].copy_from_slice(&value.to_le_bytes());
        let error = Model::read(&damaged).unwrap().read_float_layer(3).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains(&tensor.name) && message.contains(&format!("{value} at 1")),
            "{message}"
        );
    }
}

/// Options and inputs the readers check, int8 and float alike: a left-out
/// bias is zeros, a dilation or a depth multiplier they do not run is an
/// error naming it.
#[test]
fn biases_dilations_and_depth_multipliers_are_read_or_refused() {
    let int8 = Model::read(&fixture("conv.tflite")).unwrap();
    let float = Model::read(&fixture("conv_f32.tflite")).unwrap();
    let mut without_bias = (int8.clone(), float.clone());
    without_bias.0.operators[0].inputs[2] = -1;
    without_bias.1.operators[0].inputs.truncate(2);
    let Layer::Conv2d { weights, .. } = without_bias.0.read_layer(0).unwrap() else { panic!() };
    assert_eq!(weights.bias, [0; 4]);
    let Layer::Conv2d { weights: with_bias, .. } = int8.read_layer(0).unwrap() else { panic!() };
    assert_eq!((weights.weight, with_bias.bias.iter().all(|&b| b == 0)), (with_bias.weight, false));
    let FloatLayer::Conv2d { weights, .. } = without_bias.1.read_float_layer(0).unwrap() else {
        panic!()
    };
    assert_eq!(weights.bias, [0.0; 4]);

    for model in [&int8, &float] {
        let read = |model: &Model, op| {
            let error = if model.tensors[model.inputs[0]].element == ElementType::Int8 {
                model.read_layer(op).map(drop).unwrap_err()
            } else {
                model.read_float_layer(op).map(drop).unwrap_err()
            };
            error.to_string()
        };
        // Dilations: options 4 and 5 of a convolution, 5 and 6 of a depthwise one.
        for (op, field) in [(0, 4), (0, 5), (1, 5), (1, 6)] {
            let mut dilated = model.clone();
            dilated.operators[op].options.resize(7, None);
            dilated.operators[op].options[field] = Some(2);
            assert!(read(&dilated, op).contains("a dilated convolution"), "{}", read(&dilated, op));
        }
        // A depth multiplier of 2 on 4 channels.
        let mut multiplied = model.clone();
        multiplied.operators[1].options[3] = Some(2);
        assert!(read(&multiplied, 1).contains("a depth multiplier other than 1"));
    }
}

/// An operator or a fused activation the readers do not run is an error
/// naming it as TensorFlow Lite's schema does, and naming the tensor.
#[test]
fn operators_and_activations_not_run_are_named_as_the_schema_names_them() {
    for (code, name) in [
        (OperatorCode::Conv2d, "CONV_2D"),
        (OperatorCode::Quantize, "QUANTIZE"),
        (OperatorCode::Other(0), "ADD"),
        (OperatorCode::Other(18), "MUL"),
        (OperatorCode::Other(208), "STABLEHLO_CBRT"),
        (OperatorCode::Other(209), "number 209"),
        (OperatorCode::Other(-1), "number -1"),
        (
            OperatorCode::Custom("TFLite_Detection_PostProcess".into()),
            "custom `TFLite_Detection_PostProcess`",
        ),
    ] {
        assert_eq!(code.to_string(), name);
    }
    for (activation, name) in [
        (FusedActivation::None, "NONE"),
        (FusedActivation::Relu6, "RELU6"),
        (FusedActivation::Other(2), "RELU_N1_TO_1"),
        (FusedActivation::Other(5), "SIGN_BIT"),
        (FusedActivation::Other(6), "number 6"),
    ] {
        assert_eq!(activation.to_string(), name);
    }

    for model in [
        Model::read(&fixture("conv.tflite")).unwrap(),
        Model::read(&fixture("conv_f32.tflite")).unwrap(),
    ] {
        let read = |model: &Model| {
            let error = if model.tensors[model.inputs[0]].element == ElementType::Int8 {
                model.read_layer(0).map(drop).unwrap_err()
            } else {
                model.read_float_layer(0).map(drop).unwrap_err()
            };
            error.to_string()
        };
        let tensor = &model.tensors[model.operators[0].outputs[0] as usize].name;
        let mut multiplied = model.clone();
        multiplied.operators[0].code = OperatorCode::Other(18);
        assert_eq!(read(&multiplied), format!("`{tensor}`: the operator MUL is not supported"));
        // The fused activation: option 3 of a convolution.
        let mut clipped = model.clone();
        clipped.operators[0].options[3] = Some(2);
        assert_eq!(
            read(&clipped),
            format!("`{tensor}`: the fused activation RELU_N1_TO_1 is not supported")
        );
    }
}

/// int8 and int32 data dequantized with the scale and zero point of their
/// channel along the quantized dimension, wherever that dimension is.
#[test]
fn tensors_dequantize_channel_by_channel() {
    let tensor = |element,
                  shape: Vec<usize>,
                  data: Vec<u8>,
                  scales: Vec<f32>,
                  zero_points: Vec<i64>,
                  quantized_dimension| Tensor {
        name: "t".into(),
        shape,
        element,
        scales,
        zero_points,
        quantized_dimension,
        data,
    };
    // A depthwise weight [1, 1, 2, 3]: channels along the last dimension.
    let int8 = [1i8, 2, 3, -1, -2, -3].map(|q| q as u8).to_vec();
    let depthwise = tensor(
        ElementType::Int8,
        vec![1, 1, 2, 3],
        int8.clone(),
        vec![0.5, 0.25, 2.0],
        vec![0, 0, 1],
        3,
    );
    assert_eq!(depthwise.dequantized().unwrap(), [0.5, 0.5, 4.0, -0.5, -0.5, -8.0]);
    // A dense weight [3, 2]: channels along the first.
    let dense =
        tensor(ElementType::Int8, vec![3, 2], int8.clone(), vec![0.5, 0.25, 2.0], vec![0; 3], 0);
    assert_eq!(dense.dequantized().unwrap(), [0.5, 1.0, 0.75, -0.25, -4.0, -6.0]);
    let one_scale = tensor(ElementType::Int8, vec![6], int8.clone(), vec![0.5], vec![-1], 0);
    assert_eq!(one_scale.dequantized().unwrap(), [1.0, 1.5, 2.0, 0.0, -0.5, -1.0]);
    let bias = [-70000i32, 3].iter().flat_map(|b| b.to_le_bytes()).collect();
    let bias = tensor(ElementType::Int32, vec![2], bias, vec![0.5, 0.125], vec![0, 0], 0);
    assert_eq!(bias.dequantized().unwrap(), [-35000.0, 0.375]);
    let floats = [1.5f32, -2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(
        tensor(ElementType::Float32, vec![2], floats, vec![], vec![], 0).dequantized().unwrap(),
        [1.5, -2.0]
    );

    let far = tensor(ElementType::Int8, vec![6], int8.clone(), vec![1.0], vec![i64::MIN], 0);
    assert!(far.dequantized().unwrap().iter().all(|&v| v == 2f32.powi(63)));
    let two_scales = tensor(ElementType::Int8, vec![3, 2], int8, vec![0.5, 0.25], vec![0, 0], 0);
    let error = two_scales.dequantized().unwrap_err().to_string();
    assert_eq!(error, "`t`: 2 scales and 2 zero points for 3 channels is not supported");
}

/// Every truncation and every single-byte change of a model is read into a
/// model or refused with an error: never a panic.
#[test]
fn damaged_files_are_errors_not_panics() {
    let bytes = fixture("sine.tflite");
    for len in 0..bytes.len() {
        let _ = Model::read(&bytes[..len]);
    }
    assert!(Model::read(&bytes[..bytes.len() / 2]).is_err());
    for at in (0..bytes.len()).step_by(7) {
        for value in [0x00, 0xff, 0x80] {
            let mut damaged = bytes.clone();
            damaged[at] = value;
            if let Ok(model) = Model::read(&damaged) {
                let _ = model.layer::<QDense<1, 16>>(0);
            }
        }
    }
}

/// `[H][W][C]` values, row by row, as constnet's `[C][H][W]`.
fn from_hwc<const C: usize, const H: usize, const W: usize>(values: &[i8]) -> [[[i8; W]; H]; C] {
    core::array::from_fn(|c| {
        core::array::from_fn(|h| core::array::from_fn(|w| values[(h * W + w) * C + c]))
    })
}

fn rows(name: &str) -> Vec<Vec<i8>> {
    String::from_utf8(fixture(name))
        .unwrap()
        .lines()
        .map(|line| line.split_whitespace().map(|v| v.parse().unwrap()).collect())
        .collect()
}

/// A convolutional model converted by TensorFlow Lite: convolutions with
/// SAME padding (its odd zero after the input) and without, depthwise,
/// fused ReLU and ReLU6, average pooling with padding left out of the
/// count, max pooling, a flatten (NHWC in TensorFlow Lite, channels first
/// in constnet) and a dense layer. Every output equals TFLite Micro's.
#[test]
fn a_convolutional_model_gives_tflite_micros_outputs() {
    let model = Model::read(&fixture("conv.tflite")).unwrap();
    let conv: QConv2d<2, 4, 3, 3, 8, 8, 1, 1, 1, 1, 8, 8> = model.layer(0).unwrap();
    let depthwise: QDepthwiseConv2d<4, 3, 3, 8, 8, 2, 2, 0, 0, 4, 4> = model.layer(1).unwrap();
    let average: QPool2d<4, 3, 3, 4, 4, 1, 1, 1, 1, 4, 4> = model.layer(2).unwrap();
    let max: QPool2d<4, 2, 2, 4, 4, 2, 2, 0, 0, 2, 2> = model.layer(3).unwrap();
    let narrow: QConv2d<4, 3, 1, 2, 2, 2, 1, 1, 0, 0, 2, 1> = model.layer(4).unwrap();
    assert_eq!(model.operators[5].code, OperatorCode::Reshape);
    let dense = model.layer::<QDense<6, 3>>(6).unwrap().with_inputs_from_hwc::<3, 2, 1>();
    let (inputs, expected) = (rows("conv.inputs"), rows("conv.outputs"));
    assert_eq!((inputs.len(), expected.len()), (64, 64));
    for (sample, (input, expected)) in inputs.iter().zip(&expected).enumerate() {
        let x = conv.forward(&from_hwc::<2, 8, 8>(input));
        let x = max.forward(&average.forward(&depthwise.forward(&x)));
        let x = narrow.forward(&x);
        let flat: [i8; 6] = core::array::from_fn(|i| x.as_flattened().as_flattened()[i]);
        assert_eq!(dense.forward(&flat)[..], expected[..], "sample {sample}");
    }
}

/// A layer whose geometry is not the operator's is refused, naming it.
#[test]
fn a_convolution_of_another_geometry_is_an_error() {
    let model = Model::read(&fixture("conv.tflite")).unwrap();
    // VALID where the model pads (SAME).
    let error = model.layer::<QConv2d<2, 4, 3, 3, 8, 8, 1, 1, 0, 0, 6, 6>>(0).unwrap_err();
    assert!(error.to_string().contains("conv2d"), "{error}");
    // A stride the depthwise convolution does not have.
    assert!(model.layer::<QDepthwiseConv2d<4, 3, 3, 8, 8, 1, 1, 1, 1, 8, 8>>(1).is_err());
    // A pooling read as a convolution.
    assert!(model.layer::<QConv2d<4, 4, 3, 3, 4, 4, 1, 1, 1, 1, 4, 4>>(2).is_err());
}

/// A kernel whose dimensions disagree with the images it joins (the same
/// number of weights, in another shape) is refused, not read out of range.
#[test]
fn a_kernel_that_disagrees_with_its_images_is_an_error() {
    let mut model = Model::read(&fixture("conv.tflite")).unwrap();
    for (operator, reshaped) in [(0, [2, 3, 3, 4]), (1, [4, 3, 3, 1])] {
        let weight = model.operators[operator].inputs[1] as usize;
        let original = core::mem::replace(&mut model.tensors[weight].shape, reshaped.to_vec());
        let error = model.read_layer(operator).unwrap_err();
        assert!(
            matches!(&error, Error::ShapeMismatch { found, .. } if *found == reshaped),
            "{error}"
        );
        model.tensors[weight].shape = original;
    }
    // Dimensions whose product overflows are a mismatch with any data.
    let weight = &mut model.tensors[model.operators[4].inputs[1] as usize];
    weight.shape = vec![usize::MAX, 2, 1, 4];
    assert!(matches!(weight.int8(), Err(Error::ShapeMismatch { .. })));
}

/// Inputs on which the fuzzer once found a panic (`tests/fixtures/tflite/
/// fuzzed/`): each operator read is a layer or an error.
#[test]
fn inputs_that_once_panicked_are_errors() {
    let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tflite/fuzzed");
    for entry in std::fs::read_dir(directory).unwrap() {
        let Ok(model) = Model::read(&std::fs::read(entry.unwrap().path()).unwrap()) else {
            continue;
        };
        for operator in 0..model.operators.len() {
            let _ = model.read_layer(operator);
        }
    }
}

/// Keras's global average pooling, converted to `MEAN` over height and
/// width with an output quantization of its own: every output equals
/// TFLite Micro's. Means over other axes, or keeping their dimensions, are
/// refused by both readers, naming the tensor.
#[test]
fn a_mean_gives_tflite_micros_outputs_and_other_reductions_are_refused() {
    let model = Model::read(&fixture("mean.tflite")).unwrap();
    let conv: QConv2d<2, 4, 3, 3, 6, 6, 1, 1, 1, 1, 6, 6> = model.layer(0).unwrap();
    let mean: QGlobalAvgPool<[[i8; 6]; 6], 4> = model.layer(1).unwrap();
    assert!(matches!(mean.mean, Mean::Requantized { .. }), "{mean:?}");
    let dense: QDense<4, 3> = model.layer(2).unwrap();
    let (inputs, expected) = (rows("mean.inputs"), rows("mean.outputs"));
    assert_eq!((inputs.len(), expected.len()), (64, 64));
    for (sample, (input, expected)) in inputs.iter().zip(&expected).enumerate() {
        let x = mean.forward(&conv.forward(&from_hwc::<2, 6, 6>(input)));
        assert_eq!(dense.forward(&x)[..], expected[..], "sample {sample}");
    }
    assert!(model.layer::<QGlobalAvgPool<[[i8; 6]; 5], 4>>(1).is_err());

    let float = Model::read(&fixture("mean_f32.tflite")).unwrap();
    assert_eq!(float.read_float_layer(1).unwrap(), FloatLayer::GlobalAvgPool { shape: [4, 6, 6] });
    for model in [model, float] {
        let axes = model.operators[1].inputs[1] as usize;
        let name = model.tensors[model.operators[1].outputs[0] as usize].name.clone();
        let read = |model: &Model| {
            if model.tensors[model.inputs[0]].element == ElementType::Int8 {
                model.read_layer(1).map(drop)
            } else {
                model.read_float_layer(1).map(drop)
            }
        };
        let refusal = |model: &Model| {
            let error = read(model).unwrap_err();
            assert!(error.to_string().contains(&name), "{error}");
            error.to_string()
        };
        // Negative axes count from the end: [-3, -2] is [1, 2].
        let mut negative = model.clone();
        negative.tensors[axes].data = [-3i32, -2].iter().flat_map(|a| a.to_le_bytes()).collect();
        assert_eq!(read(&negative), read(&model));
        assert!(read(&model).is_ok());
        let mut over_channels = model.clone();
        over_channels.tensors[axes].data = [1i32, 3].iter().flat_map(|a| a.to_le_bytes()).collect();
        assert!(refusal(&over_channels).contains("a mean over the axes [1, 3]"));
        let mut kept = model.clone();
        kept.operators[1].options = vec![Some(1)];
        assert!(refusal(&kept).contains("keeps its dimensions"));
    }
}

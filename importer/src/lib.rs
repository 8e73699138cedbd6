//! A TensorFlow Lite model (`.tflite`) as Rust source whose shapes the
//! compiler checks, with its parameters as a `const` to include in a
//! program or a firmware (the parameters then live in flash):
//!
//! - an **int8** model becomes a struct of constnet's int8 layers
//!   ([`constnet::quant`]) and its `forward`, which gives TensorFlow Lite
//!   Micro's outputs bit for bit, with `quantize_input`,
//!   `dequantize_output`, `PARAM_BYTES` and `summary()` as a network
//!   quantized by constnet has; and, when constnet's float language has
//!   its layers (not a pooling with padding), its float twin: a `network!`
//!   declaration `{Name}F32` with the weights and biases dequantized, to
//!   train further and quantize again. The int8 struct itself is not a
//!   `network!` declaration: `network!` derives an int8 network by its own
//!   calibration, while the file brings the quantization of every tensor;
//! - a **float32** model becomes a `network!` declaration of constnet's
//!   float layers, which can also be trained further.
//!
//! The model is a chain of `FULLY_CONNECTED`, `CONV_2D`,
//! `DEPTHWISE_CONV_2D` (a depth multiplier of 1, or any on one input
//! channel, which is a convolution), `MAX_POOL_2D`, `AVERAGE_POOL_2D`,
//! `MEAN` (of each channel, as Keras's global average poolings convert),
//! `SOFTMAX`, `LOGISTIC`, `TANH` and `RESHAPE` (the flattening of an image, or, in an int8
//! model and as the first operator, a vector made an image) operators, with
//! the `RESHAPE`, `EXPAND_DIMS` and `SQUEEZE` around a 1-D convolution or
//! pooling (TensorFlow Lite runs those on images one row high, and so does
//! the imported model: a sequence `[length, channels]` is the image
//! `[channels][1][length]`). A float model may also have `RELU`, `RELU6`,
//! `LOGISTIC` and `TANH` operators, a fused tanh, and no padding in its
//! poolings (constnet's float poolings have none). Anything else is an
//! error naming the operator and the tensor, and so are float weights that
//! are not finite.
//!
//! Images are channels first, as everywhere in constnet (TensorFlow Lite
//! stores them height first: `constnet::quant::from_hwc` turns one around);
//! the weights of a dense layer after a flatten, or on an image, are
//! reordered to match.
//!
//! ```no_run
//! let source = constnet_import::rust_source(&std::fs::read("sine.tflite")?, "Sine", "sine.tflite")?;
//! std::fs::write("src/sine_model.rs", source)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write;

mod float;

use constnet::io::tflite::{ElementType, Error, Geometry, Layer, Model, Weights};
use constnet::quant::{Quantization, Reduce, ScaledInput};
use constnet::source::ToRust;

/// `Sine` for `path/to/sine.tflite`: the file's stem in upper camel case.
pub fn name_of(path: &str) -> String {
    let stem = std::path::Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or("model");
    let mut name = String::new();
    for word in stem.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        name.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        name.push_str(chars.as_str());
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "Model");
    }
    name
}

/// One layer of the chain, as the source names it.
struct Step {
    field: String,
    ty: String,
    value: String,
    doc: String,
    /// The shapes of what it takes and gives.
    input: Vec<usize>,
    output: Vec<usize>,
    /// Whether a flatten comes before it.
    flattens: bool,
}

fn image(channels: usize, [h, w]: [usize; 2]) -> Vec<usize> {
    vec![channels, h, w]
}

/// `[i8; N]` for `[N]`, `[[[i8; W]; H]; C]` for `[C, H, W]`.
fn array_type(element: &str, shape: &[usize]) -> String {
    shape.iter().rev().fold(element.to_string(), |inner, len| format!("[{inner}; {len}]"))
}

/// The model in `bytes` as Rust source declaring `name` (an int8 model's
/// struct with its `forward`, or a float model's network) and a const
/// `NAME` of its parameters, and for an int8 model whose layers the float
/// language has, its float twin `{name}F32` and `NAME_F32`; `origin` names
/// the file in the comments.
pub fn rust_source(bytes: &[u8], name: &str, origin: &str) -> Result<String, Error> {
    let model = Model::read(bytes)?;
    let first = model.inputs.first().and_then(|&i| model.tensors.get(i));
    if first.is_some_and(|input| input.element == ElementType::Float32) {
        return float::rust_source(&model, name, origin);
    }
    let mut steps = Vec::new();
    let mut flattened: Option<[usize; 3]> = None;
    // The length of the input vector a first reshape makes an image of.
    let mut unflattened: Option<usize> = None;
    // The output of the last layer, when it is an image.
    let mut last_image: Option<[usize; 3]> = None;
    for (index, operator) in model.operators.iter().enumerate() {
        let tensor = operator.outputs.first().and_then(|&t| model.tensors.get(t as usize));
        let tensor_name = tensor.map_or("", |t| t.name.as_str());
        let layer = model.read_layer(index)?;
        let count = steps.len();
        // A dense layer on an image flattens it, as a reshape would.
        if matches!(layer, Layer::Dense { .. }) && flattened.is_none() {
            flattened = last_image;
        }
        last_image = match &layer {
            Layer::Conv2d { geometry, .. }
            | Layer::DepthwiseConv2d { geometry, .. }
            | Layer::Pool2d { geometry, .. } => {
                Some([geometry.out_channels, geometry.output[0], geometry.output[1]])
            }
            Layer::Identity => last_image,
            _ => None,
        };
        let flattens = flattened.is_some() && matches!(layer, Layer::Dense { .. });
        let step = match layer {
            Layer::Dense { inputs, outputs, mut weights } => {
                if let Some([c, h, w]) = flattened.take() {
                    reorder_from_hwc(&mut weights.weight, inputs, [c, h, w], tensor_name)?;
                }
                Step {
                    input: vec![inputs],
                    output: vec![outputs],
                    flattens,
                    field: format!("dense{count}"),
                    ty: format!("QDense<{inputs}, {outputs}>"),
                    value: format!(
                        "QDense {{\n{}\n    }}",
                        weighted_fields(&weights, &[outputs, inputs])
                    ),
                    doc: format!(
                        "`FULLY_CONNECTED`, {inputs} → {outputs}{}",
                        activation(weights.clamp, weights.output)
                    ),
                }
            }
            Layer::Conv2d { geometry, weights } => Step {
                input: image(geometry.in_channels, geometry.input),
                output: image(geometry.out_channels, geometry.output),
                flattens,
                field: format!("conv{count}"),
                ty: format!(
                    "QConv2d<{}>",
                    consts(&[geometry.in_channels, geometry.out_channels], &geometry)
                ),
                value: format!(
                    "QConv2d {{\n{}\n    }}",
                    weighted_fields(
                        &weights,
                        &[
                            geometry.out_channels,
                            geometry.in_channels,
                            geometry.kernel[0],
                            geometry.kernel[1]
                        ]
                    )
                ),
                doc: format!(
                    "`CONV_2D`, {}{}",
                    describe(&geometry),
                    activation(weights.clamp, weights.output)
                ),
            },
            Layer::DepthwiseConv2d { geometry, weights } => Step {
                input: image(geometry.in_channels, geometry.input),
                output: image(geometry.out_channels, geometry.output),
                flattens,
                field: format!("depthwise{count}"),
                ty: format!("QDepthwiseConv2d<{}>", consts(&[geometry.in_channels], &geometry)),
                value: format!(
                    "QDepthwiseConv2d {{\n{}\n    }}",
                    weighted_fields(
                        &weights,
                        &[geometry.in_channels, geometry.kernel[0], geometry.kernel[1]]
                    )
                ),
                doc: format!(
                    "`DEPTHWISE_CONV_2D`, {}{}",
                    describe(&geometry),
                    activation(weights.clamp, weights.output)
                ),
            },
            Layer::Pool2d { reduce, geometry, quantization, clamp } => Step {
                input: image(geometry.in_channels, geometry.input),
                output: image(geometry.out_channels, geometry.output),
                flattens,
                field: format!("pool{count}"),
                ty: format!("QPool2d<{}>", consts(&[geometry.in_channels], &geometry)),
                value: format!(
                    "QPool2d {{ reduce: Reduce::{reduce:?}, clamp: ({}, {}) }}",
                    clamp.0, clamp.1
                ),
                doc: format!(
                    "`{}`, {}{}",
                    if reduce == Reduce::Max { "MAX_POOL_2D" } else { "AVERAGE_POOL_2D" },
                    describe(&geometry),
                    activation(clamp, quantization)
                ),
            },
            Layer::Mean { shape: [c, h, w], mean } => Step {
                input: image(c, [h, w]),
                output: vec![c],
                flattens,
                field: format!("mean{count}"),
                ty: format!("QGlobalAvgPool<[[i8; {w}]; {h}], {c}>"),
                // By its whole path, as `ToRust` writes it: a model may be
                // named `Mean`.
                value: format!("QGlobalAvgPool::new({})", rust_value(&mean)),
                doc: format!("`MEAN` of each of {c} channels over {h}×{w} values"),
            },
            Layer::Unflatten { shape: [c, h, w] } => {
                if index > 0 {
                    return Err(Error::Unsupported {
                        what: "a reshape of a vector into an image after the first operator".into(),
                        tensor: tensor_name.into(),
                    });
                }
                unflattened = Some(c * h * w);
                continue;
            }
            Layer::Softmax { len, parameters: [multiplier, left_shift, diff_min] } => Step {
                input: vec![len],
                output: vec![len],
                flattens,
                field: format!("softmax{count}"),
                ty: format!("QSoftmax<{len}>"),
                value: format!(
                    "QSoftmax {{ multiplier: {multiplier}, left_shift: {left_shift}, diff_min: {diff_min} }}"
                ),
                doc: format!("`SOFTMAX` of {len} values"),
            },
            Layer::Logistic { len, input } | Layer::Tanh { len, input } => {
                let (ty, operator, name) = match layer {
                    Layer::Logistic { .. } => ("QLogistic", "LOGISTIC", "logistic"),
                    _ => ("QTanh", "TANH", "tanh"),
                };
                let ScaledInput { zero_point, multiplier, radius } = input;
                Step {
                    input: vec![len],
                    output: vec![len],
                    flattens,
                    field: format!("{name}{count}"),
                    ty: format!("{ty}<{len}>"),
                    value: format!(
                        "{ty} {{ input: ScaledInput {{ zero_point: {zero_point}, multiplier: Multiplier {{ value: {}, shift: {} }}, radius: {radius} }} }}",
                        multiplier.value, multiplier.shift
                    ),
                    doc: format!("`{operator}` of {len} values"),
                }
            }
            Layer::Identity => continue,
            Layer::Flatten { shape } => {
                if flattened.replace(shape).is_some() {
                    return Err(Error::Unsupported {
                        what: "two flattens in a row".into(),
                        tensor: tensor_name.into(),
                    });
                }
                continue;
            }
        };
        let doc = format!("{} (`{tensor_name}`).", step.doc);
        steps.push(Step { doc, ..step });
    }
    if steps.is_empty() || flattened.is_some() {
        let what = if steps.is_empty() { "a model without layers" } else { "a flatten at the end" };
        return Err(Error::Unsupported { what: what.into(), tensor: String::new() });
    }
    let (input, output) = edge_quantizations(&model)?;
    let mut source = write_source(&model, name, origin, &steps, unflattened, [input, output]);
    source += "\n";
    match float::network(&model, &format!("{name}F32"), origin, "int8, dequantized to float32") {
        Ok(network) => {
            source += "// The same model in float, its weights and biases dequantized: a network\n";
            source += "// constnet can train further and quantize again. It computes what the\n";
            source += "// int8 model does but for the roundings of its int8 activations.\n";
            source += &network;
        }
        Err(error) => {
            let _ = writeln!(source, "// No float twin of this model: {error}.");
        }
    }
    Ok(source)
}

/// The quantizations of the model's input and output.
fn edge_quantizations(model: &Model) -> Result<(Quantization, Quantization), Error> {
    let edge = |indices: &[usize]| {
        let tensor = indices.first().and_then(|&i| model.tensors.get(i));
        tensor
            .ok_or(Error::Malformed { what: "the model's inputs and outputs", at: 0 })?
            .quantization()
    };
    Ok((edge(&model.inputs)?, edge(&model.outputs)?))
}

fn write_source(
    model: &Model,
    name: &str,
    origin: &str,
    steps: &[Step],
    unflattened: Option<usize>,
    [input, output]: [Quantization; 2],
) -> String {
    let constant = constant_name(name);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// The int8 TensorFlow Lite model `{origin}` as constnet layers, written by"
    );
    let _ = writeln!(out, "// `constnet-import`: its shapes are types, checked by the compiler.\n");
    let _ = writeln!(out, "#[allow(unused_imports)]");
    let _ = writeln!(
        out,
        "use ::constnet::quant::{{Int8Value, Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Reduce, ScaledInput}};"
    );
    let _ = writeln!(out, "use ::constnet::summary::{{Int8LayerSummary, Int8Summary}};\n");
    let _ = writeln!(out, "/// `{origin}`: {} operators, int8 in and out.", model.operators.len());
    let _ = writeln!(out, "#[derive(Clone, Copy, Debug, PartialEq)]");
    let _ = writeln!(out, "pub struct {name} {{");
    for step in steps {
        let _ = writeln!(out, "    /// {}", step.doc);
        let _ = writeln!(out, "    pub {}: {},", step.field, step.ty);
    }
    let _ = writeln!(out, "}}\n");
    // A program may use only some of these (a firmware, only `forward`).
    let _ = writeln!(out, "#[allow(dead_code)]");
    let _ = writeln!(out, "impl {name} {{");
    let _ = writeln!(out, "    /// The input's quantization: `real = scale · (q − zero_point)`.");
    let _ = writeln!(out, "    pub const INPUT: Quantization = {};", quantization(input));
    let _ = writeln!(out, "    /// The output's quantization.");
    let _ = writeln!(out, "    pub const OUTPUT: Quantization = {};\n", quantization(output));
    let _ = writeln!(out, "    /// Bytes of its parameters (weights, biases, requantizations).");
    let _ = writeln!(out, "    pub const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();");
    let _ = writeln!(out, "    /// Its layers, in data-flow order.");
    let _ = writeln!(out, "    pub const LAYERS: &'static [Int8LayerSummary] = &[");
    for step in steps {
        let kind = step.ty.split('<').next().unwrap_or(&step.ty);
        let _ = writeln!(
            out,
            "        Int8LayerSummary {{ name: \"{}\", kind: \"{kind}\", output: &{:?}, bytes: ::core::mem::size_of::<{}>() }},",
            step.field, step.output, step.ty
        );
    }
    let _ = writeln!(out, "    ];\n");
    let _ = writeln!(out, "    /// The table of its layers, to print with `{{}}`.");
    let _ = writeln!(out, "    pub fn summary(&self) -> Int8Summary {{");
    let _ = writeln!(
        out,
        "        Int8Summary {{ name: \"{name}\", layers: Self::LAYERS, bytes: Self::PARAM_BYTES }}"
    );
    let _ = writeln!(out, "    }}\n");
    let (first, last) = (&steps[0], &steps[steps.len() - 1]);
    let input = unflattened.map_or_else(|| first.input.clone(), |n| vec![n]);
    let (input_i8, input_f32) = (array_type("i8", &input), array_type("f32", &input));
    let (output_i8, output_f32) = (array_type("i8", &last.output), array_type("f32", &last.output));
    let _ = writeln!(out, "    /// A float input as the int8 one `forward` takes.");
    let _ = writeln!(out, "    pub fn quantize_input(&self, input: &{input_f32}) -> {input_i8} {{");
    let _ = writeln!(out, "        Int8Value::quantize(input, Self::INPUT)");
    let _ = writeln!(out, "    }}\n");
    let _ = writeln!(out, "    /// `forward`'s int8 output as the real numbers it stands for.");
    let _ = writeln!(
        out,
        "    pub fn dequantize_output(&self, output: &{output_i8}) -> {output_f32} {{"
    );
    let _ = writeln!(out, "        Int8Value::dequantize(output, Self::OUTPUT)");
    let _ = writeln!(out, "    }}\n");
    let _ = writeln!(out, "    /// Inference on int8 values.");
    let _ = writeln!(out, "    pub fn forward(&self, input: &{input_i8}) -> {output_i8} {{");
    if unflattened.is_some() {
        let _ = writeln!(out, "        let x = ::constnet::quant::unflatten_hwc(input);");
    }
    for (i, step) in steps.iter().enumerate() {
        let argument = if i == 0 && unflattened.is_none() { "input" } else { "&x" };
        if step.flattens && i > 0 {
            let _ = writeln!(out, "        let x = ::constnet::quant::flatten(&x);");
        }
        let call = format!("self.{}.forward({argument})", step.field);
        if i + 1 == steps.len() {
            let _ = writeln!(out, "        {call}");
        } else {
            let _ = writeln!(out, "        let x = {call};");
        }
    }
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}\n");
    let _ = writeln!(out, "/// The parameters of `{origin}`.");
    let _ = writeln!(out, "#[allow(clippy::unreadable_literal)]");
    let _ = writeln!(out, "pub const {constant}: {name} = {name} {{");
    for step in steps {
        let _ = writeln!(out, "    {}: {},", step.field, step.value);
    }
    let _ = writeln!(out, "}};");
    out
}

/// `SINE_MODEL` for `SineModel`.
fn constant_name(name: &str) -> String {
    name.chars().fold(String::new(), |mut constant, c| {
        if c.is_ascii_uppercase() && !constant.is_empty() {
            constant.push('_');
        }
        constant.push(c.to_ascii_uppercase());
        constant
    })
}

/// `value` as the Rust expression [`ToRust`] writes.
fn rust_value(value: &impl ToRust) -> String {
    let mut out = String::new();
    let _ = value.write_value(&mut out, 0);
    out
}

fn quantization(q: Quantization) -> String {
    format!("Quantization {{ scale: {:?}, zero_point: {} }}", q.scale, q.zero_point)
}

/// `C_IN, C_OUT, KH, KW, ...`.
fn consts(channels: &[usize], geometry: &Geometry) -> String {
    let all: Vec<String> =
        channels.iter().chain(&geometry.consts()).map(usize::to_string).collect();
    all.join(", ")
}

fn describe(g: &Geometry) -> String {
    format!(
        "{}×{} window, stride {}×{}, padding {}×{}: [{}, {}, {}] → [{}, {}, {}]",
        g.kernel[0],
        g.kernel[1],
        g.stride[0],
        g.stride[1],
        g.padding[0],
        g.padding[1],
        g.in_channels,
        g.input[0],
        g.input[1],
        g.out_channels,
        g.output[0],
        g.output[1]
    )
}

/// `, ReLU` and the like, from the clamp and the output's quantization.
fn activation(clamp: (i8, i8), output: Quantization) -> String {
    match clamp {
        (-128, 127) => String::new(),
        (low, 127) if i32::from(low) == output.zero_point.max(-128) => ", ReLU".into(),
        (low, high) => format!(", clamped to [{low}, {high}]"),
    }
}

/// The fields every layer with weights has, its weights nested as `shape`.
fn weighted_fields(w: &Weights, shape: &[usize]) -> String {
    let multipliers: Vec<String> = w
        .multiplier
        .iter()
        .map(|m| format!("Multiplier {{ value: {}, shift: {} }}", m.value, m.shift))
        .collect();
    format!(
        "        weight: {},\n        bias: {:?},\n        multiplier: [{}],\n        input_zero_point: {},\n        output_zero_point: {},\n        clamp: ({}, {}),",
        nested(&w.weight, shape),
        w.bias,
        multipliers.join(", "),
        w.input.zero_point,
        w.output.zero_point,
        w.clamp.0,
        w.clamp.1
    )
}

/// Nested arrays of the given shape, written on one line each innermost row.
fn nested<V: std::fmt::Debug>(values: &[V], shape: &[usize]) -> String {
    match shape {
        [] | [_] => format!("{values:?}"),
        [_, inner @ ..] => {
            let size: usize = inner.iter().product();
            let parts: Vec<String> =
                values.chunks(size.max(1)).map(|part| nested(part, inner)).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

/// A dense layer's weight columns, from the order TensorFlow Lite flattens
/// an image (`[H][W][C]`) to constnet's (`[C][H][W]`); an error if the
/// layer does not take as many inputs as the image has values.
fn reorder_from_hwc<V: Copy>(
    weight: &mut [V],
    inputs: usize,
    [c, h, w]: [usize; 3],
    tensor: &str,
) -> Result<(), Error> {
    if c * h * w != inputs {
        return Err(Error::ShapeMismatch {
            tensor: tensor.into(),
            expected: vec![c * h * w],
            found: vec![inputs],
        });
    }
    for row in weight.chunks_mut(inputs) {
        let hwc = row.to_vec();
        for (index, value) in row.iter_mut().enumerate() {
            let (channel, y, x) = (index / (h * w), index / w % h, index % w);
            *value = hwc[(y * w + x) * c + channel];
        }
    }
    Ok(())
}

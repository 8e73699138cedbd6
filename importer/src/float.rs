//! A float32 model as a `network!` declaration and a `const` of its
//! parameters.

use std::fmt::Write;

use constnet::io::tflite::{Activation, Error, FloatLayer, FloatWeights, Geometry, Layer, Model};
use constnet::quant::Reduce;

use crate::{constant_name, describe, nested, reorder_from_hwc};

/// A line of the `network!` declaration: a layer with its field, or an
/// activation.
enum Line {
    Layer {
        doc: String,
        field: String,
        kind: String,
        /// Its value.
        value: String,
    },
    Activation(&'static str),
}

/// `float32` model `model` as Rust source (see [`crate::rust_source`]).
pub(crate) fn rust_source(model: &Model, name: &str, origin: &str) -> Result<String, Error> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// The float32 TensorFlow Lite model `{origin}` as a constnet network, written"
    );
    let _ = writeln!(out, "// by `constnet-import`: its shapes are checked by the compiler.\n");
    out += &network(model, name, origin, "float32")?;
    Ok(out)
}

/// The `network!` declaration of `model` (float32, or int8 read with its
/// weights dequantized, as `kind` says) and the `const` of its parameters.
pub(crate) fn network(
    model: &Model,
    name: &str,
    origin: &str,
    kind: &str,
) -> Result<String, Error> {
    let mut lines = Vec::new();
    // The network's input line, when it takes an image.
    let mut input: Option<[usize; 3]> = None;
    // The image a flatten (or a dense layer on an image) makes a vector of.
    let mut flattened: Option<[usize; 3]> = None;
    let mut last_image: Option<[usize; 3]> = None;
    for index in 0..model.operators.len() {
        let tensor = model.operators[index].outputs.first();
        let tensor = tensor.and_then(|&t| model.tensors.get(t as usize));
        let tensor_name = tensor.map_or("", |t| t.name.as_str());
        let unsupported =
            |what: &str| Error::Unsupported { what: what.into(), tensor: tensor_name.into() };
        let layer = model.read_float_layer(index)?;
        if let FloatLayer::Conv2d { geometry, .. }
        | FloatLayer::DepthwiseConv2d { geometry, .. }
        | FloatLayer::Pool2d { geometry, .. } = &layer
        {
            if lines.is_empty() && flattened.is_none() {
                input = Some([geometry.in_channels, geometry.input[0], geometry.input[1]]);
            }
            last_image = Some([geometry.out_channels, geometry.output[0], geometry.output[1]]);
        }
        match layer {
            FloatLayer::Dense { inputs, outputs, weights } => {
                let FloatWeights { mut weight, bias, activation } = weights;
                if let Some(shape) = flattened.take().or(last_image.take()) {
                    if lines.is_empty() {
                        input = Some(shape);
                    }
                    reorder_from_hwc(&mut weight, inputs, shape, tensor_name)?;
                    lines.push(Line::Layer {
                        doc: format!(
                            "The image `[{}, {}, {}]` as a vector.",
                            shape[0], shape[1], shape[2]
                        ),
                        field: numbered(&lines, "flatten"),
                        kind: "Flatten".into(),
                        value: "::constnet::layer::Flatten::new()".into(),
                    });
                }
                // From TensorFlow Lite's `[out][in]` to `[in][out]`.
                let transposed: Vec<f32> = (0..inputs * outputs)
                    .map(|k| weight[k % outputs * inputs + k / outputs])
                    .collect();
                lines.push(Line::Layer {
                    doc: format!("`FULLY_CONNECTED`, {inputs} → {outputs} (`{tensor_name}`)."),
                    field: numbered(&lines, "dense"),
                    kind: format!("Dense<{inputs}, {outputs}>"),
                    value: format!(
                        "::constnet::layer::Dense::new(\n        {},\n        {:?},\n    )",
                        nested(&transposed, &[inputs, outputs]),
                        bias
                    ),
                });
                push_activation(&mut lines, activation);
            }
            FloatLayer::Conv2d { geometry, weights } => {
                let g = &geometry;
                lines.push(Line::Layer {
                    doc: format!("`CONV_2D`, {} (`{tensor_name}`).", describe(g)),
                    field: numbered(&lines, "conv"),
                    kind: format!("Conv2d<{}, {}, {}>", g.in_channels, g.out_channels, window(g)),
                    value: parameters(
                        "Conv2d",
                        &weights,
                        &[g.out_channels, g.in_channels, g.kernel[0], g.kernel[1]],
                    ),
                });
                push_activation(&mut lines, weights.activation);
            }
            FloatLayer::DepthwiseConv2d { geometry, weights } => {
                let g = &geometry;
                lines.push(Line::Layer {
                    doc: format!("`DEPTHWISE_CONV_2D`, {} (`{tensor_name}`).", describe(g)),
                    field: numbered(&lines, "depthwise"),
                    kind: format!("DepthwiseConv2d<{}, {}>", g.in_channels, window(g)),
                    value: parameters(
                        "DepthwiseConv2d",
                        &weights,
                        &[g.in_channels, g.kernel[0], g.kernel[1]],
                    ),
                });
                push_activation(&mut lines, weights.activation);
            }
            FloatLayer::Pool2d { reduce, geometry, activation } => {
                if geometry.padding != [0, 0] || padded(&geometry) {
                    return Err(unsupported(
                        "a pooling with padding (constnet's float poolings have none)",
                    ));
                }
                let (kind, op) = match reduce {
                    Reduce::Max => ("MaxPool2d", "MAX_POOL_2D"),
                    Reduce::Average => ("AvgPool2d", "AVERAGE_POOL_2D"),
                };
                let [kh, kw] = geometry.kernel;
                let [sh, sw] = geometry.stride;
                lines.push(Line::Layer {
                    doc: format!("`{op}`, {} (`{tensor_name}`).", describe(&geometry)),
                    field: numbered(&lines, "pool"),
                    kind: if geometry.stride == geometry.kernel {
                        format!("{kind}<{}>", pair(kh, kw))
                    } else {
                        format!("{kind}<{}, stride = {}>", pair(kh, kw), pair(sh, sw))
                    },
                    value: format!("::constnet::layer::{kind}::new()"),
                });
                push_activation(&mut lines, activation);
            }
            FloatLayer::GlobalAvgPool { shape: shape @ [c, h, w] } => {
                if lines.is_empty() && flattened.is_none() {
                    input = Some(shape);
                }
                last_image = None;
                lines.push(Line::Layer {
                    doc: format!(
                        "`MEAN` of each of {c} channels over {h}×{w} values (`{tensor_name}`)."
                    ),
                    field: numbered(&lines, "pool"),
                    kind: "GlobalAvgPool".into(),
                    value: "::constnet::layer::GlobalAvgPool::new()".into(),
                });
            }
            FloatLayer::Reshape(Layer::Flatten { shape }) => {
                if flattened.replace(shape).is_some() {
                    return Err(unsupported("two flattens in a row"));
                }
                last_image = None;
            }
            FloatLayer::Reshape(Layer::Identity) => {}
            // As in an int8 model: the input vector taken as the image.
            FloatLayer::Reshape(Layer::Unflatten { shape }) if index == 0 => input = Some(shape),
            FloatLayer::Reshape(_) => {
                return Err(unsupported("a reshape of a vector into an image in a float model"));
            }
            FloatLayer::Activation(activation) => push_activation(&mut lines, activation),
        }
    }
    if !lines.iter().any(|line| matches!(line, Line::Layer { .. })) || flattened.is_some() {
        let what =
            if flattened.is_some() { "a flatten at the end" } else { "a model without layers" };
        return Err(Error::Unsupported { what: what.into(), tensor: String::new() });
    }
    let description = format!("{} operators, {kind}", model.operators.len());
    Ok(write_network(name, origin, &description, input, &lines))
}

/// `dense3` for the fourth layer with a field.
fn numbered(lines: &[Line], kind: &str) -> String {
    let count = lines.iter().filter(|line| matches!(line, Line::Layer { .. })).count();
    format!("{kind}{count}")
}

fn push_activation(lines: &mut Vec<Line>, activation: Activation) {
    let name = match activation {
        Activation::None => return,
        Activation::Relu => "Relu",
        Activation::Relu6 => "Relu6",
        Activation::Sigmoid => "Sigmoid",
        Activation::Tanh => "Tanh",
        Activation::Softmax => "Softmax",
    };
    lines.push(Line::Activation(name));
}

/// A convolution's `weight` and `bias`, the weights nested as `shape`.
fn parameters(kind: &str, weights: &FloatWeights, shape: &[usize]) -> String {
    format!(
        "::constnet::layer::{kind} {{\n        weight: {},\n        bias: {:?},\n    }}",
        nested(&weights.weight, shape),
        weights.bias
    )
}

/// `3` or `(1, 3)`.
fn pair(rows: usize, columns: usize) -> String {
    if rows == columns { rows.to_string() } else { format!("({rows}, {columns})") }
}

/// Whether a window's outputs need zeros after the input (TensorFlow's
/// SAME padding can put them there alone).
fn padded(g: &Geometry) -> bool {
    (0..2).any(|axis| {
        let valid = g.input[axis].checked_sub(g.kernel[axis]).map(|d| d / g.stride[axis] + 1);
        valid != Some(g.output[axis])
    })
}

/// The kernel, stride and padding arguments of a convolution.
fn window(g: &Geometry) -> String {
    let mut arguments = pair(g.kernel[0], g.kernel[1]);
    if g.stride != [1, 1] {
        arguments += &format!(", stride = {}", pair(g.stride[0], g.stride[1]));
    }
    if g.padding != [0, 0] || padded(g) {
        // The reader accepts only TensorFlow's SAME and VALID, and the
        // macro's `same` is TensorFlow's.
        arguments += ", padding = same";
    }
    arguments
}

fn write_network(
    name: &str,
    origin: &str,
    description: &str,
    input: Option<[usize; 3]>,
    lines: &[Line],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "::constnet::network! {{");
    let _ = writeln!(out, "    /// `{origin}`: {description}.");
    let _ = writeln!(out, "    #[derive(Clone, Debug)]");
    let _ = writeln!(out, "    pub struct {name}<f32> {{");
    if let Some([c, h, w]) = input {
        let _ = writeln!(out, "        input: [{c}, {h}, {w}],");
    }
    for line in lines {
        match line {
            Line::Layer { doc, field, kind, .. } => {
                let _ = writeln!(out, "        /// {doc}");
                let _ = writeln!(out, "        {field}: {kind},");
            }
            Line::Activation(name) => {
                let _ = writeln!(out, "        {name},");
            }
        }
    }
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "}}\n");
    let _ = writeln!(out, "/// The parameters of `{origin}`.");
    // `dead_code`: a program may include the file for an int8 model's
    // struct alone.
    let _ = writeln!(
        out,
        "#[allow(dead_code, clippy::approx_constant, clippy::excessive_precision, clippy::unreadable_literal)]"
    );
    let _ = writeln!(out, "pub const {}: {name}<f32> = {name} {{", constant_name(name));
    for line in lines {
        if let Line::Layer { field, value, .. } = line {
            let _ = writeln!(out, "    {field}: {value},");
        }
    }
    let _ = writeln!(out, "}};");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(
        input: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        output: usize,
    ) -> Geometry {
        Geometry {
            in_channels: 4,
            out_channels: 4,
            kernel: [1, kernel],
            input: [1, input],
            stride: [1, stride],
            padding: [0, padding],
            output: [1, output],
        }
    }

    #[test]
    fn windows_are_written_as_the_macro_reads_them() {
        assert_eq!(window(&geometry(10, 3, 1, 0, 8)), "(1, 3)");
        assert_eq!(window(&geometry(10, 3, 1, 1, 10)), "(1, 3), padding = same");
        // SAME with stride 2 on 10: its one zero comes after the input.
        assert_eq!(window(&geometry(10, 3, 2, 0, 5)), "(1, 3), stride = (1, 2), padding = same");
        assert_eq!(window(&geometry(10, 3, 2, 0, 4)), "(1, 3), stride = (1, 2)");
    }
}

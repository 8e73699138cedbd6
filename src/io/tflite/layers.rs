//! Operators read as constnet's int8 layers: first as [`Layer`], sizes and
//! parameters in constnet's layouts (channels first), then, through
//! [`FromOperator`], as the typed layers of [`crate::quant`], whose const
//! parameters must be the operator's sizes.

use std::format;
use std::vec::Vec;

use super::{Error, FusedActivation, Model, Operator, OperatorCode, Tensor};
use crate::layer::Axis;
use crate::quant::{
    Mean, Multiplier, QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d,
    QSoftmax, QTanh, Quantization, Reduce, ScaledInput,
};

/// Where a window (a kernel, a pooling window) goes over an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Rows and columns of the window.
    pub kernel: [usize; 2],
    /// Rows and columns of the input.
    pub input: [usize; 2],
    /// Rows and columns the window moves by.
    pub stride: [usize; 2],
    /// Rows and columns of zeros before the input.
    pub padding: [usize; 2],
    /// Rows and columns of the output.
    pub output: [usize; 2],
}

impl Geometry {
    /// The const parameters of constnet's layers, in their order after the
    /// channels: `KH, KW, H, W, SH, SW, PH, PW, OH, OW`.
    pub fn consts(&self) -> [usize; 10] {
        let [kh, kw] = self.kernel;
        let [h, w] = self.input;
        let [sh, sw] = self.stride;
        let [ph, pw] = self.padding;
        let [oh, ow] = self.output;
        [kh, kw, h, w, sh, sw, ph, pw, oh, ow]
    }
}

/// The parameters of an int8 layer with weights.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// The weights in constnet's layout: `[out][in]` for a dense layer,
    /// `[out][in][kh][kw]` for a convolution, `[channel][kh][kw]` for a
    /// depthwise one.
    pub weight: Vec<i8>,
    /// One bias per output channel.
    pub bias: Vec<i32>,
    /// One requantization per output channel.
    pub multiplier: Vec<Multiplier>,
    /// The input's quantization.
    pub input: Quantization,
    /// The output's quantization.
    pub output: Quantization,
    /// The fused activation's range.
    pub clamp: (i8, i8),
}

/// An operator of a model as a constnet layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    /// `FULLY_CONNECTED`, from `inputs` to `outputs` values.
    Dense {
        /// Number of inputs.
        inputs: usize,
        /// Number of outputs.
        outputs: usize,
        /// Its parameters.
        weights: Weights,
    },
    /// `CONV_2D`.
    Conv2d {
        /// Its sizes.
        geometry: Geometry,
        /// Its parameters.
        weights: Weights,
    },
    /// `DEPTHWISE_CONV_2D` with a depth multiplier of 1.
    DepthwiseConv2d {
        /// Its sizes.
        geometry: Geometry,
        /// Its parameters.
        weights: Weights,
    },
    /// `MAX_POOL_2D` or `AVERAGE_POOL_2D`.
    Pool2d {
        /// Max or average.
        reduce: Reduce,
        /// Its sizes.
        geometry: Geometry,
        /// The input's (and the output's) quantization.
        quantization: Quantization,
        /// The fused activation's range.
        clamp: (i8, i8),
    },
    /// `RESHAPE` of an image `[channels, height, width]` into a vector:
    /// constnet flattens channels first, TensorFlow Lite height first.
    Flatten {
        /// The image's shape, channels first.
        shape: [usize; 3],
    },
    /// `RESHAPE` of a vector into an image `[channels, height, width]`,
    /// whose values the vector holds height first.
    Unflatten {
        /// The image's shape, channels first.
        shape: [usize; 3],
    },
    /// `LOGISTIC` of a vector of `len` values, into the output quantization
    /// TensorFlow Lite requires (scale 1/256, zero point −128).
    Logistic {
        /// Number of values.
        len: usize,
        /// How its inputs become fixed-point numbers.
        input: ScaledInput,
    },
    /// `TANH` of a vector of `len` values, into the output quantization
    /// TensorFlow Lite requires (scale 1/128, zero point 0).
    Tanh {
        /// Number of values.
        len: usize,
        /// How its inputs become fixed-point numbers.
        input: ScaledInput,
    },
    /// `RESHAPE`, `EXPAND_DIMS` or `SQUEEZE` that only adds or removes
    /// dimensions of 1 and leaves every value where it is, in TensorFlow
    /// Lite's layout and in constnet's: TensorFlow Lite runs a 1-D
    /// convolution or pooling as a 2-D one on images one row high, between
    /// two such operators.
    Identity,
    /// `MEAN` of each channel of an image over its height and width, or of
    /// a sequence over its steps (an image one row high), into a vector.
    Mean {
        /// The image's shape, channels first.
        shape: [usize; 3],
        /// How each channel's sum becomes its mean.
        mean: Mean,
    },
    /// `SOFTMAX` of a vector of `len` values, into the output quantization
    /// TensorFlow Lite requires (scale 1/256, zero point −128).
    Softmax {
        /// Number of values.
        len: usize,
        /// `multiplier`, `left_shift` and `diff_min` of [`QSoftmax`].
        parameters: [i32; 3],
    },
}

impl Model {
    /// Operator `operator` as a constnet layer.
    pub fn read_layer(&self, operator: usize) -> Result<Layer, Error> {
        let op =
            self.operators.get(operator).ok_or(Error::Malformed { what: "an operator", at: 0 })?;
        let output = self.tensor_at(&op.outputs, 0)?;
        match op.code {
            OperatorCode::FullyConnected => {
                let weight = self.tensor_at(&op.inputs, 1)?;
                let &[outputs, inputs] = weight.shape.as_slice() else {
                    return Err(
                        weight.unsupported(&format!("a dense weight of shape {:?}", weight.shape))
                    );
                };
                let mut weights = weighted(self, op, outputs)?;
                weights.clamp = clamp(op, 0, weights.output, output)?;
                Ok(Layer::Dense { inputs, outputs, weights })
            }
            OperatorCode::Conv2d | OperatorCode::DepthwiseConv2d => {
                let (geometry, layout) = convolution(self, op)?;
                let mut weights = weighted(self, op, geometry.out_channels)?;
                weights.clamp = clamp(op, layout.activation_field(), weights.output, output)?;
                layout.channels_first(&mut weights.weight, &geometry);
                match layout {
                    Convolution::Depthwise => Ok(Layer::DepthwiseConv2d { geometry, weights }),
                    _ => Ok(Layer::Conv2d { geometry, weights }),
                }
            }
            OperatorCode::MaxPool2d | OperatorCode::AveragePool2d => {
                let reduce =
                    if op.code == OperatorCode::MaxPool2d { Reduce::Max } else { Reduce::Average };
                let geometry = geometry(self, op, Window::Options)?;
                let (input_q, output_q) =
                    (self.tensor_at(&op.inputs, 0)?.quantization()?, output.quantization()?);
                if input_q != output_q {
                    return Err(output.unsupported("a pooling that changes the quantization"));
                }
                let clamp = clamp(op, 5, output_q, output)?;
                Ok(Layer::Pool2d { reduce, geometry, quantization: output_q, clamp })
            }
            OperatorCode::Reshape | OperatorCode::ExpandDims | OperatorCode::Squeeze => {
                reshape(self, op)
            }
            OperatorCode::Mean => {
                let shape @ [_, h, w] = mean_shape(self, op)?;
                let input_q = self.tensor_at(&op.inputs, 0)?.quantization()?;
                let mean = Mean::new(input_q, output.quantization()?, h.saturating_mul(w));
                Ok(Layer::Mean { shape, mean })
            }
            OperatorCode::Softmax => {
                let (len, input_q) = on_vector(self, op, "softmax", QSoftmax::<1>::OUTPUT)?;
                // Its only option, beta, a float.
                let beta = op.options.first().copied().flatten();
                let beta = beta.map_or(1.0, |bits| f32::from_bits(bits as u32));
                let softmax = QSoftmax::<1>::new(f64::from(beta), f64::from(input_q.scale))
                    .ok_or_else(|| {
                        output.unsupported(&format!(
                            "a softmax of beta {beta} on inputs of scale {}",
                            input_q.scale
                        ))
                    })?;
                let QSoftmax { multiplier, left_shift, diff_min } = softmax;
                Ok(Layer::Softmax { len, parameters: [multiplier, left_shift, diff_min] })
            }
            OperatorCode::Logistic | OperatorCode::Tanh => {
                let logistic = op.code == OperatorCode::Logistic;
                let (what, fixed) = if logistic {
                    ("logistic", QLogistic::<1>::OUTPUT)
                } else {
                    ("tanh", QTanh::<1>::OUTPUT)
                };
                let (len, input_q) = on_vector(self, op, what, fixed)?;
                let input = ScaledInput::new(input_q).ok_or_else(|| {
                    output.unsupported(&format!("a {what} on inputs of scale {}", input_q.scale))
                })?;
                Ok(if logistic {
                    Layer::Logistic { len, input }
                } else {
                    Layer::Tanh { len, input }
                })
            }
            ref other => Err(output.unsupported(&format!("the operator {other}"))),
        }
    }
}

/// The length of the vector that an operator of one value per value (a
/// softmax, a logistic, a tanh) maps, and its input's quantization; its
/// output's must be `fixed`, the one TensorFlow Lite gives it.
fn on_vector(
    model: &Model,
    op: &Operator,
    what: &str,
    fixed: Quantization,
) -> Result<(usize, Quantization), Error> {
    let (input, output) = (model.tensor_at(&op.inputs, 0)?, model.tensor_at(&op.outputs, 0)?);
    let &[1, len] = input.shape.as_slice() else {
        return Err(output.unsupported(&format!(
            "a {what} over a tensor of shape {:?} (only over one vector)",
            input.shape
        )));
    };
    output.expect_shape(&[1, len])?;
    let (input_q, output_q) = (input.quantization()?, output.quantization()?);
    if output_q != fixed {
        return Err(output.unsupported(&format!(
            "a {what} output quantized as {output_q:?} (TensorFlow Lite's is {fixed:?})"
        )));
    }
    Ok((len, input_q))
}

/// A `RESHAPE`, `EXPAND_DIMS` or `SQUEEZE` of one sample: a flatten, an
/// unflatten, or nothing at all.
pub(super) fn reshape(model: &Model, op: &Operator) -> Result<Layer, Error> {
    let (input, output) = (model.tensor_at(&op.inputs, 0)?, model.tensor_at(&op.outputs, 0)?);
    if input.element != output.element {
        return Err(output.unsupported("a reshape that changes the element type"));
    }
    match (input.shape.as_slice(), output.shape.as_slice()) {
            (from, to) if keeps_values_in_place(from, to) => Ok(Layer::Identity),
            (&[1, h, w, c], &[1, n]) if product(&[h, w, c]) == Some(n) => {
                Ok(Layer::Flatten { shape: [c, h, w] })
            }
            // A sequence, `[1, length, channels]`: an image one row high.
            (&[1, length, c], &[1, n]) if product(&[length, c]) == Some(n) => {
                Ok(Layer::Flatten { shape: [c, 1, length] })
            }
            (&[1, n], &[1, h, w, c]) if product(&[h, w, c]) == Some(n) => {
                Ok(Layer::Unflatten { shape: [c, h, w] })
            }
            _ => Err(output.unsupported(&format!(
                "a reshape from {:?} to {:?} (only between one image and a vector, or adding or removing dimensions of 1, is)",
                input.shape, output.shape
            ))),
        }
}

/// The image `[channels, height, width]` of which a `MEAN` takes each
/// channel's mean: an NHWC image's over height and width, or a sequence's
/// `[1, length, channels]` over its steps (an image one row high), into a
/// vector (its dimensions not kept, as Keras's global poolings leave them).
pub(super) fn mean_shape(model: &Model, op: &Operator) -> Result<[usize; 3], Error> {
    let (input, output) = (model.tensor_at(&op.inputs, 0)?, model.tensor_at(&op.outputs, 0)?);
    let (shape, over): ([usize; 3], &[i32]) = match *input.shape.as_slice() {
        [1, h, w, c] => ([c, h, w], &[1, 2]),
        [1, length, c] => ([c, 1, length], &[1]),
        _ => {
            return Err(output.unsupported(&format!(
                "a mean of a tensor of shape {:?} (only of one image or sequence)",
                input.shape
            )));
        }
    };
    let axes = model.tensor_at(&op.inputs, 1)?.int32()?;
    let rank = input.shape.len() as i32;
    let mut resolved: Vec<i32> = axes.iter().map(|&a| if a < 0 { a + rank } else { a }).collect();
    resolved.sort_unstable();
    resolved.dedup();
    if resolved != over {
        return Err(output.unsupported(&format!(
            "a mean over the axes {axes:?} (only over each channel's values, {over:?})"
        )));
    }
    if op.option(0, 0) != 0 {
        return Err(output.unsupported("a mean that keeps its dimensions"));
    }
    output.expect_shape(&[1, shape[0]])?;
    Ok(shape)
}

/// How constnet runs a `CONV_2D` or a `DEPTHWISE_CONV_2D`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Convolution {
    /// `CONV_2D`.
    Full,
    /// `DEPTHWISE_CONV_2D` with a depth multiplier of 1.
    Depthwise,
    /// `DEPTHWISE_CONV_2D` of one input channel into several (its depth
    /// multiplier): a convolution, with a depthwise one's weights.
    OneInput,
}

impl Convolution {
    /// The option that holds the fused activation.
    pub(super) fn activation_field(self) -> usize {
        if self == Convolution::Full { 3 } else { 4 }
    }

    /// The weights from TensorFlow Lite's layout to constnet's:
    /// `[out][kh][kw][in]` to `[out][in][kh][kw]` for a convolution,
    /// `[1][kh][kw][c]` to `[c][kh][kw]` for a depthwise one (which is also
    /// `[c][1][kh][kw]`, a convolution's layout).
    pub(super) fn channels_first<T: Copy>(self, weight: &mut [T], geometry: &Geometry) {
        let ([kh, kw], c_in) = (geometry.kernel, geometry.in_channels);
        let tflite = weight.to_vec();
        for (index, w) in weight.iter_mut().enumerate() {
            *w = match self {
                Convolution::Full => {
                    let (co, ci, k) =
                        (index / (c_in * kh * kw), index / (kh * kw) % c_in, index % (kh * kw));
                    tflite[(co * kh * kw + k) * c_in + ci]
                }
                _ => tflite[index % (kh * kw) * geometry.out_channels + index / (kh * kw)],
            };
        }
    }
}

/// The geometry of a `CONV_2D` or `DEPTHWISE_CONV_2D`, its kernel's shape
/// checked against it, and how constnet runs it; dilations, and depth
/// multipliers other than 1 but on one input channel, are not supported.
pub(super) fn convolution(model: &Model, op: &Operator) -> Result<(Geometry, Convolution), Error> {
    let output = model.tensor_at(&op.outputs, 0)?;
    let geometry = geometry(model, op, Window::Weight)?;
    let [kh, kw] = geometry.kernel;
    let (kernel, dilation, layout) = if op.code == OperatorCode::Conv2d {
        let kernel = [geometry.out_channels, kh, kw, geometry.in_channels];
        (kernel, (op.option(4, 1), op.option(5, 1)), Convolution::Full)
    } else {
        let multiplier = op.option(3, 1);
        // One input channel, each filter its own output channel: a
        // convolution, whose weights are laid out alike.
        let one_input = geometry.in_channels == 1
            && geometry.out_channels > 1
            && usize::try_from(multiplier).is_ok_and(|m| m == geometry.out_channels);
        if !one_input && (multiplier != 1 || geometry.in_channels != geometry.out_channels) {
            return Err(
                output.unsupported("a depth multiplier other than 1 (but for one input channel)")
            );
        }
        let layout = if one_input { Convolution::OneInput } else { Convolution::Depthwise };
        ([1, kh, kw, geometry.out_channels], (op.option(5, 1), op.option(6, 1)), layout)
    };
    if dilation != (1, 1) {
        return Err(output.unsupported("a dilated convolution"));
    }
    model.tensor_at(&op.inputs, 1)?.expect_shape(&kernel)?;
    Ok((geometry, layout))
}

/// The number of values of a shape, unless it overflows.
fn product(dims: &[usize]) -> Option<usize> {
    dims.iter().try_fold(1_usize, |n, &d| n.checked_mul(d))
}

/// Whether a reshape of one sample from `from` to `to` leaves each value
/// where it is in constnet's channels-first layout as in TensorFlow Lite's
/// channels-last one: both hold the same dimensions other than 1, in the
/// same order, and the same channels last (which constnet puts first).
fn keeps_values_in_place(from: &[usize], to: &[usize]) -> bool {
    let (Some((&1, from_rest)), Some((&1, to_rest))) = (from.split_first(), to.split_first())
    else {
        return false;
    };
    let not_one = |dims: &[usize]| dims.iter().copied().filter(|&d| d != 1).collect::<Vec<_>>();
    let kept = not_one(from_rest);
    kept == not_one(to_rest) && (kept.len() <= 1 || from_rest.last() == to_rest.last())
}

/// Where a layer's window sizes come from.
pub(super) enum Window {
    /// The weight's shape, `[_, kh, kw, _]`.
    Weight,
    /// The options (pooling: `filter_width`, `filter_height`).
    Options,
}

/// The geometry of an operator on one NHWC image.
pub(super) fn geometry(model: &Model, op: &Operator, window: Window) -> Result<Geometry, Error> {
    let (input, output) = (model.tensor_at(&op.inputs, 0)?, model.tensor_at(&op.outputs, 0)?);
    let (&[1, h, w, c_in], &[1, oh, ow, c_out]) = (input.shape.as_slice(), output.shape.as_slice())
    else {
        return Err(output.unsupported(&format!(
            "images of shape {:?} into {:?} (one NHWC image)",
            input.shape, output.shape
        )));
    };
    let kernel = match window {
        Window::Weight => match model.tensor_at(&op.inputs, 1)?.shape.as_slice() {
            &[_, kh, kw, _] => [kh, kw],
            other => return Err(output.unsupported(&format!("a kernel of shape {other:?}"))),
        },
        Window::Options => [op.option(4, 0).max(0) as usize, op.option(3, 0).max(0) as usize],
    };
    let stride = [op.option(2, 1).max(0) as usize, op.option(1, 1).max(0) as usize];
    let mut padding = [0; 2];
    for axis in 0..2 {
        let (input, kernel, stride, out) =
            ([h, w][axis], kernel[axis], stride[axis], [oh, ow][axis]);
        let (before, expected) = match op.option(0, 0) {
            _ if stride == 0 || kernel == 0 => (0, 0),
            // SAME
            0 => Axis::same(input, kernel, stride),
            // VALID
            1 => (0, Axis::output_len(input, kernel, stride, 0).unwrap_or(0)),
            other => return Err(output.unsupported(&format!("the padding number {other}"))),
        };
        if expected != out || out == 0 {
            return Err(output.unsupported(&format!(
                "{out} outputs along an axis where its padding, window {kernel} and stride {stride} give {expected}"
            )));
        }
        padding[axis] = before;
    }
    Ok(Geometry {
        in_channels: c_in,
        out_channels: c_out,
        kernel,
        input: [h, w],
        stride,
        padding,
        output: [oh, ow],
    })
}

/// The weights, bias and requantization of an operator with `channels`
/// output channels; the clamp is set by the caller.
fn weighted(model: &Model, op: &Operator, channels: usize) -> Result<Weights, Error> {
    let (input, weight, output) = (
        model.tensor_at(&op.inputs, 0)?,
        model.tensor_at(&op.inputs, 1)?,
        model.tensor_at(&op.outputs, 0)?,
    );
    let values = weight.int8()?;
    let bias = match bias(model, op, channels)? {
        Some(bias) => bias.int32()?,
        None => std::vec![0; channels],
    };
    let (input_q, output_q) = (input.quantization()?, output.quantization()?);
    if weight.zero_points.iter().any(|&z| z != 0) {
        return Err(weight.unsupported("an asymmetric weight (a zero point other than 0)"));
    }
    let multiplier = (0..channels)
        .map(|channel| {
            let scale = weight.scales.get(channel).or(weight.scales.first()).copied();
            let scale = scale.ok_or_else(|| weight.unsupported("a weight without a scale"))?;
            if !(scale.is_finite() && scale > 0.0) {
                return Err(weight.unsupported(&format!("a scale of {scale}")));
            }
            // As TensorFlow Lite Micro derives it, in double precision.
            let real = f64::from(input_q.scale) * f64::from(scale) / f64::from(output_q.scale);
            Ok(Multiplier::from_real(real))
        })
        .collect::<Result<_, Error>>()?;
    Ok(Weights {
        weight: values,
        bias,
        multiplier,
        input: input_q,
        output: output_q,
        clamp: (-128, 127),
    })
}

/// The bias of an operator with `channels` output channels, its shape
/// checked, or `None` where the operator has none (its input 2 left out).
pub(super) fn bias<'m>(
    model: &'m Model,
    op: &Operator,
    channels: usize,
) -> Result<Option<&'m Tensor>, Error> {
    match op.inputs.get(2) {
        Some(&i) if i >= 0 => {
            let bias = model.tensor_at(&op.inputs, 2)?;
            bias.expect_shape(&[channels])?;
            Ok(Some(bias))
        }
        _ => Ok(None),
    }
}

/// The int8 range of the fused activation stored in option `field`.
fn clamp(
    op: &Operator,
    field: usize,
    output_q: Quantization,
    output: &Tensor,
) -> Result<(i8, i8), Error> {
    match op.fused_activation(field) {
        FusedActivation::None => Ok((-128, 127)),
        FusedActivation::Relu => Ok(output_q.clamp_range(0.0, f32::INFINITY)),
        FusedActivation::Relu6 => Ok(output_q.clamp_range(0.0, 6.0)),
        other @ FusedActivation::Other(_) => {
            Err(output.unsupported(&format!("the fused activation {other}")))
        }
    }
}

/// A layer that can be built from an operator of a model.
pub trait FromOperator: Sized {
    /// The layer, or why the operator cannot be it.
    fn from_operator(model: &Model, operator: usize) -> Result<Self, Error>;
}

/// An error: the typed layer's sizes are not the operator's.
fn mismatch(model: &Model, operator: usize, expected: &[usize], found: &[usize]) -> Error {
    let name =
        model.operators[operator].outputs.first().and_then(|&t| model.tensors.get(t as usize));
    Error::ShapeMismatch {
        tensor: name.map_or_else(Default::default, |t| t.name.clone()),
        expected: expected.to_vec(),
        found: found.to_vec(),
    }
}

fn wrong_kind(model: &Model, operator: usize, layer: &Layer, wanted: &str) -> Error {
    let name =
        model.operators[operator].outputs.first().and_then(|&t| model.tensors.get(t as usize));
    Error::Unsupported {
        what: format!("{} read as {wanted}", kind(layer)),
        tensor: name.map_or_else(Default::default, |t| t.name.clone()),
    }
}

fn kind(layer: &Layer) -> &'static str {
    match layer {
        Layer::Dense { .. } => "a dense layer",
        Layer::Conv2d { .. } => "a convolution",
        Layer::DepthwiseConv2d { .. } => "a depthwise convolution",
        Layer::Pool2d { .. } => "a pooling",
        Layer::Flatten { .. } => "a flatten",
        Layer::Unflatten { .. } => "a reshape into an image",
        Layer::Identity => "a reshape that moves no value",
        Layer::Mean { .. } => "a mean",
        Layer::Softmax { .. } => "a softmax",
        Layer::Logistic { .. } => "a logistic",
        Layer::Tanh { .. } => "a tanh",
    }
}

impl<const IN: usize, const OUT: usize> FromOperator for QDense<IN, OUT> {
    fn from_operator(model: &Model, operator: usize) -> Result<Self, Error> {
        let layer = model.read_layer(operator)?;
        let Layer::Dense { inputs, outputs, weights: w } = &layer else {
            return Err(wrong_kind(model, operator, &layer, "a dense layer"));
        };
        if (*inputs, *outputs) != (IN, OUT) {
            return Err(mismatch(model, operator, &[OUT, IN], &[*outputs, *inputs]));
        }
        Ok(QDense {
            weight: core::array::from_fn(|o| core::array::from_fn(|i| w.weight[o * IN + i])),
            bias: core::array::from_fn(|o| w.bias[o]),
            multiplier: core::array::from_fn(|o| w.multiplier[o]),
            input_zero_point: w.input.zero_point,
            output_zero_point: w.output.zero_point,
            clamp: w.clamp,
        })
    }
}

/// The sizes of a layer with a window, as its const parameters list them.
fn sizes(geometry: &Geometry, channels: &[usize]) -> Vec<usize> {
    channels.iter().copied().chain(geometry.consts()).collect()
}

impl<
    const C_IN: usize,
    const C_OUT: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const PH: usize,
    const PW: usize,
    const OH: usize,
    const OW: usize,
> FromOperator for QConv2d<C_IN, C_OUT, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    fn from_operator(model: &Model, operator: usize) -> Result<Self, Error> {
        let layer = model.read_layer(operator)?;
        let Layer::Conv2d { geometry, weights: w } = &layer else {
            return Err(wrong_kind(model, operator, &layer, "a convolution"));
        };
        let expected = [C_IN, C_OUT, KH, KW, H, W, SH, SW, PH, PW, OH, OW];
        let found = sizes(geometry, &[geometry.in_channels, geometry.out_channels]);
        if found != expected {
            return Err(mismatch(model, operator, &expected, &found));
        }
        let at = |co, ci, kh, kw| w.weight[((co * C_IN + ci) * KH + kh) * KW + kw];
        Ok(QConv2d {
            weight: core::array::from_fn(|co| {
                core::array::from_fn(|ci| {
                    core::array::from_fn(|kh| core::array::from_fn(|kw| at(co, ci, kh, kw)))
                })
            }),
            bias: core::array::from_fn(|c| w.bias[c]),
            multiplier: core::array::from_fn(|c| w.multiplier[c]),
            input_zero_point: w.input.zero_point,
            output_zero_point: w.output.zero_point,
            clamp: w.clamp,
        })
    }
}

impl<
    const C: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const PH: usize,
    const PW: usize,
    const OH: usize,
    const OW: usize,
> FromOperator for QDepthwiseConv2d<C, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    fn from_operator(model: &Model, operator: usize) -> Result<Self, Error> {
        let layer = model.read_layer(operator)?;
        let Layer::DepthwiseConv2d { geometry, weights: w } = &layer else {
            return Err(wrong_kind(model, operator, &layer, "a depthwise convolution"));
        };
        let expected = [C, KH, KW, H, W, SH, SW, PH, PW, OH, OW];
        let found = sizes(geometry, &[geometry.in_channels]);
        if found != expected {
            return Err(mismatch(model, operator, &expected, &found));
        }
        Ok(QDepthwiseConv2d {
            weight: core::array::from_fn(|c| {
                core::array::from_fn(|kh| {
                    core::array::from_fn(|kw| w.weight[(c * KH + kh) * KW + kw])
                })
            }),
            bias: core::array::from_fn(|c| w.bias[c]),
            multiplier: core::array::from_fn(|c| w.multiplier[c]),
            input_zero_point: w.input.zero_point,
            output_zero_point: w.output.zero_point,
            clamp: w.clamp,
        })
    }
}

impl<
    const C: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const PH: usize,
    const PW: usize,
    const OH: usize,
    const OW: usize,
> FromOperator for QPool2d<C, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    fn from_operator(model: &Model, operator: usize) -> Result<Self, Error> {
        let layer = model.read_layer(operator)?;
        let Layer::Pool2d { reduce, geometry, clamp, .. } = &layer else {
            return Err(wrong_kind(model, operator, &layer, "a pooling"));
        };
        let expected = [C, KH, KW, H, W, SH, SW, PH, PW, OH, OW];
        let found = sizes(geometry, &[geometry.in_channels]);
        if found != expected {
            return Err(mismatch(model, operator, &expected, &found));
        }
        Ok(QPool2d { reduce: *reduce, clamp: *clamp })
    }
}

impl<const C: usize, const H: usize, const W: usize> FromOperator
    for QGlobalAvgPool<[[i8; W]; H], C>
{
    fn from_operator(model: &Model, operator: usize) -> Result<Self, Error> {
        let layer = model.read_layer(operator)?;
        let Layer::Mean { shape, mean } = layer else {
            return Err(wrong_kind(model, operator, &layer, "a mean"));
        };
        if shape != [C, H, W] {
            return Err(mismatch(model, operator, &[C, H, W], &shape));
        }
        Ok(QGlobalAvgPool::new(mean))
    }
}

impl<const N: usize> FromOperator for QSoftmax<N> {
    fn from_operator(model: &Model, operator: usize) -> Result<Self, Error> {
        let layer = model.read_layer(operator)?;
        let Layer::Softmax { len, parameters: [multiplier, left_shift, diff_min] } = layer else {
            return Err(wrong_kind(model, operator, &layer, "a softmax"));
        };
        if len != N {
            return Err(mismatch(model, operator, &[N], &[len]));
        }
        Ok(QSoftmax { multiplier, left_shift, diff_min })
    }
}

/// `impl FromOperator` for an int8 function of one vector.
macro_rules! on_vector {
    ($layer:ident, $variant:ident, $what:literal) => {
        impl<const N: usize> FromOperator for $layer<N> {
            fn from_operator(model: &Model, operator: usize) -> Result<Self, Error> {
                let layer = model.read_layer(operator)?;
                let Layer::$variant { len, input } = layer else {
                    return Err(wrong_kind(model, operator, &layer, $what));
                };
                if len != N {
                    return Err(mismatch(model, operator, &[N], &[len]));
                }
                Ok($layer { input })
            }
        }
    };
}

on_vector!(QLogistic, Logistic, "a logistic");
on_vector!(QTanh, Tanh, "a tanh");

#[cfg(test)]
mod tests {
    use super::keeps_values_in_place;

    #[test]
    fn reshapes_that_move_no_value_are_told_apart() {
        for (from, to) in [
            (&[1, 16, 3][..], &[1, 1, 16, 3][..]),
            (&[1, 1, 16, 3], &[1, 16, 3]),
            (&[1, 16, 1, 3], &[1, 1, 16, 3]),
            (&[1, 5], &[1, 1, 1, 5]),
            (&[1, 5, 1], &[1, 5]),
            (&[1, 4, 4], &[1, 4, 4]),
        ] {
            assert!(keeps_values_in_place(from, to), "{from:?} -> {to:?}");
        }
        for (from, to) in [
            // Channels last in TensorFlow Lite, first in constnet: moved.
            (&[1, 4, 3, 1][..], &[1, 4, 3][..]),
            (&[1, 3, 4], &[1, 4, 3]),
            (&[1, 4, 4], &[1, 16]),
            // Not one sample.
            (&[2, 3], &[2, 1, 3]),
            (&[], &[]),
        ] {
            assert!(!keeps_values_in_place(from, to), "{from:?} -> {to:?}");
        }
    }
}

//! Operators of a float32 model read as constnet's float layers: the sizes
//! and parameters of the layers a `network!` declaration names, in
//! constnet's layouts (channels first).

use std::format;
use std::vec::Vec;

use super::layers::{Convolution, Window, bias, convolution, geometry, mean_shape, reshape};
use super::{Error, FusedActivation, Geometry, Layer, Model, Operator, OperatorCode};
use crate::quant::Reduce;

/// An activation, fused into an operator or an operator of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// None: the identity.
    None,
    /// `RELU`.
    Relu,
    /// `RELU6`.
    Relu6,
    /// `LOGISTIC`.
    Sigmoid,
    /// `TANH`.
    Tanh,
    /// `SOFTMAX` (of `beta` 1).
    Softmax,
}

/// The parameters of a float layer with weights.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatWeights {
    /// The weights in constnet's layout: `[out][in]` for a dense layer,
    /// `[out][in][kh][kw]` for a convolution, `[channel][kh][kw]` for a
    /// depthwise one.
    pub weight: Vec<f32>,
    /// One bias per output channel.
    pub bias: Vec<f32>,
    /// The fused activation.
    pub activation: Activation,
}

/// An operator of a float32 model as a constnet float layer.
#[derive(Clone, Debug, PartialEq)]
pub enum FloatLayer {
    /// `FULLY_CONNECTED`, from `inputs` to `outputs` values.
    Dense {
        /// Number of inputs.
        inputs: usize,
        /// Number of outputs.
        outputs: usize,
        /// Its parameters.
        weights: FloatWeights,
    },
    /// `CONV_2D`, or `DEPTHWISE_CONV_2D` of one input channel.
    Conv2d {
        /// Its sizes.
        geometry: Geometry,
        /// Its parameters.
        weights: FloatWeights,
    },
    /// `DEPTHWISE_CONV_2D` with a depth multiplier of 1.
    DepthwiseConv2d {
        /// Its sizes.
        geometry: Geometry,
        /// Its parameters.
        weights: FloatWeights,
    },
    /// `MAX_POOL_2D` or `AVERAGE_POOL_2D`.
    Pool2d {
        /// Max or average.
        reduce: Reduce,
        /// Its sizes.
        geometry: Geometry,
        /// The fused activation.
        activation: Activation,
    },
    /// `MEAN` of each channel of an image `[channels, height, width]` (a
    /// sequence is one row high) into a vector: a global average pooling.
    GlobalAvgPool {
        /// The image's shape, channels first.
        shape: [usize; 3],
    },
    /// `RESHAPE`, `EXPAND_DIMS` or `SQUEEZE`, read as for an int8 model:
    /// [`Layer::Flatten`], [`Layer::Unflatten`] or [`Layer::Identity`].
    Reshape(Layer),
    /// `RELU`, `RELU6`, `LOGISTIC`, `TANH` or `SOFTMAX` on its own.
    Activation(Activation),
}

impl Model {
    /// Operator `operator` as a constnet float layer: of a float32 model,
    /// or of an int8 one with its weights and biases dequantized
    /// ([`Tensor::dequantized`](super::Tensor::dequantized)). Weights and
    /// biases must be finite: a NaN or an infinity is an error naming the
    /// tensor.
    pub fn read_float_layer(&self, operator: usize) -> Result<FloatLayer, Error> {
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
                let weights = float_weights(self, op, outputs, 0)?;
                Ok(FloatLayer::Dense { inputs, outputs, weights })
            }
            OperatorCode::Conv2d | OperatorCode::DepthwiseConv2d => {
                let (geometry, layout) = convolution(self, op)?;
                let field = layout.activation_field();
                let mut weights = float_weights(self, op, geometry.out_channels, field)?;
                layout.channels_first(&mut weights.weight, &geometry);
                match layout {
                    Convolution::Depthwise => Ok(FloatLayer::DepthwiseConv2d { geometry, weights }),
                    _ => Ok(FloatLayer::Conv2d { geometry, weights }),
                }
            }
            OperatorCode::MaxPool2d | OperatorCode::AveragePool2d => {
                let reduce =
                    if op.code == OperatorCode::MaxPool2d { Reduce::Max } else { Reduce::Average };
                let geometry = geometry(self, op, Window::Options)?;
                let activation = fused(self, op, 5)?;
                Ok(FloatLayer::Pool2d { reduce, geometry, activation })
            }
            OperatorCode::Reshape | OperatorCode::ExpandDims | OperatorCode::Squeeze => {
                Ok(FloatLayer::Reshape(reshape(self, op)?))
            }
            OperatorCode::Mean => Ok(FloatLayer::GlobalAvgPool { shape: mean_shape(self, op)? }),
            OperatorCode::Relu => Ok(FloatLayer::Activation(Activation::Relu)),
            OperatorCode::Relu6 => Ok(FloatLayer::Activation(Activation::Relu6)),
            OperatorCode::Logistic => Ok(FloatLayer::Activation(Activation::Sigmoid)),
            OperatorCode::Tanh => Ok(FloatLayer::Activation(Activation::Tanh)),
            OperatorCode::Softmax => {
                let beta = op.options.first().copied().flatten();
                let beta = beta.map_or(1.0, |bits| f32::from_bits(bits as u32));
                if beta != 1.0 {
                    return Err(output.unsupported(&format!("a softmax of beta {beta}")));
                }
                Ok(FloatLayer::Activation(Activation::Softmax))
            }
            ref other => Err(output.unsupported(&format!("the operator {other}"))),
        }
    }
}

/// The weights and bias of a float operator with `channels` output
/// channels, and the fused activation stored in option `field`.
fn float_weights(
    model: &Model,
    op: &Operator,
    channels: usize,
    field: usize,
) -> Result<FloatWeights, Error> {
    let weight = model.tensor_at(&op.inputs, 1)?;
    let weight = finite(weight, weight.dequantized()?)?;
    let bias = match bias(model, op, channels)? {
        Some(bias) => finite(bias, bias.dequantized()?)?,
        None => std::vec![0.0; channels],
    };
    Ok(FloatWeights { weight, bias, activation: fused(model, op, field)? })
}

/// `values`, unless one of them is a NaN or an infinity.
fn finite(tensor: &super::Tensor, values: Vec<f32>) -> Result<Vec<f32>, Error> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(at) => Err(tensor.unsupported(&format!("the value {} at {at}", values[at]))),
        None => Ok(values),
    }
}

/// The fused activation stored in option `field`.
fn fused(model: &Model, op: &Operator, field: usize) -> Result<Activation, Error> {
    match op.fused_activation(field) {
        FusedActivation::None => Ok(Activation::None),
        FusedActivation::Relu => Ok(Activation::Relu),
        FusedActivation::Relu6 => Ok(Activation::Relu6),
        // 4 is TANH in TensorFlow Lite's schema.
        FusedActivation::Other(4) => Ok(Activation::Tanh),
        other @ FusedActivation::Other(_) => Err(model
            .tensor_at(&op.outputs, 0)?
            .unsupported(&format!("the fused activation {other}"))),
    }
}

//! What the int8 network that [`network!`](crate::network) writes beside a
//! float one is made of: each float layer's int8 counterpart
//! ([`Quantize`]), values of any shape in int8 ([`Int8Value`]), and the
//! checks that calibration found ranges an int8 scale can cover.

use core::fmt;

use super::{QDense, QLogistic, QPool2d, QSoftmax, QTanh, Quantization, Range, Reduce};
use crate::layer::{AvgPool2d, Conv2d, Dense, DepthwiseConv2d, Flatten, MaxPool2d};
use crate::params::{Params, TensorInfo};

/// A float layer with an int8 counterpart.
pub trait Quantize {
    /// The int8 layer.
    type Quantized;

    /// The int8 layer for an input quantized as `input` and an output as
    /// `output`, its outputs clamped to `clamp` (the range of a ReLU fused
    /// into it, or `(−128, 127)`). A layer without weights keeps its
    /// input's quantization and ignores `output`.
    fn quantized(
        &self,
        input: Quantization,
        output: Quantization,
        clamp: (i8, i8),
    ) -> Self::Quantized;
}

impl<const IN: usize, const OUT: usize> Quantize for Dense<f32, IN, OUT> {
    type Quantized = QDense<IN, OUT>;

    fn quantized(
        &self,
        input: Quantization,
        output: Quantization,
        clamp: (i8, i8),
    ) -> Self::Quantized {
        Dense::quantized(self, input, output, clamp)
    }
}

/// `impl Quantize` for a layer with an inherent `quantized` and the const
/// parameters of a window.
macro_rules! windowed {
    ($float:ident<$($c:ident),*> => $int8:ident) => {
        impl<$(const $c: usize),*> Quantize for $float<f32, $($c),*> {
            type Quantized = super::$int8<$($c),*>;

            fn quantized(
                &self,
                input: Quantization,
                output: Quantization,
                clamp: (i8, i8),
            ) -> Self::Quantized {
                $float::quantized(self, input, output, clamp)
            }
        }
    };
}

windowed!(Conv2d<C_IN, C_OUT, KH, KW, H, W, SH, SW, PH, PW, OH, OW> => QConv2d);
windowed!(DepthwiseConv2d<C, KH, KW, H, W, SH, SW, PH, PW, OH, OW> => QDepthwiseConv2d);

/// `impl Quantize` for a pooling, whose windows have no padding.
macro_rules! pooling {
    ($float:ident, $reduce:expr) => {
        impl<
            const C: usize,
            const KH: usize,
            const KW: usize,
            const H: usize,
            const W: usize,
            const SH: usize,
            const SW: usize,
            const OH: usize,
            const OW: usize,
        > Quantize for $float<f32, C, KH, KW, H, W, SH, SW, OH, OW>
        {
            type Quantized = QPool2d<C, KH, KW, H, W, SH, SW, 0, 0, OH, OW>;

            fn quantized(
                &self,
                _: Quantization,
                _: Quantization,
                clamp: (i8, i8),
            ) -> Self::Quantized {
                QPool2d { reduce: $reduce, clamp }
            }
        }
    };
}

pooling!(MaxPool2d, Reduce::Max);
pooling!(AvgPool2d, Reduce::Average);

/// An int8 image `[C][H][W]` as a vector of `N` values, channels first:
/// [`Flatten`] in int8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QFlatten<const C: usize, const H: usize, const W: usize, const N: usize>;

impl<const C: usize, const H: usize, const W: usize, const N: usize> QFlatten<C, H, W, N> {
    /// The image's values in order.
    pub fn forward(&self, input: &[[[i8; W]; H]; C]) -> [i8; N] {
        super::flatten(input)
    }
}

impl<const C: usize, const H: usize, const W: usize, const N: usize> Quantize
    for Flatten<[[[f32; W]; H]; C], N>
{
    type Quantized = QFlatten<C, H, W, N>;

    fn quantized(&self, _: Quantization, _: Quantization, _: (i8, i8)) -> Self::Quantized {
        QFlatten
    }
}

/// A float value (`[f32; N]`, `[[f32; L]; C]`, `[[[f32; W]; H]; C]`) and
/// the int8 value of the same shape.
pub trait Int8Value: Sized {
    /// The int8 value of the same shape.
    type Int8: Copy + fmt::Debug + PartialEq;

    /// Each value quantized as `q`.
    fn quantize(&self, q: Quantization) -> Self::Int8;

    /// Each int8 value as the real number it stands for under `q`.
    fn dequantize(values: &Self::Int8, q: Quantization) -> Self;
}

impl<const N: usize> Int8Value for [f32; N] {
    type Int8 = [i8; N];

    fn quantize(&self, q: Quantization) -> [i8; N] {
        self.map(|x| q.quantize(x))
    }

    fn dequantize(values: &[i8; N], q: Quantization) -> Self {
        values.map(|x| q.dequantize(x))
    }
}

impl<const L: usize, const C: usize> Int8Value for [[f32; L]; C] {
    type Int8 = [[i8; L]; C];

    fn quantize(&self, q: Quantization) -> Self::Int8 {
        self.map(|row| row.quantize(q))
    }

    fn dequantize(values: &Self::Int8, q: Quantization) -> Self {
        values.map(|row| <[f32; L]>::dequantize(&row, q))
    }
}

impl<const W: usize, const H: usize, const C: usize> Int8Value for [[[f32; W]; H]; C] {
    type Int8 = [[[i8; W]; H]; C];

    fn quantize(&self, q: Quantization) -> Self::Int8 {
        self.map(|plane| plane.quantize(q))
    }

    fn dequantize(values: &Self::Int8, q: Quantization) -> Self {
        values.map(|plane| <[[f32; W]; H]>::dequantize(&plane, q))
    }
}

/// One of a network's tensors, by its position among them, named when
/// asked (a name takes more room than an error should).
#[derive(Clone, Copy)]
pub struct TensorOf {
    position: usize,
    info: fn(usize) -> Option<TensorInfo>,
}

impl TensorOf {
    /// Its position among the network's tensors ([`Params::tensor`]).
    pub fn position(&self) -> usize {
        self.position
    }

    /// Its name and shape.
    pub fn info(&self) -> Option<TensorInfo> {
        (self.info)(self.position)
    }
}

impl fmt::Debug for TensorOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.info() {
            Some(info) => write!(f, "{info}"),
            None => write!(f, "tensor {}", self.position),
        }
    }
}

/// Why a network could not be quantized.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum QuantizeError {
    /// A weight or a bias is NaN or infinite: no int8 value stands for it.
    Weight {
        /// The tensor.
        tensor: TensorOf,
        /// The element, in row-major order.
        index: usize,
        /// Its value.
        value: f32,
    },
    /// The values after `layer` on the calibration inputs were infinite,
    /// or none was a number (or there was no input): no scale covers them.
    Range {
        /// The field of the layer, or `input` for the network's input.
        layer: &'static str,
        /// The range seen.
        seen: Range,
    },
    /// The values before a softmax, a sigmoid or a tanh span too narrow a
    /// range for TensorFlow Lite's int8 function (a scale below 2⁻²⁶ for a
    /// softmax, 2⁻²⁸ for the others).
    TooNarrow {
        /// `softmax`, `logistic` or `tanh`.
        function: &'static str,
        /// The scale they were given.
        input_scale: f32,
    },
}

impl fmt::Display for QuantizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantizeError::Weight { tensor, index, value } => match tensor.info() {
                Some(info) => {
                    write!(f, "cannot quantize {} = {value}: not finite", info.element(*index))
                }
                None => {
                    write!(f, "cannot quantize element {index} of {tensor:?} = {value}: not finite")
                }
            },
            QuantizeError::Range { layer, seen } if seen.min > seen.max => {
                write!(f, "no calibration value after `{layer}` was a number")
            }
            QuantizeError::Range { layer, seen } => write!(
                f,
                "the calibration values after `{layer}` reach [{}, {}]: no int8 scale covers them",
                seen.min, seen.max
            ),
            QuantizeError::TooNarrow { function, input_scale } => write!(
                f,
                "the inputs of a {function} span too narrow a range (scale {input_scale:e}) \
                 for TensorFlow Lite's int8 {function}"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for QuantizeError {}

/// The quantization of the values `seen` after `layer`, if they are finite.
pub fn calibrated(seen: Range, layer: &'static str) -> Result<Quantization, QuantizeError> {
    if seen.min.is_finite() && seen.max.is_finite() && seen.min <= seen.max {
        Ok(seen.quantization())
    } else {
        Err(QuantizeError::Range { layer, seen })
    }
}

/// Every parameter of `network` is finite, or the first that is not.
pub fn finite_weights<P: Params<f32>>(network: &P) -> Result<(), QuantizeError> {
    for position in 0..P::TENSORS {
        let Some(values) = network.tensor(position) else { continue };
        if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            let tensor = TensorOf { position, info: P::tensor_info };
            return Err(QuantizeError::Weight { tensor, index, value });
        }
    }
    Ok(())
}

/// TensorFlow Lite's int8 softmax of inputs quantized as `input`.
pub fn softmax<const N: usize>(input: Quantization) -> Result<QSoftmax<N>, QuantizeError> {
    QSoftmax::new(1.0, f64::from(input.scale)).ok_or(too_narrow("softmax", input))
}

/// TensorFlow Lite's int8 logistic function of inputs quantized as `input`.
pub fn logistic<const N: usize>(input: Quantization) -> Result<QLogistic<N>, QuantizeError> {
    QLogistic::new(input).ok_or(too_narrow("logistic", input))
}

/// TensorFlow Lite's int8 tanh of inputs quantized as `input`.
pub fn tanh<const N: usize>(input: Quantization) -> Result<QTanh<N>, QuantizeError> {
    QTanh::new(input).ok_or(too_narrow("tanh", input))
}

fn too_narrow(function: &'static str, input: Quantization) -> QuantizeError {
    QuantizeError::TooNarrow { function, input_scale: input.scale }
}

/// The clamp of a ReLU (`Some(inf)`) or a ReLU6 (`Some(6)`) on outputs
/// quantized as `output`, or none.
pub fn clamp(output: Quantization, relu_ceiling: Option<f32>) -> (i8, i8) {
    match relu_ceiling {
        Some(ceiling) => output.clamp_range(0.0, ceiling),
        None => (-128, 127),
    }
}

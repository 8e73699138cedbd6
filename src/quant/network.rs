//! What the int8 network that [`network!`](crate::network) writes beside a
//! float one is made of: each float layer's int8 counterpart
//! ([`Quantize`]), values of any shape in int8 ([`Int8Value`]), and the
//! checks that calibration found ranges an int8 scale can cover.

use core::fmt;
use core::marker::PhantomData;

use super::{
    QConv1d, QDense, QGlobalAvgPool, QLogistic, QPool1d, QPool2d, QSoftmax, QTanh, Quantization,
    Range, Reduce,
};
use crate::layer::{
    AvgPool1d, AvgPool2d, Conv1d, Conv2d, Dense, DepthwiseConv2d, Flatten, GlobalAvgPool,
    MaxPool1d, MaxPool2d,
};
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

/// `impl Quantize` for a 1-D pooling, [`QPool1d`].
macro_rules! pooling_1d {
    ($float:ident, $reduce:expr) => {
        impl<const C: usize, const K: usize, const L: usize, const S: usize, const OL: usize>
            Quantize for $float<f32, C, K, L, S, OL>
        {
            type Quantized = QPool1d<C, K, L, S, OL>;

            fn quantized(
                &self,
                _: Quantization,
                _: Quantization,
                clamp: (i8, i8),
            ) -> Self::Quantized {
                QPool1d::new($reduce, clamp)
            }
        }
    };
}

pooling_1d!(MaxPool1d, Reduce::Max);
pooling_1d!(AvgPool1d, Reduce::Average);

impl<
    const C_IN: usize,
    const C_OUT: usize,
    const K: usize,
    const L: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> Quantize for Conv1d<f32, C_IN, C_OUT, K, L, S, P, OL>
{
    type Quantized = QConv1d<C_IN, C_OUT, K, L, S, P, OL>;

    fn quantized(
        &self,
        input: Quantization,
        output: Quantization,
        clamp: (i8, i8),
    ) -> Self::Quantized {
        Conv1d::quantized(self, input, output, clamp)
    }
}

/// An int8 value of a shape constnet's layers pass: `[i8; N]`,
/// `[[i8; L]; C]` or `[[[i8; W]; H]; C]`.
pub trait Int8Array: Copy + fmt::Debug + PartialEq {
    /// Its dimensions, outermost first.
    const DIMS: &'static [usize];

    /// Its values, in order.
    fn values(&self) -> &[i8];
}

impl<const N: usize> Int8Array for [i8; N] {
    const DIMS: &'static [usize] = &[N];

    fn values(&self) -> &[i8] {
        self
    }
}

impl<const L: usize, const C: usize> Int8Array for [[i8; L]; C] {
    const DIMS: &'static [usize] = &[C, L];

    fn values(&self) -> &[i8] {
        self.as_flattened()
    }
}

impl<const W: usize, const H: usize, const C: usize> Int8Array for [[[i8; W]; H]; C] {
    const DIMS: &'static [usize] = &[C, H, W];

    fn values(&self) -> &[i8] {
        self.as_flattened().as_flattened()
    }
}

/// An int8 value `S` (an image or a sequence) as a vector of its `N`
/// values, channels first: [`Flatten`] in int8.
pub struct QFlatten<S, const N: usize>(PhantomData<fn() -> S>);

impl<S: Int8Array, const N: usize> QFlatten<S, N> {
    /// The flatten of `S` into `N` values.
    pub const fn new() -> Self {
        const { assert!(product(S::DIMS) == N, "the value does not hold N values") };
        Self(PhantomData)
    }

    /// The values in order.
    pub fn forward(&self, input: &S) -> [i8; N] {
        let values = input.values();
        core::array::from_fn(|i| values[i])
    }
}

/// `Clone`, `Copy`, `PartialEq`, `Eq`, `Debug` and `Default` for a layer
/// of no parameters.
macro_rules! parameterless {
    ($layer:ident<S, const $n:ident: usize>, $name:literal) => {
        impl<S, const $n: usize> Clone for $layer<S, $n> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<S, const $n: usize> Copy for $layer<S, $n> {}

        impl<S, const $n: usize> PartialEq for $layer<S, $n> {
            fn eq(&self, _: &Self) -> bool {
                true
            }
        }

        impl<S, const $n: usize> Eq for $layer<S, $n> {}

        impl<S, const $n: usize> fmt::Debug for $layer<S, $n> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($name, "<{}>"), $n)
            }
        }

        impl<S: Int8Array, const $n: usize> Default for $layer<S, $n> {
            fn default() -> Self {
                Self::new()
            }
        }
    };
}

parameterless!(QFlatten<S, const N: usize>, "QFlatten");

/// The number of values of an array of dimensions `dims`.
pub(super) const fn product(dims: &[usize]) -> usize {
    let (mut product, mut i) = (1, 0);
    while i < dims.len() {
        product *= dims[i];
        i += 1;
    }
    product
}

/// `impl Quantize` for the layers of no parameters on images and
/// sequences, whose int8 twins take the int8 value of the same shape.
macro_rules! reshaping {
    ($float:ident => $int8:ident, [$($c:ident),*], $f32:ty, $i8:ty, $n:ident) => {
        impl<$(const $c: usize),*> Quantize for $float<$f32, $n> {
            type Quantized = $int8<$i8, $n>;

            fn quantized(&self, _: Quantization, _: Quantization, _: (i8, i8)) -> Self::Quantized {
                $int8::new()
            }
        }
    };
}

reshaping!(Flatten => QFlatten, [W, H, C, N], [[[f32; W]; H]; C], [[[i8; W]; H]; C], N);
reshaping!(Flatten => QFlatten, [L, C, N], [[f32; L]; C], [[i8; L]; C], N);

/// `impl Quantize` for [`GlobalAvgPool`] of images and of sequences: the
/// means have a quantization of their own, as TensorFlow Lite gives them.
macro_rules! global_pooling {
    ([$($c:ident),*], $f32:ty, $i8:ty) => {
        impl<$(const $c: usize),*, const C: usize> Quantize for GlobalAvgPool<$f32, C> {
            type Quantized = QGlobalAvgPool<$i8, C>;

            fn quantized(&self, input: Quantization, output: Quantization, _: (i8, i8)) -> Self::Quantized {
                QGlobalAvgPool::between(input, output)
            }
        }
    };
}

global_pooling!([W, H], [[f32; W]; H], [[i8; W]; H]);
global_pooling!([L], [f32; L], [i8; L]);

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

//! Parameters of several dimensions seen as one row-major slice, and the
//! `Params` of the layers made of a weight and a bias.

use crate::Scalar;

/// A nested array of scalars, of one to four dimensions, as one row-major
/// slice: how [`Params`](crate::Params) shows a layer's weights.
pub trait Flat<T> {
    /// Every scalar, in row-major order.
    fn flat(&self) -> &[T];
    /// Every scalar, in row-major order, mutably.
    fn flat_mut(&mut self) -> &mut [T];
}

impl<T: Scalar, const A: usize> Flat<T> for [T; A] {
    fn flat(&self) -> &[T] {
        self
    }
    fn flat_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: Scalar, const A: usize, const B: usize> Flat<T> for [[T; A]; B] {
    fn flat(&self) -> &[T] {
        self.as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut()
    }
}

impl<T: Scalar, const A: usize, const B: usize, const C: usize> Flat<T> for [[[T; A]; B]; C] {
    fn flat(&self) -> &[T] {
        self.as_flattened().as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

impl<T: Scalar, const A: usize, const B: usize, const C: usize, const D: usize> Flat<T>
    for [[[[T; A]; B]; C]; D]
{
    fn flat(&self) -> &[T] {
        self.as_flattened().as_flattened().as_flattened()
    }
    fn flat_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut().as_flattened_mut().as_flattened_mut()
    }
}

/// Zero, for scalars and nested arrays of them alike, usable in a `const
/// fn`.
pub trait Zero {
    /// Every scalar zero.
    const ZERO: Self;
}

impl<T: Scalar> Zero for T {
    const ZERO: Self = T::ZERO;
}

impl<Z: Zero, const N: usize> Zero for [Z; N] {
    const ZERO: Self = [Z::ZERO; N];
}

/// Implements [`Params`](crate::Params) for a layer whose tensors are its
/// fields `weight` and `bias`, with the shapes written (PyTorch's, for the
/// layers it has).
macro_rules! weight_and_bias {
    (impl[$($generics:tt)*] $layer:ty { weight: $weight:expr, bias: $bias:expr $(,)? }) => {
        impl<T: $crate::Scalar, $($generics)*> $crate::Params<T> for $layer {
            const TENSORS: usize = 2;
            const PARAMS: usize = {
                let (weight, bias): (&[usize], &[usize]) = (&$weight, &$bias);
                $crate::layer::tensor::product(weight) + $crate::layer::tensor::product(bias)
            };

            fn zeros() -> Self {
                Self::zeros()
            }

            fn tensor(&self, index: usize) -> Option<&[T]> {
                use $crate::layer::tensor::Flat;
                match index {
                    0 => Some(self.weight.flat()),
                    1 => Some(self.bias.flat()),
                    _ => None,
                }
            }

            fn tensor_mut(&mut self, index: usize) -> Option<&mut [T]> {
                use $crate::layer::tensor::Flat;
                match index {
                    0 => Some(self.weight.flat_mut()),
                    1 => Some(self.bias.flat_mut()),
                    _ => None,
                }
            }

            fn tensor_info(index: usize) -> Option<$crate::TensorInfo> {
                match index {
                    0 => Some($crate::TensorInfo::new("weight", const { &$weight })),
                    1 => Some($crate::TensorInfo::new("bias", const { &$bias })),
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use weight_and_bias;

/// The number of scalars of a tensor of this shape.
pub const fn product(shape: &[usize]) -> usize {
    let (mut product, mut i) = (1, 0);
    while i < shape.len() {
        product *= shape[i];
        i += 1;
    }
    product
}

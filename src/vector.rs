//! Fixed-size arrays as the values that flow between layers.

use crate::Scalar;

/// A fixed-size array of scalars: the input, output and gradient of a layer.
///
/// Implemented for `[T; N]` only (the trait is sealed), so generic code can
/// rely on two values of the same `Vector` type having the same length.
pub trait Vector<T: Scalar>: Copy + core::fmt::Debug + PartialEq + sealed::Sealed {
    /// Number of scalars.
    const LEN: usize;

    /// All zeros.
    fn zeros() -> Self;
    /// The scalars, in order.
    fn as_slice(&self) -> &[T];
    /// The scalars, in order, mutably.
    fn as_mut_slice(&mut self) -> &mut [T];
}

impl<T: Scalar, const N: usize> Vector<T> for [T; N] {
    const LEN: usize = N;

    fn zeros() -> Self {
        [T::ZERO; N]
    }
    fn as_slice(&self) -> &[T] {
        self
    }
    fn as_mut_slice(&mut self) -> &mut [T] {
        self
    }
}

mod sealed {
    pub trait Sealed {}
    impl<T, const N: usize> Sealed for [T; N] {}
}

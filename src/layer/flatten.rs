//! Flatten: any value as a vector, in row-major order (PyTorch's
//! `nn.Flatten` on one sample), so that dense layers can follow
//! convolutions.

use core::marker::PhantomData;

use super::pool::{no_params, parameterless};
use crate::source::ToRust;
use crate::{Layer, Scalar, Vector};

/// Turns a value of type `S` (`[[T; L]; C]` or `[[[T; W]; H]; C]`) into
/// `[T; N]`, its scalars in row-major order; `N` must be their number,
/// which is checked at compile time.
///
/// ```
/// use constnet::layer::Flatten;
/// use constnet::prelude::*;
///
/// let flatten = Flatten::<[[[f64; 2]; 1]; 2], 4>::new();
/// assert_eq!(flatten.forward(&[[[1.0, 2.0]], [[3.0, 4.0]]]), [1.0, 2.0, 3.0, 4.0]);
/// ```
pub struct Flatten<S, const N: usize>(PhantomData<fn() -> S>);

impl<S, const N: usize> Clone for Flatten<S, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, const N: usize> Copy for Flatten<S, N> {}

impl<S, const N: usize> PartialEq for Flatten<S, N> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<S, const N: usize> core::fmt::Debug for Flatten<S, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Flatten<{N}>")
    }
}

parameterless!(impl[S, const N: usize] Flatten<S, N> = Self(PhantomData));
no_params!(impl[T: Scalar, S, const N: usize] Flatten<S, N>);

impl<T: Scalar, S: Vector<T>, const N: usize> Layer<T> for Flatten<S, N> {
    type Input = S;
    type Output = [T; N];
    /// Nothing: flattening is a copy.
    type Trace = ();
    /// Nothing: flattening is a copy.
    type BatchTrace<const B: usize> = ();

    fn forward(&self, input: &S) -> [T; N] {
        crate::vector::reshape(input)
    }

    fn forward_trace(&self, input: &S) -> ([T; N], ()) {
        (self.forward(input), ())
    }

    fn backward(&self, _: &(), grad_output: &[T; N], _: &mut Self) -> S {
        crate::vector::reshape(grad_output)
    }

    fn forward_trace_batch<const B: usize>(&self, inputs: &[S; B]) -> ([[T; N]; B], ()) {
        (self.forward_batch(inputs), ())
    }

    fn backward_batch<const B: usize>(
        &self,
        _: &(),
        grad_outputs: &[[T; N]; B],
        _: &mut Self,
    ) -> [S; B] {
        crate::vector::reshape_batch(grad_outputs)
    }
}

/// `::constnet::layer::Flatten::new()`, of type
/// `::constnet::layer::Flatten<[[[f32; W]; H]; C], N>`.
macro_rules! flatten_to_rust {
    (impl[$($generics:tt)*] $input:ty, $($dim:ident),*) => {
        impl<T: Scalar, $($generics)*, const N: usize> ToRust for Flatten<$input, N> {
            fn write_type(out: &mut dyn core::fmt::Write) -> core::fmt::Result {
                write!(out, "::constnet::layer::Flatten<")?;
                crate::source::write_array_type::<T>(out, &[$($dim),*])?;
                write!(out, ", {N}>")
            }

            fn write_value(&self, out: &mut dyn core::fmt::Write, _: usize) -> core::fmt::Result {
                out.write_str("::constnet::layer::Flatten::new()")
            }
        }
    };
}

flatten_to_rust!(impl[const C: usize, const L: usize] [[T; L]; C], C, L);
flatten_to_rust!(impl[const C: usize, const H: usize, const W: usize] [[[T; W]; H]; C], C, H, W);

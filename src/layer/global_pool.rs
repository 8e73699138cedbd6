//! Global average pooling: each channel's mean (PyTorch's
//! `nn.AdaptiveAvgPool2d(1)` followed by a flatten).

use core::marker::PhantomData;

use super::pool::{no_params, parameterless};
use crate::source::ToRust;
use crate::{Layer, Scalar, Vector};

/// The mean of each of `C` channels: from `[S; C]` (with `S` a row
/// `[T; L]` or a plane `[[T; W]; H]`) to `[T; C]`.
///
/// ```
/// use constnet::layer::GlobalAvgPool;
/// use constnet::prelude::*;
///
/// let pool = GlobalAvgPool::<[[f64; 2]; 2], 2>::new();
/// let input = [[[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [0.0, -8.0]]];
/// assert_eq!(pool.forward(&input), [2.5, -2.0]);
/// ```
pub struct GlobalAvgPool<S, const C: usize>(PhantomData<fn() -> S>);

impl<S, const C: usize> Clone for GlobalAvgPool<S, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, const C: usize> Copy for GlobalAvgPool<S, C> {}

impl<S, const C: usize> PartialEq for GlobalAvgPool<S, C> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<S, const C: usize> core::fmt::Debug for GlobalAvgPool<S, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "GlobalAvgPool<{C}>")
    }
}

parameterless!(impl[S, const C: usize] GlobalAvgPool<S, C> = Self(PhantomData));
no_params!(impl[T: Scalar, S, const C: usize] GlobalAvgPool<S, C>);

impl<T: Scalar, S: Vector<T>, const C: usize> Layer<T> for GlobalAvgPool<S, C>
where
    [S; C]: Vector<T>,
{
    type Input = [S; C];
    type Output = [T; C];
    /// Nothing: the gradient of a mean does not depend on the input.
    type Trace = ();
    /// Nothing: the gradient of a mean does not depend on the input.
    type BatchTrace<const B: usize> = ();

    fn forward(&self, input: &[S; C]) -> [T; C] {
        let count = T::from_f64(S::LEN as f64);
        input.each_ref().map(|plane| plane.scalars().iter().copied().sum::<T>() / count)
    }

    fn forward_trace(&self, input: &[S; C]) -> ([T; C], ()) {
        (self.forward(input), ())
    }

    fn backward(&self, _: &(), grad_output: &[T; C], _: &mut Self) -> [S; C] {
        let count = T::from_f64(S::LEN as f64);
        grad_output.map(|g| {
            let mut plane = S::zeros();
            plane.scalars_mut().fill(g / count);
            plane
        })
    }

    fn forward_trace_batch<const B: usize>(&self, inputs: &[[S; C]; B]) -> ([[T; C]; B], ()) {
        (self.forward_batch(inputs), ())
    }

    fn backward_batch<const B: usize>(
        &self,
        _: &(),
        grad_outputs: &[[T; C]; B],
        grads: &mut Self,
    ) -> [[S; C]; B] {
        grad_outputs.each_ref().map(|grad_output| self.backward(&(), grad_output, grads))
    }
}

/// `::constnet::layer::GlobalAvgPool::new()`, of type
/// `::constnet::layer::GlobalAvgPool<[[f32; W]; H], C>`.
macro_rules! global_pool_to_rust {
    (impl[$($generics:tt)*] $plane:ty, $($dim:ident),*) => {
        impl<T: Scalar, $($generics)*, const C: usize> ToRust for GlobalAvgPool<$plane, C> {
            fn write_type(out: &mut dyn core::fmt::Write) -> core::fmt::Result {
                write!(out, "::constnet::layer::GlobalAvgPool<")?;
                crate::source::write_array_type::<T>(out, &[$($dim),*])?;
                write!(out, ", {C}>")
            }

            fn write_value(&self, out: &mut dyn core::fmt::Write, _: usize) -> core::fmt::Result {
                out.write_str("::constnet::layer::GlobalAvgPool::new()")
            }
        }
    };
}

global_pool_to_rust!(impl[const L: usize] [T; L], L);
global_pool_to_rust!(impl[const H: usize, const W: usize] [[T; W]; H], H, W);

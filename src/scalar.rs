//! The floating-point type a network computes in.

use core::fmt::{Debug, Display};
use core::iter::Sum;
use core::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

/// A float a network can compute in: `f32` or `f64`.
///
/// The math comes from [`num_traits::Float`], which uses `std` when the
/// `std` feature is on and `libm` otherwise, so the same code runs on a
/// microcontroller. The trait is sealed: every layer is written and tested
/// for exactly these two types.
pub trait Scalar:
    num_traits::Float
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Default
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + sealed::Sealed
    + crate::kernels::Kernels
{
    /// `0`, usable in `const` contexts (array repeat expressions, `const fn`).
    const ZERO: Self;
    /// `1`, usable in `const` contexts.
    const ONE: Self;

    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(value: f64) -> Self;
}

impl Scalar for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;

    fn from_f64(value: f64) -> Self {
        value as f32
    }
}

impl Scalar for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;

    fn from_f64(value: f64) -> Self {
        value
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

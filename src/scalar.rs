//! The floating-point type a network computes in.

use core::fmt::{self, Debug, Display};
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
    /// The type's name in Rust source: `"f32"` or `"f64"`.
    const NAME: &'static str;

    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(value: f64) -> Self;

    /// Writes the value as a Rust expression that reads back bit for bit:
    /// the shortest round-trip decimal when finite, `from_bits` otherwise
    /// (which keeps a NaN's payload).
    fn write_literal(self, out: &mut dyn fmt::Write) -> fmt::Result;
}

impl Scalar for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const NAME: &'static str = "f32";

    fn from_f64(value: f64) -> Self {
        value as f32
    }

    fn write_literal(self, out: &mut dyn fmt::Write) -> fmt::Result {
        if self.is_finite() {
            write!(out, "{self:?}")
        } else {
            write!(out, "f32::from_bits({:#010x})", self.to_bits())
        }
    }
}

impl Scalar for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const NAME: &'static str = "f64";

    fn from_f64(value: f64) -> Self {
        value
    }

    fn write_literal(self, out: &mut dyn fmt::Write) -> fmt::Result {
        if self.is_finite() {
            write!(out, "{self:?}")
        } else {
            write!(out, "f64::from_bits({:#018x})", self.to_bits())
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

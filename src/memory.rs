//! The memory a network needs, known when the program compiles.
//!
//! Parameters, gradients and the trace of a training step are plain arrays
//! in structs, so their sizes are constants: a firmware can check its budget
//! with a `const` assertion.
//!
//! ```
//! use constnet::prelude::*;
//!
//! network! {
//!     pub struct Sine<f32> { hidden: Dense<1, 16>, Relu, out: Dense<16, 1> }
//! }
//!
//! // 16 weights and 16 biases, then 16 weights and 1 bias, at 4 bytes each.
//! assert_eq!(Sine::<f32>::PARAM_BYTES, (16 + 16 + 16 + 1) * 4);
//! const _: () = assert!(Sine::<f32>::PARAM_BYTES + Sine::<f32>::TRACE_BYTES < 1024);
//! ```

use core::mem::size_of;

use crate::{Layer, Scalar};

/// Bytes of what a network (or any [`Layer`]) holds, as constants.
///
/// Implemented for every layer; bring it into scope (it is in the prelude)
/// and read `Net::<f32>::PARAM_BYTES`.
pub trait Memory<T: Scalar>: Layer<T> {
    /// The parameters: the network itself, with no overhead beyond the
    /// scalars (`PARAMS · size_of::<T>()` for networks of dense layers).
    const PARAM_BYTES: usize;
    /// A gradient, which has the parameters' type.
    const GRAD_BYTES: usize;
    /// What a training forward pass keeps for the backward pass (the
    /// `Trace` type): the activation cache of one training step.
    const TRACE_BYTES: usize;
}

impl<T: Scalar, L: Layer<T>> Memory<T> for L {
    const PARAM_BYTES: usize = size_of::<L>();
    const GRAD_BYTES: usize = size_of::<L>();
    const TRACE_BYTES: usize = size_of::<L::Trace>();
}

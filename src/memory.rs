//! The memory a network needs, known when the program compiles.
//!
//! Parameters, gradients, the trace of a training step and the optimizers'
//! state are plain arrays in structs, so their sizes are constants: a
//! firmware can check its budget with a `const` assertion. For any other
//! optimizer `O`, its state is `size_of::<O>()`.
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
//! // What training on a device with Adam holds: parameters, gradients, the
//! // trace of one sample and Adam's moments.
//! type Net = Sine<f32>;
//! const _: () = assert!(Net::PARAM_BYTES + Net::GRAD_BYTES + Net::TRACE_BYTES + Net::ADAM_BYTES < 1024);
//! ```

use core::mem::size_of;

use crate::optim::{Adam, Momentum};
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
    /// The state of [`Momentum`] (and Nesterov): a velocity of the
    /// parameters' shape and the hyperparameters.
    const MOMENTUM_BYTES: usize;
    /// The state of [`Adam`] (and AdamW): two moments of the parameters'
    /// shape, the hyperparameters and the step count.
    const ADAM_BYTES: usize;
}

impl<T: Scalar, L: Layer<T>> Memory<T> for L {
    const PARAM_BYTES: usize = size_of::<L>();
    const GRAD_BYTES: usize = size_of::<L>();
    const TRACE_BYTES: usize = size_of::<L::Trace>();
    const MOMENTUM_BYTES: usize = size_of::<Momentum<T, L>>();
    const ADAM_BYTES: usize = size_of::<Adam<T, L>>();
}

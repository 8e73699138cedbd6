//! Optimizers: rules that turn gradients into parameter updates.
//!
//! An optimizer's state (momentum, moment estimates) has the shape of the
//! parameters, so it is held in values of the network's own type: plain
//! arrays, no heap, sized at compile time. The state starts at zero and
//! the parameter type is inferred from the first [`step`](Optimizer::step).
//!
//! ```
//! use constnet::prelude::*;
//!
//! network! {
//!     struct Line<f64> { fit: Dense<1, 1> }
//! }
//!
//! let mut line: Line = Line::zeros();
//! let mut adam = Adam::new(0.1);
//! for _ in 0..300 {
//!     let mut grads = LineGrads::zeros();
//!     line.loss_and_grad_batch(&[[0.0], [1.0], [2.0]], &[[1.0], [4.0], [7.0]], &Mse, &mut grads);
//!     adam.step(&mut line, &grads);
//! }
//! assert!((line.forward(&[4.0])[0] - 13.0).abs() < 0.01);
//! ```

mod adam;
mod momentum;
mod sgd;

pub use adam::Adam;
pub use momentum::Momentum;
pub use sgd::Sgd;

use crate::{Params, Scalar};

/// An update rule for parameters of type `P`.
pub trait Optimizer<T: Scalar, P: Params<T>> {
    /// Applies one update to `params`, given the gradient of the objective
    /// with respect to them.
    fn step(&mut self, params: &mut P, grads: &P);
}

//! Optimizers: rules that turn gradients into parameter updates.

use crate::{Params, Scalar};

/// Plain stochastic gradient descent: `θ ← θ − learning_rate · ∇θ`.
///
/// ```
/// use constnet::prelude::*;
///
/// let mut layer = Dense::<f64, 1, 1>::new([[1.0]], [0.0]);
/// let grads = Dense::new([[2.0]], [-4.0]);
/// Sgd::new(0.5).step(&mut layer, &grads);
/// assert_eq!(layer, Dense::new([[0.0]], [2.0]));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd<T> {
    /// Step size.
    pub learning_rate: T,
}

impl<T: Scalar> Sgd<T> {
    /// SGD with the given learning rate.
    pub const fn new(learning_rate: T) -> Self {
        Self { learning_rate }
    }

    /// Applies one update to `params`.
    pub fn step<P: Params<T>>(&self, params: &mut P, grads: &P) {
        let mut index = 0;
        while let (Some(param), Some(grad)) = (params.tensor_mut(index), grads.tensor(index)) {
            for (p, &g) in param.iter_mut().zip(grad) {
                *p -= self.learning_rate * g;
            }
            index += 1;
        }
    }
}

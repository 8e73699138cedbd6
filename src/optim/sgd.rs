use super::Optimizer;
use crate::{Params, Scalar};

/// Plain stochastic gradient descent: `θ ← θ − learning_rate · ∇θ`.
///
/// It keeps no state, so one `Sgd` serves parameters of any type.
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
}

impl<T: Scalar, P: Params<T>> Optimizer<T, P> for Sgd<T> {
    fn step(&mut self, params: &mut P, grads: &P) {
        for index in 0..P::TENSORS {
            let (Some(params), Some(grads)) = (params.tensor_mut(index), grads.tensor(index))
            else {
                break;
            };
            for (p, &g) in params.iter_mut().zip(grads) {
                *p -= self.learning_rate * g;
            }
        }
    }
}

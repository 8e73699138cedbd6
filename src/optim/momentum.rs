use super::Optimizer;
use crate::{Params, Scalar};

/// SGD with momentum, optionally Nesterov's, as PyTorch's `SGD` computes it
/// (no dampening):
///
/// ```text
/// v ← momentum · v + ∇θ
/// θ ← θ − learning_rate · v                       (classical)
/// θ ← θ − learning_rate · (∇θ + momentum · v)     (Nesterov)
/// ```
///
/// The velocity `v` starts at zero and has the parameters' type `P`.
///
/// ```
/// use constnet::prelude::*;
///
/// let mut layer = Dense::<f64, 1, 1>::new([[1.0]], [0.0]);
/// let mut momentum = Momentum::new(0.1, 0.9);
/// momentum.step(&mut layer, &Dense::new([[1.0]], [0.0]));
/// momentum.step(&mut layer, &Dense::new([[1.0]], [0.0]));
/// // The second step is 1.9 times the first: 0.1, then 0.19.
/// assert!((layer.weight[0][0] - 0.71).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Momentum<T, P> {
    /// Step size.
    pub learning_rate: T,
    /// How much of the previous velocity each step keeps, e.g. `0.9`.
    pub momentum: T,
    /// Whether the step looks ahead along the velocity (Nesterov).
    pub nesterov: bool,
    velocity: P,
}

impl<T: Scalar, P: Params<T>> Momentum<T, P> {
    /// Classical momentum.
    pub fn new(learning_rate: T, momentum: T) -> Self {
        Self { learning_rate, momentum, nesterov: false, velocity: P::zeros() }
    }

    /// Nesterov momentum.
    pub fn nesterov(learning_rate: T, momentum: T) -> Self {
        Self { nesterov: true, ..Self::new(learning_rate, momentum) }
    }

    /// The velocity: one value per parameter.
    pub fn velocity(&self) -> &P {
        &self.velocity
    }
}

impl<T: Scalar, P: Params<T>> Optimizer<T, P> for Momentum<T, P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        let Self { learning_rate, momentum, nesterov, .. } = *self;
        for index in 0..P::TENSORS {
            let (Some(params), Some(grads), Some(velocity)) =
                (params.tensor_mut(index), grads.tensor(index), self.velocity.tensor_mut(index))
            else {
                break;
            };
            for ((p, &g), v) in params.iter_mut().zip(grads).zip(velocity) {
                *v = momentum * *v + g;
                let direction = if nesterov { g + momentum * *v } else { *v };
                *p -= learning_rate * direction;
            }
        }
    }
}

use super::Optimizer;
use crate::{Params, Scalar};

/// Adam (Kingma & Ba), and AdamW (Loshchilov & Hutter) when
/// `weight_decay` is not zero, as PyTorch's `Adam` and `AdamW` compute them:
///
/// ```text
/// θ ← θ − learning_rate · weight_decay · θ        (AdamW only: decoupled decay)
/// m ← β₁ · m + (1 − β₁) · ∇θ
/// v ← β₂ · v + (1 − β₂) · ∇θ²
/// θ ← θ − learning_rate · m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
/// ```
///
/// at step `t = 1, 2, …`. The moments start at zero and have the
/// parameters' type `P`.
///
/// ```
/// use constnet::prelude::*;
///
/// let mut layer = Dense::<f64, 1, 1>::new([[1.0]], [0.0]);
/// let mut adam = Adam::new(0.1);
/// adam.step(&mut layer, &Dense::new([[2.0]], [-3.0]));
/// // The first step of Adam moves every parameter by about the learning rate.
/// assert!((layer.weight[0][0] - 0.9).abs() < 1e-6);
/// assert!((layer.bias[0] - 0.1).abs() < 1e-6);
/// ```
#[doc(alias = "AdamW")]
#[derive(Clone, Debug, PartialEq)]
pub struct Adam<T, P> {
    /// Step size.
    pub learning_rate: T,
    /// Decay of the first moment estimate, `β₁`.
    pub beta1: T,
    /// Decay of the second moment estimate, `β₂`.
    pub beta2: T,
    /// Added to `√v̂` so that no step divides by zero, `ε`.
    pub epsilon: T,
    /// Decoupled weight decay: zero for Adam, e.g. `0.01` for AdamW.
    pub weight_decay: T,
    first_moment: P,
    second_moment: P,
    steps: i32,
}

impl<T: Scalar, P: Params<T>> Adam<T, P> {
    /// Adam with PyTorch's defaults: `β₁ = 0.9`, `β₂ = 0.999`, `ε = 1e-8`.
    /// A learning rate of `1e-3` is the usual start.
    pub fn new(learning_rate: T) -> Self {
        Self {
            learning_rate,
            beta1: T::from_f64(0.9),
            beta2: T::from_f64(0.999),
            epsilon: T::from_f64(1e-8),
            weight_decay: T::ZERO,
            first_moment: P::zeros(),
            second_moment: P::zeros(),
            steps: 0,
        }
    }

    /// AdamW: Adam with decoupled weight decay (PyTorch's default is `0.01`).
    pub fn adamw(learning_rate: T, weight_decay: T) -> Self {
        Self { weight_decay, ..Self::new(learning_rate) }
    }

    /// Number of steps taken.
    pub fn steps(&self) -> i32 {
        self.steps
    }
}

impl<T: Scalar, P: Params<T>> Optimizer<T, P> for Adam<T, P> {
    fn step(&mut self, params: &mut P, grads: &P) {
        self.steps = self.steps.saturating_add(1);
        let Self { learning_rate, beta1, beta2, epsilon, weight_decay, steps, .. } = *self;
        let first_correction = T::ONE - beta1.powi(steps);
        let second_correction = T::ONE - beta2.powi(steps);
        let decay = T::ONE - learning_rate * weight_decay;
        for index in 0..P::TENSORS {
            let (Some(params), Some(grads), Some(first), Some(second)) = (
                params.tensor_mut(index),
                grads.tensor(index),
                self.first_moment.tensor_mut(index),
                self.second_moment.tensor_mut(index),
            ) else {
                break;
            };
            let moments = first.iter_mut().zip(second);
            for ((p, &g), (m, v)) in params.iter_mut().zip(grads).zip(moments) {
                *m = beta1 * *m + (T::ONE - beta1) * g;
                *v = beta2 * *v + (T::ONE - beta2) * g * g;
                let (m_hat, v_hat) = (*m / first_correction, *v / second_correction);
                *p = *p * decay - learning_rate * m_hat / (v_hat.sqrt() + epsilon);
            }
        }
    }
}

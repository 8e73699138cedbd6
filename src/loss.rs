//! Losses: a value and its gradient with respect to the prediction.
//!
//! Each loss takes a prediction and a target of the same [`Vector`] type, so
//! their lengths agree by construction.

use core::fmt::Debug;

use crate::layer::{max, sigmoid};
use crate::{Scalar, Vector};

/// A scalar measure of how far a prediction is from its target.
pub trait Loss<T: Scalar>: Copy + Debug {
    /// The loss of one prediction.
    fn value<V: Vector<T>>(&self, prediction: &V, target: &V) -> T;

    /// Its gradient with respect to the prediction.
    fn gradient<V: Vector<T>>(&self, prediction: &V, target: &V) -> V;

    /// Both at once.
    fn value_and_gradient<V: Vector<T>>(&self, prediction: &V, target: &V) -> (T, V) {
        (self.value(prediction, target), self.gradient(prediction, target))
    }
}

fn pairs<'a, T: Scalar, V: Vector<T>>(
    prediction: &'a V,
    target: &'a V,
) -> impl Iterator<Item = (T, T)> + 'a {
    prediction.scalars().iter().copied().zip(target.scalars().iter().copied())
}

/// Writes `f(p, t)` for every pair into a new vector.
fn map_pairs<T: Scalar, V: Vector<T>>(prediction: &V, target: &V, f: impl Fn(T, T) -> T) -> V {
    let mut out = V::zeros();
    for (o, (p, t)) in out.scalars_mut().iter_mut().zip(pairs(prediction, target)) {
        *o = f(p, t);
    }
    out
}

fn len<T: Scalar, V: Vector<T>>() -> T {
    T::from_f64(V::LEN as f64)
}

/// Mean squared error: `Σ (p − t)² / N`, the mean over all elements.
///
/// ```
/// use constnet::prelude::*;
///
/// assert_eq!(Loss::<f64>::value(&Mse, &[1.0, 2.0], &[0.0, 4.0]), 2.5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mse;

impl<T: Scalar> Loss<T> for Mse {
    fn value<V: Vector<T>>(&self, prediction: &V, target: &V) -> T {
        pairs(prediction, target).map(|(p, t)| (p - t) * (p - t)).sum::<T>() / len::<T, V>()
    }

    fn gradient<V: Vector<T>>(&self, prediction: &V, target: &V) -> V {
        let scale = T::from_f64(2.0) / len::<T, V>();
        map_pairs(prediction, target, |p, t| scale * (p - t))
    }
}

/// Binary cross-entropy on probabilities: the mean over all elements of
/// `−[t·ln p + (1 − t)·ln(1 − p)]`.
///
/// Probabilities are first clamped to `[ε, 1 − ε]` with
/// [`EPSILON`](Self::EPSILON) `= 1e-7` (Keras' choice), so the loss is finite
/// for any `p` in `[0, 1]`. Its gradient is that of the clamped expression:
/// zero where the clamp is active: a sigmoid output that rounds to exactly 0
/// or 1 no longer learns, which [`BinaryCrossEntropyWithLogits`] avoids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropy;

impl BinaryCrossEntropy {
    /// How far probabilities are kept from 0 and 1.
    pub const EPSILON: f64 = 1e-7;

    /// Whether `p` is outside `[ε, 1 − ε]`, where the clamp holds it (false for NaN).
    fn clamped<T: Scalar>(p: T) -> bool {
        let eps = T::from_f64(Self::EPSILON);
        p < eps || p > T::ONE - eps
    }

    /// `p` clamped to `[ε, 1 − ε]`; a NaN stays NaN (which `max` and `min`
    /// would turn into a bound).
    fn clamp<T: Scalar>(p: T) -> T {
        let eps = T::from_f64(Self::EPSILON);
        num_traits::Float::clamp(p, eps, T::ONE - eps)
    }
}

impl<T: Scalar> Loss<T> for BinaryCrossEntropy {
    fn value<V: Vector<T>>(&self, prediction: &V, target: &V) -> T {
        let total: T = pairs(prediction, target)
            .map(|(p, t)| {
                let p = Self::clamp(p);
                -(t * p.ln() + (T::ONE - t) * (T::ONE - p).ln())
            })
            .sum();
        total / len::<T, V>()
    }

    fn gradient<V: Vector<T>>(&self, prediction: &V, target: &V) -> V {
        let n = len::<T, V>();
        map_pairs(prediction, target, |p, t| {
            if Self::clamped(p) {
                return T::ZERO;
            }
            ((T::ONE - t) / (T::ONE - p) - t / p) / n
        })
    }
}

/// Sigmoid followed by binary cross-entropy, on logits `z`: the mean over
/// all elements of `max(z, 0) − z·t + ln(1 + e^(−|z|))`, with gradient
/// `(σ(z) − t) / N`.
///
/// Exact for any finite logits, with no clamping: use it after a layer with
/// no activation in place of `Sigmoid` + [`BinaryCrossEntropy`].
///
/// ```
/// use constnet::prelude::*;
///
/// let with_logits = BinaryCrossEntropyWithLogits.value(&[0.5f64], &[1.0]);
/// let on_probabilities = BinaryCrossEntropy.value(&Sigmoid.forward(&[0.5f64]), &[1.0]);
/// assert!((with_logits - on_probabilities).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryCrossEntropyWithLogits;

impl<T: Scalar> Loss<T> for BinaryCrossEntropyWithLogits {
    fn value<V: Vector<T>>(&self, prediction: &V, target: &V) -> T {
        let total: T = pairs(prediction, target)
            .map(|(z, t)| z.max(T::ZERO) - z * t + (-z.abs()).exp().ln_1p())
            .sum();
        total / len::<T, V>()
    }

    fn gradient<V: Vector<T>>(&self, prediction: &V, target: &V) -> V {
        let n = len::<T, V>();
        map_pairs(prediction, target, |z, t| (sigmoid(z) - t) / n)
    }
}

/// Categorical cross-entropy on probabilities: `−Σ t·ln p`.
///
/// Terms whose target is 0 contribute nothing (`0·ln 0 = 0`), and `p` is
/// floored at the smallest positive normal float before the logarithm, so
/// the loss is finite for any probabilities (a NaN stays NaN). Put it after a
/// [`Softmax`](crate::layer::Softmax) layer; on logits,
/// [`SoftmaxCrossEntropy`] does the same in one stable step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrossEntropy;

impl<T: Scalar> Loss<T> for CrossEntropy {
    fn value<V: Vector<T>>(&self, prediction: &V, target: &V) -> T {
        pairs(prediction, target)
            // A NaN prediction counts even where its target is 0, as `0·NaN` does.
            .filter(|&(p, t)| t != T::ZERO || p.is_nan())
            .map(|(p, t)| {
                // Not `max`, which would turn a NaN into the floor.
                let p = if p < T::min_positive_value() { T::min_positive_value() } else { p };
                -t * p.ln()
            })
            .sum()
    }

    fn gradient<V: Vector<T>>(&self, prediction: &V, target: &V) -> V {
        map_pairs(prediction, target, |p, t| {
            let skipped = t == T::ZERO && !p.is_nan();
            if skipped || p < T::min_positive_value() { T::ZERO } else { -t / p }
        })
    }
}

/// Softmax followed by categorical cross-entropy, on logits `z`:
/// `Σ t·(logsumexp(z) − z)`, with gradient `softmax(z)·Σt − t`.
///
/// The log-sum-exp subtracts the largest logit, so any finite logits give a
/// finite loss and gradient. Use it after a layer with no activation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SoftmaxCrossEntropy;

impl SoftmaxCrossEntropy {
    fn log_sum_exp<T: Scalar>(logits: &[T]) -> T {
        let max = max(logits);
        max + logits.iter().map(|&z| (z - max).exp()).sum::<T>().ln()
    }

    fn value_given<T: Scalar, V: Vector<T>>(logits: &V, target: &V, log_sum_exp: T) -> T {
        pairs(logits, target).map(|(z, t)| t * (log_sum_exp - z)).sum()
    }

    fn gradient_given<T: Scalar, V: Vector<T>>(logits: &V, target: &V, log_sum_exp: T) -> V {
        let target_mass: T = target.scalars().iter().copied().sum();
        map_pairs(logits, target, |z, t| (z - log_sum_exp).exp() * target_mass - t)
    }
}

impl<T: Scalar> Loss<T> for SoftmaxCrossEntropy {
    fn value<V: Vector<T>>(&self, prediction: &V, target: &V) -> T {
        Self::value_given(prediction, target, Self::log_sum_exp(prediction.scalars()))
    }

    fn gradient<V: Vector<T>>(&self, prediction: &V, target: &V) -> V {
        Self::gradient_given(prediction, target, Self::log_sum_exp(prediction.scalars()))
    }

    /// Shares the log-sum-exp between the value and the gradient.
    fn value_and_gradient<V: Vector<T>>(&self, prediction: &V, target: &V) -> (T, V) {
        let lse = Self::log_sum_exp(prediction.scalars());
        (Self::value_given(prediction, target, lse), Self::gradient_given(prediction, target, lse))
    }
}

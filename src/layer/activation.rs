//! Element-wise (and softmax) activations, for arrays of any length.

use core::fmt::Debug;

use crate::Scalar;

/// A parameterless function from `[T; N]` to `[T; N]`, for any `N`.
///
/// A training forward pass keeps one array, the input or the output,
/// whichever the backward pass needs (called `kept` below).
pub trait Activation: Copy + Debug {
    /// Inference.
    fn forward<T: Scalar, const N: usize>(&self, input: &[T; N]) -> [T; N];

    /// Training: the output and the array kept for [`backward`](Self::backward).
    fn forward_trace<T: Scalar, const N: usize>(&self, input: &[T; N]) -> ([T; N], [T; N]);

    /// The gradient with respect to the input, given the one with respect to
    /// the output (a vector-Jacobian product).
    fn backward<T: Scalar, const N: usize>(&self, kept: &[T; N], grad_output: &[T; N]) -> [T; N];

    /// [`forward`](Self::forward) on each sample of a batch.
    fn forward_batch<T: Scalar, const N: usize, const B: usize>(
        &self,
        inputs: &[[T; N]; B],
    ) -> [[T; N]; B] {
        inputs.each_ref().map(|input| self.forward(input))
    }

    /// [`forward_trace`](Self::forward_trace) on each sample of a batch.
    fn forward_trace_batch<T: Scalar, const N: usize, const B: usize>(
        &self,
        inputs: &[[T; N]; B],
    ) -> ([[T; N]; B], [[T; N]; B]) {
        let mut outputs = [[T::ZERO; N]; B];
        let mut kept = [[T::ZERO; N]; B];
        for ((input, output), kept) in inputs.iter().zip(&mut outputs).zip(&mut kept) {
            (*output, *kept) = self.forward_trace(input);
        }
        (outputs, kept)
    }

    /// [`backward`](Self::backward) on each sample of a batch.
    fn backward_batch<T: Scalar, const N: usize, const B: usize>(
        &self,
        kept: &[[T; N]; B],
        grad_outputs: &[[T; N]; B],
    ) -> [[T; N]; B] {
        core::array::from_fn(|b| self.backward(&kept[b], &grad_outputs[b]))
    }

    /// Distance of the kept values from the nearest non-differentiable point
    /// (see [`Layer::kink_distance`](super::Layer::kink_distance)).
    fn kink_distance<T: Scalar, const N: usize>(&self, kept: &[T; N]) -> T {
        let _ = kept;
        T::infinity()
    }
}

/// Keeps its output (Identity, Sigmoid, Tanh, Softmax) for backward.
fn keep_output<T: Scalar, const N: usize>(output: [T; N]) -> ([T; N], [T; N]) {
    (output, output)
}

fn distance_from_zero<T: Scalar, const N: usize>(values: &[T; N]) -> T {
    values.iter().fold(T::infinity(), |nearest, x| nearest.min(x.abs()))
}

/// `y = x`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Identity;

impl Activation for Identity {
    fn forward<T: Scalar, const N: usize>(&self, input: &[T; N]) -> [T; N] {
        *input
    }
    fn forward_trace<T: Scalar, const N: usize>(&self, input: &[T; N]) -> ([T; N], [T; N]) {
        keep_output(*input)
    }
    fn backward<T: Scalar, const N: usize>(&self, _: &[T; N], grad_output: &[T; N]) -> [T; N] {
        *grad_output
    }
}

/// `y = 1 / (1 + e^(-x))`, computed so that no `exp` overflows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sigmoid;

/// The logistic function, without overflow: `e^(-|x|)` is at most 1, so
/// both branches stay finite for any `x`.
pub(crate) fn sigmoid<T: Scalar>(x: T) -> T {
    if x >= T::ZERO {
        T::ONE / (T::ONE + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::ONE + e)
    }
}

/// The largest value, `-∞` for none: what softmax and log-sum-exp subtract.
pub(crate) fn max<T: Scalar>(values: &[T]) -> T {
    values.iter().fold(T::neg_infinity(), |m, &x| m.max(x))
}

impl Activation for Sigmoid {
    fn forward<T: Scalar, const N: usize>(&self, input: &[T; N]) -> [T; N] {
        input.map(sigmoid)
    }
    fn forward_trace<T: Scalar, const N: usize>(&self, input: &[T; N]) -> ([T; N], [T; N]) {
        keep_output(self.forward(input))
    }
    fn backward<T: Scalar, const N: usize>(&self, output: &[T; N], grad_output: &[T; N]) -> [T; N] {
        core::array::from_fn(|i| grad_output[i] * output[i] * (T::ONE - output[i]))
    }
}

/// `y = tanh(x)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tanh;

impl Activation for Tanh {
    fn forward<T: Scalar, const N: usize>(&self, input: &[T; N]) -> [T; N] {
        input.map(T::tanh)
    }
    fn forward_trace<T: Scalar, const N: usize>(&self, input: &[T; N]) -> ([T; N], [T; N]) {
        keep_output(self.forward(input))
    }
    fn backward<T: Scalar, const N: usize>(&self, output: &[T; N], grad_output: &[T; N]) -> [T; N] {
        core::array::from_fn(|i| grad_output[i] * (T::ONE - output[i] * output[i]))
    }
}

/// `y = max(x, 0)`. Keeps its input; the derivative at 0 is taken as 0.
/// A NaN stays NaN (as in PyTorch), and so does its gradient.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu;

impl Activation for Relu {
    fn forward<T: Scalar, const N: usize>(&self, input: &[T; N]) -> [T; N] {
        // `x <= 0` is false for NaN, which passes through.
        input.map(|x| if x <= T::ZERO { T::ZERO } else { x })
    }
    fn forward_trace<T: Scalar, const N: usize>(&self, input: &[T; N]) -> ([T; N], [T; N]) {
        (self.forward(input), *input)
    }
    fn backward<T: Scalar, const N: usize>(&self, input: &[T; N], grad_output: &[T; N]) -> [T; N] {
        core::array::from_fn(|i| if input[i] <= T::ZERO { T::ZERO } else { grad_output[i] })
    }
    fn kink_distance<T: Scalar, const N: usize>(&self, input: &[T; N]) -> T {
        distance_from_zero(input)
    }
}

/// `y = x` for `x > 0`, `slope · x` otherwise. Keeps its input.
///
/// ```
/// use constnet::prelude::*;
///
/// assert_eq!(LeakyRelu::new(0.5).forward(&[2.0, -2.0]), [2.0, -1.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeakyRelu {
    /// The slope for negative inputs, e.g. `0.01`.
    pub slope: f64,
}

impl LeakyRelu {
    /// The customary slope, 0.01: what `LeakyRelu` written bare means.
    pub const DEFAULT: Self = Self::new(0.01);

    /// A leaky ReLU with the given negative slope.
    pub const fn new(slope: f64) -> Self {
        Self { slope }
    }
}

impl Default for LeakyRelu {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Activation for LeakyRelu {
    fn forward<T: Scalar, const N: usize>(&self, input: &[T; N]) -> [T; N] {
        let slope = T::from_f64(self.slope);
        input.map(|x| if x > T::ZERO { x } else { slope * x })
    }
    fn forward_trace<T: Scalar, const N: usize>(&self, input: &[T; N]) -> ([T; N], [T; N]) {
        (self.forward(input), *input)
    }
    fn backward<T: Scalar, const N: usize>(&self, input: &[T; N], grad_output: &[T; N]) -> [T; N] {
        let slope = T::from_f64(self.slope);
        core::array::from_fn(|i| {
            if input[i] > T::ZERO { grad_output[i] } else { slope * grad_output[i] }
        })
    }
    fn kink_distance<T: Scalar, const N: usize>(&self, input: &[T; N]) -> T {
        distance_from_zero(input)
    }
}

/// `y_i = e^(x_i) / Σ_j e^(x_j)`, computed after subtracting the largest
/// input so that no `exp` overflows. Its backward pass is the full
/// Jacobian-vector product, so any loss may follow it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softmax;

impl Activation for Softmax {
    fn forward<T: Scalar, const N: usize>(&self, input: &[T; N]) -> [T; N] {
        let max = max(input);
        let exps = input.map(|x| (x - max).exp());
        let sum: T = exps.iter().copied().sum();
        exps.map(|e| e / sum)
    }
    fn forward_trace<T: Scalar, const N: usize>(&self, input: &[T; N]) -> ([T; N], [T; N]) {
        keep_output(self.forward(input))
    }
    fn backward<T: Scalar, const N: usize>(&self, output: &[T; N], grad_output: &[T; N]) -> [T; N] {
        // J = diag(y) - y yᵀ, so Jᵀg = y ⊙ (g - ⟨g, y⟩).
        let dot: T = output.iter().zip(grad_output).map(|(&y, &g)| y * g).sum();
        core::array::from_fn(|i| output[i] * (grad_output[i] - dot))
    }
}

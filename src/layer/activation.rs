//! Element-wise (and softmax) activations, for values of any shape.

use core::fmt::Debug;

use crate::{Scalar, Vector};

/// A parameterless function from a value to a value of the same shape
/// (`[T; N]`, `[[T; L]; C]` or `[[[T; W]; H]; C]`): element-wise, except
/// [`Softmax`], which normalizes over all the values it is given.
///
/// A training forward pass keeps one value, the input or the output,
/// whichever the backward pass needs (called `kept` below).
pub trait Activation: Copy + Debug {
    /// Inference.
    fn forward<T: Scalar, V: Vector<T>>(&self, input: &V) -> V;

    /// Training: the output and the array kept for [`backward`](Self::backward).
    fn forward_trace<T: Scalar, V: Vector<T>>(&self, input: &V) -> (V, V);

    /// The gradient with respect to the input, given the one with respect to
    /// the output (a vector-Jacobian product).
    fn backward<T: Scalar, V: Vector<T>>(&self, kept: &V, grad_output: &V) -> V;

    /// [`forward`](Self::forward) on each sample of a batch.
    fn forward_batch<T: Scalar, V: Vector<T>, const B: usize>(&self, inputs: &[V; B]) -> [V; B] {
        inputs.each_ref().map(|input| self.forward(input))
    }

    /// [`forward_trace`](Self::forward_trace) on each sample of a batch.
    fn forward_trace_batch<T: Scalar, V: Vector<T>, const B: usize>(
        &self,
        inputs: &[V; B],
    ) -> ([V; B], [V; B]) {
        let mut outputs = [V::zeros(); B];
        let mut kept = [V::zeros(); B];
        for ((input, output), kept) in inputs.iter().zip(&mut outputs).zip(&mut kept) {
            (*output, *kept) = self.forward_trace(input);
        }
        (outputs, kept)
    }

    /// [`backward`](Self::backward) on each sample of a batch.
    fn backward_batch<T: Scalar, V: Vector<T>, const B: usize>(
        &self,
        kept: &[V; B],
        grad_outputs: &[V; B],
    ) -> [V; B] {
        core::array::from_fn(|b| self.backward(&kept[b], &grad_outputs[b]))
    }

    /// Distance of the kept values from the nearest non-differentiable point
    /// (see [`Layer::kink_distance`](super::Layer::kink_distance)).
    fn kink_distance<T: Scalar, V: Vector<T>>(&self, kept: &V) -> T {
        let _ = kept;
        T::infinity()
    }
}

/// Keeps its output (Identity, Sigmoid, Tanh, Softmax) for backward.
fn keep_output<V: Copy>(output: V) -> (V, V) {
    (output, output)
}

/// `f` applied to every scalar.
fn map<T: Scalar, V: Vector<T>>(input: &V, f: impl Fn(T) -> T) -> V {
    let mut output = *input;
    output.scalars_mut().iter_mut().for_each(|x| *x = f(*x));
    output
}

/// `f(kept, grad)` for every pair of scalars: an element-wise backward pass.
fn map_pairs<T: Scalar, V: Vector<T>>(kept: &V, grad_output: &V, f: impl Fn(T, T) -> T) -> V {
    let mut grad_input = *grad_output;
    for (g, &k) in grad_input.scalars_mut().iter_mut().zip(kept.scalars()) {
        *g = f(k, *g);
    }
    grad_input
}

fn distance_from_zero<T: Scalar, V: Vector<T>>(values: &V) -> T {
    values.scalars().iter().fold(T::infinity(), |nearest, x| nearest.min(x.abs()))
}

/// `y = x`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Identity;

impl Activation for Identity {
    fn forward<T: Scalar, V: Vector<T>>(&self, input: &V) -> V {
        *input
    }
    fn forward_trace<T: Scalar, V: Vector<T>>(&self, input: &V) -> (V, V) {
        keep_output(*input)
    }
    fn backward<T: Scalar, V: Vector<T>>(&self, _: &V, grad_output: &V) -> V {
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
    fn forward<T: Scalar, V: Vector<T>>(&self, input: &V) -> V {
        map(input, sigmoid)
    }
    fn forward_trace<T: Scalar, V: Vector<T>>(&self, input: &V) -> (V, V) {
        keep_output(self.forward(input))
    }
    fn backward<T: Scalar, V: Vector<T>>(&self, output: &V, grad_output: &V) -> V {
        map_pairs(output, grad_output, |y, g| g * y * (T::ONE - y))
    }
}

/// `y = tanh(x)`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tanh;

impl Activation for Tanh {
    fn forward<T: Scalar, V: Vector<T>>(&self, input: &V) -> V {
        map(input, T::tanh)
    }
    fn forward_trace<T: Scalar, V: Vector<T>>(&self, input: &V) -> (V, V) {
        keep_output(self.forward(input))
    }
    fn backward<T: Scalar, V: Vector<T>>(&self, output: &V, grad_output: &V) -> V {
        map_pairs(output, grad_output, |y, g| g * (T::ONE - y * y))
    }
}

/// `y = max(x, 0)`. Keeps its input; the derivative at 0 is taken as 0.
/// A NaN stays NaN (as in PyTorch), and so does its gradient.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu;

impl Activation for Relu {
    fn forward<T: Scalar, V: Vector<T>>(&self, input: &V) -> V {
        // `x <= 0` is false for NaN, which passes through.
        map(input, |x| if x <= T::ZERO { T::ZERO } else { x })
    }
    fn forward_trace<T: Scalar, V: Vector<T>>(&self, input: &V) -> (V, V) {
        (self.forward(input), *input)
    }
    fn backward<T: Scalar, V: Vector<T>>(&self, input: &V, grad_output: &V) -> V {
        map_pairs(input, grad_output, |x, g| if x <= T::ZERO { T::ZERO } else { g })
    }
    fn kink_distance<T: Scalar, V: Vector<T>>(&self, input: &V) -> T {
        distance_from_zero(input)
    }
}

/// `y = min(max(x, 0), 6)`, MobileNet's ReLU6, which int8 models fuse as a
/// clamp. Keeps its input; the derivative at 0 and at 6 is taken as 0. A
/// NaN stays NaN, and so does its gradient.
///
/// ```
/// use constnet::prelude::*;
///
/// assert_eq!(Relu6.forward(&[-1.0, 2.5, 7.0]), [0.0, 2.5, 6.0]);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Relu6;

impl Relu6 {
    fn top<T: Scalar>() -> T {
        T::from_f64(6.0)
    }
}

impl Activation for Relu6 {
    fn forward<T: Scalar, V: Vector<T>>(&self, input: &V) -> V {
        // Both comparisons are false for NaN, which passes through.
        map(input, |x| {
            if x <= T::ZERO {
                T::ZERO
            } else if x >= Self::top() {
                Self::top()
            } else {
                x
            }
        })
    }
    fn forward_trace<T: Scalar, V: Vector<T>>(&self, input: &V) -> (V, V) {
        (self.forward(input), *input)
    }
    fn backward<T: Scalar, V: Vector<T>>(&self, input: &V, grad_output: &V) -> V {
        map_pairs(
            input,
            grad_output,
            |x, g| {
                if x <= T::ZERO || x >= Self::top() { T::ZERO } else { g }
            },
        )
    }
    fn kink_distance<T: Scalar, V: Vector<T>>(&self, input: &V) -> T {
        let top = map(input, |x| x - Self::top());
        distance_from_zero(input).min(distance_from_zero(&top))
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
    fn forward<T: Scalar, V: Vector<T>>(&self, input: &V) -> V {
        let slope = T::from_f64(self.slope);
        map(input, |x| if x > T::ZERO { x } else { slope * x })
    }
    fn forward_trace<T: Scalar, V: Vector<T>>(&self, input: &V) -> (V, V) {
        (self.forward(input), *input)
    }
    fn backward<T: Scalar, V: Vector<T>>(&self, input: &V, grad_output: &V) -> V {
        let slope = T::from_f64(self.slope);
        map_pairs(input, grad_output, |x, g| if x > T::ZERO { g } else { slope * g })
    }
    fn kink_distance<T: Scalar, V: Vector<T>>(&self, input: &V) -> T {
        distance_from_zero(input)
    }
}

/// `y_i = e^(x_i) / Σ_j e^(x_j)`, computed after subtracting the largest
/// input so that no `exp` overflows. Its backward pass is the full
/// Jacobian-vector product, so any loss may follow it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Softmax;

impl Activation for Softmax {
    fn forward<T: Scalar, V: Vector<T>>(&self, input: &V) -> V {
        let max = max(input.scalars());
        let exps = map(input, |x| (x - max).exp());
        let sum: T = exps.scalars().iter().copied().sum();
        map(&exps, |e| e / sum)
    }
    fn forward_trace<T: Scalar, V: Vector<T>>(&self, input: &V) -> (V, V) {
        keep_output(self.forward(input))
    }
    fn backward<T: Scalar, V: Vector<T>>(&self, output: &V, grad_output: &V) -> V {
        // J = diag(y) - y yᵀ, so Jᵀg = y ⊙ (g - ⟨g, y⟩).
        let dot: T = output.scalars().iter().zip(grad_output.scalars()).map(|(&y, &g)| y * g).sum();
        map_pairs(output, grad_output, |y, g| y * (g - dot))
    }
}

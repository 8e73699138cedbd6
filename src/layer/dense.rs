//! Fully connected layer: `y = x·W + b`.

use core::array::from_ref;

use rand::Rng;

use super::Layer;
use super::tensor::weight_and_bias;
use crate::{Init, Scalar};

/// A fully connected layer from `IN` to `OUT` values: `y = x·W + b`.
///
/// `weight[i]` holds the weights leaving input `i` (the `x·W` convention of
/// NumPy lessons; PyTorch's `nn.Linear` stores the transpose).
///
/// ```
/// use constnet::prelude::*;
///
/// let layer = Dense::<f64, 2, 1>::new([[2.0], [3.0]], [1.0]);
/// assert_eq!(layer.forward(&[10.0, 100.0]), [321.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dense<T, const IN: usize, const OUT: usize> {
    /// `IN` rows of `OUT` weights.
    pub weight: [[T; OUT]; IN],
    /// One bias per output.
    pub bias: [T; OUT],
}

impl<T: Scalar, const IN: usize, const OUT: usize> Dense<T, IN, OUT> {
    /// A layer with the given weights and biases.
    pub const fn new(weight: [[T; OUT]; IN], bias: [T; OUT]) -> Self {
        Self { weight, bias }
    }

    /// All weights and biases zero.
    pub const fn zeros() -> Self {
        Self { weight: [[T::ZERO; OUT]; IN], bias: [T::ZERO; OUT] }
    }

    /// Weights drawn by `init` (fan-in `IN`, fan-out `OUT`), biases zero.
    pub fn random<R: Rng + ?Sized>(rng: &mut R, init: Init) -> Self {
        let mut layer = Self::zeros();
        init.fill(layer.weight.as_flattened_mut(), IN, OUT, rng);
        layer
    }
}

impl<T: Scalar, const IN: usize, const OUT: usize> Default for Dense<T, IN, OUT> {
    fn default() -> Self {
        Self::zeros()
    }
}

weight_and_bias!(impl[const IN: usize, const OUT: usize] Dense<T, IN, OUT> {
    weight: [IN, OUT],
    bias: [OUT],
});

impl<T: Scalar, const IN: usize, const OUT: usize> Layer<T> for Dense<T, IN, OUT> {
    type Input = [T; IN];
    type Output = [T; OUT];
    /// The input, from which the weight gradient is formed.
    type Trace = [T; IN];
    /// The inputs, from which the weight gradient is formed.
    type BatchTrace<const B: usize> = [[T; IN]; B];

    fn forward(&self, input: &[T; IN]) -> [T; OUT] {
        T::dense_forward(input, &self.weight, &self.bias)
    }

    fn forward_trace(&self, input: &[T; IN]) -> ([T; OUT], [T; IN]) {
        (self.forward(input), *input)
    }

    fn backward(&self, input: &[T; IN], grad_output: &[T; OUT], grads: &mut Self) -> [T; IN] {
        self.param_grads(input, grad_output, grads);
        let [grad_input] = T::dense_input_grad_batch(from_ref(grad_output), &self.weight);
        grad_input
    }

    fn param_grads(&self, input: &[T; IN], grad_output: &[T; OUT], grads: &mut Self) {
        let (input, grad_output) = (from_ref(input), from_ref(grad_output));
        T::dense_param_grads_batch(input, grad_output, &mut grads.weight, &mut grads.bias);
    }

    fn forward_batch<const B: usize>(&self, inputs: &[[T; IN]; B]) -> [[T; OUT]; B] {
        T::dense_forward_batch(inputs, &self.weight, &self.bias)
    }

    fn forward_trace_batch<const B: usize>(
        &self,
        inputs: &[[T; IN]; B],
    ) -> ([[T; OUT]; B], [[T; IN]; B]) {
        (self.forward_batch(inputs), *inputs)
    }

    fn backward_batch<const B: usize>(
        &self,
        inputs: &[[T; IN]; B],
        grad_outputs: &[[T; OUT]; B],
        grads: &mut Self,
    ) -> [[T; IN]; B] {
        self.param_grads_batch(inputs, grad_outputs, grads);
        T::dense_input_grad_batch(grad_outputs, &self.weight)
    }

    fn param_grads_batch<const B: usize>(
        &self,
        inputs: &[[T; IN]; B],
        grad_outputs: &[[T; OUT]; B],
        grads: &mut Self,
    ) {
        T::dense_param_grads_batch(inputs, grad_outputs, &mut grads.weight, &mut grads.bias);
    }
}

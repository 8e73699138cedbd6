//! Layers: the building blocks a network is made of.
//!
//! A layer implements [`Layer`] (and [`Params`]); every network generated
//! by [`network!`](crate::network) implements them too, so a network can be
//! a layer of another, and so can a layer of your own. Parameterless
//! element-wise functions implement [`Activation`] and work on values of any
//! shape.
//!
//! Layers with a sliding window (convolutions, pooling) carry their whole
//! geometry as const parameters, the output size included: stable Rust
//! cannot compute `(H + 2P − K)/S + 1` in a type, so
//! [`network!`](crate::network) computes it and each layer checks it again
//! at compile time ([`Axis::is_consistent`]).

mod activation;
mod conv1d;
mod conv2d;
pub(crate) mod convolution;
mod dense;
mod depthwise;
mod flatten;
mod global_pool;
pub(crate) mod pool;
pub(crate) mod tensor;
mod window;

pub use activation::{Activation, Identity, LeakyRelu, Relu, Relu6, Sigmoid, Softmax, Tanh};
pub(crate) use activation::{max, sigmoid};
pub use conv1d::Conv1d;
pub use conv2d::Conv2d;
pub use dense::Dense;
pub use depthwise::DepthwiseConv2d;
pub use flatten::Flatten;
pub use global_pool::GlobalAvgPool;
pub use pool::{AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d};
pub use window::Axis;

use crate::{Params, Scalar, Vector};

/// A differentiable map from `Input` to `Output` with trainable parameters.
///
/// The gradient with respect to the parameters has the parameters' shape, so
/// it is a value of the layer's own type: `backward` adds into a `&mut Self`.
pub trait Layer<T: Scalar>: Params<T> {
    /// What goes in: `[T; INPUT]`.
    type Input: Vector<T>;
    /// What comes out: `[T; OUTPUT]`.
    type Output: Vector<T>;
    /// What a training forward pass keeps for the backward pass.
    type Trace: Clone + core::fmt::Debug;
    /// What a training forward pass over a batch of `B` samples keeps.
    type BatchTrace<const B: usize>: Clone + core::fmt::Debug;

    /// Number of input scalars.
    const INPUT: usize = <Self::Input as Vector<T>>::LEN;
    /// Number of output scalars.
    const OUTPUT: usize = <Self::Output as Vector<T>>::LEN;

    /// Inference: the output, keeping nothing.
    fn forward(&self, input: &Self::Input) -> Self::Output;

    /// Training: the output and what [`backward`](Layer::backward) needs.
    fn forward_trace(&self, input: &Self::Input) -> (Self::Output, Self::Trace);

    /// Given the gradient of a scalar objective with respect to the output,
    /// adds its gradient with respect to the parameters into `grads` and
    /// returns its gradient with respect to the input.
    fn backward(
        &self,
        trace: &Self::Trace,
        grad_output: &Self::Output,
        grads: &mut Self,
    ) -> Self::Input;

    /// Inference on a batch: one output per input.
    fn forward_batch<const B: usize>(&self, inputs: &[Self::Input; B]) -> [Self::Output; B] {
        core::array::from_fn(|b| self.forward(&inputs[b]))
    }

    /// Training on a batch: the outputs and what
    /// [`backward_batch`](Layer::backward_batch) needs.
    fn forward_trace_batch<const B: usize>(
        &self,
        inputs: &[Self::Input; B],
    ) -> ([Self::Output; B], Self::BatchTrace<B>);

    /// [`backward`](Layer::backward) for a batch: adds the gradient of the
    /// objective (a sum over the samples: any `1/B` is already in
    /// `grad_outputs`) into `grads` and returns one input gradient per sample.
    fn backward_batch<const B: usize>(
        &self,
        trace: &Self::BatchTrace<B>,
        grad_outputs: &[Self::Output; B],
        grads: &mut Self,
    ) -> [Self::Input; B];

    /// [`backward`](Layer::backward) when nothing reads the input gradient,
    /// as for the first layer of a network being trained: only adds the
    /// parameter gradients into `grads`, which spares a dense layer a third
    /// of its work.
    fn param_grads(&self, trace: &Self::Trace, grad_output: &Self::Output, grads: &mut Self) {
        self.backward(trace, grad_output, grads);
    }

    /// [`param_grads`](Layer::param_grads) for a batch.
    fn param_grads_batch<const B: usize>(
        &self,
        trace: &Self::BatchTrace<B>,
        grad_outputs: &[Self::Output; B],
        grads: &mut Self,
    ) {
        self.backward_batch(trace, grad_outputs, grads);
    }

    /// How far the values in `trace` are from the nearest point where the
    /// layer is not differentiable (ReLU at 0); infinite for smooth layers.
    ///
    /// Finite differences across such a point measure a slope that is not the
    /// derivative, so [`gradcheck`](crate::gradcheck) refuses points closer
    /// than its margin instead of loosening its tolerance.
    fn kink_distance(&self, trace: &Self::Trace) -> T {
        let _ = trace;
        T::infinity()
    }
}

/// The trace type of layer `L`, as the generated trace structs spell it.
pub type Trace<L, T> = <L as Layer<T>>::Trace;

/// The batch trace type of layer `L`, as the generated trace structs spell it.
pub type BatchTrace<L, T, const B: usize> = <L as Layer<T>>::BatchTrace<B>;

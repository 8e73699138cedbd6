//! A layer of one's own in `network!`: any type implementing `Layer` (with
//! `zeros` and `random`), written by name with its const arguments after
//! the scalar. The compiler checks its shapes against its neighbours', and
//! the gradient checker and the optimizers work on it as on any layer.

use constnet::TensorInfo;
use constnet::gradcheck::GradCheck;
use constnet::prelude::*;
use rand::rngs::SmallRng;

/// Multiplies each value by a learned factor of its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale<T, const N: usize> {
    pub factor: [T; N],
}

impl<T: Scalar, const N: usize> Scale<T, N> {
    pub const fn zeros() -> Self {
        Self { factor: [T::ZERO; N] }
    }

    /// Starts as the identity.
    pub fn random<R: Rng + ?Sized>(_: &mut R) -> Self {
        Self { factor: [T::ONE; N] }
    }
}

impl<T: Scalar, const N: usize> Params<T> for Scale<T, N> {
    const TENSORS: usize = 1;
    const PARAMS: usize = N;

    fn zeros() -> Self {
        Self::zeros()
    }
    fn tensor(&self, index: usize) -> Option<&[T]> {
        (index == 0).then_some(&self.factor[..])
    }
    fn tensor_mut(&mut self, index: usize) -> Option<&mut [T]> {
        (index == 0).then_some(&mut self.factor[..])
    }
    fn tensor_info(index: usize) -> Option<TensorInfo> {
        (index == 0).then(|| TensorInfo::new("factor", const { &[N] }))
    }
}

impl<T: Scalar, const N: usize> Layer<T> for Scale<T, N> {
    type Input = [T; N];
    type Output = [T; N];
    type Trace = [T; N];
    type BatchTrace<const B: usize> = [[T; N]; B];

    fn forward(&self, input: &[T; N]) -> [T; N] {
        core::array::from_fn(|i| input[i] * self.factor[i])
    }

    fn forward_trace(&self, input: &[T; N]) -> ([T; N], [T; N]) {
        (self.forward(input), *input)
    }

    fn backward(&self, input: &[T; N], grad_output: &[T; N], grads: &mut Self) -> [T; N] {
        for i in 0..N {
            grads.factor[i] += grad_output[i] * input[i];
        }
        core::array::from_fn(|i| grad_output[i] * self.factor[i])
    }

    fn forward_trace_batch<const B: usize>(
        &self,
        inputs: &[[T; N]; B],
    ) -> ([[T; N]; B], [[T; N]; B]) {
        (self.forward_batch(inputs), *inputs)
    }

    fn backward_batch<const B: usize>(
        &self,
        inputs: &[[T; N]; B],
        grad_outputs: &[[T; N]; B],
        grads: &mut Self,
    ) -> [[T; N]; B] {
        core::array::from_fn(|b| self.backward(&inputs[b], &grad_outputs[b], grads))
    }
}

/// A layer of one's own on channels × length: the same factor for a whole
/// channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelScale<T, const C: usize, const L: usize> {
    pub factor: [T; C],
}

impl<T: Scalar, const C: usize, const L: usize> ChannelScale<T, C, L> {
    pub const fn zeros() -> Self {
        Self { factor: [T::ZERO; C] }
    }

    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self { factor: core::array::from_fn(|_| T::from_f64(rng.random_range(0.5..1.5))) }
    }
}

impl<T: Scalar, const C: usize, const L: usize> Params<T> for ChannelScale<T, C, L> {
    const TENSORS: usize = 1;
    const PARAMS: usize = C;

    fn zeros() -> Self {
        Self::zeros()
    }
    fn tensor(&self, index: usize) -> Option<&[T]> {
        (index == 0).then_some(&self.factor[..])
    }
    fn tensor_mut(&mut self, index: usize) -> Option<&mut [T]> {
        (index == 0).then_some(&mut self.factor[..])
    }
    fn tensor_info(index: usize) -> Option<TensorInfo> {
        (index == 0).then(|| TensorInfo::new("factor", const { &[C] }))
    }
}

impl<T: Scalar, const C: usize, const L: usize> Layer<T> for ChannelScale<T, C, L> {
    type Input = [[T; L]; C];
    type Output = [[T; L]; C];
    type Trace = [[T; L]; C];
    type BatchTrace<const B: usize> = [[[T; L]; C]; B];

    fn forward(&self, input: &[[T; L]; C]) -> [[T; L]; C] {
        core::array::from_fn(|c| input[c].map(|x| x * self.factor[c]))
    }

    fn forward_trace(&self, input: &[[T; L]; C]) -> ([[T; L]; C], [[T; L]; C]) {
        (self.forward(input), *input)
    }

    fn backward(&self, input: &[[T; L]; C], grad: &[[T; L]; C], grads: &mut Self) -> [[T; L]; C] {
        for c in 0..C {
            grads.factor[c] += (0..L).map(|l| grad[c][l] * input[c][l]).sum::<T>();
        }
        core::array::from_fn(|c| grad[c].map(|g| g * self.factor[c]))
    }

    fn forward_trace_batch<const B: usize>(
        &self,
        inputs: &[[[T; L]; C]; B],
    ) -> ([[[T; L]; C]; B], [[[T; L]; C]; B]) {
        (self.forward_batch(inputs), *inputs)
    }

    fn backward_batch<const B: usize>(
        &self,
        inputs: &[[[T; L]; C]; B],
        grad_outputs: &[[[T; L]; C]; B],
        grads: &mut Self,
    ) -> [[[T; L]; C]; B] {
        core::array::from_fn(|b| self.backward(&inputs[b], &grad_outputs[b], grads))
    }
}

network! {
    #[derive(Debug)]
    struct Scaled<f64> { hidden: Dense<2, 4>, Tanh, scale: Scale<4>, out: Dense<4, 1> }
}

network! {
    #[derive(Debug)]
    struct ScaledSeries<f64> {
        input: [2, 6],
        conv: Conv1d<2, 3, 3>,
        scale: ChannelScale<3, 4> -> [3, 4],
        Tanh,
        pool: GlobalAvgPool,
        out: Dense<3, 2>,
    }
}

#[test]
fn a_layer_of_ones_own_is_checked_like_any_other() {
    let mut rng = SmallRng::seed_from_u64(1);
    let mut scaled: Scaled = Scaled::random(&mut rng);
    scaled.scale.factor = [0.5, -2.0, 1.5, 3.0];
    let report = GradCheck::default().layer(&mut scaled, &[0.3, -0.8], &[0.7]).unwrap();
    assert!(report.passed(), "{report}");
    assert_eq!(report.checked, Scaled::<f64>::PARAMS + 2);

    let mut series: ScaledSeries = ScaledSeries::random(&mut rng);
    let input = [[0.1, -0.4, 0.9, 0.3, -1.2, 0.5], [1.1, 0.2, -0.3, -0.7, 0.4, 0.8]];
    let report = GradCheck::default().layer(&mut series, &input, &[0.6, -0.9]).unwrap();
    assert!(report.passed(), "{report}");
    assert_eq!(report.checked, ScaledSeries::<f64>::PARAMS + 12);
}

#[test]
fn a_layer_of_ones_own_is_named_and_trained() {
    let names: Vec<String> =
        (0..).map_while(<Scaled as Params<f64>>::tensor_info).map(|t| t.to_string()).collect();
    assert_eq!(names, ["hidden.weight", "hidden.bias", "scale.factor", "out.weight", "out.bias"]);
    assert_eq!(Scaled::<f64>::PARAMS, 2 * 4 + 4 + 4 + 4 + 1);

    // y = 3·x learnt through the scale alone: the other layers frozen at the identity.
    network! {
        struct Line<f64> { scale: Scale<1> }
    }
    let mut line: Line = Line::random(&mut SmallRng::seed_from_u64(2));
    let (inputs, targets) = ([[1.0], [2.0], [-1.0]], [[3.0], [6.0], [-3.0]]);
    let mut grads = LineGrads::zeros();
    for _ in 0..200 {
        line.train_batch(&inputs, &targets, &Mse, &mut Sgd::new(0.1), &mut grads);
    }
    assert!((line.scale.factor[0] - 3.0).abs() < 1e-9, "{:?}", line.scale.factor);

    // The same sample after sample, through `loss_and_grad`: the layer's
    // `param_grads` is the trait's, from its `backward`.
    let mut line: Line = Line::random(&mut SmallRng::seed_from_u64(2));
    for _ in 0..200 {
        for (input, target) in inputs.iter().zip(&targets) {
            grads.set_zero();
            line.loss_and_grad(input, target, &Mse, &mut grads);
            line.sgd_step(&grads, 0.05);
        }
    }
    assert!((line.scale.factor[0] - 3.0).abs() < 1e-9, "{:?}", line.scale.factor);
}

//! `param_grads` (what training calls: the backward pass without the first
//! layer's input gradient) adds exactly what `backward` adds, bit for bit,
//! per sample and per batch, in `f32` (where large layers take the SIMD
//! kernels) and `f64`, for networks whose first layer is dense or nested.

use constnet::prelude::*;
use proptest::prelude::*;
use rand::rngs::SmallRng;

network! {
    #[derive(Clone)]
    struct Wide<f32> { hidden: Dense<40, 24>, Relu, out: Dense<24, 3> }
}

network! {
    #[derive(Clone)]
    struct Encoder<f64> { hidden: Dense<4, 3>, Tanh }
}

network! {
    #[derive(Clone)]
    struct Nested<f64> { encoder: Encoder, Sigmoid, out: Dense<3, 2>, Identity }
}

network! {
    #[derive(Clone)]
    struct Single<f32> { only: Dense<20, 30> }
}

fn parameters<T: Scalar, N: Params<T>>(net: &N) -> Vec<T> {
    (0..N::TENSORS).flat_map(|i| net.tensor(i).unwrap().to_vec()).collect()
}

/// Every parameter, biases too, uniform in `[-1, 1)`.
fn random_params<T: Scalar, N: Params<T>>(rng: &mut SmallRng) -> N {
    let mut net = N::zeros();
    for i in 0..N::TENSORS {
        net.tensor_mut(i).unwrap().fill_with(|| T::from_f64(rng.random_range(-1.0..1.0)));
    }
    net
}

fn random_vector<T: Scalar, V: Vector<T>>(rng: &mut SmallRng) -> V {
    let mut vector = V::zeros();
    vector.scalars_mut().fill_with(|| T::from_f64(rng.random_range(-1.0..1.0)));
    vector
}

/// Both paths, from the same non-zero gradients, on a batch of 5 and on its
/// first sample alone.
fn check<T: Scalar, N: Layer<T> + Clone>(seed: u64) {
    let rng = &mut SmallRng::seed_from_u64(seed);
    let (net, start): (N, N) = (random_params(rng), random_params(rng));
    let inputs: [N::Input; 5] = core::array::from_fn(|_| random_vector(rng));
    let grad_outputs: [N::Output; 5] = core::array::from_fn(|_| random_vector(rng));

    let (_, trace) = net.forward_trace_batch(&inputs);
    let (mut full, mut params_only) = (start.clone(), start.clone());
    net.backward_batch(&trace, &grad_outputs, &mut full);
    net.param_grads_batch(&trace, &grad_outputs, &mut params_only);
    assert_eq!(parameters(&params_only), parameters(&full), "batch");
    assert_ne!(parameters(&full), parameters(&start), "the gradients were added");

    let (_, trace) = net.forward_trace(&inputs[0]);
    let (mut full, mut params_only) = (start.clone(), start);
    net.backward(&trace, &grad_outputs[0], &mut full);
    net.param_grads(&trace, &grad_outputs[0], &mut params_only);
    assert_eq!(parameters(&params_only), parameters(&full), "one sample");
}

proptest! {
    #[test]
    fn param_grads_add_what_backward_adds(seed in any::<u64>()) {
        check::<f32, Wide>(seed);
        check::<f64, Wide<f64>>(seed);
        check::<f64, Nested>(seed);
        check::<f32, Single>(seed);
    }
}

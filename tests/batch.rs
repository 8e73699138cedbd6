//! The batch path against the per-sample path: the same outputs, the mean
//! of the per-sample losses, and the mean of the per-sample gradients, for
//! networks with every kind of layer, nested networks, and several batch
//! sizes.

use constnet::prelude::*;
use proptest::prelude::*;
use rand::rngs::SmallRng;

network! {
    struct Tanh2<f64> { hidden: Dense<3, 5>, Tanh, out: Dense<5, 2>, Sigmoid }
}

network! {
    struct Classifier<f64> {
        hidden: Dense<4, 8>, Relu,
        middle: Dense<8, 6>, LeakyRelu(0.1),
        out: Dense<6, 3>, Softmax,
    }
}

network! {
    struct Encoder<f64> { hidden: Dense<4, 3>, Tanh }
}

network! {
    struct Nested<f64> { encoder: Encoder, Sigmoid, out: Dense<3, 2>, Identity }
}

/// Relative agreement, with an absolute floor for values near zero.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()))
}

fn all_close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(&a, &b)| close(a, b))
}

/// Asserts that `net`'s batch path agrees with its per-sample path on
/// `inputs` and `targets` under `loss`.
fn agree<N, L, const B: usize>(
    net: &N,
    inputs: &[N::Input; B],
    targets: &[N::Output; B],
    loss: &L,
) -> Result<(), TestCaseError>
where
    N: Network<f64, Grads = N>,
    L: Loss<f64>,
{
    let outputs = net.forward_batch(inputs);
    for (input, output) in inputs.iter().zip(&outputs) {
        prop_assert!(all_close(net.forward(input).scalars(), output.scalars()));
    }

    let mut batch = N::zeros();
    let batch_loss = net.loss_and_grad_batch(inputs, targets, loss, &mut batch);

    let mut sum = N::zeros();
    let mut loss_sum = 0.0;
    for (input, target) in inputs.iter().zip(targets) {
        loss_sum += net.loss_and_grad(input, target, loss, &mut sum);
    }
    prop_assert!(close(batch_loss, loss_sum / B as f64), "{batch_loss} vs {}", loss_sum / B as f64);
    for index in 0..N::TENSORS {
        let mean: Vec<f64> = sum.tensor(index).unwrap().iter().map(|g| g / B as f64).collect();
        let name = N::tensor_info(index).unwrap();
        prop_assert!(all_close(batch.tensor(index).unwrap(), &mean), "gradient of {name} differs");
    }

    let (_, trace) = net.forward_trace_batch(inputs);
    let mut ignored = N::zeros();
    let input_grads = net.backward_batch(&trace, targets, &mut ignored);
    for ((input, target), input_grad) in inputs.iter().zip(targets).zip(&input_grads) {
        let (_, trace) = net.forward_trace(input);
        let expected = net.backward(&trace, target, &mut N::zeros());
        prop_assert!(all_close(expected.scalars(), input_grad.scalars()));
    }
    Ok(())
}

fn arrays<const N: usize, const B: usize>(
    low: f64,
    high: f64,
) -> impl Strategy<Value = [[f64; N]; B]> {
    proptest::array::uniform(proptest::array::uniform(low..high))
}

fn one_hot<const N: usize, const B: usize>() -> impl Strategy<Value = [[f64; N]; B]> {
    proptest::array::uniform((0..N).prop_map(|k| core::array::from_fn(|i| f64::from(i == k))))
}

fn random<N>(seed: u64, make: fn(&mut SmallRng) -> N) -> N {
    make(&mut SmallRng::seed_from_u64(seed))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tanh_network_with_mse(seed: u64, inputs in arrays::<3, 5>(-2.0, 2.0), targets in arrays::<2, 5>(0.0, 1.0)) {
        agree(&random(seed, Tanh2::random), &inputs, &targets, &Mse)?;
    }

    #[test]
    fn tanh_network_with_bce_batch_of_one(seed: u64, inputs in arrays::<3, 1>(-2.0, 2.0), targets in arrays::<2, 1>(0.0, 1.0)) {
        agree(&random(seed, Tanh2::random), &inputs, &targets, &BinaryCrossEntropy)?;
    }

    #[test]
    fn classifier_with_cross_entropy(seed: u64, inputs in arrays::<4, 8>(-2.0, 2.0), targets in one_hot::<3, 8>()) {
        agree(&random(seed, Classifier::random), &inputs, &targets, &CrossEntropy)?;
    }

    #[test]
    fn classifier_with_a_batch_of_thirty_two(seed: u64, inputs in arrays::<4, 32>(-2.0, 2.0), targets in one_hot::<3, 32>()) {
        agree(&random(seed, Classifier::random), &inputs, &targets, &Mse)?;
    }

    #[test]
    fn nested_network_with_logits(seed: u64, inputs in arrays::<4, 3>(-2.0, 2.0), targets in one_hot::<2, 3>()) {
        agree(&random(seed, Nested::random), &inputs, &targets, &SoftmaxCrossEntropy)?;
    }
}

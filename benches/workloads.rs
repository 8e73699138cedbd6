//! The workloads of the peer comparison (`benches/peers/`), on constnet
//! alone: `cargo bench --bench workloads`.
//!
//! - A: XOR 2-3-1 (tanh, sigmoid, MSE): a training step on the batch of 4
//!   and single-sample inference.
//! - B: 64-32-10 (ReLU, softmax cross-entropy): a step on a batch of 32, and
//!   single-sample inference.
//! - C: 784-128-10 (ReLU, softmax cross-entropy): the same.
//! - The sine network 1-16-16-1 (ReLU): single-sample inference.
//! - D: the LeNet-like CNN of `examples/mnist.rs` on 28 × 28 images
//!   (convolution 6@5×5 padded, max pooling, convolution 16@5×5, max
//!   pooling, dense 400-64-10; ReLU, softmax cross-entropy): a step on a
//!   batch of 32, and single-image inference.

use std::hint::black_box;

use constnet::prelude::*;
use criterion::{Criterion, criterion_group};
use rand::rngs::SmallRng;

network! {
    struct Xor<f32> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid }
}
network! {
    struct Small<f32> { hidden: Dense<64, 32>, Relu, out: Dense<32, 10> }
}
network! {
    struct Mnist<f32> { hidden: Dense<784, 128>, Relu, out: Dense<128, 10> }
}
network! {
    struct Sine<f32> { first: Dense<1, 16>, Relu, second: Dense<16, 16>, Relu, out: Dense<16, 1> }
}
network! {
    struct LeNet<f32> {
        input: [1, 28, 28],
        conv1: Conv2d<1, 6, 5, padding = 2>,
        Relu,
        pool1: MaxPool2d<2>,
        conv2: Conv2d<6, 16, 5>,
        Relu,
        pool2: MaxPool2d<2>,
        flatten: Flatten,
        hidden: Dense<400, 64>,
        Relu,
        logits: Dense<64, 10>,
    }
}

/// A batch of inputs in `[-1, 1)` and one-hot targets.
fn classification<const IN: usize, const OUT: usize, const B: usize>(
    rng: &mut SmallRng,
) -> ([[f32; IN]; B], [[f32; OUT]; B]) {
    let inputs = core::array::from_fn(|_| core::array::from_fn(|_| rng.random_range(-1.0..1.0)));
    let targets = core::array::from_fn(|_| {
        let class = rng.random_range(0..OUT);
        core::array::from_fn(|o| if o == class { 1.0 } else { 0.0 })
    });
    (inputs, targets)
}

fn bench_network<N: Network<f32, Grads = N>, L: Loss<f32>, const B: usize>(
    c: &mut Criterion,
    name: &str,
    mut net: N,
    inputs: [N::Input; B],
    targets: [N::Output; B],
    loss: L,
) {
    let mut grads = N::zeros();
    c.bench_function(&format!("{name}/train_step"), |b| {
        b.iter(|| {
            net.train_batch(black_box(&inputs), &targets, &loss, &mut Sgd::new(0.01), &mut grads)
        })
    });
    c.bench_function(&format!("{name}/inference"), |b| {
        b.iter(|| black_box(&net).forward(black_box(&inputs[0])))
    });
}

fn workloads(c: &mut Criterion) {
    let rng = &mut SmallRng::seed_from_u64(7);

    let xor_inputs = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]];
    let xor_targets = [[0.], [1.], [1.], [0.]];
    bench_network(c, "A_xor_2-3-1", Xor::random(rng), xor_inputs, xor_targets, Mse);

    let (inputs, targets) = classification::<64, 10, 32>(rng);
    bench_network(c, "B_64-32-10", Small::random(rng), inputs, targets, SoftmaxCrossEntropy);

    let (inputs, targets) = classification::<784, 10, 32>(rng);
    bench_network(c, "C_784-128-10", Mnist::random(rng), inputs, targets, SoftmaxCrossEntropy);

    let (images, targets) = classification::<784, 10, 32>(rng);
    let images = images.map(|pixels| {
        [core::array::from_fn(|row| core::array::from_fn(|col| pixels[row * 28 + col].max(0.0)))]
    });
    bench_network(c, "D_lenet", LeNet::random(rng), images, targets, SoftmaxCrossEntropy);

    let sine: Sine = Sine::random(rng);
    c.bench_function("sine_1-16-16-1/inference", |b| {
        b.iter(|| black_box(&sine).forward(black_box(&[0.5])))
    });
}

criterion_group!(benches, workloads);

/// Criterion on a thread with room for the CNN's batch: a training step
/// keeps the trace of 32 images (1.9 MB) and the gradients flowing back.
fn main() {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            benches();
            Criterion::default().configure_from_args().final_summary();
        })
        .expect("a thread")
        .join()
        .expect("the benchmarks ran");
}

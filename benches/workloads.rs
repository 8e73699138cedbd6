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
//! - C and D in int8 (`constnet::quant`, calibrated on their batch):
//!   single-sample inference, beside the f32 one.
//! - C again with the network and its gradients boxed on a 64-byte boundary
//!   and 16 bytes past one (`boxed_0_past_64`, `boxed_16_past_64`), where
//!   an allocator may put them and the kernels' loads then cross cache
//!   lines. The other workloads print where their network lies.

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
    let offset = (&raw const net).addr() % 64;
    println!("{name}: the network on the stack, {offset} bytes past a 64-byte boundary");
    bench_steps(c, name, (&mut net, &mut grads), (&inputs, &targets), &loss);
}

/// A training step on the batch and an inference of its first sample.
fn bench_steps<N: Network<f32, Grads = N>, L: Loss<f32>, const B: usize>(
    c: &mut Criterion,
    name: &str,
    (net, grads): (&mut N, &mut N),
    (inputs, targets): (&[N::Input; B], &[N::Output; B]),
    loss: &L,
) {
    c.bench_function(&format!("{name}/train_step"), |b| {
        b.iter(|| net.train_batch(black_box(inputs), targets, loss, &mut Sgd::new(0.01), grads))
    });
    c.bench_function(&format!("{name}/inference"), |b| {
        b.iter(|| black_box(&*net).forward(black_box(&inputs[0])))
    });
}

/// A value `OFFSET` bytes past a 64-byte boundary (unless its type asks for
/// more alignment): glibc's `malloc` puts a large block 16 bytes past one.
#[repr(C, align(64))]
struct Placed<T, const OFFSET: usize> {
    _padding: [u8; OFFSET],
    value: T,
}

/// `bench_network`'s steps with the network and its gradients boxed
/// `OFFSET` bytes past a 64-byte boundary.
fn bench_placed<N: Network<f32, Grads = N>, L: Loss<f32>, const B: usize, const OFFSET: usize>(
    c: &mut Criterion,
    name: &str,
    net: N,
    batch: (&[N::Input; B], &[N::Output; B]),
    loss: &L,
) {
    let place = |value| Box::new(Placed::<N, OFFSET> { _padding: [0; OFFSET], value });
    let (mut net, mut grads) = (place(net), place(N::zeros()));
    let offset = (&raw const net.value).addr() % 64;
    let name = format!("{name}/boxed_{offset}_past_64");
    bench_steps(c, &name, (&mut net.value, &mut grads.value), batch, loss);
}

fn workloads(c: &mut Criterion) {
    let rng = &mut SmallRng::seed_from_u64(7);

    let xor_inputs = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]];
    let xor_targets = [[0.], [1.], [1.], [0.]];
    bench_network(c, "A_xor_2-3-1", Xor::random(rng), xor_inputs, xor_targets, Mse);

    let (inputs, targets) = classification::<64, 10, 32>(rng);
    bench_network(c, "B_64-32-10", Small::random(rng), inputs, targets, SoftmaxCrossEntropy);

    let (inputs, targets) = classification::<784, 10, 32>(rng);
    let mnist: Mnist = Mnist::random(rng);
    bench_mnist_int8(c, &mnist, &inputs);
    bench_network(c, "C_784-128-10", mnist, inputs, targets, SoftmaxCrossEntropy);

    let (images, targets) = classification::<784, 10, 32>(rng);
    let images = images.map(|pixels| {
        [core::array::from_fn(|row| core::array::from_fn(|col| pixels[row * 28 + col].max(0.0)))]
    });
    let lenet: LeNet = LeNet::random(rng);
    bench_lenet_int8(c, &lenet, &images);
    bench_network(c, "D_lenet", lenet, images, targets, SoftmaxCrossEntropy);

    let (inputs, targets) = classification::<784, 10, 32>(rng);
    let (loss, name) = (SoftmaxCrossEntropy, "C_784-128-10");
    bench_placed::<_, _, 32, 0>(c, name, Mnist::random(rng), (&inputs, &targets), &loss);
    bench_placed::<_, _, 32, 16>(c, name, Mnist::random(rng), (&inputs, &targets), &loss);

    let sine: Sine = Sine::random(rng);
    c.bench_function("sine_1-16-16-1/inference", |b| {
        b.iter(|| black_box(&sine).forward(black_box(&[0.5])))
    });
}

fn bench_mnist_int8(c: &mut Criterion, net: &Mnist, inputs: &[[f32; 784]]) {
    let q8 = net.quantize(inputs).expect("finite weights and inputs");
    let x = q8.quantize_input(&inputs[0]);
    c.bench_function("C_784-128-10/inference_int8", |b| {
        b.iter(|| black_box(&q8).forward(black_box(&x)))
    });
}

fn bench_lenet_int8(c: &mut Criterion, net: &LeNet, images: &[[[[f32; 28]; 28]; 1]]) {
    let q8 = net.quantize(images).expect("finite weights and images");
    let x = q8.quantize_input(&images[0]);
    c.bench_function("D_lenet/inference_int8", |b| {
        b.iter(|| black_box(&q8).forward(black_box(&x)))
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

//! Trains and runs a network with no std and no allocator, so that every
//! generic path (forward, backward, losses, SGD, initializers) is compiled.
#![no_std]

use constnet::prelude::*;
use constnet::rand::rngs::SmallRng;

network! {
    struct Xor<f32> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid }
}

network! {
    struct Classifier<f32> { encoder: Xor, hidden: Dense<1, 8>, LeakyRelu(0.01), Relu, logits: Dense<8, 3>, Softmax }
}

const DATA: [([f32; 2], [f32; 1]); 4] = [
    ([0.0, 0.0], [0.0]),
    ([0.0, 1.0], [1.0]),
    ([1.0, 0.0], [1.0]),
    ([1.0, 1.0], [0.0]),
];

/// Trains XOR for `epochs` epochs and returns the last epoch's loss.
#[unsafe(no_mangle)]
pub extern "C" fn constnet_train_xor(seed: u64, epochs: u32) -> f32 {
    let mut xor: Xor = Xor::random(&mut SmallRng::seed_from_u64(seed));
    let mut grads = XorGrads::zeros();
    let mut loss = 0.0;
    for _ in 0..epochs {
        grads.set_zero();
        loss = DATA
            .iter()
            .map(|(x, y)| xor.loss_and_grad(x, y, &BinaryCrossEntropy, &mut grads))
            .sum();
        xor.sgd_step(&grads, 0.5);
    }
    loss
}

/// One training step of a nested network with every loss, returning the sum.
#[unsafe(no_mangle)]
pub extern "C" fn constnet_losses(x0: f32, x1: f32) -> f32 {
    let mut net: Classifier = Classifier::random(&mut SmallRng::seed_from_u64(1));
    let mut grads = ClassifierGrads::zeros();
    let (input, target) = ([x0, x1], [0.0, 1.0, 0.0]);
    let total = net.loss_and_grad(&input, &target, &Mse, &mut grads)
        + net.loss_and_grad(&input, &target, &BinaryCrossEntropy, &mut grads)
        + net.loss_and_grad(&input, &target, &CrossEntropy, &mut grads)
        + net.loss_and_grad(&input, &target, &SoftmaxCrossEntropy, &mut grads);
    net.sgd_step(&grads, 0.1);
    total + net.forward(&input)[0]
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

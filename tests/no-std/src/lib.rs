//! Trains and runs networks with no std and no allocator, a CNN among them,
//! so that every generic path (forward, backward, batches, convolutions,
//! losses, optimizers, initializers, metrics) is compiled.
//!
//! Its unit tests (`cargo test` here) run the same code with the float
//! functions of `libm`: the main crate's tests cannot, because a
//! dev-dependency turns num-traits' `std` feature on for them.
#![cfg_attr(not(test), no_std)]

use constnet::prelude::*;
use constnet::rand::rngs::SmallRng;

network! {
    struct Xor<f32> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid }
}

network! {
    struct Classifier<f32> { encoder: Xor, hidden: Dense<1, 8>, LeakyRelu(0.01), Relu, logits: Dense<8, 3>, Softmax }
}

const DATA: [([f32; 2], [f32; 1]); 4] =
    [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])];

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

/// Trains XOR with Adam on the whole batch for `epochs` steps and returns
/// the binary accuracy (0 to 1) of the result.
#[unsafe(no_mangle)]
pub extern "C" fn constnet_train_xor_adam(seed: u64, epochs: u32) -> f64 {
    let mut xor: Xor = Xor::random(&mut SmallRng::seed_from_u64(seed));
    let (inputs, targets) = (DATA.map(|(x, _)| x), DATA.map(|(_, y)| y));
    let mut adam = Adam::new(0.05);
    let mut grads = XorGrads::zeros();
    for _ in 0..epochs {
        xor.train_batch(&inputs, &targets, &BinaryCrossEntropy, &mut adam, &mut grads);
    }
    match Dataset::new(&inputs, &targets) {
        Ok(data) => BinaryAccuracy.evaluate(&xor, &data),
        Err(_) => f64::NAN,
    }
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

network! {
    /// Tells a vertical bar from a horizontal one in a 6 × 6 image.
    struct Bars<f32> {
        input: [1, 6, 6],
        conv: Conv2d<1, 4, 3>,
        Relu,
        pool: MaxPool2d<2>,
        flatten: Flatten,
        out: Dense<16, 2>,
    }
}

/// A 6 × 6 image of one channel.
type Image = [[[f32; 6]; 6]; 1];

/// The bars: a vertical one in column `k` is class 0, a horizontal one in
/// row `k` class 1, for `k` in 1..5.
fn bars() -> ([Image; 8], [[f32; 2]; 8]) {
    let images = core::array::from_fn(|i| {
        let k = i / 2 + 1;
        core::array::from_fn(|_| {
            core::array::from_fn(|row| {
                core::array::from_fn(|col| {
                    if (i % 2 == 0 && col == k) || (i % 2 == 1 && row == k) { 1.0 } else { 0.0 }
                })
            })
        })
    });
    let labels = core::array::from_fn(|i| if i % 2 == 0 { [1.0, 0.0] } else { [0.0, 1.0] });
    (images, labels)
}

/// Trains the bars' CNN with Adam on the whole batch for `steps` steps and
/// returns its accuracy (0 to 1).
#[unsafe(no_mangle)]
pub extern "C" fn constnet_train_cnn(seed: u64, steps: u32) -> f64 {
    let mut net: Bars = Bars::random(&mut SmallRng::seed_from_u64(seed));
    let (images, labels) = bars();
    let (mut adam, mut grads) = (Adam::new(0.05), BarsGrads::zeros());
    for _ in 0..steps {
        net.train_batch(&images, &labels, &SoftmaxCrossEntropy, &mut adam, &mut grads);
    }
    match Dataset::new(&images, &labels) {
        Ok(data) => CategoricalAccuracy.evaluate(&net, &data),
        Err(_) => f64::NAN,
    }
}

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use constnet::gradcheck::GradCheck;

    #[test]
    fn xor_learns_with_libm_math() {
        let loss = constnet_train_xor(42, 500);
        assert!(loss < 0.05, "summed loss {loss}");
    }

    #[test]
    fn xor_learns_with_adam_on_the_batch_path() {
        assert_eq!(constnet_train_xor_adam(42, 300), 1.0);
    }

    #[test]
    fn a_cnn_learns_with_libm_math() {
        assert_eq!(constnet_train_cnn(7, 300), 1.0);
    }

    #[test]
    fn libm_functions_agree_with_their_definitions() {
        let [s] = Sigmoid.forward(&[2.0f64]);
        assert!((s - 0.880_797_077_977_882_3).abs() < 1e-15, "{s}");
        let [t] = Tanh.forward(&[0.5f64]);
        assert!((t - 0.462_117_157_260_009_8).abs() < 1e-15, "{t}");
        let ce = CrossEntropy.value(&[0.25f64, 0.75], &[1.0, 0.0]);
        assert!((ce - core::f64::consts::LN_2 * 2.0).abs() < 1e-15, "{ce}");
    }

    network! {
        struct Checked<f64> { hidden: Dense<3, 5>, Tanh, out: Dense<5, 2>, Softmax }
    }

    #[test]
    fn gradients_check_with_libm_math() {
        let mut net: Checked = Checked::random(&mut SmallRng::seed_from_u64(3));
        let report = GradCheck::default()
            .layer_with_loss(&mut net, &[0.2, -0.9, 1.4], &[0.3, 0.7], &CrossEntropy)
            .expect("no kink in a tanh network");
        assert!(report.passed(), "{report}");
    }
}

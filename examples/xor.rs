//! Trains a 2-3-1 network on XOR from a fixed seed and prints its progress.
//!
//! ```text
//! cargo run --release --example xor
//! ```
//!
//! Exits with an error unless the last epoch classifies all four inputs
//! right.

use constnet::prelude::*;
use rand::rngs::StdRng;

network! {
    /// XOR: 2 inputs, 3 tanh hidden units, 1 sigmoid output.
    #[derive(Clone, Debug)]
    pub struct Xor<f32> {
        hidden: Dense<2, 3>,
        Tanh,
        out: Dense<3, 1>,
        Sigmoid,
    }
}

const DATA: [([f32; 2], [f32; 1]); 4] =
    [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])];

fn main() -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(42);
    let mut xor = Xor::random(&mut rng);
    let mut grads = XorGrads::zeros();
    let learning_rate = 0.5;

    println!(
        "XOR, {} parameters, binary cross-entropy, SGD (learning rate {learning_rate})",
        Xor::<f32>::PARAMS
    );
    for epoch in 0..=500 {
        grads.set_zero();
        let mut loss = 0.0;
        for (input, target) in &DATA {
            loss += xor.loss_and_grad(input, target, &BinaryCrossEntropy, &mut grads);
        }
        xor.sgd_step(&grads, learning_rate);
        if epoch % 50 == 0 {
            println!("epoch {epoch:4}  loss {:.5}  accuracy {:5.1}%", loss / 4.0, accuracy(&xor));
        }
    }

    for (input, target) in &DATA {
        let [p] = xor.forward(input);
        println!("{input:?} -> {p:.3}  (target {})", target[0]);
    }
    let accuracy = accuracy(&xor);
    if accuracy == 100.0 {
        Ok(())
    } else {
        Err(format!("expected an accuracy of 100%, got {accuracy:.1}%"))
    }
}

fn accuracy(xor: &Xor) -> f32 {
    let correct = DATA.iter().filter(|(x, y)| (xor.forward(x)[0] > 0.5) == (y[0] > 0.5)).count();
    100.0 * correct as f32 / DATA.len() as f32
}

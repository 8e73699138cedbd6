//! Trains a small classifier in constnet and saves it for PyTorch.
//!
//! ```text
//! cargo run --release --example pytorch_export -- circle.safetensors
//! ```
//!
//! The file holds `hidden.weight`, `hidden.bias`, `out.weight`, `out.bias`
//! in PyTorch's `[out, in]` layout; the README shows the Python that loads
//! it into an `nn.Sequential` and prints the same predictions as below.

use constnet::io::{Layout, safetensors};
use constnet::prelude::*;
use rand::rngs::StdRng;

network! {
    /// Is a point of the plane inside the unit circle?
    pub struct Circle<f32> {
        hidden: Dense<2, 8>,
        Tanh,
        out: Dense<8, 1>,
        Sigmoid,
    }
}

fn main() -> Result<(), constnet::io::Error> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "circle.safetensors".into());
    let mut rng = StdRng::seed_from_u64(7);
    let points: Vec<([f32; 2], [f32; 1])> = (0..200)
        .map(|_| {
            let p = [rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0)];
            (p, [if p[0] * p[0] + p[1] * p[1] < 1.0 { 1.0 } else { 0.0 }])
        })
        .collect();

    let mut net = Circle::random(&mut rng);
    let mut grads = CircleGrads::zeros();
    let rate = 1.0 / points.len() as f32; // the gradient of the mean loss
    for _ in 0..2000 {
        grads.set_zero();
        for (input, target) in &points {
            net.loss_and_grad(input, target, &BinaryCrossEntropy, &mut grads);
        }
        net.sgd_step(&grads, 2.0 * rate);
    }
    let correct = points.iter().filter(|(x, y)| (net.forward(x)[0] > 0.5) == (y[0] > 0.5)).count();
    println!("training accuracy {:.1}%", 100.0 * correct as f32 / points.len() as f32);

    safetensors::save(&net, &path, Layout::OutIn)?;
    println!("saved {path}");
    for input in [[0.0, 0.0], [0.8, 0.5], [1.5, 1.5]] {
        println!("{input:?} -> {:.6}", net.forward(&input)[0]);
    }
    Ok(())
}

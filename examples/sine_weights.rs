//! Trains the sine network of the firmware example (1-16-16-1, ReLU, on
//! `sin(x)` for `x` in `[0, 2π]`) and writes its weights as Rust source, for
//! the firmware to compile into flash.
//!
//! ```text
//! cargo run --release --example sine_weights -- examples/firmware/src/sine_weights.rs
//! ```
//!
//! Without a path it prints the source. Training starts from a fixed seed,
//! so the output is the same on every run.

use std::f32::consts::TAU;

use constnet::prelude::*;
use constnet::source::ToRust;
use rand::rngs::StdRng;

network! {
    /// `sin(x)` for `x` in `[0, 2π]`.
    pub struct Sine<f32> { hidden: Dense<1, 16>, Relu, middle: Dense<16, 16>, Relu, out: Dense<16, 1> }
}

/// Points of the test grid, evenly spaced over `[0, 2π]`; the firmware
/// measures its error on the same grid.
const TEST_POINTS: usize = 1000;

fn test_mse(sine: &Sine) -> f32 {
    let step = TAU / (TEST_POINTS - 1) as f32;
    let squared: f32 = (0..TEST_POINTS)
        .map(|i| {
            let x = i as f32 * step;
            let [y] = sine.forward(&[x]);
            (y - x.sin()) * (y - x.sin())
        })
        .sum();
    squared / TEST_POINTS as f32
}

fn main() -> std::io::Result<()> {
    // Plain SGD on inputs in [0, 2π] leaves many starting points stuck with
    // dead ReLUs or at a straight line; this seed is one that trains.
    let mut rng = StdRng::seed_from_u64(3);
    let data: Vec<(f32, f32)> = (0..1024)
        .map(|_| {
            let x = rng.random_range(0.0..TAU);
            (x, x.sin())
        })
        .collect();

    let mut sine: Sine = Sine::random(&mut rng);
    let mut grads = SineGrads::zeros();
    let (batch, epochs, learning_rate) = (16, 1000, 0.01);
    for epoch in 1..=epochs {
        for chunk in data.chunks(batch) {
            grads.set_zero();
            for &(x, y) in chunk {
                sine.loss_and_grad(&[x], &[y], &Mse, &mut grads);
            }
            sine.sgd_step(&grads, learning_rate / chunk.len() as f32);
        }
        if epoch % 250 == 0 {
            eprintln!("epoch {epoch:4}  test MSE {:.6}", test_mse(&sine));
        }
    }

    let mse = test_mse(&sine);
    let source = format!(
        "// The sine network, trained and written by\n\
         // `cargo run --release --example sine_weights -- <this file>`.\n\n\
         /// Points of the test grid, evenly spaced over `[0, 2π]`.\n\
         const TEST_POINTS: usize = {TEST_POINTS};\n\
         /// Mean squared error against `sin` on the test grid, on the host.\n\
         const HOST_TEST_MSE: f32 = {mse:?};\n\n{}",
        sine.rust_const("SINE")
    );
    match std::env::args_os().nth(1) {
        Some(path) => std::fs::write(path, source),
        None => {
            print!("{source}");
            Ok(())
        }
    }
}

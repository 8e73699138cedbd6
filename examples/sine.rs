//! The "hello world" of TinyML: a 1-16-16-1 ReLU network learns sin(x) on
//! [0, 2π] from 1000 samples, with Adam and mini-batches of 32.
//!
//! ```text
//! cargo run --release --example sine
//! ```

use std::error::Error;
use std::f32::consts::TAU;

use constnet::prelude::*;
use rand::rngs::StdRng;

network! {
    /// x in, sin(x) out.
    pub struct Sine<f32> {
        hidden: Dense<1, 16>,
        Relu,
        middle: Dense<16, 16>,
        Relu,
        out: Dense<16, 1>,
    }
}

/// `count` points uniform in [0, 2π] and their sines.
fn samples(count: usize, rng: &mut StdRng) -> (Vec<[f32; 1]>, Vec<[f32; 1]>) {
    (0..count).map(|_| rng.random_range(0.0..TAU)).map(|x| ([x], [x.sin()])).unzip()
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = StdRng::seed_from_u64(1);
    let (train_inputs, train_targets) = samples(1000, &mut rng);
    let (test_inputs, test_targets) = samples(200, &mut rng);
    let train = Dataset::new(&train_inputs, &train_targets)?;
    let test = Dataset::new(&test_inputs, &test_targets)?;

    let mut sine: Sine = Sine::random(&mut rng);
    Training::new(Mse, MeanLoss(Mse)).epochs(300).fit(
        &mut sine,
        &mut Adam::new(0.005),
        train.batches::<32>(),
        &mut rng,
        |epoch, _| {
            if epoch.epoch % 50 == 0 {
                println!("epoch {:>3}: training MSE {:.6}", epoch.epoch, epoch.loss);
            }
        },
    )?;

    println!("{:>6} {:>9} {:>9}", "x", "sin(x)", "network");
    for x in [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0] {
        println!("{x:>6.2} {:>9.4} {:>9.4}", f32::sin(x), sine.forward(&[x])[0]);
    }
    println!("test MSE: {:.6}", MeanLoss(Mse).evaluate(&sine, &test));
    Ok(())
}

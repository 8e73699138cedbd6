//! The "hello world" of TinyML: a 1-16-16-1 ReLU network learns sin(x) on
//! [0, 2π] from 1000 samples, with Adam and mini-batches of 32.
//!
//! ```text
//! cargo run --release --example sine
//! ```
//!
//! With `--export FILE` it also writes the trained weights as Rust source,
//! which the firmware example compiles into flash:
//! `cargo run --release --example sine -- --export examples/firmware/src/sine_weights.rs`.
//!
//! Exits with an error if the test MSE is not below `MAX_TEST_MSE`.

use std::error::Error;
use std::f32::consts::TAU;

use constnet::prelude::*;
use constnet::quant::QuantizeError;
use constnet::source::ToRust;
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

/// The highest test error this example accepts (README quotes what it reaches).
const MAX_TEST_MSE: f64 = 0.005;

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
    let mut args = std::env::args().skip(1);
    if let (Some("--export"), Some(path)) = (args.next().as_deref(), args.next()) {
        std::fs::write(&path, firmware_source(&sine))?;
        println!("weights written to {path}");
    }
    let int8_mse = quantized_mse(&sine, &train_inputs, &test_inputs, &test_targets)?;
    println!(
        "test MSE in int8 (quantized after training, calibrated on the training inputs): {int8_mse:.6}"
    );
    let mse = MeanLoss(Mse).evaluate(&sine, &test);
    println!("test MSE: {mse:.6}");
    // Written so that a NaN fails.
    if mse < MAX_TEST_MSE {
        Ok(())
    } else {
        Err(format!("expected a test MSE below {MAX_TEST_MSE}, got {mse:.6}").into())
    }
}

/// The test error of the network quantized to int8 the TensorFlow Lite way
/// (`Sine::quantize`: each layer's output range observed on the calibration
/// inputs, the ReLUs fused into the layers before them as clamps).
fn quantized_mse(
    sine: &Sine,
    calibration: &[[f32; 1]],
    inputs: &[[f32; 1]],
    targets: &[[f32; 1]],
) -> Result<f64, QuantizeError> {
    let q8 = sine.quantize(calibration)?;
    let squared: f64 = inputs
        .iter()
        .zip(targets)
        .map(|(x, [t])| {
            let [y] = q8.dequantize_output(&q8.forward(&q8.quantize_input(x)));
            f64::from(y - t).powi(2)
        })
        .sum();
    Ok(squared / inputs.len() as f64)
}

/// Points, evenly spaced over [0, 2π], on which the firmware checks that it
/// computes what the host computes.
const GRID_POINTS: usize = 1000;

/// The weights as Rust source, with the error on the grid as the host measures it.
fn firmware_source(sine: &Sine) -> String {
    let step = TAU / (GRID_POINTS - 1) as f32;
    let squared: f32 = (0..GRID_POINTS)
        .map(|i| i as f32 * step)
        .map(|x| (sine.forward(&[x])[0] - x.sin()).powi(2))
        .sum();
    let mse = squared / GRID_POINTS as f32;
    format!(
        "// The sine network, trained and written by\n\
         // `cargo run --release --example sine -- --export <this file>`.\n\n\
         /// Points of the test grid, evenly spaced over `[0, 2π]`.\n\
         const TEST_POINTS: usize = {GRID_POINTS};\n\
         /// Mean squared error against `sin` on the test grid, on the host.\n\
         const HOST_TEST_MSE: f32 = {mse:?};\n\n{}",
        sine.rust_const("SINE")
    )
}

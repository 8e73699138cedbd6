//! Handwritten digits: a 64-32-10 network trained with Adam on 8×8 images
//! (the UCI digits, see `examples/data/README.md`). Shows a progress bar,
//! writes the loss and accuracy curves to a PNG, prints a confusion
//! matrix, then quantizes the network to int8 (TensorFlow Lite's scheme)
//! and tests that too.
//!
//! ```text
//! cargo run --release --example digits [-- curves.png]
//! ```
//!
//! Exits with an error if the test accuracy is below `MIN_TEST_ACCURACY`,
//! or the int8 one more than `MAX_INT8_LOSS` below it.

#[path = "common/classify.rs"]
mod classify;
mod common;

use std::error::Error;
use std::io::Read;

use constnet::prelude::*;
use constnet::quant::QuantizeError;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

network! {
    /// 8×8 pixels in, one logit per digit out.
    pub struct Digits<f32> {
        hidden: Dense<64, 32>,
        Relu,
        logits: Dense<32, 10>,
    }
}

const EPOCHS: usize = 60;
const BATCH: usize = 32;
/// The lowest test accuracy, in percent, this example accepts (README quotes what it reaches).
const MIN_TEST_ACCURACY: f64 = 97.0;
/// How far below the float test accuracy, in points, the int8 one may fall.
const MAX_INT8_LOSS: f64 = 0.5;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "target/digits.png".into());

    let mut text = String::new();
    flate2::read::GzDecoder::new(&include_bytes!("data/digits.csv.gz")[..])
        .read_to_string(&mut text)?;
    let mut samples = common::parse::<64, 10>(&text, 0)?;
    for sample in &mut samples {
        sample.features = sample.features.map(|pixel| pixel / 16.0);
    }

    // A fixed 80/20 split: one shuffle from a fixed seed.
    let mut rng = StdRng::seed_from_u64(0);
    samples.shuffle(&mut rng);
    let (train, test) = samples.split_at(samples.len() * 4 / 5);
    let (train_inputs, train_targets) = common::arrays(train);
    let (test_inputs, test_targets) = common::arrays(test);
    let train = Dataset::new(&train_inputs, &train_targets)?;
    let test = Dataset::new(&test_inputs, &test_targets)?;
    println!("{} training and {} test images", train.len(), test.len());

    let mut net: Digits = Digits::random(&mut rng);
    let curves = classify::fit::<_, BATCH>("", &mut net, [train, test], (EPOCHS, 3e-3), &mut rng)?;
    classify::plot(&path, &[curves], 0.5);
    classify::print_confusion(&net, &test);
    let accuracy = 100.0 * CategoricalAccuracy.evaluate(&net, &test);
    let int8_accuracy =
        100.0 * quantized_accuracy(&net, &train_inputs, &test_inputs, &test_targets)?;
    println!(
        "in int8 (quantized after training, calibrated on the training images): test accuracy {int8_accuracy:.1}%"
    );
    println!("test accuracy: {accuracy:.1}%");
    common::require_accuracy(int8_accuracy, accuracy - MAX_INT8_LOSS)?;
    common::require_accuracy(accuracy, MIN_TEST_ACCURACY)
}

/// The test accuracy in int8, quantized the TensorFlow Lite way
/// (`Digits::quantize`: each layer's output range observed on the
/// calibration images, min/max, the ReLU fused into the layer before it as
/// a clamp).
fn quantized_accuracy(
    net: &Digits,
    calibration: &[[f32; 64]],
    images: &[[f32; 64]],
    targets: &[[f32; 10]],
) -> Result<f64, QuantizeError> {
    let q8 = net.quantize(calibration)?;
    let correct = images
        .iter()
        .zip(targets)
        .filter(|(x, target)| {
            let scores = q8.forward(&q8.quantize_input(x));
            common::class_of(&scores) == common::class_of(*target)
        })
        .count();
    Ok(correct as f64 / images.len() as f64)
}

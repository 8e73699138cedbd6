//! Handwritten digits: a 64-32-10 network trained with Adam on 8×8 images
//! (the UCI digits, see `examples/data/README.md`). Shows a progress bar,
//! writes the loss and accuracy curves to a PNG, and prints a confusion
//! matrix.
//!
//! ```text
//! cargo run --release --example digits [-- curves.png]
//! ```
//!
//! Exits with an error if the test accuracy is below `MIN_TEST_ACCURACY`.

#[path = "common/classify.rs"]
mod classify;
mod common;

use std::error::Error;
use std::io::Read;

use constnet::prelude::*;
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
    println!("test accuracy: {accuracy:.1}%");
    common::require_accuracy(accuracy, MIN_TEST_ACCURACY)
}

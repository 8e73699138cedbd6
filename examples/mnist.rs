//! Handwritten digits, 28 × 28: a small LeNet-like CNN (convolution,
//! pooling, convolution, pooling, flatten, dense) trained with Adam on 4000
//! MNIST images and tested on 1000 others (see `examples/data/README.md`),
//! next to a dense network of about as many parameters trained the same
//! way: what convolutions buy. Shows a progress bar, writes the curves to a
//! PNG, prints the CNN's confusion matrix, then quantizes the CNN to int8
//! (TensorFlow Lite's scheme) and tests that too.
//!
//! ```text
//! cargo run --release --example mnist [-- [curves.png] [--export FILE]]
//! ```
//!
//! With `--export FILE` it also writes the trained CNN as Rust source, with
//! a few test images and the host's logits for them, for the firmware:
//! `cargo run --release --example mnist -- --export examples/firmware/src/mnist_weights.rs`.

#[path = "common/classify.rs"]
mod classify;
mod common;

use std::error::Error;
use std::io::Read;

use constnet::prelude::*;
use constnet::source::ToRust;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

network! {
    /// One 28 × 28 channel in, one logit per digit out.
    pub struct LeNet<f32> {
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

network! {
    /// The same pixels as a vector, with about as many parameters.
    pub struct Mlp<f32> {
        hidden: Dense<784, 36>,
        Relu,
        logits: Dense<36, 10>,
    }
}

/// One image as the CNN takes it.
type Image = [[[f32; 28]; 28]; 1];

/// Epochs and Adam's learning rate, for both networks.
const TRAINING: (usize, f32) = (20, 2e-3);
const BATCH: usize = 32;

/// The CNN's test accuracy, in percent, below which the example fails.
const MIN_TEST_ACCURACY: f64 = 97.0;

/// How far below the float CNN's test accuracy, in points, the int8 one
/// may fall.
const MAX_INT8_LOSS: f64 = 0.5;
/// Training images the int8 ranges are calibrated on.
const CALIBRATION_IMAGES: usize = 500;

/// Test images written with the weights for the firmware.
const EXPORTED_IMAGES: usize = 8;

/// Stack for the training thread: a step on a batch of 32 images keeps
/// what the forward pass computed for all 32 (`LeNet::TRACE_BYTES` each,
/// 1.9 MB in all) and the gradients flowing back, beyond the 8 MB that the
/// main thread has on some systems.
const STACK: usize = 64 << 20;

fn main() -> Result<(), Box<dyn Error>> {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(|| run().map_err(|error| error.to_string()))?
        .join()
        .map_err(|_| "the training thread panicked")??;
    Ok(())
}

fn run() -> Result<(), Box<dyn Error>> {
    let (mut path, mut export) = ("target/mnist.png".to_string(), None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--export" => export = Some(args.next().ok_or("--export needs a file")?),
            _ => path = arg,
        }
    }

    let mut text = String::new();
    flate2::read::GzDecoder::new(&include_bytes!("data/mnist_5k.csv.gz")[..])
        .read_to_string(&mut text)?;
    let mut samples = common::parse::<784, 10>(&text, 0)?;
    for sample in &mut samples {
        sample.features = sample.features.map(|pixel| pixel / 255.0);
    }

    // A fixed 4000/1000 split: one shuffle from a fixed seed.
    let mut rng = StdRng::seed_from_u64(0);
    samples.shuffle(&mut rng);
    let (train, test) = samples.split_at(4000);
    let (train_vectors, train_targets) = common::arrays(train);
    let (test_vectors, test_targets) = common::arrays(test);
    let exported: Vec<_> = test[..EXPORTED_IMAGES].iter().map(|s| (s.features, s.class)).collect();
    let train_images: Vec<Image> = train_vectors.iter().map(image).collect();
    let test_images: Vec<Image> = test_vectors.iter().map(image).collect();
    println!("{} training and {} test images", train.len(), test.len());

    let train = Dataset::new(&train_images, &train_targets)?;
    let test = Dataset::new(&test_images, &test_targets)?;
    let mut cnn: LeNet = LeNet::random(&mut rng);
    println!("{}", cnn.summary());
    let cnn_curves = classify::fit::<_, BATCH>("CNN", &mut cnn, [train, test], TRAINING, &mut rng)?;

    let train_mlp = Dataset::new(&train_vectors, &train_targets)?;
    let test_mlp = Dataset::new(&test_vectors, &test_targets)?;
    let mut mlp: Mlp = Mlp::random(&mut rng);
    let mlp_curves =
        classify::fit::<_, BATCH>("MLP", &mut mlp, [train_mlp, test_mlp], TRAINING, &mut rng)?;

    classify::plot(&path, &[cnn_curves, mlp_curves], 0.8);

    let q8 = cnn.quantize(&train_images[..CALIBRATION_IMAGES])?;
    if let Some(export) = export {
        std::fs::write(&export, firmware_source(&cnn, &q8, &exported))?;
        println!("weights written to {export}");
    }

    println!("The CNN's:");
    classify::print_confusion(&cnn, &test);
    let mlp_accuracy = CategoricalAccuracy.evaluate(&mlp, &test_mlp);
    let cnn_accuracy = CategoricalAccuracy.evaluate(&cnn, &test);
    println!(
        "MLP 784-36-10 ({} parameters): test accuracy {:.1}%",
        Mlp::<f32>::PARAMS,
        100.0 * mlp_accuracy
    );
    println!(
        "CNN ({} parameters): test accuracy {:.1}%",
        LeNet::<f32>::PARAMS,
        100.0 * cnn_accuracy
    );
    let int8_accuracy = int8_accuracy(&q8, &test_images, &test_targets);
    println!(
        "CNN in int8 (quantized after training, calibrated on {CALIBRATION_IMAGES} training \
         images): test accuracy {:.1}%",
        100.0 * int8_accuracy
    );
    println!("test accuracy: {:.1}%", 100.0 * cnn_accuracy);
    common::require_accuracy(100.0 * int8_accuracy, 100.0 * cnn_accuracy - MAX_INT8_LOSS)?;
    common::require_accuracy(100.0 * cnn_accuracy, MIN_TEST_ACCURACY)
}

/// The share of images whose largest int8 logit is their digit.
fn int8_accuracy(q8: &LeNetQ8, images: &[Image], targets: &[[f32; 10]]) -> f64 {
    let correct = images
        .iter()
        .zip(targets)
        .filter(|(x, target)| {
            common::class_of(&q8.forward(&q8.quantize_input(x))) == common::class_of(*target)
        })
        .count();
    correct as f64 / images.len() as f64
}

/// The CNN as Rust source, in f32 and in int8, with test images (their
/// pixels 0 to 255), their labels and the logits the host computes for
/// them in both.
fn firmware_source(cnn: &LeNet, q8: &LeNetQ8, images: &[([f32; 784], usize)]) -> String {
    let pixels: Vec<String> = images
        .iter()
        .map(|(pixels, _)| {
            let row: Vec<String> =
                pixels.iter().map(|p| format!("{}", (p * 255.0).round())).collect();
            format!("    [{}],\n", row.join(", "))
        })
        .collect();
    let labels: Vec<String> = images.iter().map(|(_, class)| class.to_string()).collect();
    let logits: Vec<String> = images
        .iter()
        .map(|(pixels, _)| format!("    {:?},\n", cnn.forward(&image(pixels))))
        .collect();
    let int8_logits: Vec<String> = images
        .iter()
        .map(|(pixels, _)| format!("    {:?},\n", q8.forward(&q8.quantize_input(&image(pixels)))))
        .collect();
    format!(
        "// The MNIST CNN, trained and written by\n\
         // `cargo run --release --example mnist -- --export <this file>`.\n\n\
         /// Test images, row by row, pixels from 0 to 255.\n\
         const TEST_PIXELS: [[u8; 784]; {n}] = [\n{}];\n\
         /// Their digits.\n\
         const TEST_LABELS: [usize; {n}] = [{}];\n\
         /// The logits the host computes for them.\n\
         const HOST_LOGITS: [[f32; 10]; {n}] = [\n{}];\n\
         /// The int8 logits the host computes for them.\n\
         const HOST_INT8_LOGITS: [[i8; 10]; {n}] = [\n{}];\n\n{}\n{}",
        pixels.concat(),
        labels.join(", "),
        logits.concat(),
        int8_logits.concat(),
        cnn.rust_const("LENET"),
        q8.rust_const("LENET_Q8"),
        n = images.len(),
    )
}

/// 784 pixels, row by row, as one channel of 28 × 28.
fn image(pixels: &[f32; 784]) -> Image {
    [std::array::from_fn(|row| std::array::from_fn(|col| pixels[row * 28 + col]))]
}

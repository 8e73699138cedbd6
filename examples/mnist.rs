//! Handwritten digits, 28 × 28: a small LeNet-like CNN (convolution,
//! pooling, convolution, pooling, flatten, dense) trained with Adam on 4000
//! MNIST images and tested on 1000 others (see `examples/data/README.md`),
//! next to a dense network of about as many parameters trained the same
//! way: what convolutions buy. Shows a progress bar, writes the curves to a
//! PNG and prints the CNN's confusion matrix.
//!
//! ```text
//! cargo run --release --example mnist [-- [curves.png] [--export FILE]]
//! ```
//!
//! With `--export FILE` it also writes the trained CNN as Rust source, with
//! a few test images and the host's logits for them, for the firmware:
//! `cargo run --release --example mnist -- --export examples/firmware/src/mnist_weights.rs`.

mod common;

use std::error::Error;
use std::io::Read;

use constnet::metrics::confusion_matrix;
use constnet::prelude::*;
use constnet::source::ToRust;
use constnet::train::Epoch;
use indicatif::{ProgressBar, ProgressStyle};
use plotters::prelude::*;
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

const EPOCHS: usize = 20;
const BATCH: usize = 32;

/// The CNN's test accuracy, in percent, below which the example fails.
const MIN_TEST_ACCURACY: f64 = 97.0;

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
    let cnn_curves = fit("CNN", &mut cnn, train, test, &mut rng)?;

    let train_mlp = Dataset::new(&train_vectors, &train_targets)?;
    let test_mlp = Dataset::new(&test_vectors, &test_targets)?;
    let mut mlp: Mlp = Mlp::random(&mut rng);
    let mlp_curves = fit("MLP", &mut mlp, train_mlp, test_mlp, &mut rng)?;

    // A machine without fonts cannot draw the labels: the curves are a
    // bonus, the training result is not.
    match plot(&path, &[cnn_curves, mlp_curves]) {
        Ok(()) => println!("loss and accuracy curves: {path}"),
        Err(error) => eprintln!("could not draw the curves into {path}: {error}"),
    }

    if let Some(export) = export {
        std::fs::write(&export, firmware_source(&cnn, &exported))?;
        println!("weights written to {export}");
    }

    println!("CNN confusion matrix (rows: true digit, columns: predicted):");
    println!("     {}", (0..10).map(|d| format!("{d:>4}")).collect::<String>());
    for (digit, row) in confusion_matrix(&cnn, &test).iter().enumerate() {
        println!("{digit:>4} {}", row.iter().map(|n| format!("{n:>4}")).collect::<String>());
    }
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
    println!("test accuracy: {:.1}%", 100.0 * cnn_accuracy);
    common::require_accuracy(100.0 * cnn_accuracy, MIN_TEST_ACCURACY)
}

/// The CNN as Rust source, with test images (their pixels 0 to 255), their
/// labels and the logits the host computes for them.
fn firmware_source(cnn: &LeNet, images: &[([f32; 784], usize)]) -> String {
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
    format!(
        "// The MNIST CNN, trained and written by\n\
         // `cargo run --release --example mnist -- --export <this file>`.\n\n\
         /// Test images, row by row, pixels from 0 to 255.\n\
         const TEST_PIXELS: [[u8; 784]; {n}] = [\n{}];\n\
         /// Their digits.\n\
         const TEST_LABELS: [usize; {n}] = [{}];\n\
         /// The logits the host computes for them.\n\
         const HOST_LOGITS: [[f32; 10]; {n}] = [\n{}];\n\n{}",
        pixels.concat(),
        labels.join(", "),
        logits.concat(),
        cnn.rust_const("LENET"),
        n = images.len(),
    )
}

/// 784 pixels, row by row, as one channel of 28 × 28.
fn image(pixels: &[f32; 784]) -> Image {
    [std::array::from_fn(|row| std::array::from_fn(|col| pixels[row * 28 + col]))]
}

/// How a network learnt: its training history and its test accuracy after
/// each epoch.
struct Curves {
    name: &'static str,
    history: Vec<Epoch<f32>>,
    test_accuracy: Vec<f64>,
}

/// Trains `net` with Adam for `EPOCHS` epochs of mini-batches, with a
/// progress bar.
fn fit<N>(
    name: &'static str,
    net: &mut N,
    train: Dataset<N::Input, N::Output>,
    test: Dataset<N::Input, N::Output>,
    rng: &mut StdRng,
) -> Result<Curves, Box<dyn Error>>
where
    N: Network<f32, Grads = N>,
{
    let progress = ProgressBar::new(EPOCHS as u64)
        .with_style(ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg}")?);
    let mut test_accuracy = Vec::new();
    let history = Training::new(SoftmaxCrossEntropy, CategoricalAccuracy).epochs(EPOCHS).fit(
        net,
        &mut Adam::new(2e-3),
        train.batches::<BATCH>(),
        rng,
        |epoch, net| {
            test_accuracy.push(CategoricalAccuracy.evaluate(net, &test));
            progress.set_message(format!(
                "loss {:.4}, train {:.1}%, test {:.1}%",
                epoch.loss,
                100.0 * epoch.metric,
                100.0 * test_accuracy.last().unwrap()
            ));
            progress.inc(1);
        },
    )?;
    progress.finish();
    Ok(Curves { name, history, test_accuracy })
}

/// Loss (left) and test accuracy (right) per epoch, for each network.
fn plot(path: &str, curves: &[Curves]) -> Result<(), Box<dyn Error>> {
    if let Some(parent) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(parent)?;
    }
    let root = BitMapBackend::new(path, (1000, 400)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(500);
    let epochs = 1..EPOCHS as u32;
    let colors = [RED, BLUE];

    let max_loss = curves.iter().flat_map(|c| &c.history).map(|e| e.loss).fold(0.0, f32::max);
    let mut loss = ChartBuilder::on(&left)
        .caption("training loss", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(epochs.clone(), 0.0..max_loss)?;
    loss.configure_mesh().x_desc("epoch").draw()?;
    let mut accuracy = ChartBuilder::on(&right)
        .caption("test accuracy", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(epochs, 0.8..1.0)?;
    accuracy.configure_mesh().x_desc("epoch").draw()?;
    for (curves, color) in curves.iter().zip(colors) {
        let losses = curves.history.iter().map(|e| (e.epoch as u32, e.loss));
        loss.draw_series(LineSeries::new(losses, color))?;
        let points =
            curves.history.iter().zip(&curves.test_accuracy).map(|(e, &a)| (e.epoch as u32, a));
        accuracy
            .draw_series(LineSeries::new(points, color))?
            .label(curves.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
    }
    accuracy.configure_series_labels().border_style(BLACK).background_style(WHITE).draw()?;
    root.present()?;
    Ok(())
}

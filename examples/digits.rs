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

mod common;

use std::error::Error;
use std::io::Read;

use constnet::metrics::confusion_matrix;
use constnet::prelude::*;
use constnet::train::Epoch;
use indicatif::{ProgressBar, ProgressStyle};
use plotters::prelude::*;
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
    let progress = ProgressBar::new(EPOCHS as u64)
        .with_style(ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg}")?);
    let mut test_accuracy = Vec::new();
    let history = Training::new(SoftmaxCrossEntropy, CategoricalAccuracy).epochs(EPOCHS).fit(
        &mut net,
        &mut Adam::new(3e-3),
        train.batches::<BATCH>(),
        &mut rng,
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

    // A machine without fonts cannot draw the labels: the curves are a
    // bonus, the training result is not.
    match plot(&path, &history, &test_accuracy) {
        Ok(()) => println!("loss and accuracy curves: {path}"),
        Err(error) => eprintln!("could not draw the curves into {path}: {error}"),
    }

    println!("confusion matrix (rows: true digit, columns: predicted):");
    println!("     {}", (0..10).map(|d| format!("{d:>4}")).collect::<String>());
    for (digit, row) in confusion_matrix(&net, &test).iter().enumerate() {
        println!("{digit:>4} {}", row.iter().map(|n| format!("{n:>4}")).collect::<String>());
    }
    let accuracy = 100.0 * CategoricalAccuracy.evaluate(&net, &test);
    println!("test accuracy: {accuracy:.1}%");
    common::require_accuracy(accuracy, MIN_TEST_ACCURACY)
}

/// Loss (left) and accuracy (right) per epoch, as the lessons plot them.
fn plot(path: &str, history: &[Epoch<f32>], test_accuracy: &[f64]) -> Result<(), Box<dyn Error>> {
    if let Some(parent) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(parent)?;
    }
    let root = BitMapBackend::new(path, (1000, 400)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(500);
    let epochs = 1..history.len() as u32;

    let max_loss = history.iter().map(|e| e.loss).fold(0.0, f32::max);
    let mut loss = ChartBuilder::on(&left)
        .caption("training loss", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(epochs.clone(), 0.0..max_loss)?;
    loss.configure_mesh().x_desc("epoch").draw()?;
    loss.draw_series(LineSeries::new(history.iter().map(|e| (e.epoch as u32, e.loss)), &RED))?;

    let mut accuracy = ChartBuilder::on(&right)
        .caption("accuracy", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(epochs, 0.5..1.0)?;
    accuracy.configure_mesh().x_desc("epoch").draw()?;
    accuracy
        .draw_series(LineSeries::new(history.iter().map(|e| (e.epoch as u32, e.metric)), &BLUE))?
        .label("train")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE));
    let test_points = history.iter().zip(test_accuracy).map(|(e, &a)| (e.epoch as u32, a));
    accuracy
        .draw_series(LineSeries::new(test_points, &GREEN))?
        .label("test")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], GREEN));
    accuracy.configure_series_labels().border_style(BLACK).background_style(WHITE).draw()?;
    root.present()?;
    Ok(())
}

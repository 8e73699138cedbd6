//! What the classification examples share: training with a progress bar
//! and the test accuracy after each epoch, the curves as a PNG, and the
//! confusion matrix.

use std::error::Error;

use constnet::data::Dataset;
use constnet::metrics::confusion_matrix;
use constnet::prelude::*;
use constnet::train::Epoch;
use indicatif::{ProgressBar, ProgressStyle};
use plotters::prelude::*;
use rand::rngs::StdRng;

/// How a network learnt: its training history and its test accuracy after
/// each epoch.
pub struct Curves {
    pub name: &'static str,
    pub history: Vec<Epoch<f32>>,
    pub test_accuracy: Vec<f64>,
}

/// Trains `net` with Adam for `epochs` epochs of mini-batches of `B`,
/// softmax cross-entropy on logits, with a progress bar.
pub fn fit<N, const B: usize>(
    name: &'static str,
    net: &mut N,
    [train, test]: [Dataset<N::Input, N::Output>; 2],
    (epochs, learning_rate): (usize, f32),
    rng: &mut StdRng,
) -> Result<Curves, Box<dyn Error>>
where
    N: Network<f32, Grads = N>,
{
    let progress = ProgressBar::new(epochs as u64)
        .with_style(ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg}")?);
    let mut test_accuracy = Vec::new();
    let history = Training::new(SoftmaxCrossEntropy, CategoricalAccuracy).epochs(epochs).fit(
        net,
        &mut Adam::new(learning_rate),
        train.batches::<B>(),
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

/// The confusion matrix of `net` on `test`, rows the true classes.
pub fn print_confusion<N, const K: usize>(net: &N, test: &Dataset<N::Input, [f32; K]>)
where
    N: Layer<f32, Output = [f32; K]>,
{
    println!("confusion matrix (rows: true digit, columns: predicted):");
    println!("     {}", (0..K).map(|d| format!("{d:>4}")).collect::<String>());
    for (digit, row) in confusion_matrix(net, test).iter().enumerate() {
        println!("{digit:>4} {}", row.iter().map(|n| format!("{n:>4}")).collect::<String>());
    }
}

/// Writes the curves to `path`; a machine without fonts cannot draw the
/// labels, so a failure is said, not returned: the curves are a bonus, the
/// training result is not.
pub fn plot(path: &str, curves: &[Curves], lowest_accuracy: f64) {
    match draw(path, curves, lowest_accuracy) {
        Ok(()) => println!("loss and accuracy curves: {path}"),
        Err(error) => eprintln!("could not draw the curves into {path}: {error}"),
    }
}

/// Loss (left) and accuracy on the training and test data (right) per
/// epoch, as the lessons plot them, for each network.
fn draw(path: &str, curves: &[Curves], lowest_accuracy: f64) -> Result<(), Box<dyn Error>> {
    if let Some(parent) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(parent)?;
    }
    let root = BitMapBackend::new(path, (1000, 400)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(500);
    let epochs = 1..curves.iter().map(|c| c.history.len()).max().unwrap_or(1) as u32;
    let max_loss = curves.iter().flat_map(|c| &c.history).map(|e| e.loss).fold(0.0, f32::max);
    let mut loss = ChartBuilder::on(&left)
        .caption("training loss", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(epochs.clone(), 0.0..max_loss)?;
    loss.configure_mesh().x_desc("epoch").draw()?;
    let mut accuracy = ChartBuilder::on(&right)
        .caption("accuracy", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(epochs, lowest_accuracy..1.0)?;
    accuracy.configure_mesh().x_desc("epoch").draw()?;
    for (curves, (train_color, test_color)) in curves.iter().zip([(BLUE, GREEN), (MAGENTA, RED)]) {
        let losses = curves.history.iter().map(|e| (e.epoch as u32, e.loss));
        loss.draw_series(LineSeries::new(losses, train_color))?;
        let train = curves.history.iter().map(|e| (e.epoch as u32, e.metric));
        let test =
            curves.history.iter().zip(&curves.test_accuracy).map(|(e, &a)| (e.epoch as u32, a));
        for (points, color, data) in [
            (train.collect::<Vec<_>>(), train_color, "train"),
            (test.collect(), test_color, "test"),
        ] {
            accuracy
                .draw_series(LineSeries::new(points, color))?
                .label(format!("{} {data}", curves.name).trim_start().to_string())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
        }
    }
    accuracy.configure_series_labels().border_style(BLACK).background_style(WHITE).draw()?;
    root.present()?;
    Ok(())
}

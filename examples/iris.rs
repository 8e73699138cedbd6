//! Fisher's iris: 4 measurements, 3 species. Unlike the digits example,
//! the features are standardized first, the network ends in an explicit
//! `Softmax` layer followed by the categorical cross-entropy, and it learns
//! online (one sample per step) with Nesterov momentum.
//!
//! ```text
//! cargo run --release --example iris
//! ```
//!
//! Exits with an error if the test accuracy is below `MIN_TEST_ACCURACY`.

mod common;

use std::error::Error;

use constnet::metrics::confusion_matrix;
use constnet::prelude::*;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

network! {
    /// Standardized measurements in, species probabilities out.
    pub struct Iris<f32> {
        hidden: Dense<4, 8>,
        Tanh,
        out: Dense<8, 3>,
        Softmax,
    }
}

const SPECIES: [&str; 3] = ["setosa", "versicolor", "virginica"];
/// The lowest test accuracy, in percent, this example accepts (README quotes what it reaches).
const MIN_TEST_ACCURACY: f64 = 85.0;

fn main() -> Result<(), Box<dyn Error>> {
    let mut samples = common::parse::<4, 3>(include_str!("data/iris.csv"), 1)?;
    let mut rng = StdRng::seed_from_u64(3);
    samples.shuffle(&mut rng);
    let (train, test) = samples.split_at(samples.len() * 4 / 5);
    let (mut train_inputs, train_targets) = common::arrays(train);
    let (mut test_inputs, test_targets) = common::arrays(test);

    // Standardize with the training set's statistics only.
    let (mean, std) = mean_and_std(&train_inputs);
    for x in train_inputs.iter_mut().chain(&mut test_inputs) {
        *x = std::array::from_fn(|i| (x[i] - mean[i]) / std[i]);
    }
    let train = Dataset::new(&train_inputs, &train_targets)?;
    let test = Dataset::new(&test_inputs, &test_targets)?;

    let mut iris: Iris = Iris::random(&mut rng);
    Training::new(CrossEntropy, CategoricalAccuracy).epochs(40).fit(
        &mut iris,
        &mut Momentum::nesterov(0.01, 0.9),
        train.batches::<1>(),
        &mut rng,
        |epoch, _| {
            if epoch.epoch % 10 == 0 {
                println!(
                    "epoch {:>2}: loss {:.4}, training accuracy {:.1}%",
                    epoch.epoch,
                    epoch.loss,
                    100.0 * epoch.metric
                );
            }
        },
    )?;

    println!("test set, true species against predicted:");
    println!("{:>10} {:>10} {:>10} {:>10}", "", SPECIES[0], SPECIES[1], SPECIES[2]);
    for (species, row) in SPECIES.iter().zip(confusion_matrix(&iris, &test)) {
        println!("{species:>10} {:>10} {:>10} {:>10}", row[0], row[1], row[2]);
    }
    let accuracy = 100.0 * CategoricalAccuracy.evaluate(&iris, &test);
    println!("test accuracy: {accuracy:.1}%");
    common::require_accuracy(accuracy, MIN_TEST_ACCURACY)
}

/// Per-feature mean and standard deviation.
fn mean_and_std(inputs: &[[f32; 4]]) -> ([f32; 4], [f32; 4]) {
    let n = inputs.len() as f32;
    let mean: [f32; 4] = std::array::from_fn(|i| inputs.iter().map(|x| x[i]).sum::<f32>() / n);
    let std = std::array::from_fn(|i| {
        let variance = inputs.iter().map(|x| (x[i] - mean[i]).powi(2)).sum::<f32>() / n;
        variance.sqrt().max(f32::EPSILON)
    });
    (mean, std)
}

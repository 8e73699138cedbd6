//! Data sets, metrics and the training loop.

use constnet::data::{DataError, Dataset, Side};
use constnet::metrics::{argmax, confusion_matrix};
use constnet::prelude::*;
use constnet::train::{Epoch, Quantity, TrainError};
use rand::rngs::SmallRng;

network! {
    struct Line<f64> { fit: Dense<2, 1> }
}

const INPUTS: [[f64; 2]; 5] = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0], [-3.0, 0.5]];
const TARGETS: [[f64; 1]; 5] = [[1.0], [-2.0], [0.5], [4.0], [-7.0]];

fn start() -> Line {
    Line { fit: Dense::new([[0.3], [-0.2]], [0.1]) }
}

#[test]
fn a_data_set_refuses_mismatched_lengths_no_samples_and_non_finite_values() {
    let none: [[f64; 2]; 0] = [];
    let targets: [[f64; 1]; 0] = [];
    assert_eq!(Dataset::new(&none, &targets).unwrap_err(), DataError::Empty);
    assert_eq!(
        Dataset::new(&INPUTS, &TARGETS[..4]).unwrap_err(),
        DataError::LengthMismatch { inputs: 5, targets: 4 }
    );

    let mut inputs = INPUTS;
    inputs[3][1] = f64::NAN;
    let error = Dataset::new(&inputs, &TARGETS).unwrap_err();
    assert_eq!(error, DataError::NotFinite { sample: 3, side: Side::Input, index: 1 });
    assert_eq!(error.to_string(), "the input of sample 3 holds NaN or infinity at index 1");

    let mut targets = TARGETS;
    targets[4][0] = f64::NEG_INFINITY;
    let error = Dataset::new(&INPUTS, &targets).unwrap_err();
    assert_eq!(error, DataError::NotFinite { sample: 4, side: Side::Target, index: 0 });
}

/// One epoch in the data set's order, written out by hand: two full
/// mini-batches of 2 through the batch path, then the fifth sample alone.
#[test]
fn the_last_partial_batch_is_trained_on_not_dropped() {
    let data = Dataset::new(&INPUTS, &TARGETS).unwrap();
    let mut net = start();
    let history = Training::new(Mse, MeanLoss(Mse))
        .epochs(1)
        .shuffle(false)
        .fit(
            &mut net,
            &mut Sgd::new(0.05),
            data.batches::<2>(),
            &mut SmallRng::seed_from_u64(0),
            |_, _| {},
        )
        .unwrap();

    let mut expected = start();
    let mut losses = 0.0;
    for (inputs, targets) in [(&INPUTS[0..2], &TARGETS[0..2]), (&INPUTS[2..4], &TARGETS[2..4])] {
        let mut grads = LineGrads::zeros();
        let (inputs, targets) = (inputs.try_into().unwrap(), targets.try_into().unwrap());
        losses += 2.0 * expected.loss_and_grad_batch::<_, 2>(inputs, targets, &Mse, &mut grads);
        expected.sgd_step(&grads, 0.05);
    }
    let mut grads = LineGrads::zeros();
    losses += expected.loss_and_grad(&INPUTS[4], &TARGETS[4], &Mse, &mut grads);
    expected.sgd_step(&grads, 0.05);

    assert_eq!(net.fit, expected.fit);
    assert!((history[0].loss - losses / 5.0).abs() < 1e-12);
    assert_eq!(history[0].epoch, 1);
    // The metric is measured after the epoch, on all five samples.
    let after: f64 = INPUTS.iter().zip(&TARGETS).map(|(x, t)| Mse.value(&net.forward(x), t)).sum();
    assert!((history[0].metric - after / 5.0).abs() < 1e-12);
}

#[test]
fn batches_of_one_are_online_learning() {
    let data = Dataset::new(&INPUTS, &TARGETS).unwrap();
    let mut net = start();
    Training::new(Mse, MeanLoss(Mse))
        .epochs(3)
        .shuffle(false)
        .fit(
            &mut net,
            &mut Sgd::new(0.02),
            data.batches::<1>(),
            &mut SmallRng::seed_from_u64(0),
            |_, _| {},
        )
        .unwrap();

    let mut expected = start();
    for _ in 0..3 {
        for (input, target) in INPUTS.iter().zip(&TARGETS) {
            let mut grads = LineGrads::zeros();
            expected.loss_and_grad(input, target, &Mse, &mut grads);
            expected.sgd_step(&grads, 0.02);
        }
    }
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-12);
    assert!(close(net.fit.weight.as_flattened(), expected.fit.weight.as_flattened()));
    assert!(close(&net.fit.bias, &expected.fit.bias));
}

fn shuffled_training(seed: u64) -> (Line, Vec<Epoch<f64>>) {
    let data = Dataset::new(&INPUTS, &TARGETS).unwrap();
    let mut net = start();
    let mut epochs_seen = Vec::new();
    let history = Training::new(Mse, MeanLoss(Mse))
        .epochs(4)
        .fit(
            &mut net,
            &mut Adam::new(0.1),
            data.batches::<2>(),
            &mut SmallRng::seed_from_u64(seed),
            |epoch, _| epochs_seen.push(epoch.epoch),
        )
        .unwrap();
    assert_eq!(epochs_seen, [1, 2, 3, 4], "one report per epoch, in order");
    (net, history)
}

#[test]
fn shuffling_is_deterministic_for_a_seed() {
    let (net, history) = shuffled_training(5);
    let (again, history_again) = shuffled_training(5);
    assert_eq!((net.fit, history), (again.fit, history_again));
    // With five samples in batches of two, another order gives other steps.
    let (other, _) = shuffled_training(6);
    assert_ne!(net.fit, other.fit);
}

#[test]
fn training_reduces_the_loss() {
    let (_, history) = shuffled_training(1);
    assert!(history[3].metric < history[0].metric / 2.0, "{history:?}");
}

#[test]
fn a_diverging_loss_stops_training_with_an_error() {
    let data = Dataset::new(&INPUTS, &TARGETS).unwrap();
    let mut net = start();
    let result = Training::new(Mse, MeanLoss(Mse)).epochs(500).shuffle(false).fit(
        &mut net,
        &mut Sgd::new(100.0),
        data.batches::<5>(),
        &mut SmallRng::seed_from_u64(0),
        |_, _| {},
    );
    let Err(error @ TrainError::Diverged { epoch, sample: 0 }) = result else {
        panic!("expected divergence, found {result:?}");
    };
    assert!(epoch > 1 && error.to_string().contains("try a smaller learning rate"));
}

/// Trains `net` on `inputs` and `targets`, one epoch in order, with SGD.
fn sgd_epoch(
    net: &mut Line,
    inputs: &[[f64; 2]],
    targets: &[[f64; 1]],
    learning_rate: f64,
) -> Result<Vec<Epoch<f64>>, TrainError> {
    Training::new(Mse, MeanLoss(Mse)).epochs(1).shuffle(false).fit(
        net,
        &mut Sgd::new(learning_rate),
        Dataset::new(inputs, targets).unwrap().batches::<1>(),
        &mut SmallRng::seed_from_u64(0),
        |_, _| {},
    )
}

#[test]
fn a_gradient_that_overflows_stops_training_and_is_named() {
    // The loss, (0 − 1e10)² = 1e20, is finite; the weight's gradient,
    // 1e300 · 2 · (0 − 1e10), is not.
    let mut net = Line::zeros();
    let result = sgd_epoch(&mut net, &[[0.5, 1e300]], &[[1e10]], 0.1);
    let Err(error) = result else { panic!("expected an error, found {result:?}") };
    let expected = TrainError::NotFinite {
        epoch: 1,
        sample: 0,
        quantity: Quantity::Gradient,
        element: "fit.weight[1][0]".to_string(),
        value: f64::NEG_INFINITY,
    };
    assert_eq!(error, expected);
    assert!(
        error.to_string().starts_with("the gradient of fit.weight[1][0] is -inf before the update")
    );
    // The update was not made.
    assert_eq!(net.fit, Line::zeros().fit);
}

#[test]
fn a_parameter_that_overflows_stops_training_and_is_named() {
    // Prediction 0.4 against 10: gradients −19.2 for the first weight and
    // the bias, 0 for the second weight. A step of f64::MAX along them
    // overflows the first weight first. The loss, taken before the update,
    // is finite, and no mini-batch follows to see the parameters: watching
    // the loss alone, training would end well.
    let mut net = start();
    let result = sgd_epoch(&mut net, &[[1.0, 0.0]], &[[10.0]], f64::MAX);
    let Err(error) = result else { panic!("expected an error, found {result:?}") };
    let expected = TrainError::NotFinite {
        epoch: 1,
        sample: 0,
        quantity: Quantity::Parameter,
        element: "fit.weight[0][0]".to_string(),
        value: f64::INFINITY,
    };
    assert_eq!(error, expected);
    assert!(
        error.to_string().starts_with("the parameter fit.weight[0][0] is inf after the update")
    );
    assert_eq!((net.fit.weight, net.fit.bias), ([[f64::INFINITY], [-0.2]], [f64::INFINITY]));
}

#[test]
fn binary_accuracy_counts_each_output_on_the_right_side_of_one_half() {
    assert_eq!(BinaryAccuracy.score(&[0.7, 0.2, 0.5, 0.49], &[1.0, 0.0, 1.0, 1.0]), 0.75);
    assert_eq!(BinaryAccuracy.score(&[0.1f32], &[1.0]), 0.0);
}

#[test]
fn categorical_accuracy_compares_the_largest_positions() {
    assert_eq!(CategoricalAccuracy.score(&[0.1, 0.6, 0.3], &[0.0, 1.0, 0.0]), 1.0);
    assert_eq!(CategoricalAccuracy.score(&[0.5, 0.4, 0.1], &[0.0, 1.0, 0.0]), 0.0);
}

#[test]
fn argmax_takes_the_first_of_ties_and_never_nan() {
    assert_eq!(argmax(&[1.0, 3.0, 3.0]), Some(1));
    assert_eq!(argmax(&[f64::NAN, 2.0, 1.0]), Some(1));
    assert_eq!(argmax(&[0.5, f64::NAN]), Some(0));
    assert_eq!(argmax::<f32>(&[]), None);
}

#[test]
fn mean_loss_and_evaluate_average_over_the_samples() {
    let net = start();
    let data = Dataset::new(&INPUTS, &TARGETS).unwrap();
    // Predictions 0.4, -0.1, 0.2, 0.9, -0.9 against 1, -2, 0.5, 4, -7.
    let expected = (0.36 + 3.61 + 0.09 + 9.61 + 37.21) / 5.0;
    assert!((MeanLoss(Mse).evaluate(&net, &data) - expected).abs() < 1e-12);
}

#[test]
fn the_confusion_matrix_counts_true_against_predicted_classes() {
    // Predicts class 1 for everything.
    let always_one = Dense::<f64, 2, 3>::new([[0.0; 3]; 2], [0.0, 1.0, 0.0]);
    let inputs = [[0.0, 0.0]; 4];
    let targets = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]];
    let data = Dataset::new(&inputs, &targets).unwrap();
    assert_eq!(confusion_matrix(&always_one, &data), [[0, 1, 0], [0, 1, 0], [0, 2, 0]]);
}

#[test]
fn train_batch_is_one_step_on_the_gradient_of_the_mean_loss() {
    let (inputs, targets) = (&INPUTS[..4].try_into().unwrap(), &TARGETS[..4].try_into().unwrap());
    let mut net = start();
    // Whatever `grads` held before is replaced, not added to.
    let mut grads = Line { fit: Dense::new([[9.0], [9.0]], [9.0]) };
    let loss = net.train_batch::<_, _, 4>(inputs, targets, &Mse, &mut Sgd::new(0.1), &mut grads);

    let mut expected = start();
    let mut expected_grads = LineGrads::zeros();
    let expected_loss = expected.loss_and_grad_batch(inputs, targets, &Mse, &mut expected_grads);
    expected.sgd_step(&expected_grads, 0.1);
    assert_eq!((loss, net.fit, grads.fit), (expected_loss, expected.fit, expected_grads.fit));
}

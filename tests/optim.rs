//! Every optimizer over two steps, against values worked out from PyTorch's
//! documented update rules (`torch.optim.SGD`, `Adam`, `AdamW`).
//!
//! The parameters are a `Dense<f64, 1, 1>`: a weight starting at 1.0 with
//! gradients 2.0 then -1.0, and a bias starting at -0.5 with gradients 0.5
//! then 0.25, so that a rule mixing up tensors or steps shows.

use constnet::prelude::*;

type Params1 = Dense<f64, 1, 1>;

const START: Params1 = Dense::new([[1.0]], [-0.5]);
const GRADIENTS: [Params1; 2] = [Dense::new([[2.0]], [0.5]), Dense::new([[-1.0]], [0.25])];

/// The parameters after each of the two steps.
fn two_steps(mut optimizer: impl Optimizer<f64, Params1>) -> [(f64, f64); 2] {
    let mut params = START;
    GRADIENTS.map(|grads| {
        optimizer.step(&mut params, &grads);
        (params.weight[0][0], params.bias[0])
    })
}

fn assert_close(found: [(f64, f64); 2], expected: [(f64, f64); 2]) {
    for (step, (found, expected)) in found.iter().zip(&expected).enumerate() {
        let agree = (found.0 - expected.0).abs() < 1e-12 && (found.1 - expected.1).abs() < 1e-12;
        assert!(agree, "step {}: found {found:?}, expected {expected:?}", step + 1);
    }
}

#[test]
fn sgd() {
    // θ − 0.1·g: 1 − 0.2 = 0.8, then 0.8 + 0.1 = 0.9; −0.5 − 0.05, then − 0.025.
    assert_close(two_steps(Sgd::new(0.1)), [(0.8, -0.55), (0.9, -0.575)]);
}

#[test]
fn momentum() {
    // v = 2, θ = 1 − 0.2 = 0.8; v = 0.9·2 − 1 = 0.8, θ = 0.8 − 0.08 = 0.72.
    // v = 0.5, θ = −0.55; v = 0.45 + 0.25 = 0.7, θ = −0.55 − 0.07 = −0.62.
    assert_close(two_steps(Momentum::new(0.1, 0.9)), [(0.8, -0.55), (0.72, -0.62)]);
}

#[test]
fn nesterov() {
    // v = 2, step along 2 + 0.9·2 = 3.8: θ = 0.62; v = 0.8, along −1 + 0.72: θ = 0.648.
    // v = 0.5, along 0.95: θ = −0.595; v = 0.7, along 0.25 + 0.63 = 0.88: θ = −0.683.
    assert_close(two_steps(Momentum::nesterov(0.1, 0.9)), [(0.62, -0.595), (0.648, -0.683)]);
}

#[test]
fn adam() {
    // Step 1: m̂ = g and v̂ = g², so θ moves by 0.1·g/(|g| + 1e-8).
    // Step 2 (weight): m = 0.08, v = 0.004996, m̂ = 0.08/0.19,
    // v̂ = 0.004996/0.001999, θ = 0.9000000005 − 0.1·m̂/(√v̂ + 1e-8).
    assert_close(
        two_steps(Adam::new(0.1)),
        [(0.9000000005, -0.599999998), (0.8733662967024315, -0.6932179595225376)],
    );
}

#[test]
fn adamw() {
    // As Adam, after θ ← θ·(1 − 0.1·0.01) at each step.
    assert_close(
        two_steps(Adam::adamw(0.1, 0.01)),
        [(0.8990000005, -0.599499998), (0.8714672967019315, -0.6921184595245375)],
    );
}

#[test]
fn adam_counts_its_steps_and_starts_from_zero_moments() {
    let mut adam = Adam::new(0.1);
    let mut params = START;
    adam.step(&mut params, &Params1::zeros());
    // A zero gradient with zero moments moves nothing.
    assert_eq!((params, adam.steps()), (START, 1));
}

#[test]
fn momentum_velocity_has_the_parameters_shape() {
    let mut momentum = Momentum::new(0.1, 0.5);
    momentum.step(&mut START.clone(), &GRADIENTS[0]);
    assert_eq!(*momentum.velocity(), GRADIENTS[0]);
}

//! Every optimizer against PyTorch's documented update rules
//! (`torch.optim.SGD`, `Adam`, `AdamW`):
//!
//! - over two steps on a `Dense<f64, 1, 1>`, against values worked out by
//!   hand: a weight starting at 1.0 with gradients 2.0 then -1.0, and a bias
//!   starting at -0.5 with gradients 0.5 then 0.25, so that a rule mixing up
//!   tensors or steps shows;
//! - over `STEPS` steps on a nested network of 48 parameters in 10 tensors,
//!   with drawn parameters, gradients and settings, against the rules
//!   written out below as loops over flat vectors, every element of every
//!   tensor after every step.

use constnet::prelude::*;
use proptest::prelude::*;

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
    assert_eq!(adam.steps(), 0);
    for steps in 1..=3 {
        adam.step(&mut params, &Params1::zeros());
        // A zero gradient with zero moments moves nothing.
        assert_eq!((params, adam.steps()), (START, steps));
    }
}

#[test]
fn momentum_velocity_has_the_parameters_shape() {
    let mut momentum = Momentum::new(0.1, 0.5);
    momentum.step(&mut START.clone(), &GRADIENTS[0]);
    assert_eq!(*momentum.velocity(), GRADIENTS[0]);
}

network! {
    #[derive(Clone, Debug)]
    struct Inner<f64> { a: Dense<3, 4>, Tanh, b: Dense<4, 2> }
}

network! {
    /// A network inside, between dense layers.
    #[derive(Clone, Debug)]
    struct Outer<f64> { first: Dense<2, 3>, Relu, inner: Inner, out: Dense<2, 3>, last: Dense<3, 1> }
}

/// Steps per property test.
const STEPS: usize = 5;

/// An update rule as PyTorch documents it, on the parameters as one flat
/// vector (tensor after tensor, each row-major).
trait Reference {
    fn step(&mut self, params: &mut [f64], grads: &[f64]);
}

/// `torch.optim.SGD(lr, momentum, nesterov)` with `dampening = 0` and
/// `weight_decay = 0`, which is all constnet's `Sgd` and `Momentum` offer:
///
/// ```text
/// b ← g at the first step, μ·b + g after      (only if μ ≠ 0)
/// g ← g + μ·b (Nesterov), or b                 (only if μ ≠ 0)
/// θ ← θ − γ·g
/// ```
struct TorchSgd {
    lr: f64,
    momentum: f64,
    nesterov: bool,
    buffer: Option<Vec<f64>>,
}

impl Reference for TorchSgd {
    fn step(&mut self, params: &mut [f64], grads: &[f64]) {
        let mut direction = grads.to_vec();
        if self.momentum != 0.0 {
            let buffer = match self.buffer.take() {
                None => grads.to_vec(),
                Some(b) => b.iter().zip(grads).map(|(b, g)| self.momentum * b + g).collect(),
            };
            for i in 0..params.len() {
                direction[i] =
                    if self.nesterov { grads[i] + self.momentum * buffer[i] } else { buffer[i] };
            }
            self.buffer = Some(buffer);
        }
        for (p, d) in params.iter_mut().zip(&direction) {
            *p -= self.lr * d;
        }
    }
}

/// `torch.optim.Adam(lr, betas, eps)` (`weight_decay = 0`, no AMSGrad), and
/// `torch.optim.AdamW(lr, betas, eps, weight_decay)`:
///
/// ```text
/// θ ← θ − γ·λ·θ                                   (AdamW)
/// m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − γ·m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
/// ```
struct TorchAdam {
    lr: f64,
    betas: (f64, f64),
    eps: f64,
    weight_decay: f64,
    t: i32,
    m: Vec<f64>,
    v: Vec<f64>,
}

impl TorchAdam {
    fn new(lr: f64, betas: (f64, f64), eps: f64, weight_decay: f64, len: usize) -> Self {
        TorchAdam { lr, betas, eps, weight_decay, t: 0, m: vec![0.0; len], v: vec![0.0; len] }
    }
}

impl Reference for TorchAdam {
    fn step(&mut self, params: &mut [f64], grads: &[f64]) {
        self.t += 1;
        let (beta1, beta2) = self.betas;
        for i in 0..params.len() {
            params[i] -= self.lr * self.weight_decay * params[i];
            self.m[i] = beta1 * self.m[i] + (1.0 - beta1) * grads[i];
            self.v[i] = beta2 * self.v[i] + (1.0 - beta2) * grads[i] * grads[i];
            let m_hat = self.m[i] / (1.0 - beta1.powi(self.t));
            let v_hat = self.v[i] / (1.0 - beta2.powi(self.t));
            params[i] -= self.lr * m_hat / (v_hat.sqrt() + self.eps);
        }
    }
}

fn flat<P: Params<f64>>(params: &P) -> Vec<f64> {
    (0..P::TENSORS).flat_map(|i| params.tensor(i).expect("TENSORS tensors").to_vec()).collect()
}

fn from_flat<P: Params<f64>>(values: &[f64]) -> P {
    assert_eq!(values.len(), P::PARAMS, "one value per parameter");
    let mut params = P::zeros();
    let mut values = values.iter();
    for index in 0..P::TENSORS {
        let tensor = params.tensor_mut(index).expect("TENSORS tensors");
        tensor.iter_mut().zip(&mut values).for_each(|(p, &v)| *p = v);
    }
    params
}

/// Where flat position `position` lives: `inner.a.weight[2][1]`.
fn element_name<P: Params<f64>>(mut position: usize) -> String {
    let mut index = 0;
    while let Some(info) = P::tensor_info(index) {
        if position < info.len() {
            return info.element(position).to_string();
        }
        position -= info.len();
        index += 1;
    }
    format!("position {position} past the last tensor")
}

/// Runs `optimizer` and `reference` side by side from `start` over
/// `gradients`, comparing every parameter after every step.
fn agree(
    mut optimizer: impl Optimizer<f64, Outer>,
    mut reference: impl Reference,
    start: &[f64],
    gradients: &[Vec<f64>],
) -> Result<(), TestCaseError> {
    let mut net: Outer = from_flat(start);
    let mut expected = start.to_vec();
    for (step, grads) in gradients.iter().enumerate() {
        optimizer.step(&mut net, &from_flat(grads));
        reference.step(&mut expected, grads);
        for (position, (found, expected)) in flat(&net).iter().zip(&expected).enumerate() {
            prop_assert!(
                (found - expected).abs() <= 1e-12 * (1.0 + expected.abs()),
                "step {}: {} is {:e}, PyTorch's rule gives {:e}",
                step + 1,
                element_name::<Outer>(position),
                found,
                expected
            );
        }
    }
    Ok(())
}

fn parameters() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(-2.0..2.0, Outer::<f64>::PARAMS)
}

/// `STEPS` gradients; some elements exactly zero, which moves nothing for
/// SGD and leaves Adam's moments to decay.
fn gradients() -> impl Strategy<Value = Vec<Vec<f64>>> {
    let element = prop_oneof![1 => Just(0.0), 9 => -3.0..3.0];
    proptest::collection::vec(proptest::collection::vec(element, Outer::<f64>::PARAMS), STEPS)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sgd_over_several_steps(start in parameters(), gradients in gradients(), lr in 1e-3..0.5) {
        let reference = TorchSgd { lr, momentum: 0.0, nesterov: false, buffer: None };
        agree(Sgd::new(lr), reference, &start, &gradients)?;
    }

    #[test]
    fn momentum_over_several_steps(
        start in parameters(),
        gradients in gradients(),
        lr in 1e-3..0.5,
        momentum in 0.0..0.99,
    ) {
        let reference = TorchSgd { lr, momentum, nesterov: false, buffer: None };
        agree(Momentum::new(lr, momentum), reference, &start, &gradients)?;
    }

    #[test]
    fn nesterov_over_several_steps(
        start in parameters(),
        gradients in gradients(),
        lr in 1e-3..0.5,
        momentum in 0.0..0.99,
    ) {
        let reference = TorchSgd { lr, momentum, nesterov: true, buffer: None };
        agree(Momentum::nesterov(lr, momentum), reference, &start, &gradients)?;
    }

    #[test]
    fn adam_over_several_steps(
        start in parameters(),
        gradients in gradients(),
        lr in 1e-3..0.5,
        beta1 in 0.0..0.99,
        beta2 in 0.9..0.9999,
        eps in prop_oneof![Just(1e-8), 1e-10..1e-3],
    ) {
        let mut adam = Adam::new(lr);
        (adam.beta1, adam.beta2, adam.epsilon) = (beta1, beta2, eps);
        let reference = TorchAdam::new(lr, (beta1, beta2), eps, 0.0, start.len());
        agree(adam, reference, &start, &gradients)?;
    }

    #[test]
    fn adamw_over_several_steps(
        start in parameters(),
        gradients in gradients(),
        lr in 1e-3..0.5,
        weight_decay in 1e-3..0.5,
        beta1 in 0.0..0.99,
        beta2 in 0.9..0.9999,
    ) {
        let mut adamw = Adam::adamw(lr, weight_decay);
        (adamw.beta1, adamw.beta2) = (beta1, beta2);
        let reference = TorchAdam::new(lr, (beta1, beta2), 1e-8, weight_decay, start.len());
        agree(adamw, reference, &start, &gradients)?;
    }
}

#[test]
fn the_nested_network_names_its_elements() {
    assert_eq!(
        Outer::<f64>::PARAMS,
        (2 * 3 + 3) + (3 * 4 + 4) + (4 * 2 + 2) + (2 * 3 + 3) + (3 + 1)
    );
    assert_eq!(element_name::<Outer>(9 + 16 + 8), "inner.b.bias[0]");
}

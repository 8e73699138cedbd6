//! Gradient property tests of the building blocks, in `f64`: every
//! activation, every loss and the dense layer, each alone, against central
//! finite differences ([`GradCheck`]), with random inputs, weights,
//! cotangents and targets. Then the checker itself: a deliberately wrong
//! derivative must fail its report, which must name where it is. Then the
//! extremes: inputs and logits up to `1e4` in magnitude, in `f32` and `f64`,
//! must give finite values in range.
//!
//! A random point within [`GradCheck::kink_margin`] of a ReLU kink is
//! rejected (drawn again), never accepted with a looser tolerance.

use constnet::gradcheck::{Error, GradCheck, Location, Report};
use constnet::layer::{
    Activation, Dense, Identity, LeakyRelu, Relu, Relu6, Sigmoid, Softmax, Tanh,
};
use constnet::loss::{
    BinaryCrossEntropy, BinaryCrossEntropyWithLogits, CrossEntropy, Mse, SoftmaxCrossEntropy,
};
use constnet::{Layer, Loss, Params, Scalar, network};
use proptest::array;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Proptest settings. A failing case is saved to
/// `gradients.proptest-regressions` beside this file, to be committed: every
/// run replays it first.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig::with_cases(cases)
}

/// The verdict on one check: a point near a kink is rejected, anything but
/// a passing report over exactly `expected` derivatives fails the test.
fn verdict(result: Result<Report, Error>, expected: usize) -> Result<Report, TestCaseError> {
    let report = match result {
        Ok(report) => report,
        Err(kink @ Error::NearKink { .. }) => {
            return Err(TestCaseError::reject(kink.to_string()));
        }
        Err(error) => return Err(TestCaseError::fail(error.to_string())),
    };
    prop_assert_eq!(report.checked, expected, "derivatives checked");
    prop_assert!(report.passed(), "{report}");
    Ok(report)
}

fn check_activation<A: Activation, const N: usize>(
    activation: &A,
    input: &[f64; N],
    cotangent: &[f64; N],
) -> Result<Report, TestCaseError> {
    verdict(GradCheck::default().activation(activation, input, cotangent), N)
}

fn check_loss<F: Loss<f64>, const N: usize>(
    loss: &F,
    prediction: &[f64; N],
    target: &[f64; N],
) -> Result<Report, TestCaseError> {
    verdict(GradCheck::default().loss(loss, prediction, target), N)
}

/// `N` values drawn from `element`.
fn vector<const N: usize>(
    element: impl Strategy<Value = f64> + Clone,
) -> impl Strategy<Value = [f64; N]> {
    array::uniform::<_, N>(element)
}

/// A non-negative target entry, exactly 0 one time in four (the terms a
/// cross-entropy skips).
fn sparse_mass(high: f64) -> impl Strategy<Value = f64> + Clone {
    prop_oneof![1 => Just(0.0), 3 => 0.0..high]
}

/// Every activation and every loss at one length `N`.
macro_rules! elementwise_suite {
    ($($module:ident => $n:literal),* $(,)?) => {$(
        mod $module {
            use super::*;

            const N: usize = $n;

            proptest! {
                #![proptest_config(config(192))]

                #[test]
                fn identity(input in vector::<N>(-6.0..6.0), cotangent in vector::<N>(-2.0..2.0)) {
                    check_activation(&Identity, &input, &cotangent)?;
                }

                #[test]
                fn sigmoid(input in vector::<N>(-8.0..8.0), cotangent in vector::<N>(-2.0..2.0)) {
                    check_activation(&Sigmoid, &input, &cotangent)?;
                }

                #[test]
                fn tanh(input in vector::<N>(-4.0..4.0), cotangent in vector::<N>(-2.0..2.0)) {
                    check_activation(&Tanh, &input, &cotangent)?;
                }

                #[test]
                fn relu(input in vector::<N>(-6.0..6.0), cotangent in vector::<N>(-2.0..2.0)) {
                    check_activation(&Relu, &input, &cotangent)?;
                }

                #[test]
                fn relu6(input in vector::<N>(-3.0..9.0), cotangent in vector::<N>(-2.0..2.0)) {
                    check_activation(&Relu6, &input, &cotangent)?;
                }

                #[test]
                fn leaky_relu(
                    slope in -1.0..1.0f64,
                    input in vector::<N>(-6.0..6.0),
                    cotangent in vector::<N>(-2.0..2.0),
                ) {
                    check_activation(&LeakyRelu::new(slope), &input, &cotangent)?;
                }

                #[test]
                fn softmax(input in vector::<N>(-10.0..10.0), cotangent in vector::<N>(-2.0..2.0)) {
                    check_activation(&Softmax, &input, &cotangent)?;
                }

                #[test]
                fn mse(prediction in vector::<N>(-5.0..5.0), target in vector::<N>(-5.0..5.0)) {
                    check_loss(&Mse, &prediction, &target)?;
                }

                #[test]
                fn binary_cross_entropy(
                    prediction in vector::<N>(0.01..0.99),
                    target in vector::<N>(prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0]),
                ) {
                    check_loss(&BinaryCrossEntropy, &prediction, &target)?;
                }

                #[test]
                fn binary_cross_entropy_with_logits(
                    logits in vector::<N>(-50.0..50.0),
                    target in vector::<N>(prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0]),
                ) {
                    check_loss(&BinaryCrossEntropyWithLogits, &logits, &target)?;
                }

                #[test]
                fn cross_entropy(
                    prediction in vector::<N>(0.001..3.0),
                    target in vector::<N>(sparse_mass(2.0)),
                ) {
                    check_loss(&CrossEntropy, &prediction, &target)?;
                }

                #[test]
                fn softmax_cross_entropy(
                    logits in vector::<N>(-50.0..50.0),
                    target in vector::<N>(sparse_mass(2.0)),
                ) {
                    check_loss(&SoftmaxCrossEntropy, &logits, &target)?;
                }
            }
        }
    )*};
}

elementwise_suite! {
    length_1 => 1,
    length_2 => 2,
    length_3 => 3,
    length_8 => 8,
    length_17 => 17,
}

/// A dense layer with every weight and bias drawn by proptest.
fn dense<const I: usize, const O: usize>() -> impl Strategy<Value = Dense<f64, I, O>> {
    (
        array::uniform::<_, I>(array::uniform::<_, O>(-2.0..2.0f64)),
        array::uniform::<_, O>(-2.0..2.0f64),
    )
        .prop_map(|(weight, bias)| Dense::new(weight, bias))
}

/// The dense layer alone, through a random cotangent and through `Mse`.
macro_rules! dense_suite {
    ($($module:ident => ($i:literal, $o:literal), cases $cases:literal);* $(;)?) => {$(
        mod $module {
            use super::*;

            const I: usize = $i;
            const O: usize = $o;
            const EXPECTED: usize = <Dense<f64, I, O> as Params<f64>>::PARAMS + I;
            // Every weight, every bias and every input: checked once, when compiling.
            const _: () = assert!(EXPECTED == I * O + O + I);

            proptest! {
                #![proptest_config(config($cases))]

                #[test]
                fn cotangent(
                    mut layer in dense::<I, O>(),
                    input in vector::<I>(-3.0..3.0),
                    cotangent in vector::<O>(-2.0..2.0),
                ) {
                    verdict(GradCheck::default().layer(&mut layer, &input, &cotangent), EXPECTED)?;
                }

                #[test]
                fn mse(
                    mut layer in dense::<I, O>(),
                    input in vector::<I>(-3.0..3.0),
                    target in vector::<O>(-3.0..3.0),
                ) {
                    let before = layer;
                    verdict(
                        GradCheck::default().layer_with_loss(&mut layer, &input, &target, &Mse),
                        EXPECTED,
                    )?;
                    // The checker perturbs the parameters in place: they must come back.
                    prop_assert_eq!(layer, before);
                }
            }
        }
    )*};
}

dense_suite! {
    dense_1_1 => (1, 1), cases 128;
    dense_1_5 => (1, 5), cases 128;
    dense_4_1 => (4, 1), cases 128;
    dense_3_7 => (3, 7), cases 96;
    dense_12_9 => (12, 9), cases 48;
    dense_32_32 => (32, 32), cases 12;
}

/// The analytic gradient of the dense layer, written out independently of
/// the library: `dW[i][j] = x_i g_j`, `db = g`, `dx_i = Σ_j W[i][j] g_j`,
/// and `backward` adds into (does not overwrite) the gradient it is given.
#[test]
fn dense_backward_matches_the_formula_and_accumulates() {
    // Dyadic values: every sum below is exact.
    let layer = Dense::<f64, 2, 3>::new([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]], [0.5, 0.25, -0.75]);
    let input = [2.0, -1.0];
    let grad_output = [1.0, 0.5, -2.0];
    let mut grads = Dense::new([[10.0; 3]; 2], [10.0; 3]);
    let (output, trace) = layer.forward_trace(&input);
    assert_eq!(output, [0.5 + 2.0 - 3.0, 0.25 - 4.0 - 0.25, -0.75 + 1.0 + 1.0]);
    let grad_input = layer.backward(&trace, &grad_output, &mut grads);
    assert_eq!(grad_input, [1.0 - 1.0 - 1.0, 3.0 + 0.125 + 2.0], "dx = W g");
    assert_eq!(grads.weight, [[12.0, 11.0, 6.0], [9.0, 9.5, 12.0]], "10 + x g");
    assert_eq!(grads.bias, [11.0, 10.5, 8.0], "10 + g");
}

// ---------------------------------------------------------------------------
// The checker must be able to fail: a 1% error in a backward pass or a loss
// gradient is caught.

/// A sigmoid whose backward pass is 1% too large.
#[derive(Clone, Copy, Debug)]
struct SkewedSigmoid;

impl Activation for SkewedSigmoid {
    fn forward<T: Scalar, V: constnet::Vector<T>>(&self, input: &V) -> V {
        Sigmoid.forward(input)
    }
    fn forward_trace<T: Scalar, V: constnet::Vector<T>>(&self, input: &V) -> (V, V) {
        Sigmoid.forward_trace(input)
    }
    fn backward<T: Scalar, V: constnet::Vector<T>>(&self, kept: &V, grad_output: &V) -> V {
        let mut grad_input = Sigmoid.backward(kept, grad_output);
        grad_input.scalars_mut().iter_mut().for_each(|g| *g *= T::from_f64(1.01));
        grad_input
    }
}

/// Mean squared error whose gradient forgets the factor 2.
#[derive(Clone, Copy, Debug)]
struct HalfGradientMse;

impl Loss<f64> for HalfGradientMse {
    fn value<V: constnet::Vector<f64>>(&self, prediction: &V, target: &V) -> f64 {
        Loss::<f64>::value(&Mse, prediction, target)
    }
    fn gradient<V: constnet::Vector<f64>>(&self, prediction: &V, target: &V) -> V {
        let mut gradient = Loss::<f64>::gradient(&Mse, prediction, target);
        gradient.scalars_mut().iter_mut().for_each(|g| *g *= 0.5);
        gradient
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn a_skewed_activation_gradient_is_caught(
        input in vector::<4>(-3.0..3.0),
        cotangent in vector::<4>(prop_oneof![-2.0..-0.5, 0.5..2.0]),
    ) {
        let report = GradCheck::default().activation(&SkewedSigmoid, &input, &cotangent).unwrap();
        prop_assert!(!report.passed(), "{}", report);
    }

    #[test]
    fn a_wrong_loss_gradient_is_caught(
        prediction in vector::<3>(-3.0..3.0),
        offset in vector::<3>(prop_oneof![-2.0..-0.5, 0.5..2.0]),
    ) {
        let target: [f64; 3] = core::array::from_fn(|i| prediction[i] + offset[i]);
        let report = GradCheck::default().loss(&HalfGradientMse, &prediction, &target).unwrap();
        prop_assert!(!report.passed(), "{}", report);
    }

    #[test]
    fn a_wrong_weight_gradient_is_caught(
        mut layer in dense::<3, 2>(),
        input in vector::<3>(prop_oneof![-2.0..-0.5, 0.5..2.0]),
        cotangent in vector::<2>(prop_oneof![-2.0..-0.5, 0.5..2.0]),
    ) {
        // The objective ⟨c, layer(x)⟩ seen through a layer whose weight
        // gradient is doubled: `function` must flag the weights.
        let report = GradCheck::default()
            .function(
                &mut layer,
                &input,
                |layer, input| layer.forward(input).iter().zip(&cotangent).map(|(y, c)| y * c).sum(),
                |layer, input| {
                    let (_, trace) = layer.forward_trace(input);
                    let mut grads = Dense::zeros();
                    let grad_input = layer.backward(&trace, &cotangent, &mut grads);
                    grads.weight.as_flattened_mut().iter_mut().for_each(|g| *g *= 2.0);
                    (grads, grad_input)
                },
            )
            .unwrap();
        prop_assert!(!report.passed(), "{}", report);
        prop_assert!(report.failures >= 6, "{}", report);
    }

    #[test]
    fn a_point_near_the_top_of_relu6_is_refused(
        input in vector::<3>(prop_oneof![1.0..5.0, 7.0..9.0]),
        near in -9.0e-4..9.0e-4f64,
        cotangent in vector::<3>(-2.0..2.0),
    ) {
        let mut input = input;
        input[2] = 6.0 + near;
        let result = GradCheck::default().activation(&Relu6, &input, &cotangent);
        prop_assert!(
            matches!(result, Err(Error::NearKink { distance, .. }) if (distance - near.abs()).abs() < 1e-12),
            "{:?}",
            result
        );
    }

    #[test]
    fn a_point_near_a_relu_kink_is_refused(
        input in vector::<3>(prop_oneof![-3.0..-0.5, 0.5..3.0]),
        near in -9.0e-4..9.0e-4f64,
        cotangent in vector::<3>(-2.0..2.0),
    ) {
        let mut input = input;
        input[1] = near;
        for result in [
            GradCheck::default().activation(&Relu, &input, &cotangent),
            GradCheck::default().activation(&LeakyRelu::new(0.1), &input, &cotangent),
            GradCheck::default().activation(&Relu6, &input, &cotangent),
        ] {
            prop_assert!(
                matches!(result, Err(Error::NearKink { distance, .. }) if distance == near.abs()),
                "{:?}",
                result
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The checker's report names what is wrong: one wrong derivative among many
// is counted once and located by its tensor and indices (or its input), and
// a non-finite objective or derivative is an error that says where.

network! {
    /// A small smooth network for the checker's report: 3 → 4 → 2.
    #[derive(Clone, Debug, PartialEq)]
    struct Probe<f64> {
        hidden: Dense<3, 4>,
        Tanh,
        out: Dense<4, 2>,
    }
}

/// A `Probe` with every weight and bias drawn by proptest.
fn probe() -> impl Strategy<Value = Probe> {
    (dense::<3, 4>(), dense::<4, 2>()).prop_map(|(hidden, out)| Probe { hidden, out })
}

/// A fixed `Probe`, its input and a cotangent, all nonzero.
fn fixed_probe() -> (Probe, [f64; 3], [f64; 2]) {
    let hidden = Dense::new(
        [[0.5, -0.25, 0.75, -1.0], [1.25, 0.5, -0.5, 0.25], [-0.75, 1.0, 0.25, 0.5]],
        [0.1, -0.2, 0.3, -0.4],
    );
    let out = Dense::new([[1.0, -0.5], [0.25, 0.75], [-1.0, 0.5], [0.5, 1.5]], [0.25, 0.5]);
    (Probe { hidden, out }, [0.8, -0.6, 1.1], [0.7, -1.3])
}

/// `⟨c, net(x)⟩`.
fn objective(net: &Probe, input: &[f64; 3], cotangent: &[f64; 2]) -> f64 {
    net.forward(input).iter().zip(cotangent).map(|(y, c)| y * c).sum()
}

/// The gradient of [`objective`] by the backward pass, then spoiled by `spoil`.
fn spoiled_gradient(
    net: &Probe,
    input: &[f64; 3],
    cotangent: &[f64; 2],
    spoil: impl Fn(&mut Probe, &mut [f64; 3]),
) -> (Probe, [f64; 3]) {
    let (_, trace) = net.forward_trace(input);
    let mut grads = ProbeGrads::zeros();
    let mut grad_input = net.backward(&trace, cotangent, &mut grads);
    spoil(&mut grads, &mut grad_input);
    (grads, grad_input)
}

/// Checks [`objective`] at `(net, input)` against the backward pass spoiled
/// by `spoil`.
// `GradCheck`'s own result type, large because a `Location` names its tensor inline.
#[allow(clippy::result_large_err)]
fn check_spoiled(
    net: &mut Probe,
    input: &[f64; 3],
    cotangent: &[f64; 2],
    spoil: impl Fn(&mut Probe, &mut [f64; 3]),
) -> Result<Report, Error> {
    GradCheck::default().function(
        net,
        input,
        |net, input| objective(net, input, cotangent),
        |net, input| spoiled_gradient(net, input, cotangent, &spoil),
    )
}

/// What a report with exactly one wrong derivative, off by `0.1`, must say:
/// one failure out of every parameter and input, and the worst comparison
/// at `expected`, the location it displays as.
fn one_failure_at(report: &Report, expected: &str) -> Result<Location, TestCaseError> {
    // Every weight and bias (3·4 + 4 + 4·2 + 2) and every input (3).
    prop_assert_eq!(report.checked, 3 * 4 + 4 + 4 * 2 + 2 + 3, "{}", report);
    prop_assert_eq!(report.failures, 1, "{}", report);
    prop_assert!(!report.passed(), "{}", report);
    let worst = report.worst.expect("a report of a failed check has a worst comparison");
    prop_assert_eq!(worst.location.to_string(), expected, "{}", report);
    // The error is the one put in: 0.1, up to the finite-difference error.
    prop_assert!((worst.analytic - worst.numeric - 0.1).abs() < 1e-6, "{}", worst);
    // The report's own text names it too.
    prop_assert!(report.to_string().contains(expected), "{}", report);
    Ok(worst.location)
}

#[test]
fn the_checker_names_a_wrong_weight_gradient() {
    let (mut net, input, cotangent) = fixed_probe();
    let before = net.clone();
    let report = check_spoiled(&mut net, &input, &cotangent, |grads, _| {
        grads.hidden.weight[1][2] += 0.1;
    })
    .unwrap();
    assert_eq!(report.failures, 1, "{report}");
    assert!(!report.passed(), "{report}");
    let location = report.worst.unwrap().location;
    // Row-major in a 3 × 4 tensor, [1][2] is element 1·4 + 2 = 6.
    match location {
        Location::Param { tensor, index } => {
            assert_eq!(tensor.to_string(), "hidden.weight");
            assert_eq!(tensor.shape, &[3, 4]);
            assert_eq!(index, 6);
        }
        Location::Input(i) => panic!("expected a parameter, found input {i}"),
    }
    assert_eq!(location.to_string(), "hidden.weight[1][2]");
    assert_eq!(net, before, "the parameters are restored");

    // The same backward pass, unspoiled, passes: the failure was the 0.1.
    let report = check_spoiled(&mut net, &input, &cotangent, |_, _| {}).unwrap();
    assert!(report.passed(), "{report}");
    assert_eq!(report.failures, 0);
}

#[test]
fn the_checker_names_a_wrong_input_gradient() {
    let (mut net, input, cotangent) = fixed_probe();
    let report = check_spoiled(&mut net, &input, &cotangent, |_, grad_input| {
        grad_input[2] -= 0.1;
    })
    .unwrap();
    assert_eq!(report.failures, 1, "{report}");
    assert!(!report.passed(), "{report}");
    let worst = report.worst.unwrap();
    assert_eq!(worst.location, Location::Input(2));
    assert_eq!(worst.location.to_string(), "input[2]");
    assert!((worst.numeric - worst.analytic - 0.1).abs() < 1e-6, "{worst}");
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn any_wrong_hidden_weight_is_located(
        mut net in probe(),
        input in vector::<3>(-2.0..2.0),
        cotangent in vector::<2>(-2.0..2.0),
        row in 0..3usize,
        column in 0..4usize,
    ) {
        let report = check_spoiled(&mut net, &input, &cotangent, |grads, _| {
            grads.hidden.weight[row][column] += 0.1;
        })
        .unwrap();
        let location = one_failure_at(&report, &format!("hidden.weight[{row}][{column}]"))?;
        let is_it = matches!(location, Location::Param { index, .. } if index == 4 * row + column);
        prop_assert!(is_it, "{:?}", location);
    }

    #[test]
    fn any_wrong_output_bias_is_located(
        mut net in probe(),
        input in vector::<3>(-2.0..2.0),
        cotangent in vector::<2>(-2.0..2.0),
        k in 0..2usize,
    ) {
        let report = check_spoiled(&mut net, &input, &cotangent, |grads, _| {
            grads.out.bias[k] += 0.1;
        })
        .unwrap();
        one_failure_at(&report, &format!("out.bias[{k}]"))?;
    }

    #[test]
    fn any_wrong_input_derivative_is_located(
        mut net in probe(),
        input in vector::<3>(-2.0..2.0),
        cotangent in vector::<2>(-2.0..2.0),
        k in 0..3usize,
    ) {
        let report = check_spoiled(&mut net, &input, &cotangent, |_, grad_input| {
            grad_input[k] += 0.1;
        })
        .unwrap();
        let location = one_failure_at(&report, &format!("input[{k}]"))?;
        prop_assert_eq!(location, Location::Input(k));
    }
}

#[test]
fn a_nan_objective_is_an_error_that_says_where() {
    let (mut net, input, cotangent) = fixed_probe();
    let before = net.clone();
    // NaN as soon as `out.bias[1]` moves: the checker perturbs it, and only it.
    let bias = net.out.bias[1];
    let result = GradCheck::default().function(
        &mut net,
        &input,
        |net, input| {
            if net.out.bias[1] == bias { objective(net, input, &cotangent) } else { f64::NAN }
        },
        |net, input| spoiled_gradient(net, input, &cotangent, |_, _| {}),
    );
    match result {
        Err(error @ Error::NotFinite { location, value }) => {
            assert_eq!(location.to_string(), "out.bias[1]");
            assert!(value.is_nan(), "{value}");
            assert!(error.to_string().contains("out.bias[1]"), "{error}");
        }
        other => panic!("expected NotFinite at out.bias[1], found {other:?}"),
    }
    assert_eq!(net, before, "the parameters are restored after the error");

    // NaN as soon as `input[1]` moves.
    let result = GradCheck::default().function(
        &mut net,
        &input,
        |net, x| if x[1] == input[1] { objective(net, x, &cotangent) } else { f64::NAN },
        |net, x| spoiled_gradient(net, x, &cotangent, |_, _| {}),
    );
    assert!(
        matches!(result, Err(Error::NotFinite { location: Location::Input(1), value }) if value.is_nan()),
        "{result:?}"
    );

    // Infinite, not NaN, is refused the same way.
    let result = GradCheck::default().function(
        &mut net,
        &input,
        |net, x| if x[0] == input[0] { objective(net, x, &cotangent) } else { f64::INFINITY },
        |net, x| spoiled_gradient(net, x, &cotangent, |_, _| {}),
    );
    assert!(
        matches!(result, Err(Error::NotFinite { location: Location::Input(0), value }) if value == f64::INFINITY),
        "{result:?}"
    );
}

#[test]
fn a_finite_difference_that_overflows_is_an_error() {
    // Both values finite, their difference not: `n` is infinite, and a
    // tolerance of `rtol·|n|` would accept any analytic derivative.
    let (mut net, input, cotangent) = fixed_probe();
    let result = GradCheck::default().function(
        &mut net,
        &input,
        |_, x| if x[2] > input[2] { f64::MAX } else { -f64::MAX },
        |net, x| spoiled_gradient(net, x, &cotangent, |_, _| {}),
    );
    let overflowed = |location: Location| matches!(result, Err(Error::NotFinite { location: l, value }) if l == location && value == f64::INFINITY);
    assert!(overflowed(Location::Input(2)), "{result:?}");
}

#[test]
fn a_nan_analytic_derivative_is_an_error_that_says_where() {
    let (mut net, input, cotangent) = fixed_probe();
    let result = check_spoiled(&mut net, &input, &cotangent, |grads, _| {
        grads.out.weight[3][1] = f64::NAN;
    });
    match result {
        Err(Error::NotFinite { location, value }) => {
            assert_eq!(location.to_string(), "out.weight[3][1]");
            assert!(value.is_nan(), "{value}");
        }
        other => panic!("expected NotFinite at out.weight[3][1], found {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Extremes: inputs and logits up to 1e4 in magnitude, both signs, f32 and f64.

/// A value of magnitude up to `1e4`, often exactly `±1e4` or 0. (Boxed: an
/// array of unboxed unions overflows a test thread's stack in debug builds.)
fn extreme() -> BoxedStrategy<f64> {
    prop_oneof![
        1 => Just(1.0e4),
        1 => Just(-1.0e4),
        1 => Just(0.0),
        4 => -1.0e4..=1.0e4,
        2 => -100.0..100.0,
    ]
    .boxed()
}

/// A probability anywhere in `[0, 1]`, often exactly 0 or 1 or within
/// rounding of them.
fn probability() -> BoxedStrategy<f64> {
    prop_oneof![
        1 => Just(0.0),
        1 => Just(1.0),
        1 => 0.0..1.0e-6,
        1 => (1.0 - 1.0e-6)..=1.0,
        3 => 0.0..=1.0,
    ]
    .boxed()
}

fn cast<T: Scalar, const N: usize>(values: &[f64; N]) -> [T; N] {
    values.map(T::from_f64)
}

fn all_finite<T: Scalar>(values: &[T]) -> bool {
    values.iter().all(|x| x.is_finite())
}

/// Sigmoid, Tanh and Softmax on `input`: finite outputs within their
/// ranges, finite backward passes.
fn saturating_activations<T: Scalar, const N: usize>(
    input: &[f64; N],
    cotangent: &[f64; N],
) -> Result<(), TestCaseError> {
    let (input, cotangent) = (cast::<T, N>(input), cast::<T, N>(cotangent));

    let (y, kept) = Sigmoid.forward_trace(&input);
    prop_assert_eq!(y, Sigmoid.forward(&input));
    prop_assert!(y.iter().all(|&p| p >= T::ZERO && p <= T::ONE), "sigmoid {:?} -> {:?}", input, y);
    for (x, p) in input.iter().zip(&y) {
        // The sign of the input decides the side of 1/2.
        let half = T::from_f64(0.5);
        prop_assert!(
            (*x <= T::ZERO || *p >= half) && (*x >= T::ZERO || *p <= half),
            "sigmoid({}) = {}",
            x,
            p
        );
    }
    let g = Sigmoid.backward(&kept, &cotangent);
    prop_assert!(all_finite(&g), "sigmoid backward {:?} -> {:?}", input, g);

    let (y, kept) = Tanh.forward_trace(&input);
    prop_assert!(y.iter().all(|&t| t >= -T::ONE && t <= T::ONE), "tanh {:?} -> {:?}", input, y);
    let g = Tanh.backward(&kept, &cotangent);
    prop_assert!(all_finite(&g), "tanh backward {:?} -> {:?}", input, g);

    let (y, kept) = Softmax.forward_trace(&input);
    prop_assert!(y.iter().all(|&p| p >= T::ZERO && p <= T::ONE), "softmax {:?} -> {:?}", input, y);
    let total: T = y.iter().copied().sum();
    prop_assert!(
        (total - T::ONE).abs() <= T::from_f64(2.0 * N as f64) * T::epsilon(),
        "softmax {:?} sums to {}",
        input,
        total
    );
    // The largest input gets the largest probability, at least 1/N.
    let top = (0..N).fold(0, |best, i| if input[i] > input[best] { i } else { best });
    prop_assert!(y.iter().all(|&p| p <= y[top]), "softmax {:?} -> {:?}", input, y);
    prop_assert!(y[top] * T::from_f64(N as f64) >= T::ONE - T::from_f64(N as f64) * T::epsilon());
    let g = Softmax.backward(&kept, &cotangent);
    prop_assert!(all_finite(&g), "softmax backward {:?} -> {:?}", input, g);
    Ok(())
}

/// A loss's value and gradient at `(prediction, target)`: finite, and the
/// value non-negative (every loss here is a sum of non-negative terms on
/// these domains).
fn finite_loss<T: Scalar, F: Loss<T>, const N: usize>(
    loss: &F,
    prediction: &[T; N],
    target: &[T; N],
) -> Result<(), TestCaseError> {
    let (value, gradient) = loss.value_and_gradient(prediction, target);
    prop_assert!(
        value.is_finite() && value >= T::ZERO,
        "{:?}({:?}, {:?}) = {}",
        loss,
        prediction,
        target,
        value
    );
    prop_assert!(
        all_finite(&gradient),
        "{:?} gradient at ({:?}, {:?}) = {:?}",
        loss,
        prediction,
        target,
        gradient
    );
    Ok(())
}

/// Every loss at extreme predictions, logits and probabilities.
fn extreme_losses<T: Scalar, const N: usize>(
    logits: &[f64; N],
    other: &[f64; N],
    probabilities: &[f64; N],
    targets: &[f64; N],
) -> Result<(), TestCaseError> {
    let (logits, other) = (cast::<T, N>(logits), cast::<T, N>(other));
    let (probabilities, targets) = (cast::<T, N>(probabilities), cast::<T, N>(targets));

    finite_loss(&Mse, &logits, &other)?;
    finite_loss(&SoftmaxCrossEntropy, &logits, &targets)?;
    finite_loss(&BinaryCrossEntropyWithLogits, &logits, &targets)?;

    for prediction in [probabilities, Sigmoid.forward(&logits)] {
        finite_loss(&BinaryCrossEntropy, &prediction, &targets)?;
    }
    for prediction in [probabilities, Softmax.forward(&logits)] {
        finite_loss(&CrossEntropy, &prediction, &targets)?;
    }
    Ok(())
}

macro_rules! extreme_suite {
    ($($module:ident => $n:literal),* $(,)?) => {$(
        mod $module {
            use super::*;

            const N: usize = $n;

            proptest! {
                #![proptest_config(config(256))]

                #[test]
                fn activations_f32(input in vector::<N>(extreme()), cotangent in vector::<N>(-1.0e3..1.0e3)) {
                    saturating_activations::<f32, N>(&input, &cotangent)?;
                }

                #[test]
                fn activations_f64(input in vector::<N>(extreme()), cotangent in vector::<N>(-1.0e3..1.0e3)) {
                    saturating_activations::<f64, N>(&input, &cotangent)?;
                }

                #[test]
                fn losses_f32(
                    logits in vector::<N>(extreme()),
                    other in vector::<N>(extreme()),
                    probabilities in vector::<N>(probability()),
                    targets in vector::<N>(probability()),
                ) {
                    extreme_losses::<f32, N>(&logits, &other, &probabilities, &targets)?;
                }

                #[test]
                fn losses_f64(
                    logits in vector::<N>(extreme()),
                    other in vector::<N>(extreme()),
                    probabilities in vector::<N>(probability()),
                    targets in vector::<N>(probability()),
                ) {
                    extreme_losses::<f64, N>(&logits, &other, &probabilities, &targets)?;
                }
            }
        }
    )*};
}

extreme_suite! {
    extreme_1 => 1,
    extreme_2 => 2,
    extreme_5 => 5,
    extreme_16 => 16,
}

/// The exact corners, in both precisions: all logits at ±1e4, one-hot and
/// zero targets, probabilities exactly 0 and 1.
#[test]
fn extreme_corners_are_finite() {
    fn corners<T: Scalar>() {
        let big = T::from_f64(1.0e4);
        let logits = [big, -big, big, -big];
        let one_hot = [T::ZERO, T::ONE, T::ZERO, T::ZERO];
        let zeros = [T::ZERO; 4];
        let hard = [T::ONE, T::ZERO, T::ONE, T::ZERO];
        let sigmoid = Sigmoid.forward(&logits);
        assert_eq!(sigmoid, hard, "sigmoid(±1e4) in {}", core::any::type_name::<T>());
        assert_eq!(Tanh.forward(&logits), [T::ONE, -T::ONE, T::ONE, -T::ONE]);
        let softmax = Softmax.forward(&logits);
        let half = T::from_f64(0.5);
        assert_eq!(softmax, [half, T::ZERO, half, T::ZERO], "in {}", core::any::type_name::<T>());
        for target in [one_hot, zeros, hard] {
            for prediction in [hard, sigmoid, softmax, zeros, [T::ONE; 4]] {
                finite_loss(&BinaryCrossEntropy, &prediction, &target).unwrap();
                finite_loss(&CrossEntropy, &prediction, &target).unwrap();
            }
            finite_loss(&SoftmaxCrossEntropy, &logits, &target).unwrap();
            finite_loss(&BinaryCrossEntropyWithLogits, &logits, &target).unwrap();
            finite_loss(&Mse, &logits, &target).unwrap();
        }
        // Logits ±1e4 against the one-hot target [0, 1, 0, 0], by the
        // definition max(z, 0) − z·t + ln(1 + e^(−|z|)): the terms are 1e4
        // (z = 1e4, t = 0), 1e4 (z = −1e4, t = 1), 1e4, and 0 (z = −1e4,
        // t = 0), whose mean is 7500; the gradient (σ(z) − t) / 4, with
        // σ(1e4) = 1 and σ(−1e4) = 0, is [1/4, −1/4, 1/4, 0]. Every number
        // is exact in both precisions.
        let (value, gradient) = BinaryCrossEntropyWithLogits.value_and_gradient(&logits, &one_hot);
        assert_eq!(value, T::from_f64(7500.0), "in {}", core::any::type_name::<T>());
        let quarter = T::from_f64(0.25);
        assert_eq!(
            gradient,
            [quarter, -quarter, quarter, T::ZERO],
            "in {}",
            core::any::type_name::<T>()
        );
        // Right and confident: a loss and a gradient of exactly 0.
        let (value, gradient) = BinaryCrossEntropyWithLogits.value_and_gradient(&logits, &hard);
        assert_eq!((value, gradient), (T::ZERO, zeros), "in {}", core::any::type_name::<T>());
        // All the mass on the logit 1e4 below the others: the loss is 2e4.
        let value = SoftmaxCrossEntropy.value(&logits, &[T::ZERO, T::ONE, T::ZERO, T::ZERO]);
        let expected = T::from_f64(2.0e4) + T::from_f64(2.0f64.ln());
        assert!((value - expected).abs() <= expected * T::epsilon() * T::from_f64(4.0));
    }
    corners::<f32>();
    corners::<f64>();
}

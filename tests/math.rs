//! Values of activations and losses against numbers worked out by hand.

use constnet::prelude::*;
use proptest::prelude::*;

fn close(found: f64, expected: f64) -> bool {
    (found - expected).abs() <= 1e-8 * expected.abs().max(1.0)
}

#[test]
fn losses_match_their_definitions() {
    // −(ln 0.8 + ln 0.7) / 2
    let bce = BinaryCrossEntropy.value(&[0.8, 0.3], &[1.0, 0.0]);
    assert!(close(bce, 0.289_909_245_4), "{bce}");
    // −ln 0.2
    let ce = CrossEntropy.value(&[0.7, 0.2, 0.1], &[0.0, 1.0, 0.0]);
    assert!(close(ce, 1.609_437_912_4), "{ce}");
    // ln(e + e² + e³) − 3
    let sce = SoftmaxCrossEntropy.value(&[1.0, 2.0, 3.0], &[0.0, 0.0, 1.0]);
    assert!(close(sce, 0.407_605_964_5), "{sce}");
    // ((1 − 0)² + (2 − 4)²) / 2
    assert_eq!(Mse.value(&[1.0, 2.0], &[0.0, 4.0]), 2.5);
    assert_eq!(Mse.gradient(&[1.0, 2.0], &[0.0, 4.0]), [1.0, -2.0]);
}

#[test]
fn probability_losses_stay_finite_at_zero_and_one() {
    let bce = BinaryCrossEntropy.value(&[0.0, 1.0], &[1.0, 0.0]);
    assert!(close(bce, -(1e-7f64).ln()), "clamped to ε = 1e-7: {bce}");
    assert!(BinaryCrossEntropy.gradient(&[0.0f64, 1.0], &[1.0, 0.0]).iter().all(|g| g.is_finite()));
    assert_eq!(CrossEntropy.value(&[0.0, 1.0], &[0.0, 1.0]), 0.0, "0·ln 0 counts as 0");
    assert!(CrossEntropy.value(&[0.0f64, 1.0], &[1.0, 0.0]).is_finite());
    assert!(Loss::<f32>::value(&CrossEntropy, &[0.0f32, 1.0], &[1.0, 0.0]).is_finite());
}

#[test]
fn activations_match_their_definitions() {
    assert_eq!(Sigmoid.forward(&[0.0]), [0.5]);
    assert!(close(Sigmoid.forward(&[2.0])[0], 1.0 / (1.0 + (-2.0f64).exp())));
    assert!(close(Sigmoid.forward(&[-2.0])[0], 1.0 / (1.0 + 2.0f64.exp())));
    assert_eq!(Sigmoid.forward(&[-1e4, 1e4]), [0.0, 1.0]);
    assert!(close(Tanh.forward(&[0.5])[0], 0.462_117_157_3));
    assert_eq!(Relu.forward(&[-1.0, 0.0, 2.0]), [0.0, 0.0, 2.0]);
    assert_eq!(Identity.forward(&[-1.0, 2.0]), [-1.0, 2.0]);
    let p = Softmax.forward(&[1.0, 2.0, 3.0]);
    let total = 1.0f64.exp() + 2.0f64.exp() + 3.0f64.exp();
    assert!(p.iter().zip([1.0f64, 2.0, 3.0]).all(|(&p, z)| close(p, z.exp() / total)));
    assert_eq!(Softmax.forward(&[1e4, 0.0, -1e4]), [1.0, 0.0, 0.0]);
}

proptest! {
    #[test]
    fn softmax_then_cross_entropy_equals_the_fused_loss(
        logits in prop::array::uniform4(-20.0f64..20.0),
        target in prop::array::uniform4(0.0f64..1.0),
    ) {
        let probabilities = Softmax.forward(&logits);
        let fused = SoftmaxCrossEntropy.value(&logits, &target);
        prop_assert!(close(CrossEntropy.value(&probabilities, &target), fused));

        // The chain rule through the softmax Jacobian gives the fused gradient.
        let through_softmax = Softmax.backward(&probabilities, &CrossEntropy.gradient(&probabilities, &target));
        for (a, b) in through_softmax.iter().zip(SoftmaxCrossEntropy.gradient(&logits, &target)) {
            prop_assert!((a - b).abs() < 1e-9, "{through_softmax:?}");
        }
    }

    #[test]
    fn softmax_is_a_distribution(logits in prop::array::uniform8(-1e4f64..1e4)) {
        let p = Softmax.forward(&logits);
        prop_assert!(p.iter().all(|&p| (0.0..=1.0).contains(&p)));
        prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}

fn both_ways<L: Loss<f64>>(loss: L, prediction: &[f64; 5], target: &[f64; 5]) -> bool {
    loss.value_and_gradient(prediction, target)
        == (loss.value(prediction, target), loss.gradient(prediction, target))
}

proptest! {
    #[test]
    fn value_and_gradient_agree_with_the_separate_calls(
        prediction in prop::array::uniform5(0.001f64..0.999),
        target in prop::array::uniform5(0.0f64..1.0),
    ) {
        prop_assert!(both_ways(Mse, &prediction, &target));
        prop_assert!(both_ways(BinaryCrossEntropy, &prediction, &target));
        prop_assert!(both_ways(CrossEntropy, &prediction, &target));
        prop_assert!(both_ways(SoftmaxCrossEntropy, &prediction, &target));
        prop_assert!(both_ways(BinaryCrossEntropyWithLogits, &prediction, &target));
    }
}

// ---------------------------------------------------------------------------
// Documented behaviour at the edges, where the derivative is a convention.

#[test]
fn relu_takes_its_derivative_at_zero_as_zero() {
    let (output, kept) = Relu.forward_trace(&[0.0f64]);
    assert_eq!(output, [0.0]);
    assert_eq!(Relu.backward(&kept, &[1.0]), [0.0], "derivative at exactly 0");
    // Either side of 0 for contrast: 0 below, 1 above.
    let (_, kept) = Relu.forward_trace(&[-1e-300f64, 0.0, 1e-300]);
    assert_eq!(Relu.backward(&kept, &[1.0, 1.0, 1.0]), [0.0, 0.0, 1.0]);
    // The same in f32.
    let (_, kept) = Relu.forward_trace(&[0.0f32]);
    assert_eq!(Relu.backward(&kept, &[1.0f32]), [0.0]);
}

/// As PyTorch's `hardtanh_backward`, which `ReLU6` uses: no gradient at
/// either end of the range, nor beyond.
#[test]
fn relu6_takes_its_derivative_at_both_ends_as_zero() {
    let inputs = [-1e-300f64, 0.0, 1e-300, 3.0, 6.0 - 1e-12, 6.0, 6.0 + 1e-12, 9.0];
    let (output, kept) = Relu6.forward_trace(&inputs);
    assert_eq!(output, [0.0, 0.0, 1e-300, 3.0, 6.0 - 1e-12, 6.0, 6.0, 6.0]);
    assert_eq!(Relu6.backward(&kept, &[1.0; 8]), [0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    let (output, kept) = Relu6.forward_trace(&[0.0f32, 6.0, 5.5]);
    assert_eq!((output, Relu6.backward(&kept, &[1.0f32; 3])), ([0.0, 6.0, 5.5], [0.0, 0.0, 1.0]));
}

#[test]
fn leaky_relu_uses_its_slope_at_zero() {
    let leaky = LeakyRelu::new(0.25);
    let (output, kept) = leaky.forward_trace(&[0.0f64]);
    assert_eq!(output, [0.0]);
    assert_eq!(leaky.backward(&kept, &[1.0]), [0.25], "derivative at exactly 0");
    assert_eq!(leaky.backward(&kept, &[-2.0]), [-0.5]);
    // Above 0 the derivative is 1; below, the slope.
    let (_, kept) = leaky.forward_trace(&[-3.0f64, 0.0, 1e-300]);
    assert_eq!(leaky.backward(&kept, &[4.0, 4.0, 4.0]), [1.0, 1.0, 4.0]);
    // Bare `LeakyRelu` means slope 0.01, at 0 too.
    let (_, kept) = LeakyRelu::DEFAULT.forward_trace(&[0.0f64]);
    assert_eq!(LeakyRelu::DEFAULT.backward(&kept, &[1.0]), [0.01]);
    assert_eq!(LeakyRelu::default(), LeakyRelu::new(0.01));
}

#[test]
fn binary_cross_entropy_has_zero_gradient_where_it_clamps() {
    // ε = 1e-7: 0, 1e-9 and 1 − 1e-9 are clamped, and so is 1.
    for target in [0.0, 0.5, 1.0] {
        let prediction = [0.0f64, 1e-9, 1.0 - 1e-9, 1.0];
        let gradient = BinaryCrossEntropy.gradient(&prediction, &[target; 4]);
        assert_eq!(gradient, [0.0; 4], "target {target}");
    }
    let gradient = BinaryCrossEntropy.gradient(&[0.0f32, 1e-9, 1.0], &[1.0, 1.0, 0.0]);
    assert_eq!(gradient, [0.0f32; 3], "in f32");

    // Just inside, the derivative ((1 − t) / (1 − p) − t / p) / N: with N = 2,
    // −1 / (2·1e-3) = −500 at p = 1e-3, t = 1; and 1 / (2·1e-3) = 500 at
    // p = 1 − 1e-3, t = 0.
    let gradient = BinaryCrossEntropy.gradient(&[1e-3f64, 1.0 - 1e-3], &[1.0, 0.0]);
    assert!(close(gradient[0], -500.0), "{gradient:?}");
    assert!(close(gradient[1], 500.0), "{gradient:?}");
    // Clamped and unclamped side by side: only the unclamped entry moves.
    let gradient = BinaryCrossEntropy.gradient(&[1e-9f64, 1e-3], &[1.0, 1.0]);
    assert_eq!(gradient[0], 0.0);
    assert!(close(gradient[1], -500.0), "{gradient:?}");
}

/// At the ends of their clamps the losses pass the gradient, as
/// `torch.clamp` does at its bounds: the clamp takes only what lies beyond.
#[test]
fn losses_pass_the_gradient_at_the_ends_of_their_clamps() {
    // Binary cross-entropy clamps to [ε, 1 − ε], ε = 1e-7.
    let (low, high) = (1e-7f64, 1.0 - 1e-7);
    let gradient = BinaryCrossEntropy.gradient(&[low, high], &[1.0, 0.0]);
    let unclamped = [-1.0 / low / 2.0, 1.0 / (1.0 - high) / 2.0];
    assert_eq!(gradient, unclamped);
    assert!(gradient[0] < -4e6 && gradient[1] > 4e6, "{gradient:?}");
    // Cross-entropy takes a probability below the smallest normal as it.
    let p = f64::MIN_POSITIVE;
    assert_eq!(CrossEntropy.gradient(&[p, 0.5], &[1.0, 0.0]), [-1.0 / p, 0.0]);
}

#[test]
fn cross_entropy_has_zero_gradient_for_a_zero_target() {
    // −t / p where t ≠ 0; 0 where t = 0, even at p = 0 (no 0/0).
    let gradient = CrossEntropy.gradient(&[0.25f64, 0.0, 0.5, 0.25], &[0.0, 0.0, 1.0, 0.5]);
    assert_eq!(gradient, [0.0, 0.0, -2.0, -2.0]);
    let gradient = CrossEntropy.gradient(&[0.5f32, 0.0], &[0.0, 0.0]);
    assert_eq!(gradient, [0.0f32; 2], "in f32");
}

#[test]
fn binary_cross_entropy_with_logits_matches_its_definition() {
    // At z = 0: ln 2 whatever the target; gradient (1/2 − t) / N.
    let value = BinaryCrossEntropyWithLogits.value(&[0.0f64, 0.0], &[1.0, 0.0]);
    assert!(close(value, 2.0f64.ln()), "{value}");
    assert_eq!(BinaryCrossEntropyWithLogits.gradient(&[0.0f64, 0.0], &[1.0, 0.0]), [-0.25, 0.25]);
    // At z = 2, t = 1: ln(1 + e^−2); at z = −3, t = 0.25: 0.75 + ln(1 + e^−3).
    let value = BinaryCrossEntropyWithLogits.value(&[2.0f64, -3.0], &[1.0, 0.25]);
    let expected = ((1.0 + (-2.0f64).exp()).ln() + 0.75 + (1.0 + (-3.0f64).exp()).ln()) / 2.0;
    assert!(close(value, expected), "{value} vs {expected}");
}

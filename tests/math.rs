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
    }
}

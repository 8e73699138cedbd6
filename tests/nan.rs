//! NaN in, NaN out, as in PyTorch: no activation or loss turns a NaN into a
//! number, in its value or in its gradient.

use constnet::prelude::*;

const NAN: f64 = f64::NAN;

#[test]
fn activations_keep_a_nan_where_it_is() {
    let input = [NAN, 1.5, -2.0];
    let (relu, leaky) = (Relu.forward(&input), LeakyRelu::new(0.1).forward(&input));
    assert!(relu[0].is_nan() && leaky[0].is_nan());
    assert_eq!((relu[1], relu[2]), (1.5, 0.0));
    assert_eq!((leaky[1], leaky[2]), (1.5, -0.2));
    assert!(Relu6.forward(&input)[0].is_nan());
    assert!(Sigmoid.forward(&input)[0].is_nan());
    assert!(Tanh.forward(&input)[0].is_nan());
    assert!(Identity.forward(&input)[0].is_nan());
    // The normalizing sum sees the NaN, so every probability is NaN.
    assert!(Softmax.forward(&input).iter().all(|p| p.is_nan()));
}

#[test]
fn relu_passes_the_gradient_of_a_nan_input_on() {
    // PyTorch's `threshold_backward` zeroes the gradient only where the
    // input is at most 0, which a NaN is not.
    let grad = Relu.backward(&[NAN, -1.0, 2.0], &[3.0, 3.0, 3.0]);
    assert_eq!(grad, [3.0, 0.0, 3.0]);
    let leaky = LeakyRelu::new(0.5).backward(&[NAN, -1.0, 2.0], &[3.0, 3.0, 3.0]);
    assert_eq!(leaky, [1.5, 1.5, 3.0]);
    let relu6 = Relu6.backward(&[NAN, -1.0, 2.0, 7.0], &[3.0, 3.0, 3.0, 3.0]);
    assert_eq!(relu6, [3.0, 0.0, 3.0, 0.0]);
}

#[test]
fn activation_gradients_carry_a_nan_from_the_output_gradient() {
    let kept = [0.5, 0.25];
    let grad_output = [NAN, 1.0];
    assert!(Sigmoid.backward(&kept, &grad_output)[0].is_nan());
    assert!(Tanh.backward(&kept, &grad_output)[0].is_nan());
    assert!(Relu.backward(&kept, &grad_output)[0].is_nan());
    assert!(Relu6.backward(&kept, &grad_output)[0].is_nan());
    assert!(Softmax.backward(&kept, &grad_output).iter().all(|g| g.is_nan()));
}

/// A NaN in the prediction makes the loss NaN and its gradient NaN at that
/// element, for every loss; so does a NaN in the target.
#[test]
fn losses_of_a_nan_are_nan() {
    fn check<L: Loss<f64>>(loss: L, prediction: [f64; 3], target: [f64; 3]) {
        for (p, t) in [(prediction, target), (target, prediction)] {
            let mut with_nan = p;
            with_nan[1] = NAN;
            let (value, gradient) = loss.value_and_gradient(&with_nan, &t);
            assert!(value.is_nan(), "{loss:?}: loss {value} of {with_nan:?} against {t:?}");
            assert!(gradient[1].is_nan(), "{loss:?}: gradient {gradient:?} of {with_nan:?}");
        }
    }
    let probabilities = [0.2, 0.5, 0.3];
    let targets = [0.0, 1.0, 0.0];
    check(Mse, [0.2, -1.0, 3.0], [1.0, 0.0, -2.0]);
    check(BinaryCrossEntropy, probabilities, targets);
    check(BinaryCrossEntropyWithLogits, [0.2, -1.0, 3.0], targets);
    check(CrossEntropy, probabilities, targets);
    check(SoftmaxCrossEntropy, [0.2, -1.0, 3.0], targets);
}

/// `0·ln p` is skipped for a probability, but not when `p` is NaN: PyTorch's
/// `-(t * p.log()).sum()` is NaN there too.
#[test]
fn a_nan_prediction_counts_even_where_its_target_is_zero() {
    fn check<L: Loss<f64>>(loss: L) {
        let (value, gradient) = loss.value_and_gradient(&[NAN, 0.5], &[0.0, 1.0]);
        assert!(value.is_nan(), "{loss:?}: loss {value}");
        assert!(gradient[0].is_nan(), "{loss:?}: gradient {gradient:?}");
    }
    check(Mse);
    check(BinaryCrossEntropy);
    check(BinaryCrossEntropyWithLogits);
    check(CrossEntropy);
    check(SoftmaxCrossEntropy);
}

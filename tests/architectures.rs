//! Gradient checks of whole networks declared with `network!`, in `f64`:
//! depth 1 to 5 (dense layers), widths 1 to 32, every activation, every
//! loss, and networks nested inside networks.
//!
//! Each architecture gets two property tests, drawing a seed (weights from
//! the network's own `random`, scaled, with random biases), an input, and
//!
//! - `cotangent`: a random cotangent, checked with [`GradCheck::layer`];
//! - `loss`: a random target, checked with [`GradCheck::layer_with_loss`]
//!   and the architecture's loss.
//!
//! A point within the checker's margin of a ReLU kink, or a prediction at
//! which finite differences cannot resolve the loss (a sigmoid output within
//! `SATURATION` of 0 or 1 before `BinaryCrossEntropy`), is rejected and
//! drawn again; tolerances are never loosened.
//!
//! `worst_relative_error_summary` runs both checks on fixed seeds and prints
//! one line per architecture:
//!
//! ```text
//! cargo test --test architectures -- --nocapture worst
//! ```

mod common;

use common::*;
use constnet::gradcheck::{Error, GradCheck, Report};
use constnet::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Proptest settings. A failing case is saved to
/// `architectures.proptest-regressions` beside this file, to be committed: every
/// run replays it first.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig::with_cases(cases)
}

/// Targets of the loss `F`: uniform in its `RANGE`, and one time in four
/// one of its `EXACT` values.
fn targets<F: Domain>() -> BoxedStrategy<f64> {
    let (low, high) = F::RANGE;
    if F::EXACT.is_empty() {
        (low..high).boxed()
    } else {
        prop_oneof![
            1 => proptest::sample::select(F::EXACT),
            3 => low..high,
        ]
        .boxed()
    }
}

/// A vector of `V::LEN` entries drawn from `entry`.
fn vector<V: Vector<f64>>(entry: impl Strategy<Value = f64>) -> impl Strategy<Value = V> {
    proptest::collection::vec(entry, V::LEN).prop_map(|entries| {
        let mut vector = V::zeros();
        vector.scalars_mut().copy_from_slice(&entries);
        vector
    })
}

/// The verdict on one check: a point near a kink is rejected (drawn again),
/// anything but a passing report over every derivative fails.
fn verdict<N: Layer<f64>>(result: Result<Report, Error>) -> Result<Report, TestCaseError> {
    let report = match result {
        Ok(report) => report,
        Err(kink @ Error::NearKink { .. }) => {
            return Err(TestCaseError::reject(kink.to_string()));
        }
        Err(error) => return Err(TestCaseError::fail(error.to_string())),
    };
    prop_assert_eq!(report.checked, expected::<N>(), "derivatives checked");
    prop_assert!(report.passed(), "{report}");
    Ok(report)
}

/// The summary draws its points from the seeds counting up from this one.
const SUMMARY_SEED: u64 = 0x5eed_0000;

/// Declares every architecture, its two property tests, and the list the
/// summary walks.
macro_rules! architectures {
    ($(
        $module:ident: $net:ident { $($body:tt)* } with $loss:ident, cases $cases:literal;
    )*) => {
        $(
            network! {
                #[derive(Clone, Debug)]
                struct $net<f64> { $($body)* }
            }

            mod $module {
                use super::*;

                type Input = <$net as Layer<f64>>::Input;
                type Output = <$net as Layer<f64>>::Output;

                proptest! {
                    #![proptest_config(config($cases))]

                    #[test]
                    fn cotangent(
                        seed in any::<u64>(),
                        scale in SCALE,
                        input in vector::<Input>(-INPUT..INPUT),
                        cotangent in vector::<Output>(-COTANGENT..COTANGENT),
                    ) {
                        let mut net = build(seed, scale, <$net>::random);
                        verdict::<$net>(GradCheck::default().layer(&mut net, &input, &cotangent))?;
                    }

                    #[test]
                    fn loss(
                        seed in any::<u64>(),
                        scale in SCALE,
                        input in vector::<Input>(-INPUT..INPUT),
                        target in vector::<Output>(targets::<$loss>()),
                    ) {
                        let mut net = build(seed, scale, <$net>::random);
                        let prediction = net.forward(&input);
                        // One format argument: `prop_assume!` of proptest 1.12 takes no more.
                        prop_assume!(
                            <$loss as Domain>::resolves(&prediction),
                            "{}",
                            format!("prediction {prediction:?} outside the domain of {:?}", $loss)
                        );
                        verdict::<$net>(
                            GradCheck::default().layer_with_loss(&mut net, &input, &target, &$loss),
                        )?;
                    }
                }
            }
        )*

        fn summaries() -> Vec<Summary> {
            vec![$(
                summarize(
                    stringify!($net),
                    stringify!($($body)*),
                    stringify!($loss),
                    SUMMARY_SEED,
                    <$net>::random,
                    &$loss,
                ),
            )*]
        }
    };
}

architectures! {
    // Depth 1.
    a01_linear: Linear { fit: Dense<1, 1> } with Mse, cases 256;
    a02_logistic: Logistic { fit: Dense<4, 1>, Sigmoid } with BinaryCrossEntropy, cases 256;
    a03_softmax_regression: SoftmaxRegression { fit: Dense<5, 3>, Softmax } with CrossEntropy, cases 256;
    a04_logits: Logits { fit: Dense<6, 4> } with SoftmaxCrossEntropy, cases 256;

    // Depth 2.
    a05_tanh_mlp: TanhMlp { hidden: Dense<3, 8>, Tanh, out: Dense<8, 2> } with Mse, cases 256;
    a06_relu_mlp: ReluMlp { hidden: Dense<4, 16>, Relu, out: Dense<16, 3> }
        with SoftmaxCrossEntropy, cases 128;
    a07_leaky_classifier: LeakyClassifier { hidden: Dense<2, 5>, LeakyRelu(0.1), out: Dense<5, 1>, Sigmoid }
        with BinaryCrossEntropy, cases 256;
    a08_sigmoid_softmax: SigmoidSoftmax { hidden: Dense<6, 10>, Sigmoid, out: Dense<10, 4>, Softmax }
        with CrossEntropy, cases 128;
    a09_identity_chain: IdentityChain { first: Dense<3, 3>, Identity, second: Dense<3, 2>, Identity }
        with Mse, cases 256;

    // Depth 3.
    a10_tanh_3: Tanh3 { l1: Dense<8, 16>, Tanh, l2: Dense<16, 16>, Tanh, l3: Dense<16, 4> }
        with SoftmaxCrossEntropy, cases 64;
    a11_mixed_3: Mixed3 { l1: Dense<5, 12>, Relu, l2: Dense<12, 6>, Sigmoid, l3: Dense<6, 3>, Softmax }
        with CrossEntropy, cases 128;
    a12_leaky_3: Leaky3 {
        l1: Dense<1, 7>, LeakyRelu(0.01), l2: Dense<7, 7>, LeakyRelu(0.3), l3: Dense<7, 1>, Identity,
    } with Mse, cases 128;
    a13_softmax_hidden: SoftmaxHidden {
        l1: Dense<4, 6>, Softmax, l2: Dense<6, 6>, Tanh, l3: Dense<6, 2>, Sigmoid,
    } with BinaryCrossEntropy, cases 128;

    // Depth 4.
    a14_relu_4: Relu4 {
        l1: Dense<10, 32>, Relu, l2: Dense<32, 16>, Relu, l3: Dense<16, 8>, Relu, l4: Dense<8, 5>,
    } with SoftmaxCrossEntropy, cases 48;
    a15_mixed_4: Mixed4 {
        l1: Dense<3, 9>, Tanh, l2: Dense<9, 9>, LeakyRelu(0.2), l3: Dense<9, 4>, Identity,
        l4: Dense<4, 2>, Softmax,
    } with CrossEntropy, cases 96;
    a16_sigmoid_4: Sigmoid4 {
        l1: Dense<6, 8>, Sigmoid, l2: Dense<8, 8>, Sigmoid, l3: Dense<8, 8>, Tanh, l4: Dense<8, 3>, Sigmoid,
    } with BinaryCrossEntropy, cases 96;

    // Depth 5.
    a17_wide_5: Wide5 {
        l1: Dense<32, 32>, Tanh, l2: Dense<32, 32>, Relu, l3: Dense<32, 32>, Tanh,
        l4: Dense<32, 16>, LeakyRelu(0.05), l5: Dense<16, 8>,
    } with Mse, cases 12;
    a18_bottleneck_5: Bottleneck5 {
        l1: Dense<2, 1>, Tanh, l2: Dense<1, 3>, Relu, l3: Dense<3, 1>, Sigmoid,
        l4: Dense<1, 2>, LeakyRelu(0.5), l5: Dense<2, 2>, Softmax,
    } with CrossEntropy, cases 256;
    a19_softmax_inside_5: SoftmaxInside5 {
        l1: Dense<4, 8>, Identity, l2: Dense<8, 8>, Softmax, l3: Dense<8, 6>, Sigmoid,
        l4: Dense<6, 6>, Relu, l5: Dense<6, 3>,
    } with SoftmaxCrossEntropy, cases 96;
    a20_binary_5: Binary5 {
        l1: Dense<5, 6>, Relu, l2: Dense<6, 6>, Tanh, l3: Dense<6, 6>, Identity,
        l4: Dense<6, 6>, Sigmoid, l5: Dense<6, 1>, Sigmoid,
    } with BinaryCrossEntropy, cases 96;

    // Nested networks: the first two are also layers of the others.
    a21_encoder: Encoder { hidden: Dense<6, 4>, Tanh, code: Dense<4, 3>, Relu } with Mse, cases 128;
    a22_encoder_classifier: EncoderClassifier { encoder: Encoder, head: Dense<3, 2>, Softmax }
        with CrossEntropy, cases 128;
    a23_block: Block { dense: Dense<4, 4>, LeakyRelu(0.2) } with Mse, cases 128;
    a24_stacked_blocks: StackedBlocks {
        stem: Dense<3, 4>, Tanh, first: Block, second: Block, head: Dense<4, 1>, Sigmoid,
    } with BinaryCrossEntropy, cases 96;
    a25_two_levels: TwoLevels { classifier: EncoderClassifier, head: Dense<2, 3> }
        with SoftmaxCrossEntropy, cases 96;

    // Binary cross-entropy on raw logits: no activation after the last layer.
    a26_relu_logit: ReluLogit { hidden: Dense<3, 8>, Relu, out: Dense<8, 1> }
        with BinaryCrossEntropyWithLogits, cases 256;
    a27_tanh_logits_3: TanhLogits3 {
        l1: Dense<4, 6>, Tanh, l2: Dense<6, 6>, Tanh, l3: Dense<6, 2>,
    } with BinaryCrossEntropyWithLogits, cases 128;
}

/// The nested networks name their tensors from the outside in, and the
/// checker walks all of them.
#[test]
fn nested_networks_expose_every_tensor() {
    let names: Vec<String> = (0..)
        .map_while(<TwoLevels as Params<f64>>::tensor_info)
        .map(|info| info.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "classifier.encoder.hidden.weight",
            "classifier.encoder.hidden.bias",
            "classifier.encoder.code.weight",
            "classifier.encoder.code.bias",
            "classifier.head.weight",
            "classifier.head.bias",
            "head.weight",
            "head.bias",
        ]
    );
    assert_eq!(
        <TwoLevels as Params<f64>>::PARAMS,
        (6 * 4 + 4) + (4 * 3 + 3) + (3 * 2 + 2) + (2 * 3 + 3)
    );
    assert_eq!(<StackedBlocks as Params<f64>>::PARAMS, (3 * 4 + 4) + 2 * (4 * 4 + 4) + (4 + 1));
}

#[test]
fn worst_relative_error_summary() {
    let summaries = summaries();
    print_summaries(&summaries);
    assert!(summaries.len() >= 20);
    assert_every_loss(summaries.iter().map(|s| s.loss));
    assert_all_passed(&summaries);
}

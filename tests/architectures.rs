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

use constnet::gradcheck::{Comparison, Error, GradCheck, Report};
use constnet::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand::rngs::SmallRng;

/// Inputs are drawn in `±INPUT`.
const INPUT: f64 = 2.0;
/// Cotangents are drawn in `±COTANGENT`.
const COTANGENT: f64 = 1.0;
/// The weights of `random` are multiplied by a factor in this range.
const SCALE: core::ops::Range<f64> = 0.5..2.0;
/// Biases (zero after `random`) are drawn in `±BIAS`.
const BIAS: f64 = 0.5;

/// Proptest settings. A failing case is saved to
/// `architectures.proptest-regressions` beside this file, to be committed: every
/// run replays it first.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig::with_cases(cases)
}

/// Where a loss is checked: its targets, uniform in `RANGE` and one time in
/// four one of the `EXACT` values (the edges a loss treats specially), and
/// the predictions at which finite differences can measure its gradient.
trait Domain {
    const RANGE: (f64, f64);
    const EXACT: &'static [f64];

    /// Whether central differences with `GradCheck`'s step resolve the
    /// loss at `prediction`. Like a point near a kink, a point outside is
    /// rejected, never accepted with a looser tolerance.
    fn resolves(prediction: &[f64]) -> bool {
        let _ = prediction;
        true
    }

    fn strategy() -> BoxedStrategy<f64> {
        let (low, high) = Self::RANGE;
        if Self::EXACT.is_empty() {
            (low..high).boxed()
        } else {
            prop_oneof![
                1 => proptest::sample::select(Self::EXACT),
                3 => low..high,
            ]
            .boxed()
        }
    }

    fn sample(rng: &mut SmallRng) -> f64 {
        let (low, high) = Self::RANGE;
        if !Self::EXACT.is_empty() && rng.random_range(0..4) == 0 {
            Self::EXACT[rng.random_range(0..Self::EXACT.len())]
        } else {
            rng.random_range(low..high)
        }
    }
}

impl Domain for Mse {
    const RANGE: (f64, f64) = (-2.0, 2.0);
    const EXACT: &'static [f64] = &[];
}

/// How close to 0 or 1 a probability may come for a finite-difference
/// check of `BinaryCrossEntropy`.
///
/// Near 1, `ln(1 − p)` is computed from a `p` that rounding knows only to
/// `1.1e-16`: a relative error of `1.1e-16 / (1 − p)` in `1 − p`, which a
/// step of `1e-6` turns into an error of `1.1e-10 / (1 − p)` in the
/// numerical derivative, times the gain of the layers below (seen: a sigmoid
/// output of `1 − 6e-7`, numerical derivatives off by `1e-4`, while a step
/// of `1e-4` agrees with the analytic gradient to `2e-5`). Near 0 and 1 the
/// loss also clamps its probabilities at `1e-7`: a kink. At `1e-3` from
/// either end, the error is `1e-7`, well within `atol`.
const SATURATION: f64 = 1.0e-3;

/// Probabilities, after a `Sigmoid`; predictions at least `SATURATION`
/// from 0 and 1.
impl Domain for BinaryCrossEntropy {
    const RANGE: (f64, f64) = (0.0, 1.0);
    const EXACT: &'static [f64] = &[0.0, 1.0];

    fn resolves(prediction: &[f64]) -> bool {
        prediction.iter().all(|&p| (SATURATION..=1.0 - SATURATION).contains(&p))
    }
}

/// Non-negative masses (not necessarily summing to 1), after a `Softmax`.
impl Domain for CrossEntropy {
    const RANGE: (f64, f64) = (0.0, 1.0);
    const EXACT: &'static [f64] = &[0.0, 1.0];
}

/// Non-negative masses, on raw logits.
impl Domain for SoftmaxCrossEntropy {
    const RANGE: (f64, f64) = (0.0, 1.0);
    const EXACT: &'static [f64] = &[0.0, 1.0];
}

/// Probabilities as targets, including exactly 0 and 1, on raw logits: no
/// clamp and no saturation, so every prediction resolves.
impl Domain for BinaryCrossEntropyWithLogits {
    const RANGE: (f64, f64) = (0.0, 1.0);
    const EXACT: &'static [f64] = &[0.0, 1.0];
}

/// A vector of `V::LEN` entries drawn from `entry`.
fn vector<V: Vector<f64>>(entry: impl Strategy<Value = f64>) -> impl Strategy<Value = V> {
    proptest::collection::vec(entry, V::LEN).prop_map(|entries| {
        let mut vector = V::zeros();
        vector.scalars_mut().copy_from_slice(&entries);
        vector
    })
}

fn sample_vector<V: Vector<f64>>(mut entry: impl FnMut() -> f64) -> V {
    let mut vector = V::zeros();
    vector.scalars_mut().fill_with(&mut entry);
    vector
}

/// A network from `seed`: weights drawn by its `random` and multiplied by
/// `scale`, biases drawn in `±BIAS` (a dense weight is the tensor of rank 2,
/// a bias the tensor of rank 1).
fn build<N: Params<f64>>(seed: u64, scale: f64, random: impl FnOnce(&mut SmallRng) -> N) -> N {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut net = random(&mut rng);
    let mut index = 0;
    while let Some(info) = N::tensor_info(index) {
        let tensor = net.tensor_mut(index).expect("tensor_info and tensor_mut agree");
        assert_eq!(tensor.len(), info.len(), "{info}");
        match info.shape.len() {
            1 => tensor.fill_with(|| rng.random_range(-BIAS..BIAS)),
            2 => tensor.iter_mut().for_each(|w| *w *= scale),
            rank => panic!("{info}: unexpected tensor of rank {rank}"),
        }
        index += 1;
    }
    net
}

/// How many derivatives a check of `N` compares: every parameter and every
/// input scalar.
fn expected<N: Layer<f64>>() -> usize {
    N::PARAMS + <N as Layer<f64>>::INPUT
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

/// One line of the summary.
struct Summary {
    name: &'static str,
    shape: String,
    loss: &'static str,
    /// Seeds checked, seeds skipped for a point near a ReLU kink, and
    /// seeds skipped for a prediction outside the loss's `Domain`.
    seeds: usize,
    near_kink: usize,
    unresolved: usize,
    /// Derivatives compared, over both checks and every seed.
    checked: usize,
    /// Derivatives compared by one check: every parameter and input.
    per_check: usize,
    failures: Vec<String>,
    /// The largest relative error (among derivatives of magnitude at
    /// least `atol`) and the largest absolute error.
    worst: Option<Comparison>,
    worst_absolute: Option<Comparison>,
}

/// Seeds tried per architecture, of which `SUMMARY_SEEDS` must be far
/// enough from every kink and inside the loss's `Domain`.
const SUMMARY_SEEDS: usize = 4;
const SUMMARY_TRIES: u64 = 32;

fn summarize<N: Layer<f64>, F: Loss<f64> + Domain>(
    name: &'static str,
    body: &'static str,
    loss_name: &'static str,
    random: impl Fn(&mut SmallRng) -> N + Copy,
    loss: &F,
) -> Summary {
    let mut summary = Summary {
        name,
        shape: shape(body),
        loss: loss_name,
        seeds: 0,
        near_kink: 0,
        unresolved: 0,
        checked: 0,
        per_check: expected::<N>(),
        failures: Vec::new(),
        worst: None,
        worst_absolute: None,
    };
    for seed in 0..SUMMARY_TRIES {
        if summary.seeds == SUMMARY_SEEDS {
            break;
        }
        let mut rng = SmallRng::seed_from_u64(0x5eed_0000 + seed);
        let scale = rng.random_range(SCALE);
        let mut net = build(rng.random(), scale, random);
        let input: N::Input = sample_vector(|| rng.random_range(-INPUT..INPUT));
        let cotangent: N::Output = sample_vector(|| rng.random_range(-COTANGENT..COTANGENT));
        let target: N::Output = sample_vector(|| F::sample(&mut rng));
        if !F::resolves(net.forward(&input).scalars()) {
            summary.unresolved += 1;
            continue;
        }
        let checker = GradCheck::default();
        let reports = [
            checker.layer(&mut net, &input, &cotangent),
            checker.layer_with_loss(&mut net, &input, &target, loss),
        ];
        if reports.iter().any(|r| matches!(r, Err(Error::NearKink { .. }))) {
            summary.near_kink += 1;
            continue;
        }
        summary.seeds += 1;
        for (check, report) in ["cotangent", "loss"].into_iter().zip(reports) {
            match report {
                Ok(report) => {
                    summary.checked += report.checked;
                    if report.checked != expected::<N>() {
                        summary.failures.push(format!(
                            "seed {seed}, {check}: {} derivatives checked, expected {}",
                            report.checked,
                            expected::<N>()
                        ));
                    }
                    if !report.passed() {
                        summary.failures.push(format!("seed {seed}, {check}: {report}"));
                    }
                    summary.worst =
                        worse(summary.worst, report.worst_relative, Comparison::rel_error);
                    summary.worst_absolute =
                        worse(summary.worst_absolute, report.worst_absolute, Comparison::abs_error);
                }
                Err(error) => summary.failures.push(format!("seed {seed}, {check}: {error}")),
            }
        }
    }
    summary
}

fn worse(
    a: Option<Comparison>,
    b: Option<Comparison>,
    error: fn(&Comparison) -> f64,
) -> Option<Comparison> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if error(&b) > error(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// `hidden: Dense<3, 8>, Tanh, out: Dense<8, 2>` (as `stringify!` spells
/// it) shortened to `3-8 Tanh 8-2`: one `IN-OUT` per dense layer, nested
/// networks by name.
fn shape(body: &str) -> String {
    let compact: String = body.split_whitespace().collect::<Vec<_>>().join("");
    let mut items = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in compact.chars() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            items.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    items.push(current);
    items
        .iter()
        .filter(|item| !item.is_empty())
        .map(|item| {
            let layer = item.rsplit(':').next().unwrap_or(item);
            match layer.strip_prefix("Dense<") {
                Some(sizes) => sizes.trim_end_matches('>').replace(',', "-"),
                None => layer.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

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
                        target in vector::<Output>(<$loss as Domain>::strategy()),
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
    let name_width = summaries.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let shape_width = summaries.iter().map(|s| s.shape.len()).max().unwrap_or(0);
    let loss_width = summaries.iter().map(|s| s.loss.len()).max().unwrap_or(0);
    eprintln!(
        "gradient check per architecture: {SUMMARY_SEEDS} seeds x (cotangent + loss) checks; \
         relative error over derivatives of magnitude >= atol {:e}",
        GradCheck::default().atol
    );
    for s in &summaries {
        let relative = s.worst.map_or(0.0, |c| c.rel_error());
        let absolute = s.worst_absolute.map_or(0.0, |c| c.abs_error());
        let location = s.worst.map_or(String::new(), |c| c.location.to_string());
        eprintln!(
            "  {name:<name_width$}  {shape:<shape_width$}  {loss:<loss_width$}  worst rel {relative:>8.2e}  \
             max abs {absolute:>7.1e}  checked {checked:>5} ({per_check} x {checks})  \
             skipped {kinks} near a kink, {unresolved} saturated  worst at {location}",
            name = s.name,
            shape = s.shape,
            loss = s.loss,
            checked = s.checked,
            per_check = s.per_check,
            checks = 2 * s.seeds,
            kinks = s.near_kink,
            unresolved = s.unresolved,
        );
    }
    let overall = summaries
        .iter()
        .filter_map(|s| s.worst.map(|c| (c, s.name)))
        .max_by(|a, b| a.0.rel_error().total_cmp(&b.0.rel_error()));
    let total: usize = summaries.iter().map(|s| s.checked).sum();
    if let Some((c, name)) = overall {
        eprintln!(
            "worst relative error overall: {:.2e} in {name} at {c}; {total} derivatives checked \
             over {} architectures",
            c.rel_error(),
            summaries.len()
        );
    }

    assert!(summaries.len() >= 20);
    // Every loss ends some architecture.
    let losses = [
        "Mse",
        "BinaryCrossEntropy",
        "BinaryCrossEntropyWithLogits",
        "CrossEntropy",
        "SoftmaxCrossEntropy",
    ];
    for loss in losses {
        assert!(summaries.iter().any(|s| s.loss == loss), "no architecture ends with {loss}");
    }
    for s in &summaries {
        assert_eq!(
            s.seeds, SUMMARY_SEEDS,
            "{}: only {} seeds far enough from a kink and inside the domain",
            s.name, s.seeds
        );
        assert_eq!(s.checked, 2 * SUMMARY_SEEDS * s.per_check, "{}", s.name);
        assert!(s.failures.is_empty(), "{}:\n{}", s.name, s.failures.join("\n"));
    }
}

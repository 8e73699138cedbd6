//! The gradient training uses, checked: `loss_and_grad_batch` as a function
//! of the parameters ([`GradCheck::loss_and_grad_batch`]), for every loss,
//! on networks with every activation and nested networks, for batches of
//! 1, 3, 4, 5 and 32 samples (batch tiles of 4 with remainders, the `1/B`).
//!
//! The gradients start from random non-zero values, so a call that
//! overwrites them instead of adding fails, and every derivative is held to
//! `atol + rtol·s`, `s` the largest finite difference of its tensor, with an
//! `atol` a thousand times below the checker's default: small derivatives
//! are checked too. Points near a ReLU kink and predictions at
//! which finite differences cannot resolve `BinaryCrossEntropy` are drawn
//! again, never accepted with a looser tolerance.
//!
//! `worst_errors` prints the largest errors on fixed draws:
//!
//! ```text
//! cargo test --test training_gradients -- --nocapture worst
//! ```

use constnet::gradcheck::{Comparison, Error, GradCheck, Report};
use constnet::prelude::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestRunner};

network! {
    #[derive(Clone, Debug)]
    struct TanhRegressor<f64> { hidden: Dense<3, 5>, Tanh, out: Dense<5, 2> }
}

network! {
    /// A square hidden layer: a transposed weight gradient fits its array.
    #[derive(Clone, Debug)]
    struct ReluSigmoid<f64> { hidden: Dense<4, 4>, Relu, out: Dense<4, 3>, Sigmoid }
}

network! {
    #[derive(Clone, Debug)]
    struct Encoder<f64> { hidden: Dense<3, 4>, Tanh, code: Dense<4, 3>, LeakyRelu(0.1) }
}

network! {
    #[derive(Clone, Debug)]
    struct EncoderLogits<f64> { encoder: Encoder, head: Dense<3, 2> }
}

network! {
    #[derive(Clone, Debug)]
    struct SigmoidSoftmax<f64> { hidden: Dense<3, 6>, Sigmoid, out: Dense<6, 3>, Softmax }
}

network! {
    /// Two levels of nesting.
    #[derive(Clone, Debug)]
    struct TwoLevels<f64> { inner: EncoderLogits, Identity, out: Dense<2, 3> }
}

/// The finite-difference step and the tolerance. Central differences of
/// losses of order 1 with `eps = 1e-6` carry a rounding noise of about
/// `1e-16 / 1e-6 = 1e-10` and a truncation error of about `eps² = 1e-12`
/// times the third derivative: the largest error `worst_errors` prints is
/// about `1e-9`, a tenth of `atol`.
const CHECKER: GradCheck = GradCheck { eps: 1e-6, atol: 1e-8, rtol: 1e-6, kink_margin: 1e-3 };

/// The largest batch; the smaller ones are its first samples.
const SAMPLES: usize = 32;

/// Where a loss is checked: its targets, and the predictions at which
/// finite differences resolve it.
trait Domain {
    fn targets() -> BoxedStrategy<f64>;

    fn resolves(prediction: &[f64]) -> bool {
        let _ = prediction;
        true
    }
}

/// Probabilities and masses, including exactly 0 and 1, which the losses
/// treat specially.
fn probabilities() -> BoxedStrategy<f64> {
    prop_oneof![1 => proptest::sample::select(&[0.0, 1.0][..]), 3 => 0.0..1.0].boxed()
}

impl Domain for Mse {
    fn targets() -> BoxedStrategy<f64> {
        (-2.0..2.0).boxed()
    }
}

/// How close to 0 or 1 a sigmoid output may come: there the loss clamps its
/// probabilities (a kink) and `ln(1 − p)` loses the digits a step of `1e-6`
/// needs (tests/architectures.rs explains the figure).
const SATURATION: f64 = 1.0e-3;

impl Domain for BinaryCrossEntropy {
    fn targets() -> BoxedStrategy<f64> {
        probabilities()
    }

    fn resolves(prediction: &[f64]) -> bool {
        prediction.iter().all(|&p| (SATURATION..=1.0 - SATURATION).contains(&p))
    }
}

impl Domain for BinaryCrossEntropyWithLogits {
    fn targets() -> BoxedStrategy<f64> {
        probabilities()
    }
}

impl Domain for CrossEntropy {
    fn targets() -> BoxedStrategy<f64> {
        probabilities()
    }
}

impl Domain for SoftmaxCrossEntropy {
    fn targets() -> BoxedStrategy<f64> {
        probabilities()
    }
}

/// A network, a batch, and the gradients accumulated before it.
struct Case<N: Layer<f64>> {
    /// One value per parameter, in the order of the tensors.
    params: Vec<f64>,
    start: Vec<f64>,
    inputs: [N::Input; SAMPLES],
    targets: [N::Output; SAMPLES],
}

impl<N: Layer<f64>> core::fmt::Debug for Case<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Case")
            .field("params", &self.params)
            .field("start", &self.start)
            .field("inputs", &self.inputs)
            .field("targets", &self.targets)
            .finish()
    }
}

fn vector<V: Vector<f64>>(entry: impl Strategy<Value = f64>) -> impl Strategy<Value = V> {
    proptest::collection::vec(entry, V::LEN).prop_map(|entries| {
        let mut vector = V::zeros();
        vector.scalars_mut().copy_from_slice(&entries);
        vector
    })
}

fn case<N: Network<f64, Grads = N>, L: Domain>() -> impl Strategy<Value = Case<N>> {
    (
        proptest::collection::vec(-1.0..1.0, N::PARAMS),
        proptest::collection::vec(-1.0..1.0, N::PARAMS),
        proptest::array::uniform32(vector(-2.0..2.0)),
        proptest::array::uniform32(vector(L::targets())),
    )
        .prop_map(|(params, start, inputs, targets)| Case { params, start, inputs, targets })
}

impl<N: Network<f64, Grads = N>> Case<N> {
    fn network(&self) -> N {
        filled(&self.params)
    }

    fn start(&self) -> N {
        filled(&self.start)
    }
}

/// Parameters (or gradients) holding `values`, tensor after tensor.
fn filled<P: Params<f64>>(values: &[f64]) -> P {
    assert_eq!(values.len(), P::PARAMS, "one value per parameter");
    let mut params = P::zeros();
    let mut values = values.iter();
    for index in 0..P::TENSORS {
        let tensor = params.tensor_mut(index).expect("TENSORS tensors");
        tensor.iter_mut().zip(&mut values).for_each(|(p, &value)| *p = value);
    }
    params
}

/// Checks the first `B` samples of `case`.
fn check<N: Network<f64, Grads = N>, L: Loss<f64>, const B: usize>(
    case: &Case<N>,
    loss: &L,
) -> Result<Report, TestCaseError> {
    let inputs = case.inputs.first_chunk::<B>().expect("B is at most SAMPLES");
    let targets = case.targets.first_chunk::<B>().expect("B is at most SAMPLES");
    let mut net = case.network();
    match CHECKER.loss_and_grad_batch(&mut net, inputs, targets, loss, &case.start()) {
        Ok(report) => {
            prop_assert_eq!(report.checked, N::PARAMS, "derivatives checked");
            prop_assert!(report.passed(), "batch of {}: {}", B, report);
            Ok(report)
        }
        Err(kink @ Error::NearKink { .. }) => Err(TestCaseError::reject(kink.to_string())),
        Err(error) => Err(TestCaseError::fail(format!("batch of {B}: {error}"))),
    }
}

/// Checks every batch size of `case`; a case near a kink or outside the
/// loss's domain is rejected.
fn check_every_batch<N: Network<f64, Grads = N>, L: Loss<f64> + Domain>(
    case: &Case<N>,
    loss: &L,
) -> Result<[(usize, Report); 5], TestCaseError> {
    let net = case.network();
    for input in &case.inputs {
        let prediction = net.forward(input);
        if !L::resolves(prediction.scalars()) {
            let message = format!("prediction {prediction:?} outside the domain of {loss:?}");
            return Err(TestCaseError::reject(message));
        }
    }
    Ok([
        (1, check::<N, L, 1>(case, loss)?),
        (3, check::<N, L, 3>(case, loss)?),
        (4, check::<N, L, 4>(case, loss)?),
        (5, check::<N, L, 5>(case, loss)?),
        (SAMPLES, check::<N, L, SAMPLES>(case, loss)?),
    ])
}

/// The largest errors over `draws` fixed draws, one line per batch size.
fn summarize<N: Network<f64, Grads = N>, L: Loss<f64> + Domain>(
    name: &str,
    loss: &L,
    draws: usize,
) -> Vec<String> {
    let mut runner = TestRunner::deterministic();
    let mut worst: [(usize, Option<Comparison>, Option<Comparison>); 5] = Default::default();
    let (mut checked, mut skipped) = (0, 0);
    while checked < draws {
        let case = case::<N, L>().new_tree(&mut runner).expect("a draw").current();
        match check_every_batch(&case, loss) {
            Ok(reports) => {
                checked += 1;
                for ((batch, absolute, relative), (size, report)) in worst.iter_mut().zip(reports) {
                    *batch = size;
                    *absolute = larger(*absolute, report.worst_absolute, Comparison::abs_error);
                    *relative = larger(*relative, report.worst_relative, Comparison::rel_error);
                }
            }
            Err(TestCaseError::Reject(_)) => skipped += 1,
            Err(TestCaseError::Fail(failure)) => panic!("{name}: {failure}"),
        }
    }
    let show = |c: Option<Comparison>, error: fn(&Comparison) -> f64| {
        c.map_or("none".to_string(), |c| format!("{:.1e} at {}", error(&c), c.location))
    };
    worst
        .iter()
        .map(|(batch, absolute, relative)| {
            format!(
                "{name} with {loss:?}, batches of {batch:>2} ({draws} draws, {skipped} skipped): \
                 largest absolute error {}, largest relative error {}",
                show(*absolute, Comparison::abs_error),
                show(*relative, Comparison::rel_error),
            )
        })
        .collect()
}

/// The comparison with the larger error; NaN counts as the largest.
fn larger(
    a: Option<Comparison>,
    b: Option<Comparison>,
    error: fn(&Comparison) -> f64,
) -> Option<Comparison> {
    match (a, b) {
        (Some(a), Some(b)) => {
            Some(if error(&a).is_nan() || error(&a) >= error(&b) { a } else { b })
        }
        (a, b) => a.or(b),
    }
}

macro_rules! training_paths {
    ($($test:ident: $net:ident with $loss:ident;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(32))]
            $(
                #[test]
                fn $test(case in case::<$net, $loss>()) {
                    check_every_batch(&case, &$loss)?;
                }
            )*
        }

        #[test]
        fn worst_errors() {
            $(
                for line in summarize::<$net, $loss>(stringify!($net), &$loss, 8) {
                    println!("{line}");
                }
            )*
        }
    };
}

training_paths! {
    mse_after_tanh: TanhRegressor with Mse;
    binary_cross_entropy_after_relu_and_sigmoid: ReluSigmoid with BinaryCrossEntropy;
    binary_cross_entropy_with_logits_of_a_nested_network: EncoderLogits with BinaryCrossEntropyWithLogits;
    cross_entropy_after_sigmoid_and_softmax: SigmoidSoftmax with CrossEntropy;
    softmax_cross_entropy_two_levels_deep: TwoLevels with SoftmaxCrossEntropy;
    mse_of_a_nested_network: EncoderLogits with Mse;
}

/// A dense layer whose batch backward pass has a flaw of a training path:
/// the checker must see it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Flawed {
    dense: Dense<f64, 3, 2>,
    flaw: Flaw,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Flaw {
    None,
    /// Replaces the accumulated gradient instead of adding to it.
    Overwrites,
    /// Sums the samples' gradients instead of averaging them.
    ForgetsTheMean,
}

impl Params<f64> for Flawed {
    const TENSORS: usize = 2;
    const PARAMS: usize = <Dense<f64, 3, 2> as Params<f64>>::PARAMS;

    fn zeros() -> Self {
        Flawed { dense: Dense::zeros(), flaw: Flaw::None }
    }
    fn tensor(&self, index: usize) -> Option<&[f64]> {
        self.dense.tensor(index)
    }
    fn tensor_mut(&mut self, index: usize) -> Option<&mut [f64]> {
        self.dense.tensor_mut(index)
    }
    fn tensor_info(index: usize) -> Option<constnet::TensorInfo> {
        <Dense<f64, 3, 2> as Params<f64>>::tensor_info(index)
    }
}

impl Layer<f64> for Flawed {
    type Input = [f64; 3];
    type Output = [f64; 2];
    type Trace = [f64; 3];
    type BatchTrace<const B: usize> = [[f64; 3]; B];

    fn forward(&self, input: &[f64; 3]) -> [f64; 2] {
        self.dense.forward(input)
    }
    fn forward_trace(&self, input: &[f64; 3]) -> ([f64; 2], [f64; 3]) {
        self.dense.forward_trace(input)
    }
    fn backward(&self, trace: &[f64; 3], grad_output: &[f64; 2], grads: &mut Self) -> [f64; 3] {
        self.dense.backward(trace, grad_output, &mut grads.dense)
    }
    fn forward_trace_batch<const B: usize>(
        &self,
        inputs: &[[f64; 3]; B],
    ) -> ([[f64; 2]; B], [[f64; 3]; B]) {
        self.dense.forward_trace_batch(inputs)
    }
    fn backward_batch<const B: usize>(
        &self,
        trace: &[[f64; 3]; B],
        grad_outputs: &[[f64; 2]; B],
        grads: &mut Self,
    ) -> [[f64; 3]; B] {
        match self.flaw {
            Flaw::None => self.dense.backward_batch(trace, grad_outputs, &mut grads.dense),
            Flaw::Overwrites => {
                grads.dense = Dense::zeros();
                self.dense.backward_batch(trace, grad_outputs, &mut grads.dense)
            }
            Flaw::ForgetsTheMean => {
                let summed = grad_outputs.map(|g| g.map(|g| g * B as f64));
                self.dense.backward_batch(trace, &summed, &mut grads.dense)
            }
        }
    }
}

/// Checks a `Flawed` layer on a batch of `B`, from gradients `start`.
fn check_flawed<const B: usize>(flaw: Flaw, start: f64) -> Report {
    let dense = Dense::new([[0.5, -1.0], [0.25, 0.75], [-0.5, 1.5]], [0.1, -0.2]);
    let inputs: [[f64; 3]; B] = core::array::from_fn(|b| [1.0, -0.5 * b as f64, 0.25]);
    let targets: [[f64; 2]; B] = core::array::from_fn(|b| [0.5, b as f64 - 1.0]);
    let mut grads = Flawed::zeros();
    grads.dense.weight.as_flattened_mut().fill(start);
    grads.dense.bias.fill(start);
    CHECKER
        .loss_and_grad_batch(&mut Flawed { dense, flaw }, &inputs, &targets, &Mse, &grads)
        .expect("a smooth layer")
}

#[test]
fn the_check_fails_a_gradient_that_overwrites_instead_of_adding() {
    assert!(check_flawed::<3>(Flaw::None, 0.5).passed());
    let report = check_flawed::<3>(Flaw::Overwrites, 0.5);
    assert_eq!(report.failures, <Flawed as Params<f64>>::PARAMS, "{report}");
    // From zero gradients, overwriting and adding agree: why the
    // gradients start from non-zero values.
    assert!(check_flawed::<3>(Flaw::Overwrites, 0.0).passed());
}

#[test]
fn the_check_fails_a_gradient_without_its_one_over_b() {
    let report = check_flawed::<4>(Flaw::ForgetsTheMean, 0.5);
    assert!(!report.passed(), "{report}");
    // A batch of one has no mean to forget: why the batches have several sizes.
    assert!(check_flawed::<1>(Flaw::ForgetsTheMean, 0.5).passed());
}

//! constnet against PyTorch: outputs, batch losses and every gradient of
//! thirteen networks (five of them convolutional: `Conv2d` with stride and
//! padding, PyTorch's `padding="same"` with its odd zero at the end,
//! depthwise, `Conv1d`, max, average and global average pooling, flatten
//! into a linear layer), in `f64` and `f32`, from fixtures that
//! `scripts/pytorch_fixtures.py` wrote with PyTorch (see there for their
//! layout). Each network below mirrors the PyTorch model of the same name.
//!
//! The batch loss is the mean of the per-sample losses (PyTorch's `mean`
//! reduction: for MSE and binary cross-entropy, a mean over every element,
//! which is the mean over the batch of the per-sample means since all
//! samples have the same size), so its gradient is the mean of the
//! per-sample gradients. Both are checked: through the batch path
//! (`forward_batch`, `loss_and_grad_batch`, `backward_batch`) and sample by
//! sample (`loss_and_grad`).
//!
//! In `f64`, every element agrees with PyTorch's to `1e-10` relative to
//! itself. In `f32`, to `1e-5` relative to the largest magnitude in its
//! tensor: where a gradient element is a cancellation that leaves little,
//! the two frameworks' single-precision roundings differ by more than that
//! relative to the element itself (1.2e-4 at worst here).

use std::path::{Path, PathBuf};

use ::safetensors::tensor::{Dtype, SafeTensors};
use constnet::io::{Layout, safetensors};
use constnet::prelude::*;

network! {
    pub struct MseTanh<f64> { hidden: Dense<3, 5>, Tanh, out: Dense<5, 2> }
}

network! {
    pub struct BceReluSigmoid<f64> { hidden: Dense<4, 6>, Relu, out: Dense<6, 1>, Sigmoid }
}

network! {
    pub struct BceLogitsLeakyRelu<f64> { hidden: Dense<4, 5>, LeakyRelu(0.1), out: Dense<5, 3> }
}

network! {
    pub struct CrossEntropySigmoidSoftmax<f64> {
        hidden: Dense<3, 6>, Sigmoid, out: Dense<6, 4>, Softmax,
    }
}

network! {
    pub struct SoftmaxCrossEntropyReluTanh<f64> {
        hidden: Dense<5, 4>, Relu, square: Dense<4, 4>, Tanh, logits: Dense<4, 3>,
    }
}

network! {
    pub struct MseIdentityLeakyReluSoftmax<f64> {
        first: Dense<2, 3>, Identity, second: Dense<3, 3>, LeakyRelu, third: Dense<3, 3>, Softmax,
    }
}

network! {
    pub struct Encoder<f64> { hidden: Dense<3, 4>, Tanh, code: Dense<4, 2> }
}

network! {
    pub struct NestedBce<f64> { encoder: Encoder, Relu, head: Dense<2, 2>, Sigmoid }
}

network! {
    pub struct DeepEveryActivation<f64> {
        a: Dense<4, 5>, Identity,
        b: Dense<5, 5>, Sigmoid,
        c: Dense<5, 4>, Tanh,
        d: Dense<4, 4>, Relu,
        e: Dense<4, 4>, LeakyRelu(0.2),
        f: Dense<4, 3>, Softmax,
    }
}

network! {
    pub struct Conv2dStridePadding<f64> {
        input: [2, 7, 6],
        conv: Conv2d<2, 3, (3, 2), stride = (2, 1), padding = (1, 0)>,
        Tanh,
        flatten: Flatten,
        out: Dense<60, 3>,
    }
}

network! {
    pub struct DepthwiseMaxPool<f64> {
        input: [4, 8, 8],
        depthwise: DepthwiseConv2d<4, 3, padding = 1>,
        Relu,
        pool: MaxPool2d<2>,
        flatten: Flatten,
        logits: Dense<64, 5>,
    }
}

network! {
    pub struct Conv1dAvgPool<f64> {
        input: [3, 12],
        conv1: Conv1d<3, 4, 5, padding = 2>,
        Sigmoid,
        pool: AvgPool1d<2>,
        conv2: Conv1d<4, 2, 3, stride = 2>,
        flatten: Flatten,
        out: Dense<4, 1>,
    }
}

network! {
    pub struct LeNet<f64> {
        input: [1, 12, 12],
        conv1: Conv2d<1, 4, 3, padding = 1>,
        Relu,
        pool1: MaxPool2d<2>,
        conv2: Conv2d<4, 6, 3>,
        LeakyRelu(0.1),
        pool2: AvgPool2d<2>,
        flatten: Flatten,
        fc: Dense<24, 3>,
        Softmax,
    }
}

network! {
    pub struct GlobalAvgPoolSamePadding<f64> {
        input: [2, 6, 6],
        same: Conv2d<2, 3, (2, 3), padding = same>,
        Tanh,
        conv: Conv2d<3, 5, 3, stride = 2, padding = 1>,
        Relu,
        pool: GlobalAvgPool,
        out: Dense<5, 2>,
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pytorch").join(name)
}

/// The tensors of `batch.safetensors`, as `f64`.
struct Batch {
    input: Vec<f64>,
    target: Vec<f64>,
    output: Vec<f64>,
    loss: f64,
    input_grad: Vec<f64>,
}

fn read_batch(dir: &Path) -> Batch {
    let bytes = std::fs::read(dir.join("batch.safetensors")).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let tensor = |name: &str| -> Vec<f64> {
        let view = file.tensor(name).unwrap();
        match view.dtype() {
            Dtype::F64 => {
                view.data().chunks(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect()
            }
            Dtype::F32 => view
                .data()
                .chunks(4)
                .map(|b| f64::from(f32::from_le_bytes(b.try_into().unwrap())))
                .collect(),
            other => panic!("{name}: {other:?}"),
        }
    };
    Batch {
        input: tensor("input"),
        target: tensor("target"),
        output: tensor("output"),
        loss: tensor("loss")[0],
        input_grad: tensor("input_grad"),
    }
}

/// The largest difference relative to the expected element, or to the
/// largest expected magnitude in the tensor when `per_tensor`; NaN if any
/// element is NaN.
fn relative_error(found: &[f64], expected: &[f64], per_tensor: bool) -> f64 {
    assert_eq!(found.len(), expected.len());
    let largest_expected = largest(expected.iter().map(|e| ((), e.abs()))).1;
    let errors = found.iter().zip(expected).map(|(f, e)| {
        let scale = if per_tensor { largest_expected } else { e.abs() };
        ((), if f == e { 0.0 } else { (f - e).abs() / scale })
    });
    largest(errors).1
}

/// The largest of the labelled errors, or the first NaN one (`f64::max` and
/// `>` pass over a NaN, and a NaN gradient with it); `(default, 0)` if none.
fn largest<L: Default>(errors: impl IntoIterator<Item = (L, f64)>) -> (L, f64) {
    errors.into_iter().fold((L::default(), 0.0), |largest, (label, error)| {
        let replaces = !largest.1.is_nan() && (error.is_nan() || error > largest.1);
        if replaces { (label, error) } else { largest }
    })
}

fn as_f64<T: Scalar>(values: &[T]) -> Vec<f64> {
    values.iter().map(|v| v.to_f64().unwrap()).collect()
}

/// The samples of every fixture's batch.
const BATCH: usize = 5;

fn vector<T: Scalar, V: Vector<T>>(values: &[f64]) -> V {
    let mut vector = V::zeros();
    for (slot, &v) in vector.scalars_mut().iter_mut().zip(values) {
        *slot = T::from_f64(v);
    }
    vector
}

/// Compares one network with its PyTorch fixture, through the batch path
/// and sample by sample; returns the worst relative error of any output,
/// loss or gradient.
fn compare<T: Scalar, N: Network<T, Grads = N>, L: Loss<T>>(name: &str, loss: L) -> f64 {
    let dir = fixture(name);
    let net: N = safetensors::load(dir.join("params.safetensors"), Layout::OutIn).unwrap();
    let expected: N = safetensors::load(dir.join("grads.safetensors"), Layout::OutIn).unwrap();
    let batch = read_batch(&dir);
    assert_eq!(batch.input.len(), BATCH * N::INPUT, "{name}");
    let inputs: [N::Input; BATCH] = core::array::from_fn(|b| vector(&batch.input[b * N::INPUT..]));
    let targets: [N::Output; BATCH] =
        core::array::from_fn(|b| vector(&batch.target[b * N::OUTPUT..]));
    let flat = |vectors: &[N::Input]| -> Vec<f64> {
        vectors.iter().flat_map(|v| as_f64(v.scalars())).collect()
    };

    // The batch path: the mean loss and its gradient, as PyTorch computes them.
    let outputs = net.forward_batch(&inputs);
    let mut grads = N::zeros();
    let mean_loss = net.loss_and_grad_batch(&inputs, &targets, &loss, &mut grads);
    let (traced, trace) = net.forward_trace_batch(&inputs);
    let weight = T::ONE / T::from_f64(BATCH as f64);
    let grad_outputs: [N::Output; BATCH] = core::array::from_fn(|b| {
        let mut gradient = loss.gradient(&traced[b], &targets[b]);
        gradient.scalars_mut().iter_mut().for_each(|g| *g *= weight);
        gradient
    });
    let input_grads = net.backward_batch(&trace, &grad_outputs, &mut N::zeros());

    // Sample by sample: the mean of the per-sample losses and gradients.
    let mut sample_grads = N::zeros();
    let total: f64 = (inputs.iter().zip(&targets))
        .map(|(x, t)| net.loss_and_grad(x, t, &loss, &mut sample_grads).to_f64().unwrap())
        .sum();

    let (tolerance, per_tensor) = if size_of::<T>() == 8 { (1e-10, false) } else { (1e-5, true) };
    let error = |found: &[f64], expected: &[f64]| relative_error(found, expected, per_tensor);
    let output_values: Vec<f64> = outputs.iter().flat_map(|o| as_f64(o.scalars())).collect();
    let mut errors = vec![
        ("output".to_string(), error(&output_values, &batch.output)),
        ("batch loss".to_string(), error(&[mean_loss.to_f64().unwrap()], &[batch.loss])),
        ("sample loss".to_string(), error(&[total / BATCH as f64], &[batch.loss])),
        ("input_grad".to_string(), error(&flat(&input_grads), &batch.input_grad)),
    ];
    for i in 0..N::TENSORS {
        let tensor = N::tensor_info(i).unwrap();
        let pytorch = as_f64(expected.tensor(i).unwrap());
        let batched = as_f64(grads.tensor(i).unwrap());
        let sampled: Vec<f64> =
            as_f64(sample_grads.tensor(i).unwrap()).iter().map(|g| g / BATCH as f64).collect();
        errors.push((format!("batch grad {tensor}"), error(&batched, &pytorch)));
        errors.push((format!("sample grad {tensor}"), error(&sampled, &pytorch)));
    }
    let (what, worst) = largest(errors.iter().map(|(what, error)| (what.as_str(), *error)));
    println!("{name}: worst relative error {worst:.1e} ({what})");
    for (what, error) in &errors {
        assert!(*error <= tolerance, "{name}: {what} differs from PyTorch by {error:.2e}");
    }
    worst
}

macro_rules! against_pytorch {
    ($($test:ident: $net:ident, $loss:expr, $fixture:literal;)*) => {$(
        #[test]
        fn $test() {
            compare::<f64, $net<f64>, _>(concat!($fixture, "_f64"), $loss);
            compare::<f32, $net<f32>, _>(concat!($fixture, "_f32"), $loss);
        }
    )*};
}

against_pytorch! {
    mse_after_tanh: MseTanh, Mse, "mse_tanh";
    binary_cross_entropy_after_relu_and_sigmoid: BceReluSigmoid, BinaryCrossEntropy, "bce_relu_sigmoid";
    binary_cross_entropy_with_logits_after_leaky_relu:
        BceLogitsLeakyRelu, BinaryCrossEntropyWithLogits, "bce_logits_leaky_relu";
    cross_entropy_after_sigmoid_and_softmax:
        CrossEntropySigmoidSoftmax, CrossEntropy, "cross_entropy_sigmoid_softmax";
    softmax_cross_entropy_after_relu_and_tanh:
        SoftmaxCrossEntropyReluTanh, SoftmaxCrossEntropy, "softmax_cross_entropy_relu_tanh";
    mse_after_identity_leaky_relu_and_softmax:
        MseIdentityLeakyReluSoftmax, Mse, "mse_identity_leaky_relu_softmax";
    binary_cross_entropy_of_a_nested_network: NestedBce, BinaryCrossEntropy, "nested_bce";
    cross_entropy_after_every_activation: DeepEveryActivation, CrossEntropy, "deep_every_activation";
    conv2d_with_stride_and_padding: Conv2dStridePadding, Mse, "conv2d_stride_padding";
    depthwise_conv2d_and_max_pooling: DepthwiseMaxPool, SoftmaxCrossEntropy, "depthwise_max_pool";
    conv1d_and_average_pooling: Conv1dAvgPool, BinaryCrossEntropyWithLogits, "conv1d_avg_pool";
    lenet_with_every_pooling: LeNet, CrossEntropy, "lenet";
    same_padding_and_global_average_pooling:
        GlobalAvgPoolSamePadding, Mse, "global_avg_pool_same_padding";
}

/// The comparison can fail: with the wrong loss, the gradients differ.
#[test]
fn the_comparison_fails_for_the_wrong_loss() {
    let wrong = std::panic::catch_unwind(|| {
        compare::<f64, MseTanh<f64>, _>("mse_tanh_f64", BinaryCrossEntropyWithLogits)
    });
    assert!(wrong.is_err());
}

//! Gradient property tests of the layers with a shape, in `f64`: every
//! convolution, pooling, global pooling and flatten, and the activations on
//! values of two and three dimensions, over shapes, strides, paddings
//! (PyTorch's and TensorFlow's `"same"`, whose odd zero goes at the end)
//! and channel counts, each declared with `network!` and checked against
//! central finite differences with random weights, inputs and cotangents.
//!
//! A point within the checker's margin of a kink (ReLU at 0, a tie for the
//! maximum of a pooling window) is rejected and drawn again, never accepted
//! with a looser tolerance.

use constnet::gradcheck::{Error, GradCheck, Report};
use constnet::layer::{Flatten, GlobalAvgPool};
use constnet::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand::rngs::SmallRng;

/// A value of any shape, its scalars drawn from `entry`.
fn values<V: Vector<f64>>(entry: impl Strategy<Value = f64>) -> impl Strategy<Value = V> {
    proptest::collection::vec(entry, V::LEN).prop_map(|entries| {
        let mut value = V::zeros();
        value.scalars_mut().copy_from_slice(&entries);
        value
    })
}

/// A network from `seed`: weights from its own `random`, multiplied by a
/// factor in `[0.5, 2)`, biases (zero after `random`) drawn in `±0.5`. A
/// bias is a tensor of one dimension, a weight of more.
fn build<N: Params<f64>>(seed: u64, random: impl FnOnce(&mut SmallRng) -> N) -> N {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut net = random(&mut rng);
    let scale = rng.random_range(0.5..2.0);
    for index in 0..N::TENSORS {
        let info = N::tensor_info(index).expect("a tensor");
        let tensor = net.tensor_mut(index).expect("a tensor");
        match info.shape.len() {
            1 => tensor.fill_with(|| rng.random_range(-0.5..0.5)),
            _ => tensor.iter_mut().for_each(|w| *w *= scale),
        }
    }
    net
}

/// A point near a kink is rejected; anything but a passing report over
/// every parameter and input fails.
fn verdict<N: Layer<f64>>(result: Result<Report, Error>) -> Result<(), TestCaseError> {
    let report = match result {
        Ok(report) => report,
        Err(kink @ Error::NearKink { .. }) => return Err(TestCaseError::reject(kink.to_string())),
        Err(error) => return Err(TestCaseError::fail(error.to_string())),
    };
    prop_assert_eq!(report.checked, N::PARAMS + N::INPUT, "derivatives checked");
    prop_assert!(report.passed(), "{report}");
    Ok(())
}

/// Declares each network and a property test of its gradients.
macro_rules! shaped_layers {
    ($($module:ident: $net:ident { $($body:tt)* } cases $cases:literal;)*) => {$(
        network! {
            #[derive(Clone, Debug)]
            struct $net<f64> { $($body)* }
        }

        mod $module {
            use super::*;

            type Input = <$net as Layer<f64>>::Input;
            type Output = <$net as Layer<f64>>::Output;

            proptest! {
                #![proptest_config(ProptestConfig::with_cases($cases))]

                #[test]
                fn gradients(
                    seed in any::<u64>(),
                    input in values::<Input>(-2.0..2.0),
                    cotangent in values::<Output>(-1.0..1.0),
                ) {
                    let mut net = build(seed, <$net>::random);
                    verdict::<$net>(GradCheck::default().layer(&mut net, &input, &cotangent))?;
                }
            }
        }
    )*};
}

shaped_layers! {
    conv2d_plain: Conv2dPlain { input: [1, 5, 5], conv: Conv2d<1, 1, 3> } cases 64;
    conv2d_strided: Conv2dStrided {
        input: [2, 7, 6], conv: Conv2d<2, 3, (3, 2), stride = (2, 1), padding = (1, 0)>, Tanh,
    } cases 48;
    conv2d_same_stride_2: Conv2dSameStride2 {
        input: [3, 6, 6], conv: Conv2d<3, 2, 4, stride = 2, padding = same>,
    } cases 32;
    conv2d_same_odd_zero: Conv2dSameOddZero {
        input: [2, 5, 5], conv: Conv2d<2, 2, 2, padding = same>, Sigmoid,
    } cases 48;
    conv2d_row_kernel: Conv2dRowKernel {
        input: [1, 4, 9], conv: Conv2d<1, 4, (1, 3), stride = (1, 3)>, LeakyRelu(0.2),
    } cases 48;
    conv2d_wide_padding: Conv2dWidePadding { input: [3, 3, 3], conv: Conv2d<3, 5, 3, padding = 2> }
        cases 32;
    depthwise_padded: DepthwisePadded {
        input: [3, 6, 5], depthwise: DepthwiseConv2d<3, 3, padding = 1>, Relu,
    } cases 48;
    depthwise_same_stride_2: DepthwiseSameStride2 {
        input: [4, 7, 7], depthwise: DepthwiseConv2d<4, (3, 1), stride = 2, padding = same>,
    } cases 48;
    conv1d_plain: Conv1dPlain { input: [2, 9], conv: Conv1d<2, 3, 3>, Relu } cases 64;
    conv1d_strided: Conv1dStrided { input: [3, 10], conv: Conv1d<3, 2, 4, stride = 3, padding = 2> }
        cases 64;
    conv1d_same: Conv1dSame { input: [1, 7], conv: Conv1d<1, 2, 2, padding = same>, Tanh } cases 64;
    max_pool2d: MaxPool2dOnly { input: [2, 6, 5], pool: MaxPool2d<2> } cases 64;
    max_pool2d_overlapping: MaxPool2dOverlapping { input: [1, 7, 7], pool: MaxPool2d<3, stride = 2> }
        cases 64;
    avg_pool2d: AvgPool2dOnly { input: [2, 5, 6], pool: AvgPool2d<(2, 3)> } cases 64;
    max_pool1d: MaxPool1dOnly { input: [3, 9], pool: MaxPool1d<3, stride = 2> } cases 64;
    avg_pool1d: AvgPool1dOnly { input: [2, 8], pool: AvgPool1d<2> } cases 64;
    global_avg_pool2d: GlobalAvgPool2d { input: [3, 4, 5], pool: GlobalAvgPool, Softmax } cases 64;
    global_avg_pool1d: GlobalAvgPool1d { input: [2, 6], pool: GlobalAvgPool } cases 64;
    flatten_dense: FlattenDense { input: [2, 3, 4], flatten: Flatten, fc: Dense<24, 3> } cases 64;
    conv_pool_dense: ConvPoolDense {
        input: [1, 8, 8],
        conv: Conv2d<1, 3, 3, padding = 1>,
        Relu,
        pool: MaxPool2d<2>,
        flatten: Flatten,
        fc: Dense<48, 4>,
    } cases 32;
}

/// A batch's gradient is the mean of the samples' gradients, and its
/// outputs the samples' outputs, for networks with every kind of shaped
/// layer.
#[test]
fn a_batch_gradient_is_the_mean_of_the_samples_gradients() {
    network! {
        struct Mixed<f64> {
            input: [2, 6, 6],
            conv: Conv2d<2, 3, 3, padding = same>,
            Tanh,
            depthwise: DepthwiseConv2d<3, 2, stride = 2>,
            pool: AvgPool2d<(1, 3)>,
            max: MaxPool2d<(3, 1)>,
            flatten: Flatten,
            out: Dense<3, 2>,
        }
    }
    network! {
        struct Series<f64> {
            input: [2, 9],
            conv: Conv1d<2, 3, 3, padding = same>,
            Tanh,
            max: MaxPool1d<2>,
            avg: AvgPool1d<2>,
            pool: GlobalAvgPool,
            out: Dense<3, 2>,
        }
    }
    batch_against_samples(build(3, Mixed::random), 4);
    batch_against_samples(build(5, Series::random), 6);
}

/// Five drawn samples through `net` as a batch and one at a time.
fn batch_against_samples<N: Network<f64, Grads = N>>(net: N, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut draw = |mut value: N::Input| {
        value.scalars_mut().fill_with(|| rng.random_range(-1.0..1.0));
        value
    };
    let inputs: [N::Input; 5] = core::array::from_fn(|_| draw(N::Input::zeros()));
    let targets: [N::Output; 5] = core::array::from_fn(|_| {
        let mut target = N::Output::zeros();
        target.scalars_mut().fill_with(|| rng.random());
        target
    });
    let mut batch = N::zeros();
    let batch_loss = net.loss_and_grad_batch(&inputs, &targets, &Mse, &mut batch);
    let mut samples = N::zeros();
    let mut loss = 0.0;
    for (input, target) in inputs.iter().zip(&targets) {
        loss += net.loss_and_grad(input, target, &Mse, &mut samples) / 5.0;
    }
    samples.scale(0.2);
    assert!((batch_loss - loss).abs() < 1e-12, "{batch_loss} against {loss}");
    for index in 0..N::TENSORS {
        let info = N::tensor_info(index).unwrap();
        let (batch, samples) = (batch.tensor(index).unwrap(), samples.tensor(index).unwrap());
        for (k, (b, s)) in batch.iter().zip(samples).enumerate() {
            assert!(
                (b - s).abs() <= 1e-12 * s.abs().max(1.0),
                "{}: {b} against {s}",
                info.element(k)
            );
        }
    }
    let outputs = net.forward_batch(&inputs);
    for (output, input) in outputs.iter().zip(&inputs) {
        assert!(output.scalars() == net.forward(input).scalars());
    }
}

/// Layers without parameters hold nothing: any two are equal, and `Debug`
/// names the layer and its size.
#[test]
fn layers_without_parameters_are_all_alike() {
    let pool = GlobalAvgPool::<[[f64; 2]; 3], 4>::new();
    assert_eq!(pool, GlobalAvgPool::default());
    assert_eq!(format!("{pool:?}"), "GlobalAvgPool<4>");
    let flatten = Flatten::<[[f64; 2]; 3], 6>::new();
    assert_eq!(flatten, Flatten::default());
    assert_eq!(format!("{flatten:?}"), "Flatten<6>");
}

/// Convolution weights are named and shaped as PyTorch names and shapes
/// them, so a state dict needs no transpose.
#[test]
fn tensors_have_pytorch_names_and_shapes() {
    network! {
        struct Named<f32> {
            input: [3, 8, 8],
            conv: Conv2d<3, 4, (3, 2)>,
            depthwise: DepthwiseConv2d<4, 3>,
            flatten: Flatten,
            fc: Dense<80, 2>,
        }
    }
    let tensors: Vec<_> = (0..)
        .map_while(<Named as Params<f32>>::tensor_info)
        .map(|info| (info.to_string(), info.shape.to_vec()))
        .collect();
    let expected = [
        ("conv.weight", vec![4, 3, 3, 2]),
        ("conv.bias", vec![4]),
        ("depthwise.weight", vec![4, 1, 3, 3]),
        ("depthwise.bias", vec![4]),
        ("fc.weight", vec![80, 2]),
        ("fc.bias", vec![2]),
    ];
    assert_eq!(tensors, expected.map(|(name, shape)| (name.to_string(), shape)));
    assert_eq!(Named::<f32>::PARAMS, 4 * 3 * 3 * 2 + 4 + 4 * 9 + 4 + 80 * 2 + 2);
    assert_eq!((Named::<f32>::INPUT, Named::<f32>::OUTPUT), (3 * 8 * 8, 2));
}

/// Weights in and out: convolution weights keep PyTorch's layout in every
/// file, whatever the layout asked for the dense ones.
#[test]
fn convolutional_networks_round_trip_through_files() {
    use constnet::io::{Layout, numpy, safetensors};

    network! {
        #[derive(Debug, PartialEq)]
        struct Saved<f32> {
            input: [2, 6, 6],
            conv: Conv2d<2, 3, 3>,
            pool: MaxPool2d<2>,
            depthwise: DepthwiseConv2d<3, 2>,
            flatten: Flatten,
            out: Dense<3, 3>,
        }
    }
    let mut net: Saved = Saved::random(&mut SmallRng::seed_from_u64(11));
    (net.conv.bias, net.out.bias) = ([0.5, -1.0, 2.0], [0.25, 0.125, -3.0]);
    let dir = tempfile::tempdir().unwrap();
    for layout in [Layout::InOut, Layout::OutIn] {
        let path = dir.path().join("net.safetensors");
        safetensors::save(&net, &path, layout).unwrap();
        assert_eq!(safetensors::load::<f32, Saved>(&path, layout).unwrap(), net);
        let path = dir.path().join("net.npz");
        numpy::save_npz(&net, &path, layout).unwrap();
        assert_eq!(numpy::load_npz::<f32, Saved>(&path, layout).unwrap(), net);
    }
    // In both layouts, convolution weights are stored as they are, with
    // PyTorch's shape; only the dense weight turns around.
    let files =
        [Layout::InOut, Layout::OutIn].map(|layout| safetensors::write(&net, layout).unwrap());
    let [in_out, out_in] =
        files.each_ref().map(|bytes| ::safetensors::SafeTensors::deserialize(bytes).unwrap());
    for name in ["conv.weight", "depthwise.weight"] {
        let (a, b) = (in_out.tensor(name).unwrap(), out_in.tensor(name).unwrap());
        assert_eq!((a.shape(), a.data()), (b.shape(), b.data()), "{name}");
    }
    assert_eq!(in_out.tensor("depthwise.weight").unwrap().shape(), [3, 1, 2, 2]);
    let (a, b) = (in_out.tensor("out.weight").unwrap(), out_in.tensor("out.weight").unwrap());
    assert_ne!(a.data(), b.data());
}

network! {
    /// LeNet-5's shapes, on MNIST's 28 × 28.
    pub struct LeNet<f32> {
        input: [1, 28, 28],
        conv1: Conv2d<1, 6, 5, padding = 2>,
        Relu,
        pool1: MaxPool2d<2>,
        conv2: Conv2d<6, 16, 5>,
        Relu,
        pool2: MaxPool2d<2>,
        flatten: Flatten,
        fc: Dense<400, 10>,
    }
}

/// The summary shows every shape; memory is what the arrays hold.
#[test]
fn the_summary_shows_shapes_and_memory_counts_every_array() {
    let summary = LeNet::<f32>::zeros().summary().to_string();
    let rows: Vec<Vec<&str>> = summary.lines().map(|l| l.split_whitespace().collect()).collect();
    let expected: [&[&str]; 8] = [
        &["conv1", "(Conv2d)", "[6,", "28,", "28]", "156", "624"],
        &["(Relu)", "[6,", "28,", "28]", "0", "0"],
        &["pool1", "(MaxPool2d)", "[6,", "14,", "14]", "0", "0"],
        &["conv2", "(Conv2d)", "[16,", "10,", "10]", "2416", "9664"],
        &["(Relu)", "[16,", "10,", "10]", "0", "0"],
        &["pool2", "(MaxPool2d)", "[16,", "5,", "5]", "0", "0"],
        &["flatten", "(Flatten)", "[400]", "0", "0"],
        &["fc", "(Dense)", "[10]", "4010", "16040"],
    ];
    assert_eq!(&rows[3..11], expected.map(<[&str]>::to_vec), "{summary}");
    // 6·25 + 6, 16·6·25 + 16 and 400·10 + 10 parameters of 4 bytes.
    assert_eq!(LeNet::<f32>::PARAMS, 156 + 2416 + 4010);
    assert_eq!(LeNet::<f32>::PARAM_BYTES, 4 * 6582);
    // Inputs kept: conv1 784, Relu 4704, pool1 4704, conv2 1176, Relu
    // 1600, pool2 1600, flatten nothing, fc 400.
    assert_eq!(LeNet::<f32>::TRACE_BYTES, 4 * (784 + 4704 + 4704 + 1176 + 1600 + 1600 + 400));
}

//! The workloads, their weights and their data: generated once, then handed
//! to every framework so that all of them start from the same numbers.

use constnet::Params;
use constnet::prelude::*;
use rand::rngs::SmallRng;

/// The activation after each hidden layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hidden {
    Tanh,
    Relu,
}

/// What follows the last layer, and the loss on it (mean over the batch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head {
    /// Sigmoid, then mean squared error.
    SigmoidMse,
    /// Logits, then softmax cross-entropy against one class per sample.
    SoftmaxCrossEntropy,
    /// Logits, inference only.
    Linear,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Id {
    Xor,
    Small,
    Mnist,
    Sine,
    LeNet,
}

/// A convolution with a square kernel, stride 1, over square images,
/// followed by the hidden activation and 2 × 2 max pooling: LeNet's pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv {
    pub in_channels: usize,
    pub out_channels: usize,
    pub kernel: usize,
    pub padding: usize,
    /// The input's height and width.
    pub side: usize,
}

/// The window and stride of the max pooling after each convolution.
pub const POOL: usize = 2;

impl Conv {
    /// The output's height and width, before pooling.
    pub const fn out_side(&self) -> usize {
        self.side + 2 * self.padding - self.kernel + 1
    }

    /// Input scalars per sample.
    pub const fn input_len(&self) -> usize {
        self.in_channels * self.side * self.side
    }

    /// Multiply-adds per sample: each output value is a dot product over a
    /// kernel in every input channel.
    pub const fn products(&self) -> usize {
        self.out_channels
            * self.in_channels
            * self.kernel
            * self.kernel
            * self.out_side()
            * self.out_side()
    }
}

pub struct Spec {
    pub id: Id,
    pub name: &'static str,
    /// Convolutions from the input on, before the dense layers.
    pub convs: &'static [Conv],
    /// Widths of the dense layers, from their input to the output.
    pub widths: &'static [usize],
    pub hidden: Hidden,
    pub head: Head,
    pub batch: usize,
    pub learning_rate: f32,
    pub trains: bool,
}

pub const SPECS: [Spec; 5] = [
    Spec {
        id: Id::Xor,
        name: "A: XOR 2-3-1",
        convs: &[],
        widths: &[2, 3, 1],
        hidden: Hidden::Tanh,
        head: Head::SigmoidMse,
        batch: 4,
        learning_rate: 0.5,
        trains: true,
    },
    Spec {
        id: Id::Small,
        name: "B: 64-32-10",
        convs: &[],
        widths: &[64, 32, 10],
        hidden: Hidden::Relu,
        head: Head::SoftmaxCrossEntropy,
        batch: 32,
        learning_rate: 0.05,
        trains: true,
    },
    Spec {
        id: Id::Mnist,
        name: "C: 784-128-10",
        convs: &[],
        widths: &[784, 128, 10],
        hidden: Hidden::Relu,
        head: Head::SoftmaxCrossEntropy,
        batch: 32,
        learning_rate: 0.05,
        trains: true,
    },
    Spec {
        id: Id::Sine,
        name: "sine 1-16-16-1",
        convs: &[],
        widths: &[1, 16, 16, 1],
        hidden: Hidden::Relu,
        head: Head::Linear,
        batch: 1,
        learning_rate: 0.0,
        trains: false,
    },
    Spec {
        id: Id::LeNet,
        name: "D: LeNet",
        convs: &[
            Conv { in_channels: 1, out_channels: 6, kernel: 5, padding: 2, side: 28 },
            Conv { in_channels: 6, out_channels: 16, kernel: 5, padding: 0, side: 14 },
        ],
        widths: &[400, 64, 10],
        hidden: Hidden::Relu,
        head: Head::SoftmaxCrossEntropy,
        batch: 32,
        learning_rate: 0.05,
        trains: true,
    },
];

network! {
    pub struct Xor<f32> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid }
}
network! {
    pub struct Small<f32> { hidden: Dense<64, 32>, Relu, out: Dense<32, 10> }
}
network! {
    pub struct Mnist<f32> { hidden: Dense<784, 128>, Relu, out: Dense<128, 10> }
}
network! {
    pub struct Sine<f32> { first: Dense<1, 16>, Relu, second: Dense<16, 16>, Relu, out: Dense<16, 1> }
}
network! {
    /// The CNN of `examples/mnist.rs`.
    pub struct LeNet<f32> {
        input: [1, 28, 28],
        conv1: Conv2d<1, 6, 5, padding = 2>,
        Relu,
        pool1: MaxPool2d<2>,
        conv2: Conv2d<6, 16, 5>,
        Relu,
        pool2: MaxPool2d<2>,
        flatten: Flatten,
        hidden: Dense<400, 64>,
        Relu,
        logits: Dense<64, 10>,
    }
}

/// One convolution's parameters; the weight in PyTorch's (and constnet's)
/// layout `[out][in][kh][kw]`, flattened.
#[derive(Clone, Debug)]
pub struct ConvParams {
    pub shape: Conv,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// One dense layer's parameters in constnet's layout: `weight[i][o]`,
/// flattened row by row (the transpose of PyTorch's `[out][in]`).
#[derive(Clone, Debug)]
pub struct DenseParams {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

impl DenseParams {
    /// The weight as `[out][in]`, flattened: what dfdx and candle store.
    pub fn weight_out_in(&self) -> Vec<f32> {
        let mut transposed = vec![0.0; self.weight.len()];
        for i in 0..self.inputs {
            for o in 0..self.outputs {
                transposed[o * self.inputs + i] = self.weight[i * self.outputs + o];
            }
        }
        transposed
    }
}

/// Everything a framework needs to run a workload.
pub struct Problem {
    pub convs: Vec<ConvParams>,
    pub layers: Vec<DenseParams>,
    /// `batch` inputs, row by row (images channel by channel, row by row).
    pub inputs: Vec<f32>,
    /// Regression targets (`SigmoidMse`), `batch × outputs`, row by row.
    pub targets: Vec<f32>,
    /// The class of each sample (`SoftmaxCrossEntropy`).
    pub classes: Vec<usize>,
}

impl Problem {
    pub fn new(spec: &Spec) -> Self {
        let mut rng = SmallRng::seed_from_u64(2024);
        let (mut convs, mut layers) = match spec.id {
            Id::Xor => parameters(&Xor::<f32>::random(&mut rng), spec),
            Id::Small => parameters(&Small::<f32>::random(&mut rng), spec),
            Id::Mnist => parameters(&Mnist::<f32>::random(&mut rng), spec),
            Id::Sine => parameters(&Sine::<f32>::random(&mut rng), spec),
            Id::LeNet => parameters(&LeNet::<f32>::random(&mut rng), spec),
        };
        // Biases start at zero; make them matter to the comparison.
        let biases =
            convs.iter_mut().map(|c| &mut c.bias).chain(layers.iter_mut().map(|l| &mut l.bias));
        for bias in biases {
            bias.iter_mut().for_each(|b| *b = rng.random_range(-0.1..0.1));
        }
        let input = spec.convs.first().map_or(spec.widths[0], Conv::input_len);
        let output = *spec.widths.last().unwrap();
        let (inputs, targets, classes) = match spec.id {
            Id::Xor => (vec![0., 0., 0., 1., 1., 0., 1., 1.], vec![0., 1., 1., 0.], vec![]),
            _ => {
                let inputs = (0..spec.batch * input).map(|_| rng.random_range(-1.0..1.0)).collect();
                let classes = (0..spec.batch).map(|_| rng.random_range(0..output)).collect();
                (inputs, vec![], classes)
            }
        };
        Self { convs, layers, inputs, targets, classes }
    }

    /// Input scalars per sample.
    pub fn input_width(&self) -> usize {
        self.convs.first().map_or(self.layers[0].inputs, |c| c.shape.input_len())
    }

    /// The dimensions of one sample: `[channels, height, width]` for a CNN.
    pub fn sample_shape(&self) -> Vec<usize> {
        match self.convs.first() {
            Some(conv) => vec![conv.shape.in_channels, conv.shape.side, conv.shape.side],
            None => vec![self.input_width()],
        }
    }

    pub fn output_width(&self) -> usize {
        self.layers.last().unwrap().outputs
    }

    /// Every parameter tensor in constnet's order and layout.
    pub fn tensors(&self) -> impl Iterator<Item = &[f32]> {
        let convs = self.convs.iter().flat_map(|c| [&c.weight[..], &c.bias[..]]);
        convs.chain(self.layers.iter().flat_map(|l| [&l.weight[..], &l.bias[..]]))
    }

    /// The first sample: what single-sample inference runs on.
    pub fn first_input(&self) -> &[f32] {
        &self.inputs[..self.input_width()]
    }

    /// One-hot targets, `batch × outputs`, row by row.
    pub fn one_hot(&self) -> Vec<f32> {
        let outputs = self.output_width();
        let mut one_hot = vec![0.0; self.classes.len() * outputs];
        for (sample, &class) in self.classes.iter().enumerate() {
            one_hot[sample * outputs + class] = 1.0;
        }
        one_hot
    }

    /// The regression targets or the one-hot classes, whichever the head uses.
    pub fn dense_targets(&self, head: Head) -> Vec<f32> {
        match head {
            Head::SigmoidMse => self.targets.clone(),
            _ => self.one_hot(),
        }
    }
}

/// The parameters of `network`, whose convolutions and dense layers are
/// those of `spec`, in that order.
fn parameters<N: Params<f32>>(network: &N, spec: &Spec) -> (Vec<ConvParams>, Vec<DenseParams>) {
    let mut tensors = (0..N::TENSORS).map(|index| network.tensor(index).unwrap().to_vec());
    let mut next = |len: usize| {
        let tensor = tensors.next().expect("a tensor per weight and bias");
        assert_eq!(tensor.len(), len, "{}: a tensor's size", spec.name);
        tensor
    };
    let convs = spec
        .convs
        .iter()
        .map(|&shape| ConvParams {
            shape,
            weight: next(shape.out_channels * shape.in_channels * shape.kernel * shape.kernel),
            bias: next(shape.out_channels),
        })
        .collect();
    let layers = spec
        .widths
        .windows(2)
        .map(|pair| DenseParams {
            inputs: pair[0],
            outputs: pair[1],
            weight: next(pair[0] * pair[1]),
            bias: next(pair[1]),
        })
        .collect();
    assert!(tensors.next().is_none(), "{}: more tensors than the spec says", spec.name);
    (convs, layers)
}

/// Floating-point operations of the convolutions and matrix products,
/// counted as the work a training step needs: forward `2·B·in·out` per
/// dense layer and `2·B·OUT·IN·KH·KW·H_out·W_out` per convolution, weight
/// gradient the same, input gradient the same for every layer but the first
/// (the data needs no gradient). Activations, pooling, losses and updates
/// are not counted.
pub fn flops(spec: &Spec, training: bool) -> f64 {
    let products = products(spec);
    let total: f64 = products.iter().sum();
    if training {
        2.0 * spec.batch as f64 * (2.0 * total + (total - products[0]))
    } else {
        2.0 * total
    }
}

/// The same work counted the way most published figures count it: three
/// matrix products of `2·B·MACs` each for a training step (the first
/// layer's input gradient included), `2·MACs` for an inference.
pub fn conventional_flops(spec: &Spec, training: bool) -> f64 {
    let total: f64 = products(spec).iter().sum();
    if training { 3.0 * 2.0 * spec.batch as f64 * total } else { 2.0 * total }
}

/// Multiply-accumulates of one sample's forward pass, layer by layer.
fn products(spec: &Spec) -> Vec<f64> {
    let convs = spec.convs.iter().map(Conv::products);
    let dense = spec.widths.windows(2).map(|w| w[0] * w[1]);
    convs.chain(dense).map(|p| p as f64).collect()
}

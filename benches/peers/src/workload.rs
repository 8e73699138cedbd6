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
}

pub struct Spec {
    pub id: Id,
    pub name: &'static str,
    /// Widths from the input to the output.
    pub widths: &'static [usize],
    pub hidden: Hidden,
    pub head: Head,
    pub batch: usize,
    pub learning_rate: f32,
    pub trains: bool,
}

pub const SPECS: [Spec; 4] = [
    Spec {
        id: Id::Xor,
        name: "A: XOR 2-3-1",
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
        widths: &[1, 16, 16, 1],
        hidden: Hidden::Relu,
        head: Head::Linear,
        batch: 1,
        learning_rate: 0.0,
        trains: false,
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
    pub layers: Vec<DenseParams>,
    /// `batch` inputs, row by row.
    pub inputs: Vec<f32>,
    /// Regression targets (`SigmoidMse`), `batch × outputs`, row by row.
    pub targets: Vec<f32>,
    /// The class of each sample (`SoftmaxCrossEntropy`).
    pub classes: Vec<usize>,
}

impl Problem {
    pub fn new(spec: &Spec) -> Self {
        let mut rng = SmallRng::seed_from_u64(2024);
        let layers = match spec.id {
            Id::Xor => layers_of(&Xor::<f32>::random(&mut rng), spec.widths),
            Id::Small => layers_of(&Small::<f32>::random(&mut rng), spec.widths),
            Id::Mnist => layers_of(&Mnist::<f32>::random(&mut rng), spec.widths),
            Id::Sine => layers_of(&Sine::<f32>::random(&mut rng), spec.widths),
        };
        // Biases start at zero; make them matter to the comparison.
        let mut layers = layers;
        for layer in &mut layers {
            layer.bias.iter_mut().for_each(|b| *b = rng.random_range(-0.1..0.1));
        }
        let (input, output) = (spec.widths[0], *spec.widths.last().unwrap());
        let (inputs, targets, classes) = match spec.id {
            Id::Xor => (vec![0., 0., 0., 1., 1., 0., 1., 1.], vec![0., 1., 1., 0.], vec![]),
            _ => {
                let inputs = (0..spec.batch * input).map(|_| rng.random_range(-1.0..1.0)).collect();
                let classes = (0..spec.batch).map(|_| rng.random_range(0..output)).collect();
                (inputs, vec![], classes)
            }
        };
        Self { layers, inputs, targets, classes }
    }

    pub fn input_width(&self) -> usize {
        self.layers[0].inputs
    }

    pub fn output_width(&self) -> usize {
        self.layers.last().unwrap().outputs
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

fn layers_of<N: Params<f32>>(network: &N, widths: &[usize]) -> Vec<DenseParams> {
    widths
        .windows(2)
        .enumerate()
        .map(|(layer, pair)| DenseParams {
            inputs: pair[0],
            outputs: pair[1],
            weight: network.tensor(2 * layer).expect("a weight per layer").to_vec(),
            bias: network.tensor(2 * layer + 1).expect("a bias per layer").to_vec(),
        })
        .collect()
}

/// Floating-point operations of the matrix products, counted as the work a
/// training step needs: forward `2·B·in·out` per layer, weight gradient the
/// same, input gradient the same for every layer but the first (the data
/// needs no gradient). Activations, losses and updates are not counted.
pub fn flops(spec: &Spec, training: bool) -> f64 {
    let products: Vec<f64> = spec.widths.windows(2).map(|w| (w[0] * w[1]) as f64).collect();
    let total: f64 = products.iter().sum();
    if training {
        2.0 * spec.batch as f64 * (2.0 * total + (total - products[0]))
    } else {
        2.0 * total
    }
}

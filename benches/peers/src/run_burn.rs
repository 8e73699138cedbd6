//! burn with autodiff, on one of its CPU backends (NdArray or Flex).

use burn::module::Param;
use burn::nn::Linear;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig, MseLoss, Reduction};
use burn::optim::ModuleOptimizer;
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::activation::{relu, sigmoid, tanh};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::Runner;
use crate::workload::{Head, Hidden, Problem, Spec};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backend {
    NdArray,
    Flex,
}

impl Backend {
    fn device(self) -> Device {
        match self {
            #[allow(deprecated)] // still what many users run; Flex is measured beside it
            Backend::NdArray => Device::ndarray(),
            Backend::Flex => Device::flex(),
        }
    }
}

struct Burn {
    /// Trained on the autodiff device.
    layers: Vec<Linear>,
    /// The same weights on the plain device, for inference.
    inference_layers: Vec<Linear>,
    optimizer: ModuleOptimizer,
    cross_entropy: CrossEntropyLoss,
    hidden: Hidden,
    head: Head,
    learning_rate: f64,
    inputs: Tensor<2>,
    targets: Tensor<2>,
    classes: Tensor<1, Int>,
    first: Tensor<2>,
}

pub fn runner(backend: Backend, spec: &Spec, problem: &Problem) -> Box<dyn Runner> {
    Box::new(Burn::new(backend, spec, problem))
}

fn linears(problem: &Problem, device: &Device) -> Vec<Linear> {
    // burn's `Linear` stores `[d_input, d_output]`: constnet's layout.
    problem
        .layers
        .iter()
        .map(|layer| Linear {
            weight: Param::from_data(
                TensorData::new(layer.weight.clone(), [layer.inputs, layer.outputs]),
                device,
            ),
            bias: Some(Param::from_data(
                TensorData::new(layer.bias.clone(), [layer.outputs]),
                device,
            )),
        })
        .collect()
}

impl Burn {
    fn new(backend: Backend, spec: &Spec, problem: &Problem) -> Self {
        let plain = backend.device();
        let device = plain.clone().autodiff();
        let (batch, input, output) = (spec.batch, problem.input_width(), problem.output_width());
        let inputs =
            Tensor::from_data(TensorData::new(problem.inputs.clone(), [batch, input]), &device);
        let targets = Tensor::from_data(
            TensorData::new(problem.dense_targets(spec.head), [batch, output]),
            &device,
        );
        let classes = problem.classes.iter().map(|&c| c as i64).collect::<Vec<_>>();
        let classes = Tensor::from_data(TensorData::new(classes, [problem.classes.len()]), &device);
        let first =
            Tensor::from_data(TensorData::new(problem.first_input().to_vec(), [1, input]), &plain);
        Self {
            layers: linears(problem, &device),
            inference_layers: linears(problem, &plain),
            optimizer: SgdConfig::new().init(),
            cross_entropy: CrossEntropyLossConfig::new().init(&device),
            hidden: spec.hidden,
            head: spec.head,
            learning_rate: spec.learning_rate as f64,
            inputs,
            targets,
            classes,
            first,
        }
    }

    fn forward(layers: &[Linear], hidden: Hidden, head: Head, input: Tensor<2>) -> Tensor<2> {
        let mut x = input;
        let last = layers.len() - 1;
        for (index, layer) in layers.iter().enumerate() {
            x = layer.forward(x);
            x = if index < last {
                match hidden {
                    Hidden::Tanh => tanh(x),
                    Hidden::Relu => relu(x),
                }
            } else {
                match head {
                    Head::SigmoidMse => sigmoid(x),
                    Head::SoftmaxCrossEntropy | Head::Linear => x,
                }
            };
        }
        x
    }
}

impl Runner for Burn {
    fn train_step(&mut self) -> f32 {
        let prediction = Self::forward(&self.layers, self.hidden, self.head, self.inputs.clone());
        let loss = match self.head {
            Head::SigmoidMse => {
                MseLoss::new().forward(prediction, self.targets.clone(), Reduction::Mean)
            }
            _ => self.cross_entropy.forward(prediction, self.classes.clone()),
        };
        let value = loss.clone().into_scalar::<f32>();
        let grads = GradientsParams::from_grads(loss.backward(), &self.layers);
        let layers = std::mem::take(&mut self.layers);
        self.layers = self.optimizer.step(self.learning_rate, layers, grads);
        value
    }

    fn infer(&mut self) -> Vec<f32> {
        let output =
            Self::forward(&self.inference_layers, self.hidden, self.head, self.first.clone());
        output.into_data().try_to_vec::<f32>().expect("f32 output")
    }
}

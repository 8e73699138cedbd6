//! burn with autodiff, on one of its CPU backends (NdArray or Flex).

use burn::module::{Module, Param};
use burn::nn::conv::Conv2d;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig, MseLoss, Reduction};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, PaddingConfig2d};
use burn::optim::ModuleOptimizer;
use burn::optim::{GradientsParams, SgdConfig};
use burn::tensor::activation::{relu, sigmoid, tanh};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::Runner;
use crate::workload::{Head, Hidden, POOL, Problem, Spec};

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

/// A workload's parameters as burn modules.
#[derive(Module, Debug)]
struct Model {
    convs: Vec<Conv2d>,
    layers: Vec<Linear>,
}

struct Burn {
    /// Trained on the autodiff device.
    model: Model,
    /// The same weights on the plain device, for inference.
    inference_model: Model,
    pool: MaxPool2d,
    /// The dimensions of one sample.
    sample: Vec<usize>,
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

fn model(problem: &Problem, device: &Device) -> Model {
    let convs = problem
        .convs
        .iter()
        .map(|conv| {
            let shape = conv.shape;
            let (out, kernel, padding) = (shape.out_channels, shape.kernel, shape.padding);
            Conv2d {
                weight: Param::from_data(
                    TensorData::new(conv.weight.clone(), [out, shape.in_channels, kernel, kernel]),
                    device,
                ),
                bias: Some(Param::from_data(TensorData::new(conv.bias.clone(), [out]), device)),
                stride: [1, 1],
                kernel_size: [kernel, kernel],
                dilation: [1, 1],
                groups: 1,
                padding: PaddingConfig2d::Explicit(padding, padding, padding, padding),
            }
        })
        .collect();
    // burn's `Linear` stores `[d_input, d_output]`: constnet's layout.
    let layers = problem
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
        .collect();
    Model { convs, layers }
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
            model: model(problem, &device),
            inference_model: model(problem, &plain),
            pool: MaxPool2dConfig::new([POOL, POOL]).init(),
            sample: problem.sample_shape(),
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

    fn forward(&self, model: &Model, input: Tensor<2>) -> Tensor<2> {
        let mut x = input;
        if !model.convs.is_empty() {
            let [batch, _] = x.dims();
            let [channels, height, width] = self.sample[..] else { panic!("an image per sample") };
            let mut image: Tensor<4> = x.reshape([batch, channels, height, width]);
            for conv in &model.convs {
                image = self.pool.forward(self.activate(conv.forward(image)));
            }
            x = image.flatten(1, 3);
        }
        let last = model.layers.len() - 1;
        for (index, layer) in model.layers.iter().enumerate() {
            x = layer.forward(x);
            x = if index < last {
                self.activate(x)
            } else {
                match self.head {
                    Head::SigmoidMse => sigmoid(x),
                    Head::SoftmaxCrossEntropy | Head::Linear => x,
                }
            };
        }
        x
    }

    fn activate<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        match self.hidden {
            Hidden::Tanh => tanh(x),
            Hidden::Relu => relu(x),
        }
    }
}

impl Runner for Burn {
    fn train_step(&mut self) -> f32 {
        let prediction = self.forward(&self.model, self.inputs.clone());
        let loss = match self.head {
            Head::SigmoidMse => {
                MseLoss::new().forward(prediction, self.targets.clone(), Reduction::Mean)
            }
            _ => self.cross_entropy.forward(prediction, self.classes.clone()),
        };
        let value = loss.clone().into_scalar::<f32>();
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        let model = Model { convs: Vec::new(), layers: Vec::new() };
        let model = std::mem::replace(&mut self.model, model);
        self.model = self.optimizer.step(self.learning_rate, model, grads);
        value
    }

    fn infer(&mut self) -> Vec<f32> {
        let output = self.forward(&self.inference_model, self.first.clone());
        output.into_data().try_to_vec::<f32>().expect("f32 output")
    }
}

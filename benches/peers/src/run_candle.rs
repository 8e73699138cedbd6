//! candle (candle-core + candle-nn) on the CPU.

use candle_core::{DType, Device, Module, Tensor, Var};
use candle_nn::{Linear, Optimizer, SGD};

use crate::Runner;
use crate::workload::{Head, Hidden, Problem, Spec};

struct Candle {
    layers: Vec<Linear>,
    optimizer: SGD,
    hidden: Hidden,
    head: Head,
    inputs: Tensor,
    targets: Tensor,
    first: Tensor,
}

pub fn runner(spec: &Spec, problem: &Problem) -> Box<dyn Runner> {
    Box::new(Candle::new(spec, problem).expect("candle builds the workload"))
}

impl Candle {
    fn new(spec: &Spec, problem: &Problem) -> candle_core::Result<Self> {
        let device = Device::Cpu;
        let mut vars = Vec::new();
        let mut layers = Vec::new();
        for layer in &problem.layers {
            let weight =
                Var::from_vec(layer.weight_out_in(), (layer.outputs, layer.inputs), &device)?;
            let bias = Var::from_vec(layer.bias.clone(), layer.outputs, &device)?;
            layers.push(Linear::new(weight.as_tensor().clone(), Some(bias.as_tensor().clone())));
            vars.extend([weight, bias]);
        }
        let (batch, input) = (spec.batch, problem.input_width());
        let inputs = Tensor::from_vec(problem.inputs.clone(), (batch, input), &device)?;
        let targets = match spec.head {
            Head::SigmoidMse => {
                Tensor::from_vec(problem.targets.clone(), (batch, problem.output_width()), &device)?
            }
            _ => {
                let classes = problem.classes.iter().map(|&c| c as u32).collect::<Vec<_>>();
                Tensor::from_vec(classes, batch, &device)?
            }
        };
        let first = Tensor::from_vec(problem.first_input().to_vec(), (1, input), &device)?;
        let optimizer = SGD::new(vars, spec.learning_rate as f64)?;
        Ok(Self { layers, optimizer, hidden: spec.hidden, head: spec.head, inputs, targets, first })
    }

    fn forward(&self, input: &Tensor) -> candle_core::Result<Tensor> {
        let mut x = input.clone();
        let last = self.layers.len() - 1;
        for (index, layer) in self.layers.iter().enumerate() {
            x = layer.forward(&x)?;
            x = if index < last {
                match self.hidden {
                    Hidden::Tanh => x.tanh()?,
                    Hidden::Relu => x.relu()?,
                }
            } else {
                match self.head {
                    Head::SigmoidMse => candle_nn::ops::sigmoid(&x)?,
                    Head::SoftmaxCrossEntropy | Head::Linear => x,
                }
            };
        }
        Ok(x)
    }

    fn step(&mut self) -> candle_core::Result<f32> {
        let prediction = self.forward(&self.inputs)?;
        let loss = match self.head {
            Head::SigmoidMse => candle_nn::loss::mse(&prediction, &self.targets)?,
            _ => candle_nn::loss::cross_entropy(&prediction, &self.targets)?,
        };
        let value = loss.to_dtype(DType::F32)?.to_scalar::<f32>()?;
        self.optimizer.backward_step(&loss)?;
        Ok(value)
    }
}

impl Runner for Candle {
    fn train_step(&mut self) -> f32 {
        self.step().expect("candle trains")
    }

    fn infer(&mut self) -> Vec<f32> {
        let output = self.forward(&self.first).expect("candle infers");
        output.flatten_all().and_then(|o| o.to_vec1::<f32>()).expect("a vector")
    }
}

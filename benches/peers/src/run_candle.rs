//! candle (candle-core + candle-nn) on the CPU.

use candle_core::{DType, Device, Module, Tensor, Var};
use candle_nn::{Conv2d, Conv2dConfig, Linear, Optimizer, SGD};

use crate::Runner;
use crate::workload::{Head, Hidden, POOL, Problem, Spec};

struct Candle {
    convs: Vec<Conv2d>,
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
        let mut convs = Vec::new();
        for conv in &problem.convs {
            let shape = conv.shape;
            let (out, kernel) = (shape.out_channels, shape.kernel);
            let weight = Var::from_vec(
                conv.weight.clone(),
                (out, shape.in_channels, kernel, kernel),
                &device,
            )?;
            let bias = Var::from_vec(conv.bias.clone(), out, &device)?;
            let config = Conv2dConfig { padding: shape.padding, ..Default::default() };
            convs.push(Conv2d::new(
                weight.as_tensor().clone(),
                Some(bias.as_tensor().clone()),
                config,
            ));
            vars.extend([weight, bias]);
        }
        let mut layers = Vec::new();
        for layer in &problem.layers {
            let weight =
                Var::from_vec(layer.weight_out_in(), (layer.outputs, layer.inputs), &device)?;
            let bias = Var::from_vec(layer.bias.clone(), layer.outputs, &device)?;
            layers.push(Linear::new(weight.as_tensor().clone(), Some(bias.as_tensor().clone())));
            vars.extend([weight, bias]);
        }
        let batch = spec.batch;
        let shape = |samples| [vec![samples], problem.sample_shape()].concat();
        let inputs = Tensor::from_vec(problem.inputs.clone(), shape(batch), &device)?;
        let targets = match spec.head {
            Head::SigmoidMse => {
                Tensor::from_vec(problem.targets.clone(), (batch, problem.output_width()), &device)?
            }
            _ => {
                let classes = problem.classes.iter().map(|&c| c as u32).collect::<Vec<_>>();
                Tensor::from_vec(classes, batch, &device)?
            }
        };
        let first = Tensor::from_vec(problem.first_input().to_vec(), shape(1), &device)?;
        let optimizer = SGD::new(vars, spec.learning_rate as f64)?;
        let (hidden, head) = (spec.hidden, spec.head);
        Ok(Self { convs, layers, optimizer, hidden, head, inputs, targets, first })
    }

    fn forward(&self, input: &Tensor) -> candle_core::Result<Tensor> {
        let mut x = input.clone();
        if !self.convs.is_empty() {
            for conv in &self.convs {
                x = max_pool(&self.activate(&conv.forward(&x)?)?)?;
            }
            x = x.flatten_from(1)?;
        }
        let last = self.layers.len() - 1;
        for (index, layer) in self.layers.iter().enumerate() {
            x = layer.forward(&x)?;
            x = if index < last {
                self.activate(&x)?
            } else {
                match self.head {
                    Head::SigmoidMse => candle_nn::ops::sigmoid(&x)?,
                    Head::SoftmaxCrossEntropy | Head::Linear => x,
                }
            };
        }
        Ok(x)
    }

    fn activate(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self.hidden {
            Hidden::Tanh => x.tanh(),
            Hidden::Relu => x.relu(),
        }
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

/// Max pooling over `POOL × POOL` windows by candle's max reduction: its own
/// `max_pool2d` (0.11) passes back too small a gradient, the output's
/// gradient times the share of the window at the maximum (a quarter, for a
/// single maximum) where PyTorch passes it whole.
fn max_pool(x: &Tensor) -> candle_core::Result<Tensor> {
    let (batch, channels, height, width) = x.dims4()?;
    x.reshape((batch, channels, height / POOL, POOL, width / POOL, POOL))?.max(5)?.max(3)
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

#[cfg(test)]
mod tests {
    use candle_core::{Device, Tensor, Var};

    /// The gradient of the sum of a pooled tensor with respect to its input:
    /// one at each window's maximum, zero elsewhere.
    fn pooled_gradient(pool: impl Fn(&Tensor) -> candle_core::Result<Tensor>) -> Vec<f32> {
        let values = vec![1.0f32, 4.0, -2.0, 0.5, 3.0, 2.0, 7.0, 6.0];
        let x = Var::from_vec(values, (1, 2, 2, 2), &Device::Cpu).unwrap();
        let grads = pool(x.as_tensor()).unwrap().sum_all().unwrap().backward().unwrap();
        grads.get(x.as_tensor()).unwrap().flatten_all().unwrap().to_vec1().unwrap()
    }

    const EXPECTED: [f32; 8] = [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0];

    #[test]
    fn max_pool_passes_the_gradient_to_each_maximum() {
        assert_eq!(pooled_gradient(super::max_pool), EXPECTED);
    }

    /// Why `max_pool` exists: once this fails, candle's own is right.
    #[test]
    fn candle_max_pool2d_passes_a_quarter_of_the_gradient() {
        let quarter = EXPECTED.map(|g| g / 4.0);
        assert_eq!(pooled_gradient(|x| x.max_pool2d(2)), quarter);
    }
}

//! dfdx 0.13 on its CPU device: static shapes, like constnet.

use dfdx::losses::{cross_entropy_with_logits_loss, mse_loss};
use dfdx::nn::builders::{Linear, ReLU, Sigmoid, Tanh};
use dfdx::optim::{Optimizer, Sgd, SgdConfig};
use dfdx::prelude::*;

use crate::workload::{Head, Id, Problem, Spec};
use crate::{Runner, Setup};

/// One runner type per workload: dfdx's shapes are types, so each needs its own.
macro_rules! dfdx_runner {
    ($name:ident, $model:ty, linears: [$($layer:tt),*], batch: $batch:literal,
     input: $input:literal, output: $output:literal, loss: $loss:path) => {
        struct $name {
            model: <$model as BuildOnDevice<Cpu, f32>>::Built,
            grads: Option<Gradients<f32, Cpu>>,
            optimizer: Sgd<<$model as BuildOnDevice<Cpu, f32>>::Built, f32, Cpu>,
            inputs: Tensor<Rank2<$batch, $input>, f32, Cpu>,
            targets: Tensor<Rank2<$batch, $output>, f32, Cpu>,
            first: Tensor<Rank1<$input>, f32, Cpu>,
        }

        impl $name {
            fn new(spec: &Spec, problem: &Problem) -> Self {
                let device = Cpu::default();
                let mut model = device.build_module::<$model, f32>();
                $(
                    let layer = &problem.layers[$layer / 2];
                    model.$layer.weight.copy_from(&layer.weight_out_in());
                    model.$layer.bias.copy_from(&layer.bias);
                )*
                let grads = Some(model.alloc_grads());
                let optimizer = Sgd::new(
                    &model,
                    SgdConfig { lr: spec.learning_rate as f64, momentum: None, weight_decay: None },
                );
                let inputs = device.tensor_from_vec(problem.inputs.clone(), (Const, Const));
                let targets =
                    device.tensor_from_vec(problem.dense_targets(spec.head), (Const, Const));
                let first = device.tensor_from_vec(problem.first_input().to_vec(), (Const,));
                Self { model, grads, optimizer, inputs, targets, first }
            }
        }

        impl Runner for $name {
            fn train_step(&mut self) -> f32 {
                let mut grads = self.grads.take().expect("gradients are put back every step");
                self.model.zero_grads(&mut grads);
                let prediction = self.model.forward_mut(self.inputs.clone().trace(grads));
                let loss = $loss(prediction, self.targets.clone());
                let value = loss.array();
                let grads = loss.backward();
                self.optimizer.update(&mut self.model, &grads).expect("every parameter is used");
                self.grads = Some(grads);
                value
            }

            fn infer(&mut self) -> Vec<f32> {
                self.model.forward(self.first.clone()).as_vec()
            }
        }
    };
}

dfdx_runner!(XorRunner, (Linear<2, 3>, Tanh, Linear<3, 1>, Sigmoid), linears: [0, 2],
    batch: 4, input: 2, output: 1, loss: mse_loss);
dfdx_runner!(SmallRunner, (Linear<64, 32>, ReLU, Linear<32, 10>), linears: [0, 2],
    batch: 32, input: 64, output: 10, loss: cross_entropy_with_logits_loss);
dfdx_runner!(MnistRunner, (Linear<784, 128>, ReLU, Linear<128, 10>), linears: [0, 2],
    batch: 32, input: 784, output: 10, loss: cross_entropy_with_logits_loss);
dfdx_runner!(SineRunner, (Linear<1, 16>, ReLU, Linear<16, 16>, ReLU, Linear<16, 1>),
    linears: [0, 2, 4], batch: 1, input: 1, output: 1, loss: mse_loss);

/// dfdx 0.13 builds its convolution and 2-D pooling (the layers `Conv2D`
/// and `MaxPool2D`, and the tensor operations under them even on run-time
/// sizes) only with its `nightly` feature, which computes output sizes with
/// `generic_const_exprs`: on stable Rust it runs no CNN.
pub fn runner(spec: &Spec, problem: &Problem) -> Setup {
    debug_assert!(spec.head != Head::SigmoidMse || spec.id == Id::Xor);
    Ok(match spec.id {
        Id::Xor => Box::new(XorRunner::new(spec, problem)),
        Id::Small => Box::new(SmallRunner::new(spec, problem)),
        Id::Mnist => Box::new(MnistRunner::new(spec, problem)),
        Id::Sine => Box::new(SineRunner::new(spec, problem)),
        Id::LeNet => return Err("needs nightly"),
    })
}

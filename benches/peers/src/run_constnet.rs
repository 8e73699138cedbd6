//! constnet: the networks declared in `workload.rs`.

use constnet::prelude::*;

use crate::Runner;
use crate::workload::{Id, LeNet, Mnist, Problem, Sine, Small, Spec, Xor};

pub fn runner(spec: &Spec, problem: &Problem) -> Box<dyn Runner> {
    match spec.id {
        Id::Xor => Box::new(Constnet::<_, _, 4>::new(Xor::<f32>::zeros(), Mse, spec, problem)),
        Id::Small => Box::new(Constnet::<_, _, 32>::new(
            Small::<f32>::zeros(),
            SoftmaxCrossEntropy,
            spec,
            problem,
        )),
        Id::Mnist => Box::new(Constnet::<_, _, 32>::new(
            Mnist::<f32>::zeros(),
            SoftmaxCrossEntropy,
            spec,
            problem,
        )),
        Id::Sine => Box::new(Constnet::<_, _, 1>::new(Sine::<f32>::zeros(), Mse, spec, problem)),
        Id::LeNet => Box::new(Constnet::<_, _, 32>::new(
            LeNet::<f32>::zeros(),
            SoftmaxCrossEntropy,
            spec,
            problem,
        )),
    }
}

/// The batch size is a type parameter: every workload's batch, as an array.
struct Constnet<N: Layer<f32>, L, const B: usize> {
    net: N,
    grads: N,
    loss: L,
    inputs: [N::Input; B],
    targets: [N::Output; B],
    learning_rate: f32,
}

fn vector<V: Vector<f32>>(values: &[f32]) -> V {
    let mut vector = V::zeros();
    vector.scalars_mut().copy_from_slice(values);
    vector
}

impl<N: Layer<f32>, L: Loss<f32>, const B: usize> Constnet<N, L, B> {
    fn new(mut net: N, loss: L, spec: &Spec, problem: &Problem) -> Self {
        assert_eq!(spec.batch, B, "{}: batch size", spec.name);
        for (index, tensor) in problem.tensors().enumerate() {
            net.tensor_mut(index).unwrap().copy_from_slice(tensor);
        }
        let targets = problem.dense_targets(spec.head);
        Self {
            net,
            grads: N::zeros(),
            loss,
            inputs: core::array::from_fn(|b| vector(&problem.inputs[b * N::INPUT..][..N::INPUT])),
            targets: core::array::from_fn(|b| vector(&targets[b * N::OUTPUT..][..N::OUTPUT])),
            learning_rate: spec.learning_rate,
        }
    }
}

impl<N: Layer<f32>, L: Loss<f32>, const B: usize> Runner for Constnet<N, L, B> {
    fn train_step(&mut self) -> f32 {
        self.grads.set_zero();
        let loss =
            self.net.loss_and_grad_batch(&self.inputs, &self.targets, &self.loss, &mut self.grads);
        self.net.sgd_step(&self.grads, self.learning_rate);
        loss
    }

    fn infer(&mut self) -> Vec<f32> {
        self.net.forward(&self.inputs[0]).scalars().to_vec()
    }

    fn infer_repeatedly(&mut self, times: u64) {
        for _ in 0..times {
            let net = std::hint::black_box(&self.net);
            std::hint::black_box(net.forward(std::hint::black_box(&self.inputs[0])));
        }
    }
}

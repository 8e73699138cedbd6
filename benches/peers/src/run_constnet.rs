//! constnet: the networks declared in `workload.rs`.

use constnet::prelude::*;

use crate::Runner;
use crate::workload::{Id, LeNet, Mnist, Problem, Sine, Small, Spec, Xor};

/// Where the network and its gradients live, each in a `Box` of its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Placement {
    /// At a 64-byte boundary: a cache line, an AVX-512 register.
    Aligned,
    /// 16 bytes past one, where glibc's `malloc` puts a large block.
    Misaligned,
}

pub fn runner(spec: &Spec, problem: &Problem, placement: Placement) -> Box<dyn Runner> {
    match placement {
        Placement::Aligned => placed::<0>(spec, problem),
        Placement::Misaligned => placed::<16>(spec, problem),
    }
}

fn placed<const OFFSET: usize>(spec: &Spec, problem: &Problem) -> Box<dyn Runner> {
    match spec.id {
        Id::Xor => {
            Box::new(Constnet::<_, _, 4, OFFSET>::new(Xor::<f32>::zeros(), Mse, spec, problem))
        }
        Id::Small => Box::new(Constnet::<_, _, 32, OFFSET>::new(
            Small::<f32>::zeros(),
            SoftmaxCrossEntropy,
            spec,
            problem,
        )),
        Id::Mnist => Box::new(Constnet::<_, _, 32, OFFSET>::new(
            Mnist::<f32>::zeros(),
            SoftmaxCrossEntropy,
            spec,
            problem,
        )),
        Id::Sine => {
            Box::new(Constnet::<_, _, 1, OFFSET>::new(Sine::<f32>::zeros(), Mse, spec, problem))
        }
        Id::LeNet => Box::new(Constnet::<_, _, 32, OFFSET>::new(
            LeNet::<f32>::zeros(),
            SoftmaxCrossEntropy,
            spec,
            problem,
        )),
    }
}

/// A value `OFFSET` bytes past a 64-byte boundary.
#[repr(C, align(64))]
struct Placed<T, const OFFSET: usize> {
    _padding: [u8; OFFSET],
    value: T,
}

impl<T, const OFFSET: usize> Placed<T, OFFSET> {
    fn boxed(value: T) -> Box<Self> {
        let placed = Box::new(Self { _padding: [0; OFFSET], value });
        assert_eq!((&raw const placed.value).addr() % 64, OFFSET, "a value's placement");
        placed
    }
}

/// The batch size is a type parameter: every workload's batch, as an array.
struct Constnet<N: Layer<f32>, L, const B: usize, const OFFSET: usize> {
    net: Box<Placed<N, OFFSET>>,
    grads: Box<Placed<N, OFFSET>>,
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

impl<N: Layer<f32>, L: Loss<f32>, const B: usize, const OFFSET: usize> Constnet<N, L, B, OFFSET> {
    fn new(mut net: N, loss: L, spec: &Spec, problem: &Problem) -> Self {
        assert_eq!(spec.batch, B, "{}: batch size", spec.name);
        for (index, tensor) in problem.tensors().enumerate() {
            net.tensor_mut(index).unwrap().copy_from_slice(tensor);
        }
        let targets = problem.dense_targets(spec.head);
        Self {
            net: Placed::boxed(net),
            grads: Placed::boxed(N::zeros()),
            loss,
            inputs: core::array::from_fn(|b| vector(&problem.inputs[b * N::INPUT..][..N::INPUT])),
            targets: core::array::from_fn(|b| vector(&targets[b * N::OUTPUT..][..N::OUTPUT])),
            learning_rate: spec.learning_rate,
        }
    }
}

impl<N: Layer<f32>, L: Loss<f32>, const B: usize, const OFFSET: usize> Runner
    for Constnet<N, L, B, OFFSET>
{
    fn train_step(&mut self) -> f32 {
        let (net, grads) = (&mut self.net.value, &mut self.grads.value);
        grads.set_zero();
        let loss = net.loss_and_grad_batch(&self.inputs, &self.targets, &self.loss, grads);
        net.sgd_step(grads, self.learning_rate);
        loss
    }

    fn infer(&mut self) -> Vec<f32> {
        self.net.value.forward(&self.inputs[0]).scalars().to_vec()
    }

    fn infer_repeatedly(&mut self, times: u64) {
        for _ in 0..times {
            let net = std::hint::black_box(&self.net.value);
            std::hint::black_box(net.forward(std::hint::black_box(&self.inputs[0])));
        }
    }
}

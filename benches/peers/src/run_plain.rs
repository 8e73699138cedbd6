//! Plain const-generic loops, written as a person would without a library:
//! the floor that constnet's small networks must not be slower than.

// Indexed loops are what such a person writes.
#![allow(clippy::needless_range_loop)]

use crate::workload::{DenseParams, Head, Hidden, Id, Problem, Spec};
use crate::{Runner, Setup};

#[derive(Clone)]
struct Dense<const I: usize, const O: usize> {
    weight: [[f32; O]; I],
    bias: [f32; O],
}

impl<const I: usize, const O: usize> Dense<I, O> {
    fn from(params: &DenseParams) -> Self {
        let mut layer = Self { weight: [[0.0; O]; I], bias: [0.0; O] };
        layer.weight.as_flattened_mut().copy_from_slice(&params.weight);
        layer.bias.copy_from_slice(&params.bias);
        layer
    }

    fn zeros() -> Self {
        Self { weight: [[0.0; O]; I], bias: [0.0; O] }
    }

    fn forward(&self, x: &[f32; I]) -> [f32; O] {
        let mut y = self.bias;
        for i in 0..I {
            for o in 0..O {
                y[o] += x[i] * self.weight[i][o];
            }
        }
        y
    }

    /// Adds the parameter gradients into `grads`.
    fn backward_params(&self, x: &[f32; I], g: &[f32; O], grads: &mut Self) {
        for o in 0..O {
            grads.bias[o] += g[o];
        }
        for i in 0..I {
            for o in 0..O {
                grads.weight[i][o] += x[i] * g[o];
            }
        }
    }

    fn backward_input(&self, g: &[f32; O]) -> [f32; I] {
        let mut dx = [0.0; I];
        for i in 0..I {
            for o in 0..O {
                dx[i] += self.weight[i][o] * g[o];
            }
        }
        dx
    }

    fn descend(&mut self, grads: &Self, rate: f32) {
        for (w, g) in self.weight.as_flattened_mut().iter_mut().zip(grads.weight.as_flattened()) {
            *w -= rate * g;
        }
        for (b, g) in self.bias.iter_mut().zip(&grads.bias) {
            *b -= rate * g;
        }
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Two dense layers with an activation between them.
struct TwoLayers<const I: usize, const H: usize, const O: usize> {
    first: Dense<I, H>,
    second: Dense<H, O>,
    first_grads: Dense<I, H>,
    second_grads: Dense<H, O>,
    hidden: Hidden,
    head: Head,
    inputs: Vec<[f32; I]>,
    targets: Vec<[f32; O]>,
    learning_rate: f32,
}

impl<const I: usize, const H: usize, const O: usize> TwoLayers<I, H, O> {
    fn new(spec: &Spec, problem: &Problem) -> Self {
        let targets = problem.dense_targets(spec.head);
        Self {
            first: Dense::from(&problem.layers[0]),
            second: Dense::from(&problem.layers[1]),
            first_grads: Dense::zeros(),
            second_grads: Dense::zeros(),
            hidden: spec.hidden,
            head: spec.head,
            inputs: problem.inputs.chunks(I).map(|x| x.try_into().unwrap()).collect(),
            targets: targets.chunks(O).map(|t| t.try_into().unwrap()).collect(),
            learning_rate: spec.learning_rate,
        }
    }

    fn activate(&self, x: [f32; H]) -> [f32; H] {
        match self.hidden {
            Hidden::Tanh => x.map(f32::tanh),
            Hidden::Relu => x.map(|v| v.max(0.0)),
        }
    }

    fn forward(&self, x: &[f32; I]) -> [f32; O] {
        let z = self.second.forward(&self.activate(self.first.forward(x)));
        match self.head {
            Head::SigmoidMse => z.map(sigmoid),
            _ => z,
        }
    }
}

impl<const I: usize, const H: usize, const O: usize> Runner for TwoLayers<I, H, O> {
    fn train_step(&mut self) -> f32 {
        self.first_grads = Dense::zeros();
        self.second_grads = Dense::zeros();
        let mut total = 0.0;
        for (x, t) in self.inputs.iter().zip(&self.targets) {
            let h = self.activate(self.first.forward(x));
            let z = self.second.forward(&h);
            let mut dz = [0.0; O];
            match self.head {
                Head::SigmoidMse => {
                    for o in 0..O {
                        let p = sigmoid(z[o]);
                        total += (p - t[o]) * (p - t[o]) / O as f32;
                        dz[o] = 2.0 * (p - t[o]) / O as f32 * p * (1.0 - p);
                    }
                }
                _ => {
                    let max = z.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                    let sum: f32 = z.iter().map(|&v| (v - max).exp()).sum();
                    let log_sum_exp = max + sum.ln();
                    for o in 0..O {
                        total += t[o] * (log_sum_exp - z[o]);
                        dz[o] = (z[o] - log_sum_exp).exp() - t[o];
                    }
                }
            }
            self.second.backward_params(&h, &dz, &mut self.second_grads);
            let mut dh = self.second.backward_input(&dz);
            for j in 0..H {
                dh[j] *= match self.hidden {
                    Hidden::Tanh => 1.0 - h[j] * h[j],
                    Hidden::Relu => (h[j] > 0.0) as u8 as f32,
                };
            }
            self.first.backward_params(x, &dh, &mut self.first_grads);
        }
        let batch = self.inputs.len() as f32;
        let rate = self.learning_rate / batch;
        self.first.descend(&self.first_grads, rate);
        self.second.descend(&self.second_grads, rate);
        total / batch
    }

    fn infer(&mut self) -> Vec<f32> {
        self.forward(&self.inputs[0]).to_vec()
    }

    fn infer_repeatedly(&mut self, times: u64) {
        for _ in 0..times {
            let this = std::hint::black_box(&*self);
            std::hint::black_box(this.forward(std::hint::black_box(&self.inputs[0])));
        }
    }
}

/// The sine network, inference only.
struct Sine {
    first: Dense<1, 16>,
    second: Dense<16, 16>,
    out: Dense<16, 1>,
    input: [f32; 1],
}

impl Sine {
    fn forward(&self, x: &[f32; 1]) -> [f32; 1] {
        let relu = |v: [f32; 16]| v.map(|v| v.max(0.0));
        self.out.forward(&relu(self.second.forward(&relu(self.first.forward(x)))))
    }
}

impl Runner for Sine {
    fn train_step(&mut self) -> f32 {
        unreachable!("the sine network is measured for inference only")
    }

    fn infer(&mut self) -> Vec<f32> {
        self.forward(&self.input).to_vec()
    }

    fn infer_repeatedly(&mut self, times: u64) {
        for _ in 0..times {
            let this = std::hint::black_box(&*self);
            std::hint::black_box(this.forward(std::hint::black_box(&self.input)));
        }
    }
}

/// The floor matters for small dense networks; convolutions are not written.
pub fn runner(spec: &Spec, problem: &Problem) -> Setup {
    Ok(match spec.id {
        Id::Xor => Box::new(TwoLayers::<2, 3, 1>::new(spec, problem)),
        Id::Small => Box::new(TwoLayers::<64, 32, 10>::new(spec, problem)),
        Id::Mnist => Box::new(TwoLayers::<784, 128, 10>::new(spec, problem)),
        Id::Sine => Box::new(Sine {
            first: Dense::from(&problem.layers[0]),
            second: Dense::from(&problem.layers[1]),
            out: Dense::from(&problem.layers[2]),
            input: [problem.inputs[0]],
        }),
        Id::LeNet => return Err("not written"),
    })
}

//! Weight initializers, over any [`rand::Rng`].

use num_traits::Float;
use rand::{Rng, RngExt};

use crate::{Params, Scalar};

/// How the weights of a layer are drawn. Biases start at zero.
///
/// `fan_in` and `fan_out` are the layer's input and output sizes. Every
/// variant is deterministic for a given generator state.
///
/// ```
/// use constnet::prelude::*;
/// use rand::{SeedableRng, rngs::SmallRng};
///
/// let mut rng = SmallRng::seed_from_u64(7);
/// let layer = Dense::<f32, 4, 3>::random(&mut rng, Init::XavierUniform);
/// let limit = (6.0f32 / 7.0).sqrt();
/// assert!(layer.weight.as_flattened().iter().all(|w| w.abs() <= limit));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Init {
    /// Every weight zero. Hidden units then stay identical during training.
    Zeros,
    /// Every weight the given value.
    Constant(f64),
    /// Uniform in `[low, high)`.
    Uniform {
        /// Lower bound, included.
        low: f64,
        /// Upper bound, excluded.
        high: f64,
    },
    /// Normal with the given mean and standard deviation.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// `0.01 · N(0, 1)`, as in many classroom notebooks.
    SmallNormal,
    /// Glorot & Bengio: uniform in `±sqrt(6 / (fan_in + fan_out))`.
    /// The default before `Tanh`, `Sigmoid`, `Softmax` and `Identity`.
    XavierUniform,
    /// Glorot & Bengio: normal with std `sqrt(2 / (fan_in + fan_out))`.
    XavierNormal,
    /// He et al.: uniform in `±sqrt(6 / fan_in)`. The default before `Relu`,
    /// `Relu6` and `LeakyRelu`.
    HeUniform,
    /// He et al.: normal with std `sqrt(2 / fan_in)`.
    HeNormal,
}

impl Init {
    /// Fills `weights` (of a layer with the given fans) from `rng`.
    pub fn fill<T: Scalar, R: Rng + ?Sized>(
        self,
        weights: &mut [T],
        fan_in: usize,
        fan_out: usize,
        rng: &mut R,
    ) {
        let draw = self.draw(fan_in, fan_out);
        for weight in weights {
            *weight = T::from_f64(draw.sample(rng));
        }
    }

    /// Draws every weight of `params` again, whatever initializer each layer
    /// was declared with, and sets every bias to zero: the run-time override
    /// of the initializers written in `network!`.
    ///
    /// A dense weight is a tensor of shape `[fan_in, fan_out]`; a
    /// convolution's, `[out, in, kernel...]`, with PyTorch's fans
    /// `in · kernel` and `out · kernel`; a bias has one dimension.
    ///
    /// ```
    /// use constnet::prelude::*;
    /// use rand::rngs::SmallRng;
    ///
    /// network! {
    ///     struct Net<f32> { hidden: Dense<2, 3>, Relu, out: Dense<3, 1> }
    /// }
    ///
    /// let mut net: Net = Net::random(&mut SmallRng::seed_from_u64(1));
    /// Init::Constant(0.5).initialize(&mut net, &mut SmallRng::seed_from_u64(2));
    /// assert_eq!((net.hidden.weight, net.out.bias), ([[0.5; 3]; 2], [0.0]));
    /// ```
    pub fn initialize<T: Scalar, P: Params<T>, R: Rng + ?Sized>(self, params: &mut P, rng: &mut R) {
        for index in 0..P::TENSORS {
            let (Some(info), Some(tensor)) = (P::tensor_info(index), params.tensor_mut(index))
            else {
                break;
            };
            match fans(info.shape) {
                Some((fan_in, fan_out)) => self.fill(tensor, fan_in, fan_out, rng),
                None => tensor.fill(T::ZERO),
            }
        }
    }

    /// One weight of a layer with the given fans.
    pub fn sample<R: Rng + ?Sized>(self, fan_in: usize, fan_out: usize, rng: &mut R) -> f64 {
        self.draw(fan_in, fan_out).sample(rng)
    }

    /// The distribution this initializer draws from, for the given fans.
    fn draw(self, fan_in: usize, fan_out: usize) -> Draw {
        let (fan_in, fan_out) = (fan_in.max(1) as f64, fan_out.max(1) as f64);
        let symmetric = |limit: f64| Draw::Uniform { low: -limit, high: limit };
        let centered = |std: f64| Draw::Normal { mean: 0.0, std };
        match self {
            Init::Zeros => Draw::Constant(0.0),
            Init::Constant(value) => Draw::Constant(value),
            Init::Uniform { low, high } => Draw::Uniform { low, high },
            Init::Normal { mean, std } => Draw::Normal { mean, std },
            Init::SmallNormal => centered(0.01),
            Init::XavierUniform => symmetric(Float::sqrt(6.0 / (fan_in + fan_out))),
            Init::XavierNormal => centered(Float::sqrt(2.0 / (fan_in + fan_out))),
            Init::HeUniform => symmetric(Float::sqrt(6.0 / fan_in)),
            Init::HeNormal => centered(Float::sqrt(2.0 / fan_in)),
        }
    }
}

/// The fans of a weight of this shape: `[in, out]` for a dense layer,
/// `[out, in, kernel...]` for a convolution (PyTorch's rule); `None` for a
/// bias.
fn fans(shape: &[usize]) -> Option<(usize, usize)> {
    match *shape {
        [fan_in, fan_out] => Some((fan_in, fan_out)),
        [out, inputs, ref kernel @ ..] if !kernel.is_empty() => {
            let receptive: usize = kernel.iter().product();
            Some((inputs * receptive, out * receptive))
        }
        _ => None,
    }
}

/// What every initializer comes down to, once its fans are known.
enum Draw {
    Constant(f64),
    /// In `[low, high)`.
    Uniform {
        low: f64,
        high: f64,
    },
    Normal {
        mean: f64,
        std: f64,
    },
}

impl Draw {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Draw::Constant(value) => value,
            Draw::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            Draw::Normal { mean, std } => mean + std * standard_normal(rng),
        }
    }
}

/// Box–Muller: two uniforms give one standard normal draw.
fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // in (0, 1], so ln(u1) is finite
    let u2 = rng.random::<f64>();
    Float::sqrt(-2.0 * Float::ln(u1)) * Float::cos(core::f64::consts::TAU * u2)
}

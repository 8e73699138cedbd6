//! Numerical gradient checking: analytic gradients against central finite
//! differences, in `f64`.
//!
//! For every parameter and every input scalar `θ`, the checker compares the
//! analytic derivative `a` with `n = (f(θ + ε) − f(θ − ε)) / 2ε` and accepts
//! it when `|a − n| ≤ atol + rtol·|n|`. The defaults are those of
//! `torch.autograd.gradcheck`: `ε = 1e-6`, `atol = 1e-5`, `rtol = 1e-3`.
//!
//! A layer is checked through a scalar objective: the dot product of its
//! output with a *cotangent* `c` (choose it at random: a fixed objective
//! such as the sum of a softmax is constant and checks nothing), or a loss
//! against a target. What training computes, the gradient of the mean loss
//! over a batch added into accumulated gradients, is checked by
//! [`GradCheck::loss_and_grad_batch`].
//!
//! Points closer than [`GradCheck::kink_margin`] to a non-differentiable
//! point (ReLU at 0) are refused with [`Error::NearKink`]: there finite
//! differences measure no derivative, and a tolerance wide enough to accept
//! them would accept real bugs too.
//!
//! ```
//! use constnet::prelude::*;
//! use constnet::gradcheck::GradCheck;
//!
//! network! {
//!     #[derive(Clone, Debug)]
//!     struct Tiny<f64> { hidden: Dense<3, 4>, Tanh, out: Dense<4, 2>, Softmax }
//! }
//!
//! let mut rng = rand::rngs::SmallRng::seed_from_u64(1);
//! let mut net: Tiny = Tiny::random(&mut rng); // `Tiny` is `Tiny<f64>`
//! let report = GradCheck::default()
//!     .layer(&mut net, &[0.3, -1.2, 0.8], &[0.7, -0.4])
//!     .unwrap();
//! assert!(report.passed(), "{report}");
//! assert_eq!(report.checked, Tiny::<f64>::PARAMS + 3);
//! ```

// A `Location` names its tensor inline (no heap to box it into), which makes
// `Error` large; it is returned once per check, so its size does not matter.
#![allow(clippy::result_large_err)]

use core::fmt;

use crate::layer::Activation;
use crate::params::TensorInfo;
use crate::{Layer, Loss, Network, Params, Vector};

/// The checker's settings. [`Default`] is `torch.autograd.gradcheck`'s.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradCheck {
    /// Finite-difference step.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance.
    pub rtol: f64,
    /// Smallest distance from a kink at which a point is checked.
    pub kink_margin: f64,
}

impl Default for GradCheck {
    fn default() -> Self {
        Self { eps: 1e-6, atol: 1e-5, rtol: 1e-3, kink_margin: 1e-3 }
    }
}

/// Why a point could not be checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Error {
    /// A value in the trace is `distance` from a kink, closer than `margin`.
    NearKink {
        /// Distance of the nearest kink.
        distance: f64,
        /// The checker's [`kink_margin`](GradCheck::kink_margin).
        margin: f64,
    },
    /// The objective, a finite difference or an analytic derivative is NaN
    /// or infinite.
    NotFinite {
        /// Where: the derivative (analytic or by finite differences) at this
        /// location, or the objective when this location was perturbed.
        location: Location,
        /// What was found.
        value: f64,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NearKink { distance, margin } => write!(
                f,
                "a value is {distance:e} from a kink, closer than the margin {margin:e}: \
                 finite differences are meaningless there"
            ),
            Error::NotFinite { location, value } => {
                write!(f, "non-finite value {value} at {location}")
            }
        }
    }
}

impl core::error::Error for Error {}

/// Which scalar a derivative is taken with respect to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Location {
    /// Input scalar `i`.
    Input(usize),
    /// Scalar `index` (row-major) of a parameter tensor.
    Param {
        /// The tensor.
        tensor: TensorInfo,
        /// Position in the tensor, row-major.
        index: usize,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Input(i) => write!(f, "input[{i}]"),
            Location::Param { tensor, index } => write!(f, "{}", tensor.element(*index)),
        }
    }
}

/// One analytic derivative next to its finite-difference estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// With respect to what.
    pub location: Location,
    /// From the backward pass.
    pub analytic: f64,
    /// From central differences.
    pub numeric: f64,
}

impl Comparison {
    /// `|analytic − numeric|`.
    pub fn abs_error(&self) -> f64 {
        (self.analytic - self.numeric).abs()
    }

    /// `|analytic − numeric| / max(|analytic|, |numeric|)`, 0 when both are 0.
    pub fn rel_error(&self) -> f64 {
        let scale = self.analytic.abs().max(self.numeric.abs());
        if scale == 0.0 { 0.0 } else { self.abs_error() / scale }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: analytic {:e}, numeric {:e} (abs {:.1e}, rel {:.1e})",
            self.location,
            self.analytic,
            self.numeric,
            self.abs_error(),
            self.rel_error()
        )
    }
}

/// The outcome of a check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Report {
    /// Number of derivatives compared.
    pub checked: usize,
    /// Number outside the tolerance.
    pub failures: usize,
    /// The largest absolute error.
    pub worst_absolute: Option<Comparison>,
    /// The largest relative error among derivatives of magnitude at least
    /// `atol` (below it, relative error measures only rounding noise).
    pub worst_relative: Option<Comparison>,
    /// The comparison nearest to (or furthest past) its tolerance.
    pub worst: Option<Comparison>,
    /// `worst`'s error over its tolerance.
    worst_excess: f64,
    settings: GradCheck,
    scale: Scale,
}

/// What `rtol` multiplies in a check's tolerance.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scale {
    /// The derivative's own finite difference, `|n|`.
    Derivative,
    /// The largest finite difference of the derivative's tensor.
    Tensor,
}

impl Report {
    fn new(settings: GradCheck, scale: Scale) -> Self {
        Self {
            checked: 0,
            failures: 0,
            worst_absolute: None,
            worst_relative: None,
            worst: None,
            worst_excess: 0.0,
            settings,
            scale,
        }
    }

    /// Whether every derivative is within tolerance.
    pub fn passed(&self) -> bool {
        self.failures == 0
    }

    /// Records `c`, within tolerance if `|a − n| ≤ atol + rtol·scale`.
    fn record(&mut self, c: Comparison, scale: f64) {
        self.checked += 1;
        let tolerance = self.settings.atol + self.settings.rtol * scale;
        let within = c.abs_error() <= tolerance;
        if !within {
            self.failures += 1;
        }
        let excess = c.abs_error() / tolerance;
        let larger = |current: Option<Comparison>, key: &dyn Fn(&Comparison) -> f64| match current {
            Some(old) if key(&old) >= key(&c) => Some(old),
            _ => Some(c),
        };
        self.worst_absolute = larger(self.worst_absolute, &Comparison::abs_error);
        if self.worst.is_none() || excess > self.worst_excess {
            (self.worst, self.worst_excess) = (Some(c), excess);
        }
        if c.analytic.abs().max(c.numeric.abs()) >= self.settings.atol {
            self.worst_relative = larger(self.worst_relative, &Comparison::rel_error);
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "passed" } else { "FAILED" };
        let scale = match self.scale {
            Scale::Derivative => "|n|",
            Scale::Tensor => "s (s: the largest |n| of its tensor)",
        };
        write!(
            f,
            "gradient check {verdict}: {} of {} derivatives outside |a − n| ≤ {:e} + {:e}·{scale}",
            self.failures, self.checked, self.settings.atol, self.settings.rtol
        )?;
        let lines = [
            ("worst", self.worst),
            ("largest absolute error", self.worst_absolute),
            ("largest relative error", self.worst_relative),
        ];
        for (label, comparison) in lines {
            if let Some(c) = comparison {
                write!(f, "\n  {label}: {c}")?;
            }
        }
        Ok(())
    }
}

impl GradCheck {
    /// Checks a layer (or network) through the objective `⟨cotangent, layer(input)⟩`:
    /// the gradient of every parameter and of every input scalar.
    ///
    /// The parameters are perturbed in place and restored bit for bit.
    pub fn layer<L: Layer<f64>>(
        &self,
        layer: &mut L,
        input: &L::Input,
        cotangent: &L::Output,
    ) -> Result<Report, Error> {
        self.layer_through(layer, input, |output| dot(output, cotangent), |_| *cotangent)
    }

    /// Checks a layer (or network) followed by `loss` against `target`.
    pub fn layer_with_loss<L: Layer<f64>, F: Loss<f64>>(
        &self,
        layer: &mut L,
        input: &L::Input,
        target: &L::Output,
        loss: &F,
    ) -> Result<Report, Error> {
        self.layer_through(
            layer,
            input,
            |output| loss.value(output, target),
            |output| loss.gradient(output, target),
        )
    }

    /// Checks `objective(layer(input))`, given the objective's gradient with
    /// respect to the layer's output.
    fn layer_through<L: Layer<f64>>(
        &self,
        layer: &mut L,
        input: &L::Input,
        objective: impl Fn(&L::Output) -> f64,
        objective_gradient: impl Fn(&L::Output) -> L::Output,
    ) -> Result<Report, Error> {
        let (_, trace) = layer.forward_trace(input);
        self.refuse(layer.kink_distance(&trace))?;
        self.function(
            layer,
            input,
            |layer, input| objective(&layer.forward(input)),
            |layer, input| {
                let (output, trace) = layer.forward_trace(input);
                let mut grads = L::zeros();
                let grad_input = layer.backward(&trace, &objective_gradient(&output), &mut grads);
                (grads, grad_input)
            },
        )
    }

    /// Checks an activation through `⟨cotangent, activation(input)⟩`, on a
    /// value of any shape.
    pub fn activation<A: Activation, V: Vector<f64>>(
        &self,
        activation: &A,
        input: &V,
        cotangent: &V,
    ) -> Result<Report, Error> {
        let (_, kept) = activation.forward_trace(input);
        self.refuse(activation.kink_distance(&kept))?;
        self.function(
            &mut (),
            input,
            |(), input| dot(&activation.forward(input), cotangent),
            |(), input| {
                let (_, kept) = activation.forward_trace(input);
                ((), activation.backward(&kept, cotangent))
            },
        )
    }

    /// Checks a loss's gradient with respect to the prediction.
    pub fn loss<F: Loss<f64>, V: Vector<f64>>(
        &self,
        loss: &F,
        prediction: &V,
        target: &V,
    ) -> Result<Report, Error> {
        self.function(
            &mut (),
            prediction,
            |(), prediction| loss.value(prediction, target),
            |(), prediction| ((), loss.gradient(prediction, target)),
        )
    }

    /// The general check: `value(params, input)` is a scalar function whose
    /// analytic gradient `gradient(params, input)` returns as
    /// `(d/d params, d/d input)`.
    pub fn function<P: Params<f64>, X: Vector<f64>>(
        &self,
        params: &mut P,
        input: &X,
        value: impl Fn(&P, &X) -> f64,
        gradient: impl Fn(&P, &X) -> (P, X),
    ) -> Result<Report, Error> {
        let (grads, grad_input) = gradient(params, input);
        let mut report = Report::new(*self, Scale::Derivative);

        let mut tensor = 0;
        while let Some(info) = P::tensor_info(tensor) {
            for index in 0..info.len() {
                let location = Location::Param { tensor: info, index };
                let analytic = grads.tensor(tensor).map_or(f64::NAN, |g| g[index]);
                let original = param(params, tensor, index).map_or(f64::NAN, |x| *x);
                let numeric = self.central_difference(location, |shift| {
                    set_param(params, tensor, index, original + shift);
                    let shifted = value(params, input);
                    set_param(params, tensor, index, original);
                    shifted
                })?;
                report.record(finite(Comparison { location, analytic, numeric })?, numeric.abs());
            }
            tensor += 1;
        }

        for index in 0..X::LEN {
            let location = Location::Input(index);
            let numeric = self.central_difference(location, |shift| {
                let mut shifted = *input;
                shifted.scalars_mut()[index] += shift;
                value(params, &shifted)
            })?;
            let analytic = grad_input.scalars()[index];
            report.record(finite(Comparison { location, analytic, numeric })?, numeric.abs());
        }
        Ok(report)
    }

    /// Checks the gradient with respect to every parameter that
    /// [`Network::loss_and_grad_batch`] adds into `grads`: the derivative of
    /// the mean loss `Σ loss(net.forward(x), t) / B` over the batch, computed
    /// sample by sample as defined (not through the batch path).
    ///
    /// The call under check adds into a copy of `grads`, and only what it
    /// added is compared: start from non-zero gradients, and a gradient
    /// that overwrites instead of adding fails.
    ///
    /// Each derivative is held to `|a − n| ≤ atol + rtol·s`, where `s` is
    /// the largest `|n|` in its tensor: a small derivative is checked to
    /// the precision of its tensor's large ones (with a small `atol`, to
    /// about the noise of the finite differences), rather than to its own
    /// magnitude, which that noise can exceed. The parameters are perturbed
    /// in place and restored bit for bit.
    ///
    /// ```
    /// use constnet::gradcheck::GradCheck;
    /// use constnet::prelude::*;
    ///
    /// network! {
    ///     struct Tiny<f64> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1> }
    /// }
    ///
    /// let mut rng = rand::rngs::SmallRng::seed_from_u64(1);
    /// let mut net: Tiny = Tiny::random(&mut rng);
    /// let mut grads = TinyGrads::zeros();
    /// grads.out.bias = [0.5]; // what training accumulated so far
    /// let (inputs, targets) = ([[0.3, -1.2], [0.8, 0.1]], [[0.5], [-0.5]]);
    /// let checker = GradCheck { atol: 1e-9, rtol: 1e-6, ..GradCheck::default() };
    /// let report = checker.loss_and_grad_batch(&mut net, &inputs, &targets, &Mse, &grads).unwrap();
    /// assert!(report.passed(), "{report}");
    /// assert_eq!(report.checked, Tiny::<f64>::PARAMS);
    /// ```
    pub fn loss_and_grad_batch<N, L, const B: usize>(
        &self,
        net: &mut N,
        inputs: &[N::Input; B],
        targets: &[N::Output; B],
        loss: &L,
        grads: &N,
    ) -> Result<Report, Error>
    where
        N: Network<f64, Grads = N>,
        L: Loss<f64>,
    {
        let nearest_kink = inputs.iter().fold(f64::INFINITY, |nearest, input| {
            let distance = net.kink_distance(&net.forward_trace(input).1);
            // NaN stays NaN, and the objective's NaN is reported below.
            if distance < nearest || distance.is_nan() { distance } else { nearest }
        });
        self.refuse(nearest_kink)?;
        let mean_loss = |net: &N| {
            let losses = inputs.iter().zip(targets).map(|(x, t)| loss.value(&net.forward(x), t));
            losses.sum::<f64>() / B as f64
        };

        let mut analytic = copy(grads);
        net.loss_and_grad_batch(inputs, targets, loss, &mut analytic);
        let mut numeric = N::zeros();
        let mut tensor = 0;
        while let (Some(info), Some(start)) = (N::tensor_info(tensor), grads.tensor(tensor)) {
            if let Some(added) = analytic.tensor_mut(tensor) {
                added.iter_mut().zip(start).for_each(|(added, start)| *added -= start);
            }
            for index in 0..info.len() {
                let location = Location::Param { tensor: info, index };
                let original = param(net, tensor, index).map_or(f64::NAN, |x| *x);
                let derivative = self.central_difference(location, |shift| {
                    set_param(net, tensor, index, original + shift);
                    let shifted = mean_loss(net);
                    set_param(net, tensor, index, original);
                    shifted
                })?;
                set_param(&mut numeric, tensor, index, derivative);
            }
            tensor += 1;
        }

        let mut report = Report::new(*self, Scale::Tensor);
        let mut tensor = 0;
        while let (Some(info), Some(analytic), Some(numeric)) =
            (N::tensor_info(tensor), analytic.tensor(tensor), numeric.tensor(tensor))
        {
            let scale = numeric.iter().fold(0.0, |largest: f64, n| largest.max(n.abs()));
            for (index, (&analytic, &numeric)) in analytic.iter().zip(numeric).enumerate() {
                let location = Location::Param { tensor: info, index };
                report.record(finite(Comparison { location, analytic, numeric })?, scale);
            }
            tensor += 1;
        }
        Ok(report)
    }

    fn central_difference(
        &self,
        location: Location,
        mut shifted_value: impl FnMut(f64) -> f64,
    ) -> Result<f64, Error> {
        let plus = shifted_value(self.eps);
        let minus = shifted_value(-self.eps);
        for value in [plus, minus] {
            if !value.is_finite() {
                return Err(Error::NotFinite { location, value });
            }
        }
        Ok((plus - minus) / (2.0 * self.eps))
    }

    fn refuse(&self, distance: f64) -> Result<(), Error> {
        if distance < self.kink_margin {
            return Err(Error::NearKink { distance, margin: self.kink_margin });
        }
        Ok(())
    }
}

fn param<P: Params<f64>>(params: &mut P, tensor: usize, index: usize) -> Option<&mut f64> {
    params.tensor_mut(tensor)?.get_mut(index)
}

fn set_param<P: Params<f64>>(params: &mut P, tensor: usize, index: usize, value: f64) {
    if let Some(slot) = param(params, tensor, index) {
        *slot = value;
    }
}

/// A copy made through the tensors: parameter types need not be `Clone`.
fn copy<P: Params<f64>>(params: &P) -> P {
    let mut copy = P::zeros();
    for index in 0..P::TENSORS {
        if let (Some(to), Some(from)) = (copy.tensor_mut(index), params.tensor(index)) {
            to.copy_from_slice(from);
        }
    }
    copy
}

/// `c`, unless its analytic derivative or its finite difference (whose
/// objective values were finite, their difference need not be) is not.
fn finite(c: Comparison) -> Result<Comparison, Error> {
    match [c.analytic, c.numeric].into_iter().find(|value| !value.is_finite()) {
        Some(value) => Err(Error::NotFinite { location: c.location, value }),
        None => Ok(c),
    }
}

fn dot<V: Vector<f64>>(a: &V, b: &V) -> f64 {
    a.scalars().iter().zip(b.scalars()).map(|(x, y)| x * y).sum()
}

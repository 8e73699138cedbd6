//! A training loop: epochs of shuffled mini-batches, with a report after
//! each epoch.

use std::string::{String, ToString};
use std::vec::Vec;

use rand::Rng;
use rand::seq::SliceRandom;

use crate::data::{Batches, Dataset};
use crate::metrics::Metric;
use crate::optim::Optimizer;
use crate::{Loss, Network, Params, Scalar};

/// How to train: the loss to minimize, the metric to report, the number of
/// epochs, and whether to shuffle the samples before each epoch.
///
/// Training stops with a [`TrainError`] as soon as a mini-batch's loss, any
/// gradient, or any parameter after the update is NaN or infinite, naming
/// the epoch, the mini-batch and, for a gradient or parameter, the element
/// (`hidden.weight[1][2]`). The loss alone would not do: it is taken before
/// each update, so it never sees what the last update spoils, and it stays
/// finite while an input of extreme magnitude overflows a gradient.
///
/// ```
/// use constnet::data::Dataset;
/// use constnet::metrics::BinaryAccuracy;
/// use constnet::prelude::*;
/// use constnet::train::Training;
/// use rand::rngs::SmallRng;
///
/// network! {
///     struct Xor<f32> { hidden: Dense<2, 4>, Tanh, out: Dense<4, 1>, Sigmoid }
/// }
///
/// let inputs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
/// let targets = [[0.0], [1.0], [1.0], [0.0]];
/// let data = Dataset::new(&inputs, &targets)?;
///
/// let mut rng = SmallRng::seed_from_u64(1);
/// let mut xor: Xor = Xor::random(&mut rng);
/// let history = Training::new(BinaryCrossEntropy, BinaryAccuracy)
///     .epochs(300)
///     .fit(&mut xor, &mut Adam::new(0.05), data.batches::<4>(), &mut rng, |_, _| {})?;
/// assert_eq!(history.last().unwrap().metric, 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Training<L, M> {
    /// What the optimizer minimizes: the mean over each mini-batch.
    pub loss: L,
    /// What each epoch's report measures on the training data.
    pub metric: M,
    /// Passes over the data. Default 10.
    pub epochs: usize,
    /// Whether each epoch visits the samples in a new random order. Default
    /// `true`; the order comes from the generator given to `fit`.
    pub shuffle: bool,
}

/// What one epoch of [`Training::fit`] achieved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Epoch<T> {
    /// Which epoch, from 1.
    pub epoch: usize,
    /// The mean training loss over the epoch's mini-batches, each taken
    /// before its update (weighted by its number of samples).
    pub loss: T,
    /// The metric over the training data at the end of the epoch.
    pub metric: f64,
}

/// Why training stopped early.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// The loss became NaN or infinite: the learning rate is usually too
    /// large.
    Diverged {
        /// The epoch in which it happened, from 1.
        epoch: usize,
        /// The first sample of the mini-batch, in the data set's order.
        sample: usize,
    },
    /// A gradient, or a parameter after the optimizer's update, became NaN
    /// or infinite (the first in the order of the tensors).
    NotFinite {
        /// The epoch in which it happened, from 1.
        epoch: usize,
        /// The first sample of the mini-batch, in the data set's order.
        sample: usize,
        /// Whether the gradient or the parameter.
        quantity: Quantity,
        /// The element, by its tensor's name and its indices:
        /// `hidden.weight[1][2]`.
        element: String,
        /// What it holds.
        value: f64,
    },
}

/// What [`TrainError::NotFinite`] found not finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// The gradient of the mini-batch's mean loss, before the update.
    Gradient,
    /// The parameter, after the update.
    Parameter,
}

impl core::fmt::Display for TrainError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TrainError::Diverged { epoch, sample } => write!(
                f,
                "the loss became NaN or infinite in epoch {epoch}, in the mini-batch starting \
                 with sample {sample}: try a smaller learning rate"
            ),
            TrainError::NotFinite { epoch, sample, quantity, element, value } => {
                let (what, when) = match quantity {
                    Quantity::Gradient => ("the gradient of", "before the update"),
                    Quantity::Parameter => ("the parameter", "after the update"),
                };
                write!(
                    f,
                    "{what} {element} is {value} {when} in epoch {epoch}, in the mini-batch \
                     starting with sample {sample}: try a smaller learning rate, or look for \
                     inputs or targets of extreme magnitude"
                )
            }
        }
    }
}

impl std::error::Error for TrainError {}

impl<L, M> Training<L, M> {
    /// Training that minimizes `loss` and reports `metric`, for 10 epochs
    /// of shuffled samples.
    pub fn new(loss: L, metric: M) -> Self {
        Self { loss, metric, epochs: 10, shuffle: true }
    }

    /// Sets the number of epochs.
    pub fn epochs(self, epochs: usize) -> Self {
        Self { epochs, ..self }
    }

    /// Sets whether each epoch shuffles the samples.
    pub fn shuffle(self, shuffle: bool) -> Self {
        Self { shuffle, ..self }
    }

    /// Trains `net` with `optimizer` on `batches`, one optimizer step per
    /// mini-batch, and calls `on_epoch` after each epoch with its report and
    /// the network (to evaluate it on held-out data, say). Returns every
    /// report, or the first [`TrainError`]: a loss, gradient or parameter
    /// that is NaN or infinite.
    ///
    /// Every sample is used in every epoch: when `B` does not divide the
    /// number of samples, the last mini-batch is smaller, and its gradient
    /// is the mean over the samples it has. With `B = 1` this is online
    /// (per-sample) learning.
    pub fn fit<T, N, O, R, const B: usize>(
        &self,
        net: &mut N,
        optimizer: &mut O,
        batches: Batches<'_, N::Input, N::Output, B>,
        rng: &mut R,
        mut on_epoch: impl FnMut(&Epoch<T>, &N),
    ) -> Result<Vec<Epoch<T>>, TrainError>
    where
        T: Scalar,
        N: Network<T, Grads = N>,
        O: Optimizer<T, N>,
        L: Loss<T>,
        M: Metric<T>,
        R: Rng + ?Sized,
    {
        let data = batches.data;
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut history = Vec::with_capacity(self.epochs);
        let mut grads = N::zeros();
        for epoch in 1..=self.epochs {
            if self.shuffle {
                order.shuffle(rng);
            }
            let mut total = T::ZERO;
            for chunk in order.chunks(B) {
                let sample = chunk[0];
                grads.set_zero();
                let loss = self.batch_loss_and_grad::<T, N, B>(net, &data, chunk, &mut grads);
                if !loss.is_finite() {
                    return Err(TrainError::Diverged { epoch, sample });
                }
                let not_finite = |quantity, (element, value)| TrainError::NotFinite {
                    epoch,
                    sample,
                    quantity,
                    element,
                    value,
                };
                if let Some(found) = first_non_finite(&grads) {
                    return Err(not_finite(Quantity::Gradient, found));
                }
                total += loss * T::from_f64(chunk.len() as f64);
                optimizer.step(net, &grads);
                if let Some(found) = first_non_finite(net) {
                    return Err(not_finite(Quantity::Parameter, found));
                }
            }
            let report = Epoch {
                epoch,
                loss: total / T::from_f64(data.len() as f64),
                metric: self.metric.evaluate(net, &data),
            };
            on_epoch(&report, net);
            history.push(report);
        }
        Ok(history)
    }

    /// The mean loss over the samples at positions `chunk`, and its gradient
    /// added into `grads`: through the batch path for a full mini-batch,
    /// sample by sample for a shorter last one.
    fn batch_loss_and_grad<T, N, const B: usize>(
        &self,
        net: &N,
        data: &Dataset<'_, N::Input, N::Output>,
        chunk: &[usize],
        grads: &mut N,
    ) -> T
    where
        T: Scalar,
        N: Network<T, Grads = N>,
        L: Loss<T>,
    {
        let (inputs, targets) = (data.inputs(), data.targets());
        if let Ok(full) = <&[usize; B]>::try_from(chunk) {
            let batch_inputs = full.map(|i| inputs[i]);
            let batch_targets = full.map(|i| targets[i]);
            return net.loss_and_grad_batch(&batch_inputs, &batch_targets, &self.loss, grads);
        }
        let mut total = T::ZERO;
        for &i in chunk {
            total += net.loss_and_grad(&inputs[i], &targets[i], &self.loss, grads);
        }
        let weight = T::ONE / T::from_f64(chunk.len() as f64);
        grads.scale(weight);
        total * weight
    }
}

/// The first element of `params` that is NaN or infinite: its name and its
/// value.
fn first_non_finite<T: Scalar, P: Params<T>>(params: &P) -> Option<(String, f64)> {
    (0..P::TENSORS).find_map(|index| {
        let (info, tensor) = (P::tensor_info(index)?, params.tensor(index)?);
        let (position, value) = tensor.iter().enumerate().find(|(_, value)| !value.is_finite())?;
        Some((info.element(position).to_string(), value.to_f64().unwrap_or(f64::NAN)))
    })
}

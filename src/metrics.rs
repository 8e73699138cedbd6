//! Metrics: how good a network's predictions are, as a number.

use crate::data::Dataset;
use crate::{Layer, Loss, Scalar, Vector};

/// A score of one prediction against its target; averaged over a data set
/// by [`evaluate`](Metric::evaluate).
pub trait Metric<T: Scalar> {
    /// The score of one prediction.
    fn score<V: Vector<T>>(&self, prediction: &V, target: &V) -> f64;

    /// The mean score of `net`'s predictions over `data`.
    ///
    /// ```
    /// use constnet::data::Dataset;
    /// use constnet::metrics::{BinaryAccuracy, Metric};
    /// use constnet::prelude::*;
    ///
    /// let identity = Dense::<f64, 1, 1>::new([[1.0]], [0.0]);
    /// let inputs = [[0.0], [1.0], [0.2], [0.9]];
    /// let data = Dataset::new(&inputs, &[[0.0], [1.0], [1.0], [1.0]]).unwrap();
    /// // 0.2 is below one half where the target is above: 3 right of 4.
    /// assert_eq!(BinaryAccuracy.evaluate(&identity, &data), 0.75);
    /// ```
    fn evaluate<N: Layer<T>>(&self, net: &N, data: &Dataset<'_, N::Input, N::Output>) -> f64 {
        let total: f64 =
            data.iter().map(|(input, target)| self.score(&net.forward(input), target)).sum();
        total / data.len() as f64
    }
}

/// The share of outputs on the right side of 0.5: a prediction `p` counts
/// as 1 when `p ≥ 0.5`, and a target `t` likewise. Averaged over the
/// outputs of a sample, as for several independent yes/no answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BinaryAccuracy;

impl<T: Scalar> Metric<T> for BinaryAccuracy {
    fn score<V: Vector<T>>(&self, prediction: &V, target: &V) -> f64 {
        let half = T::from_f64(0.5);
        let pairs = prediction.scalars().iter().zip(target.scalars());
        let correct = pairs.filter(|&(&p, &t)| (p >= half) == (t >= half)).count();
        correct as f64 / V::LEN as f64
    }
}

/// 1 when the largest prediction is at the position of the largest target
/// (one-hot targets: the right class), 0 otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CategoricalAccuracy;

impl<T: Scalar> Metric<T> for CategoricalAccuracy {
    fn score<V: Vector<T>>(&self, prediction: &V, target: &V) -> f64 {
        f64::from(u8::from(argmax(prediction.scalars()) == argmax(target.scalars())))
    }
}

/// The value of a loss, e.g. `MeanLoss(Mse)` for the mean squared error
/// over a test set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MeanLoss<L>(pub L);

impl<T: Scalar, L: Loss<T>> Metric<T> for MeanLoss<L> {
    fn score<V: Vector<T>>(&self, prediction: &V, target: &V) -> f64 {
        self.0.value(prediction, target).to_f64().unwrap_or(f64::NAN)
    }
}

/// The position of the largest value (the first, on ties); NaN is never
/// the largest. `None` for an empty slice.
///
/// ```
/// assert_eq!(constnet::metrics::argmax(&[0.1, 0.7, 0.2]), Some(1));
/// ```
pub fn argmax<T: Scalar>(values: &[T]) -> Option<usize> {
    let mut best: Option<(usize, T)> = None;
    for (i, &x) in values.iter().enumerate() {
        if best.is_none_or(|(_, largest)| x > largest || largest.is_nan()) {
            best = Some((i, x));
        }
    }
    best.map(|(i, _)| i)
}

/// Counts of (true class, predicted class) over `data`, both by
/// [`argmax`]: `matrix[t][p]`. The diagonal holds the correct answers.
///
/// ```
/// use constnet::data::Dataset;
/// use constnet::prelude::*;
///
/// let swap = Dense::<f64, 2, 2>::new([[0.0, 1.0], [1.0, 0.0]], [0.0, 0.0]);
/// let inputs = [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]];
/// let data = Dataset::new(&inputs, &inputs).unwrap();
/// assert_eq!(constnet::metrics::confusion_matrix(&swap, &data), [[0, 2], [1, 0]]);
/// ```
pub fn confusion_matrix<T, N, const K: usize>(
    net: &N,
    data: &Dataset<'_, N::Input, [T; K]>,
) -> [[usize; K]; K]
where
    T: Scalar,
    N: Layer<T, Output = [T; K]>,
{
    let mut matrix = [[0; K]; K];
    for (input, target) in data.iter() {
        if let (Some(truth), Some(predicted)) = (argmax(target), argmax(&net.forward(input))) {
            matrix[truth][predicted] += 1;
        }
    }
    matrix
}

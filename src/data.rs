//! Data sets: inputs and targets, checked once, then trusted.

use core::fmt;

use crate::{Scalar, Vector};

/// Samples for training or evaluation: `inputs[i]` goes with `targets[i]`.
///
/// [`Dataset::new`] checks what would otherwise fail late or silently: the
/// two slices have the same length, there is at least one sample, and every
/// value is finite.
///
/// ```
/// use constnet::data::{DataError, Dataset};
///
/// let inputs = [[0.0, 1.0], [1.0, 0.0]];
/// let data = Dataset::new(&inputs, &[[1.0], [0.0]]).unwrap();
/// assert_eq!(data.len(), 2);
///
/// let error = Dataset::new(&inputs, &[[1.0]]).unwrap_err();
/// assert_eq!(error, DataError::LengthMismatch { inputs: 2, targets: 1 });
/// assert_eq!(error.to_string(), "2 inputs but 1 targets: each input needs its target");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Dataset<'a, I, O> {
    inputs: &'a [I],
    targets: &'a [O],
}

impl<'a, I, O> Dataset<'a, I, O> {
    /// The samples `(inputs[i], targets[i])`, once checked.
    pub fn new<T: Scalar>(inputs: &'a [I], targets: &'a [O]) -> Result<Self, DataError>
    where
        I: Vector<T>,
        O: Vector<T>,
    {
        if inputs.len() != targets.len() {
            return Err(DataError::LengthMismatch { inputs: inputs.len(), targets: targets.len() });
        }
        if inputs.is_empty() {
            return Err(DataError::Empty);
        }
        for (sample, (input, target)) in inputs.iter().zip(targets).enumerate() {
            let side = [(Side::Input, input.scalars()), (Side::Target, target.scalars())];
            for (side, values) in side {
                if let Some(index) = values.iter().position(|x| !x.is_finite()) {
                    return Err(DataError::NotFinite { sample, side, index });
                }
            }
        }
        Ok(Self { inputs, targets })
    }

    /// The inputs.
    pub fn inputs(&self) -> &'a [I] {
        self.inputs
    }

    /// The targets.
    pub fn targets(&self) -> &'a [O] {
        self.targets
    }

    /// Number of samples (never zero).
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Always `false`: a data set holds at least one sample.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The samples, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a I, &'a O)> + 'a {
        self.inputs.iter().zip(self.targets)
    }

    /// The same samples, for training in mini-batches of `B`.
    pub fn batches<const B: usize>(self) -> Batches<'a, I, O, B> {
        Batches { data: self }
    }
}

/// A [`Dataset`] cut into mini-batches of `B` samples (the last one may
/// hold fewer): what [`Training::fit`](crate::train::Training::fit) takes.
#[derive(Clone, Copy, Debug)]
pub struct Batches<'a, I, O, const B: usize> {
    /// The samples.
    pub data: Dataset<'a, I, O>,
}

/// Which half of a sample holds a bad value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The input.
    Input,
    /// The target.
    Target,
}

/// Why a [`Dataset`] was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataError {
    /// The inputs and targets differ in number.
    LengthMismatch {
        /// Number of inputs.
        inputs: usize,
        /// Number of targets.
        targets: usize,
    },
    /// There are no samples.
    Empty,
    /// A value is NaN or infinite.
    NotFinite {
        /// The sample's position.
        sample: usize,
        /// Input or target.
        side: Side,
        /// The value's position in it.
        index: usize,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DataError::LengthMismatch { inputs, targets } => {
                write!(f, "{inputs} inputs but {targets} targets: each input needs its target")
            }
            DataError::Empty => write!(f, "no samples: a data set needs at least one"),
            DataError::NotFinite { sample, side, index } => {
                let side = match side {
                    Side::Input => "input",
                    Side::Target => "target",
                };
                write!(f, "the {side} of sample {sample} holds NaN or infinity at index {index}")
            }
        }
    }
}

impl core::error::Error for DataError {}

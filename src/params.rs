//! Parameters seen as a list of named tensors, for optimizers, checkers and I/O.

use core::fmt;

use crate::Scalar;

/// The trainable parameters of a layer or network, as an ordered list of
/// tensors (each a contiguous slice of scalars).
///
/// Optimizers and the gradient checker walk this list instead of knowing each
/// layer: tensor `i` of a network and tensor `i` of its gradient (a value of
/// the same type) always correspond. Layers without parameters have none.
pub trait Params<T: Scalar>: Sized {
    /// Number of tensors.
    const TENSORS: usize;
    /// Number of scalars over all tensors.
    const PARAMS: usize;

    /// Every parameter zero: also the starting point of a gradient.
    fn zeros() -> Self;
    /// Tensor `index`, row-major, or `None` past the last one.
    fn tensor(&self, index: usize) -> Option<&[T]>;
    /// Tensor `index`, row-major and mutable, or `None` past the last one.
    fn tensor_mut(&mut self, index: usize) -> Option<&mut [T]>;
    /// Where tensor `index` lives: its name and shape.
    fn tensor_info(index: usize) -> Option<TensorInfo>;

    /// Sets every parameter to zero, e.g. to reuse a gradient.
    fn set_zero(&mut self) {
        for index in 0..Self::TENSORS {
            if let Some(tensor) = self.tensor_mut(index) {
                tensor.fill(T::ZERO);
            }
        }
    }

    /// Multiplies every parameter by `factor`, e.g. to turn a sum of
    /// gradients into a mean.
    fn scale(&mut self, factor: T) {
        for index in 0..Self::TENSORS {
            if let Some(tensor) = self.tensor_mut(index) {
                tensor.iter_mut().for_each(|x| *x *= factor);
            }
        }
    }
}

/// No parameters: what the gradient checker perturbs when it checks an
/// activation or a loss alone.
impl<T: Scalar> Params<T> for () {
    const TENSORS: usize = 0;
    const PARAMS: usize = 0;

    fn zeros() -> Self {}
    fn tensor(&self, _: usize) -> Option<&[T]> {
        None
    }
    fn tensor_mut(&mut self, _: usize) -> Option<&mut [T]> {
        None
    }
    fn tensor_info(_: usize) -> Option<TensorInfo> {
        None
    }
}

/// Finds which of several consecutive groups of tensors holds tensor `index`:
/// `counts[k]` is the number of tensors of group `k` (a network's fields, in
/// order). Returns the group and the index within it.
///
/// ```
/// assert_eq!(constnet::params::locate(3, &[2, 0, 2]), Some((2, 1)));
/// assert_eq!(constnet::params::locate(4, &[2, 0, 2]), None);
/// ```
#[inline]
pub fn locate(index: usize, counts: &[usize]) -> Option<(usize, usize)> {
    let mut rest = index;
    for (group, &count) in counts.iter().enumerate() {
        if rest < count {
            return Some((group, rest));
        }
        rest -= count;
    }
    None
}

/// Deepest nesting of networks a [`TensorInfo`] name records in full.
pub const MAX_NAME_DEPTH: usize = 8;

/// The dotted name (`"encoder.hidden.weight"`) and shape of a tensor.
///
/// Names are built without allocating, from the field names of the nested
/// networks; a name deeper than [`MAX_NAME_DEPTH`] keeps its innermost
/// segments and displays with a leading `…`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorInfo {
    /// Innermost segment first.
    segments: [&'static str; MAX_NAME_DEPTH],
    depth: usize,
    truncated: bool,
    /// Dimensions, outermost first: `[IN, OUT]` for a dense weight.
    pub shape: &'static [usize],
}

impl TensorInfo {
    /// A tensor called `name` directly inside its layer.
    pub const fn new(name: &'static str, shape: &'static [usize]) -> Self {
        let mut segments = [""; MAX_NAME_DEPTH];
        segments[0] = name;
        Self { segments, depth: 1, truncated: false, shape }
    }

    /// The same tensor seen from the enclosing network, where its layer is
    /// the field `field`.
    pub const fn within(mut self, field: &'static str) -> Self {
        if self.depth < MAX_NAME_DEPTH {
            self.segments[self.depth] = field;
            self.depth += 1;
        } else {
            self.truncated = true;
        }
        self
    }

    /// Number of scalars.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the tensor holds no scalar.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The scalar at `flat` in row-major order, displayed by its name and
    /// index, e.g. `hidden.weight[1][2]`.
    pub fn element(&self, flat: usize) -> Element<'_> {
        Element { tensor: self, flat }
    }
}

/// One scalar of a tensor, as [`TensorInfo::element`] names it.
#[derive(Clone, Copy, Debug)]
pub struct Element<'a> {
    tensor: &'a TensorInfo,
    flat: usize,
}

impl fmt::Display for Element<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.tensor)?;
        let mut stride: usize = self.tensor.len();
        let mut rest = self.flat;
        for &dim in self.tensor.shape {
            stride /= dim.max(1);
            write!(f, "[{}]", rest / stride.max(1))?;
            rest %= stride.max(1);
        }
        Ok(())
    }
}

impl fmt::Display for TensorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.truncated {
            f.write_str("….")?;
        }
        for (i, segment) in self.segments[..self.depth].iter().rev().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(segment)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::format;

    #[test]
    fn names_read_from_the_outside_in() {
        let info = TensorInfo::new("weight", &[2, 3]).within("hidden").within("encoder");
        assert_eq!(format!("{info}"), "encoder.hidden.weight");
        assert_eq!(format!("{}", info.element(5)), "encoder.hidden.weight[1][2]");
        assert_eq!(format!("{}", info.element(0)), "encoder.hidden.weight[0][0]");
    }

    #[test]
    fn deep_names_keep_the_innermost_segments() {
        let mut info = TensorInfo::new("bias", &[4]);
        for _ in 0..MAX_NAME_DEPTH {
            info = info.within("net");
        }
        let shown = format!("{info}");
        assert!(shown.starts_with("…."), "{shown}");
        assert!(shown.ends_with("net.bias"), "{shown}");
    }
}

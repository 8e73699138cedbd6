//! Weights in and out: safetensors, NumPy's `.npy` and `.npz`.
//!
//! Every network's parameters are a list of named tensors ([`Params`]):
//! `hidden.weight`, `hidden.bias`, and `encoder.hidden.weight` for a layer of
//! a nested network. Files hold the same tensors under the same names, so a
//! file written by PyTorch (the state dict of an `nn.Sequential` with the
//! same layer names, through `safetensors.torch.save_file`), by NumPy
//! (`np.savez`) or by constnet loads into a network of the same
//! architecture, checked tensor by tensor.
//!
//! ```
//! use constnet::io::{Layout, numpy, safetensors};
//! use constnet::prelude::*;
//!
//! network! {
//!     #[derive(Debug, PartialEq)]
//!     struct Xor<f32> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid }
//! }
//!
//! let xor: Xor = Xor::random(&mut rand::rngs::SmallRng::seed_from_u64(1));
//!
//! let bytes = safetensors::write(&xor, Layout::OutIn)?; // for PyTorch
//! let back: Xor = safetensors::read(&bytes, Layout::OutIn)?;
//! assert_eq!(back, xor);
//!
//! let bytes = numpy::write_npz(&xor, Layout::InOut)?; // np.load(...)["hidden.weight"]
//! assert_eq!(numpy::read_npz::<f32, Xor>(&bytes, Layout::InOut)?, xor);
//!
//! // A mistake is an error that says what is wrong, never a panic.
//! let error = safetensors::read::<f32, Xor>(&bytes, Layout::OutIn).unwrap_err();
//! assert!(error.to_string().starts_with("malformed safetensors file"), "{error}");
//! # Ok::<(), constnet::io::Error>(())
//! ```
//!
//! # Layout of dense weights
//! A [`Dense`](crate::layer::Dense) layer computes `x·W + b` with `W` of shape
//! `[in, out]` ([`Layout::InOut`], also NumPy lessons', Keras' and Flax's);
//! PyTorch's `nn.Linear` stores the transpose, `[out, in]`
//! ([`Layout::OutIn`]). Every read and write names the layout of the file;
//! it concerns the two-dimensional tensors, and the others (biases) are
//! stored as they are.
//!
//! Reading checks each weight's shape against the layout asked for, so a
//! weight that is not square cannot be taken the wrong way round. A square
//! weight has the same shape both ways, and only the file can tell: a
//! safetensors file whose metadata entry [`LAYOUT_KEY`] (`weight_layout`)
//! names its layout, as every file constnet writes does, is an
//! [`Error::LayoutMismatch`] when read in the other. A safetensors file
//! without that entry, such as a plain `safetensors.torch.save_file` of a
//! state dict, and every `.npz` and `.npy` (NumPy's formats have no room for
//! it) are read in the layout asked for: **a network whose dense weights are
//! all square then loads transposed, without an error, if the wrong layout
//! is asked for.** From PyTorch, record the layout:
//! `save_file(model.state_dict(), path, metadata={"weight_layout": "out_in"})`.
//!
//! # Element types
//! Files hold `f32` or `f64` elements, each tensor its own; writing uses the
//! network's scalar. Reading converts: `f32` into `f64` exactly, `f64` into
//! `f32` rounding to nearest (ties to even). A finite `f64` beyond `f32`'s
//! range is an [`Error::OutOfRange`] rather than an infinity; infinities and
//! NaN stay what they are, unless the file is read with
//! [`Layout::finite_only`] (see [`ReadOptions`]): then the first one is an
//! [`Error::NonFinite`] that names its element (`hidden.weight[1][2]`).
//! Reading and writing in the network's own scalar round-trip bit for bit.

mod error;
pub mod numpy;
pub mod safetensors;
pub mod tflite;

use std::borrow::ToOwned;
use std::fmt;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

pub use error::Error;

use crate::{Params, Scalar, TensorInfo};

/// How a file stores the weight matrices of dense layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// `[in, out]`: constnet's own (`x·W + b`), also that of NumPy lessons,
    /// Keras and Flax.
    InOut,
    /// `[out, in]`: PyTorch's `nn.Linear` (`x·Wᵀ + b`).
    OutIn,
}

/// How to read a file: the layout of its weights and whether NaN and
/// infinities are refused. Every reader takes a [`Layout`] alone, which
/// reads every value as it is, or [`Layout::finite_only`]:
///
/// ```
/// use constnet::io::{Layout, safetensors};
/// use constnet::prelude::*;
///
/// network! {
///     #[derive(Debug)]
///     struct Line<f32> { fit: Dense<1, 1> }
/// }
///
/// let mut line: Line = Line::zeros();
/// line.fit.weight[0][0] = f32::NAN;
/// let bytes = safetensors::write(&line, Layout::OutIn)?;
///
/// let read: Line = safetensors::read(&bytes, Layout::OutIn)?; // NaN in, NaN out
/// assert!(read.fit.weight[0][0].is_nan());
/// let error = safetensors::read::<f32, Line>(&bytes, Layout::OutIn.finite_only()).unwrap_err();
/// assert_eq!(error.to_string(), "`fit.weight[0][0]`: expected a finite value, found NaN");
/// # Ok::<(), constnet::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadOptions {
    layout: Layout,
    finite_only: bool,
}

impl From<Layout> for ReadOptions {
    fn from(layout: Layout) -> Self {
        ReadOptions { layout, finite_only: false }
    }
}

/// The safetensors metadata entry that names the layout of a written file.
pub const LAYOUT_KEY: &str = "weight_layout";

impl Layout {
    /// The value of the [`LAYOUT_KEY`] metadata entry: `in_out` or `out_in`.
    pub const fn tag(self) -> &'static str {
        match self {
            Layout::InOut => "in_out",
            Layout::OutIn => "out_in",
        }
    }

    /// Reading in this layout, refusing NaN and infinities: a file that
    /// holds one is an [`Error::NonFinite`] naming the element.
    pub const fn finite_only(self) -> ReadOptions {
        ReadOptions { layout: self, finite_only: true }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        [Layout::InOut, Layout::OutIn].into_iter().find(|layout| layout.tag() == tag)
    }

    fn other(self) -> Self {
        match self {
            Layout::InOut => Layout::OutIn,
            Layout::OutIn => Layout::InOut,
        }
    }

    /// Whether a tensor of this rank is stored with its axes reversed.
    fn reverses(self, rank: usize) -> bool {
        self == Layout::OutIn && rank == 2
    }

    /// The shape a tensor of the network has in a file of this layout.
    fn file_shape(self, shape: &[usize]) -> Vec<usize> {
        let mut shape = shape.to_vec();
        if self.reverses(shape.len()) {
            shape.reverse();
        }
        shape
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layout::InOut => "[in, out]",
            Layout::OutIn => "[out, in]",
        })
    }
}

/// The element types files may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dtype {
    F32,
    F64,
}

impl Dtype {
    /// The network's scalar (`Scalar` is sealed: `f32` or `f64`).
    fn of<T: Scalar>() -> Self {
        if T::NAME == f32::NAME { Dtype::F32 } else { Dtype::F64 }
    }

    fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F64 => 8,
        }
    }
}

/// A tensor as a file stores it.
struct Stored<'a> {
    dtype: Dtype,
    little_endian: bool,
    /// Column-major (NumPy's `fortran_order`) rather than row-major.
    fortran_order: bool,
    shape: &'a [usize],
    data: &'a [u8],
}

/// The network's tensors, with their names and shapes, in order.
fn tensors<T: Scalar, N: Params<T>>() -> Result<Vec<(String, TensorInfo)>, Error> {
    let tensors: Vec<_> =
        (0..N::TENSORS).filter_map(N::tensor_info).map(|info| (info.to_string(), info)).collect();
    for (i, (name, _)) in tensors.iter().enumerate() {
        if tensors[..i].iter().any(|(earlier, _)| earlier == name) {
            return Err(Error::DuplicateName { name: name.clone() });
        }
    }
    Ok(tensors)
}

fn names(tensors: &[(String, TensorInfo)]) -> Vec<String> {
    tensors.iter().map(|(name, _)| name.clone()).collect()
}

/// A network read tensor by tensor from a file holding the arrays named
/// `in_file`: every tensor of the network must be there (the error lists
/// what the file has instead), and nothing else may be. `read_tensor` fills
/// one tensor from the file.
fn read_network<T: Scalar, N: Params<T>>(
    in_file: &[&str],
    layout: Layout,
    mut read_tensor: impl FnMut(&str, &TensorInfo, &mut [T]) -> Result<(), Error>,
) -> Result<N, Error> {
    let expected = tensors::<T, N>()?;
    let mut unmatched: Vec<String> = in_file
        .iter()
        .filter(|array| !expected.iter().any(|(name, _)| name == *array))
        .map(|array| array.to_string())
        .collect();
    unmatched.sort();
    let mut net = N::zeros();
    for (index, (name, info)) in expected.iter().enumerate() {
        if !in_file.contains(&name.as_str()) {
            return Err(Error::MissingTensor {
                name: name.clone(),
                shape: layout.file_shape(info.shape),
                in_file: unmatched,
            });
        }
        read_tensor(name, info, net.tensor_mut(index).unwrap_or_default())?;
    }
    match unmatched.into_iter().next() {
        Some(name) => Err(Error::UnexpectedTensor { name, expected: names(&expected) }),
        None => Ok(net),
    }
}

/// The position and description of the network's tensor named `tensor`.
fn find<T: Scalar, N: Params<T>>(tensor: &str) -> Result<(usize, TensorInfo), Error> {
    let expected = tensors::<T, N>()?;
    match expected.iter().position(|(name, _)| name == tensor) {
        Some(index) => Ok((index, expected[index].1)),
        None => {
            Err(Error::UnexpectedTensor { name: tensor.to_owned(), expected: names(&expected) })
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io { path: path.into(), source })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|source| Error::Io { path: path.into(), source })
}

/// The row-major position, in an array of shape `shape`, of the element
/// found at `position` when the array is stored with its axes reversed (as
/// its transpose, or in column-major order).
fn from_reversed(shape: &[usize], position: usize) -> usize {
    // Over the reversed axes, the index along `shape[0]` varies fastest.
    let (mut rest, mut flat) = (position, 0);
    for (axis, &dim) in shape.iter().enumerate() {
        let stride: usize = shape[axis + 1..].iter().product();
        flat += rest % dim.max(1) * stride;
        rest /= dim.max(1);
    }
    flat
}

/// Copies a stored tensor into `dest`, a tensor of the network, checking its
/// shape against the layout asked for, and its values as asked, and
/// converting its elements.
fn import<T: Scalar>(
    dest: &mut [T],
    name: &str,
    info: &TensorInfo,
    options: ReadOptions,
    stored: &Stored<'_>,
) -> Result<(), Error> {
    let layout = options.layout;
    let expected = layout.file_shape(info.shape);
    if stored.shape != expected.as_slice() {
        return Err(Error::ShapeMismatch {
            name: name.to_owned(),
            expected,
            found: stored.shape.to_vec(),
            layout,
        });
    }
    let size = stored.dtype.size();
    if stored.data.len() != dest.len() * size {
        return Err(Error::malformed(
            "tensor data",
            format_args!(
                "`{name}` has {} bytes of data, its shape {:?} needs {}",
                stored.data.len(),
                stored.shape,
                dest.len() * size
            ),
        ));
    }
    // The data is row-major over `expected`, unless exactly one of the
    // layout and the storage order reverses the axes.
    let reversed = layout.reverses(info.shape.len()) != stored.fortran_order;
    for (position, value) in decode(stored).into_iter().enumerate() {
        let flat = if reversed { from_reversed(info.shape, position) } else { position };
        let element = || info.element(flat).to_string();
        if options.finite_only && !value.is_finite() {
            return Err(Error::NonFinite { element: element(), value: value.as_f64() });
        }
        // A finite value must stay finite: no `f64` beyond `f32`'s range.
        let converted = (value.cast::<T>())
            .filter(|converted| converted.is_finite() || !value.is_finite())
            .ok_or_else(|| Error::OutOfRange { element: element(), value: value.as_f64() })?;
        if let Some(slot) = dest.get_mut(flat) {
            *slot = converted;
        }
    }
    Ok(())
}

/// One element as a file stores it.
#[derive(Clone, Copy)]
enum Value {
    F32(f32),
    F64(f64),
}

impl Value {
    fn cast<T: Scalar>(self) -> Option<T> {
        match self {
            Value::F32(v) => num_traits::cast(v),
            Value::F64(v) => num_traits::cast(v),
        }
    }

    fn is_finite(self) -> bool {
        self.as_f64().is_finite()
    }

    fn as_f64(self) -> f64 {
        match self {
            Value::F32(v) => f64::from(v),
            Value::F64(v) => v,
        }
    }
}

fn decode(stored: &Stored<'_>) -> Vec<Value> {
    let little_endian = stored.little_endian;
    match stored.dtype {
        Dtype::F32 => (stored.data.as_chunks().0.iter())
            .map(|&b| {
                Value::F32(if little_endian {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                })
            })
            .collect(),
        Dtype::F64 => (stored.data.as_chunks().0.iter())
            .map(|&b| {
                Value::F64(if little_endian {
                    f64::from_le_bytes(b)
                } else {
                    f64::from_be_bytes(b)
                })
            })
            .collect(),
    }
}

/// A tensor of the network as a file of the given layout stores it:
/// row-major, in the network's scalar.
struct Exported {
    shape: Vec<usize>,
    values: Values,
}

enum Values {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl Values {
    fn dtype(&self) -> Dtype {
        match self {
            Values::F32(_) => Dtype::F32,
            Values::F64(_) => Dtype::F64,
        }
    }

    fn to_le_bytes(&self) -> Vec<u8> {
        match self {
            Values::F32(values) => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            Values::F64(values) => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        }
    }
}

fn export<T: Scalar>(source: &[T], info: &TensorInfo, layout: Layout) -> Exported {
    let reversed = layout.reverses(info.shape.len());
    // Position `k` of the file holds the network's element `at(k)`.
    let at = |k| if reversed { from_reversed(info.shape, k) } else { k };
    let in_order = (0..source.len()).filter_map(|k| source.get(at(k)).copied());
    // The file's type is `T` itself, so these casts are the identity and
    // never fail.
    let values = match Dtype::of::<T>() {
        Dtype::F32 => Values::F32(in_order.map(|v| v.to_f32().unwrap_or(f32::NAN)).collect()),
        Dtype::F64 => Values::F64(in_order.map(|v| v.to_f64().unwrap_or(f64::NAN)).collect()),
    };
    Exported { shape: layout.file_shape(info.shape), values }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversed_storage_of_a_matrix_is_its_transpose() {
        // [[0, 1, 2], [3, 4, 5]] is stored transposed as [0, 3, 1, 4, 2, 5].
        let transposed: Vec<usize> = (0..6).map(|k| from_reversed(&[2, 3], k)).collect();
        assert_eq!(transposed, [0, 3, 1, 4, 2, 5]);
        assert_eq!((0..4).map(|k| from_reversed(&[4], k)).collect::<Vec<_>>(), [0, 1, 2, 3]);
    }

    #[test]
    fn reversed_storage_reverses_every_axis() {
        // Element [i][j][l] of a [2, 3, 4] array is element [l][j][i] of
        // the reversed [4, 3, 2] one.
        for (i, j, l) in
            (0..2).flat_map(|i| (0..3).flat_map(move |j| (0..4).map(move |l| (i, j, l))))
        {
            let row_major = (i * 3 + j) * 4 + l;
            let reversed = (l * 3 + j) * 2 + i;
            assert_eq!(from_reversed(&[2, 3, 4], reversed), row_major);
        }
    }
}

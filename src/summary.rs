//! A table of a network's layers, as Keras prints it: layer, output shape,
//! parameters and bytes.
//!
//! ```
//! use constnet::prelude::*;
//!
//! network! {
//!     pub struct Sine<f32> { hidden: Dense<1, 16>, Relu, out: Dense<16, 1> }
//! }
//!
//! assert_eq!(
//!     Sine::<f32>::zeros().summary().to_string(),
//!     "\
//! Sine<f32>
//! Layer (type)     Output shape   Params    Bytes
//! ───────────────────────────────────────────────
//! hidden (Dense)   [16]               32      128
//! (Relu)           [16]                0        0
//! out (Dense)      [1]                17       68
//! ───────────────────────────────────────────────
//! Parameters: 49 (196 bytes)
//! Training step: gradients 196 bytes, trace 132 bytes
//! Optimizer state: momentum 208 bytes, Adam 416 bytes
//! "
//! );
//! ```

use core::fmt::{self, Display, Write};
use core::marker::PhantomData;

use crate::memory::Memory;
use crate::{Layer, Scalar};

/// One row of a [`Summary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerSummary {
    /// The field holding the layer; empty for an activation.
    pub name: &'static str,
    /// `Dense`, `Conv2d`, ..., the activation, or the type of a layer of
    /// another type (a nested network).
    pub kind: &'static str,
    /// The shape of what the layer produces: `[16]`, `[6, 14, 14]`.
    pub output: &'static [usize],
    /// Number of trainable scalars.
    pub params: usize,
}

/// A network that can list its layers: every network that
/// [`network!`](crate::network) declares.
pub trait Describe<T: Scalar>: Layer<T> + Sized {
    /// The network's name, e.g. `Sine`.
    const NAME: &'static str;
    /// Its layers in data-flow order.
    const LAYERS: &'static [LayerSummary];

    /// The table of layers, to print with `{}`.
    fn summary(&self) -> Summary<T, Self> {
        Summary(PhantomData)
    }
}

/// The table that [`Describe::summary`] returns; its `Display` writes it.
pub struct Summary<T, N>(PhantomData<fn() -> (T, N)>);

impl<T: Scalar, N: Describe<T>> Display for Summary<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const GAP: usize = 3;
        const SHAPE: usize = "Output shape".len() + GAP;
        const PARAMS: usize = "Params".len();
        const BYTES: usize = "Bytes".len() + 4;
        let label = |row: &LayerSummary| Label { name: row.name, kind: row.kind };
        let layer =
            N::LAYERS.iter().map(|row| label(row).len()).fold("Layer (type)".len(), usize::max)
                + GAP;

        writeln!(f, "{}<{}>", N::NAME, T::NAME)?;
        writeln!(
            f,
            "{:layer$}{:SHAPE$}{:>PARAMS$}{:>BYTES$}",
            "Layer (type)", "Output shape", "Params", "Bytes"
        )?;
        rule(f, layer + SHAPE + PARAMS + BYTES)?;
        for row in N::LAYERS {
            let (label, shape, bytes) =
                (label(row), Shape(row.output), row.params * size_of::<T>());
            writeln!(f, "{label:layer$}{shape:SHAPE$}{:>PARAMS$}{bytes:>BYTES$}", row.params)?;
        }
        rule(f, layer + SHAPE + PARAMS + BYTES)?;
        writeln!(f, "Parameters: {} ({} bytes)", N::PARAMS, N::PARAM_BYTES)?;
        writeln!(
            f,
            "Training step: gradients {} bytes, trace {} bytes",
            N::GRAD_BYTES,
            N::TRACE_BYTES
        )?;
        writeln!(
            f,
            "Optimizer state: momentum {} bytes, Adam {} bytes",
            N::MOMENTUM_BYTES,
            N::ADAM_BYTES
        )
    }
}

fn rule(f: &mut fmt::Formatter<'_>, len: usize) -> fmt::Result {
    (0..len).try_for_each(|_| f.write_char('─'))?;
    f.write_char('\n')
}

/// Counts the characters written, to size a column without allocating.
struct Counter(usize);

impl Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.chars().count();
        Ok(())
    }
}

/// The table of an int8 network's layers (a `NetQ8` that
/// [`network!`](crate::network) writes), to print with `{}`: each layer's
/// output shape and the bytes of its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int8Summary {
    /// The int8 network's name, e.g. `SineQ8`.
    pub name: &'static str,
    /// Its layers in data-flow order.
    pub layers: &'static [Int8LayerSummary],
    /// Bytes of all its parameters, quantizations included.
    pub bytes: usize,
}

/// One row of an [`Int8Summary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int8LayerSummary {
    /// The field holding the layer.
    pub name: &'static str,
    /// `QDense`, `QConv2d`, ...
    pub kind: &'static str,
    /// The shape of what the layer produces.
    pub output: &'static [usize],
    /// Bytes of its parameters (weights, biases, requantizations).
    pub bytes: usize,
}

impl Display for Int8Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const GAP: usize = 3;
        const SHAPE: usize = "Output shape".len() + GAP;
        const BYTES: usize = "Bytes".len() + 4;
        let label = |row: &Int8LayerSummary| Label { name: row.name, kind: row.kind };
        let layer =
            self.layers.iter().map(|row| label(row).len()).fold("Layer (type)".len(), usize::max)
                + GAP;
        writeln!(f, "{} (int8)", self.name)?;
        writeln!(f, "{:layer$}{:SHAPE$}{:>BYTES$}", "Layer (type)", "Output shape", "Bytes")?;
        rule(f, layer + SHAPE + BYTES)?;
        for row in self.layers {
            let (label, shape) = (label(row), Shape(row.output));
            writeln!(f, "{label:layer$}{shape:SHAPE$}{:>BYTES$}", row.bytes)?;
        }
        rule(f, layer + SHAPE + BYTES)?;
        writeln!(f, "Parameters: {} bytes", self.bytes)
    }
}

/// `hidden (Dense)`, or `(Relu)` for an activation; pads like a `str`.
struct Label<'a> {
    name: &'a str,
    kind: &'a str,
}

impl Label<'_> {
    /// Number of characters.
    fn len(&self) -> usize {
        let mut counter = Counter(0);
        let _ = write!(counter, "{self}");
        counter.0
    }
}

impl Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Label { name, kind } = self;
        let space = if name.is_empty() { "" } else { " " };
        pad(f, format_args!("{name}{space}({kind})"))
    }
}

/// `[6, 14, 14]`; pads like a `str`.
struct Shape(&'static [usize]);

impl Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        pad(f, format_args!("{:?}", self.0))
    }
}

/// Writes `text`, then spaces up to the formatter's width.
fn pad(f: &mut fmt::Formatter<'_>, text: fmt::Arguments<'_>) -> fmt::Result {
    let mut counter = Counter(0);
    counter.write_fmt(text)?;
    f.write_fmt(text)?;
    let width = f.width().unwrap_or(0);
    (counter.0..width).try_for_each(|_| f.write_char(' '))
}

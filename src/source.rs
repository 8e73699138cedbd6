//! Networks written out as Rust source, so that firmware can compile its
//! trained weights in as a `const` and keep them in flash.
//!
//! Every parameter is written as a literal that reads back as exactly the
//! same float: finite values in the shortest decimal form that round-trips
//! (what `{:?}` prints), infinities and NaNs as `f32::from_bits(0x…)`.
//!
//! ```
//! use constnet::prelude::*;
//! use constnet::source::ToRust;
//!
//! network! {
//!     pub struct Line<f32> { fit: Dense<1, 1> }
//! }
//!
//! let line: Line = Line { fit: Dense::new([[0.5]], [-0.0]) };
//! let source = line.rust_const("LINE").to_string();
//! assert_eq!(
//!     source,
//!     "#[allow(clippy::approx_constant, clippy::unreadable_literal)]
//! const LINE: Line<f32> = Line {
//!     fit: ::constnet::layer::Dense::new(
//!         [
//!             [0.5],
//!         ],
//!         [-0.0],
//!     ),
//! };
//! "
//! );
//! ```
//!
//! Firmware then includes the file where `Line` is in scope, and the weights
//! cost no RAM: `include!("line.rs");`.

use core::fmt::{self, Display, Write};

use crate::Scalar;
use crate::layer::Dense;

/// A value that can write itself as a Rust expression of its own type.
///
/// Implemented by [`Dense`] and by every network that
/// [`network!`](crate::network) declares. A network writes its own name and
/// those of its nested networks as they were declared, so the source
/// compiles where those names are in scope.
pub trait ToRust {
    /// Writes the type as Rust source, e.g. `Sine<f32>`.
    fn write_type(out: &mut dyn Write) -> fmt::Result
    where
        Self: Sized;

    /// Writes the value as a Rust expression; lines after the first are
    /// indented by `indent` levels of four spaces.
    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result;

    /// The item `const NAME: Type = value;`, to print or to write to a file.
    fn rust_const<'a>(&'a self, name: &'a str) -> RustConst<'a, Self>
    where
        Self: Sized,
    {
        RustConst { name, value: self }
    }
}

/// A `const` item holding a value: see [`ToRust::rust_const`].
#[derive(Clone, Copy, Debug)]
pub struct RustConst<'a, V> {
    name: &'a str,
    value: &'a V,
}

impl<V: ToRust> Display for RustConst<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Trained weights may happen to be close to π or e, or long.
        f.write_str("#[allow(clippy::approx_constant, clippy::unreadable_literal)]\n")?;
        write!(f, "const {}: ", self.name)?;
        V::write_type(f)?;
        f.write_str(" = ")?;
        self.value.write_value(f, 0)?;
        f.write_str(";\n")
    }
}

/// Writes a struct expression, `Name { field: value, ... }`, one field a
/// line: what the networks that `network!` declares write.
pub fn write_struct(
    out: &mut dyn Write,
    indent: usize,
    name: &str,
    fields: &[(&str, &dyn ToRust)],
) -> fmt::Result {
    writeln!(out, "{name} {{")?;
    for (field, value) in fields {
        write_indent(out, indent + 1)?;
        write!(out, "{field}: ")?;
        value.write_value(out, indent + 1)?;
        out.write_str(",\n")?;
    }
    write_indent(out, indent)?;
    out.write_str("}")
}

pub(crate) fn write_indent(out: &mut dyn Write, levels: usize) -> fmt::Result {
    (0..levels).try_for_each(|_| out.write_str("    "))
}

fn write_row<T: Scalar>(out: &mut dyn Write, row: &[T]) -> fmt::Result {
    out.write_str("[")?;
    for (i, &value) in row.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        value.write_literal(out)?;
    }
    out.write_str("]")
}

/// `::constnet::layer::Name<f32, 1, 2, ...>`: a runtime layer's type, with
/// its const parameters.
pub(crate) fn write_layer_type<T: Scalar>(
    out: &mut dyn Write,
    name: &str,
    consts: &[usize],
) -> fmt::Result {
    write!(out, "::constnet::layer::{name}<{}", T::NAME)?;
    consts.iter().try_for_each(|value| write!(out, ", {value}"))?;
    out.write_str(">")
}

/// `[[[f32; W]; H]; C]`: the type of nested arrays of the given shape.
pub(crate) fn write_array_type<T: Scalar>(out: &mut dyn Write, shape: &[usize]) -> fmt::Result {
    shape.iter().try_for_each(|_| out.write_str("["))?;
    out.write_str(T::NAME)?;
    shape.iter().rev().try_for_each(|dim| write!(out, "; {dim}]"))
}

/// `::constnet::layer::Name { field: [...], ... }`: a runtime layer as a
/// struct literal of its tensors, each `(field, scalars, shape of the
/// field's nested arrays)`; the const parameters are inferred from the type.
pub(crate) fn write_layer_value<T: Scalar>(
    out: &mut dyn Write,
    indent: usize,
    name: &str,
    tensors: &[(&str, &[T], &[usize])],
) -> fmt::Result {
    writeln!(out, "::constnet::layer::{name} {{")?;
    for (field, values, shape) in tensors {
        write_indent(out, indent + 1)?;
        write!(out, "{field}: ")?;
        write_array(out, indent + 1, values, shape)?;
        out.write_str(",\n")?;
    }
    write_indent(out, indent)?;
    out.write_str("}")
}

/// Nested arrays of the given shape, one innermost row a line.
fn write_array<T: Scalar>(
    out: &mut dyn Write,
    indent: usize,
    values: &[T],
    shape: &[usize],
) -> fmt::Result {
    let [_, inner @ ..] = shape else { return write_row(out, values) };
    if inner.is_empty() {
        return write_row(out, values);
    }
    out.write_str("[\n")?;
    for part in values.chunks(inner.iter().product::<usize>().max(1)) {
        write_indent(out, indent + 1)?;
        write_array(out, indent + 1, part, inner)?;
        out.write_str(",\n")?;
    }
    write_indent(out, indent)?;
    out.write_str("]")
}

/// `::constnet::layer::Dense::new(weight, bias)`, one row of weights a line.
impl<T: Scalar, const IN: usize, const OUT: usize> ToRust for Dense<T, IN, OUT> {
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        out.write_str("::constnet::layer::Dense<")?;
        write!(out, "{}, {IN}, {OUT}>", T::NAME)
    }

    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
        out.write_str("::constnet::layer::Dense::new(\n")?;
        write_indent(out, indent + 1)?;
        out.write_str("[\n")?;
        for row in &self.weight {
            write_indent(out, indent + 2)?;
            write_row(out, row)?;
            out.write_str(",\n")?;
        }
        write_indent(out, indent + 1)?;
        out.write_str("],\n")?;
        write_indent(out, indent + 1)?;
        write_row(out, &self.bias)?;
        out.write_str(",\n")?;
        write_indent(out, indent)?;
        out.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::String;

    use super::*;

    fn literal<T: Scalar>(value: T) -> String {
        let mut out = String::new();
        value.write_literal(&mut out).unwrap();
        out
    }

    /// Reads a literal the way rustc does: decimal literals are rounded to
    /// nearest like `str::parse`, `from_bits` keeps the bits.
    fn read_f32(literal: &str) -> f32 {
        match literal.strip_prefix("f32::from_bits(0x") {
            Some(hex) => f32::from_bits(u32::from_str_radix(&hex[..hex.len() - 1], 16).unwrap()),
            None => literal.parse().unwrap(),
        }
    }

    fn read_f64(literal: &str) -> f64 {
        match literal.strip_prefix("f64::from_bits(0x") {
            Some(hex) => f64::from_bits(u64::from_str_radix(&hex[..hex.len() - 1], 16).unwrap()),
            None => literal.parse().unwrap(),
        }
    }

    #[test]
    fn awkward_f32_values_round_trip() {
        let values = [
            0.0,
            -0.0,
            0.1,
            1.0 / 3.0,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            f32::from_bits(1),            // the smallest subnormal
            -f32::from_bits(0x007f_ffff), // the largest subnormal, negated
            f32::EPSILON,
            16_777_217.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::from_bits(0x7fa0_0001), // a signalling NaN with a payload
            f32::from_bits(0xffc0_1234),
        ];
        for value in values {
            let written = literal(value);
            assert_eq!(
                read_f32(&written).to_bits(),
                value.to_bits(),
                "{value:?} written as {written}"
            );
        }
    }

    #[test]
    fn awkward_f64_values_round_trip() {
        let values = [
            0.0,
            -0.0,
            0.1,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::from_bits(1),
            -f64::from_bits(0x000f_ffff_ffff_ffff),
            f64::from(f32::MAX),
            9_007_199_254_740_993.0,
            f64::INFINITY,
            f64::NAN,
            f64::from_bits(0x7ff0_0000_0000_0001),
        ];
        for value in values {
            let written = literal(value);
            assert_eq!(
                read_f64(&written).to_bits(),
                value.to_bits(),
                "{value:?} written as {written}"
            );
        }
    }

    #[test]
    fn finite_values_are_plain_decimal_literals() {
        for written in [literal(-0.0f32), literal(1e-45f32), literal(3.4028235e38f64)] {
            assert!(!written.contains("from_bits"), "{written}");
            assert!(written.contains(['.', 'e']), "{written} would read as an integer");
        }
    }

    proptest::proptest! {
        #[test]
        fn every_f32_bit_pattern_round_trips(bits: u32) {
            let value = f32::from_bits(bits);
            proptest::prop_assert_eq!(read_f32(&literal(value)).to_bits(), bits);
        }

        #[test]
        fn every_f64_bit_pattern_round_trips(bits: u64) {
            let value = f64::from_bits(bits);
            proptest::prop_assert_eq!(read_f64(&literal(value)).to_bits(), bits);
        }
    }
}

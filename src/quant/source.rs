//! The int8 layers as Rust source ([`ToRust`]), for a quantized network's
//! parameters in flash: `const` items the compiler checks like any other.

use core::fmt::{self, Display, Write};

use super::{
    Int8Array, Mean, Multiplier, QConv1d, QConv2d, QDense, QDepthwiseConv2d, QFlatten,
    QGlobalAvgPool, QLogistic, QPool1d, QPool2d, QSoftmax, QTanh, Quantization, Reduce,
    ScaledInput,
};
use crate::Scalar;
use crate::source::{ToRust, write_indent};

/// Nested arrays of integers: `values` in rows of `row` values, one a line.
fn write_rows<V: Display>(
    out: &mut dyn Write,
    indent: usize,
    values: &[V],
    row: usize,
) -> fmt::Result {
    out.write_str("[\n")?;
    for chunk in values.chunks(row.max(1)) {
        write_indent(out, indent + 1)?;
        write_list(out, chunk)?;
        out.write_str(",\n")?;
    }
    write_indent(out, indent)?;
    out.write_str("]")
}

/// `[a, b, c]`.
fn write_list<V: Display>(out: &mut dyn Write, values: &[V]) -> fmt::Result {
    out.write_str("[")?;
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        write!(out, "{value}")?;
    }
    out.write_str("]")
}

/// Weights of any nesting as source, one innermost row a line: the
/// innermost arrays' brackets come from `write_rows`, the outer ones from
/// the shape.
fn write_weights(
    out: &mut dyn Write,
    indent: usize,
    values: &[i8],
    shape: &[usize],
) -> fmt::Result {
    match shape {
        [] | [_] => write_list(out, values),
        [_, row] => write_rows(out, indent, values, *row),
        [_, inner @ ..] => {
            out.write_str("[\n")?;
            for part in values.chunks(inner.iter().product::<usize>().max(1)) {
                write_indent(out, indent + 1)?;
                write_weights(out, indent + 1, part, inner)?;
                out.write_str(",\n")?;
            }
            write_indent(out, indent)?;
            out.write_str("]")
        }
    }
}

/// What every int8 layer with weights holds, borrowed for `write_layer`.
struct Fields<'a> {
    weights: &'a [i8],
    /// The nesting of the weight arrays, outermost first.
    shape: &'a [usize],
    bias: &'a [i32],
    multipliers: &'a [Multiplier],
    zero_points: (i32, i32),
    clamp: (i8, i8),
}

/// `::constnet::quant::NAME { weight: [...], bias: [...], ... }`.
fn write_layer(out: &mut dyn Write, indent: usize, name: &str, fields: Fields) -> fmt::Result {
    writeln!(out, "::constnet::quant::{name} {{")?;
    write_indent(out, indent + 1)?;
    out.write_str("weight: ")?;
    write_weights(out, indent + 1, fields.weights, fields.shape)?;
    out.write_str(",\n")?;
    write_indent(out, indent + 1)?;
    out.write_str("bias: ")?;
    write_list(out, fields.bias)?;
    out.write_str(",\n")?;
    write_indent(out, indent + 1)?;
    out.write_str("multiplier: [\n")?;
    for m in fields.multipliers {
        write_indent(out, indent + 2)?;
        m.write_value(out, indent + 2)?;
        out.write_str(",\n")?;
    }
    write_indent(out, indent + 1)?;
    out.write_str("],\n")?;
    write_indent(out, indent + 1)?;
    writeln!(out, "input_zero_point: {},", fields.zero_points.0)?;
    write_indent(out, indent + 1)?;
    writeln!(out, "output_zero_point: {},", fields.zero_points.1)?;
    write_indent(out, indent + 1)?;
    writeln!(out, "clamp: ({}, {}),", fields.clamp.0, fields.clamp.1)?;
    write_indent(out, indent)?;
    out.write_str("}")
}

/// `::constnet::quant::Quantization { scale: ..., zero_point: ... }`, the
/// scale's bits kept exactly.
impl ToRust for Quantization {
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        out.write_str("::constnet::quant::Quantization")
    }

    fn write_value(&self, out: &mut dyn Write, _indent: usize) -> fmt::Result {
        out.write_str("::constnet::quant::Quantization { scale: ")?;
        self.scale.write_literal(out)?;
        write!(out, ", zero_point: {} }}", self.zero_point)
    }
}

/// `::constnet::quant::Multiplier { value: ..., shift: ... }`.
impl ToRust for Multiplier {
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        out.write_str("::constnet::quant::Multiplier")
    }

    fn write_value(&self, out: &mut dyn Write, _indent: usize) -> fmt::Result {
        write!(
            out,
            "::constnet::quant::Multiplier {{ value: {}, shift: {} }}",
            self.value, self.shift
        )
    }
}

/// `::constnet::quant::QDense { weight: [...], ... }`, one row of weights a
/// line.
impl<const IN: usize, const OUT: usize> ToRust for QDense<IN, OUT> {
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        write!(out, "::constnet::quant::QDense<{IN}, {OUT}>")
    }

    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
        let fields = Fields {
            weights: self.weight.as_flattened(),
            shape: &[OUT, IN],
            bias: &self.bias,
            multipliers: &self.multiplier,
            zero_points: (self.input_zero_point, self.output_zero_point),
            clamp: self.clamp,
        };
        write_layer(out, indent, "QDense", fields)
    }
}

/// `::constnet::quant::QConv2d { weight: [...], ... }`, one row of a
/// kernel a line.
impl<
    const C_IN: usize,
    const C_OUT: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const PH: usize,
    const PW: usize,
    const OH: usize,
    const OW: usize,
> ToRust for QConv2d<C_IN, C_OUT, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        write!(
            out,
            "::constnet::quant::QConv2d<{C_IN}, {C_OUT}, {KH}, {KW}, {H}, {W}, {SH}, {SW}, {PH}, {PW}, {OH}, {OW}>"
        )
    }

    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
        let fields = Fields {
            weights: self.weight.as_flattened().as_flattened().as_flattened(),
            shape: &[C_OUT, C_IN, KH, KW],
            bias: &self.bias,
            multipliers: &self.multiplier,
            zero_points: (self.input_zero_point, self.output_zero_point),
            clamp: self.clamp,
        };
        write_layer(out, indent, "QConv2d", fields)
    }
}

/// `::constnet::quant::QDepthwiseConv2d { weight: [...], ... }`.
impl<
    const C: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const PH: usize,
    const PW: usize,
    const OH: usize,
    const OW: usize,
> ToRust for QDepthwiseConv2d<C, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        write!(
            out,
            "::constnet::quant::QDepthwiseConv2d<{C}, {KH}, {KW}, {H}, {W}, {SH}, {SW}, {PH}, {PW}, {OH}, {OW}>"
        )
    }

    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
        let fields = Fields {
            weights: self.weight.as_flattened().as_flattened(),
            shape: &[C, KH, KW],
            bias: &self.bias,
            multipliers: &self.multiplier,
            zero_points: (self.input_zero_point, self.output_zero_point),
            clamp: self.clamp,
        };
        write_layer(out, indent, "QDepthwiseConv2d", fields)
    }
}

/// `::constnet::quant::QSoftmax { multiplier: ..., left_shift: ..., diff_min: ... }`.
impl<const N: usize> ToRust for QSoftmax<N> {
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        write!(out, "::constnet::quant::QSoftmax<{N}>")
    }

    fn write_value(&self, out: &mut dyn Write, _indent: usize) -> fmt::Result {
        write!(
            out,
            "::constnet::quant::QSoftmax {{ multiplier: {}, left_shift: {}, diff_min: {} }}",
            self.multiplier, self.left_shift, self.diff_min
        )
    }
}

/// `::constnet::quant::QPool2d { reduce: ..., clamp: ... }`.
impl<
    const C: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const PH: usize,
    const PW: usize,
    const OH: usize,
    const OW: usize,
> ToRust for QPool2d<C, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        write!(
            out,
            "::constnet::quant::QPool2d<{C}, {KH}, {KW}, {H}, {W}, {SH}, {SW}, {PH}, {PW}, {OH}, {OW}>"
        )
    }

    fn write_value(&self, out: &mut dyn Write, _indent: usize) -> fmt::Result {
        let reduce = match self.reduce {
            Reduce::Max => "Max",
            Reduce::Average => "Average",
        };
        write!(
            out,
            "::constnet::quant::QPool2d {{ reduce: ::constnet::quant::Reduce::{reduce}, clamp: ({}, {}) }}",
            self.clamp.0, self.clamp.1
        )
    }
}

/// `[[i8; L]; C]` for the dimensions `[C, L]`.
fn write_array_type(out: &mut dyn Write, dims: &[usize]) -> fmt::Result {
    match dims {
        [] => out.write_str("i8"),
        [outer, inner @ ..] => {
            out.write_str("[")?;
            write_array_type(out, inner)?;
            write!(out, "; {outer}]")
        }
    }
}

/// `::constnet::quant::QFlatten::new()`.
macro_rules! parameterless_source {
    ($layer:ident<S, $n:ident>) => {
        impl<S: Int8Array, const $n: usize> ToRust for $layer<S, $n> {
            fn write_type(out: &mut dyn Write) -> fmt::Result {
                out.write_str(concat!("::constnet::quant::", stringify!($layer), "<"))?;
                write_array_type(out, S::DIMS)?;
                write!(out, ", {}>", $n)
            }

            fn write_value(&self, out: &mut dyn Write, _indent: usize) -> fmt::Result {
                out.write_str(concat!("::constnet::quant::", stringify!($layer), "::new()"))
            }
        }
    };
}

parameterless_source!(QFlatten<S, N>);

/// `::constnet::quant::QGlobalAvgPool::new(::constnet::quant::Mean::...)`.
impl<S: Int8Array, const C: usize> ToRust for QGlobalAvgPool<S, C> {
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        out.write_str("::constnet::quant::QGlobalAvgPool<")?;
        write_array_type(out, S::DIMS)?;
        write!(out, ", {C}>")
    }

    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
        out.write_str("::constnet::quant::QGlobalAvgPool::new(")?;
        self.mean.write_value(out, indent)?;
        out.write_str(")")
    }
}

/// `::constnet::quant::Mean::Kept` or `::constnet::quant::Mean::Requantized { ... }`.
impl ToRust for Mean {
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        out.write_str("::constnet::quant::Mean")
    }

    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
        match self {
            Mean::Kept => out.write_str("::constnet::quant::Mean::Kept"),
            Mean::Requantized { multiplier, input_zero_point, output_zero_point } => {
                out.write_str("::constnet::quant::Mean::Requantized { multiplier: ")?;
                multiplier.write_value(out, indent)?;
                write!(
                    out,
                    ", input_zero_point: {input_zero_point}, output_zero_point: {output_zero_point} }}"
                )
            }
        }
    }
}

/// `::constnet::quant::QConv1d { conv: ... }`, the convolution of one row.
impl<
    const C_IN: usize,
    const C_OUT: usize,
    const K: usize,
    const L: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> ToRust for QConv1d<C_IN, C_OUT, K, L, S, P, OL>
{
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        write!(out, "::constnet::quant::QConv1d<{C_IN}, {C_OUT}, {K}, {L}, {S}, {P}, {OL}>")
    }

    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
        out.write_str("::constnet::quant::QConv1d { conv: ")?;
        self.conv.write_value(out, indent)?;
        out.write_str(" }")
    }
}

/// `::constnet::quant::QPool1d { pool: ... }`, the pooling of one row.
impl<const C: usize, const K: usize, const L: usize, const S: usize, const OL: usize> ToRust
    for QPool1d<C, K, L, S, OL>
{
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        write!(out, "::constnet::quant::QPool1d<{C}, {K}, {L}, {S}, {OL}>")
    }

    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
        out.write_str("::constnet::quant::QPool1d { pool: ")?;
        self.pool.write_value(out, indent)?;
        out.write_str(" }")
    }
}

/// `::constnet::quant::ScaledInput { zero_point: ..., multiplier: ..., radius: ... }`.
impl ToRust for ScaledInput {
    fn write_type(out: &mut dyn Write) -> fmt::Result {
        out.write_str("::constnet::quant::ScaledInput")
    }

    fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
        write!(
            out,
            "::constnet::quant::ScaledInput {{ zero_point: {}, multiplier: ",
            self.zero_point
        )?;
        self.multiplier.write_value(out, indent)?;
        write!(out, ", radius: {} }}", self.radius)
    }
}

/// `::constnet::quant::QLogistic { input: ... }` and the same for `QTanh`.
macro_rules! on_vector_source {
    ($layer:ident) => {
        impl<const N: usize> ToRust for $layer<N> {
            fn write_type(out: &mut dyn Write) -> fmt::Result {
                write!(out, concat!("::constnet::quant::", stringify!($layer), "<{}>"), N)
            }

            fn write_value(&self, out: &mut dyn Write, indent: usize) -> fmt::Result {
                out.write_str(concat!("::constnet::quant::", stringify!($layer), " { input: "))?;
                self.input.write_value(out, indent)?;
                out.write_str(" }")
            }
        }
    };
}

on_vector_source!(QLogistic);
on_vector_source!(QTanh);

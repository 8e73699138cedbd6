//! NumPy's formats: `.npy` for one tensor, `.npz` for a whole network.
//!
//! A `.npz` archive holds one `.npy` array per parameter, named after it:
//! `np.load("net.npz")["hidden.weight"]` in Python, and
//! `np.savez("net.npz", **{"hidden.weight": w, ...})` writes one that
//! [`read_npz`] reads, compressed (`np.savez_compressed`) or not. Arrays may
//! be little- or big-endian, in C or Fortran order (`fortran_order`, as
//! `np.save` writes a transposed view), of `float32` or `float64`.
//!
//! ```
//! use constnet::io::{Layout, numpy};
//! use constnet::prelude::*;
//!
//! network! {
//!     struct Lesson<f64> { hidden: Dense<2, 4>, Sigmoid, out: Dense<4, 1>, Sigmoid }
//! }
//!
//! // A classroom notebook's `W1` ([in, out], as in `X @ W1 + b1`), saved with `np.save`.
//! let mut teacher: Lesson = Lesson::zeros();
//! teacher.hidden.weight[1][3] = 0.5;
//! let w1_npy = numpy::write_npy(&teacher, "hidden.weight", Layout::InOut)?;
//!
//! let mut net: Lesson = Lesson::zeros();
//! numpy::read_npy(&mut net, "hidden.weight", &w1_npy, Layout::InOut)?;
//! assert_eq!(net.hidden.weight[1][3], 0.5);
//!
//! let error = numpy::read_npy(&mut net, "W1", &w1_npy, Layout::InOut).unwrap_err();
//! assert!(error.to_string().contains("`W1` is not a tensor of the network"), "{error}");
//! # Ok::<(), constnet::io::Error>(())
//! ```
//!
//! The header of a `.npy` array is read here rather than by `npyz`, which
//! writes the arrays: given a header claiming a huge length or shape, `npyz`
//! (0.9) allocates that length, and its shape arithmetic overflows, which is
//! a panic in debug builds. The header is a Python literal, parsed by
//! `py_literal`, and is at most [`MAX_HEADER_LEN`] bytes long, with at most
//! four opening brackets: beyond that, unclosed brackets cost the parser
//! exponential time.

use std::borrow::ToOwned;
use std::format;
use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use num_traits::ToPrimitive;
use py_literal::Value as Literal;

use super::{
    Dtype, Error, Exported, Layout, ReadOptions, Stored, Values, export, find, import, read_file,
    read_network, tensors, write_file,
};
use crate::{Params, Scalar, TensorInfo};

/// The longest `.npy` header read, in bytes: NumPy's own limit when it loads
/// an array (`max_header_size` of `numpy.load`).
pub const MAX_HEADER_LEN: usize = 10_000;

const MAGIC: &[u8] = b"\x93NUMPY";

/// The magic string, the version and a 4-byte header length.
const LONGEST_PREAMBLE: usize = MAGIC.len() + 2 + 4;

/// The most opening brackets a header may hold: a dictionary, a shape and
/// room for a structured dtype (which is refused, but by name).
const MAX_BRACKETS: usize = 4;

/// Reads the `.npy` array `bytes` into the network's tensor named `tensor`
/// (e.g. `"hidden.weight"`), a weight stored in `layout` (a [`Layout`], or
/// [`Layout::finite_only`] to refuse NaN and infinities).
pub fn read_npy<T: Scalar, N: Params<T>>(
    net: &mut N,
    tensor: &str,
    bytes: &[u8],
    layout: impl Into<ReadOptions>,
) -> Result<(), Error> {
    let (index, info) = find::<T, N>(tensor)?;
    let dest = net.tensor_mut(index).unwrap_or_default();
    let what = format!("`.npy` array for `{tensor}`");
    import_npy(dest, tensor, &info, layout.into(), bytes, &what)
}

/// The network's tensor named `tensor` as a `.npy` array, a weight stored in
/// `layout`, in the network's scalar.
pub fn write_npy<T: Scalar, N: Params<T>>(
    net: &N,
    tensor: &str,
    layout: Layout,
) -> Result<Vec<u8>, Error> {
    let (index, info) = find::<T, N>(tensor)?;
    let exported = export(net.tensor(index).unwrap_or_default(), &info, layout);
    npy_bytes(&exported, tensor)
}

/// Reads a network from the bytes of a `.npz` archive that holds exactly
/// one array per tensor, named after it, its weights stored in `layout` (a
/// [`Layout`], or [`Layout::finite_only`] to refuse NaN and infinities).
pub fn read_npz<T: Scalar, N: Params<T>>(
    bytes: &[u8],
    layout: impl Into<ReadOptions>,
) -> Result<N, Error> {
    let options = layout.into();
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| Error::malformed(".npz archive", error))?;
    let members: Vec<String> = archive.file_names().map(ToOwned::to_owned).collect();
    let arrays: Vec<&str> =
        members.iter().map(|member| member.strip_suffix(".npy").unwrap_or(member)).collect();
    read_network(&arrays, options.layout, |name, info, dest| {
        let member = format!("{name}.npy");
        let what = format!("`{member}` in the .npz archive");
        let file = archive.by_name(&member).map_err(|error| Error::malformed(&what, error))?;
        // Never more than the largest array of this shape, however large
        // the archive says its members are.
        let limit = LONGEST_PREAMBLE + MAX_HEADER_LEN + info.len() * 8 + 1;
        let mut array = Vec::new();
        file.take(limit as u64)
            .read_to_end(&mut array)
            .map_err(|error| Error::malformed(&what, error))?;
        import_npy(dest, name, info, options, &array, &what)
    })
}

/// Writes a network as a `.npz` archive (uncompressed, like `np.savez`):
/// one `.npy` array per tensor, its weights in `layout`.
pub fn write_npz<T: Scalar, N: Params<T>>(net: &N, layout: Layout) -> Result<Vec<u8>, Error> {
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut archive = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let failed = |error: &dyn std::fmt::Display| Error::malformed(".npz archive", error);
    for (index, (name, info)) in tensors::<T, N>()?.into_iter().enumerate() {
        let exported = export(net.tensor(index).unwrap_or_default(), &info, layout);
        let array = npy_bytes(&exported, &name)?;
        archive.start_file(format!("{name}.npy"), options).map_err(|e| failed(&e))?;
        archive.write_all(&array).map_err(|e| failed(&e))?;
    }
    Ok(archive.finish().map_err(|e| failed(&e))?.into_inner())
}

/// Reads a network from the `.npz` archive at `path` (see [`read_npz`]).
pub fn load_npz<T: Scalar, N: Params<T>>(
    path: impl AsRef<Path>,
    layout: impl Into<ReadOptions>,
) -> Result<N, Error> {
    read_npz(&read_file(path.as_ref())?, layout)
}

/// Writes a network to a `.npz` archive at `path` (see [`write_npz`]).
pub fn save_npz<T: Scalar, N: Params<T>>(
    net: &N,
    path: impl AsRef<Path>,
    layout: Layout,
) -> Result<(), Error> {
    write_file(path.as_ref(), &write_npz(net, layout)?)
}

/// Reads the `.npy` file at `path` into the tensor named `tensor` (see
/// [`read_npy`]).
pub fn load_npy<T: Scalar, N: Params<T>>(
    net: &mut N,
    tensor: &str,
    path: impl AsRef<Path>,
    layout: impl Into<ReadOptions>,
) -> Result<(), Error> {
    read_npy(net, tensor, &read_file(path.as_ref())?, layout)
}

/// Writes the tensor named `tensor` to a `.npy` file at `path` (see
/// [`write_npy`]).
pub fn save_npy<T: Scalar, N: Params<T>>(
    net: &N,
    tensor: &str,
    path: impl AsRef<Path>,
    layout: Layout,
) -> Result<(), Error> {
    write_file(path.as_ref(), &write_npy(net, tensor, layout)?)
}

fn npy_bytes(exported: &Exported, name: &str) -> Result<Vec<u8>, Error> {
    fn write<V: npyz::AutoSerialize + Copy>(
        shape: &[usize],
        values: &[V],
    ) -> std::io::Result<Vec<u8>> {
        use npyz::WriterBuilder;
        let shape: Vec<u64> = shape.iter().map(|&dim| dim as u64).collect();
        let mut bytes = Vec::new();
        let mut writer = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&shape)
            .writer(&mut bytes)
            .begin_nd()?;
        writer.extend(values.iter().copied())?;
        writer.finish()?;
        Ok(bytes)
    }
    match &exported.values {
        Values::F32(values) => write(&exported.shape, values),
        Values::F64(values) => write(&exported.shape, values),
    }
    .map_err(|error| Error::malformed(format!("`.npy` array for `{name}`"), error))
}

/// A `.npy` array: its header read, its data as stored.
struct Npy<'a> {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
    data: &'a [u8],
}

fn import_npy<T: Scalar>(
    dest: &mut [T],
    name: &str,
    info: &TensorInfo,
    options: ReadOptions,
    bytes: &[u8],
    what: &str,
) -> Result<(), Error> {
    let npy = parse(bytes, what)?;
    let (dtype, little_endian) = match npy.descr.as_str() {
        "<f4" => (Dtype::F32, true),
        ">f4" => (Dtype::F32, false),
        "<f8" => (Dtype::F64, true),
        ">f8" => (Dtype::F64, false),
        _ => return Err(Error::UnsupportedDtype { name: name.to_owned(), found: npy.descr }),
    };
    let stored = Stored {
        dtype,
        little_endian,
        fortran_order: npy.fortran_order,
        shape: &npy.shape,
        data: npy.data,
    };
    import(dest, name, info, options, &stored)
}

/// Reads the preamble and header of a `.npy` array (format versions 1 to 3).
fn parse<'a>(bytes: &'a [u8], what: &str) -> Result<Npy<'a>, Error> {
    let malformed = |reason: &dyn std::fmt::Display| Error::malformed(what, reason);
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or_else(|| malformed(&"it does not start with the `.npy` magic string `\\x93NUMPY`"))?;
    let Some(([major, _minor], rest)) = rest.split_first_chunk() else {
        return Err(malformed(&"it ends within its version number"));
    };
    let (header_len, rest) = match major {
        1 => rest
            .split_first_chunk()
            .map(|(len, rest)| (usize::from(u16::from_le_bytes(*len)), rest)),
        2 | 3 => {
            rest.split_first_chunk().map(|(len, rest)| (u32::from_le_bytes(*len) as usize, rest))
        }
        _ => return Err(malformed(&format_args!("format version {major} is not one of 1, 2, 3"))),
    }
    .ok_or_else(|| malformed(&"it ends within its header length"))?;
    if header_len > MAX_HEADER_LEN {
        return Err(malformed(&format_args!(
            "its header length is {header_len} bytes, beyond the limit of {MAX_HEADER_LEN}"
        )));
    }
    let (header, data) = rest.split_at_checked(header_len).ok_or_else(|| {
        malformed(&format_args!(
            "its header length is {header_len} bytes, but only {} bytes follow (truncated file?)",
            rest.len()
        ))
    })?;
    let header = std::str::from_utf8(header)
        .map_err(|_| malformed(&"its header is not text"))?
        .trim_end_matches([' ', '\n', '\0']);
    let not_a_dict = || {
        malformed(&format_args!(
            "its header is not a dictionary of `descr`, `fortran_order` and `shape`: {header:.80}"
        ))
    };
    // `py_literal`'s parser backtracks exponentially over unclosed brackets
    // (20 take seconds, 22 most of a minute); a float array's header has two.
    if header.chars().filter(|c| matches!(c, '(' | '[' | '{')).count() > MAX_BRACKETS {
        return Err(not_a_dict());
    }
    let Ok(Literal::Dict(entries)) = header.parse::<Literal>() else {
        return Err(not_a_dict());
    };
    let (mut descr, mut fortran_order, mut shape) = (None, None, None);
    for (key, value) in entries {
        match (key, value) {
            (Literal::String(key), Literal::String(value)) if key == "descr" => descr = Some(value),
            (Literal::String(key), _) if key == "descr" => {
                descr = Some("a structured dtype".to_string())
            }
            (Literal::String(key), Literal::Boolean(value)) if key == "fortran_order" => {
                fortran_order = Some(value)
            }
            (Literal::String(key), Literal::Tuple(dims)) if key == "shape" => {
                let dims: Option<Vec<usize>> = dims
                    .iter()
                    .map(|dim| match dim {
                        Literal::Integer(dim) => dim.to_usize(),
                        _ => None,
                    })
                    .collect();
                shape = Some(dims.ok_or_else(|| {
                    malformed(&"its shape is not a tuple of sizes (non-negative integers)")
                })?);
            }
            _ => return Err(not_a_dict()),
        }
    }
    let (Some(descr), Some(fortran_order), Some(shape)) = (descr, fortran_order, shape) else {
        return Err(not_a_dict());
    };
    Ok(Npy { descr, fortran_order, shape, data })
}

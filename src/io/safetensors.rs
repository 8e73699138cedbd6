//! [safetensors](https://huggingface.co/docs/safetensors): a network's
//! tensors by name, the format PyTorch, JAX and Hugging Face share.
//!
//! A written file holds one tensor per parameter, in the network's scalar
//! type (`F32` or `F64`), and the metadata entry
//! [`weight_layout`](super::LAYOUT_KEY) naming the layout of its weights
//! (`in_out` or `out_in`). PyTorch loads it with
//! `model.load_state_dict(safetensors.torch.load_file(path))` when written
//! with [`Layout::OutIn`].
//!
//! ```
//! use constnet::io::{Layout, safetensors};
//! use constnet::prelude::*;
//!
//! network! {
//!     #[derive(Debug)]
//!     struct Regressor<f64> { hidden: Dense<3, 8>, Relu, out: Dense<8, 1> }
//! }
//!
//! let net: Regressor = Regressor::random(&mut rand::rngs::SmallRng::seed_from_u64(7));
//! let bytes = safetensors::write(&net, Layout::OutIn)?;
//!
//! // The same architecture in single precision: values are rounded.
//! let single: Regressor<f32> = safetensors::read(&bytes, Layout::OutIn)?;
//! assert_eq!(single.out.bias[0], net.out.bias[0] as f32);
//!
//! // The metadata tells the file's layout, and a mismatch is an error.
//! let error = safetensors::read::<f64, Regressor>(&bytes, Layout::InOut).unwrap_err();
//! assert!(error.to_string().contains("read it with `OutIn`"), "{error}");
//! # Ok::<(), constnet::io::Error>(())
//! ```

use std::collections::HashMap;
use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use safetensors::tensor::{Dtype as FileDtype, SafeTensorError, SafeTensors, TensorView};

use super::{
    Dtype, Error, LAYOUT_KEY, Layout, ReadOptions, Stored, export, import, read_file, read_network,
    tensors, write_file,
};
use crate::{Params, Scalar};

/// Reads a network from the bytes of a safetensors file whose weights are
/// stored in `layout` (a [`Layout`], or [`Layout::finite_only`] to refuse
/// NaN and infinities).
///
/// The file must hold exactly the network's tensors, each of the network's
/// shape in that layout, with `F32` or `F64` elements. If its metadata names
/// a layout, it must be `layout`.
pub fn read<T: Scalar, N: Params<T>>(
    bytes: &[u8],
    layout: impl Into<ReadOptions>,
) -> Result<N, Error> {
    let options = layout.into();
    let layout = options.layout;
    let (header_len, metadata) =
        SafeTensors::read_metadata(bytes).map_err(|error| malformed(&error, bytes))?;
    if let Some(tag) = metadata.metadata().as_ref().and_then(|entries| entries.get(LAYOUT_KEY)) {
        let file =
            Layout::from_tag(tag).ok_or_else(|| Error::UnknownLayout { found: tag.clone() })?;
        if file != layout {
            return Err(Error::LayoutMismatch { asked: layout, file });
        }
    }
    let data_start = 8 + header_len;

    let in_file = metadata.tensors();
    let names: Vec<&str> = in_file.keys().map(String::as_str).collect();
    read_network(&names, layout, |name, info, dest| {
        // `read_network` asks only for tensors the file has.
        let Some(stored) = in_file.get(name) else { return Ok(()) };
        let dtype = match stored.dtype {
            FileDtype::F32 => Dtype::F32,
            FileDtype::F64 => Dtype::F64,
            other => {
                return Err(Error::UnsupportedDtype {
                    name: name.to_string(),
                    found: other.to_string(),
                });
            }
        };
        let (start, end) = stored.data_offsets;
        // `read_metadata` checked that the offsets tile the data exactly.
        let data = bytes.get(data_start + start..data_start + end).unwrap_or_default();
        let stored =
            Stored { dtype, little_endian: true, fortran_order: false, shape: &stored.shape, data };
        import(dest, name, info, options, &stored)
    })
}

/// Writes a network's tensors as a safetensors file, its weights in
/// `layout`, with the metadata entry naming the layout.
pub fn write<T: Scalar, N: Params<T>>(net: &N, layout: Layout) -> Result<Vec<u8>, Error> {
    let mut tensors_out = Vec::new();
    for (index, (name, info)) in tensors::<T, N>()?.into_iter().enumerate() {
        let values = net.tensor(index).unwrap_or_default();
        let exported = export(values, &info, layout);
        let dtype = match exported.values.dtype() {
            Dtype::F32 => FileDtype::F32,
            Dtype::F64 => FileDtype::F64,
        };
        tensors_out.push((name, dtype, exported.shape, exported.values.to_le_bytes()));
    }
    let views = tensors_out
        .iter()
        .map(|(name, dtype, shape, data)| {
            Ok((name.as_str(), TensorView::new(*dtype, shape.clone(), data)?))
        })
        .collect::<Result<Vec<_>, SafeTensorError>>()
        .map_err(|error| Error::malformed("safetensors tensor", error))?;
    let metadata = HashMap::from([(LAYOUT_KEY.to_string(), layout.tag().to_string())]);
    safetensors::tensor::serialize(views, Some(metadata))
        .map_err(|error| Error::malformed("safetensors file", error))
}

/// Reads a network from the safetensors file at `path` (see [`read()`]).
pub fn load<T: Scalar, N: Params<T>>(
    path: impl AsRef<Path>,
    layout: impl Into<ReadOptions>,
) -> Result<N, Error> {
    read(&read_file(path.as_ref())?, layout)
}

/// Writes a network to a safetensors file at `path` (see [`write()`]).
pub fn save<T: Scalar, N: Params<T>>(
    net: &N,
    path: impl AsRef<Path>,
    layout: Layout,
) -> Result<(), Error> {
    write_file(path.as_ref(), &write(net, layout)?)
}

/// Says in a user's terms what the safetensors crate found wrong.
fn malformed(error: &SafeTensorError, bytes: &[u8]) -> Error {
    let declared = bytes.first_chunk().map(|length| u64::from_le_bytes(*length));
    let reason = match (error, declared) {
        (SafeTensorError::HeaderTooSmall, _) => format!(
            "{} bytes, fewer than the 8 that give the header's length (empty or truncated file?)",
            bytes.len()
        ),
        (SafeTensorError::HeaderTooLarge, Some(length)) => {
            format!("its header length is {length} bytes, beyond the format's limit of 100 MB")
        }
        (SafeTensorError::InvalidHeaderLength, Some(length)) => format!(
            "its header length is {length} bytes, but only {} bytes follow (truncated file?)",
            bytes.len().saturating_sub(8)
        ),
        (SafeTensorError::MetadataIncompleteBuffer, _) => {
            "the tensors its header lists do not cover its data exactly (truncated file, or \
             bytes after the last tensor?)"
                .to_string()
        }
        (SafeTensorError::InvalidOffset(name), _) => {
            format!("the data offsets of tensor `{name}` do not follow the previous tensor's")
        }
        (SafeTensorError::TensorInvalidInfo, _) => {
            "a tensor's data offsets do not match its shape and element type".to_string()
        }
        (other, _) => other.to_string(),
    };
    Error::malformed("safetensors file", reason)
}

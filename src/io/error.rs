//! What can go wrong when weights go in or out.

use std::fmt;
use std::path::PathBuf;
use std::string::{String, ToString};
use std::vec::Vec;

use super::Layout;

/// Why weights could not be read or written.
///
/// Every message names the tensor concerned and, where it applies, what was
/// expected and what was found.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The network has a tensor that the file lacks.
    MissingTensor {
        /// The tensor's name, e.g. `hidden.weight`.
        name: String,
        /// Its shape as the file should store it.
        shape: Vec<usize>,
        /// The tensors the file has that the network did not ask for.
        in_file: Vec<String>,
    },
    /// A tensor that the network does not have: in a file, or asked for by
    /// name.
    UnexpectedTensor {
        /// The name found or asked for.
        name: String,
        /// The network's tensors.
        expected: Vec<String>,
    },
    /// A tensor whose shape is not the network's.
    ShapeMismatch {
        /// The tensor's name.
        name: String,
        /// Its shape in the layout asked for.
        expected: Vec<usize>,
        /// Its shape in the file.
        found: Vec<usize>,
        /// The layout asked for.
        layout: Layout,
    },
    /// A tensor whose elements are neither `f32` nor `f64`.
    UnsupportedDtype {
        /// The tensor's name.
        name: String,
        /// The element type as the file names it (`I64`, `<f2`, ...).
        found: String,
    },
    /// A finite value that the destination float type cannot hold: an `f64`
    /// beyond `f32`'s range (±3.4·10³⁸) read into an `f32` network.
    OutOfRange {
        /// The element, e.g. `hidden.weight[1][2]`.
        element: String,
        /// The value found.
        value: f64,
    },
    /// A NaN or an infinity in a file read with
    /// [`Layout::finite_only`](super::Layout::finite_only).
    NonFinite {
        /// The element, e.g. `hidden.weight[1][2]`.
        element: String,
        /// The value found.
        value: f64,
    },
    /// The file's metadata names a layout other than the one asked for.
    LayoutMismatch {
        /// The layout asked for.
        asked: Layout,
        /// The layout the file's metadata names.
        file: Layout,
    },
    /// The file's metadata names no layout that constnet knows.
    UnknownLayout {
        /// The value of the metadata entry.
        found: String,
    },
    /// Two tensors of the network have the same name: networks nested deeper
    /// than [`MAX_NAME_DEPTH`](crate::MAX_NAME_DEPTH) lose their outer names.
    DuplicateName {
        /// The name.
        name: String,
    },
    /// Not a valid file of its format: truncated, a header that contradicts
    /// the data, sizes beyond the format's limits.
    Malformed {
        /// What was being read, e.g. `safetensors file`.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn malformed(what: impl Into<String>, reason: impl fmt::Display) -> Self {
        Error::Malformed { what: what.into(), reason: reason.to_string() }
    }
}

/// Names as a list: `` `a`, `b`, `c` ``, the first few only.
struct Names<'a>(&'a [String]);

impl fmt::Display for Names<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 8;
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, name) in self.0.iter().take(SHOWN).enumerate() {
            write!(f, "{}`{name}`", if i == 0 { "" } else { ", " })?;
        }
        if self.0.len() > SHOWN {
            write!(f, " and {} more", self.0.len() - SHOWN)?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingTensor { name, shape, in_file } => {
                write!(f, "tensor `{name}` (shape {shape:?}) is not in the file")?;
                if !in_file.is_empty() {
                    write!(f, "; the file has {} instead", Names(in_file))?;
                }
                Ok(())
            }
            Error::UnexpectedTensor { name, expected } => {
                write!(
                    f,
                    "`{name}` is not a tensor of the network, whose tensors are {}",
                    Names(expected)
                )
            }
            Error::ShapeMismatch { name, expected, found, layout } => {
                write!(f, "tensor `{name}`: expected shape {expected:?}")?;
                // The layout concerns weights (two-dimensional) only.
                if expected.len() == 2 {
                    write!(f, " ({layout})")?;
                }
                write!(f, ", found {found:?}")?;
                let transposed: Vec<usize> = expected.iter().rev().copied().collect();
                if expected.len() == 2 && *found == transposed {
                    let other = layout.other();
                    write!(f, "; the file stores weights {other}: read it with `{other:?}`")?;
                }
                Ok(())
            }
            Error::UnsupportedDtype { name, found } => {
                write!(f, "tensor `{name}`: expected f32 or f64 elements, found {found}")
            }
            Error::OutOfRange { element, value } => {
                write!(f, "`{element}` = {value:e} is beyond the range of f32 (±{:e})", f32::MAX)
            }
            Error::NonFinite { element, value } => {
                write!(f, "`{element}`: expected a finite value, found {value}")
            }
            Error::LayoutMismatch { asked, file } => write!(
                f,
                "the file stores its weights {file} (metadata `{}`), but {asked} was asked: read it with `{file:?}`",
                super::LAYOUT_KEY
            ),
            Error::UnknownLayout { found } => write!(
                f,
                "the file's metadata `{}` is {found:?}, expected {:?} or {:?}",
                super::LAYOUT_KEY,
                Layout::InOut.tag(),
                Layout::OutIn.tag()
            ),
            Error::DuplicateName { name } => write!(
                f,
                "two tensors are named `{name}`: networks nested deeper than {} levels lose their outer names",
                crate::MAX_NAME_DEPTH
            ),
            Error::Malformed { what, reason } => write!(f, "malformed {what}: {reason}"),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

//! TensorFlow Lite models (`.tflite` flatbuffers), read into plain values:
//! the tensors (shape, element type, quantization, data) and the operators
//! of the model's first subgraph; then each operator as a layer, int8
//! ([`Model::read_layer`], [`Model::layer`]) or float32
//! ([`Model::read_float_layer`]).
//!
//! Every read is bounds-checked: a truncated or malformed file is an
//! [`Error`] that says what could not be read and where, never a panic.
//!
//! ```no_run
//! use constnet::io::tflite::Model;
//!
//! let model = Model::read(&std::fs::read("sine.tflite")?)?;
//! for operator in &model.operators {
//!     println!("{} {:?} -> {:?}", operator.code, operator.inputs, operator.outputs);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::format;
use std::string::String;
use std::vec::Vec;

mod flatbuffer;
mod float;
mod layers;
mod names;

use flatbuffer::Flatbuffer;
pub use float::{Activation, FloatLayer, FloatWeights};
pub use layers::{FromOperator, Geometry, Layer, Weights};

use crate::quant::Quantization;

/// Why a model could not be read or turned into layers.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The flatbuffer is truncated or inconsistent.
    Malformed {
        /// What was being read.
        what: &'static str,
        /// The byte offset where it should have been.
        at: usize,
    },
    /// An operator, option or element type that constnet does not run.
    Unsupported {
        /// What is not supported, e.g. `operator CUSTOM` or `fused activation TANH`.
        what: String,
        /// The tensor it produces.
        tensor: String,
    },
    /// A tensor whose shape is not the one the layer asked for has.
    ShapeMismatch {
        /// The tensor's name.
        tensor: String,
        /// The shape the layer needs.
        expected: Vec<usize>,
        /// The tensor's shape in the model.
        found: Vec<usize>,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed { what, at } => {
                write!(f, "malformed TensorFlow Lite model: cannot read {what} at byte {at}")
            }
            Error::Unsupported { what, tensor } => {
                write!(f, "`{tensor}`: {what} is not supported")
            }
            Error::ShapeMismatch { tensor, expected, found } => {
                write!(f, "`{tensor}`: expected shape {expected:?}, found {found:?}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// The element type of a tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementType {
    /// `f32`.
    Float32,
    /// `i32` (biases of int8 layers).
    Int32,
    /// `i8` (activations and weights of int8 layers).
    Int8,
    /// Any other, by its number in TensorFlow Lite's schema.
    Other(u8),
}

impl ElementType {
    fn from_code(code: u8) -> Self {
        match code {
            0 => ElementType::Float32,
            2 => ElementType::Int32,
            9 => ElementType::Int8,
            other => ElementType::Other(other),
        }
    }
}

/// A tensor of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    /// Its name in the model.
    pub name: String,
    /// Its dimensions (TensorFlow Lite's order: NHWC for images).
    pub shape: Vec<usize>,
    /// Its elements' type.
    pub element: ElementType,
    /// Its scales (one, or one per channel along `quantized_dimension`);
    /// empty for a float tensor.
    pub scales: Vec<f32>,
    /// Its zero points, as many as the scales.
    pub zero_points: Vec<i64>,
    /// The dimension along which per-channel scales vary.
    pub quantized_dimension: usize,
    /// Its constant data, little-endian, or empty for an activation.
    pub data: Vec<u8>,
}

impl Tensor {
    /// Its one quantization (the first, for a per-channel tensor): a
    /// positive, finite scale and a zero point within int8.
    pub fn quantization(&self) -> Result<Quantization, Error> {
        match (self.scales.first(), self.zero_points.first()) {
            (Some(&scale), Some(&zero_point)) => {
                if !(scale.is_finite() && scale > 0.0) {
                    return Err(self.unsupported(&format!("a scale of {scale}")));
                }
                if !(-128..=127).contains(&zero_point) {
                    return Err(
                        self.unsupported(&format!("a zero point of {zero_point}, outside int8"))
                    );
                }
                Ok(Quantization { scale, zero_point: zero_point as i32 })
            }
            _ => Err(self.unsupported("a tensor without quantization parameters")),
        }
    }

    /// Its data as int8 values.
    pub fn int8(&self) -> Result<Vec<i8>, Error> {
        self.expect_element(ElementType::Int8)?;
        Ok(self.data.iter().map(|&b| b as i8).collect())
    }

    /// Its data as int32 values.
    pub fn int32(&self) -> Result<Vec<i32>, Error> {
        self.expect_element(ElementType::Int32)?;
        Ok(self
            .data
            .chunks_exact(4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// Its data as float32 values.
    pub fn float32(&self) -> Result<Vec<f32>, Error> {
        self.expect_element(ElementType::Float32)?;
        Ok(self
            .data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// Its data as the real numbers they stand for: float32 values as they
    /// are, int8 and int32 values as `scale · (q − zero_point)` with the
    /// scale and zero point of their channel along `quantized_dimension`
    /// (or the tensor's one).
    pub fn dequantized(&self) -> Result<Vec<f32>, Error> {
        let values: Vec<i64> = match self.element {
            ElementType::Float32 => return self.float32(),
            ElementType::Int8 => self.int8()?.into_iter().map(i64::from).collect(),
            ElementType::Int32 => self.int32()?.into_iter().map(i64::from).collect(),
            other => return Err(self.unsupported(&format!("elements of type {other:?}"))),
        };
        let channels = self.shape.get(self.quantized_dimension).copied().unwrap_or(1);
        if self.scales.len() != self.zero_points.len()
            || !(self.scales.len() == 1 || self.scales.len() == channels)
        {
            return Err(self.unsupported(&format!(
                "{} scales and {} zero points for {channels} channels",
                self.scales.len(),
                self.zero_points.len()
            )));
        }
        // Elements from one channel's to the next's along the quantized
        // dimension.
        let stride: usize = self.shape.iter().skip(self.quantized_dimension + 1).product();
        Ok(values
            .iter()
            .enumerate()
            .map(|(index, &q)| {
                let channel = if self.scales.len() == 1 { 0 } else { index / stride % channels };
                let (scale, zero_point) = (self.scales[channel], self.zero_points[channel]);
                // In f64: a zero point read from a file may be any i64.
                (f64::from(scale) * (q as f64 - zero_point as f64)) as f32
            })
            .collect())
    }

    fn expect_element(&self, element: ElementType) -> Result<(), Error> {
        let width = if element == ElementType::Int8 { 1 } else { 4 };
        let bytes = self.shape.iter().try_fold(width, |bytes: usize, &d| bytes.checked_mul(d));
        if self.element != element {
            return Err(self.unsupported(&format!(
                "elements of type {:?} where {element:?} were expected",
                self.element
            )));
        }
        if bytes != Some(self.data.len()) {
            return Err(Error::ShapeMismatch {
                tensor: self.name.clone(),
                expected: self.shape.clone(),
                found: std::vec![self.data.len() / width],
            });
        }
        Ok(())
    }

    fn unsupported(&self, what: &str) -> Error {
        Error::Unsupported { what: what.into(), tensor: self.name.clone() }
    }

    fn expect_shape(&self, expected: &[usize]) -> Result<(), Error> {
        if self.shape != expected {
            return Err(Error::ShapeMismatch {
                tensor: self.name.clone(),
                expected: expected.to_vec(),
                found: self.shape.clone(),
            });
        }
        Ok(())
    }
}

/// TensorFlow Lite's built-in operators that constnet knows by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperatorCode {
    /// `AVERAGE_POOL_2D`.
    AveragePool2d,
    /// `CONV_2D`.
    Conv2d,
    /// `DEPTHWISE_CONV_2D`.
    DepthwiseConv2d,
    /// `DEQUANTIZE`.
    Dequantize,
    /// `EXPAND_DIMS`.
    ExpandDims,
    /// `FULLY_CONNECTED`.
    FullyConnected,
    /// `LOGISTIC`.
    Logistic,
    /// `MAX_POOL_2D`.
    MaxPool2d,
    /// `RELU`.
    Relu,
    /// `RELU6`.
    Relu6,
    /// `RESHAPE`.
    Reshape,
    /// `SOFTMAX`.
    Softmax,
    /// `SQUEEZE`.
    Squeeze,
    /// `TANH`.
    Tanh,
    /// `MEAN`.
    Mean,
    /// `QUANTIZE`.
    Quantize,
    /// Any other built-in operator, by its number in TensorFlow Lite's schema.
    Other(i32),
    /// A custom operator, by its name.
    Custom(String),
}

impl OperatorCode {
    /// The widths of the scalar fields of the operator's options, in the
    /// order of TensorFlow Lite's schema (`FullyConnectedOptions`, ...).
    fn option_widths(&self) -> &'static [usize] {
        match self {
            // fused_activation_function, weights_format, keep_num_dims, asymmetric_quantize_inputs
            OperatorCode::FullyConnected => &[1, 1, 1, 1],
            // padding, stride_w, stride_h, fused_activation_function, dilation_w, dilation_h
            OperatorCode::Conv2d => &[1, 4, 4, 1, 4, 4],
            // padding, stride_w, stride_h, depth_multiplier, fused_activation_function, dilations
            OperatorCode::DepthwiseConv2d => &[1, 4, 4, 4, 1, 4, 4],
            // padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function
            OperatorCode::AveragePool2d | OperatorCode::MaxPool2d => &[1, 4, 4, 4, 4, 1],
            // beta (a float, read as its bits)
            OperatorCode::Softmax => &[4],
            // keep_dims
            OperatorCode::Mean => &[1],
            _ => &[],
        }
    }

    fn from_builtin(code: i32) -> Self {
        KNOWN_OPERATORS
            .iter()
            .find(|(number, _)| *number == code)
            .map_or(OperatorCode::Other(code), |(_, known)| known.clone())
    }
}

/// The built-in operators constnet knows, by their number in the schema.
const KNOWN_OPERATORS: &[(i32, OperatorCode)] = &[
    (1, OperatorCode::AveragePool2d),
    (3, OperatorCode::Conv2d),
    (4, OperatorCode::DepthwiseConv2d),
    (6, OperatorCode::Dequantize),
    (9, OperatorCode::FullyConnected),
    (14, OperatorCode::Logistic),
    (17, OperatorCode::MaxPool2d),
    (19, OperatorCode::Relu),
    (21, OperatorCode::Relu6),
    (22, OperatorCode::Reshape),
    (25, OperatorCode::Softmax),
    (28, OperatorCode::Tanh),
    (40, OperatorCode::Mean),
    (43, OperatorCode::Squeeze),
    (70, OperatorCode::ExpandDims),
    (114, OperatorCode::Quantize),
];

/// The operator's name in TensorFlow Lite's schema (`MUL`), its number if
/// the schema constnet knows is older than the file, or a custom
/// operator's name.
impl fmt::Display for OperatorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = match self {
            OperatorCode::Other(number) => *number,
            OperatorCode::Custom(name) => return write!(f, "custom `{name}`"),
            known => KNOWN_OPERATORS.iter().find(|(_, code)| code == known).map_or(-1, |k| k.0),
        };
        match usize::try_from(number).ok().and_then(|n| names::BUILTIN_OPERATORS.get(n)) {
            Some(name) => f.write_str(name),
            None => write!(f, "number {number}"),
        }
    }
}

/// The activation an operator applies to its output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FusedActivation {
    /// None.
    None,
    /// ReLU: the output clamped below at 0.
    Relu,
    /// ReLU6: the output clamped to `[0, 6]`.
    Relu6,
    /// Another, by its number in TensorFlow Lite's schema.
    Other(u8),
}

/// The activation's name in TensorFlow Lite's schema (`RELU_N1_TO_1`).
impl fmt::Display for FusedActivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = match self {
            FusedActivation::None => 0,
            FusedActivation::Relu => 1,
            FusedActivation::Relu6 => 3,
            FusedActivation::Other(number) => *number,
        };
        match names::FUSED_ACTIVATIONS.get(usize::from(number)) {
            Some(name) => f.write_str(name),
            None => write!(f, "number {number}"),
        }
    }
}

/// An operator of the model's graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Operator {
    /// What it computes.
    pub code: OperatorCode,
    /// The tensors it reads, by index (−1 for an optional one left out).
    pub inputs: Vec<i32>,
    /// The tensors it writes, by index.
    pub outputs: Vec<i32>,
    /// Its options' scalar fields, in the order of TensorFlow Lite's schema,
    /// for the operators whose options constnet reads (`None` where the
    /// file leaves a field out, which means its default).
    pub options: Vec<Option<i64>>,
}

impl Operator {
    /// Option `field` as an integer, or its schema default.
    pub fn option(&self, field: usize, default: i64) -> i64 {
        self.options.get(field).copied().flatten().unwrap_or(default)
    }

    /// The fused activation, stored in option `field` (it differs by
    /// operator: 0 for `FULLY_CONNECTED`, 3 for `CONV_2D`, ...).
    pub fn fused_activation(&self, field: usize) -> FusedActivation {
        match self.option(field, 0) {
            0 => FusedActivation::None,
            1 => FusedActivation::Relu,
            3 => FusedActivation::Relu6,
            other => FusedActivation::Other(other as u8),
        }
    }
}

/// A model: its tensors, its operators in execution order, and which
/// tensors are the inputs and outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Every tensor of the first subgraph.
    pub tensors: Vec<Tensor>,
    /// Its operators, in the order they run.
    pub operators: Vec<Operator>,
    /// The inputs, by tensor index.
    pub inputs: Vec<usize>,
    /// The outputs, by tensor index.
    pub outputs: Vec<usize>,
}

impl Model {
    /// Reads a `.tflite` file.
    pub fn read(bytes: &[u8]) -> Result<Self, Error> {
        let file = Flatbuffer(bytes);
        let model = file.root()?;
        let codes: Vec<OperatorCode> = file
            .tables(model, 1, "operator codes")?
            .into_iter()
            .map(|code| {
                let deprecated =
                    file.scalar::<1>(code, 0, "an operator code")?.map_or(0, |b| b[0] as i8);
                let builtin =
                    file.scalar::<4>(code, 3, "an operator code")?.map_or(0, i32::from_le_bytes);
                let builtin = builtin.max(i32::from(deprecated));
                // 32 is CUSTOM.
                if builtin == 32 {
                    let name =
                        file.string(code, 1, "a custom operator's name")?.unwrap_or_default();
                    return Ok(OperatorCode::Custom(name));
                }
                Ok(OperatorCode::from_builtin(builtin))
            })
            .collect::<Result<_, Error>>()?;
        let buffers: Vec<Vec<u8>> = file
            .tables(model, 4, "buffers")?
            .into_iter()
            .map(|buffer| {
                Ok(file.bytes(buffer, 0, "a buffer's data")?.unwrap_or_default().to_vec())
            })
            .collect::<Result<_, Error>>()?;
        let subgraphs = file.tables(model, 2, "subgraphs")?;
        let subgraph =
            *subgraphs.first().ok_or(Error::Malformed { what: "a subgraph", at: model })?;

        let tensors = file
            .tables(subgraph, 0, "tensors")?
            .into_iter()
            .map(|tensor| {
                let shape = file.ints(tensor, 0, "a tensor's shape")?;
                let element = file.scalar::<1>(tensor, 1, "a tensor's type")?.map_or(0, |b| b[0]);
                let buffer =
                    file.scalar::<4>(tensor, 2, "a tensor's buffer")?.map_or(0, u32::from_le_bytes);
                let name = file.string(tensor, 3, "a tensor's name")?.unwrap_or_default();
                let (mut scales, mut zero_points, mut quantized_dimension) =
                    (Vec::new(), Vec::new(), 0);
                if let Some(quantization) = file.table(tensor, 4, "a tensor's quantization")? {
                    scales = file.floats(quantization, 2, "scales")?;
                    zero_points = file.longs(quantization, 3, "zero points")?;
                    quantized_dimension = file
                        .scalar::<4>(quantization, 6, "a quantized dimension")?
                        .map_or(0, i32::from_le_bytes)
                        .max(0) as usize;
                }
                let data = buffers.get(buffer as usize).cloned().unwrap_or_default();
                let shape = shape.into_iter().map(|d| d.max(0) as usize).collect();
                Ok(Tensor {
                    name,
                    shape,
                    element: ElementType::from_code(element),
                    scales,
                    zero_points,
                    quantized_dimension,
                    data,
                })
            })
            .collect::<Result<_, Error>>()?;
        let operators = file
            .tables(subgraph, 3, "operators")?
            .into_iter()
            .map(|operator| {
                let index =
                    file.scalar::<4>(operator, 0, "an opcode index")?.map_or(0, u32::from_le_bytes);
                let code = codes
                    .get(index as usize)
                    .cloned()
                    .ok_or(Error::Malformed { what: "an operator's opcode index", at: operator })?;
                let inputs = file.ints(operator, 1, "an operator's inputs")?;
                let outputs = file.ints(operator, 2, "an operator's outputs")?;
                let options = match file.table(operator, 4, "an operator's options")? {
                    Some(table) => file.options(table, code.option_widths())?,
                    None => Vec::new(),
                };
                Ok(Operator { code, inputs, outputs, options })
            })
            .collect::<Result<_, Error>>()?;
        let indices = |field, what| -> Result<Vec<usize>, Error> {
            Ok(file.ints(subgraph, field, what)?.into_iter().map(|i| i.max(0) as usize).collect())
        };
        let model = Model {
            inputs: indices(1, "the inputs")?,
            outputs: indices(2, "the outputs")?,
            tensors,
            operators,
        };
        model.check_indices()?;
        Ok(model)
    }

    /// Every tensor index an operator or the graph names exists.
    fn check_indices(&self) -> Result<(), Error> {
        let count = self.tensors.len() as i64;
        let named = self
            .operators
            .iter()
            .flat_map(|o| o.inputs.iter().chain(&o.outputs))
            .map(|&i| i64::from(i));
        let graph = self.inputs.iter().chain(&self.outputs).map(|&i| i as i64);
        match named.chain(graph).find(|&i| i < -1 || i >= count) {
            Some(_) => Err(Error::Malformed { what: "a tensor index", at: 0 }),
            None => Ok(()),
        }
    }

    /// The tensor at `position` of an operator's inputs or outputs.
    fn tensor_at(&self, indices: &[i32], position: usize) -> Result<&Tensor, Error> {
        indices
            .get(position)
            .and_then(|&i| self.tensors.get(usize::try_from(i).ok()?))
            .ok_or(Error::Malformed { what: "an operator's tensor", at: 0 })
    }

    /// Operator `operator` as the layer `L`: its weights, bias,
    /// requantization and geometry, checked against `L`'s shapes.
    ///
    /// ```no_run
    /// use constnet::io::tflite::Model;
    /// use constnet::quant::QDense;
    ///
    /// let model = Model::read(&std::fs::read("sine.tflite")?)?;
    /// let first: QDense<1, 16> = model.layer(0)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn layer<L: FromOperator>(&self, operator: usize) -> Result<L, Error> {
        L::from_operator(self, operator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(scales: Vec<f32>, zero_points: Vec<i64>) -> Tensor {
        Tensor {
            name: "t".into(),
            shape: std::vec![1],
            element: ElementType::Int8,
            scales,
            zero_points,
            quantized_dimension: 0,
            data: std::vec![0],
        }
    }

    /// Found by fuzzing: a zero point beyond int8 overflowed the
    /// accumulator of a layer built from it.
    #[test]
    fn quantizations_outside_int8_are_refused() {
        assert!(tensor(std::vec![0.5], std::vec![-3]).quantization().is_ok());
        for (scales, zero_points) in [
            (std::vec![0.5], std::vec![1 << 40]),
            (std::vec![0.5], std::vec![128]),
            (std::vec![0.0], std::vec![0]),
            (std::vec![f32::NAN], std::vec![0]),
            (std::vec![-1.0], std::vec![0]),
            (std::vec![], std::vec![]),
        ] {
            let error = tensor(scales, zero_points).quantization().unwrap_err();
            assert!(matches!(error, Error::Unsupported { .. }), "{error}");
        }
    }
}

//! int8 inference as TensorFlow Lite Micro computes it.
//!
//! Values are `i8` with one scale and zero point per tensor (asymmetric);
//! weights are `i8` with a zero point of 0 and one scale per output channel
//! (symmetric); biases are `i32` at the scale `input_scale · weight_scale`.
//! An accumulator is brought to the output's scale by a [`Multiplier`],
//! with TensorFlow Lite's roundings, so that the results equal those of its
//! reference kernels bit for bit.

mod conv;
mod dense;
mod fixed;
mod pool;
mod tensor;

pub use conv::{QConv2d, QDepthwiseConv2d};
pub use dense::QDense;
pub use fixed::{Multiplier, rounding_divide_by_pot, saturating_rounding_doubling_high_mul};
pub use pool::{QPool2d, Reduce};
pub use tensor::Quantization;

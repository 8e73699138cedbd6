//! How int8 values stand for real numbers.

/// The affine map of an int8 tensor: `real = scale · (q − zero_point)`.
///
/// ```
/// use constnet::quant::Quantization;
///
/// let q = Quantization { scale: 0.5, zero_point: -10 };
/// assert_eq!(q.quantize(1.0), -8);
/// assert_eq!(q.quantize(1000.0), 127); // saturates
/// assert_eq!(q.dequantize(-8), 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantization {
    /// The real step between two neighbouring values.
    pub scale: f32,
    /// The int8 value that stands for 0.
    pub zero_point: i32,
}

impl Quantization {
    /// The int8 value nearest to `real`, as TensorFlow Lite's `Quantize`
    /// computes it: `round(real / scale) + zero_point` (ties away from zero,
    /// the division in `f32`), saturated to `[−128, 127]`. A NaN gives the
    /// zero point.
    pub fn quantize(&self, real: f32) -> i8 {
        // In `f32`, as TensorFlow Lite rounds (`std::round` of a float).
        let steps = num_traits::Float::round(real / self.scale);
        // `as` saturates, and takes a NaN to 0.
        (steps.clamp(-1e6, 1e6) as i32).saturating_add(self.zero_point).clamp(-128, 127) as i8
    }

    /// The real number `q` stands for.
    pub fn dequantize(&self, q: i8) -> f32 {
        self.scale * (i32::from(q) - self.zero_point) as f32
    }

    /// The int8 range of an activation that clamps its real output to
    /// `[low, high]` (`0, ∞` for ReLU, `0, 6` for ReLU6), as TensorFlow Lite
    /// fuses it into the layer before: the quantized bounds, within int8.
    pub fn clamp_range(&self, low: f32, high: f32) -> (i8, i8) {
        let low = if low == f32::NEG_INFINITY { -128 } else { self.quantize(low) };
        let high = if high == f32::INFINITY { 127 } else { self.quantize(high) };
        (low, high)
    }
}

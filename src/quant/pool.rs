//! int8 pooling, TensorFlow Lite's `MAX_POOL_2D` and `AVERAGE_POOL_2D`, on
//! channels × height × width.

use crate::layer::Axis;
use crate::layer::pool::Pooling;
use crate::quant::dense::clamped;

/// Whether each window gives its largest value or its mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduce {
    /// The largest value.
    Max,
    /// The mean, rounded to nearest, ties away from zero, as TensorFlow
    /// Lite's reference kernel rounds it; padding is left out of the count.
    Average,
}

/// 2-D int8 pooling of `C` channels of `H × W` into `OH × OW` windows of
/// `KH × KW`, moved by `SH` rows and `SW` columns, the input padded with
/// `PH` rows and `PW` columns before it (padding is never part of a
/// window). Scales and zero points pass through unchanged, as in TensorFlow
/// Lite; outputs are clamped to the fused activation's range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QPool2d<
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
> {
    /// Max or average.
    pub reduce: Reduce,
    /// The range outputs are clamped to.
    pub clamp: (i8, i8),
}

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
> QPool2d<C, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    const POOLING: Pooling = {
        let rows = Axis { input: H, kernel: KH, stride: SH, padding: PH, output: OH };
        let cols = Axis { input: W, kernel: KW, stride: SW, padding: PW, output: OW };
        assert!(
            rows.is_consistent() && cols.is_consistent(),
            "OH × OW windows do not fit H × W with this window, stride and padding"
        );
        Pooling { channels: C, rows, cols }
    };

    /// Inference on int8 values.
    pub fn forward(&self, input: &[[[i8; W]; H]; C]) -> [[[i8; OW]; OH]; C] {
        let pooling = Self::POOLING;
        if PH == 0 && PW == 0 && KH > 0 && KW > 0 {
            return self.forward_inside(input);
        }
        let mut output = [[[0; OW]; OH]; C];
        let (x, y) =
            (input.as_flattened().as_flattened(), output.as_flattened_mut().as_flattened_mut());
        pooling.each_window(|o, inputs| {
            let value = match self.reduce {
                Reduce::Max => inputs.map(|i| i32::from(x[i])).max().unwrap_or(-128),
                Reduce::Average => {
                    let (sum, count) = inputs
                        .fold((0i32, 0i32), |(sum, count), i| (sum + i32::from(x[i]), count + 1));
                    average(sum, count)
                }
            };
            y[o] = clamped(value, self.clamp);
        });
        output
    }

    /// `forward` without padding, where every window lies inside the input
    /// and holds `KH × KW` values: read in place, the window's size known to
    /// the compiler, where `Pooling`'s windows, which allow for padding, are
    /// an iterator that stayed a call per window on x86 (the int8 MNIST CNN
    /// on the Cortex-M4F: 1,044,090 instructions an inference through them,
    /// 995,100 so, for 6.3 KB more code at opt-level 3).
    fn forward_inside(&self, input: &[[[i8; W]; H]; C]) -> [[[i8; OW]; OH]; C] {
        let mut output = [[[0; OW]; OH]; C];
        for (plane, image) in output.iter_mut().zip(input) {
            for (oh, row_out) in plane.iter_mut().enumerate() {
                for (ow, y) in row_out.iter_mut().enumerate() {
                    let (mut largest, mut sum) = (i32::MIN, 0);
                    for row in &image[oh * SH..][..KH] {
                        for &x in &row[ow * SW..][..KW] {
                            largest = largest.max(i32::from(x));
                            sum += i32::from(x);
                        }
                    }
                    let value = match self.reduce {
                        Reduce::Max => largest,
                        Reduce::Average => average(sum, (KH * KW) as i32),
                    };
                    *y = clamped(value, self.clamp);
                }
            }
        }
        output
    }
}

/// `sum / count` rounded half away from zero, as TensorFlow Lite's average
/// pooling divides; 0 for no value.
pub(super) fn average(sum: i32, count: i32) -> i32 {
    match count {
        0 => 0,
        _ if sum > 0 => (sum + count / 2) / count,
        _ => (sum - count / 2) / count,
    }
}

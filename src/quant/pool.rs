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
        if PH == 0 && PW == 0 {
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
    /// and holds its `KH × KW` values (an empty one gives −128 or 0, as
    /// `forward` does): read in place, the window's size known to
    /// the compiler, where `Pooling`'s windows, which allow for padding, are
    /// an iterator that stayed a call per window on x86 (the int8 MNIST CNN
    /// on the Cortex-M4F: 1,044,090 instructions an inference through them,
    /// 995,100 so, for 6.3 KB more code at opt-level 3).
    fn forward_inside(&self, input: &[[[i8; W]; H]; C]) -> [[[i8; OW]; OH]; C] {
        let mut output = [[[0; OW]; OH]; C];
        for (plane, image) in output.iter_mut().zip(input) {
            for (oh, row_out) in plane.iter_mut().enumerate() {
                for (ow, y) in row_out.iter_mut().enumerate() {
                    let (mut largest, mut sum) = (i32::from(i8::MIN), 0);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What TensorFlow Lite's reference kernels give for one window: the
    /// values inside the input (the padding is no value), their largest or
    /// their mean, rounded half away from zero; clamped.
    fn definition(values: &[i32], reduce: Reduce, (low, high): (i8, i8)) -> i8 {
        let value = match reduce {
            Reduce::Max => values.iter().copied().max().unwrap_or(-128),
            Reduce::Average if values.is_empty() => 0,
            Reduce::Average => {
                let mean = f64::from(values.iter().sum::<i32>()) / values.len() as f64;
                num_traits::Float::round(mean) as i32
            }
        };
        value.max(i32::from(low)).min(i32::from(high)) as i8
    }

    /// 3 × 3 windows moved by 2 over 5 × 6 values: padded by one row and
    /// one column, by one row, and not at all, each window's output its
    /// definition.
    #[test]
    fn windows_with_and_without_padding_reduce_their_values() {
        let mut input = [[[0i8; 6]; 5]; 2];
        let mut state = 0x9e37_79b9u32;
        for x in input.iter_mut().flatten().flatten() {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            *x = state as i8;
        }
        fn check<const PH: usize, const PW: usize, const OH: usize, const OW: usize>(
            input: &[[[i8; 6]; 5]; 2],
            reduce: Reduce,
        ) {
            let clamp = (-100, 90);
            let layer = QPool2d::<2, 3, 3, 5, 6, 2, 2, PH, PW, OH, OW> { reduce, clamp };
            let output = layer.forward(input);
            for (c, plane) in output.iter().enumerate() {
                for (oh, row) in plane.iter().enumerate() {
                    for (ow, &y) in row.iter().enumerate() {
                        let rows = (oh * 2).saturating_sub(PH)..(oh * 2 + 3 - PH).min(5);
                        let cols = (ow * 2).saturating_sub(PW)..(ow * 2 + 3 - PW).min(6);
                        let values: std::vec::Vec<i32> = rows
                            .flat_map(|h| cols.clone().map(move |w| i32::from(input[c][h][w])))
                            .collect();
                        let expected = definition(&values, reduce, clamp);
                        assert_eq!(y, expected, "padding {PH} × {PW}, {reduce:?} at {c} {oh} {ow}");
                    }
                }
            }
        }
        for reduce in [Reduce::Max, Reduce::Average] {
            check::<1, 1, 3, 3>(&input, reduce);
            check::<1, 0, 3, 2>(&input, reduce);
            check::<0, 1, 2, 3>(&input, reduce);
            check::<0, 0, 2, 2>(&input, reduce);
        }
    }

    /// A padding as wide as the window leaves windows of no value, which
    /// give −128 (the smallest int8) or 0, clamped, and no panic.
    #[test]
    fn windows_of_padding_alone_give_the_least_value_or_zero() {
        let layer =
            |reduce| QPool2d::<1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3> { reduce, clamp: (-128, 127) };
        let max = layer(Reduce::Max).forward(&[[[5]]]);
        assert_eq!(max, [[[-128, -128, -128], [-128, 5, -128], [-128, -128, -128]]]);
        let average = layer(Reduce::Average).forward(&[[[5]]]);
        assert_eq!(average, [[[0, 0, 0], [0, 5, 0], [0, 0, 0]]]);
    }
}

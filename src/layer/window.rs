//! Where a sliding window (a convolution's kernel, a pooling window) reads
//! along one axis: the shape arithmetic of convolutions and pooling, in one
//! place.

use core::ops::Range;

/// One spatial axis of a sliding window: `input` positions, a window of
/// `kernel` positions moved by `stride`, `padding` zeros before the input,
/// and `output` positions.
///
/// Output `o` reads input positions `o·stride + k − padding` for `k` in
/// `0..kernel`; positions outside the input read as zeros (a convolution) or
/// are left out (pooling).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Axis {
    /// Positions of the input.
    pub input: usize,
    /// Positions of the window.
    pub kernel: usize,
    /// How far the window moves between outputs.
    pub stride: usize,
    /// Zeros before the input.
    pub padding: usize,
    /// Positions of the output.
    pub output: usize,
}

impl Axis {
    /// PyTorch's rule: `⌊(input + 2·padding − kernel) / stride⌋ + 1` outputs,
    /// with `padding` zeros at both ends; `None` when the window is larger
    /// than the padded input or the stride is 0.
    ///
    /// ```
    /// use constnet::layer::Axis;
    ///
    /// assert_eq!(Axis::output_len(28, 5, 1, 2), Some(28));
    /// assert_eq!(Axis::output_len(7, 2, 2, 0), Some(3)); // the last column is left out
    /// assert_eq!(Axis::output_len(3, 5, 1, 0), None);
    /// assert_eq!(Axis::output_len(usize::MAX, 1, 1, 1), None); // more than a usize holds
    /// ```
    pub const fn output_len(
        input: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
    ) -> Option<usize> {
        let padded = match padding.checked_mul(2) {
            Some(zeros) => input.checked_add(zeros),
            None => None,
        };
        match padded {
            Some(padded) if stride > 0 && kernel > 0 && kernel <= padded => {
                Some((padded - kernel) / stride + 1)
            }
            _ => None,
        }
    }

    /// TensorFlow's `"same"` padding (also PyTorch's `padding="same"` at
    /// stride 1): `⌈input / stride⌉` outputs, the zeros split evenly, the odd
    /// one at the end. Returns `(padding before, outputs)`, and no outputs
    /// for an empty input or a stride of 0.
    ///
    /// ```
    /// use constnet::layer::Axis;
    ///
    /// assert_eq!(Axis::same(28, 3, 1), (1, 28));
    /// assert_eq!(Axis::same(28, 3, 2), (0, 14)); // one zero, after the input
    /// assert_eq!(Axis::same(0, 3, 1), (0, 0));
    /// assert_eq!(Axis::same(usize::MAX, usize::MAX, 1), (0, usize::MAX));
    /// ```
    pub const fn same(input: usize, kernel: usize, stride: usize) -> (usize, usize) {
        if input == 0 || stride == 0 {
            return (0, 0);
        }
        let output = input.div_ceil(stride);
        let needed = (output - 1).saturating_mul(stride).saturating_add(kernel);
        let total = needed.saturating_sub(input);
        (total / 2, output)
    }

    /// Whether `output` is what [`output_len`](Self::output_len) gives, with
    /// `padding` zeros at the end, or one more there (the odd zero of
    /// [`same`](Self::same)): the check every layer with a window makes at
    /// compile time.
    pub const fn is_consistent(&self) -> bool {
        if self.output == 0 {
            return false;
        }
        let symmetric = Self::output_len(self.input, self.kernel, self.stride, self.padding);
        let one_more =
            Self::output_len(self.input.saturating_add(1), self.kernel, self.stride, self.padding);
        matches!(symmetric, Some(n) if n == self.output)
            || matches!(one_more, Some(n) if n == self.output)
    }

    /// The outputs whose window reads an input position at offset `k` of
    /// the window (the others read padding there).
    #[inline(always)]
    pub(crate) fn outputs_reading(&self, k: usize) -> Range<usize> {
        // o·stride + k − padding ≥ 0, and < input.
        let first = self.padding.saturating_sub(k).div_ceil(self.stride);
        let end = (self.input + self.padding).saturating_sub(k).div_ceil(self.stride);
        first.min(self.output)..end.min(self.output)
    }

    /// The input position that output `o` reads at offset `k` of its
    /// window; only for `o` in [`outputs_reading(k)`](Self::outputs_reading).
    #[inline(always)]
    pub(crate) fn input_at(&self, o: usize, k: usize) -> usize {
        o * self.stride + k - self.padding
    }

    /// The window of output `o`, clipped to the input.
    #[inline(always)]
    pub(crate) fn window(&self, o: usize) -> Range<usize> {
        let start = o * self.stride;
        start.saturating_sub(self.padding).min(self.input)
            ..(start + self.kernel).saturating_sub(self.padding).min(self.input)
    }

    /// The offsets of output `o`'s window that read inside the input
    /// (offset `k` reads [`input_at(o, k)`](Self::input_at)); empty when it
    /// reads only padding.
    #[inline(always)]
    pub(crate) fn offsets_inside(&self, o: usize) -> Range<usize> {
        let start = o * self.stride;
        self.padding.saturating_sub(start)
            ..(self.input + self.padding).saturating_sub(start).min(self.kernel)
    }

    /// An axis that is not there: one position, a window of one.
    pub(crate) const UNIT: Axis = Axis { input: 1, kernel: 1, stride: 1, padding: 0, output: 1 };
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    /// Every (output, offset) pair read from inside the input, the slow way.
    fn reads(axis: Axis) -> impl Iterator<Item = (usize, usize, usize)> {
        (0..axis.output).flat_map(move |o| {
            (0..axis.kernel).filter_map(move |k| {
                let position = (o * axis.stride + k).checked_sub(axis.padding)?;
                (position < axis.input).then_some((o, k, position))
            })
        })
    }

    #[test]
    fn outputs_reading_an_offset_are_those_inside_the_input() {
        for input in 1..9 {
            for kernel in 1..6 {
                for stride in 1..4 {
                    for padding in 0..4 {
                        let Some(output) = Axis::output_len(input, kernel, stride, padding) else {
                            continue;
                        };
                        for output in [output, output + 1] {
                            let axis = Axis { input, kernel, stride, padding, output };
                            let fast: Vec<_> = (0..kernel)
                                .flat_map(|k| {
                                    axis.outputs_reading(k)
                                        .map(move |o| (o, k, axis.input_at(o, k)))
                                })
                                .collect();
                            let mut slow: Vec<_> = reads(axis).collect();
                            slow.sort_by_key(|&(o, k, _)| (k, o));
                            assert_eq!(fast, slow, "{axis:?}");
                            for o in 0..output {
                                let window: Vec<_> =
                                    reads(axis).filter(|r| r.0 == o).map(|r| r.2).collect();
                                assert_eq!(axis.window(o).collect::<Vec<_>>(), window, "{axis:?}");
                                let offsets: Vec<_> =
                                    reads(axis).filter(|r| r.0 == o).map(|r| r.1).collect();
                                let inside: Vec<_> = axis.offsets_inside(o).collect();
                                assert_eq!(inside, offsets, "{axis:?} {o}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn pytorch_and_tensorflow_sizes() {
        // torch.nn.Conv2d(1, 6, 5, padding=2) on 28×28, then 2×2 pooling.
        assert_eq!(Axis::output_len(28, 5, 1, 2), Some(28));
        assert_eq!(Axis::output_len(28, 2, 2, 0), Some(14));
        assert_eq!(Axis::output_len(14, 5, 1, 0), Some(10));
        // tf.keras.layers.Conv2D(..., strides=2, padding="same") on 49×10.
        assert_eq!(Axis::same(49, 3, 2), (1, 25));
        assert_eq!(Axis::same(10, 3, 2), (0, 5));
        assert_eq!(Axis::same(10, 4, 1), (1, 10));
        for (input, kernel, stride) in [(49, 3, 2), (10, 3, 2), (10, 4, 1), (28, 1, 2), (5, 5, 1)] {
            let (padding, output) = Axis::same(input, kernel, stride);
            assert!(Axis { input, kernel, stride, padding, output }.is_consistent());
        }
        assert!(!Axis { input: 28, kernel: 5, stride: 1, padding: 2, output: 27 }.is_consistent());
        assert!(!Axis { input: 28, kernel: 5, stride: 1, padding: 2, output: 30 }.is_consistent());
        assert!(!Axis { input: 3, kernel: 5, stride: 1, padding: 0, output: 1 }.is_consistent());
    }

    #[test]
    fn an_axis_without_stride_or_kernel_has_no_output() {
        assert_eq!(Axis::output_len(4, 2, 0, 0), None);
        assert_eq!(Axis::output_len(4, 0, 1, 0), None);
        assert_eq!(Axis::output_len(4, 0, 1, 1), None);
        assert_eq!(Axis::output_len(4, 5, 1, 0), None);
        assert_eq!(Axis::output_len(usize::MAX, 1, 1, 1), None);
        assert_eq!(Axis::output_len(4, 4, 1, 0), Some(1));
    }
}

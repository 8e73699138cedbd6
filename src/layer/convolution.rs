//! The loops of every convolution (`Conv2d`, `DepthwiseConv2d`, `Conv1d`):
//! a grouped 2-D convolution on the flattened values, row-major as PyTorch
//! stores them.
//!
//! Two ways to the same sums. On x86 the input is unfolded, a block of
//! output positions at a time, into a matrix (one row per weight of a
//! filter, one column per output position) and multiplied by the weights
//! with the tiled matrix product of the kernels (`Kernels::gemm_add`),
//! which keeps tiles of outputs in SIMD registers. Elsewhere (on
//! microcontrollers) the loops run directly over the input, with no
//! scratch memory.
//!
//! Either way every output adds its bias, then its terms in one order
//! (input channel, kernel row, kernel column), so the results are the same
//! on every run, and a batch gives each sample what it gets alone.
//!
//! int8 convolutions, whose integer sums are exact in any order, unfold on
//! x86 one patch per output position and take each output as a dot
//! product of its filter and its patch (`kernels::int8_dots`); elsewhere
//! they run direct loops as the float ones do.

use super::window::Axis;
use crate::Scalar;
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
use crate::kernels::{
    gemm::{Dims, Strided},
    int8_dots,
};
use crate::quant::dot::KernelRow;

/// Scalars of the unfolded input kept on the stack at a time: 64 KiB of
/// `f32` (int8 convolutions: 32 KiB of 16-bit patches and 16 KiB of padded
/// filters). A layer whose filters hold more weights than this runs the
/// direct loops.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
const SCRATCH: usize = 16 * 1024;

/// The shape of a convolution. Weights are `[out_channels][in_channels /
/// groups][rows.kernel][cols.kernel]`; inputs `[in_channels][rows.input]
/// [cols.input]`; outputs `[out_channels][rows.output][cols.output]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Convolution {
    pub in_channels: usize,
    pub out_channels: usize,
    /// Each group of `out_channels / groups` outputs reads only its own
    /// `in_channels / groups` inputs: 1 for a full convolution,
    /// `in_channels` for a depthwise one.
    pub groups: usize,
    pub rows: Axis,
    pub cols: Axis,
}

impl Convolution {
    /// Whether the shape is one a layer can have; checked at compile time.
    pub const fn is_consistent(&self) -> bool {
        self.groups > 0
            && self.in_channels.is_multiple_of(self.groups)
            && self.out_channels.is_multiple_of(self.groups)
            && self.rows.is_consistent()
            && self.cols.is_consistent()
    }

    const fn in_per_group(&self) -> usize {
        self.in_channels / self.groups
    }

    const fn out_per_group(&self) -> usize {
        self.out_channels / self.groups
    }

    const fn in_plane(&self) -> usize {
        self.rows.input * self.cols.input
    }

    const fn out_plane(&self) -> usize {
        self.rows.output * self.cols.output
    }

    const fn kernel_plane(&self) -> usize {
        self.rows.kernel * self.cols.kernel
    }

    /// Calls `visit(output_channel, input_channel, kernel_row, kernel_col,
    /// weight_index)` for every weight, in the order every sum is taken.
    #[inline(always)]
    fn each_weight(&self, mut visit: impl FnMut(usize, usize, usize, usize, usize)) {
        let mut index = 0;
        for co in 0..self.out_channels {
            let first_input = co / self.out_per_group() * self.in_per_group();
            for ci in first_input..first_input + self.in_per_group() {
                for kh in 0..self.rows.kernel {
                    for kw in 0..self.cols.kernel {
                        visit(co, ci, kh, kw, index);
                        index += 1;
                    }
                }
            }
        }
    }

    /// Calls `visit(output_position, input_position)` for every output of
    /// a channel that reads inside the input at kernel offset `(kh, kw)`,
    /// row by row, as pairs of row slices' offsets.
    ///
    /// Callers walk an input row with `step_by` only for strides above 1:
    /// a contiguous row is a plain loop, which the compiler unrolls and
    /// vectorizes, where `step_by` counts every element.
    #[inline(always)]
    fn each_row(
        &self,
        kh: usize,
        kw: usize,
        mut visit: impl FnMut(core::ops::Range<usize>, usize),
    ) {
        let (rows, cols) = (self.rows, self.cols);
        let outputs = cols.outputs_reading(kw);
        if outputs.is_empty() {
            return;
        }
        for oh in rows.outputs_reading(kh) {
            let ih = rows.input_at(oh, kh);
            let out_row = oh * cols.output;
            let first_input = ih * cols.input + cols.input_at(outputs.start, kw);
            visit(out_row + outputs.start..out_row + outputs.end, first_input);
        }
    }

    /// `y = b + w ⋆ x`.
    #[inline(always)]
    pub fn forward<T: Scalar>(&self, x: &[T], w: &[T], b: &[T], y: &mut [T]) {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if let Some(block) = self.block() {
            return self.forward_unfolded(x, w, b, y, block);
        }
        self.forward_direct(x, w, b, y);
    }

    /// Adds the gradient of the weights and biases, given the input `x` and
    /// the gradient `g` of the output.
    #[inline(always)]
    pub fn param_grads<T: Scalar>(&self, x: &[T], g: &[T], dw: &mut [T], db: &mut [T]) {
        for (plane, db) in g.chunks_exact(self.out_plane()).zip(db) {
            *db += plane.iter().copied().sum::<T>();
        }
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if let Some(block) = self.block() {
            return self.weight_grads_unfolded(x, g, dw, block);
        }
        self.weight_grads_direct(x, g, dw);
    }

    /// The gradient of the input, given the gradient `g` of the output.
    #[inline(always)]
    pub fn input_grad<T: Scalar>(&self, g: &[T], w: &[T], dx: &mut [T]) {
        dx.fill(T::ZERO);
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if let Some(block) = self.block() {
            return self.input_grad_unfolded(g, w, dx, block);
        }
        self.input_grad_direct(g, w, dx);
    }

    /// `y = b + w ⋆ x`, by the direct loops.
    #[inline(always)]
    fn forward_direct<T: Scalar>(&self, x: &[T], w: &[T], b: &[T], y: &mut [T]) {
        for (plane, &bias) in y.chunks_exact_mut(self.out_plane()).zip(b) {
            plane.fill(bias);
        }
        let stride = self.cols.stride;
        self.each_weight(|co, ci, kh, kw, index| {
            let weight = w[index];
            let input = &x[ci * self.in_plane()..][..self.in_plane()];
            let output = &mut y[co * self.out_plane()..][..self.out_plane()];
            let add = |(y, &x): (&mut T, &T)| *y += weight * x;
            self.each_row(kh, kw, |outputs, first_input| {
                let (outputs, inputs) = (output[outputs].iter_mut(), &input[first_input..]);
                match stride {
                    1 => outputs.zip(inputs).for_each(add),
                    _ => outputs.zip(inputs.iter().step_by(stride)).for_each(add),
                }
            });
        });
    }

    /// Adds the gradient of the weights, by the direct loops.
    #[inline(always)]
    fn weight_grads_direct<T: Scalar>(&self, x: &[T], g: &[T], dw: &mut [T]) {
        let stride = self.cols.stride;
        self.each_weight(|co, ci, kh, kw, index| {
            let input = &x[ci * self.in_plane()..][..self.in_plane()];
            let grad = &g[co * self.out_plane()..][..self.out_plane()];
            let mut sum = T::ZERO;
            let mut add = |(&g, &x): (&T, &T)| sum += g * x;
            self.each_row(kh, kw, |outputs, first_input| {
                let (grads, inputs) = (grad[outputs].iter(), &input[first_input..]);
                match stride {
                    1 => grads.zip(inputs).for_each(&mut add),
                    _ => grads.zip(inputs.iter().step_by(stride)).for_each(&mut add),
                }
            });
            dw[index] += sum;
        });
    }

    /// Adds the gradient of the input, by the direct loops.
    #[inline(always)]
    fn input_grad_direct<T: Scalar>(&self, g: &[T], w: &[T], dx: &mut [T]) {
        let stride = self.cols.stride;
        self.each_weight(|co, ci, kh, kw, index| {
            let weight = w[index];
            let grad = &g[co * self.out_plane()..][..self.out_plane()];
            let input = &mut dx[ci * self.in_plane()..][..self.in_plane()];
            let add = |(dx, &g): (&mut T, &T)| *dx += weight * g;
            self.each_row(kh, kw, |outputs, first_input| {
                let (inputs, grads) = (&mut input[first_input..], &grad[outputs]);
                match stride {
                    1 => inputs.iter_mut().zip(grads).for_each(add),
                    _ => inputs.iter_mut().step_by(stride).zip(grads).for_each(add),
                }
            });
        });
    }

    /// The accumulators of output channel `co` of an int8 convolution whose
    /// kernel is `KW` columns wide, as TensorFlow Lite's reference kernels
    /// form them, into `sums` (one output plane): for each output, `Σ w · x`
    /// over the window positions inside the input, `x` each input minus the
    /// input's zero point (padding stands for the zero point, so it adds
    /// nothing). Integer sums are exact in any order, so each kernel row is
    /// packed once ([`KernelRow`]) and applied to a whole row of outputs,
    /// two products at a time (one SMLAD on Armv7E-M); the few outputs whose
    /// window crosses the padding take their products one weight at a time.
    #[inline(always)]
    pub fn accumulate_int8<const KW: usize>(
        &self,
        x: &[i16],
        w: &[i8],
        co: usize,
        sums: &mut [i32],
    ) {
        debug_assert_eq!(self.cols.kernel, KW);
        sums.fill(0);
        let (rows, cols) = (self.rows, self.cols);
        // The outputs whose window lies wholly inside a row of the input.
        let inside = cols.outputs_reading(0).start..cols.outputs_reading(KW - 1).end;
        let inside = inside.start.min(inside.end)..inside.end;
        let filter = &w[co * self.in_per_group() * self.kernel_plane()..]
            [..self.in_per_group() * self.kernel_plane()];
        let first_input = co / self.out_per_group() * self.in_per_group();
        let (kernel_rows, _) = filter.as_chunks::<KW>();
        for (row, weights) in kernel_rows.iter().enumerate() {
            let (channel, kh) = (first_input + row / rows.kernel, row % rows.kernel);
            let packed = KernelRow::new(weights);
            let plane = &x[channel * self.in_plane()..][..self.in_plane()];
            for oh in rows.outputs_reading(kh) {
                let inputs = &plane[rows.input_at(oh, kh) * cols.input..][..cols.input];
                let sums = &mut sums[oh * cols.output..][..cols.output];
                if !inside.is_empty() {
                    let windows = inputs[cols.input_at(inside.start, 0)..].windows(KW);
                    let add = |(sum, window): (&mut i32, &[i16])| *sum = packed.dot(window, *sum);
                    let sums = sums[inside.clone()].iter_mut();
                    match cols.stride {
                        1 => sums.zip(windows).for_each(add),
                        stride => sums.zip(windows.step_by(stride)).for_each(add),
                    }
                }
                // The others read the padding with part of the kernel.
                let mut edge = |ow: usize| {
                    for kw in cols.offsets_inside(ow) {
                        let x = i32::from(inputs[cols.input_at(ow, kw)]);
                        sums[ow] = sums[ow].wrapping_add(i32::from(weights[kw]) * x);
                    }
                };
                (0..inside.start).for_each(&mut edge);
                (inside.end..cols.output).for_each(edge);
            }
        }
    }

    /// The accumulators of an int8 convolution, the sums `accumulate_int8`
    /// forms, a block of output positions of one channel at a time:
    /// `each(channel, first_position, sums)`. Each block of output positions
    /// (`int8_block`) is unfolded into 16-bit patches, one per position
    /// (zeros where it reads the padding, as a moved input there is), so
    /// that each output is one dot product of its filter and its patch
    /// (`kernels::int8_dots`). Filters and patches are padded with zeros to
    /// whole blocks of 16 products.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[inline(always)]
    pub fn each_int8_sum<const KW: usize>(
        &self,
        x: &[i16],
        w: &[i8],
        block: usize,
        mut each: impl FnMut(usize, usize, &[i32]),
    ) {
        debug_assert_eq!(self.cols.kernel, KW);
        let (depth, out_plane, filters) = (self.depth(), self.out_plane(), self.out_per_group());
        let padded = depth.next_multiple_of(16);
        let (mut patches, mut padded_filters) = ([0; SCRATCH], [0; SCRATCH]);
        // A block holds at most `SCRATCH / 16` positions.
        let mut block_sums = [0; SCRATCH / 16];
        for group in 0..self.groups {
            let group_filters = &w[group * filters * depth..][..filters * depth];
            for (filter, padded_filter) in
                group_filters.chunks_exact(depth).zip(padded_filters.chunks_exact_mut(padded))
            {
                padded_filter[..depth].copy_from_slice(filter);
            }
            for first in (0..out_plane).step_by(block) {
                let len = block.min(out_plane - first);
                let patches = &mut patches[..len * padded];
                for (column, patch) in patches.chunks_exact_mut(padded).enumerate() {
                    self.patch::<_, KW>(x, group, first + column, &mut patch[..depth]);
                }
                let patch = |column: usize| &patches[column * padded..][..padded];
                let sums = &mut block_sums[..len];
                for (index, filter) in padded_filters.chunks_exact(padded).take(filters).enumerate()
                {
                    // Four outputs at a time share the loads of the filter.
                    let (fours, rest) = sums.as_chunks_mut::<4>();
                    for (four, sums) in fours.iter_mut().enumerate() {
                        *sums = int8_dots(filter, core::array::from_fn(|k| patch(4 * four + k)));
                    }
                    for (column, sum) in (len / 4 * 4..).zip(rest) {
                        [*sum] = int8_dots(filter, [patch(column)]);
                    }
                    each(group * filters + index, first, sums);
                }
            }
        }
    }

    /// Copies into `patch` (`[in_per_group][kernel rows][kernel columns]`)
    /// what output `position` of group `group` reads, and zeros where it
    /// reads the padding: a row of its window at a time, since a window's
    /// row is contiguous in the input. A row as wide as the kernel (`KW`, as
    /// most are) is copied with its width known to the compiler, not by a
    /// call of `memcpy`.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[inline(always)]
    fn patch<T: Copy + Default, const KW: usize>(
        &self,
        x: &[T],
        group: usize,
        position: usize,
        patch: &mut [T],
    ) {
        let (rows, cols) = (self.rows, self.cols);
        let (oh, ow) = (position / cols.output, position % cols.output);
        let (kernel_rows, kernel_cols) = (rows.offsets_inside(oh), cols.offsets_inside(ow));
        let width = kernel_cols.len();
        if kernel_rows.len() < rows.kernel || width < KW {
            // Some of it reads the padding, which the copies leave alone.
            patch.fill(T::default());
        }
        if kernel_rows.is_empty() || kernel_cols.is_empty() {
            return; // All padding.
        }
        for channel in 0..self.in_per_group() {
            let plane = &x[(group * self.in_per_group() + channel) * self.in_plane()..];
            for kh in kernel_rows.clone() {
                let at = (channel * rows.kernel + kh) * KW + kernel_cols.start;
                let row = rows.input_at(oh, kh) * cols.input;
                let source = &plane[row + cols.input_at(ow, kernel_cols.start)..];
                if width == KW {
                    patch[at..at + KW].copy_from_slice(&source[..KW]);
                } else {
                    patch[at..at + width].copy_from_slice(&source[..width]);
                }
            }
        }
    }

    /// Output positions of an int8 convolution unfolded at a time, if its
    /// filters, padded to blocks of 16, fit the scratch.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    pub fn int8_block(&self) -> Option<usize> {
        let padded = self.depth().next_multiple_of(16);
        let block = (SCRATCH / padded).min(self.out_plane());
        // Then at least one filter fits, so the block is not empty (a layer
        // has outputs).
        (self.out_per_group() * padded <= SCRATCH).then_some(block)
    }

    /// Weights of one filter: the rows of the unfolded input.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    const fn depth(&self) -> usize {
        self.in_per_group() * self.kernel_plane()
    }

    /// Output positions unfolded at a time, if a filter fits the scratch.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    fn block(&self) -> Option<usize> {
        let block = (SCRATCH / self.depth()).min(self.out_plane());
        (block > 0).then_some(block)
    }

    /// Calls `visit(row, column, input_index)` for every weight row `row`
    /// of group `group`'s unfolded input and every output position
    /// `first + column` in `first..first + len` that reads inside the
    /// input (the others read zeros).
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[inline(always)]
    fn each_unfolded(
        &self,
        group: usize,
        [first, len]: [usize; 2],
        mut visit: impl FnMut(usize, usize, usize),
    ) {
        let (rows, cols) = (self.rows, self.cols);
        // The output rows the block touches, each as the block's columns
        // that lie in it, found once rather than by a division per column.
        let block_rows = first / cols.output..(first + len).div_ceil(cols.output);
        for channel in 0..self.in_per_group() {
            let plane = (group * self.in_per_group() + channel) * self.in_plane();
            for kh in 0..rows.kernel {
                let row_outputs = rows.outputs_reading(kh);
                for kw in 0..cols.kernel {
                    let col_outputs = cols.outputs_reading(kw);
                    let row = (channel * rows.kernel + kh) * cols.kernel + kw;
                    for oh in
                        block_rows.start.max(row_outputs.start)..block_rows.end.min(row_outputs.end)
                    {
                        let start = oh * cols.output;
                        let from = first.max(start) - start;
                        let to = (first + len).min(start + cols.output) - start;
                        let input_row = plane + rows.input_at(oh, kh) * cols.input;
                        for ow in from.max(col_outputs.start)..to.min(col_outputs.end) {
                            visit(row, start + ow - first, input_row + cols.input_at(ow, kw));
                        }
                    }
                }
            }
        }
    }

    /// `y = b + w ⋆ x`: each block of group `group`'s output positions is
    /// its filters (`out_per_group × depth`) times its unfolded input
    /// (`depth × block`).
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[inline(always)]
    fn forward_unfolded<T: Scalar>(&self, x: &[T], w: &[T], b: &[T], y: &mut [T], block: usize) {
        for (plane, &bias) in y.chunks_exact_mut(self.out_plane()).zip(b) {
            plane.fill(bias);
        }
        let (depth, out_plane, filters) = (self.depth(), self.out_plane(), self.out_per_group());
        let mut unfolded = [T::ZERO; SCRATCH];
        for group in 0..self.groups {
            let weights = &w[group * filters * depth..];
            for first in (0..out_plane).step_by(block) {
                let len = block.min(out_plane - first);
                let unfolded = &mut unfolded[..depth * len];
                unfolded.fill(T::ZERO);
                self.each_unfolded(group, [first, len], |row, column, input| {
                    unfolded[row * len + column] = x[input];
                });
                let a = Strided { values: weights, row_stride: depth, col_stride: 1 };
                let dims = Dims { m: filters, depth, n: len, ldb: len, ldc: out_plane };
                T::gemm_add(a, unfolded, &mut y[group * filters * out_plane + first..], dims);
            }
        }
    }

    /// Adds the gradient of the weights: each block of group `group`'s
    /// output gradients (`out_per_group × block`) times its unfolded input,
    /// transposed (`block × depth`).
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[inline(always)]
    fn weight_grads_unfolded<T: Scalar>(&self, x: &[T], g: &[T], dw: &mut [T], block: usize) {
        let (depth, out_plane, filters) = (self.depth(), self.out_plane(), self.out_per_group());
        let mut unfolded = [T::ZERO; SCRATCH];
        for group in 0..self.groups {
            for first in (0..out_plane).step_by(block) {
                let len = block.min(out_plane - first);
                let unfolded = &mut unfolded[..len * depth];
                unfolded.fill(T::ZERO);
                self.each_unfolded(group, [first, len], |row, column, input| {
                    unfolded[column * depth + row] = x[input];
                });
                let grads = &g[group * filters * out_plane + first..];
                let a = Strided { values: grads, row_stride: out_plane, col_stride: 1 };
                let dims = Dims { m: filters, depth: len, n: depth, ldb: depth, ldc: depth };
                T::gemm_add(a, unfolded, &mut dw[group * filters * depth..], dims);
            }
        }
    }

    /// Adds the gradient of the input: the filters, transposed
    /// (`depth × out_per_group`), times each block of output gradients,
    /// folded back onto the input positions each unfolded row read.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[inline(always)]
    fn input_grad_unfolded<T: Scalar>(&self, g: &[T], w: &[T], dx: &mut [T], block: usize) {
        let (depth, out_plane, filters) = (self.depth(), self.out_plane(), self.out_per_group());
        let mut unfolded = [T::ZERO; SCRATCH];
        for group in 0..self.groups {
            let weights = &w[group * filters * depth..];
            for first in (0..out_plane).step_by(block) {
                let len = block.min(out_plane - first);
                let unfolded = &mut unfolded[..depth * len];
                unfolded.fill(T::ZERO);
                let a = Strided { values: weights, row_stride: 1, col_stride: depth };
                let dims = Dims { m: depth, depth: filters, n: len, ldb: out_plane, ldc: len };
                T::gemm_add(a, &g[group * filters * out_plane + first..], unfolded, dims);
                self.each_unfolded(group, [first, len], |row, column, input| {
                    dx[input] += unfolded[row * len + column];
                });
            }
        }
    }

    /// PyTorch's fans for a convolution's weights (what
    /// `torch.nn.init._calculate_fan_in_and_fan_out` gives for their shape):
    /// `in_channels / groups · kernel` in, `out_channels · kernel` out.
    pub fn fans(&self) -> (usize, usize) {
        (self.in_per_group() * self.kernel_plane(), self.out_channels * self.kernel_plane())
    }
}

/// Everything a convolution layer implements, the same for all of them:
/// `new`, `zeros`, `random`, [`Params`](crate::Params) (its fields
/// `weight` and `bias`), [`Layer`](crate::Layer) (its trace is its input),
/// `Default` and [`ToRust`](crate::source::ToRust). The layer's own impl
/// defines its shape, `CONVOLUTION`.
macro_rules! convolution_layer {
    (
        impl[$($generics:tt)*] $name:ident<T, $($param:ident),*> {
            input: $input:ty,
            output: $output:ty,
            weight: $weight:ty, of shape $weight_shape:expr, named with shape $tensor_shape:expr,
            bias: [T; $channels:expr] $(,)?
        }
    ) => {
        impl<T: $crate::Scalar, $($generics)*> $name<T, $($param),*> {
            /// A layer with the given weights and biases.
            pub const fn new(weight: $weight, bias: [T; $channels]) -> Self {
                let _ = Self::CONVOLUTION;
                Self { weight, bias }
            }

            /// All weights and biases zero.
            pub const fn zeros() -> Self {
                Self::new(
                    <$weight as $crate::layer::tensor::Zero>::ZERO,
                    [T::ZERO; $channels],
                )
            }

            /// Weights drawn by `init` with PyTorch's fans for a
            /// convolution (input channels of a group × kernel in, output
            /// channels × kernel out), biases zero.
            pub fn random<R: ::rand::Rng + ?Sized>(rng: &mut R, init: $crate::Init) -> Self {
                use $crate::layer::tensor::Flat as _;
                let mut layer = Self::zeros();
                let (fan_in, fan_out) = Self::CONVOLUTION.fans();
                init.fill(layer.weight.flat_mut(), fan_in, fan_out, rng);
                layer
            }
        }

        $crate::layer::tensor::weight_and_bias!(impl[$($generics)*] $name<T, $($param),*> {
            weight: $tensor_shape,
            bias: [$channels],
        });

        impl<T: $crate::Scalar, $($generics)*> ::core::default::Default for $name<T, $($param),*> {
            fn default() -> Self {
                Self::zeros()
            }
        }

        impl<T: $crate::Scalar, $($generics)*> $crate::source::ToRust for $name<T, $($param),*> {
            fn write_type(out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                $crate::source::write_layer_type::<T>(out, stringify!($name), &[$($param),*])
            }

            fn write_value(
                &self,
                out: &mut dyn ::core::fmt::Write,
                indent: usize,
            ) -> ::core::fmt::Result {
                use $crate::layer::tensor::Flat as _;
                $crate::source::write_layer_value(out, indent, stringify!($name), &[
                    ("weight", self.weight.flat(), &$weight_shape),
                    ("bias", &self.bias, &[$channels]),
                ])
            }
        }

        impl<T: $crate::Scalar, $($generics)*> $crate::Layer<T> for $name<T, $($param),*> {
            type Input = $input;
            type Output = $output;
            /// The input, from which the weight gradient is formed.
            type Trace = $input;
            /// The inputs, from which the weight gradient is formed.
            type BatchTrace<const B: usize> = [$input; B];

            fn forward(&self, input: &$input) -> $output {
                use $crate::Vector as _;
                use $crate::layer::tensor::Flat as _;
                let mut output = <$output as $crate::Vector<T>>::zeros();
                let (weight, output_flat) = (self.weight.flat(), output.scalars_mut());
                Self::CONVOLUTION.forward(input.scalars(), weight, &self.bias, output_flat);
                output
            }

            fn forward_trace(&self, input: &$input) -> ($output, $input) {
                (self.forward(input), *input)
            }

            fn backward(&self, input: &$input, grad_output: &$output, grads: &mut Self) -> $input {
                use $crate::Vector as _;
                use $crate::layer::tensor::Flat as _;
                self.param_grads(input, grad_output, grads);
                let mut grad_input = <$input as $crate::Vector<T>>::zeros();
                let (grad, weight) = (grad_output.scalars(), self.weight.flat());
                Self::CONVOLUTION.input_grad(grad, weight, grad_input.scalars_mut());
                grad_input
            }

            fn param_grads(&self, input: &$input, grad_output: &$output, grads: &mut Self) {
                use $crate::Vector as _;
                use $crate::layer::tensor::Flat as _;
                let (weight, bias) = (grads.weight.flat_mut(), &mut grads.bias);
                let (input, grad) = (input.scalars(), grad_output.scalars());
                Self::CONVOLUTION.param_grads(input, grad, weight, bias);
            }

            fn forward_trace_batch<const B: usize>(
                &self,
                inputs: &[$input; B],
            ) -> ([$output; B], [$input; B]) {
                (self.forward_batch(inputs), *inputs)
            }

            fn backward_batch<const B: usize>(
                &self,
                inputs: &[$input; B],
                grad_outputs: &[$output; B],
                grads: &mut Self,
            ) -> [$input; B] {
                ::core::array::from_fn(|b| self.backward(&inputs[b], &grad_outputs[b], grads))
            }

            fn param_grads_batch<const B: usize>(
                &self,
                inputs: &[$input; B],
                grad_outputs: &[$output; B],
                grads: &mut Self,
            ) {
                for (input, grad_output) in inputs.iter().zip(grad_outputs) {
                    self.param_grads(input, grad_output, grads);
                }
            }
        }
    };
}
pub(crate) use convolution_layer;

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    /// The shapes the layers refuse at compile time, where no test of the
    /// library reaches: no groups, channels that groups do not share
    /// evenly, an axis whose output is not its length.
    #[test]
    fn inconsistent_shapes_are_refused() {
        let axis = Axis { input: 4, kernel: 3, stride: 1, padding: 0, output: 2 };
        let good =
            Convolution { in_channels: 4, out_channels: 6, groups: 2, rows: axis, cols: axis };
        assert!(good.is_consistent());
        for bad in [
            Convolution { in_channels: 0, out_channels: 0, groups: 0, ..good },
            Convolution { in_channels: 3, ..good },
            Convolution { out_channels: 5, ..good },
            Convolution { rows: Axis { output: 1, ..axis }, ..good },
            Convolution { cols: Axis { output: 1, ..axis }, ..good },
        ] {
            assert!(!bad.is_consistent(), "{bad:?}");
        }
    }

    /// PyTorch's fans of a convolution weight `[out, in / groups, kh, kw]`:
    /// its second and first dimensions, each times the kernel's plane.
    #[test]
    fn fans_are_those_of_pytorch() {
        let rows = Axis { input: 4, kernel: 3, stride: 1, padding: 0, output: 2 };
        let cols = Axis { input: 6, kernel: 5, stride: 1, padding: 0, output: 2 };
        let c = Convolution { in_channels: 6, out_channels: 4, groups: 2, rows, cols };
        assert_eq!(c.fans(), (3 * 15, 4 * 15));
    }

    /// Layers too large for the tests of every strategy, against the
    /// scratch of 16 Ki scalars on x86: filters of 25 weights at 1296
    /// positions (many blocks), a filter of 16 Ki + 1 weights (none fits:
    /// the direct loops), and filters of 200 weights at 196 positions (81
    /// at a time, the scratch not a multiple of 200).
    #[test]
    fn large_layers_match_the_definition() {
        let axis = |input, kernel| Axis {
            input,
            kernel,
            stride: 1,
            padding: 0,
            output: input - kernel + 1,
        };
        let one_group = |in_channels, rows, cols| Convolution {
            in_channels,
            out_channels: 2,
            groups: 1,
            rows,
            cols,
        };
        let larger_than_scratch = 16 * 1024 + 1;
        for c in [
            one_group(1, axis(40, 5), axis(40, 5)),
            Convolution { groups: 2, ..one_group(2 * larger_than_scratch, axis(1, 1), axis(2, 1)) },
            one_group(8, axis(18, 5), axis(18, 5)),
        ] {
            assert!(c.is_consistent(), "{c:?}");
            let x = values(c.in_channels * c.in_plane(), 1);
            let w = values(c.out_channels * c.in_per_group() * c.kernel_plane(), 2);
            let b = values(c.out_channels, 3);
            let g = values(c.out_channels * c.out_plane(), 4);
            let mut y = std::vec![f64::NAN; g.len()];
            c.forward(&x, &w, &b, &mut y);
            assert_eq!(y, reference(&c, &x, &w, &b), "{c:?}");
            let (mut dx, mut direct_dx) = (std::vec![0.0; x.len()], std::vec![0.0; x.len()]);
            c.input_grad(&g, &w, &mut dx);
            c.input_grad_direct(&g, &w, &mut direct_dx);
            assert_eq!(dx, direct_dx, "{c:?}");
            let (mut dw, mut direct_dw) = (std::vec![0.5; w.len()], std::vec![0.5; w.len()]);
            c.param_grads(&x, &g, &mut dw, &mut std::vec![0.0; b.len()]);
            c.weight_grads_direct(&x, &g, &mut direct_dw);
            assert_eq!(dw, direct_dw, "{c:?}");
        }
    }

    /// The definition, one output at a time, every read bounds-checked.
    fn reference(c: &Convolution, x: &[f64], w: &[f64], b: &[f64]) -> Vec<f64> {
        let (rows, cols) = (c.rows, c.cols);
        let (in_g, out_g) = (c.in_channels / c.groups, c.out_channels / c.groups);
        let mut y = Vec::new();
        for co in 0..c.out_channels {
            for oh in 0..rows.output {
                for ow in 0..cols.output {
                    let mut sum = b[co];
                    for cl in 0..in_g {
                        let ci = co / out_g * in_g + cl;
                        for kh in 0..rows.kernel {
                            for kw in 0..cols.kernel {
                                let ih = (oh * rows.stride + kh) as isize - rows.padding as isize;
                                let iw = (ow * cols.stride + kw) as isize - cols.padding as isize;
                                if (0..rows.input as isize).contains(&ih)
                                    && (0..cols.input as isize).contains(&iw)
                                {
                                    let (ih, iw) = (ih as usize, iw as usize);
                                    let weight =
                                        w[((co * in_g + cl) * rows.kernel + kh) * cols.kernel + kw];
                                    sum += weight * x[(ci * rows.input + ih) * cols.input + iw];
                                }
                            }
                        }
                    }
                    y.push(sum);
                }
            }
        }
        y
    }

    fn values(len: usize, seed: usize) -> Vec<f64> {
        (0..len).map(|i| ((i * 7 + seed * 13) % 17) as f64 - 8.0).collect()
    }

    fn shapes() -> Vec<Convolution> {
        let mut shapes = Vec::new();
        // Groups of one output channel and of two.
        for (in_channels, out_channels, groups) in
            [(1, 1, 1), (2, 3, 1), (3, 3, 3), (4, 2, 2), (2, 4, 2)]
        {
            for (input, kernel, stride, padding) in [
                (5, 3, 1, 0),
                (5, 3, 2, 1),
                (6, 2, 2, 0),
                (4, 4, 1, 2),
                (7, 3, 3, 2),
                (1, 1, 1, 0),
                (2, 1, 1, 2),
                (3, 2, 2, 3),
                (9, 5, 1, 2),
                (1, 3, 1, 2),
            ] {
                let output = Axis::output_len(input, kernel, stride, padding).unwrap();
                let rows = Axis { input, kernel, stride, padding, output };
                let cols = Axis { input: input + 1, output: output + 1, ..rows };
                let cols = if cols.is_consistent() { cols } else { rows };
                shapes.push(Convolution { in_channels, out_channels, groups, rows, cols });
            }
        }
        shapes
    }

    /// One way of computing a convolution: forward, weight gradients (added),
    /// input gradient (added into zeros).
    type Forward = fn(&Convolution, &[f64], &[f64], &[f64], &mut [f64]);
    type WeightGrads = fn(&Convolution, &[f64], &[f64], &mut [f64]);
    type InputGrad = fn(&Convolution, &[f64], &[f64], &mut [f64]);

    /// The direct loops and, on x86, the unfolded input in blocks of 1, 3
    /// and 16 positions and in one block.
    fn strategies() -> Vec<(&'static str, Forward, WeightGrads, InputGrad)> {
        let mut strategies: Vec<(&'static str, Forward, WeightGrads, InputGrad)> = std::vec![(
            "direct",
            |c, x, w, b, y| c.forward_direct(x, w, b, y),
            |c, x, g, dw| c.weight_grads_direct(x, g, dw),
            |c, g, w, dx| c.input_grad_direct(g, w, dx),
        )];
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        strategies.extend([
            (
                "unfolded by 1",
                (|c, x, w, b, y| c.forward_unfolded(x, w, b, y, 1)) as Forward,
                (|c, x, g, dw| c.weight_grads_unfolded(x, g, dw, 1)) as WeightGrads,
                (|c, g, w, dx| c.input_grad_unfolded(g, w, dx, 1)) as InputGrad,
            ),
            (
                "unfolded by 3",
                |c, x, w, b, y| c.forward_unfolded(x, w, b, y, 3),
                |c, x, g, dw| c.weight_grads_unfolded(x, g, dw, 3),
                |c, g, w, dx| c.input_grad_unfolded(g, w, dx, 3),
            ),
            (
                "unfolded by 16",
                |c, x, w, b, y| c.forward_unfolded(x, w, b, y, 16),
                |c, x, g, dw| c.weight_grads_unfolded(x, g, dw, 16),
                |c, g, w, dx| c.input_grad_unfolded(g, w, dx, 16),
            ),
            (
                "as dispatched",
                |c, x, w, b, y| c.forward(x, w, b, y),
                |c, x, g, dw| c.param_grads(x, g, dw, &mut std::vec![0.0; c.out_channels]),
                |c, g, w, dx| c.input_grad(g, w, dx),
            ),
        ]);
        strategies
    }

    #[test]
    fn forward_and_gradients_match_the_definition() {
        for c in shapes() {
            assert!(c.is_consistent(), "{c:?}");
            let x = values(c.in_channels * c.in_plane(), 1);
            let w = values(c.out_channels * c.in_per_group() * c.kernel_plane(), 2);
            let b = values(c.out_channels, 3);
            let g = values(c.out_channels * c.out_plane(), 4);
            let dot = |y: &[f64]| y.iter().zip(&g).map(|(y, g)| y * g).sum::<f64>();
            let zero_bias = std::vec![0.0; c.out_channels];
            // The output is linear in x and in (w, b): its gradient with
            // respect to each is read off the definition, one unit at a time.
            let unit = |len: usize, i: usize| {
                let mut unit = std::vec![0.0; len];
                unit[i] = 1.0;
                unit
            };
            let expected_dx: Vec<f64> = (0..x.len())
                .map(|i| dot(&reference(&c, &unit(x.len(), i), &w, &zero_bias)))
                .collect();
            let expected_dw: Vec<f64> = (0..w.len())
                .map(|i| 0.5 + dot(&reference(&c, &x, &unit(w.len(), i), &zero_bias)))
                .collect();
            for (name, forward, weight_grads, input_grad) in strategies() {
                let mut y = std::vec![f64::NAN; g.len()];
                forward(&c, &x, &w, &b, &mut y);
                assert_eq!(y, reference(&c, &x, &w, &b), "{name}: {c:?}");
                let mut dx = std::vec![0.0; x.len()];
                input_grad(&c, &g, &w, &mut dx);
                assert_eq!(dx, expected_dx, "{name}: {c:?}");
                let mut dw = std::vec![0.5; w.len()];
                weight_grads(&c, &x, &g, &mut dw);
                assert_eq!(dw, expected_dw, "{name}: {c:?}");
            }
            let mut db = std::vec![0.25; b.len()];
            c.param_grads(&x, &g, &mut std::vec![0.0; w.len()], &mut db);
            for (i, db) in db.iter().enumerate() {
                let no_weights = std::vec![0.0; w.len()];
                assert_eq!(*db, 0.25 + dot(&reference(&c, &x, &no_weights, &unit(b.len(), i))));
            }
        }
    }

    /// `c.method::<KW>(args)` for the width `KW` of `c`'s kernel.
    macro_rules! of_width {
        ($c:ident, $method:ident($($argument:expr),*)) => {
            match $c.cols.kernel {
                1 => $c.$method::<1>($($argument),*),
                2 => $c.$method::<2>($($argument),*),
                3 => $c.$method::<3>($($argument),*),
                4 => $c.$method::<4>($($argument),*),
                5 => $c.$method::<5>($($argument),*),
                kernel => panic!("no int8 test for kernels {kernel} wide"),
            }
        };
    }

    #[test]
    fn int8_sums_match_the_definition() {
        // Also a row narrower than the kernel, which no window fits inside.
        let narrow = Axis { input: 1, kernel: 3, stride: 1, padding: 2, output: 3 };
        let narrow =
            Convolution { in_channels: 2, out_channels: 2, groups: 1, rows: narrow, cols: narrow };
        for c in shapes().into_iter().chain([narrow]) {
            // Moved inputs span [−255, 255], weights [−127, 127].
            let x: Vec<f64> =
                values(c.in_channels * c.in_plane(), 5).iter().map(|v| v * 31.0).collect();
            let w = values(c.out_channels * c.in_per_group() * c.kernel_plane(), 6);
            let w: Vec<f64> = w.iter().map(|v| v * 15.0).collect();
            let expected: Vec<i32> = reference(&c, &x, &w, &std::vec![0.0; c.out_channels])
                .into_iter()
                .map(|sum| sum as i32)
                .collect();
            let x: Vec<i16> = x.iter().map(|&v| v as i16).collect();
            let w: Vec<i8> = w.iter().map(|&v| v as i8).collect();
            let mut direct = std::vec![i32::MIN; expected.len()];
            for (co, sums) in direct.chunks_exact_mut(c.out_plane()).enumerate() {
                of_width!(c, accumulate_int8(&x, &w, co, sums));
            }
            assert_eq!(direct, expected, "direct: {c:?}");
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            for block in [1, 3, 16, c.int8_block().unwrap()] {
                let mut unfolded = std::vec![i32::MIN; expected.len()];
                let each = |co, first, sums: &[i32]| {
                    unfolded[co * c.out_plane() + first..][..sums.len()].copy_from_slice(sums);
                };
                of_width!(c, each_int8_sum(&x, &w, block, each));
                assert_eq!(unfolded, expected, "unfolded by {block}: {c:?}");
            }
        }
    }

    /// A shape of `[in, out]` channels, square `input` and `kernel`, no
    /// stride or padding.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    fn square([in_channels, out_channels]: [usize; 2], input: usize, kernel: usize) -> Convolution {
        let output = input - kernel + 1;
        let axis = Axis { input, kernel, stride: 1, padding: 0, output };
        Convolution { in_channels, out_channels, groups: 1, rows: axis, cols: axis }
    }

    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[test]
    fn int8_blocks_fit_the_scratch() {
        // 36 × 36 outputs of 25 weights, padded to 32: 512 at a time.
        let c = square([1, 2], 40, 5);
        assert_eq!(c.int8_block(), Some(SCRATCH / 32));
        let x: Vec<i16> = (0..c.in_plane()).map(|i| (i % 511) as i16 - 255).collect();
        let w: Vec<i8> = (0..c.out_channels * c.kernel_plane()).map(|i| (i % 255) as i8).collect();
        let mut direct = std::vec![0; c.out_channels * c.out_plane()];
        for (co, sums) in direct.chunks_exact_mut(c.out_plane()).enumerate() {
            c.accumulate_int8::<5>(&x, &w, co, sums);
        }
        let mut unfolded = std::vec![i32::MIN; direct.len()];
        c.each_int8_sum::<5>(&x, &w, c.int8_block().unwrap(), |co, first, sums| {
            unfolded[co * c.out_plane() + first..][..sums.len()].copy_from_slice(sums);
        });
        assert_eq!(unfolded, direct);
        // Filters that do not fit: 600 of 32 padded weights, or one of 17,504.
        assert_eq!(square([1, 600], 5, 5).int8_block(), None);
        assert_eq!(square([700, 1], 5, 5).int8_block(), None);
    }
}

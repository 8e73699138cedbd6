//! The loops of every convolution (`Conv2d`, `DepthwiseConv2d`, `Conv1d`):
//! a grouped 2-D convolution on the flattened values, row-major as PyTorch
//! stores them.
//!
//! Every output adds its bias, then its terms in one order (input channel,
//! kernel row, kernel column), so the results are the same on every run,
//! and a batch gives each sample what it gets alone.

use super::window::Axis;
use crate::Scalar;

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
        for (plane, &bias) in y.chunks_exact_mut(self.out_plane()).zip(b) {
            plane.fill(bias);
        }
        let stride = self.cols.stride;
        self.each_weight(|co, ci, kh, kw, index| {
            let weight = w[index];
            let input = &x[ci * self.in_plane()..][..self.in_plane()];
            let output = &mut y[co * self.out_plane()..][..self.out_plane()];
            self.each_row(kh, kw, |outputs, first_input| {
                let inputs = input[first_input..].iter().step_by(stride);
                for (y, &x) in output[outputs].iter_mut().zip(inputs) {
                    *y += weight * x;
                }
            });
        });
    }

    /// Adds the gradient of the weights and biases, given the input `x` and
    /// the gradient `g` of the output.
    #[inline(always)]
    pub fn param_grads<T: Scalar>(&self, x: &[T], g: &[T], dw: &mut [T], db: &mut [T]) {
        for (plane, db) in g.chunks_exact(self.out_plane()).zip(db) {
            *db += plane.iter().copied().sum::<T>();
        }
        let stride = self.cols.stride;
        self.each_weight(|co, ci, kh, kw, index| {
            let input = &x[ci * self.in_plane()..][..self.in_plane()];
            let grad = &g[co * self.out_plane()..][..self.out_plane()];
            let mut sum = T::ZERO;
            self.each_row(kh, kw, |outputs, first_input| {
                let inputs = input[first_input..].iter().step_by(stride);
                for (&g, &x) in grad[outputs].iter().zip(inputs) {
                    sum += g * x;
                }
            });
            dw[index] += sum;
        });
    }

    /// The gradient of the input, given the gradient `g` of the output.
    #[inline(always)]
    pub fn input_grad<T: Scalar>(&self, g: &[T], w: &[T], dx: &mut [T]) {
        dx.fill(T::ZERO);
        let stride = self.cols.stride;
        self.each_weight(|co, ci, kh, kw, index| {
            let weight = w[index];
            let grad = &g[co * self.out_plane()..][..self.out_plane()];
            let input = &mut dx[ci * self.in_plane()..][..self.in_plane()];
            self.each_row(kh, kw, |outputs, first_input| {
                let inputs = input[first_input..].iter_mut().step_by(stride);
                for (dx, &g) in inputs.zip(&grad[outputs]) {
                    *dx += weight * g;
                }
            });
        });
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
        for (in_channels, out_channels, groups) in [(1, 1, 1), (2, 3, 1), (3, 3, 3), (4, 2, 2)] {
            for (input, kernel, stride, padding) in
                [(5, 3, 1, 0), (5, 3, 2, 1), (6, 2, 2, 0), (4, 4, 1, 2), (7, 3, 3, 2), (1, 1, 1, 0)]
            {
                let output = Axis::output_len(input, kernel, stride, padding).unwrap();
                let rows = Axis { input, kernel, stride, padding, output };
                let cols = Axis { input: input + 1, output: output + 1, ..rows };
                let cols = if cols.is_consistent() { cols } else { rows };
                shapes.push(Convolution { in_channels, out_channels, groups, rows, cols });
            }
        }
        shapes
    }

    #[test]
    fn forward_and_gradients_match_the_definition() {
        for c in shapes() {
            assert!(c.is_consistent(), "{c:?}");
            let x = values(c.in_channels * c.in_plane(), 1);
            let w = values(c.out_channels * c.in_per_group() * c.kernel_plane(), 2);
            let b = values(c.out_channels, 3);
            let mut y = std::vec![0.0; c.out_channels * c.out_plane()];
            c.forward(&x, &w, &b, &mut y);
            assert_eq!(y, reference(&c, &x, &w, &b), "{c:?}");

            // The output is linear in x and in (w, b): its gradient with
            // respect to each is read off the definition, one unit at a time.
            let g = values(y.len(), 4);
            let dot = |y: &[f64]| y.iter().zip(&g).map(|(y, g)| y * g).sum::<f64>();
            let zero_bias = std::vec![0.0; c.out_channels];
            let mut dx = std::vec![f64::NAN; x.len()];
            c.input_grad(&g, &w, &mut dx);
            for i in 0..x.len() {
                let mut unit = std::vec![0.0; x.len()];
                unit[i] = 1.0;
                assert_eq!(dx[i], dot(&reference(&c, &unit, &w, &zero_bias)), "{c:?} dx[{i}]");
            }
            let (mut dw, mut db) = (std::vec![0.5; w.len()], std::vec![0.25; b.len()]);
            c.param_grads(&x, &g, &mut dw, &mut db);
            for i in 0..w.len() {
                let mut unit = std::vec![0.0; w.len()];
                unit[i] = 1.0;
                let expected = 0.5 + dot(&reference(&c, &x, &unit, &zero_bias));
                assert_eq!(dw[i], expected, "{c:?} dw[{i}]");
            }
            for i in 0..b.len() {
                let mut unit = std::vec![0.0; b.len()];
                unit[i] = 1.0;
                let no_weights = std::vec![0.0; w.len()];
                assert_eq!(db[i], 0.25 + dot(&reference(&c, &x, &no_weights, &unit)), "db[{i}]");
            }
        }
    }
}

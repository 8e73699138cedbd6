//! Max and average pooling over windows, in one and two dimensions
//! (PyTorch's `nn.MaxPool2d`, `nn.AvgPool2d`, `nn.MaxPool1d`, `nn.AvgPool1d`
//! without padding).

use core::marker::PhantomData;

use super::window::Axis;
use crate::Scalar;

/// The shape of a pooling: `channels` planes of `rows.input ×
/// cols.input`, each window reduced to one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pooling {
    pub channels: usize,
    pub rows: Axis,
    pub cols: Axis,
}

/// The input indices of a window, row-major: an iterator the compiler sees
/// through (the pooling loops run once per value).
pub(crate) struct Window {
    /// The index `next` returns.
    next: usize,
    /// One past the last index of the current row.
    row_end: usize,
    /// Indices in a row of the window.
    width: usize,
    /// From a row of the input to the next.
    row_step: usize,
    /// Rows after the current one.
    rows_left: usize,
}

impl Window {
    /// The indices of `height` rows of `width` values from `first`, rows
    /// `row_step` apart.
    #[inline(always)]
    fn new(first: usize, [height, width]: [usize; 2], row_step: usize) -> Self {
        // No rows gives no values, as no columns does.
        let width = if height == 0 { 0 } else { width };
        let rows_left = height.saturating_sub(1);
        Self { next: first, row_end: first + width, width, row_step, rows_left }
    }
}

impl Iterator for Window {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        if self.next == self.row_end {
            if self.rows_left == 0 || self.width == 0 {
                return None;
            }
            self.rows_left -= 1;
            self.row_end += self.row_step;
            self.next = self.row_end - self.width;
        }
        self.next += 1;
        Some(self.next - 1)
    }
}

impl Pooling {
    /// Whether the shape is one a layer can have; checked at compile time.
    pub const fn is_consistent(&self) -> bool {
        self.rows.padding == 0
            && self.cols.padding == 0
            && self.rows.is_consistent()
            && self.cols.is_consistent()
    }

    /// Calls `visit(output_index, input_indices)` for every window, the
    /// input indices in row-major order (only those inside the input).
    #[inline(always)]
    pub(crate) fn each_window(&self, mut visit: impl FnMut(usize, &mut Window)) {
        let (rows, cols) = (self.rows, self.cols);
        let (in_plane, out_plane) = (rows.input * cols.input, rows.output * cols.output);
        for c in 0..self.channels {
            for oh in 0..rows.output {
                for ow in 0..cols.output {
                    let (window_rows, window_cols) = (rows.window(oh), cols.window(ow));
                    let first = c * in_plane + window_rows.start * cols.input + window_cols.start;
                    let (height, width) = (window_rows.len(), window_cols.len());
                    let mut inputs = Window::new(first, [height, width], cols.input);
                    visit(c * out_plane + oh * cols.output + ow, &mut inputs);
                }
            }
        }
    }

    /// Where each window takes its maximum: the first largest value, or the
    /// first NaN, as PyTorch does.
    #[inline(always)]
    fn each_argmax<T: Scalar>(&self, x: &[T], mut visit: impl FnMut(usize, usize)) {
        self.each_window(|o, inputs| {
            let first = inputs.next().expect("a window holds a value");
            let best = inputs.fold(first, |best, i| {
                if x[best].is_nan() || !(x[i] > x[best] || x[i].is_nan()) { best } else { i }
            });
            visit(o, best);
        });
    }

    /// The largest value of each window.
    #[inline(always)]
    pub fn max_forward<T: Scalar>(&self, x: &[T], y: &mut [T]) {
        self.each_argmax(x, |o, i| y[o] = x[i]);
    }

    /// The gradient of the input of a max pooling: each window's gradient
    /// goes to where it took its maximum.
    #[inline(always)]
    pub fn max_backward<T: Scalar>(&self, x: &[T], g: &[T], dx: &mut [T]) {
        dx.fill(T::ZERO);
        self.each_argmax(x, |o, i| dx[i] += g[o]);
    }

    /// How far each window's maximum is from a tie, where the maximum is not
    /// differentiable: the smallest gap between a window's largest value and
    /// the next.
    pub fn max_kink_distance<T: Scalar>(&self, x: &[T]) -> T {
        let mut nearest = T::infinity();
        self.each_window(|_, inputs| {
            let (mut first, mut second) = (T::neg_infinity(), T::neg_infinity());
            for i in inputs {
                if x[i] > first {
                    (first, second) = (x[i], first);
                } else if x[i] > second {
                    second = x[i];
                }
            }
            nearest = nearest.min(first - second);
        });
        nearest
    }

    /// The mean of each window.
    #[inline(always)]
    pub fn avg_forward<T: Scalar>(&self, x: &[T], y: &mut [T]) {
        let count = T::from_f64((self.rows.kernel * self.cols.kernel) as f64);
        self.each_window(|o, inputs| y[o] = inputs.map(|i| x[i]).sum::<T>() / count);
    }

    /// The gradient of the input of an average pooling: each window's
    /// gradient shared equally by its values.
    #[inline(always)]
    pub fn avg_backward<T: Scalar>(&self, g: &[T], dx: &mut [T]) {
        dx.fill(T::ZERO);
        let count = T::from_f64((self.rows.kernel * self.cols.kernel) as f64);
        self.each_window(|o, inputs| inputs.for_each(|i| dx[i] += g[o] / count));
    }
}

/// What every layer without parameters implements besides
/// [`Layer`](crate::Layer): `new` (built by the expression given, which also
/// checks the shape), `zeros` and `random` as every layer has them, and
/// `Default`.
macro_rules! parameterless {
    (impl[$($generics:tt)*] $name:ident<$($param:ty),*> = $new:expr) => {
        impl<$($generics)*> $name<$($param),*> {
            /// The layer (it has no parameters).
            pub const fn new() -> Self {
                $new
            }

            /// The layer: what `network!` calls for every layer.
            pub const fn zeros() -> Self {
                Self::new()
            }

            /// The layer: what `network!` calls for every layer.
            pub fn random<R: ::rand::Rng + ?Sized>(_: &mut R, _: $crate::Init) -> Self {
                Self::new()
            }
        }

        impl<$($generics)*> ::core::default::Default for $name<$($param),*> {
            fn default() -> Self {
                Self::new()
            }
        }
    };
}
pub(crate) use parameterless;

/// [`Params`](crate::Params) of a layer without parameters: no tensors.
macro_rules! no_params {
    (impl[$($generics:tt)*] $layer:ty) => {
        impl<$($generics)*> $crate::Params<T> for $layer {
            const TENSORS: usize = 0;
            const PARAMS: usize = 0;

            fn zeros() -> Self {
                Self::new()
            }
            fn tensor(&self, _: usize) -> Option<&[T]> {
                None
            }
            fn tensor_mut(&mut self, _: usize) -> Option<&mut [T]> {
                None
            }
            fn tensor_info(_: usize) -> Option<$crate::TensorInfo> {
                None
            }
        }
    };
}
pub(crate) use no_params;

/// A pooling layer with its [`Layer`](crate::Layer) implementation:
/// `max` keeps its input to find each window's maximum again, `avg`
/// keeps nothing.
macro_rules! pooling_layer {
    (max impl[$($generics:tt)*] $name:ident<T, $($param:ident),*> { input: $input:ty, output: $output:ty $(,)? }) => {
        parameterless!(impl[T, $($generics)*] $name<T, $($param),*> = {
            let _ = Self::POOLING;
            Self(::core::marker::PhantomData)
        });
        no_params!(impl[T: $crate::Scalar, $($generics)*] $name<T, $($param),*>);

        impl<T: $crate::Scalar, $($generics)*> $crate::source::ToRust for $name<T, $($param),*> {
            fn write_type(out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                $crate::source::write_layer_type::<T>(out, stringify!($name), &[$($param),*])
            }

            fn write_value(&self, out: &mut dyn ::core::fmt::Write, _: usize) -> ::core::fmt::Result {
                ::core::write!(out, "::constnet::layer::{}::new()", stringify!($name))
            }
        }

        impl<T: $crate::Scalar, $($generics)*> $crate::Layer<T> for $name<T, $($param),*> {
            type Input = $input;
            type Output = $output;
            /// The input, where each window's maximum is found again.
            type Trace = $input;
            /// The inputs, where each window's maximum is found again.
            type BatchTrace<const B: usize> = [$input; B];

            fn forward(&self, input: &$input) -> $output {
                use $crate::Vector as _;
                let mut output = <$output as $crate::Vector<T>>::zeros();
                Self::POOLING.max_forward(input.scalars(), output.scalars_mut());
                output
            }

            fn forward_trace(&self, input: &$input) -> ($output, $input) {
                (self.forward(input), *input)
            }

            fn backward(&self, input: &$input, grad_output: &$output, _: &mut Self) -> $input {
                use $crate::Vector as _;
                let mut grad_input = <$input as $crate::Vector<T>>::zeros();
                let (input, grad) = (input.scalars(), grad_output.scalars());
                Self::POOLING.max_backward(input, grad, grad_input.scalars_mut());
                grad_input
            }

            fn forward_trace_batch<const B: usize>(&self, inputs: &[$input; B]) -> ([$output; B], [$input; B]) {
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

            fn kink_distance(&self, input: &$input) -> T {
                use $crate::Vector as _;
                Self::POOLING.max_kink_distance(input.scalars())
            }
        }
    };
    (avg impl[$($generics:tt)*] $name:ident<T, $($param:ident),*> { input: $input:ty, output: $output:ty $(,)? }) => {
        parameterless!(impl[T, $($generics)*] $name<T, $($param),*> = {
            let _ = Self::POOLING;
            Self(::core::marker::PhantomData)
        });
        no_params!(impl[T: $crate::Scalar, $($generics)*] $name<T, $($param),*>);

        impl<T: $crate::Scalar, $($generics)*> $crate::source::ToRust for $name<T, $($param),*> {
            fn write_type(out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                $crate::source::write_layer_type::<T>(out, stringify!($name), &[$($param),*])
            }

            fn write_value(&self, out: &mut dyn ::core::fmt::Write, _: usize) -> ::core::fmt::Result {
                ::core::write!(out, "::constnet::layer::{}::new()", stringify!($name))
            }
        }

        impl<T: $crate::Scalar, $($generics)*> $crate::Layer<T> for $name<T, $($param),*> {
            type Input = $input;
            type Output = $output;
            /// Nothing: the gradient of a mean does not depend on the input.
            type Trace = ();
            /// Nothing: the gradient of a mean does not depend on the input.
            type BatchTrace<const B: usize> = ();

            fn forward(&self, input: &$input) -> $output {
                use $crate::Vector as _;
                let mut output = <$output as $crate::Vector<T>>::zeros();
                Self::POOLING.avg_forward(input.scalars(), output.scalars_mut());
                output
            }

            fn forward_trace(&self, input: &$input) -> ($output, ()) {
                (self.forward(input), ())
            }

            fn backward(&self, _: &(), grad_output: &$output, _: &mut Self) -> $input {
                use $crate::Vector as _;
                let mut grad_input = <$input as $crate::Vector<T>>::zeros();
                Self::POOLING.avg_backward(grad_output.scalars(), grad_input.scalars_mut());
                grad_input
            }

            fn forward_trace_batch<const B: usize>(&self, inputs: &[$input; B]) -> ([$output; B], ()) {
                (self.forward_batch(inputs), ())
            }

            fn backward_batch<const B: usize>(
                &self,
                _: &(),
                grad_outputs: &[$output; B],
                grads: &mut Self,
            ) -> [$input; B] {
                grad_outputs.each_ref().map(|grad_output| self.backward(&(), grad_output, grads))
            }
        }
    };
}

/// 2-D max pooling: each `KH × KW` window of `C` channels of `H × W`,
/// moved by `SH` rows and `SW` columns, gives its largest value; `OH × OW`
/// windows fit, as PyTorch counts them (`(H − KH) / SH + 1`, rows that do
/// not fill a window are left out), which is checked at compile time.
///
/// Its gradient goes to the first largest value of each window (or the
/// first NaN), as PyTorch's does.
///
/// ```
/// use constnet::layer::MaxPool2d;
/// use constnet::prelude::*;
///
/// let pool = MaxPool2d::<f64, 1, 2, 2, 2, 4, 2, 2, 1, 2>::new();
/// let input = [[[1.0, 5.0, -1.0, -2.0], [3.0, 2.0, -4.0, -3.0]]];
/// assert_eq!(pool.forward(&input), [[[5.0, -1.0]]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool2d<
    T,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const OH: usize,
    const OW: usize,
>(PhantomData<fn() -> T>);

/// 2-D average pooling: each `KH × KW` window gives its mean; otherwise as
/// [`MaxPool2d`].
///
/// ```
/// use constnet::layer::AvgPool2d;
/// use constnet::prelude::*;
///
/// let pool = AvgPool2d::<f64, 1, 2, 2, 2, 4, 2, 2, 1, 2>::new();
/// let input = [[[1.0, 5.0, -1.0, -2.0], [3.0, 2.0, -4.0, -3.0]]];
/// assert_eq!(pool.forward(&input), [[[2.75, -2.5]]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool2d<
    T,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const OH: usize,
    const OW: usize,
>(PhantomData<fn() -> T>);

/// 1-D max pooling: each window of `K` of `C` channels of length `L`, moved
/// by `S`, gives its largest value; `OL = (L − K) / S + 1` windows.
///
/// ```
/// use constnet::layer::MaxPool1d;
/// use constnet::prelude::*;
///
/// let pool = MaxPool1d::<f64, 1, 2, 5, 2, 2>::new();
/// assert_eq!(pool.forward(&[[1.0, 3.0, 2.0, 0.0, 9.0]]), [[3.0, 2.0]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxPool1d<
    T,
    const C: usize,
    const K: usize,
    const L: usize,
    const S: usize,
    const OL: usize,
>(PhantomData<fn() -> T>);

/// 1-D average pooling: each window of `K` gives its mean; otherwise as
/// [`MaxPool1d`].
///
/// ```
/// use constnet::layer::AvgPool1d;
/// use constnet::prelude::*;
///
/// let pool = AvgPool1d::<f64, 1, 2, 5, 2, 2>::new();
/// assert_eq!(pool.forward(&[[1.0, 3.0, 2.0, 0.0, 9.0]]), [[2.0, 1.0]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AvgPool1d<
    T,
    const C: usize,
    const K: usize,
    const L: usize,
    const S: usize,
    const OL: usize,
>(PhantomData<fn() -> T>);

const fn pooling_2d(c: usize, [kh, kw, h, w, sh, sw, oh, ow]: [usize; 8]) -> Pooling {
    let rows = Axis { input: h, kernel: kh, stride: sh, padding: 0, output: oh };
    let cols = Axis { input: w, kernel: kw, stride: sw, padding: 0, output: ow };
    let pooling = Pooling { channels: c, rows, cols };
    assert!(pooling.is_consistent(), "pooling: OH × OW windows do not fit H × W");
    pooling
}

const fn pooling_1d(c: usize, [k, l, s, ol]: [usize; 4]) -> Pooling {
    let cols = Axis { input: l, kernel: k, stride: s, padding: 0, output: ol };
    let pooling = Pooling { channels: c, rows: Axis::UNIT, cols };
    assert!(pooling.is_consistent(), "pooling: OL windows do not fit L");
    pooling
}

impl<
    T,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const OH: usize,
    const OW: usize,
> MaxPool2d<T, C, KH, KW, H, W, SH, SW, OH, OW>
{
    const POOLING: Pooling = pooling_2d(C, [KH, KW, H, W, SH, SW, OH, OW]);
}

impl<
    T,
    const C: usize,
    const KH: usize,
    const KW: usize,
    const H: usize,
    const W: usize,
    const SH: usize,
    const SW: usize,
    const OH: usize,
    const OW: usize,
> AvgPool2d<T, C, KH, KW, H, W, SH, SW, OH, OW>
{
    const POOLING: Pooling = pooling_2d(C, [KH, KW, H, W, SH, SW, OH, OW]);
}

impl<T, const C: usize, const K: usize, const L: usize, const S: usize, const OL: usize>
    MaxPool1d<T, C, K, L, S, OL>
{
    const POOLING: Pooling = pooling_1d(C, [K, L, S, OL]);
}

impl<T, const C: usize, const K: usize, const L: usize, const S: usize, const OL: usize>
    AvgPool1d<T, C, K, L, S, OL>
{
    const POOLING: Pooling = pooling_1d(C, [K, L, S, OL]);
}

pooling_layer! {
    max impl[
        const C: usize, const KH: usize, const KW: usize, const H: usize, const W: usize,
        const SH: usize, const SW: usize, const OH: usize, const OW: usize,
    ] MaxPool2d<T, C, KH, KW, H, W, SH, SW, OH, OW> {
        input: [[[T; W]; H]; C],
        output: [[[T; OW]; OH]; C],
    }
}

pooling_layer! {
    avg impl[
        const C: usize, const KH: usize, const KW: usize, const H: usize, const W: usize,
        const SH: usize, const SW: usize, const OH: usize, const OW: usize,
    ] AvgPool2d<T, C, KH, KW, H, W, SH, SW, OH, OW> {
        input: [[[T; W]; H]; C],
        output: [[[T; OW]; OH]; C],
    }
}

pooling_layer! {
    max impl[const C: usize, const K: usize, const L: usize, const S: usize, const OL: usize]
    MaxPool1d<T, C, K, L, S, OL> {
        input: [[T; L]; C],
        output: [[T; OL]; C],
    }
}

pooling_layer! {
    avg impl[const C: usize, const K: usize, const L: usize, const S: usize, const OL: usize]
    AvgPool1d<T, C, K, L, S, OL> {
        input: [[T; L]; C],
        output: [[T; OL]; C],
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    #[test]
    fn max_pooling_takes_the_first_largest_value_and_a_nan_wins() {
        let pooling = pooling_1d(1, [3, 6, 3, 2]);
        let x = [1.0, 4.0, 4.0, 2.0, f64::NAN, 5.0];
        let mut y = [0.0; 2];
        pooling.max_forward(&x, &mut y);
        assert_eq!(y[0], 4.0);
        assert!(y[1].is_nan());
        let mut dx = [f64::NAN; 6];
        pooling.max_backward(&x, &[10.0, 20.0], &mut dx);
        assert_eq!(dx, [0.0, 10.0, 0.0, 0.0, 20.0, 0.0]);
    }

    #[test]
    fn windows_leave_out_what_does_not_fill_them() {
        // 3×5 in windows of 2×2 moved by 2: one row and one column unread.
        let pooling = pooling_2d(1, [2, 2, 3, 5, 2, 2, 1, 2]);
        let x: Vec<f64> = (0..15).map(f64::from).collect();
        let mut y = [0.0; 2];
        pooling.avg_forward(&x, &mut y);
        assert_eq!(y, [(0.0 + 1.0 + 5.0 + 6.0) / 4.0, (2.0 + 3.0 + 7.0 + 8.0) / 4.0]);
        let mut dx = [f64::NAN; 15];
        pooling.avg_backward(&[4.0, 8.0], &mut dx);
        let expected = [1., 1., 2., 2., 0., 1., 1., 2., 2., 0., 0., 0., 0., 0., 0.];
        assert_eq!(dx, expected);
        pooling.max_backward(&x, &[4.0, 8.0], &mut dx);
        assert_eq!(dx, [0., 0., 0., 0., 0., 0., 4., 0., 8., 0., 0., 0., 0., 0., 0.]);
        assert_eq!(pooling.max_kink_distance(&x), 1.0);
    }

    /// The gap is taken to the second largest value wherever it comes in
    /// the window, after the largest or before it.
    #[test]
    fn the_kink_distance_is_the_gap_below_the_largest_value() {
        let pooling = pooling_1d(1, [4, 4, 4, 1]);
        assert_eq!(pooling.max_kink_distance(&[5.0, 1.0, 3.0, 2.0]), 2.0);
        assert_eq!(pooling.max_kink_distance(&[1.0, 3.0, 7.0, 2.0]), 4.0);
        assert_eq!(pooling.max_kink_distance(&[6.0, 2.0, 6.0, 2.0]), 0.0);
    }

    #[test]
    fn padded_or_inconsistent_poolings_are_refused() {
        let good = pooling_2d(1, [2, 2, 4, 4, 2, 2, 2, 2]);
        assert!(good.is_consistent());
        let padded = Axis { input: 4, kernel: 2, stride: 2, padding: 1, output: 3 };
        assert!(padded.is_consistent());
        for bad in [
            Pooling { rows: padded, ..good },
            Pooling { cols: padded, ..good },
            Pooling { rows: Axis { output: 1, ..good.rows }, ..good },
            Pooling { cols: Axis { output: 1, ..good.cols }, ..good },
        ] {
            assert!(!bad.is_consistent(), "{bad:?}");
        }
    }
}

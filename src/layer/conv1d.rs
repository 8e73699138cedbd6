//! 1-D convolution over time, PyTorch's `nn.Conv1d` with `groups = 1`.

use super::convolution::{Convolution, convolution_layer};
use super::window::Axis;

/// A 1-D convolution from `C_IN` channels of length `L` to `C_OUT` channels
/// of length `OL`: a kernel of `K` moved by `S` over the input padded with
/// `P` zeros at each end.
///
/// The weights have PyTorch's layout, `[C_OUT][C_IN][K]`. The output length
/// must be `(L + 2·P − K) / S + 1` (or one more, see [`Axis`]), which is
/// checked at compile time.
///
/// ```
/// use constnet::layer::Conv1d;
/// use constnet::prelude::*;
///
/// // A moving sum of three over five values, padded with one zero each side.
/// let conv = Conv1d::<f64, 1, 1, 3, 5, 1, 1, 5>::new([[[1.0; 3]]], [0.0]);
/// assert_eq!(conv.forward(&[[1.0, 2.0, 3.0, 4.0, 5.0]]), [[3.0, 6.0, 9.0, 12.0, 9.0]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv1d<
    T,
    const C_IN: usize,
    const C_OUT: usize,
    const K: usize,
    const L: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> {
    /// `C_OUT` filters of `C_IN` channels of `K` weights.
    pub weight: [[[T; K]; C_IN]; C_OUT],
    /// One bias per output channel.
    pub bias: [T; C_OUT],
}

impl<
    T,
    const C_IN: usize,
    const C_OUT: usize,
    const K: usize,
    const L: usize,
    const S: usize,
    const P: usize,
    const OL: usize,
> Conv1d<T, C_IN, C_OUT, K, L, S, P, OL>
{
    const CONVOLUTION: Convolution = {
        let cols = Axis { input: L, kernel: K, stride: S, padding: P, output: OL };
        let shape = Convolution {
            in_channels: C_IN,
            out_channels: C_OUT,
            groups: 1,
            rows: Axis::UNIT,
            cols,
        };
        assert!(
            shape.is_consistent(),
            "Conv1d: OL is not what L gives with this kernel, stride and padding"
        );
        shape
    };
}

convolution_layer! {
    impl[
        const C_IN: usize, const C_OUT: usize, const K: usize, const L: usize, const S: usize,
        const P: usize, const OL: usize,
    ] Conv1d<T, C_IN, C_OUT, K, L, S, P, OL> {
        input: [[T; L]; C_IN],
        output: [[T; OL]; C_OUT],
        weight: [[[T; K]; C_IN]; C_OUT], of shape [C_OUT, C_IN, K], named with shape [C_OUT, C_IN, K],
        bias: [T; C_OUT],
    }
}

//! 2-D convolution, PyTorch's `nn.Conv2d` with `groups = 1`.

use super::convolution::{Convolution, convolution_layer};
use super::window::Axis;

/// A 2-D convolution from `C_IN` channels of `H × W` to `C_OUT` channels of
/// `OH × OW`: a `KH × KW` kernel moved by `SH` rows and `SW` columns, over
/// the input padded with `PH` rows and `PW` columns of zeros.
///
/// The weights have PyTorch's layout, `[C_OUT][C_IN][KH][KW]`. The output
/// size is a parameter because a type cannot compute it; it must be
/// `(H + 2·PH − KH) / SH + 1` (or one more, for TensorFlow's `"same"`
/// padding with its odd zero at the end, see [`Axis`]), which is checked
/// at compile time. [`network!`](crate::network) writes all of it from
/// `Conv2d<C_IN, C_OUT, K, stride = S, padding = P>`.
///
/// ```
/// use constnet::layer::Conv2d;
/// use constnet::prelude::*;
///
/// // One channel of 3×3, a 2×2 kernel, stride 1, no padding: 2×2 out.
/// let conv = Conv2d::<f64, 1, 1, 2, 2, 3, 3, 1, 1, 0, 0, 2, 2>::new(
///     [[[[1.0, 0.0], [0.0, -1.0]]]],
///     [0.5],
/// );
/// let image = [[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]];
/// assert_eq!(conv.forward(&image), [[[-3.5, -3.5], [-3.5, -3.5]]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv2d<
    T,
    const C_IN: usize,
    const C_OUT: usize,
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
    /// `C_OUT` filters of `C_IN` channels of `KH × KW` weights.
    pub weight: [[[[T; KW]; KH]; C_IN]; C_OUT],
    /// One bias per output channel.
    pub bias: [T; C_OUT],
}

impl<
    T,
    const C_IN: usize,
    const C_OUT: usize,
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
> Conv2d<T, C_IN, C_OUT, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    const CONVOLUTION: Convolution = {
        let rows = Axis { input: H, kernel: KH, stride: SH, padding: PH, output: OH };
        let cols = Axis { input: W, kernel: KW, stride: SW, padding: PW, output: OW };
        let shape = Convolution { in_channels: C_IN, out_channels: C_OUT, groups: 1, rows, cols };
        assert!(
            shape.is_consistent(),
            "Conv2d: OH × OW is not what H × W gives with this kernel, stride and padding"
        );
        shape
    };
}

convolution_layer! {
    impl[
        const C_IN: usize, const C_OUT: usize, const KH: usize, const KW: usize, const H: usize,
        const W: usize, const SH: usize, const SW: usize, const PH: usize, const PW: usize,
        const OH: usize, const OW: usize,
    ] Conv2d<T, C_IN, C_OUT, KH, KW, H, W, SH, SW, PH, PW, OH, OW> {
        input: [[[T; W]; H]; C_IN],
        output: [[[T; OW]; OH]; C_OUT],
        weight: [[[[T; KW]; KH]; C_IN]; C_OUT], of shape [C_OUT, C_IN, KH, KW],
            named with shape [C_OUT, C_IN, KH, KW],
        bias: [T; C_OUT],
    }
}

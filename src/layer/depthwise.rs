//! Depthwise 2-D convolution: one filter per channel, the MobileNet and
//! DS-CNN layer (PyTorch's `nn.Conv2d` with `groups = in_channels =
//! out_channels`).

use super::convolution::{Convolution, convolution_layer};
use super::window::Axis;

/// A depthwise convolution of `C` channels of `H × W` into `C` channels of
/// `OH × OW`: channel `c` of the output is channel `c` of the input
/// convolved with its own `KH × KW` kernel, moved by `SH` rows and `SW`
/// columns over the input padded with `PH` rows and `PW` columns of zeros.
///
/// The weights are `[C][KH][KW]`, which PyTorch names with the shape
/// `[C, 1, KH, KW]` (the same numbers in the same order). The output size
/// is checked at compile time as for [`Conv2d`](super::Conv2d).
///
/// ```
/// use constnet::layer::DepthwiseConv2d;
/// use constnet::prelude::*;
///
/// // Two channels of 1×2, a 1×2 kernel each: one value per channel.
/// let conv = DepthwiseConv2d::<f64, 2, 1, 2, 1, 2, 1, 1, 0, 0, 1, 1>::new(
///     [[[1.0, 1.0]], [[2.0, -1.0]]],
///     [0.0, 0.5],
/// );
/// assert_eq!(conv.forward(&[[[3.0, 4.0]], [[3.0, 4.0]]]), [[[7.0]], [[2.5]]]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DepthwiseConv2d<
    T,
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
    /// One `KH × KW` filter per channel.
    pub weight: [[[T; KW]; KH]; C],
    /// One bias per channel.
    pub bias: [T; C],
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
    const PH: usize,
    const PW: usize,
    const OH: usize,
    const OW: usize,
> DepthwiseConv2d<T, C, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    const CONVOLUTION: Convolution = {
        let rows = Axis { input: H, kernel: KH, stride: SH, padding: PH, output: OH };
        let cols = Axis { input: W, kernel: KW, stride: SW, padding: PW, output: OW };
        let shape = Convolution { in_channels: C, out_channels: C, groups: C, rows, cols };
        assert!(
            shape.is_consistent(),
            "DepthwiseConv2d: OH × OW is not what H × W gives with this kernel, stride and padding"
        );
        shape
    };
}

convolution_layer! {
    impl[
        const C: usize, const KH: usize, const KW: usize, const H: usize, const W: usize,
        const SH: usize, const SW: usize, const PH: usize, const PW: usize, const OH: usize,
        const OW: usize,
    ] DepthwiseConv2d<T, C, KH, KW, H, W, SH, SW, PH, PW, OH, OW> {
        input: [[[T; W]; H]; C],
        output: [[[T; OW]; OH]; C],
        weight: [[[T; KW]; KH]; C], of shape [C, KH, KW], named with shape [C, 1, KH, KW],
        bias: [T; C],
    }
}

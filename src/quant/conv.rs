//! int8 convolutions, TensorFlow Lite's `CONV_2D` and `DEPTHWISE_CONV_2D`
//! (per-channel), on values laid out as constnet's float layers lay them
//! out: channels × height × width.

use super::dot::moved;
use super::fixed::Multiplier;
use crate::kernels::int8_requantize;
use crate::layer::Axis;
use crate::layer::convolution::Convolution;

/// A 2-D int8 convolution from `C_IN` channels of `H × W` to `C_OUT` of
/// `OH × OW`, with the geometry of [`Conv2d`](crate::layer::Conv2d) (the
/// padding `PH`, `PW` before the input; TensorFlow Lite's `SAME` puts an
/// odd zero after it): per output, `b + Σ w · (x − input_zero_point)`,
/// brought to the output's scale by its channel's multiplier, moved to the
/// output's zero point and clamped to the fused activation's range, as
/// TensorFlow Lite Micro's reference kernel computes it.
///
/// Weights are `[C_OUT][C_IN][KH][KW]` (TensorFlow Lite stores
/// `[C_OUT][KH][KW][C_IN]`: the reader reorders them), with a zero point of 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QConv2d<
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
    pub weight: [[[[i8; KW]; KH]; C_IN]; C_OUT],
    /// One bias per output channel, at the accumulator's scale.
    pub bias: [i32; C_OUT],
    /// One requantization per output channel.
    pub multiplier: [Multiplier; C_OUT],
    /// The input's zero point.
    pub input_zero_point: i32,
    /// The output's zero point.
    pub output_zero_point: i32,
    /// The range outputs are clamped to.
    pub clamp: (i8, i8),
}

/// A depthwise int8 convolution of `C` channels (a depth multiplier of 1),
/// as [`QConv2d`] otherwise. Weights are `[C][KH][KW]` (TensorFlow Lite
/// stores `[1][KH][KW][C]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QDepthwiseConv2d<
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
    pub weight: [[[i8; KW]; KH]; C],
    /// One bias per channel, at the accumulator's scale.
    pub bias: [i32; C],
    /// One requantization per channel.
    pub multiplier: [Multiplier; C],
    /// The input's zero point.
    pub input_zero_point: i32,
    /// The output's zero point.
    pub output_zero_point: i32,
    /// The range outputs are clamped to.
    pub clamp: (i8, i8),
}

const fn convolution(
    [c_in, c_out, groups]: [usize; 3],
    [kh, kw, h, w, sh, sw, ph, pw, oh, ow]: [usize; 10],
) -> Convolution {
    let rows = Axis { input: h, kernel: kh, stride: sh, padding: ph, output: oh };
    let cols = Axis { input: w, kernel: kw, stride: sw, padding: pw, output: ow };
    let convolution = Convolution { in_channels: c_in, out_channels: c_out, groups, rows, cols };
    assert!(
        convolution.is_consistent(),
        "OH × OW is not what H × W gives with this kernel, stride and padding"
    );
    convolution
}

/// Requantizes the accumulators of `convolution` into `output`, one output
/// channel's plane at a time: on x86 a block of it as `each_int8_sum`
/// unfolds it, elsewhere a whole plane through `sums`. `input` is already
/// moved to its zero point. Always inlined: in each layer's `forward`, its
/// geometry is constants that fold into the loops (one shared copy took
/// 1.7 times the instructions of the int8 MNIST CNN on the Cortex-M4F:
/// 1,809,280 against 1,048,090).
#[inline(always)]
fn run<const KW: usize>(
    convolution: &Convolution,
    (input, weight): (&[i16], &[i8]),
    bias: &[i32],
    multiplier: &[Multiplier],
    output_zero_point: i32,
    clamp: (i8, i8),
    (sums, output): (&mut [i32], &mut [i8]),
) {
    let out_plane = sums.len();
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if let Some(block) = convolution.int8_block() {
        return convolution.each_int8_sum::<KW>(input, weight, block, |co, first, sums| {
            let output = &mut output[co * out_plane + first..][..sums.len()];
            int8_requantize(sums, (bias[co], multiplier[co]), output_zero_point, clamp, output);
        });
    }
    // Not through the closure above, which stays a call on the Cortex-M4F
    // (shared by the layers, without their constants: the int8 MNIST CNN
    // took 1,035,880 instructions so, against 995,100).
    for (co, plane) in output.chunks_exact_mut(out_plane).enumerate() {
        convolution.accumulate_int8::<KW>(input, weight, co, sums);
        int8_requantize(sums, (bias[co], multiplier[co]), output_zero_point, clamp, plane);
    }
}

/// An image's values minus its zero point, in 16 bits.
fn moved_image<const C: usize, const H: usize, const W: usize>(
    image: &[[[i8; W]; H]; C],
    zero_point: i32,
) -> [[[i16; W]; H]; C] {
    image.map(|channel| channel.map(|row| row.map(|x| moved(x, zero_point))))
}

impl<
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
> QConv2d<C_IN, C_OUT, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    const CONVOLUTION: Convolution =
        convolution([C_IN, C_OUT, 1], [KH, KW, H, W, SH, SW, PH, PW, OH, OW]);

    /// Inference on int8 values.
    pub fn forward(&self, input: &[[[i8; W]; H]; C_IN]) -> [[[i8; OW]; OH]; C_OUT] {
        let (mut sums, mut output) = ([[0; OW]; OH], [[[0; OW]; OH]; C_OUT]);
        run::<KW>(
            &Self::CONVOLUTION,
            (
                moved_image(input, self.input_zero_point).as_flattened().as_flattened(),
                self.weight.as_flattened().as_flattened().as_flattened(),
            ),
            &self.bias,
            &self.multiplier,
            self.output_zero_point,
            self.clamp,
            (sums.as_flattened_mut(), output.as_flattened_mut().as_flattened_mut()),
        );
        output
    }
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
> QDepthwiseConv2d<C, KH, KW, H, W, SH, SW, PH, PW, OH, OW>
{
    const CONVOLUTION: Convolution = convolution([C, C, C], [KH, KW, H, W, SH, SW, PH, PW, OH, OW]);

    /// Inference on int8 values.
    pub fn forward(&self, input: &[[[i8; W]; H]; C]) -> [[[i8; OW]; OH]; C] {
        let (mut sums, mut output) = ([[0; OW]; OH], [[[0; OW]; OH]; C]);
        run::<KW>(
            &Self::CONVOLUTION,
            (
                moved_image(input, self.input_zero_point).as_flattened().as_flattened(),
                self.weight.as_flattened().as_flattened(),
            ),
            &self.bias,
            &self.multiplier,
            self.output_zero_point,
            self.clamp,
            (sums.as_flattened_mut(), output.as_flattened_mut().as_flattened_mut()),
        );
        output
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::dense::requantized;

    /// A layer of more outputs per channel than a block of the unfolded
    /// path holds on x86 (36 × 36 of 25 weights padded to 32: 512 at a
    /// time), each output equal to its definition: the second channel's
    /// blocks land where they belong.
    #[test]
    fn outputs_of_a_plane_of_several_blocks_land_in_place() {
        let mut state = 0x2545_f491u32;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as i8
        };
        let mut input = [[[0i8; 40]; 40]; 1];
        input.iter_mut().flatten().flatten().for_each(|x| *x = next());
        let weight =
            core::array::from_fn(|_| [core::array::from_fn(|_| core::array::from_fn(|_| next()))]);
        let multiplier = [Multiplier::from_real(0.0123), Multiplier::from_real(0.004)];
        let layer: QConv2d<1, 2, 5, 5, 40, 40, 1, 1, 0, 0, 36, 36> = QConv2d {
            weight,
            bias: [-300, 1700],
            multiplier,
            input_zero_point: -3,
            output_zero_point: 9,
            clamp: (-128, 127),
        };
        let output = layer.forward(&input);
        for (co, plane) in output.iter().enumerate() {
            for (oh, row) in plane.iter().enumerate() {
                for (ow, &y) in row.iter().enumerate() {
                    let mut sum = layer.bias[co];
                    for kh in 0..5 {
                        for kw in 0..5 {
                            let x = i32::from(input[0][oh + kh][ow + kw]) + 3;
                            sum += i32::from(layer.weight[co][0][kh][kw]) * x;
                        }
                    }
                    assert_eq!(
                        y,
                        requantized(sum, multiplier[co], 9, (-128, 127)),
                        "{co} {oh} {ow}"
                    );
                }
            }
        }
    }
}

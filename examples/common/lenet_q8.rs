//! The MNIST CNN of `examples/mnist.rs` quantized to int8, TensorFlow
//! Lite's way: what the example tests on the host and the firmware runs
//! from flash (both include this file).

use constnet::quant::{QConv2d, QDense, QPool2d, Quantization, Reduce, flatten};

/// The CNN's layers in int8; the ReLUs are the clamps of the layers before
/// them, and the max poolings keep their input's quantization.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeNetQ8 {
    /// How pixels (0 to 1) become int8.
    pub input: Quantization,
    pub conv1: QConv2d<1, 6, 5, 5, 28, 28, 1, 1, 2, 2, 28, 28>,
    pub conv2: QConv2d<6, 16, 5, 5, 14, 14, 1, 1, 0, 0, 10, 10>,
    pub hidden: QDense<400, 64>,
    pub logits: QDense<64, 10>,
}

const POOL1: QPool2d<6, 2, 2, 28, 28, 2, 2, 0, 0, 14, 14> =
    QPool2d { reduce: Reduce::Max, clamp: (-128, 127) };
const POOL2: QPool2d<16, 2, 2, 10, 10, 2, 2, 0, 0, 5, 5> =
    QPool2d { reduce: Reduce::Max, clamp: (-128, 127) };

impl LeNetQ8 {
    /// One image's int8 logits, whose largest is the digit.
    pub fn forward(&self, image: &[[[i8; 28]; 28]; 1]) -> [i8; 10] {
        let x = POOL1.forward(&self.conv1.forward(image));
        let x = POOL2.forward(&self.conv2.forward(&x));
        self.logits.forward(&self.hidden.forward(&flatten(&x)))
    }

    /// Pixels from 0 to 1 as the int8 image `forward` takes.
    pub fn quantize(&self, image: &[[[f32; 28]; 28]; 1]) -> [[[i8; 28]; 28]; 1] {
        image.map(|channel| channel.map(|row| row.map(|pixel| self.input.quantize(pixel))))
    }
}

// A depthwise convolution has as many channels as its input.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [3, 16, 16],
        depthwise: DepthwiseConv2d<8, 3, padding = 1>,
    }
}

fn main() {}

// A convolution's arguments do not say the height and width of its input:
// the network declares its input's shape first.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        conv1: Conv2d<1, 6, 5>,
        Relu,
    }
}

fn main() {}

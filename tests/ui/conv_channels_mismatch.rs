// The channels a convolution expects are compared with what the layer
// before produces, and the error points at the number written.
use constnet::prelude::*;

network! {
    struct LeNet<f32> {
        input: [1, 28, 28],
        conv1: Conv2d<1, 8, 5, padding = 2>,
        Relu,
        pool1: MaxPool2d<2>,
        conv2: Conv2d<6, 16, 5>,
        Relu,
    }
}

fn main() {}

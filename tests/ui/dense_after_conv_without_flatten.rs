// A dense layer takes a vector: after a convolution, the message says what
// to add.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [1, 28, 28],
        conv: Conv2d<1, 6, 3>,
        Relu,
        fc: Dense<4056, 10>,
    }
}

fn main() {}

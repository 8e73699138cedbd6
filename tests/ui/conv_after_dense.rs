// A 2-D convolution takes channels × height × width, not a vector.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        hidden: Dense<4, 16>,
        Relu,
        conv: Conv2d<1, 2, 3>,
    }
}

fn main() {}

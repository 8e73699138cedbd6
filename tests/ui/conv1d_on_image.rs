// A 1-D convolution takes channels × length.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [1, 28, 28],
        conv: Conv1d<1, 4, 3>,
    }
}

fn main() {}

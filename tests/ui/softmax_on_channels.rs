// Softmax normalizes a vector; on channels × height × width it is refused.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [1, 8, 8],
        conv: Conv2d<1, 4, 3>,
        Softmax,
    }
}

fn main() {}

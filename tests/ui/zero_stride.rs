// A stride of 0 is refused where it is written.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [1, 8, 8],
        conv: Conv2d<1, 4, 3, stride = 0>,
    }
}

fn main() {}

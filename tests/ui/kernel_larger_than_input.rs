// A kernel larger than its padded input is refused, naming the dimension.
use constnet::prelude::*;

network! {
    struct Tiny<f32> {
        input: [1, 3, 8],
        conv: Conv2d<1, 2, 5, padding = 0>,
    }
}

fn main() {}

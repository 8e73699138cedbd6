// A misspelt argument gets the list of the right ones.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [1, 8, 8],
        conv: Conv2d<1, 4, 3, strides = 2>,
    }
}

fn main() {}

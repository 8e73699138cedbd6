// The input's declared shape is checked against the first layer.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [3],
        hidden: Dense<4, 2>,
    }
}

fn main() {}

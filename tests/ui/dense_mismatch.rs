// A dense layer whose input size differs from what the previous layer produces.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        out: Dense<4, 1>,
    }
}

fn main() {}

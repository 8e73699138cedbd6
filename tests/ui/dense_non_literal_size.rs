// A dense layer whose size is not an integer literal.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, x>,
    }
}

fn main() {}

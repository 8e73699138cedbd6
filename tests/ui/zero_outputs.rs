// A dense layer with zero outputs.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 0>,
    }
}

fn main() {}

// A dense layer with one size instead of two.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2>,
    }
}

fn main() {}

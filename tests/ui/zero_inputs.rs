// A dense layer with zero inputs.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<0, 3>,
    }
}

fn main() {}

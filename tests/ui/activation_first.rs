// An activation as the first layer, which leaves the input size unknown.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        Tanh,
        out: Dense<2, 1>,
    }
}

fn main() {}

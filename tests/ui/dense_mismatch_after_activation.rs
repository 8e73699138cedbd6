// A size mismatch across an activation names the last layer with parameters.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        Tanh,
        out: Dense<4, 1>,
        Sigmoid,
    }
}

fn main() {}

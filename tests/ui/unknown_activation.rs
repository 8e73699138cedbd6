// A bare layer that is not one of the known activations.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        Swish,
        out: Dense<3, 1>,
    }
}

fn main() {}

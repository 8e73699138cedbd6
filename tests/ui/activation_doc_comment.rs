// A doc comment on an activation, which has no field to carry it.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        /// Squashes.
        Tanh,
        out: Dense<3, 1>,
    }
}

fn main() {}

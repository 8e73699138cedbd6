// An argument given to an activation that takes none.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        Tanh(2),
        out: Dense<3, 1>,
    }
}

fn main() {}

// Two layers with the same name.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        Tanh,
        hidden: Dense<3, 1>,
    }
}

fn main() {}

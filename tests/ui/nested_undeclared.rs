// A named layer whose type is not declared anywhere.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        Tanh,
        encoder: Encoder,
    }
}

fn main() {}

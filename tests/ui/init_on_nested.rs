// A nested network's layers have their own initializers.
use constnet::prelude::*;

network! {
    struct Encoder<f32> { hidden: Dense<4, 2>, Tanh }
}

network! {
    struct Bad<f32> {
        encoder: Encoder = Init::HeNormal,
        out: Dense<2, 1>,
    }
}

fn main() {}

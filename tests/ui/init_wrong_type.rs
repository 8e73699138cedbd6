// The initializer of a dense layer is an `Init`.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3> = 0.01,
        Relu,
        out: Dense<3, 1>,
    }
}

fn main() {}

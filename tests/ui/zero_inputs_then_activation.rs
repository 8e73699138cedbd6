// A zero size in the first layer; the error on `Tanh` is a cascade: the failed layer does not count as first.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<0, 3>,
        Tanh,
        out: Dense<3, 1>,
    }
}

fn main() {}

// A dense layer after a nested network that produces a different number of values.
use constnet::prelude::*;

network! {
    struct Inner<f32> {
        a: Dense<2, 4>,
    }
}

network! {
    struct Outer<f32> {
        inner: Inner,
        Tanh,
        out: Dense<3, 1>,
    }
}

fn main() {}

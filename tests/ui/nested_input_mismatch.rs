// A nested network whose input size differs from what the previous layer produces.
use constnet::prelude::*;

network! {
    struct Inner<f32> {
        a: Dense<4, 2>,
    }
}

network! {
    struct Outer<f32> {
        hidden: Dense<2, 3>,
        Tanh,
        inner: Inner,
    }
}

fn main() {}

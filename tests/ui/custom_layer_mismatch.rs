// A layer of another type (here a network) takes a shape the compiler knows: a mismatch with
// the layer before is a constant assertion that names both.
use constnet::prelude::*;

network! {
    struct Inner<f32> { first: Dense<3, 2> }
}

network! {
    struct Outer<f32> {
        input: [1, 4, 4],
        conv: Conv2d<1, 2, 3>,
        flatten: Flatten,
        inner: Inner,
    }
}

fn main() {}

// What a layer of another type produces is written after `->` when a layer
// with a shape follows; a wrong shape fails the constant assertion there.
use constnet::prelude::*;

network! {
    struct Inner<f32> { first: Dense<8, 12> }
}

network! {
    struct Outer<f32> {
        inner: Inner -> [2, 2, 2],
        conv: Conv2d<2, 1, 2>,
    }
}

fn main() {}

// After a layer whose output shape only the compiler knows, a layer with a
// shape asks for that shape to be written.
use constnet::prelude::*;

network! {
    struct Inner<f32> { first: Dense<8, 12> }
}

network! {
    struct Outer<f32> {
        inner: Inner,
        pool: MaxPool2d<2>,
    }
}

fn main() {}

// Written after a built-in layer, `-> [...]` is checked by the macro.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [1, 28, 28],
        conv: Conv2d<1, 6, 5> -> [6, 28, 28],
    }
}

fn main() {}

// A layer with arguments is a field: written bare, it is asked for a name.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [1, 8, 8],
        conv: Conv2d<1, 4, 3>,
        MaxPool2d<2>,
    }
}

fn main() {}

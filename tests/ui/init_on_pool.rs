// A pooling layer has no weights to initialize.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        input: [1, 8, 8],
        conv: Conv2d<1, 4, 3>,
        pool: MaxPool2d<2> = Init::HeNormal,
    }
}

fn main() {}

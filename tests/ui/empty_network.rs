// A network without any layer.
use constnet::prelude::*;

network! {
    struct Empty<f32> {}
}

fn main() {}

// A named layer of an unknown parameterized type is the only error: after a layer
// it cannot read, the macro checks no sizes until the next readable layer, so
// neither `Relu` nor `out` gets a cascade error.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Conv<2, 3>,
        Relu,
        out: Dense<3, 1>,
    }
}

fn main() {}

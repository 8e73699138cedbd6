// A named layer of an unknown parameterized type; the error on `Relu` after it is a cascade.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Conv<2, 3>,
        Relu,
        out: Dense<3, 1>,
    }
}

fn main() {}

// An attribute on an activation, which has no field to carry it.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        #[allow(unused)]
        Relu,
        out: Dense<3, 1>,
    }
}

fn main() {}

// A `#[cfg]` on a named layer: the forward and backward passes always go through it.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        #[cfg(any())]
        extra: Dense<3, 3>,
        out: Dense<3, 1>,
    }
}

fn main() {}

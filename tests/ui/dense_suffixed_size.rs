// A size written with a type suffix other than `usize`.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2u8, 3>,
    }
}

fn main() {}

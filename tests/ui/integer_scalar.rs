// A scalar type that is not `f32` or `f64`.
use constnet::prelude::*;

network! {
    struct Bad<i32> {
        out: Dense<2, 1>,
    }
}

fn main() {}

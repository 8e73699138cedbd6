// A mismatch mid-chain; the second error (`c` against `a`) is a cascade: a failed layer does not pass on its own output size.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        a: Dense<2, 3>,
        b: Dense<4, 5>,
        Relu,
        c: Dense<5, 1>,
    }
}

fn main() {}

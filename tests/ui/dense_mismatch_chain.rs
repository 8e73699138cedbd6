// A mismatch mid-chain is reported once, at `b`: the macro keeps the output size
// of a dense layer whose input did not fit (5 for `b`), so `c` is checked against
// it, fits, and gets no cascade error.
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

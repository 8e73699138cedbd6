// A zero size in the first layer is the only error: after a layer it cannot read,
// the macro checks no sizes until the next readable layer, and `Tanh`, second as
// written, is not reported as coming first.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<0, 3>,
        Tanh,
        out: Dense<3, 1>,
    }
}

fn main() {}

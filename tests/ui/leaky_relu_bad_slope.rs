// `LeakyRelu` given a slope that is not a number.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        LeakyRelu("steep"),
        out: Dense<3, 1>,
    }
}

fn main() {}

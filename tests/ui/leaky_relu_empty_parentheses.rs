// `LeakyRelu()` with empty parentheses: the slope is missing.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Dense<2, 3>,
        LeakyRelu(),
        out: Dense<3, 1>,
    }
}

fn main() {}

// The input's shape comes before every layer.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        hidden: Dense<4, 2>,
        input: [4],
    }
}

fn main() {}

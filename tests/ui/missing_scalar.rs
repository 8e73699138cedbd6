// A network declared without its scalar type.
use constnet::prelude::*;

network! {
    struct Bad {
        out: Dense<2, 1>,
    }
}

fn main() {}

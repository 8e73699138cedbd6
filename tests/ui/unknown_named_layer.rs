// A named layer of a type the macro does not know is a layer of another
// type, which the compiler must find: its error is the only one, with no
// cascade through the layers after it.
use constnet::prelude::*;

network! {
    struct Bad<f32> {
        hidden: Conv<2, 3>,
        Relu,
        out: Dense<3, 1>,
    }
}

fn main() {}

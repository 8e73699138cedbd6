// Two nested networks in a row whose sizes differ: only the compiler knows
// both sizes, so the `const` assertion reports it without numbers.
use constnet::prelude::*;

network! {
    struct Encoder<f32> {
        a: Dense<2, 3>,
    }
}

network! {
    struct Decoder<f32> {
        b: Dense<4, 1>,
    }
}

network! {
    struct Outer<f32> {
        encoder: Encoder,
        Tanh,
        decoder: Decoder,
    }
}

fn main() {}

// A slope given by a constant whose name the macro might have chosen for
// its own constants is still the user's constant.
use constnet::prelude::*;

const LEAKYRELU1_SLOPE: f64 = 0.5;
const LEAKYRELU3_SLOPE: f64 = 0.125;

network! {
    struct Net<f64> {
        a: Dense<1, 1>,
        LeakyRelu(LEAKYRELU1_SLOPE),
        b: Dense<1, 1>,
        LeakyRelu(LEAKYRELU3_SLOPE),
    }
}

fn main() {
    let net: Net = Net { a: Dense::new([[1.0]], [0.0]), b: Dense::new([[1.0]], [0.0]) };
    // −8 · 0.5 = −4, then −4 · 0.125 = −0.5.
    assert_eq!(net.forward(&[-8.0]), [-0.5]);
}

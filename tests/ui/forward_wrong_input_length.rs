// `forward` called with 3 values on a network that takes 2: a type error at the call.
use constnet::prelude::*;

network! {
    struct Net<f32> {
        hidden: Dense<2, 3>,
        Tanh,
        out: Dense<3, 1>,
    }
}

fn main() {
    let net: Net = Net::zeros();
    let _ = net.forward(&[1.0, 2.0, 3.0]);
}

// Layers named `x`, `g` and `input`, like the locals of the generated
// forward and backward passes, which are hygienic: the network computes
// what its layers say.
use constnet::prelude::*;

network! {
    struct Net<f64> {
        x: Dense<2, 2>,
        Relu,
        g: Dense<2, 2>,
        input: Dense<2, 1>,
    }
}

fn main() {
    let net = Net {
        x: Dense::new([[1.0, 0.0], [0.0, -1.0]], [0.0, 0.0]),
        g: Dense::new([[2.0, 0.0], [0.0, 3.0]], [0.5, 0.0]),
        input: Dense::new([[1.0], [1.0]], [0.25]),
    };
    // x: [3, -2] -> [3, 2]; Relu -> [3, 2]; g -> [6.5, 6]; input -> 12.75.
    assert_eq!(net.forward(&[3.0, -2.0]), [12.75]);
    // x: [3, 2] -> [3, -2]; Relu -> [3, 0]; g -> [6.5, 0]; input -> 6.75.
    let (output, trace) = net.forward_trace(&[3.0, 2.0]);
    assert_eq!(output, [6.75]);
    assert_eq!(trace.x, [3.0, 2.0], "the trace of `x` is its input");

    // Backward from 1: d/d(g out) = [1, 1], d/d(relu out) = [2, 3],
    // through the Relu (kept input [3, -2]) = [2, 0], d/dx = W_x [2, 0] = [2, 0].
    let mut grads = NetGrads::zeros();
    let grad_input = net.backward(&trace, &[1.0], &mut grads);
    assert_eq!(grad_input, [2.0, 0.0]);
    assert_eq!(grads.input.weight, [[6.5], [0.0]]);
    assert_eq!(grads.g.bias, [1.0, 1.0]);
    assert_eq!(grads.x.bias, [2.0, 0.0]);
}

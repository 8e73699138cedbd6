// A `pub(crate)` network in a module, used from outside the module.
mod nets {
    use constnet::prelude::*;

    network! {
        pub(crate) struct Line<f64> {
            fit: Dense<1, 1>,
        }
    }
}

use constnet::prelude::*;
use nets::{Line, LineGrads};

fn main() {
    let mut line: Line = Line::zeros();
    line.fit.weight = [[3.0]];
    line.fit.bias = [1.0];
    assert_eq!(line.forward(&[2.0]), [7.0]);
    assert_eq!((Line::<f64>::INPUT, Line::<f64>::OUTPUT, Line::<f64>::PARAMS), (1, 1, 2));
    let mut grads = LineGrads::zeros();
    // Mse of 7 against 5: gradient 2·(7 − 5) = 4 at the output.
    line.loss_and_grad(&[2.0], &[5.0], &Mse, &mut grads);
    assert_eq!((grads.fit.weight, grads.fit.bias), ([[8.0]], [4.0]));
}

// A network declared inside a function body, trained there.
use constnet::prelude::*;

fn main() {
    network! {
        #[derive(Clone, Debug)]
        struct Local<f64> {
            fit: Dense<1, 1>,
            Identity,
        }
    }

    let mut net: Local = Local::zeros();
    let mut grads = LocalGrads::zeros();
    for _ in 0..500 {
        grads.set_zero();
        for x in [-1.0, 0.0, 1.0, 2.0] {
            net.loss_and_grad(&[x], &[2.0 * x - 1.0], &Mse, &mut grads);
        }
        net.sgd_step(&grads, 0.05);
    }
    let [y] = net.forward(&[3.0]);
    assert!((y - 5.0).abs() < 1e-6, "learned y = 2x − 1, predicts {y} at 3");
}

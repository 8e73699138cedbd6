// A layer named with a raw identifier: the field is `r#type`, the tensor
// names read `type.weight` and `type.bias`.
use constnet::prelude::*;

network! {
    struct Net<f64> {
        r#type: Dense<2, 2>,
        Sigmoid,
    }
}

fn main() {
    let weight = Net::<f64>::tensor_info(0).expect("a weight");
    assert_eq!(weight.to_string(), "type.weight");
    assert_eq!(weight.shape, &[2, 2]);
    assert_eq!(Net::<f64>::tensor_info(1).expect("a bias").to_string(), "type.bias");
    assert!(Net::<f64>::tensor_info(2).is_none());

    let mut net: Net = Net::zeros();
    net.r#type.bias = [0.0, 1.0e4];
    assert_eq!(net.forward(&[1.0, 2.0]), [0.5, 1.0]);
    assert_eq!(net.forward_trace(&[1.0, 2.0]).1.r#type, [1.0, 2.0]);
}

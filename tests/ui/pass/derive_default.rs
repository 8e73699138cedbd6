// `#[derive(Default)]` on a network: the macro then generates no `Default`
// of its own, and the derived one gives all zeros.
use constnet::prelude::*;

network! {
    #[derive(Default, Debug, PartialEq)]
    struct Net<f32> {
        hidden: Dense<2, 3>,
        Tanh,
        out: Dense<3, 1>,
    }
}

fn main() {
    let net: Net = Net::default();
    let mut index = 0;
    while let Some(tensor) = net.tensor(index) {
        assert!(tensor.iter().all(|&w| w == 0.0), "tensor {index}: {tensor:?}");
        index += 1;
    }
    assert_eq!(index, 4, "two tensors per dense layer");
    assert_eq!(net, Net::zeros());
    // Every weight zero: the output is the output bias, 0.
    assert_eq!(net.forward(&[1.0, -2.0]), [0.0]);
}

// `LeakyRelu` slopes: an integer literal, a negative one, a named constant,
// and none (0.01). Each network passes its input through an identity dense
// layer, so the output is the activation of the input.
use constnet::prelude::*;

const SLOPE: f64 = 0.25;

network! {
    struct IntegerSlope<f64> { id: Dense<1, 1>, LeakyRelu(1) }
}

network! {
    struct NegativeSlope<f64> { id: Dense<1, 1>, LeakyRelu(-0.5) }
}

network! {
    struct NegativeIntegerSlope<f64> { id: Dense<1, 1>, LeakyRelu(-2) }
}

network! {
    struct NamedSlope<f64> { id: Dense<1, 1>, LeakyRelu(SLOPE) }
}

network! {
    struct BareSlope<f64> { id: Dense<1, 1>, LeakyRelu }
}

network! {
    struct BareSlope32<f32> { id: Dense<1, 1>, LeakyRelu }
}

network! {
    // Two slopes in one network, each with its own constant.
    struct TwoSlopes<f64> { a: Dense<1, 1>, LeakyRelu(0.5), b: Dense<1, 1>, LeakyRelu(0.25) }
}

const IDENTITY: Dense<f64, 1, 1> = Dense::new([[1.0]], [0.0]);

fn main() {
    let net = IntegerSlope { id: IDENTITY };
    assert_eq!(net.forward(&[-3.0]), [-3.0], "slope 1: the identity on negatives");
    assert_eq!(net.forward(&[2.0]), [2.0]);

    let net = NegativeSlope { id: IDENTITY };
    assert_eq!(net.forward(&[-2.0]), [1.0], "-0.5 · -2");
    assert_eq!(net.forward(&[2.0]), [2.0]);

    let net = NegativeIntegerSlope { id: IDENTITY };
    assert_eq!(net.forward(&[-1.5]), [3.0], "-2 · -1.5");

    let net = NamedSlope { id: IDENTITY };
    assert_eq!(net.forward(&[-4.0]), [-1.0], "0.25 · -4");

    let net = BareSlope { id: IDENTITY };
    assert_eq!(net.forward(&[-1.0]), [-0.01]);
    assert_eq!(net.forward(&[1.0]), [1.0]);
    // The backward pass uses the same slope.
    let (_, trace) = net.forward_trace(&[-1.0]);
    let mut grads = BareSlopeGrads::zeros();
    assert_eq!(net.backward(&trace, &[1.0], &mut grads), [0.01]);

    let net = BareSlope32 { id: Dense::new([[1.0]], [0.0]) };
    assert_eq!(net.forward(&[-1.0f32]), [-0.01f32]);

    // -8 · 0.5 = -4, then -4 · 0.25 = -1.
    let net = TwoSlopes { a: IDENTITY, b: IDENTITY };
    assert_eq!(net.forward(&[-8.0]), [-1.0]);
}

//! Memory as constants, and the summary table.

use constnet::prelude::*;

network! {
    /// The sine network of the firmware example.
    pub struct Sine<f32> { hidden: Dense<1, 16>, Relu, middle: Dense<16, 16>, Relu, out: Dense<16, 1> }
}

network! {
    pub struct Encoder<f64> { hidden: Dense<3, 4>, Tanh, code: Dense<4, 2> }
}

network! {
    pub struct Classifier<f64> { encoder: Encoder, LeakyRelu(0.1), head: Dense<2, 3>, Softmax }
}

#[test]
fn parameters_cost_their_scalars_and_nothing_more() {
    // 1·16 + 16, 16·16 + 16, 16·1 + 1 scalars of 4 bytes.
    let scalars = (16 + 16) + (256 + 16) + (16 + 1);
    assert_eq!(Sine::<f32>::PARAM_BYTES, scalars * 4);
    assert_eq!(Sine::<f64>::PARAM_BYTES, scalars * 8);
    assert_eq!(Sine::<f32>::GRAD_BYTES, Sine::<f32>::PARAM_BYTES);
    assert_eq!(<Dense<f32, 3, 5> as Memory<f32>>::PARAM_BYTES, (15 + 5) * 4);
}

#[test]
fn the_trace_keeps_each_layer_input_once() {
    // Dense keeps its input (1, 16, 16 values); ReLU keeps its input (16, 16).
    assert_eq!(Sine::<f32>::TRACE_BYTES, (1 + 16 + 16 + 16 + 16) * 4);
    // Encoder: 3 + 4 (tanh output) + 4; then 2 (leaky input), 2 (head input), 3 (softmax output).
    assert_eq!(Classifier::<f64>::TRACE_BYTES, (3 + 4 + 4 + 2 + 2 + 3) * 8);
}

#[test]
fn optimizer_state_is_shaped_like_the_parameters() {
    // Momentum: a velocity, the learning rate and momentum, and the Nesterov
    // flag, padded to the alignment of f32.
    assert_eq!(Sine::<f32>::MOMENTUM_BYTES, 1284 + 2 * 4 + 4);
    // Adam: two moments, five hyperparameters and an i32 step count.
    assert_eq!(Sine::<f32>::ADAM_BYTES, 2 * 1284 + 5 * 4 + 4);
    assert_eq!(Sine::<f64>::ADAM_BYTES, 2 * 2568 + 5 * 8 + 8);
}

// A budget is checked when the program compiles: this file would not build
// if the constants could not be used in a `const` assertion.
const _: () = assert!(Sine::<f32>::PARAM_BYTES + Sine::<f32>::TRACE_BYTES <= 2048);

#[test]
fn summary_lists_every_layer() {
    let expected = "\
Sine<f32>
Layer (type)     Output shape   Params    Bytes
───────────────────────────────────────────────
hidden (Dense)   [16]               32      128
(Relu)           [16]                0        0
middle (Dense)   [16]              272     1088
(Relu)           [16]                0        0
out (Dense)      [1]                17       68
───────────────────────────────────────────────
Parameters: 321 (1284 bytes)
Training step: gradients 1284 bytes, trace 260 bytes
Optimizer state: momentum 1296 bytes, Adam 2592 bytes
";
    assert_eq!(Sine::<f32>::zeros().summary().to_string(), expected);
}

#[test]
fn summary_shows_a_nested_network_as_one_layer() {
    let table = Classifier::<f64>::zeros().summary().to_string();
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows[0], "Classifier<f64>");
    assert_eq!(rows[3], "encoder (Encoder)   [2]                26      208");
    assert_eq!(rows[4], "(LeakyRelu)         [2]                 0        0");
    assert_eq!(rows[5], "head (Dense)        [3]                 9       72");
    assert_eq!(rows[6], "(Softmax)           [3]                 0        0");
}

network! {
    struct Keyword<f32> { r#type: Dense<2, 3>, Relu, out: Dense<3, 1> }
}

#[test]
fn summary_names_a_raw_identifier_as_its_tensors_do() {
    let table = Keyword::<f32>::zeros().summary().to_string();
    assert_eq!(Keyword::<f32>::tensor_info(0).unwrap().to_string(), "type.weight");
    assert!(table.contains("type (Dense)") && !table.contains("r#"), "{table}");
}

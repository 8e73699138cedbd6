//! The worked backpropagation example of the classroom notebooks (a dense
//! layer and a ReLU, by hand and in NumPy), reproduced number for number.
//! Expected values are those the notebook prints.

use constnet::prelude::*;

fn assert_close(found: &[f64], expected: &[f64], tolerance: f64) {
    assert_eq!(found.len(), expected.len());
    for (i, (f, e)) in found.iter().zip(expected).enumerate() {
        assert!(
            (f - e).abs() <= tolerance,
            "element {i}: expected {e}, found {f} (all: {found:?})"
        );
    }
}

network! {
    /// One neuron with three inputs and a ReLU.
    struct Neuron<f64> { neuron: Dense<3, 1>, Relu }
}

#[test]
fn a_single_neuron_by_the_chain_rule() {
    let mut net: Neuron = Neuron { neuron: Dense::new([[-3.0], [-1.0], [2.0]], [1.0]) };
    let x = [1.0, -2.0, 3.0];

    let (y, trace) = net.forward_trace(&x);
    assert_eq!(y, [6.0]);

    let mut grads = NeuronGrads::zeros();
    let dx = net.backward(&trace, &[1.0], &mut grads);
    assert_eq!(dx, [-3.0, -1.0, 2.0]);
    assert_eq!(grads.neuron.weight, [[1.0], [-2.0], [3.0]]);
    assert_eq!(grads.neuron.bias, [1.0]);

    net.sgd_step(&grads, 0.001);
    assert_close(net.neuron.weight.as_flattened(), &[-3.001, -0.998, 1.997], 1e-12);
    assert_close(&net.neuron.bias, &[0.999], 1e-12);
}

/// The notebook keeps weights as a (inputs × neurons) matrix, our layout.
const WEIGHTS: [[f64; 3]; 4] =
    [[0.2, 0.5, -0.26], [0.8, -0.91, -0.27], [-0.5, 0.26, 0.17], [1.0, -0.5, 0.87]];
const BIASES: [f64; 3] = [2.0, 3.0, 0.5];
const INPUTS: [[f64; 4]; 3] = [[1.0, 2.0, 3.0, 2.5], [2.0, 5.0, -1.0, 2.0], [-1.5, 2.7, 3.3, -0.8]];
const DVALUES: [[f64; 3]; 3] = [[1.0; 3], [2.0; 3], [3.0; 3]];

#[test]
fn gradients_of_a_dense_layer_over_three_samples() {
    let layer = Dense::<f64, 4, 3>::new(WEIGHTS, BIASES);
    let mut grads = Dense::zeros();
    for (k, (input, dvalues)) in INPUTS.iter().zip(&DVALUES).enumerate() {
        let (_, trace) = layer.forward_trace(input);
        let dinputs = layer.backward(&trace, dvalues, &mut grads);
        // dinputs = dvalues · Wᵀ: the first row printed, times the sample's scale.
        let scale = (k + 1) as f64;
        assert_close(&dinputs, &[0.44, -0.38, -0.07, 1.37].map(|d| d * scale), 1e-12);
    }
    // dweights = inputsᵀ · dvalues, dbiases = column sums of dvalues.
    let expected = [[0.5; 3], [20.1; 3], [10.9; 3], [4.1; 3]];
    assert_close(grads.weight.as_flattened(), expected.as_flattened(), 1e-12);
    assert_close(&grads.bias, &[6.0, 6.0, 6.0], 1e-12);
}

#[test]
fn relu_passes_gradients_where_its_input_was_positive() {
    let z = [[1.0, 2.0, -3.0, -4.0], [2.0, -7.0, -1.0, 3.0], [-1.0, 2.0, 5.0, -1.0]];
    let dvalues = [[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]];
    let expected = [[1.0, 2.0, 0.0, 0.0], [5.0, 0.0, 0.0, 8.0], [0.0, 10.0, 11.0, 0.0]];
    for ((z, dvalues), expected) in z.iter().zip(&dvalues).zip(&expected) {
        let (_, kept) = Relu.forward_trace(z);
        assert_eq!(Relu.backward(&kept, dvalues), *expected);
    }
}

network! {
    struct DenseRelu<f64> { layer: Dense<4, 3>, Relu }
}

#[test]
fn dense_and_relu_together_then_one_sgd_step() {
    let mut net: DenseRelu = DenseRelu { layer: Dense::new(WEIGHTS, BIASES) };
    let mut grads = DenseReluGrads::zeros();
    for input in &INPUTS {
        let (relu_outputs, trace) = net.forward_trace(input);
        // The notebook feeds the ReLU outputs back as the upstream gradient.
        net.backward(&trace, &relu_outputs, &mut grads);
    }
    net.sgd_step(&grads, 0.001);

    let expected_weights = [
        [0.179515, 0.5003665, -0.262746],
        [0.742093, -0.9152577, -0.2758402],
        [-0.510153, 0.2529017, 0.1629592],
        [0.971328, -0.5021842, 0.8636583],
    ];
    for (found, expected) in net.layer.weight.iter().zip(&expected_weights) {
        assert_close(found, expected, 5e-8);
    }
    assert_close(&net.layer.bias, &[1.98489, 2.997739, 0.497389], 5e-8);
}

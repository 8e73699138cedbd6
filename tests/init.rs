//! Initializers: the distribution of every one, determinism for a seed,
//! the choice written in `network!`, the run-time override, and the
//! symmetry problem of all-zero weights.

use constnet::prelude::*;
use rand::rngs::SmallRng;

const IN: usize = 200;
const OUT: usize = 300;

/// The weights of a `IN × OUT` layer drawn by `init`.
fn draw(init: Init) -> Vec<f64> {
    let layer = Dense::<f64, IN, OUT>::random(&mut SmallRng::seed_from_u64(11), init);
    assert_eq!(layer.bias, [0.0; OUT], "{init:?} leaves the biases at zero");
    layer.weight.as_flattened().to_vec()
}

fn mean_and_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, variance.sqrt())
}

/// 60 000 draws: the sample mean is within 4 standard errors of the
/// distribution's, and the sample deviation within 2%.
fn assert_distribution(init: Init, mean: f64, std: f64) {
    let (found_mean, found_std) = mean_and_std(&draw(init));
    let standard_error = std / ((IN * OUT) as f64).sqrt();
    assert!((found_mean - mean).abs() < 4.0 * standard_error, "{init:?}: mean {found_mean}");
    assert!((found_std / std - 1.0).abs() < 0.02, "{init:?}: std {found_std}, expected {std}");
}

/// Uniform in `[low, high)`: every draw inside, both ends approached, and
/// the uniform's mean and deviation.
fn assert_uniform(init: Init, low: f64, high: f64) {
    let weights = draw(init);
    assert!(weights.iter().all(|&w| low <= w && w < high), "{init:?} leaves [{low}, {high})");
    let margin = (high - low) * 1e-3;
    assert!(
        weights.iter().any(|&w| w < low + margin) && weights.iter().any(|&w| w > high - margin)
    );
    assert_distribution(init, (low + high) / 2.0, (high - low) / 12f64.sqrt());
}

#[test]
fn zeros_and_constant() {
    assert!(draw(Init::Zeros).iter().all(|&w| w == 0.0));
    assert!(draw(Init::Constant(-0.75)).iter().all(|&w| w == -0.75));
}

#[test]
fn uniform_and_normal() {
    assert_uniform(Init::Uniform { low: -0.2, high: 0.6 }, -0.2, 0.6);
    assert_distribution(Init::Normal { mean: 1.5, std: 0.3 }, 1.5, 0.3);
}

#[test]
fn small_normal_of_the_classroom() {
    assert_distribution(Init::SmallNormal, 0.0, 0.01);
}

#[test]
fn xavier() {
    let fans = (IN + OUT) as f64;
    let limit = (6.0 / fans).sqrt();
    assert_uniform(Init::XavierUniform, -limit, limit);
    assert_distribution(Init::XavierNormal, 0.0, (2.0 / fans).sqrt());
}

#[test]
fn he() {
    let limit = (6.0 / IN as f64).sqrt();
    assert_uniform(Init::HeUniform, -limit, limit);
    assert_distribution(Init::HeNormal, 0.0, (2.0 / IN as f64).sqrt());
}

network! {
    /// Initializers written in the declaration, and the defaults.
    struct Chosen<f64> {
        constant: Dense<3, 4> = Init::Constant(0.25),
        Tanh,
        he_by_default: Dense<4, 64>,
        Relu,
        normal: Dense<64, 2> = Init::Normal { mean: 5.0, std: 0.0 },
        Sigmoid,
    }
}

#[test]
fn written_initializers_are_used_and_the_rest_follow_the_activation() {
    let net: Chosen = Chosen::random(&mut SmallRng::seed_from_u64(3));
    assert_eq!(net.constant.weight, [[0.25; 4]; 3]);
    assert_eq!(net.normal.weight, [[5.0; 2]; 64]);
    // He uniform for 4 inputs: limit √(6/4) ≈ 1.22, beyond Xavier's √(6/68) ≈ 0.30.
    let weights = net.he_by_default.weight.as_flattened();
    assert!(weights.iter().all(|w| w.abs() < (6.0f64 / 4.0).sqrt()));
    assert!(weights.iter().any(|w| w.abs() > 1.0));
}

#[test]
fn the_same_seed_gives_the_same_network_and_another_seed_another() {
    let from = |seed| Chosen::<f64>::random(&mut SmallRng::seed_from_u64(seed));
    assert_eq!(from(9).he_by_default.weight, from(9).he_by_default.weight);
    assert_ne!(from(9).he_by_default.weight, from(10).he_by_default.weight);
}

#[test]
fn initialize_overrides_every_layer_at_run_time() {
    let mut net: Chosen = Chosen::random(&mut SmallRng::seed_from_u64(3));
    net.normal.bias = [1.0, 2.0];
    Init::HeNormal.initialize(&mut net, &mut SmallRng::seed_from_u64(4));
    assert_ne!(net.constant.weight, [[0.25; 4]; 3], "the written initializer is overridden");
    assert_eq!(net.normal.bias, [0.0; 2], "biases start at zero again");
    // Each layer gets the fans of its own shape: std √(2/3) against √(2/64).
    let (_, wide) = mean_and_std(net.constant.weight.as_flattened());
    let (_, narrow) = mean_and_std(net.normal.weight.as_flattened());
    assert!(wide > 3.0 * narrow, "{wide} vs {narrow}");
}

network! {
    struct Convolutional<f64> {
        input: [3, 16, 16],
        conv: Conv2d<3, 8, 5>,
        Relu,
        depthwise: DepthwiseConv2d<8, 3>,
        Tanh,
    }
}

/// The largest magnitude of a tensor, which uniform initializers bound.
fn largest(values: &[f64]) -> f64 {
    values.iter().map(|v| v.abs()).reduce(f64::max).expect("values")
}

/// Convolutions draw with PyTorch's fans: `in · kernel` in, `out · kernel`
/// out, from `random` and from `initialize` alike.
#[test]
fn convolutions_have_pytorch_fans() {
    let net: Convolutional = Convolutional::random(&mut SmallRng::seed_from_u64(5));
    let he = |fan_in: f64| (6.0 / fan_in).sqrt();
    let xavier = |fan_in: f64, fan_out: f64| (6.0 / (fan_in + fan_out)).sqrt();
    let conv = largest(net.conv.weight.as_flattened().as_flattened().as_flattened());
    let depthwise = largest(net.depthwise.weight.as_flattened().as_flattened());
    // He uniform before Relu: fan in 3·5·5. Xavier before Tanh: 1·3·3 in, 8·3·3 out.
    assert!((0.95 * he(75.0)..=he(75.0)).contains(&conv), "{conv}");
    let limit = xavier(9.0, 72.0);
    assert!((0.9 * limit..=limit).contains(&depthwise), "{depthwise}");

    let mut again = Convolutional::random(&mut SmallRng::seed_from_u64(5));
    Init::HeUniform.initialize(&mut again, &mut SmallRng::seed_from_u64(6));
    let depthwise = largest(again.depthwise.weight.as_flattened().as_flattened());
    assert!((0.9 * he(9.0)..=he(9.0)).contains(&depthwise), "{depthwise}");
    assert_ne!(again.conv.weight, net.conv.weight);

    // Both fans of the 600 weights at once: 3·5·5 in, 8·5·5 out.
    Init::XavierUniform.initialize(&mut again, &mut SmallRng::seed_from_u64(7));
    let conv = largest(again.conv.weight.as_flattened().as_flattened().as_flattened());
    let limit = xavier(75.0, 200.0);
    assert!((0.95 * limit..=limit).contains(&conv), "{conv}");
}

/// `Init::sample` draws one weight as `fill` draws each.
#[test]
fn a_sample_is_what_a_weight_gets() {
    let inits = [
        Init::Constant(0.5),
        Init::Uniform { low: 2.0, high: 3.0 },
        Init::SmallNormal,
        Init::XavierUniform,
        Init::HeNormal,
    ];
    for init in inits {
        let mut weights = [0.0; 3];
        init.fill(&mut weights, 4, 5, &mut SmallRng::seed_from_u64(8));
        let mut rng = SmallRng::seed_from_u64(8);
        assert_eq!([(); 3].map(|()| init.sample(4, 5, &mut rng)), weights, "{init:?}");
    }
}

network! {
    /// The network of the classroom's XOR lesson: 2-10-1, sigmoids.
    #[derive(Clone)]
    struct ZeroStart<f64> {
        hidden: Dense<2, 10> = Init::Zeros,
        Sigmoid,
        out: Dense<10, 1> = Init::Zeros,
        Sigmoid,
    }
}

const XOR: [([f64; 2], [f64; 1]); 4] =
    [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])];

/// Online SGD, one sample at a time, as in the lesson; the parameters after
/// each epoch.
fn train_online(mut net: ZeroStart, epochs: usize) -> Vec<ZeroStart> {
    let mut sgd = Sgd::new(1.0);
    (0..epochs)
        .map(|_| {
            for (input, target) in &XOR {
                let mut grads = ZeroStartGrads::zeros();
                net.loss_and_grad(input, target, &Mse, &mut grads);
                sgd.step(&mut net, &grads);
            }
            net.clone()
        })
        .collect()
}

/// Whether hidden unit `j` has the same incoming weights, bias and outgoing
/// weight as unit 0.
fn same_unit(net: &ZeroStart, j: usize) -> bool {
    net.hidden.weight.iter().all(|row| row[j] == row[0])
        && net.hidden.bias[j] == net.hidden.bias[0]
        && net.out.weight[j] == net.out.weight[0]
}

#[test]
fn with_all_zero_weights_the_hidden_units_stay_identical() {
    let history = train_online(ZeroStart::random(&mut SmallRng::seed_from_u64(0)), 200);
    for (epoch, net) in history.iter().enumerate() {
        assert!((1..10).all(|j| same_unit(net, j)), "units differ after epoch {epoch}");
    }
    let last = history.last().unwrap();
    assert!(last.out.weight[0][0] != 0.0, "the weights move, but all alike");
    // Ten identical units are one unit: XOR is out of reach.
    let correct = XOR.iter().filter(|(x, y)| (last.forward(x)[0] > 0.5) == (y[0] > 0.5)).count();
    assert!(correct < 4);
}

#[test]
fn random_weights_break_the_symmetry() {
    let mut net = ZeroStart::zeros();
    Init::XavierNormal.initialize(&mut net, &mut SmallRng::seed_from_u64(0));
    let last = train_online(net, 200).pop().unwrap();
    assert!((1..10).all(|j| !same_unit(&last, j)));
}

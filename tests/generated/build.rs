//! Draws the architectures that `tests/gradients.rs` checks, and writes them
//! into `OUT_DIR/architectures.rs` as one invocation of its `generated!`
//! macro:
//!
//! ```text
//! generated! {
//!     seed 0x...;
//!     G000 (seed 0x..., params 44) { l1: Dense<3, 7>, Tanh, l2: Dense<7, 2>, Softmax } with CrossEntropy;
//!     ...
//!     G002 (seed 0x..., params 34) { input: [2, 6, 5], l1: Conv2d<2, 3, (1, 2), padding = same>,
//!         LeakyRelu(0.250), l2: MaxPool2d<2>, l3: Flatten, l4: Dense<18, 1> } with BinaryCrossEntropyWithLogits;
//!     ...
//! }
//! ```
//!
//! `CONSTNET_GENERATED_SEED` (decimal, or hexadecimal after `0x`) and
//! `CONSTNET_GENERATED_COUNT` replace the default seed and count.
//!
//! A network is a chain of layers, each drawn from `KINDS`: a table with one
//! entry per kind of layer, which writes a layer of its kind after a given
//! one, with the shape it produces, or declines where it does not fit.
//! Between the layers with parameters go activations, and the chain ends
//! with a dense layer and what the loss needs after it. Every third network
//! is convolutional: on an input `[C, H, W]` or `[C, L]`, convolutions, each
//! mostly followed by an activation and half the time by a pooling, then a
//! `Flatten` or a `GlobalAvgPool`, then dense layers as in the others.

use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::{env, fs};

use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

const DEFAULT_SEED: u64 = 0xc057_0e75_2a7c_41e5;
const DEFAULT_COUNT: usize = 150;

/// One architecture in this many is convolutional, the others dense.
const CONVOLUTIONAL_EVERY: usize = 3;
/// Dense layers per network, nested networks not counted: of a dense
/// network, and after the convolutions of a convolutional one.
const DEPTH: RangeInclusive<usize> = 1..=8;
const DEPTH_AFTER_CONVOLUTIONS: RangeInclusive<usize> = 1..=3;
/// Convolutions per convolutional network, and their output channels.
const CONVOLUTIONS: RangeInclusive<usize> = 1..=3;
const CHANNELS: RangeInclusive<usize> = 1..=4;
/// The input of a convolutional network: its channels, and its height and
/// width (`[C, H, W]`) or its length (`[C, L]`). Small, for a check also
/// takes two forward passes per input scalar.
const INPUT_CHANNELS: RangeInclusive<usize> = 1..=3;
const INPUT_SIDE: RangeInclusive<usize> = 3..=10;
const INPUT_LENGTH: RangeInclusive<usize> = 4..=16;
/// The largest kernel or pooling window along an axis.
const LARGEST_WINDOW: usize = 3;
/// A network with more parameters is drawn again.
const MAX_PARAMS: usize = 500;
/// A network whose check would take more multiplications is drawn again. A
/// check takes two forward passes per derivative (each parameter and each
/// input scalar): for a dense network about twice the square of its
/// parameter count, at most about 540,000; a convolution uses each weight
/// at every position, so it costs more per parameter.
const MAX_CHECK_WORK: usize = 1_000_000;
/// Which earlier networks can be a layer of a later one: small ones, and
/// not nested deeper than two levels once inside.
const MAX_NESTED_PARAMS: usize = 300;
const MAX_NESTING: usize = 2;

fn main() {
    let seed = variable(
        "CONSTNET_GENERATED_SEED",
        DEFAULT_SEED,
        "a seed: a u64, decimal or 0x...",
        |text| match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16).ok(),
            None => text.replace('_', "").parse().ok(),
        },
    );
    let count = variable(
        "CONSTNET_GENERATED_COUNT",
        DEFAULT_COUNT,
        "a number of architectures, at least 1",
        |text| text.parse().ok().filter(|&count| count > 0),
    );

    // Not `SmallRng`, whose algorithm may differ between platforms: a seed
    // names the same architectures on every host.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut architectures = Vec::with_capacity(count);
    for index in 0..count {
        let architecture = Architecture::draw(index, &mut rng, &architectures);
        architectures.push(architecture);
    }

    let path =
        PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("architectures.rs");
    fs::write(&path, source(seed, &architectures))
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
}

/// The environment variable `name` read by `parse`, or `default` if unset.
fn variable<T>(name: &str, default: T, expected: &str, parse: impl Fn(&str) -> Option<T>) -> T {
    println!("cargo::rerun-if-env-changed={name}");
    match env::var(name) {
        Err(env::VarError::NotPresent) => default,
        Ok(text) => parse(text.trim())
            .unwrap_or_else(|| panic!("{name}: expected {expected}, found {text:?}")),
        Err(env::VarError::NotUnicode(text)) => {
            panic!("{name}: expected {expected}, found {text:?}")
        }
    }
}

/// What a layer takes or produces: `[n]` for a vector of `n` scalars,
/// `[C, L]` or `[C, H, W]` for channels of a line or a plane.
type Shape = Vec<usize>;

/// What the output of a layer may hold exactly, and so what layers cannot
/// follow it: their kink would lie under every point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Exact {
    /// No two values equal, none zero, but by chance.
    Distinct,
    /// Equal values (a convolution over zeros gives its bias everywhere,
    /// overlapping windows share their maximum), or values squeezed
    /// together (by a saturated activation, a small leaky slope): a max
    /// pooling's kink, when two meet in one window.
    Ties,
    /// Zeros where a ReLU cut values off, and so ties: a ReLU's kink. A
    /// window of zeros alone would be rare only if values were cut off
    /// about half the time, but a bias tips that easily (seen: most points
    /// of a small convolution, ReLU and max pooling refused).
    Zeros,
}

/// What comes in after `previous` holds exactly: nothing at the front,
/// where the input is drawn at random.
fn exact(previous: Option<&Layer>) -> Exact {
    previous.map_or(Exact::Distinct, |layer| layer.exact)
}

/// One layer of a generated network.
struct Layer {
    /// As written in `network!`: the type of a named layer
    /// (`Dense<3, 4> = Init::HeNormal`, `MaxPool2d<2>`, `G012`), or the
    /// whole activation.
    syntax: String,
    /// Whether it is a field of the network, written with a name.
    named: bool,
    input: Shape,
    output: Shape,
    params: usize,
    /// Multiplications in a forward pass.
    work: usize,
    /// Dense layers it counts for in the depth: 1 for a dense layer.
    dense: usize,
    /// Networks nested in it: 1 and more for a nested network.
    nesting: usize,
    exact: Exact,
}

impl Layer {
    /// An activation after `previous`, which keeps its shape.
    fn elementwise(syntax: impl Into<String>, previous: &Layer, exact: Exact) -> Self {
        Self {
            syntax: syntax.into(),
            named: false,
            input: previous.output.clone(),
            output: previous.output.clone(),
            params: 0,
            work: previous.output.iter().product(),
            dense: 0,
            nesting: 0,
            exact,
        }
    }

    /// A named layer without parameters: a pooling, a flatten.
    fn parameterless(
        syntax: String,
        input: Shape,
        output: Shape,
        work: usize,
        exact: Exact,
    ) -> Self {
        Self { syntax, named: true, input, output, params: 0, work, dense: 0, nesting: 0, exact }
    }
}

/// Where the chain places a layer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    /// Where it needs parameters.
    Parametric,
    /// After a layer with parameters.
    Activation,
    /// After a convolution and its activation, half the time.
    Pooling,
    /// After the convolutions: from channels to a vector.
    Reduction,
}

/// A kind of layer, as one entry of `KINDS`.
struct Kind {
    role: Role,
    /// Relative frequency among the kinds of its role that fit.
    weight: u32,
    /// The layer to place after `previous` (`None` at the front of the
    /// network, where the layer takes the network's input), or `None` where
    /// this kind cannot be.
    draw: fn(&mut Context<'_>, Option<&Layer>) -> Option<Layer>,
}

/// Every kind of layer the generator writes.
const KINDS: &[Kind] = &[
    Kind { role: Role::Parametric, weight: 12, draw: dense },
    Kind { role: Role::Parametric, weight: 4, draw: nested },
    Kind {
        role: Role::Parametric,
        weight: 3,
        draw: |context, previous| convolution(context, previous, Convolution::Conv2d),
    },
    Kind {
        role: Role::Parametric,
        weight: 1,
        draw: |context, previous| convolution(context, previous, Convolution::DepthwiseConv2d),
    },
    Kind {
        role: Role::Parametric,
        weight: 1,
        draw: |context, previous| convolution(context, previous, Convolution::Conv1d),
    },
    Kind {
        role: Role::Pooling,
        weight: 4,
        draw: |context, previous| pooling(context, previous, Pool::Max, 2),
    },
    Kind {
        role: Role::Pooling,
        weight: 1,
        draw: |context, previous| pooling(context, previous, Pool::Avg, 2),
    },
    Kind {
        role: Role::Pooling,
        weight: 4,
        draw: |context, previous| pooling(context, previous, Pool::Max, 1),
    },
    Kind {
        role: Role::Pooling,
        weight: 1,
        draw: |context, previous| pooling(context, previous, Pool::Avg, 1),
    },
    Kind { role: Role::Reduction, weight: 1, draw: flatten },
    Kind { role: Role::Reduction, weight: 1, draw: global_avg_pool },
    Kind {
        role: Role::Activation,
        weight: 1,
        draw: |_, previous| Some(Layer::elementwise("Identity", previous?, previous?.exact)),
    },
    Kind {
        role: Role::Activation,
        weight: 1,
        draw: |_, previous| saturating("Sigmoid", previous?, Exact::Ties),
    },
    Kind {
        role: Role::Activation,
        weight: 1,
        draw: |_, previous| saturating("Tanh", previous?, previous?.exact.max(Exact::Ties)),
    },
    Kind { role: Role::Activation, weight: 1, draw: relu },
    Kind { role: Role::Activation, weight: 1, draw: relu6 },
    Kind { role: Role::Activation, weight: 1, draw: leaky_relu },
    Kind { role: Role::Activation, weight: 1, draw: softmax },
];

/// `Dense<IN, OUT>` on a vector, or at the front of a dense network with an
/// input width drawn.
fn dense(context: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let inputs = match context.incoming(previous).as_deref() {
        None => context.width(),
        Some(&[width]) => width,
        Some(_) => return None,
    };
    let outputs = context.width();
    Some(dense_layer(context, inputs, outputs))
}

/// `Dense<inputs, outputs>`, one time in four with an initializer.
fn dense_layer(context: &mut Context<'_>, inputs: usize, outputs: usize) -> Layer {
    Layer {
        syntax: format!("Dense<{inputs}, {outputs}>{}", initializer(context.rng)),
        named: true,
        input: vec![inputs],
        output: vec![outputs],
        params: inputs * outputs + outputs,
        work: inputs * outputs,
        dense: 1,
        nesting: 0,
        exact: Exact::Distinct,
    }
}

/// ` = Init::...` one time in four, or nothing.
fn initializer(rng: &mut Xoshiro256PlusPlus) -> String {
    if rng.random_ratio(1, 4) {
        let init = INITS.choose(rng).expect("initializers");
        format!(" = Init::{}", init(rng))
    } else {
        String::new()
    }
}

/// Every initializer of `Init`, with arguments drawn where it takes some,
/// small enough that the layers after it stay in a checkable range.
const INITS: &[fn(&mut Xoshiro256PlusPlus) -> String] = &[
    |_| "Zeros".into(),
    |rng| format!("Constant({:.3})", rng.random_range(-0.5..0.5)),
    |rng| {
        let low: f64 = rng.random_range(-1.0..0.0);
        format!("Uniform {{ low: {low:.3}, high: {:.3} }}", rng.random_range(0.1..1.0))
    },
    |rng| {
        let mean: f64 = rng.random_range(-0.2..0.2);
        format!("Normal {{ mean: {mean:.3}, std: {:.3} }}", rng.random_range(0.05..0.5))
    },
    |_| "SmallNormal".into(),
    |_| "XavierUniform".into(),
    |_| "XavierNormal".into(),
    |_| "HeUniform".into(),
    |_| "HeNormal".into(),
];

/// An earlier network that takes the output of `previous` as a layer, or
/// any at the front of a dense network.
fn nested(context: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let inner = match context.incoming(previous) {
        None => context.nestable(|_| true)?,
        Some(shape) if shape.len() == 1 => context.nestable(|input| *input == shape)?,
        Some(_) => return None,
    };
    Some(Layer {
        syntax: inner.name.clone(),
        named: true,
        input: inner.input.clone(),
        output: vec![inner.output],
        params: inner.params,
        work: inner.work,
        dense: 0,
        nesting: inner.nesting + 1,
        exact: inner.layers.last().map_or(Exact::Distinct, |last| last.exact),
    })
}

/// A kind of convolution, named as `network!` names it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Convolution {
    Conv2d,
    DepthwiseConv2d,
    Conv1d,
}

/// `Conv2d<IN, OUT, KERNEL, stride = .., padding = ..>` on `[C, H, W]`, and
/// the others, one time in four with an initializer.
fn convolution(
    context: &mut Context<'_>,
    previous: Option<&Layer>,
    convolution: Convolution,
) -> Option<Layer> {
    let input = context.incoming(previous)?;
    let axes = if convolution == Convolution::Conv1d { 1 } else { 2 };
    let (&channels, sizes) = input.split_first().filter(|(_, sizes)| sizes.len() == axes)?;
    let window = Window::convolution(context.rng, sizes);
    let (channels_written, outputs, weights) = match convolution {
        Convolution::DepthwiseConv2d => (channels.to_string(), channels, channels * window.area()),
        Convolution::Conv2d | Convolution::Conv1d => {
            let outputs = context.rng.random_range(CHANNELS);
            (format!("{channels}, {outputs}"), outputs, outputs * channels * window.area())
        }
    };
    let init = initializer(context.rng);
    // Over equal windows (zeros of a ReLU, or ties), or with weights all
    // zero, every output is its channel's bias.
    let exact = match exact(previous) {
        Exact::Distinct if !init.ends_with("Zeros") => Exact::Distinct,
        _ => Exact::Ties,
    };
    let positions: usize = window.output.iter().product();
    Some(Layer {
        syntax: format!("{convolution:?}<{channels_written}, {}>{init}", window.arguments),
        named: true,
        input,
        output: [vec![outputs], window.output].concat(),
        params: weights + outputs,
        work: weights * positions,
        dense: 0,
        nesting: 0,
        exact,
    })
}

/// What a pooling keeps of each window.
#[derive(Clone, Copy, Debug)]
enum Pool {
    Max,
    Avg,
}

/// `MaxPool2d<WINDOW, stride = ..>` and the others, on channels of `axes`
/// dimensions; a max pooling not on ties (nor zeros), its kink.
fn pooling(
    context: &mut Context<'_>,
    previous: Option<&Layer>,
    pool: Pool,
    axes: usize,
) -> Option<Layer> {
    let input = context.incoming(previous)?;
    let (&channels, sizes) = input.split_first().filter(|(_, sizes)| sizes.len() == axes)?;
    let window = Window::pooling(context.rng, sizes)?;
    let output: Shape = [vec![channels], window.output.clone()].concat();
    let exact = match (pool, exact(previous)) {
        // Overlapping windows share their maximum, often.
        (Pool::Max, Exact::Distinct) if window.overlapping => Exact::Ties,
        (Pool::Max, Exact::Distinct) => Exact::Distinct,
        (Pool::Max, _) => return None,
        // The mean of zeros is zero, of equal windows equal.
        (Pool::Avg, exact) => exact,
    };
    let work = output.iter().product::<usize>() * window.area();
    let syntax = format!("{pool:?}Pool{axes}d<{}>", window.arguments);
    Some(Layer::parameterless(syntax, input, output, work, exact))
}

/// `Flatten`, of channels into a vector.
fn flatten(context: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let input = context.incoming(previous).filter(|shape| shape.len() > 1)?;
    let output = vec![input.iter().product()];
    Some(Layer::parameterless("Flatten".into(), input, output, 0, exact(previous)))
}

/// `GlobalAvgPool`: the mean of each channel.
fn global_avg_pool(context: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let input = context.incoming(previous).filter(|shape| shape.len() > 1)?;
    let (output, work) = (vec![input[0]], input.iter().product());
    Some(Layer::parameterless("GlobalAvgPool".into(), input, output, work, exact(previous)))
}

/// A window sliding along the axes of channels (rows and columns, or the
/// length): its size along each, its other arguments as written, and the
/// output it leaves.
struct Window {
    size: Vec<usize>,
    /// As written after the channels: `(3, 2), stride = 2, padding = same`.
    arguments: String,
    output: Vec<usize>,
    /// Whether a stride shorter than the window makes windows overlap.
    overlapping: bool,
}

impl Window {
    /// A convolution's kernel over `axes` with, each half the time, a
    /// stride of 1 or 2 written and padding: explicit, up to one less than
    /// the kernel (so that every output sees the input), or `same`.
    fn convolution(rng: &mut Xoshiro256PlusPlus, axes: &[usize]) -> Self {
        let size = Self::size(rng, axes);
        let mut arguments = along(&size);
        let stride: Vec<usize> = if rng.random_ratio(1, 2) {
            axes.iter().map(|_| rng.random_range(1..=2)).collect()
        } else {
            vec![1; axes.len()]
        };
        if stride.iter().any(|&s| s > 1) {
            write!(arguments, ", stride = {}", along(&stride)).expect("a String takes any text");
        }
        let output = match rng.random_range(0..4) {
            0 => {
                arguments += ", padding = same";
                axes.iter().zip(&stride).map(|(&input, &stride)| input.div_ceil(stride)).collect()
            }
            1 => {
                let padding: Vec<usize> = size.iter().map(|&k| rng.random_range(0..k)).collect();
                write!(arguments, ", padding = {}", along(&padding))
                    .expect("a String takes any text");
                output_lengths(axes, &size, &stride, &padding)
            }
            _ => output_lengths(axes, &size, &stride, &vec![0; axes.len()]),
        };
        Self { size, arguments, output, overlapping: false }
    }

    /// A pooling window over `axes`, of two values or more, one time in
    /// three with a stride of its own (the default is the window): `None`
    /// if no such window fits.
    fn pooling(rng: &mut Xoshiro256PlusPlus, axes: &[usize]) -> Option<Self> {
        if axes.iter().all(|&axis| axis < 2) {
            return None;
        }
        let size = loop {
            let size = Self::size(rng, axes);
            if size.iter().product::<usize>() >= 2 {
                break size;
            }
        };
        let mut arguments = along(&size);
        let stride = if rng.random_ratio(1, 3) {
            let stride: Vec<usize> = size.iter().map(|&k| rng.random_range(1..=k)).collect();
            write!(arguments, ", stride = {}", along(&stride)).expect("a String takes any text");
            stride
        } else {
            size.clone()
        };
        let output = output_lengths(axes, &size, &stride, &vec![0; axes.len()]);
        let overlapping = stride.iter().zip(&size).any(|(s, k)| s < k);
        Some(Self { size, arguments, output, overlapping })
    }

    /// A window's size along each of `axes`: up to `LARGEST_WINDOW` and
    /// the axis, the same along every axis two times in three.
    fn size(rng: &mut Xoshiro256PlusPlus, axes: &[usize]) -> Vec<usize> {
        let largest = |axis: usize| axis.min(LARGEST_WINDOW);
        if rng.random_ratio(2, 3) {
            let size = rng.random_range(1..=axes.iter().copied().map(largest).min().unwrap_or(1));
            vec![size; axes.len()]
        } else {
            axes.iter().map(|&axis| rng.random_range(1..=largest(axis))).collect()
        }
    }

    /// The values in a window.
    fn area(&self) -> usize {
        self.size.iter().product()
    }
}

/// A size, stride or padding along each axis as `network!` takes it: one
/// number if the same along every axis, else a pair `(rows, columns)`.
fn along(values: &[usize]) -> String {
    match values {
        [first, rest @ ..] if rest.iter().all(|value| value == first) => first.to_string(),
        [rows, columns] => format!("({rows}, {columns})"),
        _ => unreachable!("one or two axes, not {values:?}"),
    }
}

/// PyTorch's output lengths: `⌊(input + 2·padding − kernel) / stride⌋ + 1`
/// along each axis.
fn output_lengths(
    axes: &[usize],
    kernel: &[usize],
    stride: &[usize],
    padding: &[usize],
) -> Vec<usize> {
    (0..axes.len())
        .map(|axis| (axes[axis] + 2 * padding[axis] - kernel[axis]) / stride[axis] + 1)
        .collect()
}

/// An activation that squeezes large values together near its bounds:
/// near-ties, which a max pooling cannot tell from ties. `Tanh` keeps
/// zeros, `Sigmoid` and `Softmax` map them to equal values.
fn saturating(syntax: &str, previous: &Layer, exact: Exact) -> Option<Layer> {
    Some(Layer::elementwise(syntax, previous, exact))
}

/// `Relu`, except on exact zeros: its kink.
fn relu(_: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let previous = previous.filter(|layer| layer.exact != Exact::Zeros)?;
    Some(Layer::elementwise("Relu", previous, Exact::Zeros))
}

/// `Relu6`; not on exact zeros, its kink. Its top, 6, is rarely reached
/// and a kink too, so its outputs count as exact like `Relu`'s.
fn relu6(_: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let previous = previous.filter(|layer| layer.exact != Exact::Zeros)?;
    Some(Layer::elementwise("Relu6", previous, Exact::Zeros))
}

/// `LeakyRelu` with a slope drawn, or one time in four the default slope
/// (0.01); not on exact zeros, its kink. A slope below `0.1` squeezes
/// negative values together: near-ties, as a saturated activation makes.
fn leaky_relu(context: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let previous = previous.filter(|layer| layer.exact != Exact::Zeros)?;
    let (syntax, slope) = if context.rng.random_ratio(1, 4) {
        ("LeakyRelu".to_string(), 0.01)
    } else {
        let slope = context.rng.random_range(0.01..0.5);
        (format!("LeakyRelu({slope:.3})"), slope)
    };
    let exact = if slope < 0.1 { previous.exact.max(Exact::Ties) } else { previous.exact };
    Some(Layer::elementwise(syntax, previous, exact))
}

/// `Softmax`, over a vector.
fn softmax(_: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let previous = previous?;
    match previous.output[..] {
        [_] => saturating("Softmax", previous, Exact::Ties),
        _ => None,
    }
}

/// A loss, and what the network must end with for it.
struct LossKind {
    name: &'static str,
    ending: Ending,
    /// Fewest outputs: a softmax over one output is constant.
    min_outputs: usize,
}

enum Ending {
    /// Any activation, or the last dense layer.
    Any,
    /// This activation: the loss takes probabilities.
    Activation(&'static str),
    /// The last dense layer: the loss takes logits.
    Logits,
}

const LOSSES: &[LossKind] = &[
    LossKind { name: "Mse", ending: Ending::Any, min_outputs: 1 },
    LossKind { name: "BinaryCrossEntropy", ending: Ending::Activation("Sigmoid"), min_outputs: 1 },
    LossKind { name: "BinaryCrossEntropyWithLogits", ending: Ending::Logits, min_outputs: 1 },
    LossKind { name: "CrossEntropy", ending: Ending::Activation("Softmax"), min_outputs: 2 },
    LossKind { name: "SoftmaxCrossEntropy", ending: Ending::Logits, min_outputs: 2 },
];

/// What drawing a layer needs.
struct Context<'a> {
    rng: &'a mut Xoshiro256PlusPlus,
    /// The networks drawn before, which can be layers of this one.
    earlier: &'a [Architecture],
    /// The input of a convolutional network, drawn before its layers;
    /// `None` for a dense network, whose first layer draws its own.
    input: Option<Shape>,
}

impl<'a> Context<'a> {
    /// A layer of `role` after `previous`, its kind drawn by weight among
    /// those that fit there.
    fn place(&mut self, role: Role, previous: Option<&Layer>) -> Layer {
        self.try_place(role, previous).unwrap_or_else(|| {
            panic!("no {role:?} layer fits after {:?}", previous.map(|layer| &layer.syntax))
        })
    }

    /// A layer of `role` after `previous`, if one fits.
    fn try_place(&mut self, role: Role, previous: Option<&Layer>) -> Option<Layer> {
        let mut kinds: Vec<&Kind> = KINDS.iter().filter(|kind| kind.role == role).collect();
        loop {
            let kind = *kinds.choose_weighted(self.rng, |kind| kind.weight).ok()?;
            match (kind.draw)(self, previous) {
                Some(layer) => return Some(layer),
                None => kinds.retain(|other| !std::ptr::eq(*other, kind)),
            }
        }
    }

    /// An activation after the last of `layers` most times it has
    /// parameters.
    fn activate(&mut self, layers: &mut Vec<Layer>) {
        if let Some(last) = layers.last()
            && last.params > 0
            && self.rng.random_ratio(7, 8)
        {
            let activation = self.place(Role::Activation, Some(last));
            layers.push(activation);
        }
    }

    /// The shape a layer after `previous` takes: its output, or at the
    /// front the network's input (`None` where the layer draws it).
    fn incoming(&self, previous: Option<&Layer>) -> Option<Shape> {
        previous.map_or_else(|| self.input.clone(), |layer| Some(layer.output.clone()))
    }

    /// The input of a convolutional network: `[C, H, W]`, one time in three
    /// `[C, L]`.
    fn draw_input(&mut self) -> Shape {
        let channels = self.rng.random_range(INPUT_CHANNELS);
        if self.rng.random_ratio(1, 3) {
            vec![channels, self.rng.random_range(INPUT_LENGTH)]
        } else {
            vec![channels, self.rng.random_range(INPUT_SIDE), self.rng.random_range(INPUT_SIDE)]
        }
    }

    /// A layer width in 1..=40, mostly small (a check costs the square of
    /// the parameter count); one time in four the input of an earlier
    /// network, which can then follow as a layer.
    fn width(&mut self) -> usize {
        if let Some(network) = self.nestable(|input| input.len() == 1)
            && self.rng.random_ratio(1, 4)
        {
            return network.input[0];
        }
        match self.rng.random_range(0..20) {
            0..12 => self.rng.random_range(1..=8),
            12..17 => self.rng.random_range(9..=16),
            _ => self.rng.random_range(17..=40),
        }
    }

    /// An earlier network that can be a layer whose input `takes`, if one
    /// can: small, not nested too deep, and the more likely the more
    /// nested it is, so that some networks nest two levels deep.
    fn nestable(&mut self, takes: impl Fn(&Shape) -> bool) -> Option<&'a Architecture> {
        let candidates: Vec<&Architecture> = self
            .earlier
            .iter()
            .filter(|network| network.nesting < MAX_NESTING && network.params <= MAX_NESTED_PARAMS)
            .filter(|network| takes(&network.input))
            .collect();
        candidates.choose_weighted(self.rng, |network| 1 + 3 * network.nesting).ok().copied()
    }
}

/// A generated network.
struct Architecture {
    name: String,
    /// Where its checks draw their points from.
    seed: u64,
    loss: &'static LossKind,
    layers: Vec<Layer>,
    input: Shape,
    output: usize,
    params: usize,
    /// Multiplications in a forward pass.
    work: usize,
    nesting: usize,
}

impl Architecture {
    /// Architecture number `index`: its loss in turn (so any five in a row
    /// cover every loss), every `CONVOLUTIONAL_EVERY`th convolutional, its
    /// depth uniform, its input and layers drawn again while its check
    /// would cost too much.
    fn draw(index: usize, rng: &mut Xoshiro256PlusPlus, earlier: &[Architecture]) -> Self {
        let loss = &LOSSES[index % LOSSES.len()];
        let seed = rng.random();
        let convolutional = index % CONVOLUTIONAL_EVERY == CONVOLUTIONAL_EVERY - 1;
        let (convolutions, depth) = if convolutional {
            (rng.random_range(CONVOLUTIONS), rng.random_range(DEPTH_AFTER_CONVOLUTIONS))
        } else {
            (0, rng.random_range(DEPTH))
        };
        let mut context = Context { rng, earlier, input: None };
        loop {
            context.input = convolutional.then(|| context.draw_input());
            let layers = chain(&mut context, loss, convolutions, depth);
            let input = layers[0].input.clone();
            let params = layers.iter().map(|layer| layer.params).sum();
            let work = layers.iter().map(|layer| layer.work).sum();
            let derivatives = params + input.iter().product::<usize>();
            if params <= MAX_PARAMS && 2 * derivatives * work <= MAX_CHECK_WORK {
                return Self {
                    name: format!("G{index:03}"),
                    seed,
                    loss,
                    input,
                    output: layers
                        .last()
                        .expect("a dense layer ends every chain")
                        .output
                        .iter()
                        .product(),
                    params,
                    work,
                    nesting: layers.iter().map(|layer| layer.nesting).max().unwrap_or(0),
                    layers,
                };
            }
        }
    }

    /// The layers as `network!` takes them, the named ones `l1`, `l2`, ...,
    /// after the input's shape where the first layer needs it.
    fn body(&self) -> String {
        let mut items = Vec::new();
        if self.input.len() > 1 && self.layers[0].nesting == 0 {
            items.push(format!("input: {:?}", self.input));
        }
        let mut fields = 0;
        for layer in &self.layers {
            if layer.named {
                fields += 1;
                items.push(format!("l{fields}: {}", layer.syntax));
            } else {
                items.push(layer.syntax.clone());
            }
        }
        items.join(", ")
    }
}

/// The layers of a network for `loss`: `convolutions` with what follows
/// each and a reduction to a vector, if any, then `depth` dense layers
/// drawn from `KINDS` with an activation after most layers with
/// parameters, the last dense layer followed by the loss's ending.
fn chain(
    context: &mut Context<'_>,
    loss: &LossKind,
    convolutions: usize,
    depth: usize,
) -> Vec<Layer> {
    let mut layers: Vec<Layer> = Vec::new();
    for _ in 0..convolutions {
        let convolution = context.place(Role::Parametric, layers.last());
        layers.push(convolution);
        context.activate(&mut layers);
        if context.rng.random_ratio(1, 2) {
            let pooling = context.try_place(Role::Pooling, layers.last());
            layers.extend(pooling);
        }
    }
    if convolutions > 0 {
        let reduction = context.place(Role::Reduction, layers.last());
        layers.push(reduction);
    }
    while layers.iter().map(|layer| layer.dense).sum::<usize>() + 1 < depth {
        let layer = context.place(Role::Parametric, layers.last());
        layers.push(layer);
        context.activate(&mut layers);
    }

    let inputs = match layers.last().map(|layer| layer.output.as_slice()) {
        None => context.width(),
        Some(&[width]) => width,
        Some(shape) => {
            panic!("a chain must end in a vector before its last dense layer, not {shape:?}")
        }
    };
    let outputs = context.width().max(loss.min_outputs);
    let last = dense_layer(context, inputs, outputs);
    let ending = match loss.ending {
        Ending::Any if context.rng.random_ratio(3, 4) => {
            Some(context.place(Role::Activation, Some(&last)))
        }
        Ending::Any | Ending::Logits => None,
        Ending::Activation(syntax) => Some(Layer::elementwise(syntax, &last, Exact::Ties)),
    };
    layers.push(last);
    layers.extend(ending);
    layers
}

/// The file `tests/gradients.rs` includes.
fn source(seed: u64, architectures: &[Architecture]) -> String {
    let mut source = format!(
        "// Written by the build script of constnet-generated: {} architectures from seed {seed:#x}.\n\n\
         generated! {{\n    seed {seed:#x};\n",
        architectures.len()
    );
    for network in architectures {
        writeln!(
            source,
            "    {} (seed {:#x}, params {}) {{ {} }} with {};",
            network.name,
            network.seed,
            network.params,
            network.body(),
            network.loss.name
        )
        .expect("a String takes any text");
    }
    source.push_str("}\n");
    source
}

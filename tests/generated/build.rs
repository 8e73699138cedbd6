//! Draws the architectures that `tests/gradients.rs` checks, and writes them
//! into `OUT_DIR/architectures.rs` as one invocation of its `generated!`
//! macro:
//!
//! ```text
//! generated! {
//!     seed 0x...;
//!     G000 (seed 0x..., params 44) { l1: Dense<3, 7>, Tanh, l2: Dense<7, 2>, Softmax } with CrossEntropy;
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
//! with a dense layer and what the loss needs after it.

use std::fmt::Write as _;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::{env, fs};

use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

const DEFAULT_SEED: u64 = 0xc057_0e75_2a7c_41e5;
const DEFAULT_COUNT: usize = 120;

/// Dense layers per network, nested networks not counted.
const DEPTH: RangeInclusive<usize> = 1..=8;
/// A network with more parameters is drawn again: a check takes two forward
/// passes per parameter, so it costs the square of the parameter count.
const MAX_PARAMS: usize = 500;
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

/// What a layer takes or produces: `[n]` for a vector of `n` scalars.
type Shape = Vec<usize>;

/// One layer of a generated network.
struct Layer {
    /// As written in `network!`: the type of a layer with parameters
    /// (`Dense<3, 4> = Init::HeNormal`, `G012`), or the whole activation.
    syntax: String,
    /// Whether it has parameters, and so a field of its own.
    named: bool,
    input: Shape,
    output: Shape,
    params: usize,
    /// Dense layers it counts for in the depth: 1 for a dense layer.
    dense: usize,
    /// Networks nested in it: 1 and more for a nested network.
    nesting: usize,
    /// Whether its output holds zeros where a ReLU cut values off: a ReLU
    /// after it would sit on its kink, where no point can be checked.
    exact_zeros: bool,
}

impl Layer {
    /// An activation after `previous`, which keeps its shape.
    fn elementwise(syntax: impl Into<String>, previous: &Layer, exact_zeros: bool) -> Self {
        Self {
            syntax: syntax.into(),
            named: false,
            input: previous.output.clone(),
            output: previous.output.clone(),
            params: 0,
            dense: 0,
            nesting: 0,
            exact_zeros,
        }
    }
}

/// Whether a layer is drawn where the chain needs parameters, or after one.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    Parametric,
    Activation,
}

/// A kind of layer, as one entry of `KINDS`.
struct Kind {
    role: Role,
    /// Relative frequency among the kinds of its role that fit.
    weight: u32,
    /// The layer to place after `previous` (`None` at the front of the
    /// network, where the layer fixes the network's input), or `None` where
    /// this kind cannot be.
    draw: fn(&mut Context<'_>, Option<&Layer>) -> Option<Layer>,
}

/// Every kind of layer the generator writes.
const KINDS: &[Kind] = &[
    Kind { role: Role::Parametric, weight: 12, draw: dense },
    Kind { role: Role::Parametric, weight: 4, draw: nested },
    Kind {
        role: Role::Activation,
        weight: 1,
        draw: |_, previous| zero_keeping("Identity", previous?),
    },
    Kind { role: Role::Activation, weight: 1, draw: |_, previous| positive("Sigmoid", previous?) },
    Kind { role: Role::Activation, weight: 1, draw: |_, previous| zero_keeping("Tanh", previous?) },
    Kind { role: Role::Activation, weight: 1, draw: relu },
    Kind { role: Role::Activation, weight: 1, draw: leaky_relu },
    Kind { role: Role::Activation, weight: 1, draw: softmax },
];

/// `Dense<IN, OUT>` on a vector, or at the front with an input width drawn.
fn dense(context: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let inputs = match previous.map(|layer| layer.output.as_slice()) {
        None => context.width(),
        Some(&[width]) => width,
        Some(_) => return None,
    };
    let outputs = context.width();
    Some(dense_layer(context, inputs, outputs))
}

/// `Dense<inputs, outputs>`, one time in four with an initializer.
fn dense_layer(context: &mut Context<'_>, inputs: usize, outputs: usize) -> Layer {
    let mut syntax = format!("Dense<{inputs}, {outputs}>");
    if context.rng.random_ratio(1, 4) {
        let init = INITS.choose(context.rng).expect("initializers");
        write!(syntax, " = Init::{}", init(context.rng)).expect("a String takes any text");
    }
    Layer {
        syntax,
        named: true,
        input: vec![inputs],
        output: vec![outputs],
        params: inputs * outputs + outputs,
        dense: 1,
        nesting: 0,
        exact_zeros: false,
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

/// An earlier network that takes the output of `previous` (any, at the
/// front) as a layer.
fn nested(context: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let width = match previous.map(|layer| layer.output.as_slice()) {
        None => None,
        Some(&[width]) => Some(width),
        Some(_) => return None,
    };
    let inner = context.nestable(width)?;
    Some(Layer {
        syntax: inner.name.clone(),
        named: true,
        input: vec![inner.input],
        output: vec![inner.output],
        params: inner.params,
        dense: 0,
        nesting: inner.nesting + 1,
        exact_zeros: inner.layers.last().is_some_and(|last| last.exact_zeros),
    })
}

/// An activation that maps 0 to 0, and so keeps the zeros of `previous`.
fn zero_keeping(syntax: &str, previous: &Layer) -> Option<Layer> {
    Some(Layer::elementwise(syntax, previous, previous.exact_zeros))
}

/// An activation whose outputs are never 0.
fn positive(syntax: &str, previous: &Layer) -> Option<Layer> {
    Some(Layer::elementwise(syntax, previous, false))
}

/// `Relu`, except on exact zeros: its kink.
fn relu(_: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let previous = previous.filter(|layer| !layer.exact_zeros)?;
    Some(Layer::elementwise("Relu", previous, true))
}

/// `LeakyRelu` with a slope drawn, or one time in four the default slope;
/// not on exact zeros, its kink.
fn leaky_relu(context: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let previous = previous.filter(|layer| !layer.exact_zeros)?;
    let syntax = if context.rng.random_ratio(1, 4) {
        "LeakyRelu".to_string()
    } else {
        format!("LeakyRelu({:.3})", context.rng.random_range(0.01..0.5))
    };
    zero_keeping(&syntax, previous)
}

/// `Softmax`, over a vector.
fn softmax(_: &mut Context<'_>, previous: Option<&Layer>) -> Option<Layer> {
    let previous = previous?;
    match previous.output[..] {
        [_] => positive("Softmax", previous),
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
}

impl<'a> Context<'a> {
    /// A layer of `role` after `previous`, its kind drawn by weight among
    /// those that fit there.
    fn place(&mut self, role: Role, previous: Option<&Layer>) -> Layer {
        let mut kinds: Vec<&Kind> = KINDS.iter().filter(|kind| kind.role == role).collect();
        loop {
            let kind = *kinds.choose_weighted(self.rng, |kind| kind.weight).unwrap_or_else(|_| {
                panic!("no {role:?} layer fits after {:?}", previous.map(|layer| &layer.syntax))
            });
            match (kind.draw)(self, previous) {
                Some(layer) => return layer,
                None => kinds.retain(|other| !std::ptr::eq(*other, kind)),
            }
        }
    }

    /// A layer width in 1..=40, mostly small (a check costs the square of
    /// the parameter count); one time in four the input of an earlier
    /// network, which can then follow as a layer.
    fn width(&mut self) -> usize {
        if let Some(network) = self.nestable(None)
            && self.rng.random_ratio(1, 4)
        {
            return network.input;
        }
        match self.rng.random_range(0..20) {
            0..12 => self.rng.random_range(1..=8),
            12..17 => self.rng.random_range(9..=16),
            _ => self.rng.random_range(17..=40),
        }
    }

    /// An earlier network that can be a layer taking `input` (any), if
    /// one can: small, not nested too deep, and the more likely the more
    /// nested it is, so that some networks nest two levels deep.
    fn nestable(&mut self, input: Option<usize>) -> Option<&'a Architecture> {
        let candidates: Vec<&Architecture> = self
            .earlier
            .iter()
            .filter(|network| network.nesting < MAX_NESTING && network.params <= MAX_NESTED_PARAMS)
            .filter(|network| input.is_none_or(|width| network.input == width))
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
    input: usize,
    output: usize,
    params: usize,
    nesting: usize,
}

impl Architecture {
    /// Architecture number `index`: its loss in turn (so any five in a row
    /// cover every loss), its depth uniform, its layers drawn again while
    /// it has more than `MAX_PARAMS` parameters.
    fn draw(index: usize, rng: &mut Xoshiro256PlusPlus, earlier: &[Architecture]) -> Self {
        let loss = &LOSSES[index % LOSSES.len()];
        let seed = rng.random();
        let depth = rng.random_range(DEPTH);
        let mut context = Context { rng, earlier };
        loop {
            let layers = chain(&mut context, loss, depth);
            let params = layers.iter().map(|layer| layer.params).sum();
            if params <= MAX_PARAMS {
                return Self {
                    name: format!("G{index:03}"),
                    seed,
                    loss,
                    input: layers[0].input.iter().product(),
                    output: layers
                        .last()
                        .expect("a dense layer ends every chain")
                        .output
                        .iter()
                        .product(),
                    params,
                    nesting: layers.iter().map(|layer| layer.nesting).max().unwrap_or(0),
                    layers,
                };
            }
        }
    }

    /// The layers as `network!` takes them, the named ones `l1`, `l2`, ...
    fn body(&self) -> String {
        let mut fields = 0;
        let items: Vec<String> = self
            .layers
            .iter()
            .map(|layer| {
                if layer.named {
                    fields += 1;
                    format!("l{fields}: {}", layer.syntax)
                } else {
                    layer.syntax.clone()
                }
            })
            .collect();
        items.join(", ")
    }
}

/// The layers of a network for `loss` with `depth` dense layers: a chain
/// drawn from `KINDS` with an activation after most layers with
/// parameters, then a last dense layer and the loss's ending.
fn chain(context: &mut Context<'_>, loss: &LossKind, depth: usize) -> Vec<Layer> {
    let mut layers: Vec<Layer> = Vec::new();
    loop {
        if let Some(last) = layers.last()
            && last.named
            && context.rng.random_ratio(7, 8)
        {
            let activation = context.place(Role::Activation, Some(last));
            layers.push(activation);
        }
        if layers.iter().map(|layer| layer.dense).sum::<usize>() + 1 == depth {
            break;
        }
        let layer = context.place(Role::Parametric, layers.last());
        layers.push(layer);
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
        Ending::Activation(syntax) => Some(Layer::elementwise(syntax, &last, false)),
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

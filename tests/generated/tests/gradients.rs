//! Gradient checks of the architectures the build script generates, in
//! `f64`, by the same code as the hand-written ones (`tests/architectures.rs`
//! of constnet): for each architecture, `SUMMARY_SEEDS` points far enough
//! from every kink and inside the loss's domain, each checked with a random
//! cotangent and with the loss against a random target.
//!
//! ```text
//! cargo test -p constnet-generated -- --nocapture
//! ```
//!
//! prints the seed and count, one line per architecture, and the worst
//! relative error over all of them.

#![allow(
    clippy::approx_constant,
    reason = "a slope or an initializer drawn at random can read like 1/π"
)]

#[path = "../../common/mod.rs"]
mod common;

use std::collections::HashMap;

use common::*;
use constnet::prelude::*;

/// Declares each generated network and lists what the tests walk.
macro_rules! generated {
    (
        seed $seed:literal;
        $(
            $net:ident (seed $points:literal, params $params:literal)
                { $($body:tt)* } with $loss:ident;
        )*
    ) => {
        /// The seed the build script drew the architectures from.
        const SEED: u64 = $seed;

        $(
            network! {
                struct $net<f64> { $($body)* }
            }
        )*

        /// Each architecture as written: name, body and loss.
        const ARCHITECTURES: &[(&str, &str, &str)] =
            &[$((stringify!($net), stringify!($($body)*), stringify!($loss)),)*];

        /// Each network's parameter count: from the macro, and as the build
        /// script counted it from the layers it wrote.
        const PARAMS: &[(&str, usize, usize)] =
            &[$((stringify!($net), <$net as Params<f64>>::PARAMS, $params),)*];

        /// The checks of each architecture, to run in any order.
        const CHECKS: &[fn() -> Summary] = &[$(
            || summarize(
                stringify!($net),
                stringify!($($body)*),
                stringify!($loss),
                $points,
                <$net>::random,
                &$loss,
            ),
        )*];
    };
}

include!(concat!(env!("OUT_DIR"), "/architectures.rs"));

/// Runs every check, on as many threads as there are cores.
fn summaries() -> Vec<Summary> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut done: Vec<(usize, Summary)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(check) = CHECKS.get(index) else { return done };
                        done.push((index, check()));
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().expect("a check panicked")).collect()
    });
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, summary)| summary).collect()
}

#[test]
fn gradients() {
    let networks = networks();
    let convolutional = ARCHITECTURES.iter().filter(|&&(name, ..)| has_shapes(name, &networks));
    let nesting = ARCHITECTURES.iter().filter(|&&(name, ..)| nests_shapes(name, &networks));
    eprintln!(
        "generated architectures: {} from seed {SEED:#x}, {} of them convolutional, \
         {} more with a convolutional network nested",
        CHECKS.len(),
        convolutional.count(),
        nesting.count()
    );
    let summaries = summaries();
    assert_eq!(summaries.len(), ARCHITECTURES.len());
    let worst = print_summaries(&summaries).expect("derivatives compared");
    assert!(!worst.is_nan(), "worst relative error {worst}");
    assert_all_passed(&summaries);
}

#[test]
fn parameter_counts() {
    for &(name, params, counted) in PARAMS {
        assert_eq!(params, counted, "{name}: PARAMS against the layers' own count");
    }
}

const ACTIVATIONS: [&str; 7] =
    ["Identity", "Sigmoid", "Tanh", "Relu", "Relu6", "LeakyRelu", "Softmax"];
const CONVOLUTIONS: [&str; 3] = ["Conv2d", "DepthwiseConv2d", "Conv1d"];
const POOLINGS: [&str; 4] = ["MaxPool2d", "AvgPool2d", "MaxPool1d", "AvgPool1d"];
const REDUCTIONS: [&str; 2] = ["Flatten", "GlobalAvgPool"];

/// A layer of a generated body, as the coverage sees it.
enum Layer<'a> {
    /// `input: [C, L]` or `input: [C, H, W]`: its dimensions.
    Input(usize),
    Dense {
        outputs: usize,
        init: bool,
    },
    /// A convolution, pooling or reduction: its kind, its arguments as
    /// written (`3`, `(3,2)`, `stride=2`), and whether an initializer follows.
    Shaped {
        kind: &'static str,
        arguments: Vec<String>,
        init: bool,
    },
    Activation {
        name: &'static str,
        argument: bool,
    },
    Network(&'a str),
}

/// Each architecture's body by name.
fn networks() -> HashMap<&'static str, &'static str> {
    ARCHITECTURES.iter().map(|&(name, body, _)| (name, body)).collect()
}

fn layers(body: &str) -> Vec<(String, bool)> {
    items(body)
        .into_iter()
        .map(|item| match item.split_once(':') {
            Some((_, layer)) => (layer.to_string(), true),
            None => (item, false),
        })
        .collect()
}

fn parse<'a>(layer: &'a str, named: bool, networks: &HashMap<&str, &str>) -> Layer<'a> {
    if let Some(dims) = layer.strip_prefix('[') {
        return Layer::Input(dims.split(',').count());
    }
    let (kind, arguments, init) = match layer.split_once('<') {
        Some((kind, rest)) => {
            let (arguments, after) = rest.rsplit_once('>').expect("arguments end with `>`");
            (kind, items(arguments), after.starts_with("=Init::"))
        }
        None => (layer, Vec::new(), false),
    };
    if kind == "Dense" {
        let outputs = arguments[1].parse().expect("a width");
        return Layer::Dense { outputs, init };
    }
    let shaped = [&CONVOLUTIONS[..], &POOLINGS, &REDUCTIONS].concat();
    if let Some(kind) = shaped.into_iter().find(|&shaped| shaped == kind) {
        return Layer::Shaped { kind, arguments, init };
    }
    let name = layer.split('(').next().unwrap_or(layer);
    if named {
        assert!(networks.contains_key(name), "{layer} is neither a built-in layer nor a network");
        Layer::Network(name)
    } else {
        let argument = name != layer;
        let name = ACTIVATIONS.into_iter().find(|&a| a == name);
        Layer::Activation {
            name: name.unwrap_or_else(|| panic!("{layer} is not an activation")),
            argument,
        }
    }
}

/// The parsed layers of the network `name`.
fn walk<T>(
    name: &str,
    networks: &HashMap<&str, &str>,
    mut visit: impl FnMut(Layer<'_>) -> Option<T>,
) -> Vec<T> {
    layers(networks[name])
        .iter()
        .filter_map(|(layer, named)| visit(parse(layer, *named, networks)))
        .collect()
}

/// How deep networks are nested in the network `name`: 0 for none.
fn nesting(name: &str, networks: &HashMap<&str, &str>) -> usize {
    let inner = walk(name, networks, |layer| match layer {
        Layer::Network(inner) => Some(1 + nesting(inner, networks)),
        _ => None,
    });
    inner.into_iter().max().unwrap_or(0)
}

/// Whether the network `name` has layers with a shape of its own.
fn has_shapes(name: &str, networks: &HashMap<&str, &str>) -> bool {
    !walk(name, networks, |layer| matches!(layer, Layer::Shaped { .. }).then_some(())).is_empty()
}

/// Whether the network `name` has none, but a network nested in it has.
fn nests_shapes(name: &str, networks: &HashMap<&str, &str>) -> bool {
    let nested = walk(name, networks, |layer| match layer {
        Layer::Network(inner) => Some(has_shapes(inner, networks) || nests_shapes(inner, networks)),
        _ => None,
    });
    !has_shapes(name, networks) && nested.contains(&true)
}

/// The sizes in an argument: `3` or `(3,2)`, the value of `stride=2`.
fn sizes(argument: &str) -> Vec<usize> {
    let value = argument.rsplit('=').next().unwrap_or(argument);
    let value = value.trim_start_matches('(').trim_end_matches(')');
    value.split(',').filter_map(|size| size.parse().ok()).collect()
}

/// Whether the sizes of an argument differ between rows and columns.
fn rectangular(argument: &str) -> bool {
    sizes(argument).windows(2).any(|pair| pair[0] != pair[1])
}

/// What the coverage looks for in the networks with a shape, besides every
/// kind of layer.
const SHAPED_FEATURES: [&str; 14] = [
    "input [C, L]",
    "input [C, H, W]",
    "2-D convolution with padding = same",
    "Conv1d with padding = same",
    "convolution with padding of its own",
    "convolution with a stride above 1",
    "convolution with a rectangular kernel",
    "convolution with an initializer",
    "pooling with a rectangular window",
    "pooling with a stride of its own",
    "activation on channels",
    "max pooling whose windows overlap",
    "network nested after a Flatten or GlobalAvgPool",
    "convolutional network nested in another",
];

/// The `SHAPED_FEATURES` of a convolution or pooling written `kind<arguments>`
/// (with an initializer, if `init`).
fn shaped_features(kind: &str, arguments: &[String], init: bool) -> Vec<&'static str> {
    let (positional, by_name): (Vec<&String>, Vec<&String>) =
        arguments.iter().partition(|argument| !argument.contains('='));
    let mut features = Vec::new();
    if CONVOLUTIONS.contains(&kind) {
        for argument in &by_name {
            let above = |least| sizes(argument).iter().any(|&size| size > least);
            features.extend(match argument.split_once('=') {
                Some(("padding", "same")) if kind == "Conv1d" => Some("Conv1d with padding = same"),
                Some(("padding", "same")) => Some("2-D convolution with padding = same"),
                Some(("padding", _)) if above(0) => Some("convolution with padding of its own"),
                Some(("stride", _)) if above(1) => Some("convolution with a stride above 1"),
                _ => None,
            });
        }
        let kernel = positional[if kind == "DepthwiseConv2d" { 1 } else { 2 }];
        if rectangular(kernel) {
            features.push("convolution with a rectangular kernel");
        }
        if init {
            features.push("convolution with an initializer");
        }
    }
    if POOLINGS.contains(&kind) {
        if rectangular(positional[0]) {
            features.push("pooling with a rectangular window");
        }
        if !by_name.is_empty() {
            features.push("pooling with a stride of its own");
        }
        let stride = by_name.first().map_or(positional[0].as_str(), |stride| stride.as_str());
        let along = |values: &[usize], axis: usize| values[axis.min(values.len() - 1)];
        let (window, stride) = (sizes(positional[0]), sizes(stride));
        if kind.starts_with("MaxPool") && (0..2).any(|a| along(&stride, a) < along(&window, a)) {
            features.push("max pooling whose windows overlap");
        }
    }
    features
}

/// The generated architectures hold everything they are meant to: every
/// loss and activation (`Softmax` also before the end, `LeakyRelu` with and
/// without a slope), 1 to 8 dense layers, widths 1 to 40, initializers,
/// networks nested one and two levels deep; every layer with a shape, and
/// the `SHAPED_FEATURES`.
#[test]
fn coverage() {
    assert_every_loss(ARCHITECTURES.iter().map(|&(_, _, loss)| loss));
    let networks = networks();
    let mut activations = Vec::new();
    let mut shaped = Vec::new();
    let mut features = Vec::new();
    let (mut softmax_inside, mut init) = (false, false);
    let (mut default_slope, mut slope) = (false, false);
    let (mut depths, mut widths, mut nestings) = (Vec::new(), Vec::new(), Vec::new());
    for &(name, body, _) in ARCHITECTURES {
        let layers = layers(body);
        let mut depth = 0;
        // The layer before, by kind; whether a reduction came before.
        let (mut previous, mut reduced) = ("", false);
        for (position, (layer, named)) in layers.iter().enumerate() {
            let kind = match parse(layer, *named, &networks) {
                Layer::Input(dimensions) => {
                    features.push(if dimensions == 2 { "input [C, L]" } else { "input [C, H, W]" });
                    "input"
                }
                Layer::Dense { outputs, init: with_init } => {
                    depth += 1;
                    widths.push(outputs);
                    init |= with_init;
                    "Dense"
                }
                Layer::Shaped { kind, arguments, init } => {
                    shaped.push(kind);
                    reduced |= REDUCTIONS.contains(&kind);
                    features.extend(shaped_features(kind, &arguments, init));
                    kind
                }
                Layer::Activation { name, argument } => {
                    activations.push(name);
                    softmax_inside |= name == "Softmax" && position + 1 < layers.len();
                    default_slope |= name == "LeakyRelu" && !argument;
                    slope |= name == "LeakyRelu" && argument;
                    if CONVOLUTIONS.contains(&previous) {
                        features.push("activation on channels");
                    }
                    name
                }
                Layer::Network(inner) => {
                    if reduced {
                        features.push("network nested after a Flatten or GlobalAvgPool");
                    }
                    if has_shapes(inner, &networks) || nests_shapes(inner, &networks) {
                        features.push("convolutional network nested in another");
                    }
                    "network"
                }
            };
            previous = kind;
        }
        depths.push(depth);
        nestings.push(nesting(name, &networks));
    }
    // Fewer architectures than the default may miss a rare kind.
    let among = format!("among {} architectures from seed {SEED:#x}", ARCHITECTURES.len());
    for activation in ACTIVATIONS {
        assert!(activations.contains(&activation), "no {activation} {among}");
    }
    for kind in [&CONVOLUTIONS[..], &POOLINGS, &REDUCTIONS].concat() {
        assert!(shaped.contains(&kind), "no {kind} {among}");
    }
    for feature in SHAPED_FEATURES {
        assert!(features.contains(&feature), "no {feature} {among}");
    }
    assert!(softmax_inside, "no Softmax before the end of a network {among}");
    assert!(default_slope, "no LeakyRelu with its default slope {among}");
    assert!(slope, "no LeakyRelu with a slope of its own {among}");
    assert!(init, "no initializer {among}");
    let range = |values: &[usize]| (values.iter().min().copied(), values.iter().max().copied());
    assert_eq!(range(&depths), (Some(1), Some(8)), "dense layers per network {among}");
    let (narrowest, widest) = range(&widths);
    assert_eq!(narrowest, Some(1), "narrowest dense layer {among}");
    assert!(
        widest.is_some_and(|w| (33..=40).contains(&w)),
        "widest dense layer: {widest:?} {among}"
    );
    for level in [1, 2] {
        assert!(nestings.contains(&level), "no network nested {level} levels deep {among}");
    }
    assert!(nestings.iter().all(|&level| level <= 2), "nested deeper than two levels");
}

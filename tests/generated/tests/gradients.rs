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
    eprintln!("generated architectures: {} from seed {SEED:#x}", CHECKS.len());
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

const ACTIVATIONS: [&str; 6] = ["Identity", "Sigmoid", "Tanh", "Relu", "LeakyRelu", "Softmax"];

/// A layer of a generated body, as the coverage sees it.
enum Layer<'a> {
    Dense { inputs: usize, outputs: usize, init: bool },
    Activation { name: &'static str, argument: bool },
    Network(&'a str),
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
    if let Some(rest) = layer.strip_prefix("Dense<") {
        let (sizes, init) = rest.split_once('>').expect("Dense<IN,OUT>");
        let (inputs, outputs) = sizes.split_once(',').expect("Dense<IN,OUT>");
        return Layer::Dense {
            inputs: inputs.parse().expect("a width"),
            outputs: outputs.parse().expect("a width"),
            init: init.starts_with("=Init::"),
        };
    }
    let name = layer.split('(').next().unwrap_or(layer);
    if named {
        assert!(networks.contains_key(name), "{layer} is neither a dense layer nor a network");
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

/// How deep networks are nested in the network `name`: 0 for none.
fn nesting(name: &str, networks: &HashMap<&str, &str>) -> usize {
    layers(networks[name])
        .iter()
        .filter_map(|(layer, named)| match parse(layer, *named, networks) {
            Layer::Network(inner) => Some(1 + nesting(inner, networks)),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// The generated architectures hold everything they are meant to: every
/// loss and activation (`Softmax` also before the end, `LeakyRelu` with and
/// without a slope), 1 to 8 dense layers, widths 1 to 40, initializers,
/// networks nested one and two levels deep.
#[test]
fn coverage() {
    assert_every_loss(ARCHITECTURES.iter().map(|&(_, _, loss)| loss));
    let networks: HashMap<&str, &str> =
        ARCHITECTURES.iter().map(|&(name, body, _)| (name, body)).collect();
    let mut activations = Vec::new();
    let (mut softmax_inside, mut init) = (false, false);
    let (mut default_slope, mut slope) = (false, false);
    let (mut depths, mut widths, mut nestings) = (Vec::new(), Vec::new(), Vec::new());
    for &(name, body, _) in ARCHITECTURES {
        let layers = layers(body);
        let mut depth = 0;
        for (position, (layer, named)) in layers.iter().enumerate() {
            match parse(layer, *named, &networks) {
                Layer::Dense { inputs, outputs, init: with_init } => {
                    depth += 1;
                    widths.extend([inputs, outputs]);
                    init |= with_init;
                }
                Layer::Activation { name, argument } => {
                    activations.push(name);
                    softmax_inside |= name == "Softmax" && position + 1 < layers.len();
                    default_slope |= name == "LeakyRelu" && !argument;
                    slope |= name == "LeakyRelu" && argument;
                }
                Layer::Network(_) => {}
            }
        }
        depths.push(depth);
        nestings.push(nesting(name, &networks));
    }
    // Fewer architectures than the default may miss a rare kind.
    let among = format!("among {} architectures from seed {SEED:#x}", ARCHITECTURES.len());
    for activation in ACTIVATIONS {
        assert!(activations.contains(&activation), "no {activation} {among}");
    }
    assert!(softmax_inside, "no Softmax before the end of a network {among}");
    assert!(default_slope, "no LeakyRelu with its default slope {among}");
    assert!(slope, "no LeakyRelu with a slope of its own {among}");
    assert!(init, "no initializer {among}");
    let range = |values: &[usize]| (values.iter().min().copied(), values.iter().max().copied());
    assert_eq!(range(&depths), (Some(1), Some(8)), "dense layers per network {among}");
    let (narrowest, widest) = range(&widths);
    assert_eq!(narrowest, Some(1), "narrowest layer {among}");
    assert!(widest.is_some_and(|w| (33..=40).contains(&w)), "widest layer: {widest:?} {among}");
    for level in [1, 2] {
        assert!(nestings.contains(&level), "no network nested {level} levels deep {among}");
    }
    assert!(nestings.iter().all(|&level| level <= 2), "nested deeper than two levels");
}

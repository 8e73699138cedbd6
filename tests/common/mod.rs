//! Gradient checks of whole networks in `f64`, shared by the hand-written
//! architectures (`tests/architectures.rs`) and the generated ones
//! (`tests/generated/`): how a network, its input, cotangent and target are
//! drawn from a seed, where each loss can be checked, and the summary of the
//! worst relative errors.
//!
//! A point within the checker's margin of a kink (a ReLU at 0, a tie for the
//! maximum of a pooling window), or a prediction at which finite
//! differences cannot resolve the loss (a sigmoid output within
//! `SATURATION` of 0 or 1 before `BinaryCrossEntropy`), is rejected and
//! drawn again; tolerances are never loosened.

use constnet::gradcheck::{Comparison, Error, GradCheck};
use constnet::prelude::*;
use rand::rngs::SmallRng;

/// Inputs are drawn in `±INPUT`.
pub const INPUT: f64 = 2.0;
/// Cotangents are drawn in `±COTANGENT`.
pub const COTANGENT: f64 = 1.0;
/// The weights of `random` are multiplied by a factor in this range.
pub const SCALE: core::ops::Range<f64> = 0.5..2.0;
/// Biases (zero after `random`) are drawn in `±BIAS`.
pub const BIAS: f64 = 0.5;

/// Where a loss is checked: its targets, uniform in `RANGE` and one time in
/// four one of the `EXACT` values (the edges a loss treats specially), and
/// the predictions at which finite differences can measure its gradient.
pub trait Domain {
    const RANGE: (f64, f64);
    const EXACT: &'static [f64];

    /// Whether central differences with `GradCheck`'s step resolve the
    /// loss at `prediction`. Like a point near a kink, a point outside is
    /// rejected, never accepted with a looser tolerance.
    fn resolves(prediction: &[f64]) -> bool {
        let _ = prediction;
        true
    }

    fn sample(rng: &mut SmallRng) -> f64 {
        let (low, high) = Self::RANGE;
        if !Self::EXACT.is_empty() && rng.random_range(0..4) == 0 {
            Self::EXACT[rng.random_range(0..Self::EXACT.len())]
        } else {
            rng.random_range(low..high)
        }
    }
}

impl Domain for Mse {
    const RANGE: (f64, f64) = (-2.0, 2.0);
    const EXACT: &'static [f64] = &[];
}

/// How close to 0 or 1 a probability may come for a finite-difference
/// check of `BinaryCrossEntropy`.
///
/// Near 1, `ln(1 − p)` is computed from a `p` that rounding knows only to
/// `1.1e-16`: a relative error of `1.1e-16 / (1 − p)` in `1 − p`, which a
/// step of `1e-6` turns into an error of `1.1e-10 / (1 − p)` in the
/// numerical derivative, times the gain of the layers below (seen: a sigmoid
/// output of `1 − 6e-7`, numerical derivatives off by `1e-4`, while a step
/// of `1e-4` agrees with the analytic gradient to `2e-5`). Near 0 and 1 the
/// loss also clamps its probabilities at `1e-7`: a kink. At `1e-3` from
/// either end, the error is `1e-7`, well within `atol`.
pub const SATURATION: f64 = 1.0e-3;

/// Probabilities, after a `Sigmoid`; predictions at least `SATURATION`
/// from 0 and 1.
impl Domain for BinaryCrossEntropy {
    const RANGE: (f64, f64) = (0.0, 1.0);
    const EXACT: &'static [f64] = &[0.0, 1.0];

    fn resolves(prediction: &[f64]) -> bool {
        prediction.iter().all(|&p| (SATURATION..=1.0 - SATURATION).contains(&p))
    }
}

/// Non-negative masses (not necessarily summing to 1), after a `Softmax`.
impl Domain for CrossEntropy {
    const RANGE: (f64, f64) = (0.0, 1.0);
    const EXACT: &'static [f64] = &[0.0, 1.0];
}

/// Non-negative masses, on raw logits.
impl Domain for SoftmaxCrossEntropy {
    const RANGE: (f64, f64) = (0.0, 1.0);
    const EXACT: &'static [f64] = &[0.0, 1.0];
}

/// Probabilities as targets, including exactly 0 and 1, on raw logits: no
/// clamp and no saturation, so every prediction resolves.
impl Domain for BinaryCrossEntropyWithLogits {
    const RANGE: (f64, f64) = (0.0, 1.0);
    const EXACT: &'static [f64] = &[0.0, 1.0];
}

pub fn sample_vector<V: Vector<f64>>(mut entry: impl FnMut() -> f64) -> V {
    let mut vector = V::zeros();
    vector.scalars_mut().fill_with(&mut entry);
    vector
}

/// A network from `seed`: weights drawn by its `random` and multiplied by
/// `scale`, biases drawn in `±BIAS` (a bias is a tensor of one dimension,
/// a weight of more: dense, convolution).
pub fn build<N: Params<f64>>(seed: u64, scale: f64, random: impl FnOnce(&mut SmallRng) -> N) -> N {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut net = random(&mut rng);
    let mut index = 0;
    while let Some(info) = N::tensor_info(index) {
        let tensor = net.tensor_mut(index).expect("tensor_info and tensor_mut agree");
        assert_eq!(tensor.len(), info.len(), "{info}");
        match info.shape.len() {
            1 => tensor.fill_with(|| rng.random_range(-BIAS..BIAS)),
            _ => tensor.iter_mut().for_each(|w| *w *= scale),
        }
        index += 1;
    }
    net
}

/// How many derivatives a check of `N` compares: every parameter and every
/// input scalar.
pub fn expected<N: Layer<f64>>() -> usize {
    N::PARAMS + <N as Layer<f64>>::INPUT
}

/// One line of the summary.
pub struct Summary {
    pub name: &'static str,
    pub shape: String,
    pub loss: &'static str,
    /// Seeds checked, seeds skipped for a point near a kink, and
    /// seeds skipped for a prediction outside the loss's `Domain`.
    pub seeds: usize,
    pub near_kink: usize,
    pub unresolved: usize,
    /// Derivatives compared, over both checks and every seed.
    pub checked: usize,
    /// Derivatives compared by one check: every parameter and input.
    pub per_check: usize,
    pub failures: Vec<String>,
    /// The largest relative error (among derivatives of magnitude at
    /// least `atol`) and the largest absolute error.
    pub worst: Option<Comparison>,
    pub worst_absolute: Option<Comparison>,
}

/// Seeds tried per architecture, of which `SUMMARY_SEEDS` must be far
/// enough from every kink and inside the loss's `Domain`.
pub const SUMMARY_SEEDS: usize = 4;
pub const SUMMARY_TRIES: u64 = 32;

/// Checks network `N` (as `network!` declares `body`) with a random
/// cotangent and with `loss` against a random target, at the points drawn
/// from seeds `first_seed`, `first_seed + 1`, ... until `SUMMARY_SEEDS` of
/// them are checkable.
pub fn summarize<N: Layer<f64>, F: Loss<f64> + Domain>(
    name: &'static str,
    body: &'static str,
    loss_name: &'static str,
    first_seed: u64,
    random: impl Fn(&mut SmallRng) -> N + Copy,
    loss: &F,
) -> Summary {
    let mut summary = Summary {
        name,
        shape: shape(body),
        loss: loss_name,
        seeds: 0,
        near_kink: 0,
        unresolved: 0,
        checked: 0,
        per_check: expected::<N>(),
        failures: Vec::new(),
        worst: None,
        worst_absolute: None,
    };
    for seed in 0..SUMMARY_TRIES {
        if summary.seeds == SUMMARY_SEEDS {
            break;
        }
        let mut rng = SmallRng::seed_from_u64(first_seed.wrapping_add(seed));
        let scale = rng.random_range(SCALE);
        let mut net = build(rng.random(), scale, random);
        let input: N::Input = sample_vector(|| rng.random_range(-INPUT..INPUT));
        let cotangent: N::Output = sample_vector(|| rng.random_range(-COTANGENT..COTANGENT));
        let target: N::Output = sample_vector(|| F::sample(&mut rng));
        if !F::resolves(net.forward(&input).scalars()) {
            summary.unresolved += 1;
            continue;
        }
        let checker = GradCheck::default();
        let reports = [
            checker.layer(&mut net, &input, &cotangent),
            checker.layer_with_loss(&mut net, &input, &target, loss),
        ];
        if reports.iter().any(|r| matches!(r, Err(Error::NearKink { .. }))) {
            summary.near_kink += 1;
            continue;
        }
        summary.seeds += 1;
        for (check, report) in ["cotangent", "loss"].into_iter().zip(reports) {
            match report {
                Ok(report) => {
                    summary.checked += report.checked;
                    if report.checked != expected::<N>() {
                        summary.failures.push(format!(
                            "seed {seed}, {check}: {} derivatives checked, expected {}",
                            report.checked,
                            expected::<N>()
                        ));
                    }
                    if !report.passed() {
                        summary.failures.push(format!("seed {seed}, {check}: {report}"));
                    }
                    summary.worst =
                        worse(summary.worst, report.worst_relative, Comparison::rel_error);
                    summary.worst_absolute =
                        worse(summary.worst_absolute, report.worst_absolute, Comparison::abs_error);
                }
                Err(error) => summary.failures.push(format!("seed {seed}, {check}: {error}")),
            }
        }
    }
    summary
}

/// The comparison with the larger error, a NaN error counting as the
/// largest: it must reach the summary, not vanish in a comparison.
fn worse(
    a: Option<Comparison>,
    b: Option<Comparison>,
    error: fn(&Comparison) -> f64,
) -> Option<Comparison> {
    let key = |c: &Comparison| if error(c).is_nan() { f64::INFINITY } else { error(c) };
    match (a, b) {
        (Some(a), Some(b)) => Some(if key(&b) > key(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// `hidden: Dense<3, 8>, Tanh, out: Dense<8, 2>` (as `stringify!` spells
/// it) shortened to `3-8 Tanh 8-2`: one `IN-OUT` per dense layer, other
/// layers and nested networks as written, initializers and names left out.
fn shape(body: &str) -> String {
    items(body)
        .iter()
        .map(|item| {
            let layer = item.split_once(':').map_or(item.as_str(), |(_, layer)| layer);
            // An initializer follows a layer's closing `>`; named
            // arguments (`padding=same`) come before it.
            let layer = layer.find(">=Init::").map_or(layer, |end| &layer[..=end]);
            match layer.strip_prefix("Dense<") {
                Some(sizes) => sizes.trim_end_matches('>').replace(',', "-"),
                None => layer.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The layers of a network body, without white space:
/// `["input:[1,8,8]", "conv:Conv2d<1,3,(3,2),padding=same>=Init::HeNormal", "Tanh", ...]`.
pub fn items(body: &str) -> Vec<String> {
    let compact: String = body.split_whitespace().collect::<Vec<_>>().join("");
    let mut items = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in compact.chars() {
        match c {
            '<' | '(' | '{' | '[' => depth += 1,
            // The arrow before a nested network's shape (`Net->[8,4,4]`).
            '>' if current.ends_with('-') => {}
            '>' | ')' | '}' | ']' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            items.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    items.push(current);
    items.retain(|item| !item.is_empty());
    items
}

/// Prints one line per architecture and the worst relative error over all
/// of them, which it returns (`None` if nothing was compared).
pub fn print_summaries(summaries: &[Summary]) -> Option<f64> {
    let name_width = summaries.iter().map(|s| s.name.len()).max().unwrap_or(0);
    let shape_width = summaries.iter().map(|s| s.shape.len()).max().unwrap_or(0);
    let loss_width = summaries.iter().map(|s| s.loss.len()).max().unwrap_or(0);
    eprintln!(
        "gradient check per architecture: {SUMMARY_SEEDS} seeds x (cotangent + loss) checks; \
         relative error over derivatives of magnitude >= atol {:e}",
        GradCheck::default().atol
    );
    for s in summaries {
        let relative = s.worst.map_or(0.0, |c| c.rel_error());
        let absolute = s.worst_absolute.map_or(0.0, |c| c.abs_error());
        let location = s.worst.map_or(String::new(), |c| c.location.to_string());
        eprintln!(
            "  {name:<name_width$}  {shape:<shape_width$}  {loss:<loss_width$}  worst rel {relative:>8.2e}  \
             max abs {absolute:>7.1e}  checked {checked:>5} ({per_check} x {checks})  \
             skipped {kinks} near a kink, {unresolved} saturated  worst at {location}",
            name = s.name,
            shape = s.shape,
            loss = s.loss,
            checked = s.checked,
            per_check = s.per_check,
            checks = 2 * s.seeds,
            kinks = s.near_kink,
            unresolved = s.unresolved,
        );
    }
    let overall = summaries
        .iter()
        .filter_map(|s| s.worst.map(|c| (c, s.name)))
        .max_by(|a, b| a.0.rel_error().total_cmp(&b.0.rel_error()));
    let total: usize = summaries.iter().map(|s| s.checked).sum();
    let (c, name) = overall?;
    eprintln!(
        "worst relative error overall: {:.2e} in {name} at {c}; {total} derivatives checked \
         over {} architectures",
        c.rel_error(),
        summaries.len()
    );
    Some(c.rel_error())
}

/// Every loss ends some architecture, given the loss of each.
pub fn assert_every_loss<'a>(losses: impl IntoIterator<Item = &'a str>) {
    let used: Vec<&str> = losses.into_iter().collect();
    let every = [
        "Mse",
        "BinaryCrossEntropy",
        "BinaryCrossEntropyWithLogits",
        "CrossEntropy",
        "SoftmaxCrossEntropy",
    ];
    for loss in every {
        assert!(used.contains(&loss), "no architecture ends with {loss}");
    }
}

/// Every architecture was checked at `SUMMARY_SEEDS` points, over every
/// derivative, and passed.
pub fn assert_all_passed(summaries: &[Summary]) {
    for s in summaries {
        assert_eq!(
            s.seeds, SUMMARY_SEEDS,
            "{}: only {} seeds far enough from a kink and inside the domain",
            s.name, s.seeds
        );
        assert_eq!(s.checked, 2 * SUMMARY_SEEDS * s.per_check, "{}", s.name);
        assert!(s.failures.is_empty(), "{}:\n{}", s.name, s.failures.join("\n"));
    }
}

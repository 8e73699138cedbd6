#!/usr/bin/env bash
# Compile-time budget: how long `cargo build --release` of a small user crate
# takes, and how large its binary is, for networks of growing width and
# depth, against an empty crate that depends on constnet but declares nothing.
#
#   scripts/compile-budget.sh            # three builds per crate, the median
#   RUNS=1 scripts/compile-budget.sh
#
# Dependencies (constnet, its macros, syn, ...) are built once, in a shared
# target directory; each timed build then recompiles and links the user
# crate alone, which is what a change to a network costs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name|network! body (empty: the baseline)|what it is
crates=(
  "empty||empty crate, depends on constnet"
  "xor|hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid|(a) XOR 2-3-1"
  "mnist|hidden: Dense<784, 128>, Relu, out: Dense<128, 10>|(b) 784-128-10"
  "mnist_wide|hidden: Dense<784, 1024>, Relu, out: Dense<1024, 10>|784-1024-10 (8× wider)"
  "deep6|$(for i in $(seq 1 6); do printf 'l%d: Dense<64, 64>, Relu, ' "$i"; done)|6 layers, 64 wide"
  "deep12|$(for i in $(seq 1 12); do printf 'l%d: Dense<64, 64>, Relu, ' "$i"; done)|(c) 12 layers, 64 wide"
  "deep24|$(for i in $(seq 1 24); do printf 'l%d: Dense<64, 64>, Relu, ' "$i"; done)|24 layers, 64 wide"
  "lenet|input: [1, 28, 28], conv1: Conv2d<1, 6, 5, padding = 2>, Relu, pool1: MaxPool2d<2>, conv2: Conv2d<6, 16, 5>, Relu, pool2: MaxPool2d<2>, flatten: Flatten, hidden: Dense<400, 64>, Relu, logits: Dense<64, 10>|(d) the MNIST CNN"
)

members=()
for entry in "${crates[@]}"; do
  IFS='|' read -r name body _ <<<"$entry"
  members+=("\"$name\"")
  mkdir -p "$work/$name/src"
  cat >"$work/$name/Cargo.toml" <<TOML
[package]
name = "$name"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
constnet = { path = "$repo" }
TOML
  if [[ -z $body ]]; then
    printf 'fn main() {\n    println!("{}", std::hint::black_box(1.0f32));\n}\n' >"$work/$name/src/main.rs"
    continue
  fi
  # Every crate trains its network: forward, loss, backward and an update
  # per batch of 8, on data drawn from a seeded generator, and infers.
  cat >"$work/$name/src/main.rs" <<RUST
use constnet::prelude::*;
use constnet::rand::rngs::SmallRng;

network! {
    struct Net<f32> { $body }
}

fn main() {
    let mut rng = SmallRng::seed_from_u64(1);
    let mut net: Net = Net::random(&mut rng);
    let mut grads = NetGrads::zeros();
    let mut inputs = [<<Net as Layer<f32>>::Input as Vector<f32>>::zeros(); 8];
    let mut targets = [<<Net as Layer<f32>>::Output as Vector<f32>>::zeros(); 8];
    let mut loss = 0.0;
    for _ in 0..10 {
        for (input, target) in inputs.iter_mut().zip(&mut targets) {
            input.scalars_mut().iter_mut().for_each(|x| *x = rng.random_range(-1.0..1.0));
            target.scalars_mut().iter_mut().for_each(|t| *t = rng.random_range(0.0..1.0));
        }
        grads.set_zero();
        loss = net.loss_and_grad_batch(&inputs, &targets, &Mse, &mut grads);
        net.sgd_step(&grads, 0.01);
    }
    println!("{loss} {:?}", net.forward(&inputs[0]));
}
RUST
done
members_list=$(IFS=,; echo "${members[*]}")
cat >"$work/Cargo.toml" <<TOML
[workspace]
members = [$members_list]
resolver = "3"
TOML

since() { awk -v now="$(date +%s.%N)" -v start="$1" 'BEGIN { printf "%.2f", now - start }'; }

cd "$work"
export CARGO_TARGET_DIR="$work/target"
start=$(date +%s.%N)
cargo build --release -j2 --quiet --workspace
deps=$(since "$start")

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "rustc: $(rustc --version)"
echo "first build of every crate and all dependencies, -j2: $deps s"
echo
echo "| crate | \`cargo build --release\` | over the empty crate | binary | stripped |"
echo "|---|---:|---:|---:|---:|"
for entry in "${crates[@]}"; do
  IFS='|' read -r name _ label <<<"$entry"
  times=()
  for _ in $(seq 1 "$runs"); do
    touch "$name/src/main.rs"
    start=$(date +%s.%N)
    cargo build --release -j2 --quiet -p "$name"
    times+=("$(since "$start")")
  done
  seconds=$(printf '%s\n' "${times[@]}" | median)
  [[ $name == empty ]] && baseline=$seconds
  binary="target/release/$name"
  strip -o "$work/stripped" "$binary"
  printf '| %s | %.2f s | %+.2f s | %d KiB | %d KiB |\n' "$label" "$seconds" \
    "$(awk -v a="$seconds" -v b="$baseline" 'BEGIN { print a - b }')" "$(($(stat -c %s "$binary") / 1024))" \
    "$(($(stat -c %s "$work/stripped") / 1024))"
done

#!/usr/bin/env bash
# constnet against MicroFlow on the TinyML sine model (1-16-16-1, ReLU), on
# the same emulated Cortex-M4F, in one run: constnet's f32 network, and
# MicroFlow's own int8 model as constnet-import writes it, against MicroFlow: instructions per inference
# (SysTick under `-icount shift=0`), stack per inference (painted stack),
# and the flash and RAM the model adds to the same firmware (llvm-size of
# the firmware with the model less the firmware without it).
#
#   bash examples/firmware/compare.sh [OPT_LEVEL...]    (default: 3 s)
#
# One table per optimization level of the release profile: 3 is Cargo's
# default, s optimizes for size. Needs qemu-system-arm; installs the rustup
# target and llvm-tools itself.
set -euo pipefail
cd "$(dirname "$0")/compare"
opt_levels=("${@:-3}")
[ $# -gt 0 ] || opt_levels=(3 s)

rustup target add thumbv7em-none-eabihf >/dev/null 2>&1
rustup component add llvm-tools >/dev/null 2>&1
host=$(rustc -vV | sed -n 's/^host: //p')
llvm_size="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-size"

# MicroFlow's own sine model, from the crate's published source.
cargo fetch --quiet
microflow=$(cargo metadata --format-version 1 --features microflow |
  grep -o '"manifest_path":"[^"]*/microflow-0\.1\.3/Cargo.toml"' | sed 's/.*:"//; s/Cargo.toml"$//')
cp "${microflow}models/sine.tflite" sine.tflite

elf=${CARGO_TARGET_DIR:-target}/thumbv7em-none-eabihf/release/sine-compare
value() { printf '%s\n' "${output[$1]}" | sed -n "s/^$2: //p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "–"; else printf "%.2f\n", a / b }'; }
row() {
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$(ratio "$2" "$4")" "$(ratio "$3" "$4")"
}

for opt_level in "${opt_levels[@]}"; do
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt_level
  declare -A flash=() ram=() output=()
  for engine in none constnet constnet-int8 microflow; do
    features=$([ "$engine" = none ] || echo "$engine")
    cargo build --quiet --release --features "$features"
    # Berkeley format: text (code, read-only data, vectors), data, bss.
    read -r text data bss _ < <("$llvm_size" "$elf" | tail -n 1)
    flash[$engine]=$((text + data))
    ram[$engine]=$((data + bss))
    output[$engine]=$(timeout 300 cargo run --quiet --release --features "$features")
    printf 'opt-level %s: %s\n' "$opt_level" "${output[$engine]}" >&2
  done
  # The int8 model on this core, whose DSP instructions the host never
  # runs, must give TensorFlow Lite Micro's output on every input.
  timeout 300 cargo run --quiet --release --features tflite-micro-check |
    grep -F "int8 inputs whose output is TensorFlow Lite Micro's: 256 of 256" >&2

  stack_none=$(value none "stack bytes per inference")
  echo
  echo "Release profile, opt-level $opt_level, LTO, one codegen unit; $(rustc --version)."
  echo "Firmware without a model: ${flash[none]} bytes of flash, ${ram[none]} bytes of static RAM."
  echo
  echo "| sine model on a Cortex-M4F | constnet (f32) | constnet (int8, MicroFlow's model) | MicroFlow 0.1.3 (int8) | f32 / MicroFlow | int8 / MicroFlow |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  engines=(constnet constnet-int8 microflow)
  each() { for engine in "${engines[@]}"; do "$@" "$engine"; done; }
  instructions() { value "$1" "instructions per inference"; }
  flash_added() { echo $((flash[$1] - flash[none])); }
  ram_added() { echo $((ram[$1] - ram[none])); }
  stack_added() { echo $(($(value "$1" "stack bytes per inference") - stack_none)); }
  mse() { value "$1" "test MSE"; }
  row "instructions per inference" $(each instructions)
  row "flash added by the model, bytes" $(each flash_added)
  row "static RAM added by the model (.data + .bss), bytes" $(each ram_added)
  row "stack added by an inference, bytes" $(each stack_added)
  row "test MSE against sin(x), 1000 points in [0, 2π]" $(each mse)
done

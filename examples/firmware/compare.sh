#!/usr/bin/env bash
# constnet against MicroFlow on the models MicroFlow ships, on the same
# emulated Cortex-M4F, in one run: the TinyML sine model (1-16-16-1, ReLU)
# as constnet's f32 network and as MicroFlow's own int8 model written by
# constnet-import, and the micro_speech keyword model (a convolution of a
# 49 x 40 spectrogram, a dense layer, a softmax), int8, against MicroFlow
# compiling the same files: instructions per inference (SysTick under
# `-icount shift=0`), stack per inference (painted stack), and the flash
# and RAM the model adds to the same firmware (llvm-size of the firmware
# with the model less the firmware without it).
#
#   bash examples/firmware/compare.sh [OPT_LEVEL...]    (default: 3 s)
#
# Two tables per optimization level of the release profile: 3 is Cargo's
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

# MicroFlow's own models, from the crate's published source.
cargo fetch --quiet
microflow=$(cargo metadata --format-version 1 --features microflow |
  grep -o '"manifest_path":"[^"]*/microflow-0\.1\.3/Cargo.toml"' | sed 's/.*:"//; s/Cargo.toml"$//')
cp "${microflow}models/sine.tflite" sine.tflite
cp "${microflow}models/speech.tflite" speech.tflite

release=${CARGO_TARGET_DIR:-target}/thumbv7em-none-eabihf/release
value() { printf '%s\n' "${output[$1]}" | sed -n "s/^$2: //p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "–"; else printf "%.2f\n", a / b }'; }
row() {
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$(ratio "$2" "$4")" "$(ratio "$3" "$4")"
}
# Builds and runs binary $1 with each engine of the rest, filling flash,
# ram and output.
measure() {
  local binary=$1 engine features text data bss
  shift
  for engine in "$@"; do
    features=$([ "$engine" = none ] || echo "$engine")
    cargo build --quiet --release --bin "$binary" --features "$features"
    # Berkeley format: text (code, read-only data, vectors), data, bss.
    read -r text data bss _ < <("$llvm_size" "$release/$binary" | tail -n 1)
    flash[$engine]=$((text + data))
    ram[$engine]=$((data + bss))
    output[$engine]=$(timeout 300 cargo run --quiet --release --bin "$binary" --features "$features")
    printf 'opt-level %s, %s: %s\n' "$opt_level" "$binary" "${output[$engine]}" >&2
  done
}

for opt_level in "${opt_levels[@]}"; do
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=$opt_level
  declare -A flash=() ram=() output=()
  measure sine-compare none constnet constnet-int8 microflow
  # The int8 models on this core, whose DSP instructions the host never
  # runs, must give TensorFlow Lite Micro's outputs on every input.
  timeout 300 cargo run --quiet --release --bin sine-compare --features tflite-micro-check |
    grep -F "int8 inputs whose output is TensorFlow Lite Micro's: 256 of 256" >&2
  timeout 300 cargo run --quiet --release --bin speech --features tflite-micro-check |
    grep -F "spectrograms whose outputs are TensorFlow Lite Micro's: 64 of 64" >&2

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
  # What constnet promises against MicroFlow at opt-level 3, on its own
  # sine model: at most a third of its instructions, no more flash, no
  # more stack. A change that breaks the promise fails here.
  if [ "$opt_level" = 3 ]; then
    ours=("$(instructions constnet-int8)" "$(flash_added constnet-int8)" "$(stack_added constnet-int8)")
    theirs=("$(instructions microflow)" "$(flash_added microflow)" "$(stack_added microflow)")
    for figure in "${ours[@]}" "${theirs[@]}"; do
      [[ $figure =~ ^[0-9]+$ ]] || { echo "compare.sh: a figure is missing or not a count: '$figure'" >&2; exit 1; }
    done
    if ((3 * ours[0] > theirs[0] || ours[1] > theirs[1] || ours[2] > theirs[2])); then
      echo "compare.sh: the int8 sine model at opt-level 3 needs instructions, flash, stack" \
        "${ours[*]} against MicroFlow's ${theirs[*]}: over a third of its instructions, or" \
        "more flash or stack" >&2
      exit 1
    fi
  fi

  declare -A flash=() ram=() output=()
  measure speech none constnet-int8 microflow
  stack_none=$(value none "stack bytes per inference")
  echo
  echo "Firmware without a model: ${flash[none]} bytes of flash, ${ram[none]} bytes of static RAM."
  echo
  echo "| micro_speech model on a Cortex-M4F | constnet (int8, MicroFlow's model) | MicroFlow 0.1.3 (int8) | constnet / MicroFlow |"
  echo "| --- | ---: | ---: | ---: |"
  engines=(constnet-int8 microflow)
  pair() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
  pair "instructions per inference" $(each instructions)
  pair "flash added by the model, bytes" $(each flash_added)
  pair "static RAM added by the model (.data + .bss), bytes" $(each ram_added)
  pair "stack added by an inference, bytes" $(each stack_added)
  echo "probabilities for one spectrogram: constnet $(value constnet-int8 probabilities), MicroFlow $(value microflow probabilities)"
done

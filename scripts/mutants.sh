#!/usr/bin/env bash
# Mutation testing of the math with cargo-mutants (`cargo install
# cargo-mutants --locked`): every mutant of a file is built and run against
# the tests that check that file, and a mutant that no test catches is
# printed, unless mutants-equivalent.md explains why no test can.
#
#   scripts/mutants.sh                                # every file of .cargo/mutants.toml
#   scripts/mutants.sh src/loss.rs src/layer/pool.rs  # after a change: the files you touched
#   scripts/mutants.sh --iterate src/loss.rs          # again, only what was not caught
#   JOBS=2 scripts/mutants.sh src/optim/adam.rs       # two mutants at a time
#
# The whole run takes hours: it is no part of CI. Files are grouped by the
# test targets they need; each group's results are in
# target/mutants/GROUP/mutants.out/ (caught.txt, missed.txt, timeout.txt,
# unviable.txt, and a log per mutant under log/).
set -euo pipefail
cd "$(dirname "$0")/.."

# The group of a file, the test targets that check it and the tests of
# those to skip: what each mutant is built and tested with. The slow
# targets (the compile-fail tests, the generated architectures, the
# examples, the doc tests) are never built. The library's own tests of
# weight files, sources and parameter names read no math, and the kernels'
# property test only checks the kernels.
group_of() {
  local others="--skip io:: --skip source:: --skip params::"
  case "$1" in
    src/kernels/*) echo "kernels|--lib|$others" ;;
    src/layer/convolution.rs | src/layer/conv1d.rs | src/layer/conv2d.rs | \
      src/layer/depthwise.rs | src/layer/window.rs | src/layer/pool.rs)
      echo "windows|--lib --test conv --test quantize --test tflite|$others --skip kernels::" ;;
    src/layer/activation.rs | src/loss.rs) echo "pointwise|--test math --test nan --test gradients|" ;;
    src/layer/*)
      echo "layers|--test gradients --test conv --test param_grads --test network --test custom_layer|" ;;
    src/optim/*) echo "optim|--test optim|" ;;
    src/init.rs) echo "init|--test init|" ;;
    src/quant/*) echo "quant|--lib --test quantize --test quantize_network --test tflite|$others --skip kernels:: --skip layer::" ;;
    src/network.rs) echo "network|--test training_gradients --test network --test batch --test train|" ;;
    *)
      echo "scripts/mutants.sh: no test targets known for $1 (expected a file that" \
        ".cargo/mutants.toml does not exclude)" >&2
      return 1 ;;
  esac
}

# Arguments starting with `-` go to cargo-mutants (`--iterate` tests again
# only what the last run of the group did not catch; `--re=REGEX` only the
# mutants named so); the others are files.
files=()
options=()
for argument in "$@"; do
  case "$argument" in
    -*) options+=("$argument") ;;
    *) files+=("$argument") ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(cargo mutants --list-files)
fi

# Property tests draw the same cases on every run, so that a mutant caught
# once is caught again; a failure is not shrunk (only whether a test fails
# matters here) nor saved into the tree.
export PROPTEST_RNG_SEED=${PROPTEST_RNG_SEED:-20240607}
export PROPTEST_MAX_SHRINK_ITERS=0 PROPTEST_MAX_SHRINK_TIME=1
export PROPTEST_DISABLE_FAILURE_PERSISTENCE=1
# Mutants are built in a copy of the tree, into one target directory that
# every run shares: the dependencies are built once, and each mutant
# recompiles constnet and its tests incrementally. Not with more than one
# job: two mutants built into one directory overwrite each other's test
# binaries, and a mutant is then tested with the other's code. Each job
# then builds in its own copy, dependencies included.
if [ "${JOBS:-1}" -eq 1 ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/mutants/build}
fi

declare -A group_files group_targets group_skips
groups=()
for file in "${files[@]}"; do
  IFS='|' read -r group targets skips <<<"$(group_of "$file")"
  if [ -z "${group_files[$group]+set}" ]; then
    groups+=("$group")
    group_files[$group]=""
    group_targets[$group]=$targets
    group_skips[$group]=$skips
  fi
  group_files[$group]+=" --file $file"
done

start=$SECONDS
for group in "${groups[@]}"; do
  cargo_args=()
  for target in ${group_targets[$group]}; do
    cargo_args+=("--cargo-arg=$target")
  done
  echo "=== $group:${group_files[$group]//--file /} (tests: ${group_targets[$group]})"
  # Exit code 2 means mutants were missed, 3 that some timed out: the
  # summary below says which, so only other failures stop the run.
  mkdir -p "target/mutants/$group"
  # shellcheck disable=SC2086
  cargo mutants --jobs "${JOBS:-1}" --output "target/mutants/$group" "${options[@]}" \
    ${group_files[$group]} "${cargo_args[@]}" -- -- ${group_skips[$group]} || {
    status=$?
    [ $status -eq 2 ] || [ $status -eq 3 ] || exit $status
  }
done

echo
echo "=== summary ($(((SECONDS - start) / 60)) min)"
printf '%-10s %7s %7s %9s %8s\n' group caught missed unviable timeout
count() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
# Mutants are named with their line and column, which every edit shifts:
# mutants-equivalent.md is compared without them.
strip() { sed -E 's/([^ `:]+\.rs):[0-9]+:[0-9]+:/\1:/g'; }
unexplained=()
for group in "${groups[@]}"; do
  out=target/mutants/$group/mutants.out
  printf '%-10s %7s %7s %9s %8s\n' "$group" "$(count "$out/caught.txt")" \
    "$(count "$out/missed.txt")" "$(count "$out/unviable.txt")" "$(count "$out/timeout.txt")"
  while IFS= read -r mutant; do
    if ! grep -qF -- "\`$(strip <<<"$mutant")\`" <(strip <mutants-equivalent.md); then
      unexplained+=("$mutant")
    fi
  done <"$out/missed.txt"
done
if [ ${#unexplained[@]} -gt 0 ]; then
  echo
  echo "=== survivors that no test catches and mutants-equivalent.md does not explain"
  printf '%s\n' "${unexplained[@]}"
  exit 1
fi

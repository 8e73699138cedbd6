#!/usr/bin/env bash
# The workloads of `benches/workloads.rs` built twice: as a default build
# (no `-C target-cpu`: the kernels detect AVX2 and FMA at run time) and for
# this machine's CPU (`-C target-cpu=native`: chosen at compile time, and
# LLVM may use every instruction the CPU has). The two binaries run in
# turns, ROUNDS times each, so that both see the same load; the table gives
# the median of criterion's estimates and the ratio default ÷ native.
#
#   scripts/default-vs-native.sh            # ROUNDS=5
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

binary() { # target dir, then the cargo output with the bench executable's path
  cargo bench -j2 --bench workloads --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1
}
default=$(binary)
native=$(RUSTFLAGS="-C target-cpu=native" CARGO_TARGET_DIR=target/native binary)

# criterion's estimate, in nanoseconds, for each benchmark of one run
estimates() {
  "$1" --bench --warm-up-time 0.5 --measurement-time 1.5 --noplot 2>/dev/null |
    awk '/time:/ {
           name = ($1 == "time:") ? previous : $1
           split($0, parts, "[][]"); split(parts[2], v, " ")
           scale = (v[4] == "ns") ? 1 : (v[4] == "µs") ? 1e3 : (v[4] == "ms") ? 1e6 : 1e9
           print name, v[3] * scale
         }
         { previous = $1 }'
}
for round in $(seq 1 "$rounds"); do
  estimates "$default" >>"$out/default"
  estimates "$native" >>"$out/native"
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "| benchmark | default build | target-cpu=native | default ÷ native |"
echo "|---|---:|---:|---:|"
for name in $(awk '{ print $1 }' "$out/default" | awk '!seen[$0]++'); do
  d=$(awk -v n="$name" '$1 == n { print $2 }' "$out/default" | median)
  n=$(awk -v n="$name" '$1 == n { print $2 }' "$out/native" | median)
  awk -v name="$name" -v d="$d" -v n="$n" 'BEGIN {
    unit = (d < 1e3) ? "ns" : (d < 1e6) ? "µs" : "ms"; s = (unit == "ns") ? 1 : (unit == "µs") ? 1e3 : 1e6
    printf "| %s | %.3g %s | %.3g %s | %.2f |\n", name, d / s, unit, n / s, unit, d / n }'
done

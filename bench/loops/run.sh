#!/usr/bin/env bash
# Cost of loop probes on a loop-heavy program: counts only, counts + time of
# outermost loops, counts + time of every loop, against the uninstrumented
# build.  Variants run alternately; medians of per-round ratios.  Prints.
#   bench/loops/run.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bench_setup "${1:-}" "${2:-}" 7
$cc -O2 "$here/loopy.c" -o "$work/plain"
for v in counts outermost all; do
  bench_build_autoprof "$here/loopy.c" "$here/$v.yaml" "$work/$v"
done
export AUTOPROF_OUTPUT="$work/out" AUTOPROF_QUIET=1
python3 - "$work" "$rounds" <<'PY'
import statistics, subprocess, sys, time
work, rounds = sys.argv[1], int(sys.argv[2])
def run(v):
    t = time.perf_counter(); out = subprocess.run([f"{work}/{v}", "8"], check=True, capture_output=True).stdout
    return time.perf_counter() - t, out
variants = ["plain", "counts", "outermost", "all"]
ref = run("plain")[1]
for v in variants:
    if run(v)[1] != ref:
        sys.exit(f"{v}: output differs from the uninstrumented build")
times = {v: [] for v in variants}
for r in range(rounds):
    for v in variants:
        times[v].append(run(v)[0])
print(f"loop-heavy microbenchmark (bench/loops/loopy.c), {rounds} rounds, medians of per-round ratios")
print(f"{'variant':<40}{'time':>10}{'ratio':>9}")
labels = {"plain": "uninstrumented -O2", "counts": "loop counts only (timing: none)",
          "outermost": "counts + outermost loops timed", "all": "counts + every loop timed"}
for v in variants:
    ratio = statistics.median(a / b for a, b in zip(times[v], times["plain"]))
    print(f"{labels[v]:<40}{statistics.median(times[v]):>9.3f}s{ratio:>8.3f}x")
PY

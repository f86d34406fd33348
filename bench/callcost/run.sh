#!/usr/bin/env bash
# Per-call cost of an instrumented call: autoprof vs the uninstrumented build
# vs -finstrument-functions with an equivalent timing hook.  Builds the three
# variants, runs them alternately for several rounds, prints medians of
# per-round ratios and ns per instrumented call.  Not a test: it prints.
#   bench/callcost/run.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bench_setup "${1:-}" "${2:-}" 7
$cc -O2 "$here/calls.c" -o "$work/plain"
bench_build_autoprof "$here/calls.c" "$here/min0.yaml" "$work/autoprof"
$cc -O2 -finstrument-functions "$here/calls.c" "$here/finstrument_hook.c" -o "$work/finstr"

export AUTOPROF_OUTPUT="$work/out" AUTOPROF_QUIET=1
args=(30 10000000)
# calls made: fib(30) makes 2*fib(31)-1 = 2692537 calls, plus the leaf loop, plus main
calls=$((2692537 + ${args[1]} + 1))
python3 - "$work" "$rounds" "$calls" "${args[@]}" <<'PY'
import statistics, subprocess, sys, time
work, rounds, calls, args = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
def run(v):
    t = time.perf_counter(); subprocess.run([f"{work}/{v}"] + args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t
variants = ["plain", "autoprof", "finstr"]
for v in variants: run(v)  # warm up
times = {v: [] for v in variants}
for r in range(rounds):
    for v in variants:  # alternate, so drifts hit all variants alike
        times[v].append(run(v))
ratio = lambda v: statistics.median(a / b for a, b in zip(times[v], times["plain"]))
per_call = lambda v: statistics.median((a - b) / calls * 1e9 for a, b in zip(times[v], times["plain"]))
print(f"call-heavy microbenchmark: {calls:,} calls, {rounds} rounds, medians of per-round ratios")
print(f"{'variant':<34}{'time':>10}{'ratio':>9}{'ns/call added':>15}")
for v, label in [("plain", "uninstrumented -O2"), ("autoprof", "autoprof (min_size 0)"),
                 ("finstr", "-finstrument-functions + hook")]:
    print(f"{label:<34}{statistics.median(times[v]):>9.3f}s{ratio(v):>8.2f}x{per_call(v):>14.1f}")
print(f"autoprof per-call cost / -finstrument-functions per-call cost: {per_call('autoprof') / per_call('finstr'):.2f}")
PY

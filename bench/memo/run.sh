#!/usr/bin/env bash
# Memo probe: cost per candidate call (memo on vs off, same instrumentation
# otherwise) and memory under millions of distinct argument tuples.  Prints.
#   bench/memo/run.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
bench_setup "${1:-}" "${2:-}" 5
$cc -O2 "$here/memo_bench.c" -o "$work/plain"
for v in on off; do
  bench_build_autoprof "$here/memo_bench.c" "$here/memo_$v.yaml" "$work/memo_$v"
done
export AUTOPROF_OUTPUT="$work/out" AUTOPROF_QUIET=1
python3 - "$work" "$rounds" <<'PY'
import statistics, subprocess, sys, time, json
work, rounds = sys.argv[1], int(sys.argv[2])
N = 4000000
def run(v, distinct):
    t = time.perf_counter()
    out = subprocess.run([f"{work}/{v}", str(N), str(distinct)], check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t, int(out.split()[1])
for distinct, label in ((0, "16 distinct arguments"), (1, f"{N:,} distinct arguments")):
    times = {v: [] for v in ("plain", "memo_off", "memo_on")}
    rss = {}
    for r in range(rounds):
        for v in times:
            dt, kb = run(v, distinct)
            times[v].append(dt)
            rss[v] = kb
    per = statistics.median((a - b) / N * 1e9 for a, b in zip(times["memo_on"], times["memo_off"]))
    ratio = statistics.median(a / b for a, b in zip(times["memo_on"], times["memo_off"]))
    print(f"{label}: memo probe {per:.1f} ns per candidate call; memo on / off = {ratio:.3f}x; "
          f"instrumented / plain = {statistics.median(a / b for a, b in zip(times['memo_on'], times['plain'])):.2f}x; "
          f"peak RSS on/off: {rss['memo_on']} / {rss['memo_off']} KiB (+{rss['memo_on'] - rss['memo_off']} KiB)")
    subprocess.run([f"{work}/memo_on", "100000", str(distinct)], check=True, capture_output=True)
    prof = json.load(open(f"{work}/out.json"))
    m = prof["memo"][0]
    print(f"  evidence (100,000 calls): distinct {m['distinct']:,}, repeat rate {m['repeat_rate']:.3f}, "
          f"hits {[c['hits'] for c in m['caches']]}")
PY

#!/usr/bin/env bash
# Adaptive timing changes no count: the same compiled program run with
# AUTOPROF_EXACT_TIMING=1 and without gives the same calls per function and
# per call path, the same loop counts; the short functions were sampled
# (timed_calls < calls) in the second run only; untimed loops report no
# timed entries.
#   adaptive.sh CC PLUGIN_FLAGS_PREFIX PLUGIN RUNTIME_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
cc=$1 flag=$2 plugin=$3 rt=$4 src=$5 work=$6
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$cc" -O2 -g -fplugin="$plugin" "$flag-policy=$src/tests/e2e/progs/min0.yaml" \
  "$src/tests/e2e/adaptive/adaptive.c" -o prog -L"$rt" -Wl,-rpath,"$rt" -lautoprof
AUTOPROF_QUIET=1 AUTOPROF_EXACT_TIMING=1 AUTOPROF_OUTPUT="$work/exact" ./prog >exact.out
# a generous threshold: the test is about counts under sampling, on any machine
AUTOPROF_QUIET=1 AUTOPROF_SAMPLE_BELOW_NS=100000 AUTOPROF_OUTPUT="$work/adaptive" ./prog >adaptive.out
cmp exact.out adaptive.out
python3 - "$work/exact.json" "$work/adaptive.json" <<'PY'
import json, sys
ex, ad = (json.load(open(f)) for f in sys.argv[1:3])
def funcs(p): return {f["name"]: f for f in p["functions"]}
def paths(p):
    out = {}
    fn = [f["name"] for f in p["functions"]]
    for n in p["callpaths"]:
        names, k = [], n["id"]
        while k >= 0:
            names.append(fn[p["callpaths"][k]["func"]]); k = p["callpaths"][k]["parent"]
        key = ">".join(reversed(names))
        out[key] = out.get(key, 0) + n["calls"]
    return out
def loops(p): return sorted((l["function"], l["line"], l["entries"], l["iterations"],
                             l["min_trip"], l["max_trip"], l["zero_trip"]) for l in p["loops"])
fe, fa = funcs(ex), funcs(ad)
bad = [n for n in fe if fe[n]["calls"] != fa.get(n, {}).get("calls")]
if bad: sys.exit("FAIL: calls differ for %s" % bad)
if paths(ex) != paths(ad): sys.exit("FAIL: call paths differ:\n%s\n%s" % (paths(ex), paths(ad)))
if loops(ex) != loops(ad): sys.exit("FAIL: loops differ:\n%s\n%s" % (loops(ex), loops(ad)))
if fe["mix"]["calls"] != 5 * 200000 * 3 + sum(((r % 10)) for r in range(0, 200000, 64)) * 5:
    sys.exit("FAIL: mix calls %d" % fe["mix"]["calls"])
for n in fe:
    if fe[n]["timed_calls"] != fe[n]["calls"] or fe[n]["time_error"] != 0:
        sys.exit("FAIL: %s not timed on every call with AUTOPROF_EXACT_TIMING=1" % n)
for n in ("mix", "scan", "pair"):
    f = fa[n]
    if not 0 < f["timed_calls"] < f["calls"] / 8:
        sys.exit("FAIL: %s was not sampled: %s" % (n, f))
for l in ad["loops"]:
    if not l["timed"] and l["timed_entries"] != 0:
        sys.exit("FAIL: untimed loop with timed entries: %s" % l)
if not any(not l["timed"] for l in ad["loops"]):
    sys.exit("FAIL: no untimed loop to check")
if fa["main"]["timed_calls"] != 1 or fa["phase"]["timed_calls"] != 5:
    sys.exit("FAIL: long functions sampled: %s %s" % (fa["main"], fa["phase"]))
print("adaptive ok: %d calls, %d paths, %d loops identical; mix timed %d of %d" %
      (sum(f["calls"] for f in fe.values()), len(paths(ex)), len(loops(ex)),
       fa["mix"]["timed_calls"], fa["mix"]["calls"]))
PY

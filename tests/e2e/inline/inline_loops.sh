#!/usr/bin/env bash
# Loop records made inline (abi.h, "Inline loop counts") by the LLVM plugin:
#  - the instrumented functions read __autoprof_loop_tls (initial-exec TLS);
#  - per thread, records made inline + records made by probe calls = the
#    records the program makes, the first one a call (a new thread has no
#    counters yet), the others inline (inline_loops.c wraps the calls);
#  - the loop counts, merged over four threads, are exact;
# at -O0 and -O2, with untimed loops and with timed ones whose entries are
# sampled (an untimed entry of a timed loop is taken inline too).
#   inline_loops.sh CC PLUGIN RUNTIME_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
cc=$1 plugin=$2 rt=$3 src=$4 work=$5
here=$src/tests/e2e/inline
rm -rf "$work"
mkdir -p "$work"
cd "$work"
wrap=-Wl,--wrap=__autoprof_loop,--wrap=__autoprof_loop_nest,--wrap=__autoprof_loop_start
wrap=$wrap,--wrap=__autoprof_loop_timed
fail=0
for opt in O0 O2; do
  for policy in untimed timed; do
    flags=(-$opt -g -fplugin="$plugin" -fplugin-arg-autoprof-llvm-verify
           -fplugin-arg-autoprof-llvm-policy="$here/$policy.yaml" -I"$src/runtime/include")
    "$cc" "${flags[@]}" -c "$here/inline_loops.c" -o prog.o
    objdump -dr --no-show-raw-insn prog.o >prog.s
    for f in tiny nest wide; do
      body=$(awk -v f="<$f>:" '$2 == f {on=1; next} on && /^$/ {exit} on' prog.s)
      case "$body" in *R_X86_64_GOTTPOFF*__autoprof_loop_tls*) ;; *)
        echo "FAIL: $opt $policy: $f does not read __autoprof_loop_tls"; fail=1 ;; esac
    done
    "$cc" prog.o -o prog -L"$rt" -Wl,-rpath,"$rt" -lautoprof -lpthread "$wrap"
    # sampled: the timed loops' entries are mostly untimed (their skip runs)
    AUTOPROF_QUIET=1 AUTOPROF_SAMPLE_BELOW_NS=100000 AUTOPROF_OUTPUT="$work/$opt-$policy" \
      ./prog >"$opt-$policy.out"
    python3 - "$here/inline_loops.c" "$work/$opt-$policy.json" "$opt-$policy.out" \
      "$opt $policy" <<'PY' || fail=1
import json, re, sys
src, prof, out, what = sys.argv[1:5]
timed = what.endswith(" timed")
line = {m.group(1): i + 1 for i, l in enumerate(open(src))
        for m in [re.search(r"/\* LOOP (\w+) \*/", l)] if m}
bad = []
threads = [dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", l)) for l in open(out)]
if sorted(t["rounds"] for t in threads) != [800, 1000, 2000, 3000]:
    bad.append("threads: %s" % threads)
# per round: tiny (one entry), nest (outer entry + inner figures); a timed
# entry is two records (start, end) whichever way it is made
per_round = 5 if timed else 3
for t in threads:
    if t["inline"] + t["calls"] != per_round * t["rounds"]:
        bad.append("%s: inline %d + calls %d != %d records" %
                   (t, t["inline"], t["calls"], per_round * t["rounds"]))
    # main's counters exist from its entry probe (policy `always`); the
    # other threads start without
    if t["rounds"] != 800 and (t["inline_at_first"] != 0 or t["calls"] < 1):
        bad.append("%s: the thread's first record was not a call" % t)
    if t["inline"] < t["rounds"] or (not timed and t["calls"] > 3):
        bad.append("%s: records not made inline" % t)
rounds = 6800
want = {  # lens[] = 0 1 2 3 1 0 5 2; nest(1..4): i < n, j <= i
    "tiny": dict(entries=rounds // 8 * 6, iterations=rounds // 8 * 14, min_trip=1, max_trip=5,
                 zero_trip=rounds // 8 * 2),
    "outer": dict(entries=rounds, iterations=rounds // 4 * 10, min_trip=1, max_trip=4, zero_trip=0),
    "inner": dict(entries=rounds // 4 * 10, iterations=rounds // 4 * 20, min_trip=1, max_trip=4,
                  zero_trip=0),
}
loops = {l["line"]: l for l in json.load(open(prof))["loops"]}
for name, w in want.items():
    got = loops.get(line[name], {})
    if any(got.get(k) != v for k, v in w.items()):
        bad.append("loop %s (line %d): %s, want %s" % (name, line[name],
                   {k: got.get(k) for k in w}, w))
if timed and not any(l["timed_entries"] for l in loops.values()):
    bad.append("no timed entry at all")
for b in bad:
    print("FAIL: %s: %s" % (what, b))
if bad:
    sys.exit(1)
print("ok: %s: %s" % (what, ", ".join("%d rounds %d inline %d calls" %
                                       (t["rounds"], t["inline"], t["calls"]) for t in threads)))
PY
  done
done
[ $fail = 0 ] && echo "inline loops ok"
exit $fail

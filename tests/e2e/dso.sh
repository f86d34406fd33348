#!/usr/bin/env bash
# Instrumented code in shared libraries: one linked at build time, one
# dlopen'ed at run time.  Each registers its own site table (hidden section
# bounds per link unit); the profile holds every function with exact counts.
#   dso.sh GCC PLUGIN RUNTIME_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
cc=$1 plugin=$2 rt=$3 src=$4 work=$5
rm -rf "$work"
mkdir -p "$work"
cd "$work"
p=(-fplugin="$plugin" -fplugin-arg-autoprof-policy="$src/tests/e2e/progs/min0.yaml")
d="$src/tests/e2e/dso"
"$cc" -O2 -g -fPIC -shared "${p[@]}" "$d/lib.c" -o liblib.so -L"$rt" -lautoprof
"$cc" -O2 -g -fPIC -shared "${p[@]}" "$d/plug.c" -o plug.so -L"$rt" -lautoprof
"$cc" -O2 -g "${p[@]}" "$d/main.c" -o main -L. -llib -L"$rt" -Wl,-rpath,"$rt:$work" -lautoprof -ldl
AUTOPROF_OUTPUT="$work/out" ./main "$work/plug.so" >stdout.txt 2>stderr.txt
python3 - "$work/out.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
calls = {f["name"]: f["calls"] for f in p["functions"]}
want = {"main": 1, "lib_work": 10, "local_work": 10, "plugin_work": 7}
loops = {(l["function"], l["iterations"]) for l in p["loops"]}
if calls != want:
    sys.exit("FAIL: calls %s, expected %s" % (calls, want))
for need in [("lib_work", 1000), ("plugin_work", 700), ("local_work", 500)]:
    if need not in loops:
        sys.exit("FAIL: loop %s missing: %s" % (need, loops))
print("dso ok")
PY

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
"$cc" -O2 -g -fPIC -shared "${p[@]}" "$d/plug.c" -o plug.so -L"$rt" -Wl,-rpath,"$rt" -lautoprof
"$cc" -O2 -g "${p[@]}" "$d/main.c" -o main -L. -llib -L"$rt" -Wl,-rpath,"$rt:$work" -lautoprof -ldl
"$cc" -O2 -g "$d/host.c" -o host -ldl
AUTOPROF_OUTPUT="$work/out" ./main "$work/plug.so" >stdout.txt 2>stderr.txt
# the plugin unloaded (dlclose) before the report: it read the module's strings (SIGSEGV)
AUTOPROF_OUTPUT="$work/closed" ./main "$work/plug.so" close >stdout2.txt 2>stderr2.txt
AUTOPROF_OUTPUT="$work/host" ./host "$work/plug.so" >stdout3.txt 2>stderr3.txt
# three rounds of dlopen/dlclose: the runtime came and went with the plugin,
# writing the report at each dlclose (the last one held one round)
AUTOPROF_OUTPUT="$work/host3" ./host "$work/plug.so" 3 >stdout4.txt 2>stderr4.txt
[ "$(grep -c '^autoprof: wrote' stderr4.txt)" = 1 ] || { echo "FAIL: host3: not one report:"; cat stderr4.txt; exit 1; }
python3 - "$work" <<'PY'
import json, sys
def check(name, want, loops_want):
    p = json.load(open(sys.argv[1] + "/" + name + ".json"))
    calls = {f["name"]: f["calls"] for f in p["functions"]}
    loops = {(l["function"], l["iterations"]) for l in p["loops"]}
    if calls != want:
        sys.exit("FAIL: %s: calls %s, expected %s" % (name, calls, want))
    for need in loops_want:
        if need not in loops:
            sys.exit("FAIL: %s: loop %s missing: %s" % (name, need, loops))
both = {"main": 1, "lib_work": 10, "local_work": 10, "plugin_work": 7}
loops = [("lib_work", 1000), ("plugin_work", 700), ("local_work", 500)]
check("out", both, loops)
check("closed", both, loops)
check("host", {"plugin_work": 7}, [("plugin_work", 700)])
check("host3", {"plugin_work": 21}, [("plugin_work", 2100)])
print("dso ok")
PY

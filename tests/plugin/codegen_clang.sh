#!/usr/bin/env bash
# What the LLVM plugin (clang) does to the code, checked on the generated object:
#  - a tail call stays a tail call (sibcall `jmp`), with the exit probe before it;
#  - an inlined helper gets no probe;
#  - -fplugin-arg-autoprof-llvm-verbose explains every decision.
#   codegen_clang.sh CLANG PLUGIN SOURCE_DIR WORK_DIR
set -euo pipefail
cc=$1 plugin=$2 src=$3 work=$4
mkdir -p "$work"
cd "$work"
cat > tail.c <<'C'
volatile int sink;
__attribute__((noinline)) int helper(int x) { sink += x; return x * 3 + 1; }
__attribute__((noinline)) int tailer(int x) {
  sink += x;
  if (x > 100)
    return helper(x);
  return x + 2;
}
static inline int twice(int x) { return 2 * x; }
__attribute__((noinline)) int uses_twice(int x) { sink += twice(x); return sink; }
__attribute__((noinline, no_instrument_function)) int quiet(int x) { return x + sink; }
__attribute__((naked)) void bare(void) { __asm__("ret"); }
C
"$cc" -O2 -fplugin="$plugin" -fplugin-arg-autoprof-llvm-policy="$src/tests/plugin/min0.yaml" \
  -fplugin-arg-autoprof-llvm-verbose -fplugin-arg-autoprof-llvm-verify -c tail.c -o tail.o 2>verbose.txt
objdump -dr --no-show-raw-insn tail.o | grep -v -E "\snop" >tail.s
fail=0
body() { awk -v f="<$1>:" '$2 == f {on=1; next} on && /^$/ {exit} on' tail.s; }
# tailer: a jump to helper (LLVM may lay the sibcall block out before the
# return block), and an exit probe called before it
jump=$(body tailer | awk '/jmp/ {j=$0; next} j && /R_X86_64_PLT32.*helper/ {print j " " $NF; exit} {j=""}')
case "$jump" in *jmp*helper*) echo "ok: tailer keeps its sibcall: $jump" ;;
  *) echo "FAIL: tailer's tail call was not kept"; body tailer; fail=1 ;; esac
if grep -qE "R_X86_64_(PLT32|GOTPCRELX).*__autoprof_exit" <<<"$(body tailer)"; then echo "ok: tailer calls its exit probe"; else
  echo "FAIL: no exit probe in tailer"; fail=1; fi
# twice was inlined: no symbol, no probe of its own
if grep -q "<twice>:" tail.s; then echo "FAIL: twice was not inlined"; fail=1; else echo "ok: twice inlined, not probed"; fi
if grep -q "__autoprof" <<<"$(body quiet)"; then echo "FAIL: quiet is no_instrument_function but probed"; fail=1; else echo "ok: quiet not probed"; fi
expect() {
  if grep -qF -- "$1" verbose.txt; then echo "ok: verbose says: $1"; else
    echo "FAIL: verbose output lacks: $1"; cat verbose.txt; fail=1; fi
}
expect "tail.c:3: tailer: instrumented (included by functions.include '*'"
expect "tail.c:11: quiet: skipped (no_instrument_function attribute"
expect "tail.c:10: uses_twice: instrumented"
expect "tail.c:12: bare: skipped (naked function"
if grep -q "__autoprof" <<<"$(body bare)"; then echo "FAIL: bare is naked but probed"; fail=1; else echo "ok: bare not probed"; fi
# The marks the plugin leaves on loops for its loop pass (entries.cc: after
# rotation, at PipelineStart, in LoopIDs) change no optimisation: with a
# policy that instruments nothing (main keeps its probe), every other
# function's code and the set of debug sections are those of plain clang.
printf 'version: 1\nfunctions:\n  exclude: ["*"]\nloops:\n  enabled: false\nmemo:\n  enabled: false\n' >none.yaml
# function -> its instructions, addresses, jump targets and padding left out
funcs() {
  objdump -d --no-show-raw-insn "$1" | awk '
    /^[0-9a-f]+ <.*>:$/ { f = $2; next }
    f && NF { sub(/^ *[0-9a-f]+:[ \t]*/, ""); sub(/#.*/, ""); gsub(/[0-9a-f]+ <[^>]*>/, "<x>")
              if ($0 !~ /^(nop|xchg +%ax,%ax|data16|cs nopw)/) print f, $0 }' |
    grep -v -e '^<main>:' -e 'autoprof' -e '^<_GLOBAL__sub_I'
}
debug_sections() { readelf -SW "$1" | grep -o '\.debug[a-z_.]*' | sort -u | tr '\n' ' '; }
same=0
for f in "$src/tests/e2e/progs/loops.c" "$src/tests/plugin/vec/kernels.c"; do
  for opt in -O2 -O3; do
    for g in "" -g; do
      "$cc" $opt $g -w -c "$f" -o plain.o
      "$cc" $opt $g -w -fplugin="$plugin" -fplugin-arg-autoprof-llvm-policy=none.yaml -c "$f" -o marked.o
      if [ "$(funcs plain.o)" = "$(funcs marked.o)" ] &&
         [ "$(debug_sections plain.o)" = "$(debug_sections marked.o)" ]; then
        same=$((same + 1))
      else
        echo "FAIL: $(basename "$f") $opt $g: the plugin's marks changed the code"
        diff <(funcs plain.o) <(funcs marked.o) | head -5
        fail=1
      fi
    done
  done
done
echo "ok: $same compiles with the plugin's marks have the code of plain clang"
[ $fail = 0 ] && echo "codegen ok"
exit $fail

#!/usr/bin/env bash
# What the GCC plugin does to the code, checked on the generated object:
#  - a tail call stays a tail call (sibcall `jmp`), with the exit probe before it;
#  - an inlined helper gets no probe;
#  - -fplugin-arg-autoprof-verbose explains every decision.
#   codegen.sh GCC PLUGIN SOURCE_DIR WORK_DIR
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
"$cc" -O2 -fplugin="$plugin" -fplugin-arg-autoprof-policy="$src/tests/plugin/min0.yaml" \
  -fplugin-arg-autoprof-verbose -c tail.c -o tail.o 2>verbose.txt
objdump -dr --no-show-raw-insn tail.o | grep -v -E "\snop" >tail.s
fail=0
body() { awk -v f="<$1>:" '$2 == f {on=1; next} on && /^$/ {exit} on' tail.s; }
# tailer: the last instruction is a jump to helper, and an exit probe is called before it
last=$(body tailer | grep -v R_X86 | tail -1)
case "$last" in *jmp*helper*) echo "ok: tailer ends in a sibcall: $last" ;;
  *) echo "FAIL: tailer's tail call was not kept: $last"; fail=1 ;; esac
# (grep -q on captured text: with pipefail, a writer cut off by grep's early
# exit fails the pipeline, and the test would take the other branch)
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
# loop records inline (abi.h): an untimed loop's exit adds to the thread's
# counters through __autoprof_loop_tls; the call is only the slow path
cat > loop.c <<'C'
volatile int sink;
__attribute__((noinline)) int count(int n) { int s = 0; for (int i = 0; i < n; i++) s += i ^ sink; return s; }
C
printf 'version: 1\nloops:\n  timing: none\n' > untimed.yaml
"$cc" -O2 -fplugin="$plugin" -fplugin-arg-autoprof-policy=untimed.yaml -c loop.c -o loop.o
objdump -dr --no-show-raw-insn loop.o >loop.s
if grep -q "R_X86_64_GOTTPOFF.*__autoprof_loop_tls" <<<"$(awk '/<count>:/,/^$/' loop.s)"; then
  echo "ok: count's loop exit counts inline (initial-exec TLS)"; else
  echo "FAIL: no inline loop record in count"; fail=1; fi
calls=$(awk '/<count>:/,/^$/' loop.s | grep -c "R_X86_64_.*__autoprof_loop-" || true)
if [ "$calls" = 1 ]; then echo "ok: one slow-path call to __autoprof_loop"; else
  echo "FAIL: $calls references to __autoprof_loop in count (expected the slow path's 1)"; fail=1; fi
# a loop of more than 40 statements in a small function (size <= 160) is
# recorded inline too: the function is little more than its loop, so an
# entry is about as frequent as a call (zlib's longest_match)
cat > wide.c <<'C'
volatile int sink;
__attribute__((noinline)) long wide(int n) {
  long s = 0;
  for (int i = 0; i < n; i++) {
    s += sink * 3; s ^= sink + i; s -= sink >> 1; s += sink * 5; s ^= sink + 7;
    s -= sink >> 2; s += sink * 9; s ^= sink + 11; s -= sink >> 3; s += sink * 13;
    s ^= sink + 15; s -= sink >> 4; s += sink * 17; s ^= sink + 19; s -= sink >> 5;
  }
  return s;
}
C
"$cc" -O2 -fplugin="$plugin" -fplugin-arg-autoprof-policy=untimed.yaml -c wide.c -o wide.o
wide_asm=$(objdump -dr --no-show-raw-insn wide.o | awk '/<wide>:/,/^$/')
if grep -q "R_X86_64_GOTTPOFF.*__autoprof_loop_tls" <<<"$wide_asm"; then
  echo "ok: wide's big loop counts inline"; else
  echo "FAIL: no inline loop record in wide (a big loop of a small function)"; fail=1; fi
# a struct returned in registers and copied out after the tail call
# (`D = p; return D;` in a block of its own): the exit probe goes before the
# sibcall, never after it, where the jump skipped it
cat > pair.c <<'C'
typedef struct { long a, b; } pair;
pair make(pair p, int n);
void other(void);
pair maybe(pair p, int n) { if (n > 0) p = make(p, n); else other(); return p; }
C
"$cc" -O2 -fplugin="$plugin" -fplugin-arg-autoprof-policy="$src/tests/plugin/min0.yaml" \
  -c pair.c -o pair.o
objdump -dr --no-show-raw-insn pair.o | grep -v -E "\snop" >pair.s
# the sibcall: a jmp whose relocation names make; what comes before it
before_jmp=$(awk '/<maybe>:/,/^$/' pair.s |
  awk 'found {next} /R_X86_64_PLT32[ \t]+make-/ && prev ~ /jmp/ {found=1; next}
       {print; prev=$0} END {exit !found}') || # reads to the end: no SIGPIPE
  before_jmp=""
if [ -z "$before_jmp" ]; then
  echo "ok: maybe calls make (no sibcall)"
elif grep -q "__autoprof_exit" <<<"$before_jmp"; then
  echo "ok: maybe's exit probe runs before its sibcall to make"
else
  echo "FAIL: maybe jumps to make past its exit probe"; awk '/<maybe>:/,/^$/' pair.s; fail=1
fi
# a nest of more than 20 inner loops: each inner loop records at its own
# exits; nothing set or sent per inner loop at each entry of the nest (the
# old array of five slots per inner loop and its one call for all of them
# cost pcre2grep 7.3x)
"$cc" -O2 -fplugin="$plugin" -fplugin-arg-autoprof-policy="$src/tests/plugin/min0.yaml" \
  -c "$src/tests/e2e/progs/loop_big_nest.c" -o nest.o
objdump -dr nest.o >nest.s
if grep -q "__autoprof_loop_nests" nest.s; then
  echo "FAIL: a big nest still sends its inner loops' figures in one call per entry"; fail=1
else
  echo "ok: a big nest's inner loops record at their own exits"
fi
# every tree the plugin keeps across passes is a GC root: with a collection
# at every opportunity, an unmarked one was freed (an internal compiler
# error on sqlite3.c, and on any file with these parameters)
for f in tail.c loop.c wide.c pair.c; do
  if "$cc" -O2 -fplugin="$plugin" --param ggc-min-expand=0 --param ggc-min-heapsize=0 \
      -c "$f" -o gc.o 2>gc.err; then echo "ok: $f compiles with GC at every pass"; else
    echo "FAIL: $f with GC at every pass:"; head -5 gc.err; fail=1; fi
done
[ $fail = 0 ] && echo "codegen ok"
exit $fail

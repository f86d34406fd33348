#!/usr/bin/env bash
# The LLVM plugin's inline leaf calls (abi.h, "Inline leaf calls"), at -O0 and -O2:
#  - a static leaf (no call but intrinsics and the runtime's probes) has
#    AP_FUNC_LEAF (512) in its record, tests its slot against the run in
#    __autoprof_loop_tls at its entry (the inline path likely) and calls
#    __autoprof_enter_cond only on the slow path, its exit probes testing
#    the token PHI;
#  - a function that calls (directly, through a pointer) keeps the plain
#    entry probe and no flag; so do a memo candidate and main, leaves too.
#   leaf_inline_clang.sh CLANG PLUGIN SOURCE_DIR WORK_DIR
set -euo pipefail
cc=$1 plugin=$2 src=$3 work=$4
mkdir -p "$work"
cd "$work"
cat > leaf.c <<'C'
int ext(int);
volatile int sink;
int (*volatile fp)(int);
static int __attribute__((noinline)) leaf(int x) { return x * 3 + 1; }
/* a leaf with a loop (the loop pass's probes are there first) */
void __attribute__((noinline)) fill(int *a, int n) {
  for (int i = 0; i < n; i++)
    a[i] = i * n;
  sink = n;
}
static int __attribute__((noinline)) nonleaf(int x) { return ext(x) + leaf(x); }
static int __attribute__((noinline)) indirect(int x) { return fp(x) + 1; }
/* a pure leaf big enough to be a memo candidate (memo.min_size 12 below) */
int __attribute__((noinline)) poly(int x) {
  return ((((((x * 7 + 3) * x + 5) * x ^ 11) * x + 13) * x - 17) * x ^ 19) * x + 23;
}
int entry(int x, int *a) {
  fill(a, x);
  return leaf(x + sink) + nonleaf(x) + indirect(x) + poly(x);
}
C
printf 'int main(void) { return 0; }\n' >main.c
printf 'version: 1\nfunctions:\n  min_size: 0\nmemo:\n  min_size: 12\n' >policy.yaml
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
flags() { # flags of FUNC's record in IR file
  sed -n "s/^@__autoprof_site\.$2 = .*%struct\.ap_func_site { i32 \([0-9]*\),.*/\1/p" "$1"
}
body() { awk -v f="@$2(" 'index($0, "define ") == 1 && index($0, f) {on=1} on; on && /^}/ {exit}' "$1"; }
for opt in O0 O2; do
  ll=leaf.$opt.ll
  "$cc" -$opt -g -fno-discard-value-names -fplugin="$plugin" \
    -fplugin-arg-autoprof-llvm-policy=policy.yaml -fplugin-arg-autoprof-llvm-verify \
    -S -emit-llvm leaf.c -o $ll
  "$cc" -$opt -g -fplugin="$plugin" -fplugin-arg-autoprof-llvm-policy=policy.yaml \
    -fplugin-arg-autoprof-llvm-verify -S -emit-llvm main.c -o main.$opt.ll
  for f in leaf fill; do
    fl=$(flags $ll $f)
    if [ -n "$fl" ] && [ $((fl & 512)) != 0 ]; then ok "$opt: $f has AP_FUNC_LEAF ($fl)"; else
      bad "$opt: $f lacks AP_FUNC_LEAF (flags '$fl')"; fi
    b=$(body $ll $f)
    # the entry block (up to the first label) tests the slot, calls nothing
    entry=$(printf '%s\n' "$b" | awk 'NR > 2 && /^[A-Za-z0-9_.]+:/ {exit} {print}')
    if grep -q "__autoprof_loop_tls" <<<"$entry" &&
       ! grep -q "call .*@__autoprof_enter_cond" <<<"$entry" &&
       grep -qE "br i1 .*label %autoprof.leaf.inline, label %autoprof.leaf.call, .*!prof" <<<"$entry"; then
      ok "$opt: $f's entry tests its slot against __autoprof_loop_tls, no call"
      md=$(printf '%s\n' "$entry" | sed -n 's/.*label %autoprof.leaf.call, .*!prof \(![0-9]*\).*/\1/p')
      if grep -qxF "$md = !{!\"branch_weights\", i32 2000, i32 1}" $ll; then
        ok "$opt: $f's inline path is likely"
      else bad "$opt: $f's inline path is not marked likely ($md)"; fi
    else bad "$opt: $f's entry block is not the inline test"; printf '%s\n' "$entry"; fi
    slow=$(printf '%s\n' "$b" | awk '/^autoprof.leaf.call:/ {on=1; next} on && /^[A-Za-z0-9_.]+:/ {exit} on')
    if [ "$(printf '%s\n' "$b" | grep -c "call i32 @__autoprof_enter_cond")" = 1 ] &&
       grep -q "call i32 @__autoprof_enter_cond" <<<"$slow"; then
      ok "$opt: $f calls __autoprof_enter_cond only on the slow path"
    else bad "$opt: $f's __autoprof_enter_cond is not only on the slow path"; fi
    if grep -qE "%autoprof.token = phi i32 \[ 0, %autoprof.leaf.inline \], \[ %[^,]*, %autoprof.leaf.call \]" <<<"$b" &&
       grep -q "icmp ne i32 %autoprof.token, 0" <<<"$b"; then
      ok "$opt: $f's exit probes test the token PHI"
    else bad "$opt: $f's token is not the PHI the exits test"; fi
  done
  # poly is pure (a memo candidate) once FunctionAttrs ran: at -O2
  nonleaves="nonleaf indirect"
  [ $opt = O2 ] && nonleaves="$nonleaves poly"
  for f in $nonleaves; do
    fl=$(flags $ll $f)
    b=$(body $ll $f)
    if [ -n "$fl" ] && [ $((fl & 512)) = 0 ] && ! grep -q "__autoprof_loop_tls" <<<"$b" &&
       grep -q "call i32 @__autoprof_enter_cond" <<<"$b"; then
      ok "$opt: $f keeps the plain entry probe (flags $fl)"
    else bad "$opt: $f got the inline leaf path (flags '$fl')"; fi
  done
  fl=$(flags $ll poly)
  if [ $opt = O2 ]; then
    if [ -n "$fl" ] && [ $((fl & 4)) != 0 ]; then ok "$opt: poly is a memo candidate"; else
      bad "$opt: poly is no memo candidate (flags '$fl'): its check proves nothing"; fi
  fi
  fl=$(flags main.$opt.ll main)
  if [ -n "$fl" ] && [ $((fl & 128)) != 0 ] && [ $((fl & 512)) = 0 ] &&
     ! grep -q "__autoprof_loop_tls" main.$opt.ll; then ok "$opt: main (a leaf) keeps the plain probe"
  else bad "$opt: main got the inline leaf path (flags '$fl')"; fi
done
# -O2 x86-64 code: the leaf reads the TLS block (initial-exec) and its
# first conditional jump comes before the call of __autoprof_enter_cond
if [ "$(uname -m)" = x86_64 ]; then
  "$cc" -O2 -fplugin="$plugin" -fplugin-arg-autoprof-llvm-policy=policy.yaml -c leaf.c -o leaf.o
  objdump -dr --no-show-raw-insn leaf.o >leaf.s
  asm() { awk -v f="<$1>:" '$2 == f {on=1; next} on && /^$/ {exit} on' leaf.s; }
  order=$(asm leaf | awk '/\tj[a-z]+ / && $0 !~ /\tjmp / && !j {j=NR}
                          /__autoprof_enter_cond/ && !c {c=NR} END {print j + 0, c + 0}')
  if grep -q "R_X86_64_GOTTPOFF.*__autoprof_loop_tls" <<<"$(asm leaf)" &&
     [ "${order% *}" -gt 0 ] && [ "${order% *}" -lt "${order#* }" ]; then
    ok "O2 asm: leaf tests __autoprof_loop_tls before any call"
  else bad "O2 asm: leaf's inline path missing"; asm leaf; fi
  if grep -q "__autoprof_loop_tls" <<<"$(asm nonleaf)"; then bad "O2 asm: nonleaf reads __autoprof_loop_tls"; else
    ok "O2 asm: nonleaf does not read __autoprof_loop_tls"; fi
fi
[ $fail = 0 ] && echo "leaf inline ok"
exit $fail

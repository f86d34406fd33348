#!/usr/bin/env bash
# The plugin's loop counters must leave vectorization alone: the loops GCC
# reports as vectorized (-O3 -fopt-info-vec-optimized) are the same with and
# without the plugin, on our kernels and on the loop-heavy examples.
# For clang (KIND clang) the same with -O3 -Rpass=loop-vectorize and the
# LLVM plugin.
#   vectorize.sh CC PLUGIN SOURCE_DIR [gcc|clang]
set -euo pipefail
cc=$1 plugin=$2 src=$3 kind=${4:-gcc}
report=-fopt-info-vec-optimized
[ "$kind" = clang ] && report=-Rpass=loop-vectorize
status=0
for f in "$src/tests/plugin/vec/kernels.c" "$src/tests/e2e/progs/loops.c" \
         "$src/examples/hotspots/hotspots.c"; do
  plain=$("$cc" -O3 $report -c "$f" -o /dev/null 2>&1 | sort)
  probed=$("$cc" -O3 $report -fplugin="$plugin" -c "$f" -o /dev/null 2>&1 | sort)
  n=$(printf '%s\n' "$plain" | grep -c "vectorized" || true)
  if [ "$plain" != "$probed" ]; then
    echo "FAIL: $(basename "$f"): vectorization changed with the plugin"
    diff <(printf '%s\n' "$plain") <(printf '%s\n' "$probed") || true
    status=1
  else
    echo "ok: $(basename "$f"): the same $n vectorized loop(s)"
  fi
done
[ $status = 0 ] && echo "vectorization unchanged"
exit $status

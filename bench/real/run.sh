#!/usr/bin/env bash
# autoprof against its peers on real programs: bzip2, Lua 5.4 and zlib's
# minigzip, fetched from Debian's source packages (nothing of theirs is kept
# in this repository), each built uninstrumented, with autoprof (default
# policy / every function / loop counts only), -finstrument-functions with an
# equivalent hook, gprof, uftrace and LLVM XRay; run alternately; one table
# per program.  Prints; never fails on a time.  See docs/performance.md.
#   bench/real/run.sh [BUILD_DIR] [ROUNDS]
# Environment: BENCH_PROGRAMS=bzip2,lua,zlib (a subset), BENCH_CACHE (where
# sources are fetched and kept; default ~/.cache/autoprof-bench),
# BENCH_CALLGRIND=0 (skip the callgrind runs), BENCH_VERBOSE=1
# (per-round times), BENCH_KEEP=1 (keep the builds and outputs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
rounds=${2:-5}
cache=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/autoprof-bench}
programs=${BENCH_PROGRAMS:-bzip2,lua,zlib}
# tmpfs when there is one: peers write hundreds of MiB a run, and the disk
# writing them back in the background would slow the next variant down
work=$(mktemp -d -p "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
if [ -n "${BENCH_KEEP:-}" ]; then echo "work dir kept: $work"; else trap 'rm -rf "$work"' EXIT; fi

declare -A package=([bzip2]=bzip2 [lua]=lua5.4 [zlib]=zlib)
srcs=()
for p in ${programs//,/ }; do
  [ -n "${package[$p]:-}" ] || { echo "run.sh: unknown program '$p' (known: ${!package[*]})" >&2; exit 2; }
  dir=$("$root/scripts/fetch-debian-src.sh" "${package[$p]}" "$cache/${package[$p]}")
  srcs+=(--src "$p=$dir")
done
cc -O2 -o "$work/runone" "$here/runone.c"
cc -O2 -o "$work/clockcost" "$here/clockcost.c"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); gcc $(gcc -dumpfullversion); load $(cut -d' ' -f1-3 /proc/loadavg)"
"$work/clockcost"
PYTHONDONTWRITEBYTECODE=1 python3 "$here/bench.py" --build "$build" --rounds "$rounds" --work "$work" --runone "$work/runone" \
  --programs "$programs" --callgrind "${BENCH_CALLGRIND:-1}" "${srcs[@]}"

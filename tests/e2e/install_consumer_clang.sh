#!/usr/bin/env bash
# The installed tree used from clang: pkg-config autoprof-clang, and
# find_package(autoprof) with CMAKE_C_COMPILER=clang (autoprof::instrument
# must pick autoprof-llvm.so and the -fplugin-arg-autoprof-llvm-policy form).
#   install_consumer_clang.sh BUILD_DIR SOURCE_DIR WORK_DIR CLANG
set -euo pipefail
build=$1 src=$2 work=$3 cc=$4
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in lib/autoprof/autoprof-llvm.so lib/pkgconfig/autoprof-clang.pc; do
  [ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(realpath "$(pkg-config --variable=clang_plugin autoprof)")" = \
  "$(realpath "$prefix/lib/autoprof/autoprof-llvm.so")" ] ||
  { echo "FAIL: autoprof.pc has no clang_plugin variable"; exit 1; }
cd "$work"
"$cc" -O2 -g $(pkg-config --cflags autoprof-clang) -c "$src/examples/hotspots/hotspots.c" -o hotspots.o
"$cc" hotspots.o $(pkg-config --libs autoprof-clang) -o hotspots
AUTOPROF_OUTPUT="$work/pc.%n" ./hotspots 2000 >/dev/null 2>err.txt
grep -q '"name": "sort_records"' "$work/pc.hotspots.json" ||
  { echo "FAIL: sort_records not profiled from the pkg-config clang build"; cat err.txt; exit 1; }

cmake -S "$src/examples/cmake-consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_COMPILER="$cc" >/dev/null
cmake --build "$work/consumer" -v >build.txt 2>&1
grep -q -- "-fplugin=.*autoprof-llvm.so.*-fplugin-arg-autoprof-llvm-policy=" build.txt ||
  { echo "FAIL: autoprof::instrument did not give clang the LLVM plugin and its policy"; exit 1; }
AUTOPROF_OUTPUT="$work/cm.%n" "$work/consumer/consumer" >/dev/null 2>err.txt
grep -q '"name": "collatz_steps", "file": "[^"]*main.c", "line": 3, "calls": 99999' "$work/cm.consumer.json" ||
  { echo "FAIL: collatz_steps not profiled with 99999 calls"; grep collatz "$work/cm.consumer.json"; exit 1; }
echo "clang install and consumers ok"

#!/usr/bin/env bash
# Install autoprof from a build tree into a temp prefix, then use it the two
# documented ways: pkg-config with plain gcc, and find_package from CMake
# (examples/cmake-consumer).  Each must give a program that writes a profile.
#   install_consumer.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/autoprof lib/libautoprof.a lib/libautoprof.so lib/autoprof/autoprof.so \
         include/autoprof/autoprof.h include/autoprof/abi.h lib/pkgconfig/autoprof.pc \
         lib/cmake/autoprof/autoprofConfig.cmake; do
  [ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done

# pkg-config: one flag to compile, one to link
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags autoprof)
plugin=$(printf '%s\n' $cflags | sed -n 's/^-fplugin=//p')
[ "$(realpath "$plugin")" = "$(realpath "$prefix/lib/autoprof/autoprof.so")" ] ||
  { echo "FAIL: pkg-config --cflags gives '$cflags'"; exit 1; }
cd "$work"
gcc -O2 -g $cflags -c "$src/examples/hotspots/hotspots.c" -o hotspots.o
gcc hotspots.o $(pkg-config --libs autoprof) -o hotspots
AUTOPROF_OUTPUT="$work/pc.%n" ./hotspots 2000 >/dev/null 2>err.txt
[ -s "$work/pc.hotspots.json" ] && [ -s "$work/pc.hotspots.txt" ] || { echo "FAIL: no profile from the pkg-config build"; cat err.txt; exit 1; }
grep -q '"name": "sort_records"' "$work/pc.hotspots.json" || { echo "FAIL: sort_records not profiled"; exit 1; }
"$prefix/bin/autoprof" report "$work/pc.hotspots.json" >/dev/null

# CMake: find_package(autoprof) + autoprof::instrument
cmake -S "$src/examples/cmake-consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
AUTOPROF_OUTPUT="$work/cm.%n" "$work/consumer/consumer" >/dev/null 2>err.txt
grep -q '"name": "collatz_steps", "file": "[^"]*main.c", "line": 3, "calls": 99999' "$work/cm.consumer.json" ||
  { echo "FAIL: collatz_steps not profiled with 99999 calls"; grep collatz "$work/cm.consumer.json"; exit 1; }
echo "install and consumers ok"

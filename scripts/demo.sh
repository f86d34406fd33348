#!/usr/bin/env bash
# Profile an example on a fresh Debian machine: installs dependencies, builds
# and installs autoprof into ./_install, compiles examples/hotspots with one
# flag (via pkg-config), runs it and prints its hint report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
prefix="$PWD/_install"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)"
cmake --install build >/dev/null

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
work="$PWD/demo-out"
src="$PWD/examples/hotspots"
mkdir -p "$work"
cd "$work"
gcc -O2 -g $(pkg-config --cflags autoprof) -fplugin-arg-autoprof-policy="$src/policy.yaml" \
  -c "$src/hotspots.c" -o hotspots.o
gcc hotspots.o $(pkg-config --libs autoprof) -o hotspots
AUTOPROF_OUTPUT="$work/autoprof.%n" ./hotspots
echo
echo "===== $work/autoprof.hotspots.txt ====="
cat "$work/autoprof.hotspots.txt"

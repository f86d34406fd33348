#!/usr/bin/env bash
# Installs what autoprof needs to build and test on Debian/Ubuntu: the plugin
# headers of the installed gcc, libyaml, jansson, CMake, ...  Idempotent: only
# missing packages are installed.  Usage: scripts/setup.sh [--test]
set -euo pipefail

need=(build-essential cmake pkg-config libyaml-dev libjansson-dev)
# the LLVM plugin for clang (autoprof-llvm.so): LLVM 14 and clang's headers
need+=(clang-14 llvm-14-dev libclang-14-dev libclang-cpp14-dev)
command -v gcc >/dev/null 2>&1 || need+=(gcc g++)
if [ "${1:-}" = "--test" ]; then
  need+=(valgrind python3)
fi

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi

missing=()
for p in "${need[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || ! command -v gcc >/dev/null 2>&1; then
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The GCC plugin is built for the gcc that is installed: its headers come
# from gcc-<major>-plugin-dev of exactly that major version.
major=$(gcc -dumpversion | cut -d. -f1)
if [ ! -f "$(gcc -print-file-name=plugin)/include/gcc-plugin.h" ]; then
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "gcc-${major}-plugin-dev" >/dev/null
fi
echo "setup: gcc ${major} with plugin headers, clang 14 with LLVM/clang headers, libyaml, jansson, cmake ready"

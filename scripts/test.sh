#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs dependencies,
# builds, runs every CTest test, then the sanitizer builds.
#   scripts/test.sh              everything
#   AUTOPROF_TEST_QUICK=1 ...    skip the sanitizer builds
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

if [ -z "${AUTOPROF_TEST_QUICK:-}" ]; then
  # Our own C (runtime, policy, tools) under ASan+UBSan, then TSan; the
  # labels that exercise it: unit, cli, fuzz, and e2e through the runtime.
  for san in address,undefined thread; do
    dir="build-san-${san%%,*}"
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DAUTOPROF_SANITIZE="$san" >/dev/null
    cmake --build "$dir" -j"$jobs"
    (cd "$dir" && ctest --output-on-failure -j"$jobs" -L 'unit|cli|fuzz|e2e')
  done
fi

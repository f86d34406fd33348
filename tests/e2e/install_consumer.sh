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
# -flto: the code is compiled (and instrumented) at the link, which
# pkg-config --libs gives the plugin too (it made no profile, silently)
gcc -O2 -flto $cflags -c "$src/examples/hotspots/hotspots.c" -o hotspots_lto.o
gcc -O2 -flto hotspots_lto.o $(pkg-config --libs autoprof) -o hotspots_lto
AUTOPROF_OUTPUT="$work/lto.%n" ./hotspots_lto 2000 >/dev/null 2>err.txt
grep -q '"name": "sort_records"' "$work/lto.hotspots_lto.json" ||
  { echo "FAIL: no profile of sort_records from the -flto build"; cat err.txt; exit 1; }

# CMake: find_package(autoprof) + autoprof::instrument
cmake -S "$src/examples/cmake-consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
AUTOPROF_OUTPUT="$work/cm.%n" "$work/consumer/consumer" >/dev/null 2>err.txt
grep -q '"name": "collatz_steps", "file": "[^"]*main.c", "line": 3, "calls": 99999' "$work/cm.consumer.json" ||
  { echo "FAIL: collatz_steps not profiled with 99999 calls"; grep collatz "$work/cm.consumer.json"; exit 1; }
# A CMake project nobody edited (quickstart's recipe): the plugin in
# CMAKE_C_FLAGS, the runtime in the linker flags, which CMake's compiler
# check uses too; a shared library and a program using it
mkdir -p "$work/toy"
cat >"$work/toy/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.13)
project(toy C)
add_library(toyl SHARED lib.c)
add_executable(toy main.c)
target_link_libraries(toy toyl)
CM
printf 'int work(int n) {\n  int s = 0;\n  for (int i = 0; i < n; i++)\n    s += i %% 7;\n  return s;\n}\n' >"$work/toy/lib.c"
printf '#include <stdio.h>\nint work(int);\nint main(void) {\n  int s = 0;\n  for (int i = 0; i < 50; i++)\n    s += work(1000);\n  printf("%%d\\n", s);\n  return 0;\n}\n' >"$work/toy/main.c"
dir=$(pkg-config --variable=libdir autoprof)
rt="-Wl,--no-as-needed -L$dir -Wl,-rpath,$dir -lautoprof -lpthread -Wl,--as-needed"
AUTOPROF_DISABLE=1 cmake -S "$work/toy" -B "$work/toy/build" -DCMAKE_C_FLAGS="-O2 $cflags" \
  -DCMAKE_EXE_LINKER_FLAGS="$rt" -DCMAKE_SHARED_LINKER_FLAGS="$rt" \
  -DCMAKE_MODULE_LINKER_FLAGS="$rt" >toy.txt 2>&1 || { echo "FAIL: the recipe's configure"; cat toy.txt; exit 1; }
cmake --build "$work/toy/build" >>toy.txt 2>&1 || { echo "FAIL: the recipe's build"; cat toy.txt; exit 1; }
AUTOPROF_OUTPUT="$work/toy.%n" "$work/toy/build/toy" >/dev/null 2>err.txt
grep -q '"name": "work", "file": "[^"]*lib.c", "line": 1, "calls": 50' "$work/toy.toy.json" ||
  { echo "FAIL: the recipe's library not profiled"; grep '"work"' "$work/toy.toy.json"; exit 1; }

echo "install and consumers ok"

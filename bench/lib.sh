# Shared set-up of the bench/*/run.sh scripts (sourced, not run).
#   bench_setup BUILD_DIR ROUNDS DEFAULT_ROUNDS
# sets: build, rounds, plugin (the GCC plugin), rtdir (libautoprof.so's
# folder), work (a temp dir removed at exit), cc; and defines
#   bench_build_autoprof SRC POLICY OUT   (compile and link with autoprof)
bench_setup() {
  build=$(cd "${1:-$here/../../build}" && pwd)
  rounds=${2:-$3}
  plugin="$build/lib/autoprof/autoprof.so"
  rtdir=$(dirname "$(find "$build/runtime" -name 'libautoprof.so' | head -1)")
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cc=${CC:-gcc}
}

bench_build_autoprof() {
  $cc -O2 -fplugin="$plugin" -fplugin-arg-autoprof-policy="$2" "$1" \
    -L"$rtdir" -Wl,-rpath,"$rtdir" -lautoprof -lpthread -o "$3"
}

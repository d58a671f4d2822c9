#!/usr/bin/env bash
# Runs every bankrec test: installs dependencies, builds the release and the ASan+UBSan
# configurations, runs ctest on both, then a short libFuzzer smoke run of every parser.
# Usage: tests/run.sh            (from anywhere; build trees go to build/ and build-asan/)
#        BANKREC_SKIP_ASAN=1 ... (developer shortcut; CI runs everything)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash packaging/install-deps.sh

jobs=$(nproc)
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/bankrec-ccache}"
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1  # cache hits across checkouts in other folders
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-2G}"

build_and_test() {
  local dir=$1; shift
  echo "== configure $dir"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  echo "== build $dir"
  cmake --build "$dir" -j "$jobs"
  echo "== test $dir"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600)
}

build_and_test build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ -z "${BANKREC_SKIP_ASAN:-}" ]; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    build_and_test build-asan -DCMAKE_BUILD_TYPE=Debug -DBANKREC_SANITIZE=ON -DBANKREC_BENCH=OFF
fi
if [ -z "${BANKREC_SKIP_FUZZ:-}" ] && [ -n "$(ls tests/fuzz/*.cpp 2>/dev/null)" ]; then
  echo "== fuzz smoke"
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBANKREC_FUZZ=ON \
    -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
  # Only the fuzz targets (and the few modules they link) are built with clang.
  cmake --build build-fuzz -j "$jobs" --target $(cd tests/fuzz && ls *_fuzz.cpp | sed 's/_fuzz.cpp//; s/^/fuzz_/')
  (cd build-fuzz && ctest --output-on-failure -L fuzz --timeout 600)
fi
echo "== all tests passed"

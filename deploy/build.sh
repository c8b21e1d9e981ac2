#!/usr/bin/env bash
# Configures and builds cast with Ninja (and ccache when present), then
# prints the build folder.
#   deploy/build.sh                  -> build/          (RelWithDebInfo), every target
#   deploy/build.sh --sanitize       -> build-sanitize/ (ASan + UBSan)
#   deploy/build.sh --tsan           -> build-tsan/     (clang + ThreadSanitizer, -O1 with line tables: the suite is slow under it)
#   deploy/build.sh [--sanitize|--tsan] T.. -> only targets T.. (run.sh: what `cast run` needs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/build
flags=()
if [[ "${1:-}" == "--sanitize" ]]; then
  dir=$root/build-sanitize
  flags+=(-DCAST_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  shift
elif [[ "${1:-}" == "--tsan" ]]; then
  dir=$root/build-tsan
  # clang's runtime (compiler-rt) is the reference TSan. Line tables are all
  # a report's stacks need, and with -O1 cut the cold build by about a third.
  flags+=(-DCAST_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++
          "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only -DNDEBUG")
  shift
fi
targets=()
for target in "$@"; do targets+=(--target "$target"); done
# ccache keyed on paths relative to the checkout, so a fresh clone (CI)
# reuses what an earlier build on this machine compiled.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
jobs=$(nproc)
# Beast and gRPC translation units take over 1 GiB each; keep headroom.
mem_jobs=$(( $(awk '/MemAvailable/ {print $2}' /proc/meminfo) / 1500000 ))
if (( mem_jobs < jobs )); then jobs=$(( mem_jobs > 0 ? mem_jobs : 1 )); fi
# A cold build takes about 4 GB; a full disk otherwise shows up as a
# linker error deep in the log.
mkdir -p "$dir"
free_kb=$(df -Pk "$dir" | awk 'NR == 2 {print $4}')
if (( free_kb < 4 * 1024 * 1024 )); then
  echo "deploy/build.sh: only $(( free_kb / 1024 )) MB free under $dir; a cold build needs about 4 GB" >&2
fi
cmake -S "$root" -B "$dir" -G Ninja "${flags[@]}" >&2
cmake --build "$dir" -j "$jobs" "${targets[@]}" >&2
echo "$dir"

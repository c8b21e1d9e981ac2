#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, coverage) in
# build-fuzz/ and runs each for a bounded time over its seed corpus.
#   deploy/fuzz.sh [SECONDS]   default 60 s per target
# ctest runs it as fuzz.worker_messages (label fuzz). Exits non-zero when a
# target finds a crash, leak or hang (the input is left in
# build-fuzz/findings/), 77 (skipped) when clang or its fuzzer runtime is
# missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
dir=$root/build-fuzz
if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  echo "fuzz: clang++ or libclang-rt (the fuzzer runtime) is missing (deploy/install-deps.sh installs both); skipped" >&2
  exit 77
fi
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
if [[ ! -f $dir/build.ninja ]]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -G Ninja -DCAST_FUZZ=ON -DBUILD_TESTING=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
cmake --build "$dir" --target cast-fuzz-worker-messages -j 2 >&2
mkdir -p "$dir/findings" "$dir/corpus/worker_messages"
# The committed seeds stay untouched; what the fuzzer learns goes to build-fuzz/.
"$dir/bin/cast-fuzz-worker-messages" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$dir/findings/" -print_final_stats=1 \
  "$dir/corpus/worker_messages" "$root/tests/fuzz/corpus/worker_messages"

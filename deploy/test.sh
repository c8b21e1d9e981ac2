#!/usr/bin/env bash
# Sets up everything (packages, build) and runs every test through ctest.
# Extra arguments go to ctest, e.g. `deploy/test.sh -R integration.reference`.
#   CAST_SANITIZE=1 deploy/test.sh   runs the suite under ASan + UBSan.
#   CAST_TSAN=1 deploy/test.sh       runs it under ThreadSanitizer (slow: e.g. -L 'unit|integration').
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/install-deps.sh"
if [[ "${CAST_SANITIZE:-0}" == 1 ]]; then
  dir=$("$root/deploy/build.sh" --sanitize | tail -n 1)
  export LSAN_OPTIONS="suppressions=$root/tests/sanitizer/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1"
elif [[ "${CAST_TSAN:-0}" == 1 ]]; then
  dir=$("$root/deploy/build.sh" --tsan | tail -n 1)
  # A race report fails the test (exitcode 66), also in child processes.
  # ignore_noninstrumented_modules: libc calls made from Debian's gRPC and
  # Abseil (not built with TSan) are not checked (tests/sanitizer/README.md).
  # external_symbolizer_path: the symbolizer runs in its own session, out of
  # reach of a signal a test sends the process group (tests/sanitizer/llvm-symbolizer).
  export TSAN_OPTIONS="suppressions=$root/tests/sanitizer/tsan.supp:halt_on_error=0:exitcode=66:second_deadlock_stack=1:ignore_noninstrumented_modules=1:external_symbolizer_path=$root/tests/sanitizer/llvm-symbolizer"
  # TSan runs everything several times slower: tests stretch the liveness
  # deadlines they set by this factor (tests/support/time_scale.h).
  export CAST_TEST_TIME_SCALE=${CAST_TEST_TIME_SCALE:-10}
  # The programs an e2e test starts keep the product's own deadlines (a
  # worker silent 1.5 s is lost), which two TSan-slowed tests side by side
  # can miss on 2 cores: one test at a time unless told otherwise.
  jobs=${CAST_TEST_JOBS:-1}
else
  dir=$("$root/deploy/build.sh" | tail -n 1)
fi
cd "$dir"
ctest --output-on-failure --timeout 900 -j "${jobs:-${CAST_TEST_JOBS:-2}}" "$@"

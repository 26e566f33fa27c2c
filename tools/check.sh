#!/usr/bin/env bash
# The whole test suite (the README's test command, and what CI runs):
# installs what is missing, builds with warnings as errors, runs the C unit
# tests and the lit suite, and ends with one line "total: N passed, N failed".
#   DLC_BUILD_DIR   build directory (default: build)
#   DLC_SANITIZE=1  build and test with ASan + UBSan (separate build dir)
set -uo pipefail
cd "$(dirname "$0")/.."

build=${DLC_BUILD_DIR:-build}
cmake_flags=(-DDLC_WERROR=ON)
if [ "${DLC_SANITIZE:-0}" = 1 ]; then
  build=${DLC_BUILD_DIR:-build-asan}
  cmake_flags+=(-DDLC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

tools/deps.sh || exit 1
cmake -S . -B "$build" "${cmake_flags[@]}" >/dev/null || exit 1
cmake --build "$build" -j"$(nproc)" || exit 1

passed=0 failed=0
# count "N passed, M failed" (ours) or lit's "Passed: N" / "Failed: N" lines
tally() {
  local out=$1
  local p f
  p=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 | grep -Eo '^[0-9]+')
  f=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1 | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+')
  if [ -z "$p" ]; then # lit
    p=$(awk '/^ *(Passed|Expectedly Failed) *: *[0-9]+/ {sub(/.*: */, ""); s += $1} END {print s + 0}' "$out")
    f=$(awk '/^ *(Failed|Unexpectedly Passed|Unresolved|Timed Out) *: *[0-9]+/ {sub(/.*: */, ""); s += $1} END {print s + 0}' "$out")
  fi
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

run_suite() { # name, command...
  local name=$1; shift
  local out; out=$(mktemp)
  echo "== $name"
  "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  tally "$out"
  # a suite that crashed before reporting counts as one failure
  if [ "$rc" -ne 0 ] && ! grep -Eq '[1-9][0-9]* failed|Failed: *[1-9]' "$out"; then
    failed=$((failed + 1))
  fi
  rm -f "$out"
}

# the pinned Python test tooling (onnx, onnxruntime) for reference checks
test_python=$(tools/venv.sh test) || exit 1

run_suite unit "$build/test/dlc-unit"
run_suite lit python3 /usr/lib/llvm-14/build/utils/lit/lit.py -sv --no-progress-bar \
  --param test_python="$test_python" "$build/test"
# ONNX backend node tests (docs/conformance.md; data generated once into the
# cache): a test in test/conformance/expected_pass.txt that stops passing, a
# crash or a timeout fails
run_suite conformance "$test_python" test/conformance/run.py --dlc-build "$build"

echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

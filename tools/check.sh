#!/usr/bin/env bash
# The whole test suite (the README's test command, and what CI runs):
# installs what is missing, then twice — a normal build with warnings as
# errors, and an ASan + UBSan build (clang) whose generated code is
# sanitized too — builds and runs the C unit tests, the lit suite and the
# ONNX conformance suite; then a short bounded run of each fuzz target.
# Ends with one line "total: N passed, N failed".
#   DLC_BUILD_DIR     normal build directory (default: build)
#   DLC_CHECK_QUICK=1 the normal build only (no sanitizer pass, no fuzzing)
#   DLC_FUZZ_SECONDS  seconds per fuzz target (default 20; 0 skips)
#   DLC_ZOO=1         also generate and run the model zoo (docs/zoo.md)
set -uo pipefail
cd "$(dirname "$0")/.."

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
  if [ "$rc" -ne 0 ] && ! grep -Eq '[1-9][0-9]* failed|Failed *: *[1-9]' "$out"; then
    failed=$((failed + 1))
  fi
  rm -f "$out"
}

# build and test one configuration: label, build dir, cmake flags...
pass() {
  local label=$1 build=$2; shift 2
  echo "==== $label build ($build)"
  if ! { cmake -S . -B "$build" -DDLC_WERROR=ON "$@" >/dev/null &&
         cmake --build "$build" -j"$(nproc)"; }; then
    echo "$label: the build failed"
    failed=$((failed + 1))
    return
  fi
  run_suite "$label unit" "$build/test/dlc-unit"
  run_suite "$label lit" python3 /usr/lib/llvm-14/build/utils/lit/lit.py -sv --no-progress-bar \
    --param test_python="$test_python" "$build/test"
  # ONNX backend node tests (docs/conformance.md; data generated once into
  # the cache): a test in test/conformance/expected_pass.txt that stops
  # passing, a crash or a timeout fails. The run writes its report (the
  # form of docs/conformance.md) into the build directory.
  run_suite "$label conformance" "$test_python" test/conformance/run.py --dlc-build "$build" \
    --report "$build/conformance.md"
}

tools/deps.sh || exit 1
# the pinned Python test tooling (onnx, onnxruntime) for reference checks
test_python=$(tools/venv.sh test) || exit 1
# the model zoo (docs/zoo.md), only with DLC_ZOO=1 (it needs torch): generated
# once into the cache; lit's test/zoo then runs it
if [ "${DLC_ZOO:-0}" = 1 ] && ! tools/zoo.sh --generate-only; then
  failed=$((failed + 1))
fi

pass normal "${DLC_BUILD_DIR:-build}"
if [ "${DLC_CHECK_QUICK:-0}" != 1 ]; then
  # in a subshell: the sanitizer environment stays there; its counts come
  # back through its last line
  log=$(mktemp)
  (
    passed=0 failed=0
    export CC=clang DLC_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    pass sanitizers build-asan -DDLC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang
    echo "sanitizers: $passed passed, $failed failed"
  ) 2>&1 | tee "$log"
  tally "$log"
  rm -f "$log"
  if [ "${DLC_FUZZ_SECONDS:-20}" != 0 ]; then
    run_suite fuzz tools/fuzz.sh "${DLC_FUZZ_SECONDS:-20}"
  fi
fi

echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

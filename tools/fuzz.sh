#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a
# bounded time over a corpus seeded from the repository's own inputs.
#   tools/fuzz.sh [SECONDS] [TARGET...]    targets: onnx text pipeline tf
# A crash leaves its input in the corpus directory's crashes/ and makes the
# script exit 1. Corpora live in ${DLC_CACHE_DIR:-~/.cache/dlc}/fuzz/<target>.
#   DLC_FUZZ_RUNS=N   stop each target after N executions instead of a time
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(onnx text pipeline tf)
build=${DLC_FUZZ_BUILD:-build-fuzz}
cache=${DLC_CACHE_DIR:-$HOME/.cache/dlc}/fuzz

tools/deps.sh || exit 1
CC=clang cmake -S . -B "$build" -DDLC_FUZZ=ON >/dev/null || exit 1
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null || exit 1

seed() { # target dir: copy the repo's small inputs of the target's kind
  local kind=$1 dir=$2
  mkdir -p "$dir"
  if [ "$kind" = text ]; then
    find test -name '*.dlc' -size -64k -exec cp -n {} "$dir/" \; 2>/dev/null
  elif [ "$kind" = tf ]; then # GraphDefs (not the test data's TensorProtos)
    local i=0
    while IFS= read -r f; do
      cp -n "$f" "$dir/seed_$i.pb"; i=$((i + 1))
    done < <(find test/tf test/fixtures/tf -name '*.pb' -size -64k -not -path '*test_data_set*' | sort)
  else
    local i=0
    while IFS= read -r f; do
      cp -n "$f" "$dir/seed_$i.onnx"; i=$((i + 1))
    done < <(find test examples -name '*.onnx' -size -64k | sort)
  fi
}

failed=0 passed=0
for t in "${targets[@]}"; do
  corpus=$cache/$t
  seed "$t" "$corpus"
  mkdir -p "$corpus/crashes"
  limit=(-max_total_time="$secs")
  [ -n "${DLC_FUZZ_RUNS:-}" ] && limit=(-runs="$DLC_FUZZ_RUNS")
  log=$(mktemp)
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    "$build/bin/fuzz_$t" "$corpus" "${limit[@]}" -max_len=65536 -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$corpus/crashes/" \
    >"$log" 2>&1
  rc=$?
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$')
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1))
    echo "fuzz_$t: ${runs:-?} executions, no crash"
  else
    failed=$((failed + 1))
    echo "fuzz_$t: FAILED after ${runs:-?} executions:"
    grep -E 'ERROR|SUMMARY|internal error|Test unit written' "$log" | head -5
  fi
  rm -f "$log"
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
